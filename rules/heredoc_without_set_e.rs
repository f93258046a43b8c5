//! DF055 heredoc-without-set-e: a `RUN <<EOF` script with several commands and no `set -e`,
//! so only the last command's failure fails the build.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Keyword;
use crate::syntax::dockerfile::shell::ShellScript;
use crate::syntax::span::Span;

use crate::semantic::{Shells, effective_stage_instructions};

use super::build_support::run_scripts;

pub static HEREDOC_WITHOUT_SET_E: Rule = Rule {
    code: "DF055",
    name: "heredoc-without-set-e",
    summary: "A heredoc RUN script runs several commands without `set -e`; failures before the last are ignored",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    docs: include_str!("heredoc_without_set_e.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// A shell flag word that turns on errexit: `-e`, `-eux`, `-o errexit` is handled by the caller.
fn is_errexit_flag(word: &str) -> bool {
    word.starts_with('-') && !word.starts_with("--") && word[1..].contains('e')
}

/// Whether the script turns errexit on: `set -e`, `set -euo pipefail`, `set -o errexit`.
fn sets_errexit(script: &ShellScript) -> bool {
    script.commands.iter().any(|command| {
        command.program() == Some("set")
            && (command.args.iter().any(|a| is_errexit_flag(&a.value))
                || command.args.iter().any(|a| a.value == "errexit"))
    })
}

/// Whether two top-level commands follow each other as separate statements (newline or `;`),
/// not chained with `&&`, `||` or `|`.
fn separate_statements(source: &str, script: &ShellScript) -> bool {
    let top: Vec<_> = script
        .commands
        .iter()
        .filter(|c| !c.in_substitution && !c.in_shell_string)
        .collect();
    top.windows(2).any(|pair| {
        let gap = source
            .get(pair[0].span.end..pair[1].span.start)
            .unwrap_or("");
        let chained = gap.contains("&&") || gap.contains("||") || gap.contains('|');
        !chained && (gap.contains('\n') || gap.contains(';'))
    })
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let source = context.source.text.as_str();
    let shells = Shells::new(dockerfile);
    for stage in &dockerfile.stages {
        // A trigger is judged under the shell in force at its ONBUILD, as `run_commands` does.
        for run in effective_stage_instructions(dockerfile, stage) {
            let (index, instruction) = (run.index, run.instruction);
            if instruction.keyword != Keyword::Run {
                continue;
            }
            let shell = shells.at(dockerfile, index);
            let errexit = shell.words.is_some_and(|words| {
                words
                    .iter()
                    .skip(1)
                    .any(|w| is_errexit_flag(&w.value) && w.value != "-c" || w.value == "errexit")
            });
            if !shell.is_posix() || errexit {
                continue;
            }
            for run in run_scripts(context, instruction) {
                let Some(heredoc) = run.heredoc else { continue };
                let body = &heredoc.body.value;
                let first_line = body.lines().next().unwrap_or("");
                let shebang_errexit = first_line.starts_with("#!")
                    && first_line
                        .split_whitespace()
                        .skip(1)
                        .any(|w| is_errexit_flag(w) || w == "errexit");
                if shebang_errexit
                    || sets_errexit(&run.script)
                    || !separate_statements(source, &run.script)
                {
                    continue;
                }
                // Insert after a `#!` line, else at the top of the body.
                let insert_at = if first_line.starts_with("#!") {
                    let text = heredoc.body.span.text(source);
                    text.find('\n')
                        .map_or(heredoc.body.span.start, |n| heredoc.body.span.start + n + 1)
                } else {
                    heredoc.body.span.start
                };
                out.report(
                    heredoc.marker_span,
                    "this heredoc script runs several commands without `set -e`: only the last one's failure fails the build",
                )
                .with_help("start the script with `set -e` (or `set -eux`)")
                .with_fix(Fix {
                    message: "add `set -e` at the top of the script".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: Span::empty(insert_at),
                        replacement: "set -e\n".into(),
                    }],
                });
            }
        }
    }
}
