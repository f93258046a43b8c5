//! DC008 service-no-pids-limit: a compose service that may start processes without bound.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{Limit, limit, report_limit};

pub static SERVICE_NO_PIDS_LIMIT: Rule = Rule {
    code: "DC008",
    name: "service-no-pids-limit",
    summary: "A service has no process-count limit (`deploy.resources.limits.pids` or `pids_limit`)",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    related: &["kics:221e0658", "cis:5.29", "nist-800-190:3.4.3"],
    // Off by default: service-no-resource-limits (DC053) reports a service once, naming every
    // missing limit; this rule is the finding-per-limit variant for teams that want it.
    default_enabled: false,
    docs: include_str!("service_no_pids_limit.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let state = limit(&[service.limits.pids.as_ref(), service.pids_limit.as_ref()]);
        // Missing here, but set by the merged project (an override, an `extends` base), or this
        // file is an override of the file that defines the service.
        if matches!(state, Limit::Missing)
            && context.settled_by_project(
                service,
                &[&["deploy", "resources", "limits", "pids"], &["pids_limit"]],
            )
        {
            continue;
        }
        report_limit(
            out,
            service,
            state,
            "process (pids)",
            "set `deploy.resources.limits.pids` (e.g. `200`) so a fork bomb stays inside the \
             container",
        );
    }
}
