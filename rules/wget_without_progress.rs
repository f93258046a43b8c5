//! DF073 wget-without-progress: `wget` in a RUN without a quiet or `--progress` option, which
//! floods build logs with its progress bar.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;

use super::build_support::run_scripts;
use super::run_commands::argument_after;

pub static WGET_WITHOUT_PROGRESS: Rule = Rule {
    code: "DF073",
    name: "wget-without-progress",
    summary: "`wget` runs without `--progress` or a quiet flag and floods the build log",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Style,
    default_enabled: false,
    fix: FixAvailability::Always,
    related: &["hadolint:DL3047"],
    docs: include_str!("wget_without_progress.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        for run in run_scripts(context, instruction) {
            for command in &run.script.commands {
                let view = command.effective();
                let Some(name) = view.name else { continue };
                if view.program() != Some("wget") {
                    continue;
                }
                // Any of these sets how much wget prints (or where), so the log stays short.
                let quiet = view.has_long_flag("progress")
                    || view.has_flag('q', "quiet")
                    || view.has_long_flag("no-verbose")
                    || view.args.iter().any(|word| word.value == "-nv")
                    || view.has_flag('o', "output-file")
                    || view.has_flag('a', "append-output");
                if quiet {
                    continue;
                }
                out.report(
                    name.span,
                    "`wget` without `--progress` prints a progress line for every few kilobytes",
                )
                .with_help("add `--progress=dot:giga`, or `-q` (busybox wget has no `--progress`)")
                .with_fix(Fix {
                    message: "add `--progress=dot:giga`".into(),
                    // Unsafe: busybox wget (Alpine) rejects the option and fails the build.
                    applicability: Applicability::Unsafe,
                    edits: vec![argument_after(source, name.span, "--progress=dot:giga")],
                });
            }
        }
    }
}
