//! DF004 root-user: the image's final stage runs as root (no USER, or the last USER is root).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::span::Span;

use crate::semantic::{StageUser, stage_user, windows_stages};

use super::support::{base_user, is_root_user, no_user_consequence, user_value};

pub static ROOT_USER: Rule = Rule {
    code: "DF004",
    name: "root-user",
    summary: "The final stage runs as root: it sets no USER, or its last USER is root",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &[
        "hadolint:DL3002",
        "kics:67fd0c4a",
        "kics:fd54f200",
        "checkov:CKV_DOCKER_3",
        "checkov:CKV_DOCKER_8",
        "trivy:DS-0002",
        "cis:4.1",
        "nist-800-190:3.1.2",
    ],
    docs: include_str!("root_user.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "add `USER <non-root>` (for example `USER 10001`) at the end of the final stage";

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let Some(final_stage) = dockerfile.final_stage() else {
        return;
    };
    let Some(final_from) = dockerfile.instructions.get(final_stage.from) else {
        return;
    };
    let from_span = final_from.keyword_span.cover(final_stage.base.raw.span);
    // A Windows image has no root user (its users are `ContainerUser` and
    // `ContainerAdministrator`).
    if windows_stages(dockerfile)
        .get(final_stage.index)
        .copied()
        .unwrap_or(false)
    {
        return;
    }

    let Some(resolved) = stage_user(dockerfile, final_stage.index) else {
        return;
    };
    let (user_stage, user) = match resolved {
        StageUser::Set { stage, user, .. } => (stage, user),
        StageUser::Unset { base } => {
            // No USER anywhere: the base image's user decides.
            let Some(consequence) = no_user_consequence(&base_user(base, context.non_root_images))
            else {
                return;
            };
            let message = format!("the final stage sets no USER{consequence}");
            let end = dockerfile
                .instructions
                .get(final_stage.instructions.clone())
                .and_then(|instructions| instructions.last())
                .map_or(final_from.span.end, |last| last.span.end);
            out.report(from_span, message)
                .with_help(HELP)
                .with_fix(Fix {
                    message: "run the final stage as uid 10001".into(),
                    applicability: Applicability::DisplayOnly,
                    edits: vec![Edit {
                        span: Span::empty(end),
                        replacement: "\nUSER 10001".into(),
                    }],
                });
            return;
        }
    };
    let (value, argument) = user_value(user);
    let written = context.source.slice(argument);
    if is_root_user(&value) != Some(true) {
        return;
    }
    if user_stage.index == final_stage.index {
        out.report(
            argument,
            format!("the final stage runs as root (`USER {written}`)"),
        )
        .with_help(HELP)
        .with_fix(Fix {
            message: "run as uid 10001 instead".into(),
            applicability: Applicability::DisplayOnly,
            edits: vec![Edit {
                span: argument,
                replacement: "10001".into(),
            }],
        });
    } else {
        let stage_name = user_stage.name.as_ref().map_or_else(
            || format!("#{}", user_stage.index),
            |n| format!("`{}`", n.value),
        );
        out.report(
            from_span,
            format!(
                "the final stage runs as root: it inherits `USER {written}` from stage {stage_name}"
            ),
        )
        .with_label(argument, "root is set here")
        .with_help(HELP);
    }
}
