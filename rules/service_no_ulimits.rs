//! DC031 service-no-ulimits: a compose service does not set `ulimits` and inherits the
//! engine's defaults for open files and processes.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

pub static SERVICE_NO_ULIMITS: Rule = Rule {
    code: "DC031",
    name: "service-no-ulimits",
    summary: "A service does not set `ulimits` and inherits the engine's defaults",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    default_enabled: false,
    related: &["cis:5.19", "nist-800-190:3.4.3"],
    docs: include_str!("service_no_ulimits.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        if service.ulimits.is_some() || context.settled_by_project(service, &[&["ulimits"]]) {
            continue;
        }
        out.report(
            service.name.span,
            format!("service `{}` does not set `ulimits`", service.name.value),
        )
        .with_help("set `ulimits` such as `nofile` and `nproc` to what the program needs");
    }
}
