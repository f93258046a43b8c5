//! DC043 invalid-port: a `ports:` or `expose:` entry Compose rejects: a port outside 1–65535,
//! a malformed range, ranges of different sizes, or an unknown protocol.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::span::Span;

use super::support::{port_range, report_in_service, with_compose_defaults};

pub static INVALID_PORT: Rule = Rule {
    code: "DC043",
    name: "invalid-port",
    summary: "A port, port range or protocol in `ports:` or `expose:` that Compose rejects",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &["hadolint:DL3011", "trivy:DS-0008", "kics:71bf8cf8"],
    docs: include_str!("invalid_port.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// A port or range as written: `Ok(None)` when a variable hides it, `Ok(Some(range))` when
/// valid, `Err(())` when Compose would reject it.
fn read_range(text: &str) -> Result<Option<(u32, u32)>, ()> {
    if with_compose_defaults(text).is_none() {
        return Ok(None);
    }
    match port_range(text) {
        Some((0, _)) | None => Err(()),
        Some(range) => Ok(Some(range)),
    }
}

const PROTOCOLS: [&str; 3] = ["tcp", "udp", "sctp"];

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let mut problems: Vec<(Span, String)> = Vec::new();
        for mapping in &service.ports {
            let published = match &mapping.published {
                Some(port) => match read_range(&port.value) {
                    Ok(range) => range,
                    Err(()) if port.value.contains('.') => {
                        // `127.0.0.1:3001` reads as host port `127.0.0.1`.
                        problems.push((
                            port.span,
                            format!(
                                "host port `{}` (an address needs a host port or an empty one: \
                                 `{}::<port>`)",
                                port.value, port.value
                            ),
                        ));
                        None
                    }
                    Err(()) => {
                        problems.push((port.span, format!("host port `{}`", port.value)));
                        None
                    }
                },
                None => None,
            };
            let target = match &mapping.target {
                Some(port) => match read_range(&port.value) {
                    Ok(range) => range,
                    Err(()) => {
                        problems.push((port.span, format!("container port `{}`", port.value)));
                        None
                    }
                },
                None => {
                    problems.push((mapping.span, "a mapping without a container port".into()));
                    None
                }
            };
            // A host range needs a container range of the same size, or a single port.
            if let (Some((pl, ph)), Some((tl, th))) = (published, target)
                && tl != th
                && ph - pl != th - tl
                && let Some(port) = &mapping.published
            {
                problems.push((
                    port.span,
                    format!(
                        "host range `{}` for a container range of another size",
                        port.value
                    ),
                ));
            }
            if let Some(protocol) = &mapping.protocol
                && with_compose_defaults(&protocol.value).is_some()
                && !PROTOCOLS.contains(&protocol.value.trim().to_ascii_lowercase().as_str())
            {
                problems.push((protocol.span, format!("protocol `{}`", protocol.value)));
            }
        }
        let exposed = service
            .node
            .get("expose")
            .and_then(|node| node.as_sequence())
            .unwrap_or_default();
        for item in exposed {
            let Some(text) = item.as_str() else {
                continue;
            };
            let (port, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
            if read_range(port).is_err() {
                problems.push((item.span, format!("exposed port `{text}`")));
            } else if with_compose_defaults(protocol).is_some()
                && !PROTOCOLS.contains(&protocol.trim().to_ascii_lowercase().as_str())
            {
                problems.push((item.span, format!("exposed protocol `{protocol}`")));
            }
        }
        for (span, what) in problems {
            report_in_service(
                out,
                service,
                span,
                format!("service `{}` has an invalid {what}", service.name.value),
            )
            .with_help(
                "ports are 1–65535, ranges `low-high` with low ≤ high, protocols `tcp`, `udp` or \
                 `sctp`",
            );
        }
    }
}
