//! DC038 duplicate-container-name: two compose services set the same `container_name`, so the
//! second container cannot be created.

use std::collections::HashMap;

use crate::syntax::compose::Service;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{can_run_together, report_in_service};

pub static DUPLICATE_CONTAINER_NAME: Rule = Rule {
    code: "DC038",
    name: "duplicate-container-name",
    summary: "Two services set the same `container_name`",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &["dclint:no-duplicate-container-names"],
    docs: include_str!("duplicate_container_name.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let services = &context.compose.services;
    // Earlier services by container name: a service is compared with those of its name only,
    // not with every earlier one (quadratic in the number of services).
    let mut by_name: HashMap<&str, Vec<&Service>> = HashMap::new();
    for service in services {
        let Some(name) = &service.container_name else {
            continue;
        };
        let same_name = by_name.entry(name.value.as_str()).or_default();
        let earlier = same_name
            .iter()
            .copied()
            .find(|other| can_run_together(other, service));
        same_name.push(service);
        let Some(earlier) = earlier else {
            continue;
        };
        let first_span = earlier
            .container_name
            .as_ref()
            .map_or(earlier.name.span, |f| f.span);
        report_in_service(
            out,
            service,
            name.span,
            format!(
                "service `{}` uses container name `{}`, already used by `{}`",
                service.name.value, name.value, earlier.name.value
            ),
        )
        .with_label(first_span, "first used here")
        .with_help("container names are unique per engine; rename one, or drop `container_name`");
    }
}
