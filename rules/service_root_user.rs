//! DC004 service-root-user: a compose service explicitly runs as root.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::is_root_user;

pub static SERVICE_ROOT_USER: Rule = Rule {
    code: "DC004",
    name: "service-root-user",
    summary: "A service sets `user:` to root (`root`, `0`, `0:0`, …)",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "compose-lint:CL-0018",
        "semgrep:service-runs-as-root",
        "cis:4.1",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_root_user.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(field) = &service.user else {
            continue;
        };
        if is_root_user(&field.value) != Some(true) {
            continue;
        }
        // An override (or a service extending this one) that sets another user wins.
        let merged_user = context
            .project
            .and_then(|p| p.project.service(&service.name.value))
            .and_then(|merged| merged.node.get("user"))
            .and_then(|user| user.as_str());
        if merged_user.is_some_and(|user| is_root_user(user) != Some(true)) {
            continue;
        }
        let finding = out.report(
            field.span,
            format!(
                "service `{}` runs as root (`user: {}`)",
                service.name.value, field.value
            ),
        );
        finding.with_help(
            "run as an unprivileged user, e.g. `user: \"10001:10001\"`, and give it only the \
             files it needs",
        );
        // A value merged in from an anchor is reported where it is written; say where it was
        // pulled into this service.
        if let Some(origin) = service.node.get("user").and_then(|node| node.origin) {
            finding.with_label(
                origin,
                format!("merged into service `{}` here", service.name.value),
            );
        }
    }
}
