//! DF003 unpinned-digest: a base image is not pinned to a content digest.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::excerpt::excerpt;

use super::support::base_images;

pub static UNPINNED_DIGEST: Rule = Rule {
    code: "DF003",
    name: "unpinned-digest",
    summary: "A base image is not pinned by digest (`@sha256:…`)",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Info,
    default_enabled: false,
    related: &[
        "semgrep:dockerfile-source-not-pinned",
        "scout:not_pinned_digest",
        "compose-lint:CL-0019",
        "cis:4.2",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("unpinned_digest.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for base in base_images(context.dockerfile) {
        if base.image.digest.is_some() {
            continue;
        }
        let name = excerpt(base.resolved_from_args.unwrap_or(&base.raw.value));
        out.report(
            base.raw.span,
            format!("base image `{name}` is not pinned by digest"),
        )
        .with_help(format!(
            "append the digest the tag points to today: `{name}@sha256:<digest>` \
             (`docker buildx imagetools inspect {name}` prints it)"
        ));
    }
}
