//! DC016 service-host-namespace: a compose service shares a namespace with the host
//! (`network_mode: host`, `pid: host`, `ipc: host`, `uts: host`, `userns_mode: host`; the
//! Compose v1 spelling `net: host` too).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::compose::{Field, Service};

use super::support::report_in_service;

pub static SERVICE_HOST_NAMESPACE: Rule = Rule {
    code: "DC016",
    name: "service-host-namespace",
    summary: "A service shares the host's network, PID, IPC, UTS or user namespace",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Warning,
    related: &[
        "kics:071a71ff",
        "kics:4f31dd9f",
        "kics:baa3890f",
        "kics:8af7162d",
        "compose-lint:CL-0008",
        "compose-lint:CL-0010",
        "cis:5.10",
        "cis:5.16",
        "cis:5.17",
        "cis:5.21",
        "cis:5.31",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_host_namespace.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// Each key, and what sharing that namespace exposes.
fn namespaces(service: &Service) -> [(&'static str, Option<&Field<String>>, &'static str); 6] {
    const NETWORK: &str = "the host's network stack: every host interface and port, including \
                           services bound to localhost";
    [
        ("network_mode", service.network_mode.as_ref(), NETWORK),
        ("net", service.net.as_ref(), NETWORK),
        (
            "pid",
            service.pid.as_ref(),
            "every process on the host, which it can see and signal",
        ),
        (
            "ipc",
            service.ipc.as_ref(),
            "the host's shared memory and semaphores",
        ),
        (
            "uts",
            service.uts.as_ref(),
            "the host's hostname, which it can change",
        ),
        (
            "userns_mode",
            service.userns_mode.as_ref(),
            "the host's user namespace, turning off user-namespace remapping",
        ),
    ]
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for (key, field, exposes) in namespaces(service) {
            let Some(field) = field.filter(|field| field.value.trim() == "host") else {
                continue;
            };
            report_in_service(
                out,
                service,
                field.span,
                format!(
                    "service `{}` sets `{key}: host` and shares {exposes}",
                    service.name.value
                ),
            )
            .with_help(format!(
                "remove `{key}: host`; publish ports or share a namespace with one other service \
                 (`service:<name>`) instead"
            ));
        }
    }
}
