//! Helpers shared by the build-hygiene rules (DF040–DF099): the shell scripts a RUN runs, the
//! cache and tmpfs mounts it has, the RUNs of the stages that reach the image, and a small edit
//! distance for did-you-mean hints, and the edit that ends a RUN with one more command. Not a
//! rule itself (it declares no `Rule`).

use std::borrow::Cow;

use crate::linter::diagnostic::Edit;
use crate::linter::rule::DockerfileContext;
use crate::semantic::{Shells, effective_stage_instructions, is_sh_family, reaches_image};
use crate::syntax::dockerfile::shell::{
    CommandView, ShellScript, SimpleCommand, Word, analyze, analyze_exec, analyze_str,
};
use crate::syntax::dockerfile::{Command, Dockerfile, Heredoc, Instruction, ShellOrExec, Stage};
use crate::syntax::span::Span;

/// One script a RUN runs: its shell-form text, or a heredoc body run by the shell.
pub(crate) struct RunScript<'a> {
    /// Borrowed from the file's shared cache of shell analyses when the RUN is a top-level
    /// instruction; owned otherwise.
    pub script: Cow<'a, ShellScript>,
    /// The heredoc this script is the body of; `None` for the RUN's own shell text.
    pub heredoc: Option<&'a Heredoc>,
}

/// The shell scripts of a RUN instruction (shell form and heredoc bodies run as shell scripts).
/// An exec-form RUN gives one script: its words as one command, followed by the commands of
/// the script of `["sh", "-c", "…"]` ([`analyze_exec`]).
pub(crate) fn run_scripts<'a>(
    context: &'a DockerfileContext<'_>,
    instruction: &'a Instruction,
) -> Vec<RunScript<'a>> {
    let Command::Run(body) = &instruction.command else {
        return Vec::new();
    };
    let index = context.instruction_index(instruction);
    let line: Cow<'a, ShellScript> = match (index.and_then(|i| context.shell(i)), body) {
        (Some(script), _) => Cow::Borrowed(script),
        (None, ShellOrExec::Shell(text)) => Cow::Owned(analyze(text)),
        (None, ShellOrExec::Exec(words)) => Cow::Owned(analyze_exec(
            words
                .iter()
                .map(|word| Word {
                    span: word.span,
                    raw: context.source.slice(word.span).to_owned(),
                    value: word.value.clone(),
                })
                .collect(),
        )),
    };
    let cached_bodies = index.map_or(&[][..], |i| context.heredoc_shells(i));
    let mut scripts = Vec::new();
    for (position, heredoc) in instruction.heredocs.iter().enumerate() {
        if line.runs_heredoc_as_shell(&heredoc.name) && !has_foreign_shebang(&heredoc.body.value) {
            let script = match cached_bodies.get(position) {
                Some(body) => Cow::Borrowed(body),
                // The source bytes keep their spans exact (with `<<-` the value has tabs
                // removed, which the shell ignores anyway).
                None => Cow::Owned(analyze_str(
                    context.source.slice(heredoc.body.span),
                    heredoc.body.span.start,
                )),
            };
            scripts.push(RunScript {
                script,
                heredoc: Some(heredoc),
            });
        }
    }
    scripts.insert(
        0,
        RunScript {
            script: line,
            heredoc: None,
        },
    );
    scripts
}

