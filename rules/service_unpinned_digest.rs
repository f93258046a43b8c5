//! DC003 service-unpinned-digest: a compose service image not pinned to a content digest.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{PulledImage, pulled_images};

pub static SERVICE_UNPINNED_DIGEST: Rule = Rule {
    code: "DC003",
    name: "service-unpinned-digest",
    summary: "A service image is not pinned by digest (`@sha256:…`)",
    target: Target::Compose,
    category: Category::Provenance,
    severity: Severity::Info,
    default_enabled: false,
    related: &["compose-lint:CL-0019", "cis:5.28", "nist-800-190:3.1.5"],
    docs: include_str!("service_unpinned_digest.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for PulledImage {
        service,
        field,
        image,
        from_defaults,
        ..
    } in pulled_images(context.compose)
    {
        if image.digest.is_some() {
            continue;
        }
        let name = from_defaults.as_deref().unwrap_or(&field.value);
        out.report(
            field.span,
            format!(
                "service `{}` image `{name}` is not pinned by digest",
                service.name.value
            ),
        )
        .with_help(format!(
            "append the digest the tag points to today: `{name}@sha256:<digest>` \
             (`docker buildx imagetools inspect {name}` prints it)"
        ));
    }
}
