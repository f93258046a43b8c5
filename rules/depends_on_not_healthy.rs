//! DC035 depends-on-not-healthy: a compose service waits only for a dependency to *start*
//! although that dependency has a healthcheck it could wait for.

use std::collections::HashMap;

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::compose::Service;
use crate::syntax::span::Span;
use crate::syntax::yaml::{Node, Value};

use super::compose_edits::written_inside;
use super::support::{disabling_node, report_in_service};

pub static DEPENDS_ON_NOT_HEALTHY: Rule = Rule {
    code: "DC035",
    name: "depends-on-not-healthy",
    summary: "A `depends_on` does not wait for a dependency's healthcheck (`condition: service_healthy`)",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
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

/// The fix: every dependency that has a healthcheck waits for `service_healthy`. The short form
/// (`- db`, `[db, cache]`) becomes the long form, the others keeping `service_started`, which
/// is what the short form means; in the long form, a written `condition:` changes. All the
/// findings of one `depends_on` get the same fix, so one pass applies it. `None` when the list
/// is merged from an anchor, or written in a way the edit would not keep (an item on several
/// lines, a block list at its key's own indentation).
fn healthy_fix(text: &str, service: &Service, healthy: &dyn Fn(&str) -> bool) -> Option<Fix> {
    let entry = service.node.entry("depends_on")?;
    let list = &entry.value;
    if list.origin.is_some() || !written_inside(service, list.span) {
        return None;
    }
    let condition = |name: &str| {
        if healthy(name) {
            "service_healthy"
        } else {
            "service_started"
        }
    };
    let mut edits = Vec::new();
    match &list.value {
        Value::Mapping(entries) => {
            for dependency in entries.iter() {
                let Some(name) = dependency.key.as_str() else {
                    continue;
                };
                let Some(written) = dependency.value.get("condition") else {
                    // Adding the key is not worth the edge cases: leave the whole list alone.
                    if healthy(name) {
                        return None;
                    }
                    continue;
                };
                let current = written.as_str().map(str::trim);
                if !healthy(name)
                    || matches!(
                        current,
                        Some("service_healthy" | "service_completed_successfully")
                    )
                {
                    continue;
                }
                if written.origin.is_some()
                    || !written_inside(service, written.span)
                    || current != Some(written.span.text(text).trim())
                {
                    return None;
                }
                edits.push(Edit {
                    span: written.span,
                    replacement: "service_healthy".into(),
                });
            }
        }
        Value::Sequence(items) => {
            let flow = text.get(list.span.start..)?.starts_with('[');
            let key_column = list_column(text, entry.key.span.start)?;
            for item in items {
                let name = item.as_str()?;
                let written = item.span.text(text);
                if item.origin.is_some() || written.contains('\n') || written.contains('#') {
                    return None;
                }
                if flow {
                    edits.push(Edit {
                        span: item.span,
                        replacement: format!("{written}: {{condition: {}}}", condition(name)),
                    });
                    continue;
                }
                // `- name` becomes `name:` at the dash's column, the condition two further in.
                let line_start = text
                    .get(..item.span.start)?
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let before = text.get(line_start..item.span.start)?;
                let dash_column = before.find('-')?;
                if !before[..dash_column].bytes().all(|b| b == b' ')
                    || !before[dash_column + 1..].bytes().all(|b| b == b' ')
                    || dash_column <= key_column
                {
                    return None;
                }
                let indent = &before[..dash_column];
                edits.push(Edit {
                    span: Span::new(line_start + dash_column, item.span.end),
                    replacement: format!("{written}:\n{indent}  condition: {}", condition(name)),
                });
            }
            if flow {
                edits.push(Edit {
                    span: Span::new(list.span.start, list.span.start + 1),
                    replacement: "{".into(),
                });
                edits.push(Edit {
                    span: Span::new(list.span.end - 1, list.span.end),
                    replacement: "}".into(),
                });
            }
        }
        Value::Scalar(_) => return None,
    }
    (!edits.is_empty()).then(|| Fix {
        message: "wait until the dependency is healthy (`condition: service_healthy`)".into(),
        // Unsafe: the service now starts only once the dependency reports healthy, and not
        // at all when it never does.
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// The column of `offset` on its line, when only spaces stand before it.
fn list_column(text: &str, offset: usize) -> Option<usize> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..offset)?;
    before.bytes().all(|b| b == b' ').then_some(before.len())
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
    let services = &context.compose.services;
    // The first service of each name, looked up per dependency (a search per dependency was
    // quadratic in the number of services).
    let mut by_name: HashMap<&str, &Service> = HashMap::with_capacity(services.len());
    for service in services {
        by_name
            .entry(service.name.value.as_str())
            .or_insert(service);
    }
    // Whether a dependency has a healthcheck it could wait for.
    let healthy = |name: &str| {
        by_name.get(name).is_some_and(|target| {
            target.node.entry("healthcheck").is_some() && disabling_node(target).is_none()
        })
    };
    for service in services {
        let mut fix: Option<Option<Fix>> = None;
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
            let fix = fix
                .get_or_insert_with(|| healthy_fix(text, service, &healthy))
                .clone();
            let finding = report_in_service(
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
            if let Some(fix) = fix {
                finding.with_fix(fix);
            }
        }
    }
}
