//! DC030 service-restart-policy: a compose service restarts without bound (`always`,
//! `unless-stopped`, `on-failure` without a count).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::yaml::Node;

use super::support::report_in_service;

pub static SERVICE_RESTART_POLICY: Rule = Rule {
    code: "DC030",
    name: "service-restart-policy",
    summary: "A service restarts without bound (`always`, `unless-stopped`, `on-failure` with no count)",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    default_enabled: false,
    related: &["kics:2fc99041", "cis:5.15", "nist-800-190:3.4.3"],
    docs: include_str!("service_restart_policy.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "use `restart: on-failure:5` (or `deploy.restart_policy.max_attempts`) so a \
                    crashing container stops after a few attempts";

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        if let Some(field) = &service.restart {
            let value = field.value.trim();
            let unbounded = matches!(value, "always" | "unless-stopped" | "on-failure");
            if unbounded {
                report_in_service(
                    out,
                    service,
                    field.span,
                    format!(
                        "service `{}` restarts without bound (`restart: {value}`)",
                        service.name.value
                    ),
                )
                .with_help(HELP);
            }
        }
        let Some(policy) = service.node.path(&["deploy", "restart_policy"]) else {
            continue;
        };
        let condition = policy
            .get("condition")
            .and_then(Node::as_str)
            .unwrap_or("any");
        let bounded = policy
            .get("max_attempts")
            .and_then(Node::as_str)
            .is_some_and(|attempts| attempts.trim() != "0");
        if condition != "none" && !bounded {
            let span = policy
                .entry("condition")
                .map_or(policy.span, |e| e.value.span);
            report_in_service(
                out,
                service,
                span,
                format!(
                    "service `{}` restarts without bound (`restart_policy` without \
                     `max_attempts`)",
                    service.name.value
                ),
            )
            .with_help(HELP);
        }
    }
}
