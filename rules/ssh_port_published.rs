//! DC027 ssh-port-published: a compose service publishes container port 22, a sign of an SSH
//! server inside the container.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{port_protocol, port_range, report_in_service};

pub static SSH_PORT_PUBLISHED: Rule = Rule {
    code: "DC027",
    name: "ssh-port-published",
    summary: "A service publishes container port 22 (SSH)",
    target: Target::Compose,
    category: Category::Network,
    severity: Severity::Info,
    related: &[
        "kics:5907595b",
        "checkov:CKV_DOCKER_1",
        "trivy:DS-0004",
        "cis:5.7",
        "nist-800-190:3.4.2",
    ],
    docs: include_str!("ssh_port_published.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for mapping in &service.ports {
            let Some(target) = &mapping.target else {
                continue;
            };
            let Some((low, high)) = port_range(&target.value) else {
                continue;
            };
            if !(low <= 22 && 22 <= high) || port_protocol(mapping) != "tcp" {
                continue;
            }
            report_in_service(
                out,
                service,
                target.span,
                format!(
                    "service `{}` publishes container port 22 (SSH)",
                    service.name.value
                ),
            )
            .with_help(
                "reach containers with `docker exec` or `docker compose exec` instead of an SSH \
                 server; Git servers that serve SSH on purpose can ignore this",
            );
        }
    }
}
