//! DF001 untagged-image: a base image named without a tag or digest, so Docker pulls `latest`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::excerpt::excerpt;

use super::support::base_images;

pub static UNTAGGED_IMAGE: Rule = Rule {
    code: "DF001",
    name: "untagged-image",
    summary: "A base image has neither a tag nor a digest, so the build pulls whatever `latest` is",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "hadolint:DL3006",
        "kics:9efb0b2d",
        "checkov:CKV_DOCKER_7",
        "trivy:DS-0001",
        "cis:4.2",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("untagged_image.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for base in base_images(context.dockerfile) {
        if !base.image.is_untagged() {
            continue;
        }
        let message = match base.resolved_from_args {
            Some(resolved) => format!(
                "base image `{}` resolves to `{}` (ARG defaults), which has no tag; Docker pulls `latest`",
                excerpt(&base.raw.value),
                excerpt(resolved)
            ),
            None => format!(
                "base image `{}` has no tag; Docker pulls `latest`",
                excerpt(&base.raw.value)
            ),
        };
        let name = excerpt(base.resolved_from_args.unwrap_or(&base.raw.value));
        out.report(base.raw.span, message).with_help(format!(
            "name a version tag (`{name}:<version>`) or pin a digest (`{name}@sha256:<digest>`)"
        ));
    }
}
