//! DC019 service-shared-propagation: a bind mount of a compose service propagates mounts
//! between the container and the host (`shared`, `rshared`, `slave`, `rslave`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static SERVICE_SHARED_PROPAGATION: Rule = Rule {
    code: "DC019",
    name: "service-shared-propagation",
    summary: "A volume uses shared or slave mount propagation (`rshared`, `shared`, `rslave`, `slave`)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    related: &[
        "kics:baa452f0",
        "compose-lint:CL-0017",
        "cis:5.20",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_shared_propagation.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for mount in &service.volumes {
            let Some(propagation) = &mount.propagation else {
                continue;
            };
            let direction = match propagation.value.as_str() {
                "shared" | "rshared" => "both ways between the container and the host",
                "slave" | "rslave" => "from the host into the container",
                _ => continue,
            };
            report_in_service(
                out,
                service,
                propagation.span,
                format!(
                    "service `{}` mounts with `{}` propagation: mounts travel {direction}",
                    service.name.value, propagation.value
                ),
            )
            .with_help(
                "leave propagation at its default (`rprivate`) unless the service manages mounts",
            );
        }
    }
}
