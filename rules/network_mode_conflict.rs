//! DC047 network-mode-conflict: a compose service with `network_mode` also sets `ports:` or
//! `networks:`, which that mode discards or Compose rejects.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static NETWORK_MODE_CONFLICT: Rule = Rule {
    code: "DC047",
    name: "network-mode-conflict",
    summary: "A service with `network_mode` also sets `ports:` or `networks:`",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Warning,
    docs: include_str!("network_mode_conflict.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(mode) = &service.network_mode else {
            continue;
        };
        let mode_text = mode.value.trim();
        if mode_text.contains('$') {
            continue;
        }
        let joins_other = mode_text.starts_with("service:") || mode_text.starts_with("container:");
        let is_host = mode_text == "host";
        let is_none = mode_text == "none";
        if let Some(networks) = service.node.entry("networks") {
            let finding = report_in_service(
                out,
                service,
                networks.key.span,
                format!(
                    "service `{}` sets both `network_mode: {mode_text}` and `networks:`, which \
                     Compose rejects",
                    service.name.value
                ),
            );
            finding.severity = Severity::Error;
            finding
                .with_label(mode.span, "network mode set here")
                .with_help("keep one of the two");
        }
        let has_ports = !service.ports.is_empty();
        if has_ports && (joins_other || is_host || is_none) {
            let entry = service.node.entry("ports");
            let span = entry.map_or(mode.span, |entry| entry.key.span);
            let (what, severity) = if is_host {
                (
                    "publishes nothing: with the host's network, ports are discarded",
                    Severity::Warning,
                )
            } else {
                (
                    "cannot publish ports: the engine refuses port publishing in this mode",
                    Severity::Error,
                )
            };
            let finding = report_in_service(
                out,
                service,
                span,
                format!(
                    "service `{}` with `network_mode: {mode_text}` {what}",
                    service.name.value
                ),
            );
            finding.severity = severity;
            finding.with_label(mode.span, "network mode set here").with_help(
                "remove `ports:`; with `service:`/`container:` publish the ports on the service \
                 whose network is shared",
            );
        }
    }
}
