//! DC046 container-name-with-replicas: a compose service with a fixed `container_name` asks for
//! more than one replica, which cannot share the name.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{report_in_service, with_compose_defaults};

pub static CONTAINER_NAME_WITH_REPLICAS: Rule = Rule {
    code: "DC046",
    name: "container-name-with-replicas",
    summary: "A service with a fixed `container_name` asks for more than one replica",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    docs: include_str!("container_name_with_replicas.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(name) = &service.container_name else {
            continue;
        };
        let replicas = service
            .node
            .path(&["deploy", "replicas"])
            .or_else(|| service.node.get("scale"));
        let Some(replicas) = replicas else {
            continue;
        };
        let Some(count) = replicas
            .as_str()
            .and_then(with_compose_defaults)
            .and_then(|text| text.trim().parse::<u64>().ok())
        else {
            continue;
        };
        if count <= 1 {
            continue;
        }
        report_in_service(
            out,
            service,
            replicas.span,
            format!(
                "service `{}` asks for {count} replicas but every one would be named `{}`",
                service.name.value, name.value
            ),
        )
        .with_label(name.span, "fixed name set here")
        .with_help("drop `container_name` so Compose can name each replica, or use one replica");
    }
}
