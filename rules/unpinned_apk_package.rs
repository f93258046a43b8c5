//! DF011 unpinned-apk-package: `apk add` of a package without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{Manager, Operand, check_manager, is_path_or_url, never};

pub static UNPINNED_APK_PACKAGE: Rule = Rule {
    code: "DF011",
    name: "unpinned-apk-package",
    summary: "`apk add` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // Alpine repositories keep only the latest build of each package per branch, so exact pins
    // break builds: opt-in, like the other OS package managers.
    default_enabled: false,
    related: &["hadolint:DL3018", "kics:d3499f6d", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_apk_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const APK: Manager = Manager {
    programs: &["apk"],
    install: &["add"],
    value_options: &[
        "-t",
        "--virtual",
        "-X",
        "--repository",
        "-p",
        "--root",
        "--keys-dir",
        "--repositories-file",
        "--cache-dir",
        "--arch",
        "--cache-max-age",
        "--timeout",
    ],
    classify,
    pinned_by_option: never,
    display: "apk",
    help: "pin the version: `pkg=1.2.3-r0`, or `pkg~=1.2` to follow patch releases",
};

/// `pkg=1.2-r0`, `pkg~=1.2`, `pkg>1.2`, `./local.apk` are pinned or not from a repository.
fn classify(operand: &str) -> Operand {
    if operand.contains(['=', '<', '>', '~'])
        || is_path_or_url(operand)
        || operand.ends_with(".apk")
    {
        Operand::Fine
    } else {
        Operand::Unpinned
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &APK);
}
