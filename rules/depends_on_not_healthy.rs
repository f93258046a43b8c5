//! DC035 depends-on-not-healthy: a compose service waits only for a dependency to *start*
//! although that dependency has a healthcheck it could wait for.

use std::collections::HashMap;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::compose::Service;
use crate::syntax::span::Span;
use crate::syntax::yaml::{Node, Value};

use super::support::{disabling_node, report_in_service};

pub static DEPENDS_ON_NOT_HEALTHY: Rule = Rule {
    code: "DC035",
    name: "depends-on-not-healthy",
    summary: "A `depends_on` does not wait for a dependency's healthcheck (`condition: service_healthy`)",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Info,
    docs: include_str!("depends_on_not_healthy.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// One dependency: its name, where to point, and its condition when one is written.
struct Dependency<'a> {
    name: &'a str,
    span: Span,
    condition: Option<&'a str>,
}

fn dependencies(service: &Service) -> Vec<Dependency<'_>> {
    let Some(node) = service.node.get("depends_on") else {
        return Vec::new();
    };
    match &node.value {
        Value::Sequence(items) => items
            .iter()
            .filter_map(|item| {
                Some(Dependency {
                    name: item.as_str()?,
                    span: item.span,
                    condition: None,
                })
            })
            .collect(),
        Value::Mapping(entries) => entries
            .iter()
            .filter_map(|entry| {
                Some(Dependency {
                    name: entry.key.as_str()?,
                    span: entry.key.span,
                    condition: entry.value.get("condition").and_then(Node::as_str),
                })
            })
            .collect(),
        Value::Scalar(_) => Vec::new(),
    }
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let services = &context.compose.services;
    // The first service of each name, looked up per dependency (a search per dependency was
    // quadratic in the number of services).
    let mut by_name: HashMap<&str, &Service> = HashMap::with_capacity(services.len());
    for service in services {
        by_name
            .entry(service.name.value.as_str())
            .or_insert(service);
    }
    for service in services {
        for dependency in dependencies(service) {
            let waits = dependency.condition.map(str::trim);
            if matches!(
                waits,
                Some("service_healthy" | "service_completed_successfully")
            ) {
                continue;
            }
            let Some(target) = by_name.get(dependency.name).copied() else {
                continue;
            };
            let Some(healthcheck) = target.node.entry("healthcheck") else {
                continue;
            };
            if disabling_node(target).is_some() {
                continue;
            }
            let healthcheck_span = healthcheck.key.span;
            report_in_service(
                out,
                service,
                dependency.span,
                format!(
                    "service `{}` starts as soon as `{}` has started, not when it is healthy",
                    service.name.value, dependency.name
                ),
            )
            .with_label(
                healthcheck_span,
                format!("`{}` has a healthcheck here", dependency.name),
            )
            .with_help(format!(
                "use the long form: `depends_on: {{ {}: {{ condition: service_healthy }} }}`",
                dependency.name
            ));
        }
    }
}
