//! DC023 service-host-sysctl: a compose service sets a kernel parameter that is not private to
//! the container (`kernel.*` outside IPC, `vm.*`, `net.*` with the host's network, …).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::compose::Service;

use super::support::report_in_service;

pub static SERVICE_HOST_SYSCTL: Rule = Rule {
    code: "DC023",
    name: "service-host-sysctl",
    summary: "A service sets a sysctl that would change the host's kernel, not the container's",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Warning,
    related: &["nist-800-190:3.4.3"],
    docs: include_str!("service_host_sysctl.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// IPC sysctls that belong to the IPC namespace.
const IPC_SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

fn is_host(field: Option<&crate::syntax::compose::Field<String>>) -> bool {
    field.is_some_and(|field| field.value.trim() == "host")
}

/// Why the sysctl reaches the host, if it does.
fn reaches_host(service: &Service, name: &str) -> Option<&'static str> {
    // Written with `/` as well as `.` (`net/ipv4/ip_forward`).
    let name = name.replace('/', ".");
    let is_ipc = IPC_SYSCTLS.contains(&name.as_str()) || name.starts_with("fs.mqueue.");
    if is_ipc {
        return is_host(service.ipc.as_ref())
            .then_some("the service shares the host's IPC namespace (`ipc: host`)");
    }
    if name.starts_with("net.") {
        return is_host(service.network_mode.as_ref())
            .then_some("the service uses the host's network (`network_mode: host`)");
    }
    Some("the parameter is not namespaced: it is the host kernel's")
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for sysctl in &service.sysctls {
            if sysctl.name.value.contains('$') {
                continue;
            }
            let Some(why) = reaches_host(service, &sysctl.name.value) else {
                continue;
            };
            report_in_service(
                out,
                service,
                sysctl.name.span,
                format!(
                    "service `{}` sets `{}`, which changes the host: {why}",
                    service.name.value, sysctl.name.value
                ),
            )
            .with_help(
                "set host-wide kernel parameters on the host (`/etc/sysctl.d/`); the engine \
                 refuses this sysctl for a container",
            );
        }
    }
}
