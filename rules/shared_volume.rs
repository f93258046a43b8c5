//! DC044 shared-volume: a named volume is mounted writable into more than one service.

use std::collections::{HashMap, HashSet};

use crate::syntax::compose::Service;
use crate::syntax::span::Span;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static SHARED_VOLUME: Rule = Rule {
    code: "DC044",
    name: "shared-volume",
    summary: "A named volume is mounted writable into more than one service",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    default_enabled: false,
    related: &["kics:8c978947", "nist-800-190:3.4.3"],
    docs: include_str!("shared_volume.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// The writers of one volume that matter for the next one (see `check`).
struct Writers<'a> {
    first: (&'a Service, Span),
    /// The first writer that is not the first one's service.
    other: Option<(&'a Service, Span)>,
}

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
    // Per volume, its first writer and the first writer that is another service than that one:
    // enough to know the first earlier writer other than any given service, without looking
    // back through every earlier mount (quadratic in the number of mounts).
    let mut writers: HashMap<&str, Writers<'_>> = HashMap::new();
    // (volume, service) pairs seen: report each later service once per volume.
    let mut mounted: HashSet<(&str, &str, Span)> = HashSet::new();
    for &(name, service, span) in &writable {
        let repeated = !mounted.insert((name, service.name.value.as_str(), service.name.span));
        let Some(writers) = writers.get_mut(name) else {
            writers.insert(
                name,
                Writers {
                    first: (service, span),
                    other: None,
                },
            );
            continue;
        };
        let first_is_other = writers.first.0.name != service.name;
        let first = if first_is_other {
            Some(writers.first)
        } else {
            writers.other
        };
        if first_is_other && writers.other.is_none() {
            writers.other = Some((service, span));
        }
        let Some((first_service, first_span)) = first else {
            continue;
        };
        if repeated {
            continue;
        }
        report_in_service(
            out,
            service,
            span,
            format!(
                "service `{}` writes to volume `{name}`, which `{}` also writes to",
                service.name.value, first_service.name.value
            ),
        )
        .with_label(first_span, "also mounted writable here")
        .with_help(
            "mount the volume read-only (`:ro`) in the services that only read it, so a \
             compromise of one cannot tamper with the other's data",
        );
    }
}
