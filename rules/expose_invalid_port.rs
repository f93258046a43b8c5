//! DF031 expose-invalid-port: an EXPOSE entry that is not `port[-port][/tcp|udp|sctp]`: a port
//! out of range, a reversed range, an unknown or upper-case protocol, or a `host:container`
//! mapping.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Command;
use crate::syntax::excerpt::excerpt;
use crate::syntax::span::Spanned;

use super::support::commands;

pub static EXPOSE_INVALID_PORT: Rule = Rule {
    code: "DF031",
    name: "expose-invalid-port",
    summary: "An EXPOSE entry is not a valid `port[-port][/protocol]`",
    target: Target::Dockerfile,
    category: Category::Network,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    related: &[
        "hadolint:DL3011",
        "kics:71bf8cf8",
        "trivy:DS-0008",
        "semgrep:invalid-port",
        "buildkit:ExposeInvalidFormat",
        "buildkit:ExposeProtoCasing",
    ],
    docs: include_str!("expose_invalid_port.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// A port number or `None` when the text is not one.
fn port(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let Command::Expose(entries) = command else {
            continue;
        };
        for entry in entries {
            judge(context, out, entry);
        }
    }
}

fn judge(context: &DockerfileContext<'_>, out: &mut Emitter<'_>, entry: &Spanned<String>) {
    let value = entry.value.as_str();
    if value.contains('$') {
        return;
    }
    // The fix edits the text as written, so it is only offered when that is the value itself.
    let literal = context.source.slice(entry.span) == value;
    let shown = excerpt(value);
    if let Some((_, container)) = value.rsplit_once(':') {
        let finding = out.report(
            entry.span,
            format!("`EXPOSE {shown}` gives an address or host port; EXPOSE takes only the container port"),
        );
        finding.severity = Severity::Warning;
        finding.with_help("publish ports with `docker run -p` or compose `ports:`; EXPOSE only documents the container port");
        if literal && !container.is_empty() {
            finding.with_fix(Fix {
                message: format!("keep the container port `{container}`"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: entry.span,
                    replacement: container.to_owned(),
                }],
            });
        }
        return;
    }
    let (ports, protocol) = match value.split_once('/') {
        Some((ports, protocol)) => (ports, Some(protocol)),
        None => (value, None),
    };
    let (first, last) = match ports.split_once('-') {
        Some((first, last)) => (first, Some(last)),
        None => (ports, None),
    };
    let range_ok = match (port(first), last.map(port)) {
        (Some(a), None) => a <= 65535,
        (Some(a), Some(Some(b))) => a <= b && b <= 65535,
        _ => false,
    };
    if !range_ok {
        out.report(
            entry.span,
            format!("`EXPOSE {shown}`: `{}` is not a port (0-65535) or an ascending range of ports", excerpt(ports)),
        )
        .with_help("write a port such as `8080`, a range such as `8000-8010`, optionally with `/tcp`, `/udp` or `/sctp`");
        return;
    }
    let Some(protocol) = protocol else {
        return;
    };
    let lower = protocol.to_ascii_lowercase();
    if !matches!(lower.as_str(), "tcp" | "udp" | "sctp") {
        out.report(
            entry.span,
            format!(
                "`EXPOSE {shown}`: `{}` is not a protocol (tcp, udp or sctp)",
                excerpt(protocol)
            ),
        )
        .with_help("use `/tcp`, `/udp` or `/sctp`, or leave the protocol out for tcp");
        return;
    }
    if lower != protocol {
        let protocol_span = entry.span.sub(value.len() - protocol.len(), value.len());
        let finding = out.report(
            if literal { protocol_span } else { entry.span },
            format!("`EXPOSE {shown}`: protocols are written in lower case (`{lower}`)"),
        );
        finding.severity = Severity::Warning;
        finding.with_help(format!("write `/{lower}`"));
        if literal {
            finding.with_fix(Fix {
                message: format!("write `{lower}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: protocol_span,
                    replacement: lower.clone(),
                }],
            });
        }
    }
}
