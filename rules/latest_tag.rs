//! DF002 latest-tag: a base image on the moving `latest` tag, or another tag that names a
//! channel rather than a version (`edge`, `stable`, `nightly`, `main`; `ImageRef::moving_tag`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::excerpt::excerpt;

use super::support::base_images;
use crate::syntax::span::written_part;

pub static LATEST_TAG: Rule = Rule {
    code: "DF002",
    name: "latest-tag",
    summary: "A base image uses `latest` or another moving tag (`edge`, `stable`, `nightly`), which \
              changes under the build",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "hadolint:DL3007",
        "kics:f45ea400",
        "checkov:CKV_DOCKER_7",
        "trivy:DS-0001",
        "cis:4.2",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("latest_tag.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// How a message names the tag: `the `latest` tag`, or `the moving tag `edge``.
fn named(tag: &str) -> String {
    if tag == "latest" {
        "the `latest` tag".to_string()
    } else {
        format!("the moving tag `{tag}`")
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for base in base_images(context.dockerfile) {
        // With a digest the tag is ignored: the image is pinned.
        let Some(tag) = base
            .image
            .moving_tag()
            .filter(|_| base.image.digest.is_none())
        else {
            continue;
        };
        let tag = excerpt(tag);
        let (span, message) = match (base.resolved_from_args, &base.image.tag_range) {
            (None, Some(range)) => (
                written_part(
                    &context.source.text,
                    base.raw.span,
                    &base.raw.value,
                    range.clone(),
                ),
                format!(
                    "base image `{}` uses {}",
                    excerpt(&base.raw.value),
                    named(&tag)
                ),
            ),
            (Some(resolved), _) => (
                base.raw.span,
                format!(
                    "base image `{}` resolves to `{}` (ARG defaults), {}",
                    excerpt(&base.raw.value),
                    excerpt(resolved),
                    named(&tag)
                ),
            ),
            (None, None) => (
                base.raw.span,
                format!(
                    "base image `{}` uses {}",
                    excerpt(&base.raw.value),
                    named(&tag)
                ),
            ),
        };
        out.report(span, message).with_help(format!(
            "`{tag}` moves whenever the image is republished; name a version tag or pin a digest"
        ));
    }
}
