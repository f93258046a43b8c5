//! DC044 shared-volume: a named volume is mounted writable into more than one service.

use crate::diagnostic::{Category, Severity};
use crate::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Status, Target};

use super::support::report_in_service;

pub static SHARED_VOLUME: Rule = Rule {
    code: "DC044",
    name: "shared-volume",
    summary: "A named volume is mounted writable into more than one service",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::None,
    status: Status::Stable,
    since: "0.1.0",
    related: &["kics:8c978947", "nist-800-190:3.4.3"],
    docs: include_str!("shared_volume.md"),
    options: &[],
    check: Check::Compose(check),
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let services = &context.compose.services;
    // (volume name, service, span) of every writable named-volume mount, in file order.
    let mut writable = Vec::new();
    for service in services {
        for mount in &service.volumes {
            if mount.read_only || mount.kind.as_deref() != Some("volume") {
                continue;
            }
            let Some(source) = &mount.source else {
                continue;
            };
            if source.value.contains('$') {
                continue;
            }
            writable.push((source.value.as_str(), service, source.span));
        }
    }
    for (index, (name, service, span)) in writable.iter().enumerate() {
        let first = writable
            .iter()
            .take(index)
            .find(|(other, other_service, _)| other == name && other_service.name != service.name);
        let Some((_, first_service, first_span)) = first else {
            continue;
        };
        // Report each later service once per volume.
        let repeated = writable
            .iter()
            .take(index)
            .any(|(other, other_service, _)| other == name && other_service.name == service.name);
        if repeated {
            continue;
        }
        report_in_service(
            out,
            service,
            *span,
            format!(
                "service `{}` writes to volume `{name}`, which `{}` also writes to",
                service.name.value, first_service.name.value
            ),
        )
        .with_label(*first_span, "also mounted writable here")
        .with_help(
            "mount the volume read-only (`:ro`) in the services that only read it, so a \
             compromise of one cannot tamper with the other's data",
        );
    }
}
