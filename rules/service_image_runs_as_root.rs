//! DC048 service-image-runs-as-root: a compose service builds its image from a Dockerfile whose
//! built stage runs as root, and the service does not override the user. A cross-file rule: it
//! reads the Dockerfile through the workspace ([`ComposeContext::built_dockerfile`]).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{BuiltDockerfile, Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::span::Span;

use crate::semantic::{NonRootImages, StageUser, stage_user};

use super::support::{
    BaseUser, base_user, is_root_user, no_user_consequence, service_merge_origin, user_value,
};

pub static SERVICE_IMAGE_RUNS_AS_ROOT: Rule = Rule {
    code: "DC048",
    name: "service-image-runs-as-root",
    summary: "A service builds an image whose built stage runs as root, and sets no `user:`",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "hadolint:DL3002",
        "checkov:CKV_DOCKER_3",
        "trivy:DS-0002",
        "cis:4.1",
        "nist-800-190:3.1.2",
    ],
    docs: include_str!("service_image_runs_as_root.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "add `USER <non-root>` (for example `USER 10001`) to the built stage, or set \
                    `user: \"10001:10001\"` on the service";

/// Why the built stage runs as root: the span in the Dockerfile to label, what to say, and
/// whether it is certain (`false` when no USER is set and the base image's user is unknown).
fn root_reason(
    built: &BuiltDockerfile,
    non_root_images: &NonRootImages,
) -> Option<(Span, String, bool)> {
    let dockerfile = &built.file.dockerfile;
    let stage = dockerfile.stages.get(built.stage)?;
    let from = dockerfile.instructions.get(stage.from)?;
    let stage_name = stage.name.as_ref().map_or_else(
        || "the last stage".to_string(),
        |n| format!("stage `{}`", n.value),
    );
    match stage_user(dockerfile, built.stage)? {
        StageUser::Set {
            stage: user_stage,
            user,
        } => {
            let (value, span) = user_value(user);
            (is_root_user(&value) == Some(true)).then(|| {
                let written = built.file.source.slice(span);
                let message = match &user_stage.name {
                    Some(from) if user_stage.index != stage.index => format!(
                        "{stage_name} runs as root: it inherits `USER {written}` from stage `{}`",
                        from.value
                    ),
                    _ => format!("{stage_name} runs as root: `USER {written}`"),
                };
                (span, message, true)
            })
        }
        StageUser::Unset { base } => {
            let user = base_user(base, non_root_images);
            let consequence = no_user_consequence(&user)?;
            let span = from.keyword_span.cover(stage.base.raw.span);
            let certain = !matches!(user, BaseUser::Unknown(_));
            Some((
                span,
                format!("{stage_name} sets no USER{consequence}"),
                certain,
            ))
        }
    }
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(build) = &service.build else {
            continue;
        };
        // Any `user:` decides the user instead of the image: a non-root one fixes this, a root
        // one is service-root-user's finding, a variable cannot be judged.
        if service.user.is_some() {
            continue;
        }
        let Some(built) = context.built_dockerfile(service) else {
            continue;
        };
        let Some((reason_span, reason, certain)) = root_reason(&built, context.non_root_images)
        else {
            continue;
        };
        let name = &service.name.value;
        let message = if certain {
            format!("service `{name}` builds an image that runs as root and sets no `user:`")
        } else {
            format!(
                "service `{name}` sets no `user:` and builds an image that sets no USER, so it \
                 runs as root unless its base image sets a user"
            )
        };
        let finding = out.report(build.key_span, message);
        finding.with_help(HELP);
        match built.inline_span {
            // The inline Dockerfile's spans are not offsets of the compose file: label the value.
            Some(inline) if built.inline => {
                finding.with_label(inline, reason);
            }
            _ => {
                finding.with_label_in(&built.file.source, reason_span, reason);
            }
        }
        if let Some(origin) = service_merge_origin(service, build.key_span) {
            finding.with_label(origin, format!("merged into service `{name}` here"));
        }
    }
}
