//! DC020 service-writable-root-fs: a compose service's root file system is writable
//! (`read_only: true` is not set).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static SERVICE_WRITABLE_ROOT_FS: Rule = Rule {
    code: "DC020",
    name: "service-writable-root-fs",
    summary: "A service's root file system is writable (`read_only: true` is not set)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    default_enabled: false,
    related: &[
        "compose-lint:CL-0007",
        "semgrep:writable-filesystem-service",
        "cis:5.13",
        "nist-800-190:3.5.5",
    ],
    docs: include_str!("service_writable_root_fs.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "set `read_only: true` and give the program `tmpfs` or volumes for the \
                    directories it writes to";

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        match &service.read_only {
            Some(field) if field.value => {}
            Some(field) => {
                report_in_service(
                    out,
                    service,
                    field.span,
                    format!("service `{}` sets `read_only: false`", service.name.value),
                )
                .with_help(HELP);
            }
            None => {
                out.report(
                    service.name.span,
                    format!(
                        "service `{}` has a writable root file system",
                        service.name.value
                    ),
                )
                .with_help(HELP);
            }
        }
    }
}
