//! DC034 healthcheck-disabled: a compose service switches its healthcheck off
//! (`disable: true` or `test: ["NONE"]`), including one the image declares.

use super::support::{disabling_node, report_in_service};
use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

pub static HEALTHCHECK_DISABLED: Rule = Rule {
    code: "DC034",
    name: "healthcheck-disabled",
    summary: "A service switches its healthcheck off (`disable: true` or `test: [\"NONE\"]`)",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    related: &["kics:698ed579", "cis:5.27", "nist-800-190:3.4.3"],
    docs: include_str!("healthcheck_disabled.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(node) = disabling_node(service) else {
            continue;
        };
        report_in_service(
            out,
            service,
            node.span,
            format!(
                "service `{}` switches its healthcheck off",
                service.name.value
            ),
        )
        .with_help("keep the image's HEALTHCHECK, or define a check that suits this deployment");
    }
}
