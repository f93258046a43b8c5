//! DF033 workdir-relative: `WORKDIR` with a relative path, which depends on the WORKDIR before
//! it (possibly the base image's).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::{effective_instructions, windows_stages};
use crate::syntax::dockerfile::Command;
use crate::syntax::excerpt::excerpt;

use super::workdir_support::{is_absolute_or_unknown, workdir_set};

pub static WORKDIR_RELATIVE: Rule = Rule {
    code: "DF033",
    name: "workdir-relative",
    summary: "`WORKDIR` is given a relative path",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["hadolint:DL3000", "buildkit:WorkdirRelativePath"],
    docs: include_str!("workdir_relative.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let windows = windows_stages(dockerfile);
    for run in effective_instructions(dockerfile) {
        let instruction = run.instruction;
        let Command::Workdir(path) = &instruction.command else {
            continue;
        };
        if path.value.is_empty() || is_absolute_or_unknown(&path.value) {
            continue;
        }
        // After an earlier WORKDIR of the stage the path is well defined (BuildKit's
        // WorkdirRelativePath judges the same way).
        let Some(stage) = instruction
            .stage
            .and_then(|index| dockerfile.stages.get(index))
        else {
            continue;
        };
        // A trigger runs after the whole stage, in the child build: any WORKDIR of the stage
        // (it is in the image's config) fixes the directory.
        let position = if run.is_trigger {
            stage.instructions.end
        } else {
            run.index
        };
        // Windows images start in `C:\` and their paths are spelled another way: the judgement
        // (and the `/app` fix) is about Linux images.
        if windows.get(stage.index).copied().unwrap_or(false) {
            continue;
        }
        if workdir_set(dockerfile, stage, position) {
            continue;
        }
        let literal = context.source.slice(path.span) == path.value;
        let absolute = format!("/{}", path.value.trim_start_matches("./"));
        let finding = out.report(
            path.span,
            format!(
                "`WORKDIR {}` is relative, and no earlier WORKDIR in the stage fixes what it is \
                 relative to: the base image's working directory",
                excerpt(&path.value)
            ),
        );
        finding.with_help("give an absolute path, for example `WORKDIR /app`");
        if literal {
            finding.with_fix(Fix {
                message: format!("use `{}`", excerpt(&absolute)),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: path.span,
                    replacement: absolute,
                }],
            });
        }
    }
}
