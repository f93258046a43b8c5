//! DC050 compose-v1-format: a compose file in the v1 format (services at the top level, no
//! `services:` key), which Compose v2 rejects.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

pub static COMPOSE_V1_FORMAT: Rule = Rule {
    code: "DC050",
    name: "compose-v1-format",
    summary: "The Compose v1 format (services at the top level) is rejected by Compose v2",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    docs: include_str!("compose_v1_format.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let Some(span) = context.compose.v1_format else {
        return;
    };
    out.report(
        span,
        "this file is in the Compose v1 format (services at the top level, no `services:` key), \
         which Compose v2 rejects"
            .to_string(),
    )
    .with_help("move the services under a top-level `services:` key (indent them one level)");
}
