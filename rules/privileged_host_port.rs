//! DC025 privileged-host-port: a compose service publishes a host port below 1024.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{port_range, report_in_service, uses_host_network};

pub static PRIVILEGED_HOST_PORT: Rule = Rule {
    code: "DC025",
    name: "privileged-host-port",
    summary: "A service publishes a privileged host port (below 1024)",
    target: Target::Compose,
    category: Category::Network,
    severity: Severity::Info,
    default_enabled: false,
    related: &["kics:bc2908f3", "cis:5.8", "nist-800-190:3.4.2"],
    docs: include_str!("privileged_host_port.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        if uses_host_network(service) {
            continue;
        }
        for mapping in &service.ports {
            let Some(published) = &mapping.published else {
                continue;
            };
            let Some((low, _)) = port_range(&published.value) else {
                continue;
            };
            if low == 0 || low >= 1024 {
                continue;
            }
            report_in_service(
                out,
                service,
                published.span,
                format!(
                    "service `{}` publishes privileged host port {low}",
                    service.name.value
                ),
            )
            .with_help(
                "publish a port from 1024 up and put a reverse proxy or load balancer on the \
                 well-known port, unless this service is that proxy",
            );
        }
    }
}
