//! DC002 service-latest-tag: a compose service image on the moving `latest` tag.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{PulledImage, pulled_images};

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
    for pulled in pulled_images(context.compose) {
        let PulledImage {
            service,
            field,
            image,
            from_defaults,
            written,
            ..
        } = &pulled;
        if !image.is_latest() || image.digest.is_some() {
            continue;
        }
        let name = &service.name.value;
        let span = match &image.tag_range {
            Some(range) => pulled.span_of(&context.source.text, range.clone()),
            None => field.span,
        };
        let message = match from_defaults {
            None => format!("service `{name}` image `{written}` uses the `latest` tag"),
            Some(resolved) => {
                let origin = image
                    .tag_range
                    .clone()
                    .and_then(|range| pulled.origin(context.compose, range))
                    .unwrap_or_else(|| "variable defaults".to_string());
                format!(
                    "service `{name}` image `{written}` resolves to `{resolved}` ({origin}), the `latest` tag"
                )
            }
        };
        out.report(span, message).with_help(
            "`latest` moves whenever the image is republished; name a version tag or pin a digest",
        );
    }
}
