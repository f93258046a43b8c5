//! DF054 pipe-without-pipefail: a RUN pipes commands under a POSIX shell without
//! `set -o pipefail`, so a failure on the left of `|` does not fail the build.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Keyword;
use crate::syntax::dockerfile::shell::{ShellScript, SimpleCommand};
use crate::syntax::span::Span;

use crate::semantic::{Shells, effective_stage_instructions};

use super::build_support::run_scripts;

pub static PIPE_WITHOUT_PIPEFAIL: Rule = Rule {
    code: "DF054",
    name: "pipe-without-pipefail",
    summary: "A RUN pipes commands without `set -o pipefail`; a failure before `|` is ignored",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["hadolint:DL4006", "kics:efbf148a", "semgrep:set-pipefail"],
    docs: include_str!("pipe_without_pipefail.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Producers that cannot fail in a way worth catching (`echo "$SUM  file" | sha256sum -c`).
fn cannot_fail(command: &SimpleCommand) -> bool {
    matches!(
        command.effective().program(),
        Some("echo" | "printf" | "yes" | "true" | "cat")
    ) && (command.effective().program() != Some("cat") || command.args.is_empty())
}

/// Where the first `set` command turning on pipefail starts in the script, if one does: a
/// pipeline after it is checked. Found once per script, not once per pipeline.
fn first_pipefail(script: &ShellScript) -> Option<usize> {
    script
        .commands
        .iter()
        .filter(|command| {
            command.program() == Some("set")
                && command.args.windows(2).any(|pair| {
                    pair[0].value.starts_with('-')
                        && pair[0].value.ends_with('o')
                        && pair[1].value == "pipefail"
                })
        })
        .map(|command| command.span.start)
        .min()
}

/// Whether the pipeline starting at `start` is a condition (`if a | grep -q b; then`,
/// `while …`, `! …`): its status is tested on purpose, and pipefail would change the test.
fn is_condition(source: &str, start: usize) -> bool {
    let before = source.get(..start).unwrap_or("").trim_end();
    let last_word = before
        .rsplit(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .next()
        .unwrap_or("");
    matches!(last_word, "if" | "elif" | "while" | "until" | "!")
}

/// The first pipeline of the script whose failure is lost: its first `|` operator's span.
fn unchecked_pipe(source: &str, script: &ShellScript) -> Option<Span> {
    let commands = &script.commands;
    let pipefail_from = first_pipefail(script);
    for (position, first) in commands.iter().enumerate() {
        // A substitution's exit status is lost anyway; pipelines there are not the point.
        if first.in_substitution || first.pipeline.len < 2 || first.pipeline.index != 0 {
            continue;
        }
        let members: Vec<&SimpleCommand> = commands
            .iter()
            .skip(position)
            .filter(|c| {
                c.in_substitution == first.in_substitution && c.pipeline.len == first.pipeline.len
            })
            .take(first.pipeline.len)
            .collect();
        let producers = members.len().saturating_sub(1);
        if members
            .iter()
            .take(producers)
            .all(|member| cannot_fail(member))
        {
            continue;
        }
        if pipefail_from.is_some_and(|start| start < first.span.start)
            || is_condition(source, first.span.start)
        {
            continue;
        }
        let next_start = members
            .get(1)
            .map_or(first.span.end, |next| next.span.start);
        let gap = source.get(first.span.end..next_start).unwrap_or("");
        let span = match gap.find('|') {
            Some(offset) => Span::new(first.span.end + offset, first.span.end + offset + 1),
            None => first.span,
        };
        return Some(span);
    }
    None
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
            let has_pipefail = shell
                .words
                .is_some_and(|words| words.iter().any(|w| w.value == "pipefail"));
            // Not a POSIX shell (PowerShell, cmd, a Windows default), or pipefail already on.
            if !shell.is_posix() || has_pipefail {
                continue;
            }
            for run in run_scripts(context, instruction) {
                let Some(span) = unchecked_pipe(source, &run.script) else {
                    continue;
                };
                let finding = out.report(
                    span,
                    "only the last command of this pipeline decides whether the RUN fails; a failure before `|` is ignored",
                );
                if run.heredoc.is_some() {
                    finding.with_help("start the script with `set -o pipefail` (bash, or a shell that supports it)");
                } else {
                    finding.with_help(
                        "add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN, or start the command with `set -o pipefail &&`",
                    );
                }
                break;
            }
        }
    }
}
