//! DC002 service-latest-tag: a compose service image on the moving `latest` tag, or another tag
//! that names a channel rather than a version (`edge`, `stable`, `nightly`, `main`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{PulledImage, pulled_images};

pub static SERVICE_LATEST_TAG: Rule = Rule {
    code: "DC002",
    name: "service-latest-tag",
    summary: "A service image uses `latest` or another moving tag (`edge`, `stable`, `nightly`), \
              which changes between pulls",
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
        let Some(tag) = image.moving_tag().filter(|_| image.digest.is_none()) else {
            continue;
        };
        let tag = crate::syntax::excerpt::excerpt(tag);
        let named = if tag == "latest" {
            "the `latest` tag".to_string()
        } else {
            format!("the moving tag `{tag}`")
        };
        let name = &service.name.value;
        let span = match &image.tag_range {
            Some(range) => pulled.span_of(&context.source.text, range.clone()),
            None => field.span,
        };
        let message = match from_defaults {
            None => format!("service `{name}` image `{written}` uses {named}"),
            Some(resolved) => {
                let origin = image
                    .tag_range
                    .clone()
                    .and_then(|range| pulled.origin(context.compose, range))
                    .unwrap_or_else(|| "variable defaults".to_string());
                format!(
                    "service `{name}` image `{written}` resolves to `{resolved}` ({origin}), {named}"
                )
            }
        };
        out.report(span, message).with_help(format!(
            "`{tag}` moves whenever the image is republished; name a version tag or pin a digest"
        ));
    }
}
