//! DF035 copy-relative-destination: COPY or ADD to a relative destination in a stage that has
//! set no WORKDIR, so the files land wherever the base image's WORKDIR points.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::{effective_instructions, windows_stages};
use crate::syntax::dockerfile::Command;
use crate::syntax::excerpt::excerpt;

use super::workdir_support::{is_absolute_or_unknown, workdir_set};

pub static COPY_RELATIVE_DESTINATION: Rule = Rule {
    code: "DF035",
    name: "copy-relative-destination",
    summary: "COPY or ADD to a relative destination before any WORKDIR is set",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["hadolint:DL3045"],
    docs: include_str!("copy_relative_destination.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let windows = windows_stages(dockerfile);
    for run in effective_instructions(dockerfile) {
        let instruction = run.instruction;
        let (Command::Copy(copy) | Command::Add(copy)) = &instruction.command else {
            continue;
        };
        let Some(destination) = &copy.destination else {
            continue;
        };
        if is_absolute_or_unknown(copy.path(destination)) {
            continue;
        }
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
        let keyword = instruction.keyword.as_str();
        out.report(
            destination.span,
            format!(
                "`{keyword}` to the relative path `{}` before any WORKDIR: the files land in the \
                 base image's working directory",
                excerpt(copy.path(destination))
            ),
        )
        .with_help("set `WORKDIR /app` before it, or give an absolute destination");
    }
}
