//! DC002 service-latest-tag: a compose service image on the moving `latest` tag.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{PulledImage, part_span, pulled_images};

pub static SERVICE_LATEST_TAG: Rule = Rule {
    code: "DC002",
    name: "service-latest-tag",
    summary: "A service image uses the `latest` tag, which changes between pulls",
    target: Target::Compose,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "dclint:service-image-require-explicit-tag",
        "compose-lint:CL-0004",
        "cis:5.28",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("service_latest_tag.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for PulledImage {
        service,
        field,
        image,
        from_defaults,
    } in pulled_images(context.compose)
    {
        if !image.is_latest() || image.digest.is_some() {
            continue;
        }
        let (span, message) = match (&from_defaults, &image.tag_range) {
            (None, Some(range)) => (
                part_span(
                    &context.source.text,
                    field.span,
                    &field.value,
                    range.clone(),
                ),
                format!(
                    "service `{}` image `{}` uses the `latest` tag",
                    service.name.value, field.value
                ),
            ),
            (Some(resolved), _) => (
                field.span,
                format!(
                    "service `{}` image `{}` resolves to `{resolved}` (variable defaults), the `latest` tag",
                    service.name.value, field.value
                ),
            ),
            (None, None) => (
                field.span,
                format!(
                    "service `{}` image `{}` uses the `latest` tag",
                    service.name.value, field.value
                ),
            ),
        };
        out.report(span, message).with_help(
            "`latest` moves whenever the image is republished; name a version tag or pin a digest",
        );
    }
}
