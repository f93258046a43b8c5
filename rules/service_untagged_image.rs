//! DC001 service-untagged-image: a compose service image without a tag or digest.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{PulledImage, pulled_images};

pub static SERVICE_UNTAGGED_IMAGE: Rule = Rule {
    code: "DC001",
    name: "service-untagged-image",
    summary: "A service image has neither a tag nor a digest, so compose pulls whatever `latest` is",
    target: Target::Compose,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "dclint:service-image-require-explicit-tag",
        "compose-lint:CL-0004",
        "cis:5.28",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("service_untagged_image.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for pulled in pulled_images(context.compose) {
        let PulledImage {
            service,
            field,
            image,
            from_defaults,
            written,
            ..
        } = &pulled;
        if !image.is_untagged() {
            continue;
        }
        let name = from_defaults.as_deref().unwrap_or(&field.value);
        let message = match from_defaults {
            Some(resolved) => {
                let origin = pulled
                    .origin(context.compose, 0..resolved.len())
                    .unwrap_or_else(|| "variable defaults".to_string());
                format!(
                    "service `{}` image `{written}` resolves to `{resolved}` ({origin}), which has no tag; compose pulls `latest`",
                    service.name.value
                )
            }
            None => format!(
                "service `{}` image `{written}` has no tag; compose pulls `latest`",
                service.name.value
            ),
        };
        out.report(field.span, message).with_help(format!(
            "name a version tag (`{name}:<version>`) or pin a digest (`{name}@sha256:<digest>`)"
        ));
    }
}