/// A heredoc body whose `#!` line names an interpreter that is not a POSIX-like shell.
pub(crate) fn has_foreign_shebang(body: &str) -> bool {
    let Some(first) = body.lines().next() else {
        return false;
    };
    let Some(interpreter) = first.strip_prefix("#!") else {
        return false;
    };
    let mut words = interpreter.split_whitespace();
    let mut program = words.next().unwrap_or("");
    if program.ends_with("/env") {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    let program = program.rsplit('/').next().unwrap_or(program);
    !(program.is_empty() || is_sh_family(program))
}

/// The targets of the RUN's `--mount=type=cache` and `--mount=type=tmpfs` flags.
pub(crate) fn cache_mount_targets(instruction: &Instruction) -> Vec<String> {
    let mut targets = Vec::new();
    for flag in instruction.flags_named("mount") {
        let Some(value) = &flag.value else { continue };
        let mut kind = "bind";
        let mut target = None;
        for field in value.value.split(',') {
            let (key, val) = field.split_once('=').unwrap_or((field, ""));
            match key.trim().to_ascii_lowercase().as_str() {
                "type" => kind = val.trim(),
                "target" | "dst" | "destination" => target = Some(val.trim()),
                _ => {}
            }
        }
        if matches!(kind, "cache" | "tmpfs")
            && let Some(target) = target
        {
            targets.push(target.trim_end_matches('/').to_string());
        }
    }
    targets
}

/// Whether one of `targets` (cache or tmpfs mount points) covers `dir` or lies inside it.
pub(crate) fn mounts_cover(targets: &[String], dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    targets.iter().any(|target| {
        let target = target.as_str();
        target == dir
            || dir.starts_with(&format!("{target}/"))
            || target.starts_with(&format!("{dir}/"))
    })
}

/// The RUN instructions of the stages that end up in the image, with their stage; an
/// `ONBUILD RUN` of those stages as the RUN it runs in every child image
/// ([`effective_stage_instructions`]).
pub(crate) fn final_image_runs(dockerfile: &Dockerfile) -> Vec<(&Stage, &Instruction)> {
    let marks = reaches_image(dockerfile);
    let mut runs = Vec::new();
    for stage in &dockerfile.stages {
        if !marks.get(stage.index).copied().unwrap_or(false) {
            continue;
        }
        for run in effective_stage_instructions(dockerfile, stage) {
            if matches!(run.instruction.command, Command::Run(_)) {
                runs.push((stage, run.instruction));
            }
        }
    }
    runs
}

/// The subcommand of a package manager call (`install` in `apt-get -o X=y -q install curl`):
/// the first word that is not a flag nor the value of a flag that takes one.
pub(crate) fn package_subcommand<'a>(view: &CommandView<'a>) -> Option<&'a Word> {
    const VALUE_FLAGS: &[&str] = &[
        "-o",
        "-c",
        "-t",
        "--option",
        "--config-file",
        "--target-release",
        "--setopt",
        "--installroot",
        "--releasever",
        "--repo",
        "--enablerepo",
        "--disablerepo",
        "-x",
        "--exclude",
        "-R",
        "--root",
        "-D",
        "--config",
    ];
    let mut skip_next = false;
    for word in view.args {
        if skip_next {
            skip_next = false;
            continue;
        }
        let value = word.value.as_str();
        if VALUE_FLAGS.contains(&value) {
            skip_next = true;
            continue;
        }
        if !value.starts_with('-') {
            return Some(word);
        }
    }
    None
}

