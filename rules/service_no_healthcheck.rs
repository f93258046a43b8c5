//! DC033 service-no-healthcheck: a compose service defines no `healthcheck`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

pub static SERVICE_NO_HEALTHCHECK: Rule = Rule {
    code: "DC033",
    name: "service-no-healthcheck",
    summary: "A service defines no `healthcheck`",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    default_enabled: false,
    related: &["kics:698ed579", "cis:5.27", "nist-800-190:3.4.3"],
    docs: include_str!("service_no_healthcheck.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        if service.healthcheck.is_some() || context.settled_by_project(service, &[&["healthcheck"]])
        {
            continue;
        }
        out.report(
            service.name.span,
            format!("service `{}` defines no healthcheck", service.name.value),
        )
        .with_help(
            "add a `healthcheck` (`test`, `interval`, `timeout`, `retries`) unless the image \
             declares a HEALTHCHECK",
        );
    }
}
