//! DF012 unpinned-yum-package: `yum install` of a package without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{Manager, RPM_VALUE_OPTIONS, check_manager, never};

pub static UNPINNED_YUM_PACKAGE: Rule = Rule {
    code: "DF012",
    name: "unpinned-yum-package",
    summary: "`yum install` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // Repositories drop superseded builds: opt-in, like the other OS package managers.
    default_enabled: false,
    related: &["hadolint:DL3033", "kics:6452c424", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_yum_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const YUM: Manager = Manager {
    programs: &["yum"],
    install: &["install"],
    value_options: RPM_VALUE_OPTIONS,
    classify: super::package_pins::classify_rpm,
    pinned_by_option: never,
    display: "yum",
    help: "pin the version: `pkg-1.2.3` or `pkg-1.2.3-1.el9`",
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &YUM);
}
