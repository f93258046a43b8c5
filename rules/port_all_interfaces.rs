//! DC024 port-all-interfaces: a compose service publishes a port on every host interface.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::span::Span;

use super::support::{HostIp, host_ip, report_in_service, uses_host_network};

pub static PORT_ALL_INTERFACES: Rule = Rule {
    code: "DC024",
    name: "port-all-interfaces",
    summary: "A port is published on every host interface (no host IP, `0.0.0.0` or `::`)",
    target: Target::Compose,
    category: Category::Network,
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    related: &[
        "kics:451d79dc",
        "dclint:no-unbound-port-interfaces",
        "compose-lint:CL-0005",
        "cis:5.14",
        "nist-800-190:3.4.2",
    ],
    docs: include_str!("port_all_interfaces.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = &context.source.text;
    for service in &context.compose.services {
        if uses_host_network(service) {
            continue;
        }
        for mapping in &service.ports {
            if host_ip(mapping) != HostIp::All {
                continue;
            }
            // A bare container port (`- 8008`) gets a random host port from Docker: say so
            // rather than "port 8008", which reads as the host port.
            let shown = match (&mapping.published, &mapping.target) {
                (Some(published), _) => format!("port {}", published.value),
                (None, Some(target)) => {
                    format!("container port {} on a random host port", target.value)
                }
                (None, None) => "a port".to_string(),
            };
            let (span, message) = match &mapping.host_ip {
                Some(ip) => (
                    ip.span,
                    format!(
                        "service `{}` publishes {shown} on every interface (`{}`)",
                        service.name.value, ip.value
                    ),
                ),
                None => (
                    mapping.span,
                    format!(
                        "service `{}` publishes {shown} on every interface",
                        service.name.value
                    ),
                ),
            };
            let fix = localhost_fix(text, mapping, span);
            let finding = report_in_service(out, service, span, message);
            finding.with_help(
                "bind to the interface that should reach it, e.g. `127.0.0.1:8080:80` for local \
                 use or a reverse proxy",
            );
            if let Some(fix) = fix {
                finding.with_fix(fix);
            }
        }
    }
}

/// Bind a short-syntax mapping to `127.0.0.1`, when the text is written as the model read it
/// (not merged from an anchor, no escapes). Unsafe: other hosts lose access.
fn localhost_fix(
    text: &str,
    mapping: &crate::syntax::compose::PortMapping,
    span: Span,
) -> Option<Fix> {
    if mapping.long_syntax {
        return None;
    }
    let literal = |part: &crate::syntax::span::Spanned<String>| part.span.text(text) == part.value;
    let edit = match (&mapping.host_ip, &mapping.published, &mapping.target) {
        (Some(ip), _, _) if ip.value == "0.0.0.0" && literal(ip) => Edit {
            span: ip.span,
            replacement: "127.0.0.1".into(),
        },
        (None, Some(published), _) if literal(published) => Edit {
            span: Span::empty(published.span.start),
            replacement: "127.0.0.1:".into(),
        },
        (None, None, Some(target)) if literal(target) => Edit {
            span: Span::empty(target.span.start),
            replacement: "127.0.0.1::".into(),
        },
        _ => return None,
    };
    // Only inside the finding's mapping: a merged value would change other services too.
    (span.start <= edit.span.start && edit.span.end <= mapping.span.end).then(|| Fix {
        message: "publish on 127.0.0.1 only".into(),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}
