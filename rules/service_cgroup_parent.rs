//! DC022 service-cgroup-parent: a compose service places itself in a chosen host cgroup
//! (`cgroup_parent`), outside the engine's default hierarchy.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static SERVICE_CGROUP_PARENT: Rule = Rule {
    code: "DC022",
    name: "service-cgroup-parent",
    summary: "A service sets `cgroup_parent` and leaves the engine's default cgroup",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    related: &["kics:4d9f44c6", "cis:5.25", "nist-800-190:3.4.3"],
    docs: include_str!("service_cgroup_parent.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(field) = &service.cgroup_parent else {
            continue;
        };
        report_in_service(
            out,
            service,
            field.span,
            format!(
                "service `{}` runs under the host cgroup `{}`",
                service.name.value, field.value
            ),
        )
        .with_help(
            "remove `cgroup_parent` unless that host cgroup was set up with limits for this service",
        );
    }
}
