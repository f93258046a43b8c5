//! DF054 pipe-without-pipefail: a RUN pipes commands under a POSIX shell without
//! `set -o pipefail`, so a failure on the left of `|` does not fail the build.

use std::collections::HashMap;

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::shell::{ShellScript, SimpleCommand};
use crate::syntax::dockerfile::{Command, Keyword, ShellOrExec};
use crate::syntax::span::Span;

use crate::semantic::{Shells, effective_stage_instructions, shell_program};

use super::build_support::run_scripts;

pub static PIPE_WITHOUT_PIPEFAIL: Rule = Rule {
    code: "DF054",
    name: "pipe-without-pipefail",
    summary: "A RUN pipes commands without `set -o pipefail`; a failure before `|` is ignored",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
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
/// `while …`, `! …`, `! { a | b; }`): its status is tested on purpose, and pipefail would change
/// the test.
fn is_condition(source: &str, start: usize) -> bool {
    let mut before = source.get(..start).unwrap_or("").trim_end();
    // The openers of groups and subshells around the pipeline: `! { a | b; }`, `if ( a | b )`.
    while let Some(rest) = before.strip_suffix(['{', '(']) {
        before = rest.trim_end();
    }
    let last_word = before
        .rsplit(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == '{')
        .next()
        .unwrap_or("");
    matches!(last_word, "if" | "elif" | "while" | "until" | "!")
}

/// Whether the last command of a pipeline checks what it reads, so that a failed or cut-short
/// producer fails it too: `grep` selects no line from empty input (status 1), `tar x`, the
/// decompressors, `gpg --dearmor`/`--import`, `apt-key add` and `sha256sum -c` reject empty or
/// truncated input. `curl -fsSL … | tar -xz` fails when the download does. (With pipefail,
/// `… | grep -q x` can even fail spuriously: `grep -q` exits at the first match and the writer
/// dies of SIGPIPE.)
fn consumer_decides(command: &SimpleCommand) -> bool {
    let view = command.effective();
    let Some(program) = view.program() else {
        return false;
    };
    match program {
        "grep" | "egrep" | "fgrep" | "zgrep" => true,
        "tar" | "bsdtar" => {
            view.has_short_flag('x')
                || view.has_long_flag("extract")
                || view.has_long_flag("get")
                // The old style without a dash: `tar xzf -`.
                || view
                    .args
                    .first()
                    .is_some_and(|w| !w.value.starts_with('-') && w.value.contains('x'))
        }
        "gunzip" | "zcat" | "bunzip2" | "bzcat" | "unxz" | "xzcat" | "unzstd" | "zstdcat" => true,
        "gzip" | "bzip2" | "xz" | "zstd" => view.has_flag('d', "decompress"),
        "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "md5sum" | "b2sum"
        | "shasum" => view.has_flag('c', "check"),
        "gpg" | "gpg2" => ["dearmor", "enarmor", "import", "verify", "decrypt"]
            .iter()
            .any(|flag| view.has_long_flag(flag)),
        "apt-key" => view.subcommand().is_some_and(|w| w.value == "add"),
        _ => false,
    }
}

/// Whether the and-or list the pipeline ends (its last member is `last`, at `position` in the
/// script's commands) handles a failure with `||`: `a | b || true`,
/// `a | grep x && exit 1 || :`, `{ a | b; } || echo failed`.
///
/// Every pipeline crossed on the way shares the answer, which `memo` keeps (by the position of
/// its last member), so a chain of n pipelines is walked once, not n times.
fn handled_after(
    source: &str,
    commands: &[SimpleCommand],
    position: usize,
    memo: &mut HashMap<usize, bool>,
) -> bool {
    if let Some(&known) = memo.get(&position) {
        return known;
    }
    let mut crossed = vec![position];
    let handled = walk_and_or(source, commands, position, &mut crossed);
    for end in crossed {
        memo.insert(end, handled);
    }
    handled
}

/// [`handled_after`]'s walk; records the last member of each pipeline it crosses.
fn walk_and_or(
    source: &str,
    commands: &[SimpleCommand],
    position: usize,
    crossed: &mut Vec<usize>,
) -> bool {
    let level = |c: &SimpleCommand| (c.in_substitution, c.in_shell_string);
    let Some(last) = commands.get(position) else {
        return false;
    };
    let mut end = last.span.end;
    let mut next = commands
        .iter()
        .enumerate()
        .skip(position + 1)
        .filter(|(_, c)| level(c) == level(last));
    // Each round crosses one `&&` to the next pipeline; bounded by the commands left.
    loop {
        let following = next.next();
        let gap_end = following.map_or(source.len(), |(_, c)| c.span.start);
        let gap = source.get(end..gap_end).unwrap_or("");
        let mut rest = gap;
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\r']);
            if let Some(after) = rest.strip_prefix("\\\n") {
                rest = after;
            } else if let Some(after) = rest
                .strip_prefix(";")
                .filter(|after| after.trim_start().starts_with(['}', ')']))
            {
                rest = after;
            } else if let Some(after) = rest.strip_prefix(['}', ')']) {
                rest = after;
            } else {
                break;
            }
        }
        if rest.starts_with("||") {
            return true;
        }
        if !rest.starts_with("&&") {
            return false;
        }
        // `a | b && c`: go on past `c`'s pipeline.
        let Some((mut member_at, following)) = following else {
            return false;
        };
        let mut member_end = following.span.end;
        let mut remaining = following
            .pipeline
            .len
            .saturating_sub(following.pipeline.index + 1);
        while remaining > 0 {
            match next.next() {
                Some((at, member)) => {
                    member_end = member.span.end;
                    member_at = at;
                }
                None => break,
            }
            remaining -= 1;
        }
        crossed.push(member_at);
        end = member_end;
    }
}

