//! DF032 expose-ssh-port: the image exposes port 22 (SSH).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Command;

use super::support::commands;

pub static EXPOSE_SSH_PORT: Rule = Rule {
    code: "DF032",
    name: "expose-ssh-port",
    summary: "The image exposes port 22, the SSH port",
    target: Target::Dockerfile,
    category: Category::Network,
    severity: Severity::Warning,
    related: &[
        "kics:5907595b",
        "checkov:CKV_DOCKER_1",
        "trivy:DS-0004",
        "cis:5.7",
        "nist-800-190:3.4.2",
    ],
    docs: include_str!("expose_ssh_port.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Whether an EXPOSE entry covers tcp port 22 (`22`, `22/tcp`, `20-30`).
fn covers_ssh(entry: &str) -> bool {
    let (ports, protocol) = match entry.split_once('/') {
        Some((ports, protocol)) => (ports, protocol),
        None => (entry, "tcp"),
    };
    if !protocol.eq_ignore_ascii_case("tcp") {
        return false;
    }
    let bounds = match ports.split_once('-') {
        Some((first, last)) => (first.parse::<u32>(), last.parse::<u32>()),
        None => (ports.parse::<u32>(), ports.parse::<u32>()),
    };
    matches!(bounds, (Ok(first), Ok(last)) if first <= 22 && 22 <= last)
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let Command::Expose(entries) = command else {
            continue;
        };
        for entry in entries {
            if covers_ssh(&entry.value) {
                out.report(
                    entry.span,
                    format!("`EXPOSE {}` exposes the SSH port", entry.value),
                )
                .with_help(
                    "do not run an SSH server in a container; use `docker exec` or \
                     `kubectl exec` to get a shell",
                );
            }
        }
    }
}
