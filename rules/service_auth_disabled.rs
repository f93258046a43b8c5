//! DC054 service-auth-disabled: a service's `environment:` switches its authentication off
//! (`NEO4J_AUTH=none`, `xpack.security.enabled=false`, `ALLOW_EMPTY_PASSWORD=yes`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{auth_switched_off, report_in_service, with_compose_defaults};

pub static SERVICE_AUTH_DISABLED: Rule = Rule {
    code: "DC054",
    name: "service-auth-disabled",
    summary: "A service's environment switches its authentication off (`NEO4J_AUTH=none`, \
              `ALLOW_EMPTY_PASSWORD=yes`, `POSTGRES_HOST_AUTH_METHOD=trust`)",
    target: Target::Compose,
    category: Category::Network,
    severity: Severity::Warning,
    related: &["nist-800-190:3.4.2", "cwe:306"],
    docs: include_str!("service_auth_disabled.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for var in &service.environment {
            let Some(value) = var
                .value
                .as_ref()
                .and_then(|v| with_compose_defaults(v.value.trim()))
            else {
                continue;
            };
            let Some(what) = auth_switched_off(&var.name.value, &value) else {
                continue;
            };
            report_in_service(
                out,
                service,
                var.span,
                format!(
                    "service `{}` sets `{}={value}`, which switches off {what}",
                    service.name.value, var.name.value
                ),
            )
            .with_help(
                "set a password from a secret (`MYSQL_ROOT_PASSWORD_FILE`, `NEO4J_AUTH_FILE`, \
                 compose `secrets:`) and keep authentication on, also in development: a \
                 published port reaches it from the network",
            );
        }
    }
}