/// The first pipeline of the script whose failure is lost: its first `|` operator's span.
fn unchecked_pipe(source: &str, script: &ShellScript) -> Option<Span> {
    let commands = &script.commands;
    let pipefail_from = first_pipefail(script);
    let mut memo = HashMap::new();
    for (position, first) in commands.iter().enumerate() {
        // A substitution's exit status is lost anyway; pipelines there are not the point.
        if first.in_substitution || first.pipeline.len < 2 || first.pipeline.index != 0 {
            continue;
        }
        let indexed: Vec<(usize, &SimpleCommand)> = commands
            .iter()
            .enumerate()
            .skip(position)
            .filter(|(_, c)| {
                c.in_substitution == first.in_substitution && c.pipeline.len == first.pipeline.len
            })
            .take(first.pipeline.len)
            .collect();
        let last_position = indexed.last().map_or(position, |(index, _)| *index);
        let members: Vec<&SimpleCommand> = indexed.into_iter().map(|(_, c)| c).collect();
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
            || members.last().is_some_and(|last| consumer_decides(last))
            || handled_after(source, commands, last_position, &mut memo)
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
            let exec = match &instruction.command {
                Command::Run(ShellOrExec::Exec(words)) => Some(words),
                _ => None,
            };
            if let Some(words) = exec {
                // No SHELL runs the exec form; `["bash", "-o", "pipefail", "-c", "…"]` sets it
                // on the shell it names (only an `sh -c` script has pipelines to judge).
                if words.iter().any(|w| w.value == "pipefail") {
                    continue;
                }
            } else {
                let shell = shells.at(dockerfile, index);
                let has_pipefail = shell
                    .words
                    .is_some_and(|words| words.iter().any(|w| w.value == "pipefail"));
                // Not a POSIX shell (PowerShell, cmd, a Windows default), or pipefail already on.
                if !shell.is_posix() || has_pipefail {
                    continue;
                }
            }
            for run in run_scripts(context, instruction) {
                let Some(span) = unchecked_pipe(source, &run.script) else {
                    continue;
                };
                let finding = out.report(
                    span,
                    "only the last command of this pipeline decides whether the RUN fails; a failure before `|` is ignored",
                );
                if exec.is_some() {
                    finding.with_help(
                        "name the shell's option before its script: `[\"bash\", \"-o\", \"pipefail\", \"-c\", \"…\"]`, or start the script with `set -o pipefail &&`",
                    );
                } else if run.heredoc.is_some() {
                    finding.with_help("start the script with `set -o pipefail` (bash, or a shell that supports it)");
                } else {
                    let finding = finding.with_help(
                        "add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN, or start the command with `set -o pipefail &&`",
                    );
                    // Only where the SHELL names a shell known to have `pipefail`: the
                    // default `/bin/sh` is dash on Debian and Ubuntu, which may not.
                    let capable = shells.at(dockerfile, index).words.is_some_and(|words| {
                        matches!(
                            shell_program(words),
                            "bash" | "zsh" | "ksh" | "mksh" | "ash"
                        )
                    });
                    if let (true, Command::Run(ShellOrExec::Shell(text))) =
                        (capable, &instruction.command)
                    {
                        let start = text.value.len() - text.value.trim_start().len();
                        finding.with_fix(Fix {
                            message: "start the RUN with `set -o pipefail &&`".into(),
                            applicability: Applicability::Unsafe,
                            edits: vec![Edit {
                                span: Span::empty(text.source_offset(start)),
                                replacement: "set -o pipefail && ".into(),
                            }],
                        });
                    }
                }
                break;
            }
        }
    }
}
