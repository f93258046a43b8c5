//! DC026 duplicate-host-port: two published ports of a compose file claim the same host port,
//! address and protocol, so one of the containers cannot start.

use std::collections::HashMap;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::compose::Service;
use crate::syntax::span::Span;

use super::support::{
    HostIp, can_run_together, host_ip, port_protocol, port_range, report_in_service,
    uses_host_network,
};

pub static DUPLICATE_HOST_PORT: Rule = Rule {
    code: "DC026",
    name: "duplicate-host-port",
    summary: "Two published ports claim the same host port, address and protocol",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &["dclint:no-duplicate-exported-ports"],
    docs: include_str!("duplicate_host_port.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// One host binding.
struct Binding<'a> {
    service: &'a Service,
    ip: HostIp,
    low: u32,
    high: u32,
    protocol: String,
    span: Span,
}

/// Whether the two bindings can be up at the same time and collide.
fn collide(a: &Binding<'_>, b: &Binding<'_>) -> bool {
    let ips_overlap = match (&a.ip, &b.ip) {
        (HostIp::All, _) | (_, HostIp::All) => true,
        (HostIp::Specific(x), HostIp::Specific(y)) => x == y,
        _ => false,
    };
    let ports_overlap = a.low <= b.high && b.low <= a.high;
    ips_overlap
        && ports_overlap
        && a.protocol == b.protocol
        && can_run_together(a.service, b.service)
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let mut seen: Vec<Binding<'_>> = Vec::new();
    // Indices into `seen`: single-port bindings by protocol and port, and port ranges. A binding
    // is compared with the earlier ones on its port and the ranges, not with every earlier one
    // (quadratic in a long port list).
    let mut by_port: HashMap<(String, u32), Vec<usize>> = HashMap::new();
    let mut ranges: Vec<usize> = Vec::new();
    for service in &context.compose.services {
        if uses_host_network(service) {
            continue;
        }
        for mapping in &service.ports {
            let Some(published) = &mapping.published else {
                continue;
            };
            let Some((low, high)) = port_range(&published.value) else {
                continue;
            };
            let ip = host_ip(mapping);
            if ip == HostIp::Unknown || low == 0 {
                continue;
            }
            let binding = Binding {
                service,
                ip,
                low,
                high,
                protocol: port_protocol(mapping),
                span: published.span,
            };
            let first_colliding = |candidates: &[usize]| {
                candidates
                    .iter()
                    .copied()
                    .find(|&index| collide(&seen[index], &binding))
            };
            let first = if low == high {
                let key = (binding.protocol.clone(), low);
                let on_port = by_port.get(&key).map_or(&[][..], Vec::as_slice);
                // Both lists are in order: the earlier of their first collisions.
                match (first_colliding(on_port), first_colliding(&ranges)) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            } else {
                (0..seen.len()).find(|&index| collide(&seen[index], &binding))
            };
            if let Some(first) = first.map(|index| &seen[index]) {
                let message = if std::ptr::eq(first.service, service) {
                    format!(
                        "service `{}` publishes host port {} twice",
                        service.name.value, published.value
                    )
                } else {
                    format!(
                        "service `{}` publishes host port {}, already published by `{}`",
                        service.name.value, published.value, first.service.name.value
                    )
                };
                let first_span = first.span;
                report_in_service(out, service, published.span, message)
                    .with_label(first_span, "first published here")
                    .with_help(
                        "only one container can listen on a host port and address; pick another \
                         host port",
                    );
            }
            if low == high {
                by_port
                    .entry((binding.protocol.clone(), low))
                    .or_default()
                    .push(seen.len());
            } else {
                ranges.push(seen.len());
            }
            seen.push(binding);
        }
    }
}