/// Whether any `rm` in the scripts removes a path under `dir`.
pub(crate) fn removes_under(scripts: &[RunScript<'_>], dir: &str) -> bool {
    scripts.iter().any(|run| {
        run.script.invocations("rm").any(|(_, view)| {
            view.args.iter().any(|arg| {
                let path = arg.value.trim_end_matches(['*', '/']);
                !path.is_empty()
                    && (path.starts_with(dir) || dir.starts_with(path) && path.len() > 5)
            })
        })
    })
}

/// An edit that ends the script of `instruction` (a RUN, or the RUN an `ONBUILD` wraps) with
/// `command`, so that it runs after everything else the script does: ` && command` at the end
/// of a shell-form RUN line, or a line of its own at the end of the heredoc body `at` lies in
/// (`at` is a word of the command that asks for it). `None` where that cannot be done
/// faithfully: exec form, a shell that is not POSIX-like, a RUN line with heredocs, and a
/// script that does not parse or does not end with a simple command (a trailing comment, `;`,
/// `&`, or a compound command's `fi`, `done`, `}`).
pub(crate) fn append_command(
    context: &DockerfileContext<'_>,
    shells: &Shells<'_>,
    instruction: &Instruction,
    at: Span,
    command: &str,
) -> Option<Edit> {
    let index = context.instruction_index(instruction)?;
    if !shells.at(context.dockerfile, index).is_posix() {
        return None;
    }
    let Command::Run(ShellOrExec::Shell(text)) = &instruction.command else {
        return None;
    };
    let source = context.source.text.as_str();
    // The analyses already made (and cached) for the rules: the script must parse and end with
    // a command, so that one more after it parses too.
    let escape = context.dockerfile.escape;
    let ends_with_command = |script: &ShellScript, end: usize| {
        script.error().is_none()
            && last_command(script).is_some_and(|last| {
                last.span.end <= end
                    && source
                        .get(last.span.end..end)
                        .is_some_and(|rest| only_closers(rest, escape))
            })
    };
    if let Some(position) = instruction
        .heredocs
        .iter()
        .position(|heredoc| heredoc.body.span.start <= at.start && at.end <= heredoc.body.span.end)
    {
        let body_span = instruction.heredocs[position].body.span;
        let body = source.get(body_span.start..body_span.end)?;
        let script = context.heredoc_shells(index).get(position)?;
        if !body.ends_with('\n')
            || !ends_with_command(script, body_span.start + body.trim_end().len())
        {
            return None;
        }
        return Some(Edit {
            span: Span::empty(body_span.end),
            replacement: format!("{command}\n"),
        });
    }
    let in_line = text.span.start <= at.start && at.end <= text.span.end;
    if !(instruction.heredocs.is_empty() && in_line) {
        return None;
    }
    let written = text.value.trim_end();
    let (last_start, last_char) = written.char_indices().last()?;
    let end = text.source_offset(last_start) + last_char.len_utf8();
    if !ends_with_command(context.shell(index)?, end) {
        return None;
    }
    Some(Edit {
        span: Span::empty(end),
        replacement: format!(" && {command}"),
    })
}

/// Whether `rest`, what follows a script's last simple command, only closes compound commands
/// (`; fi`, `; done`, `; }`, `)`, `;; esac`, with line breaks and continuations) and ends with
/// such a closer or nothing, so that ` && next` may follow it. A trailing `;`, `&` or comment
/// does not.
fn only_closers(rest: &str, escape: char) -> bool {
    let separator = |c: char| c.is_whitespace() || c == ';' || c == escape;
    let closes = rest
        .split(separator)
        .filter(|word| !word.is_empty())
        .all(|word| matches!(word, "fi" | "done" | "esac" | "}") || word.chars().all(|c| c == ')'));
    let ends = rest.trim_end_matches(|c: char| c.is_whitespace() || c == escape);
    closes && (ends.is_empty() || !ends.ends_with(';'))
}

/// The last top-level command of a script (not one inside `$(…)` or `sh -c '…'`).
fn last_command(script: &ShellScript) -> Option<&SimpleCommand> {
    script
        .commands
        .iter()
        .filter(|command| !command.in_substitution && !command.in_shell_string)
        .max_by_key(|command| command.span.start)
}

/// Whether `command` switches to another user before running the program it wraps (`sudo`,
/// `doas`): a command added beside it would run as the RUN's own user.
pub(crate) fn runs_as_other_user(command: &SimpleCommand) -> bool {
    let effective = command.effective().name.map(|name| name.span);
    std::iter::once(command.name.as_ref())
        .flatten()
        .chain(command.args.iter())
        .take_while(|word| Some(word.span) != effective)
        .any(|word| {
            let program = word.value.rsplit('/').next().unwrap_or_default();
            matches!(program, "sudo" | "doas" | "su" | "runuser")
        })
}

/// Edit distance with adjacent transpositions (optimal string alignment) over chars, for
/// did-you-mean hints on short words: `VERISON` is one edit from `VERSION`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest_within(word, candidates, &mut TypoBudget::unlimited())
}

/// The work did-you-mean lookups of one rule on one file may do, in character comparisons: each
/// lookup compares a word with every candidate, so thousands of names and thousands of
/// misspellings would be quadratic. 1 Mi plus 8 per byte of the file; past it, lookups find
/// nothing (no hint, and no finding that needs one).
pub(crate) struct TypoBudget {
    remaining: usize,
}

