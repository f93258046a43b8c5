//! DF013 unpinned-dnf-package: `dnf install` (or `microdnf`, `tdnf`) of a package without a
//! version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{Manager, RPM_VALUE_OPTIONS, check_manager, classify_rpm, never};

pub static UNPINNED_DNF_PACKAGE: Rule = Rule {
    code: "DF013",
    name: "unpinned-dnf-package",
    summary: "`dnf install` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // Repositories drop superseded builds: opt-in, like the other OS package managers.
    default_enabled: false,
    related: &["hadolint:DL3041", "kics:93d88cf7", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_dnf_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const DNF: Manager = Manager {
    programs: &["dnf", "dnf5", "microdnf", "tdnf"],
    install: &["install"],
    value_options: RPM_VALUE_OPTIONS,
    classify: classify_rpm,
    pinned_by_option: never,
    display: "dnf",
    help: "pin the version: `pkg-1.2.3` or `pkg-1.2.3-1.fc40`",
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &DNF);
}
