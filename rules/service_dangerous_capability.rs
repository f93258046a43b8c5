//! DC013 service-dangerous-capability: a compose service adds a capability that reaches the
//! host (`cap_add: [SYS_ADMIN]`, `ALL`, `SYS_MODULE`, `NET_ADMIN`, …).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{capability_name, report_in_service};

pub static SERVICE_DANGEROUS_CAPABILITY: Rule = Rule {
    code: "DC013",
    name: "service-dangerous-capability",
    summary: "A service adds a capability that reaches the host (`SYS_ADMIN`, `ALL`, `NET_ADMIN`, …)",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "kics:ce76b7d0",
        "compose-lint:CL-0024",
        "compose-lint:CL-0011",
        "compose-lint:CL-0027",
        "compose-lint:CL-0028",
        "compose-lint:CL-0029",
        "compose-lint:CL-0030",
        "cis:5.4",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_dangerous_capability.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// Capabilities that amount to code execution on the host: reported as errors.
const HOST_CODE_EXECUTION: &[(&str, &str)] = &[
    ("ALL", "grants every capability, as much as privileged mode"),
    (
        "SYS_ADMIN",
        "allows mounts, namespaces and most of root's powers",
    ),
    ("SYS_MODULE", "loads kernel modules into the host kernel"),
    ("SYS_RAWIO", "reads and writes host memory and I/O ports"),
];

/// Capabilities that reach host resources: reported with the rule's severity (warning).
const HOST_REACHING: &[(&str, &str)] = &[
    (
        "NET_ADMIN",
        "reconfigures interfaces, routes and firewalls of the network namespace",
    ),
    ("BPF", "loads eBPF programs into the host kernel"),
    ("SYS_BOOT", "reboots the host"),
    (
        "PERFMON",
        "observes every process on the host through perf events",
    ),
    ("SYS_TIME", "sets the host's clock"),
    ("SYS_PTRACE", "traces and injects code into other processes"),
    (
        "DAC_READ_SEARCH",
        "opens host files by handle, bypassing read checks",
    ),
    ("MAC_ADMIN", "changes the host's AppArmor or SMACK policy"),
    (
        "MAC_OVERRIDE",
        "bypasses the host's mandatory access control",
    ),
];

/// Capabilities that affect the host's availability or disclose host details: reported as
/// info (databases add `SYS_NICE` and `SYS_RESOURCE` routinely).
const HOST_AVAILABILITY: &[(&str, &str)] = &[
    ("SYS_RESOURCE", "overrides host resource limits and quotas"),
    (
        "SYS_NICE",
        "can starve host processes of CPU with real-time priorities",
    ),
    ("WAKE_ALARM", "wakes the host from suspend"),
    ("BLOCK_SUSPEND", "keeps the host from suspending"),
    ("SYSLOG", "reads the host kernel log, with kernel addresses"),
    ("AUDIT_CONTROL", "changes the host's audit rules"),
    ("AUDIT_READ", "reads the host's audit log"),
];

/// The severity of adding `name`, and what it allows; `None` for container-local capabilities.
fn classify(name: &str) -> Option<(Severity, &'static str)> {
    let tiers = [
        (Severity::Error, HOST_CODE_EXECUTION),
        (Severity::Warning, HOST_REACHING),
        (Severity::Info, HOST_AVAILABILITY),
    ];
    tiers.into_iter().find_map(|(severity, list)| {
        list.iter()
            .find(|(cap, _)| *cap == name)
            .map(|(_, what)| (severity, *what))
    })
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for cap in &service.cap_add {
            let name = capability_name(&cap.value);
            let Some((severity, what)) = classify(&name) else {
                continue;
            };
            let finding = report_in_service(
                out,
                service,
                cap.span,
                format!(
                    "service `{}` adds `{}`, which {what}",
                    service.name.value, cap.value
                ),
            );
            finding.severity = severity;
            finding.with_help(
                "remove the capability, or run this part as a separate, narrowly scoped service; \
                 add only what the program needs (`cap_drop: [ALL]` first)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers() {
        assert_eq!(classify("SYS_ADMIN").map(|c| c.0), Some(Severity::Error));
        assert_eq!(classify("ALL").map(|c| c.0), Some(Severity::Error));
        assert_eq!(classify("NET_ADMIN").map(|c| c.0), Some(Severity::Warning));
        assert_eq!(classify("SYS_NICE").map(|c| c.0), Some(Severity::Info));
        assert_eq!(classify("NET_BIND_SERVICE"), None);
        assert_eq!(classify("CHOWN"), None);
    }
}
