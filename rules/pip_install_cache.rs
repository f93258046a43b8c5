//! DF065 pip-install-cache: `pip install` without `--no-cache-dir` in a stage that ends up in
//! the image, leaving pip's download cache in the layer.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::reaches_image;
use crate::syntax::dockerfile::Command;
use crate::syntax::dockerfile::shell::{CommandView, Word};

use super::build_support::{cache_mount_targets, final_image_runs, removes_under, run_scripts};
use super::run_commands::argument_after;

pub static PIP_INSTALL_CACHE: Rule = Rule {
    code: "DF065",
    name: "pip-install-cache",
    summary: "`pip install` without `--no-cache-dir` leaves pip's cache in the image",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL3042",
        "kics:f2f903fb",
        "semgrep:missing-pip-no-cache-dir",
    ],
    docs: include_str!("pip_install_cache.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// `pip`, `pip3`, `pip3.12`.
fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// The `install` word of `pip install …` or `python -m pip install …`.
fn pip_install<'a>(view: &CommandView<'a>) -> Option<&'a Word> {
    let program = view.program()?;
    let args = if is_pip(program) {
        view.args
    } else if program.starts_with("python") {
        let position = view
            .args
            .windows(2)
            .position(|pair| pair[0].value == "-m" && is_pip(&pair[1].value))?;
        view.args.get(position + 2..)?
    } else {
        return None;
    };
    args.iter()
        .find(|word| !word.value.starts_with('-'))
        .filter(|word| word.value == "install")
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    let dockerfile = context.dockerfile;
    // `ENV PIP_NO_CACHE_DIR=…` (any value: pip reads even `off` as "disable") in a stage of the
    // image turns the cache off for every pip after it; checked per file for simplicity.
    let marks = reaches_image(dockerfile);
    let env_disables = dockerfile.stages.iter().any(|stage| {
        marks.get(stage.index).copied().unwrap_or(false)
            && dockerfile
                .stage_instructions(stage)
                .iter()
                .any(|instruction| {
                    matches!(&instruction.command, Command::Env(pairs) | Command::Arg(pairs)
                    if pairs.iter().any(|p| p.key.value == "PIP_NO_CACHE_DIR"))
                })
    });
    if env_disables {
        return;
    }
    for (_, instruction) in final_image_runs(dockerfile) {
        let mounted = cache_mount_targets(instruction)
            .iter()
            .any(|target| target.contains("pip") || target.ends_with(".cache"));
        let scripts = run_scripts(context, instruction);
        if mounted || removes_under(&scripts, "/root/.cache/pip") {
            continue;
        }
        // `export PIP_NO_CACHE_DIR=1 && pip install …` (or a bare `PIP_NO_CACHE_DIR=1;`) turns the
        // cache off for the pips after it in the RUN.
        let exported_at = scripts
            .iter()
            .flat_map(|run| run.script.commands.iter())
            .filter(|command| {
                let sets = |word: &Word| word.value.starts_with("PIP_NO_CACHE_DIR=");
                match command.program() {
                    Some("export") => command.args.iter().any(sets),
                    None => command.assignments.iter().any(sets),
                    _ => false,
                }
            })
            .map(|command| command.span.start)
            .min();
        for run in &scripts {
            for command in &run.script.commands {
                let view = command.effective();
                let Some(install) = pip_install(&view) else {
                    continue;
                };
                if exported_at.is_some_and(|at| at < command.span.start) {
                    continue;
                }
                let disabled_inline = view.has_long_flag("no-cache-dir")
                    || command
                        .assignments
                        .iter()
                        .chain(view.args.iter())
                        .any(|w| w.value.starts_with("PIP_NO_CACHE_DIR="));
                if disabled_inline {
                    continue;
                }
                out.report(
                    install.span,
                    "`pip install` without `--no-cache-dir` leaves downloaded packages in pip's cache in this layer",
                )
                .with_help("add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or mount a cache: `RUN --mount=type=cache,target=/root/.cache/pip …`")
                .with_fix(Fix {
                    message: "add `--no-cache-dir`".into(),
                    applicability: Applicability::Safe,
                    edits: vec![argument_after(source, install.span, "--no-cache-dir")],
                });
            }
        }
    }
}
