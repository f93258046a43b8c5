//! DF014 unpinned-zypper-package: `zypper install` of a package without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use crate::syntax::dockerfile::shell::CommandView;

use super::package_pins::{Manager, check_manager, classify_rpm};

pub static UNPINNED_ZYPPER_PACKAGE: Rule = Rule {
    code: "DF014",
    name: "unpinned-zypper-package",
    summary: "`zypper install` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // Repositories drop superseded builds: opt-in, like the other OS package managers.
    default_enabled: false,
    related: &["hadolint:DL3037", "kics:562952e4", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_zypper_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const ZYPPER: Manager = Manager {
    programs: &["zypper"],
    install: &["install", "in"],
    value_options: &[
        "-r",
        "--repo",
        "--from",
        "-t",
        "--type",
        "-R",
        "--root",
        "-D",
        "--reposd-dir",
        "-C",
        "--cache-dir",
        "--raw-cache-dir",
        "--solv-cache-dir",
        "--pkg-cache-dir",
        "-c",
        "--config",
    ],
    classify: classify_rpm,
    pinned_by_option: installs_other_kind,
    display: "zypper",
    help: "pin the version: `pkg=1.2.3` or `'pkg>=1.2'`",
};

/// `zypper install -t pattern devel_basis`: the operands are patterns, patches or products,
/// which have no version to pin.
fn installs_other_kind(view: &CommandView<'_>) -> bool {
    view.flag_value(Some('t'), "type")
        .is_some_and(|kind| kind.value.trim_start_matches("--type=") != "package")
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &ZYPPER);
}
