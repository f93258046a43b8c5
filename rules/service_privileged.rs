//! DC010 service-privileged: a compose service runs with `privileged: true`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static SERVICE_PRIVILEGED: Rule = Rule {
    code: "DC010",
    name: "service-privileged",
    summary: "A service runs in privileged mode (`privileged: true`)",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Error,
    related: &[
        "kics:ae5b6871",
        "compose-lint:CL-0002",
        "semgrep:privileged-service",
        "cis:5.5",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_privileged.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(field) = service.privileged.as_ref().filter(|field| field.value) else {
            continue;
        };
        report_in_service(
            out,
            service,
            field.span,
            format!("service `{}` runs privileged", service.name.value),
        )
        .with_help(
            "remove `privileged: true`; grant only the capabilities (`cap_add`) or devices \
             (`devices`) the program needs",
        );
    }
}
