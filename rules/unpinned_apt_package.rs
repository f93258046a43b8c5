//! DF010 unpinned-apt-package: `apt-get install` / `apt install` of a package without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{Manager, Operand, check_manager, is_path_or_url, never};

pub static UNPINNED_APT_PACKAGE: Rule = Rule {
    code: "DF010",
    name: "unpinned-apt-package",
    summary: "`apt-get install` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // Debian and Ubuntu archives drop old versions, so exact pins break builds weeks later
    // (hadolint#884, PR #1253): opt-in.
    default_enabled: false,
    related: &["hadolint:DL3008", "kics:965a08d7", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_apt_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const APT: Manager = Manager {
    programs: &["apt-get", "apt", "aptitude"],
    install: &["install"],
    value_options: &[
        "-o",
        "--option",
        "-c",
        "--config-file",
        "-t",
        "--target-release",
        "--default-release",
        "-a",
        "--host-architecture",
    ],
    classify,
    pinned_by_option: never,
    display: "apt",
    help: "pin the version: `pkg=1.2.3-1` (see `apt-cache policy pkg`)",
};

/// `pkg=1.2`, `pkg/bookworm-backports`, `./local.deb` are pinned or not from the archive.
fn classify(operand: &str) -> Operand {
    if operand.contains('=') || is_path_or_url(operand) || operand.ends_with(".deb") {
        Operand::Fine
    } else {
        Operand::Unpinned
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &APT);
}
