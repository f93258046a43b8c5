//! DF038 untrusted-base-image: a stage is built on an image from a registry outside the trusted
//! list (the `trusted-registries` option, shared with DC040 untrusted-registry).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::excerpt::excerpt;

use super::support::base_images;
use super::trusted_registries::{TRUSTED_REGISTRIES, is_trusted};
use crate::syntax::span::written_part;

pub static UNTRUSTED_BASE_IMAGE: Rule = Rule {
    code: "DF038",
    name: "untrusted-base-image",
    summary: "A stage's base image comes from a registry outside the trusted list",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    default_enabled: false,
    related: &["hadolint:DL3026", "cis:4.2", "nist-800-190:3.1.5"],
    docs: include_str!("untrusted_base_image.md"),
    options: &[TRUSTED_REGISTRIES],
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let trusted = context.options.list(TRUSTED_REGISTRIES.name);
    // `scratch`, earlier stages and references with unresolved variables are left out.
    for base in base_images(context.dockerfile) {
        let registry = base.image.registry.as_deref();
        if is_trusted(registry, trusted) {
            continue;
        }
        // Point at the registry when it is written literally, else at the whole reference.
        let span = match registry {
            Some(registry)
                if base.resolved_from_args.is_none() && base.raw.value.starts_with(registry) =>
            {
                written_part(
                    &context.source.text,
                    base.raw.span,
                    &base.raw.value,
                    0..registry.len(),
                )
            }
            _ => base.raw.span,
        };
        let shown = excerpt(base.resolved_from_args.unwrap_or(&base.raw.value));
        out.report(
            span,
            format!(
                "base image `{shown}` comes from `{}`, which is not a trusted registry",
                registry.unwrap_or("docker.io")
            ),
        )
        .with_help("build on an image from a trusted registry, or mirror the image into one");
    }
}
