//! DC053 service-no-resource-limits: a compose service without a memory limit, reported once
//! with every other resource limit it also lacks (CPU, pids).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::compose::Service;

use super::support::{Limit, limit};

pub static SERVICE_NO_RESOURCE_LIMITS: Rule = Rule {
    code: "DC053",
    name: "service-no-resource-limits",
    summary: "A service has no memory limit; the finding also names a missing CPU or pids limit",
    target: Target::Compose,
    category: Category::Resources,
    severity: Severity::Warning,
    related: &[
        "kics:bb9ac4f7",
        "compose-lint:CL-0026",
        "cis:5.11",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_no_resource_limits.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const MEMORY_KEYS: &[&[&str]] = &[&["deploy", "resources", "limits", "memory"], &["mem_limit"]];
const CPU_KEYS: &[&[&str]] = &[
    &["deploy", "resources", "limits", "cpus"],
    &["cpus"],
    &["cpu_quota"],
];
const PIDS_KEYS: &[&[&str]] = &[&["deploy", "resources", "limits", "pids"], &["pids_limit"]];

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let memory = limit(&[service.limits.memory.as_ref(), service.mem_limit.as_ref()]);
        if matches!(memory, Limit::Set) {
            continue;
        }
        // Missing here, but set by the merged project (an override, an `extends` base), or this
        // file is an override of the file that defines the service: the defining file reports.
        if matches!(memory, Limit::Missing) && context.settled_by_project(service, MEMORY_KEYS) {
            continue;
        }
        let also = also_missing(context, service);
        let name = &service.name.value;
        let (span, mut message) = match memory {
            Limit::Unlimited(field) => (
                field.span,
                format!(
                    "service `{name}` sets its memory limit to `{}`, which means unlimited",
                    field.value
                ),
            ),
            _ => (
                service.name.span,
                format!("service `{name}` has no memory limit"),
            ),
        };
        if !also.is_empty() {
            let and = if matches!(memory, Limit::Unlimited(_)) {
                "and it has"
            } else {
                "and"
            };
            message.push_str(&format!(" ({and} no {} limit)", also.join(" or ")));
        }
        let help = if also.is_empty() {
            "set `deploy.resources.limits.memory` (e.g. `512M`) so one service cannot exhaust \
             the host's memory"
        } else {
            "set `deploy.resources.limits.memory` (e.g. `512M`) so one service cannot exhaust \
             the host's memory; `cpus` (e.g. `\"0.5\"`) and `pids` (e.g. `200`) beside it bound \
             its CPU time and processes"
        };
        out.report(span, message).with_help(help);
    }
}

/// The other limits `service` lacks, as the message names them: missing (in this file and in
/// the merged project) or set to a value that means unlimited.
fn also_missing(context: &ComposeContext<'_>, service: &Service) -> Vec<&'static str> {
    let cpu = limit(&[
        service.limits.cpus.as_ref(),
        service.cpus.as_ref(),
        service.cpu_quota.as_ref(),
    ]);
    let pids = limit(&[service.limits.pids.as_ref(), service.pids_limit.as_ref()]);
    let lacks = |state: Limit<'_>, keys: &[&[&str]]| match state {
        Limit::Set => false,
        Limit::Unlimited(_) => true,
        Limit::Missing => !context.settled_by_project(service, keys),
    };
    let mut also = Vec::new();
    if lacks(cpu, CPU_KEYS) {
        also.push("CPU");
    }
    if lacks(pids, PIDS_KEYS) {
        also.push("pids");
    }
    also
}