impl TypoBudget {
    pub(crate) fn for_text(text_len: usize) -> Self {
        Self {
            remaining: (1usize << 20).saturating_add(text_len.saturating_mul(8)),
        }
    }

    /// For lookups among a fixed, small set of candidates (known flags).
    pub(crate) fn unlimited() -> Self {
        Self {
            remaining: usize::MAX,
        }
    }

    /// Take `cost` from the budget; `false` (and the budget spent) when it is not there.
    fn spend(&mut self, cost: usize) -> bool {
        match self.remaining.checked_sub(cost) {
            Some(left) => {
                self.remaining = left;
                true
            }
            None => {
                self.remaining = 0;
                false
            }
        }
    }
}

/// How [`nearest_within`] compares.
pub(crate) struct Nearness {
    /// The largest edit distance that counts.
    pub limit: usize,
    /// Compare ignoring ASCII case.
    pub case_blind: bool,
    /// A candidate equal to the word does not count (it is the word itself, not a fix).
    pub exclude_equal: bool,
    /// Candidates with fewer characters are skipped.
    pub min_chars: usize,
}

/// The nearest candidate to `word` (the first of the nearest, in iteration order), or `None`,
/// also when `budget` runs out: every candidate visited is charged, so once it is spent a
/// lookup costs nothing and the rule stays linear in the file.
pub(crate) fn nearest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    nearness: &Nearness,
    budget: &mut TypoBudget,
) -> Option<&'a str> {
    if budget.remaining == 0 {
        return None;
    }
    let word: Cow<str> = if nearness.case_blind {
        Cow::Owned(word.to_ascii_lowercase())
    } else {
        Cow::Borrowed(word)
    };
    let word_chars = word.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let length = candidate.chars().count();
        // The distance is at least the difference in length: most candidates stop here.
        let compare = length >= nearness.min_chars && length.abs_diff(word_chars) <= nearness.limit;
        let cost = 1
            + candidate.len()
            + if compare {
                word.len() * candidate.len()
            } else {
                0
            };
        if !budget.spend(cost) {
            return None;
        }
        if !compare {
            continue;
        }
        let distance = if nearness.case_blind {
            edit_distance(&word, &candidate.to_ascii_lowercase())
        } else {
            edit_distance(&word, candidate)
        };
        if distance <= nearness.limit
            && !(nearness.exclude_equal && distance == 0)
            && best.is_none_or(|(nearest, _)| distance < nearest)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// [`closest`] under a work budget.
pub(crate) fn closest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    budget: &mut TypoBudget,
) -> Option<&'a str> {
    let nearness = Nearness {
        limit: if word.chars().count() <= 4 { 1 } else { 2 },
        case_blind: true,
        exclude_equal: false,
        min_chars: 0,
    };
    nearest_within(word, candidates, &nearness, budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("chown", "chmod"), 3);
        assert_eq!(edit_distance("form", "from"), 1);
        assert_eq!(edit_distance("APP_VERISON", "APP_VERSION"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("builder", "buider"), 1);
        assert_eq!(closest("buider", ["builder", "final"]), Some("builder"));
        assert_eq!(closest("xyz", ["builder"]), None);
    }

    #[test]
    fn foreign_shebangs() {
        assert!(has_foreign_shebang("#!/usr/bin/env python3\nprint(1)\n"));
        assert!(!has_foreign_shebang("#!/bin/bash -e\nls\n"));
        assert!(!has_foreign_shebang("#!/usr/bin/env bash\nls\n"));
        assert!(!has_foreign_shebang("ls\n"));
    }

    #[test]
    fn mount_cover() {
        let targets = vec!["/var/cache/apt".to_string()];
        assert!(mounts_cover(&targets, "/var/cache/apt"));
        assert!(mounts_cover(&targets, "/var/cache/apt/archives/"));
        assert!(!mounts_cover(&targets, "/var/lib/apt"));
    }
}
