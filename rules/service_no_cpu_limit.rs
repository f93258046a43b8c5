//! DC007 service-no-cpu-limit: a compose service that may use all the host's CPUs.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{Limit, limit, report_limit};

pub static SERVICE_NO_CPU_LIMIT: Rule = Rule {
    code: "DC007",
    name: "service-no-cpu-limit",
    summary: "A service has no CPU limit (`deploy.resources.limits.cpus`, `cpus` or `cpu_quota`)",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Info,
    related: &[
        "kics:6b610c50",
        "compose-lint:CL-0026",
        "cis:5.12",
        "nist-800-190:3.4.3",
    ],
    // Off by default: service-no-resource-limits (DC053) reports a service once, naming every
    // missing limit; this rule is the finding-per-limit variant for teams that want it.
    default_enabled: false,
    docs: include_str!("service_no_cpu_limit.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let state = limit(&[
            service.limits.cpus.as_ref(),
            service.cpus.as_ref(),
            service.cpu_quota.as_ref(),
        ]);
        // Missing here, but set by the merged project (an override, an `extends` base), or this
        // file is an override of the file that defines the service.
        if matches!(state, Limit::Missing)
            && context.settled_by_project(
                service,
                &[
                    &["deploy", "resources", "limits", "cpus"],
                    &["cpus"],
                    &["cpu_quota"],
                ],
            )
        {
            continue;
        }
        report_limit(
            out,
            service,
            state,
            "CPU",
            "set `deploy.resources.limits.cpus` (e.g. `\"0.5\"`) so one service cannot starve \
             the others",
        );
    }
}
