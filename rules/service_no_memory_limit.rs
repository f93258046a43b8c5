//! DC006 service-no-memory-limit: a compose service that may use all the host's memory.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{Limit, limit, report_limit};

pub static SERVICE_NO_MEMORY_LIMIT: Rule = Rule {
    code: "DC006",
    name: "service-no-memory-limit",
    summary: "A service has no memory limit (`deploy.resources.limits.memory` or `mem_limit`)",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Warning,
    related: &[
        "kics:bb9ac4f7",
        "compose-lint:CL-0026",
        "cis:5.11",
        "nist-800-190:3.4.3",
    ],
    // Off by default: service-no-resource-limits (DC053) reports a service once, naming every
    // missing limit; this rule is the finding-per-limit variant for teams that want it.
    default_enabled: false,
    docs: include_str!("service_no_memory_limit.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let state = limit(&[service.limits.memory.as_ref(), service.mem_limit.as_ref()]);
        // Missing here, but set by the merged project (an override, an `extends` base), or this
        // file is an override of the file that defines the service.
        if matches!(state, Limit::Missing)
            && context.settled_by_project(
                service,
                &[&["deploy", "resources", "limits", "memory"], &["mem_limit"]],
            )
        {
            continue;
        }
        report_limit(
            out,
            service,
            state,
            "memory",
            "set `deploy.resources.limits.memory` (e.g. `512M`) so one service cannot exhaust \
             the host's memory",
        );
    }
}
