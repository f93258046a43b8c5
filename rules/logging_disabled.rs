//! DC032 logging-disabled: a compose service throws its logs away (`logging.driver: none`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static LOGGING_DISABLED: Rule = Rule {
    code: "DC032",
    name: "logging-disabled",
    summary: "A service disables logging (`logging.driver: none`)",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    related: &["compose-lint:CL-0014", "nist-800-190:3.4.3"],
    docs: include_str!("logging_disabled.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let driver = service
            .node
            .path(&["logging", "driver"])
            .or_else(|| service.node.get("log_driver"));
        let Some(driver) = driver.filter(|node| node.as_str().map(str::trim) == Some("none"))
        else {
            continue;
        };
        report_in_service(
            out,
            service,
            driver.span,
            format!("service `{}` discards its logs", service.name.value),
        )
        .with_help(
            "keep a log driver; limit its size instead (`json-file` or `local` with \
             `max-size`/`max-file` options)",
        );
    }
}
