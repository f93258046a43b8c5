//! DF063 apt-get-update-alone: a RUN that only refreshes package lists (`apt-get update`,
//! `apk update`), whose cached layer later installs from stale lists.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::{Shells, effective_instructions};
use crate::syntax::dockerfile::shell::{ShellScript, SimpleCommand};
use crate::syntax::dockerfile::{Command, Instruction, Keyword, ShellOrExec, ShellText};
use crate::syntax::span::Span;

use super::build_support::{package_subcommand, run_scripts};

pub static APT_GET_UPDATE_ALONE: Rule = Rule {
    code: "DF063",
    name: "apt-get-update-alone",
    summary: "A RUN refreshes package lists without installing; its cached layer goes stale",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["trivy:DS-0017"],
    docs: include_str!("apt_get_update_alone.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Commands that do not use the refreshed lists and cannot hide an install.
fn is_incidental(program: &str) -> bool {
    matches!(
        program,
        "set" | "echo" | "true" | ":" | "export" | "rm" | "printf"
    )
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let shells = std::cell::OnceCell::new();
    for run in effective_instructions(context.dockerfile) {
        let instruction = run.instruction;
        if instruction.keyword != Keyword::Run {
            continue;
        }
        let scripts = run_scripts(context, instruction);
        let mut update = None;
        let mut uses_lists = false;
        for run in &scripts {
            for command in &run.script.commands {
                let view = command.effective();
                let Some(program) = view.program() else {
                    continue;
                };
                let subcommand = package_subcommand(&view).map(|s| (s, s.value.as_str()));
                match (program, subcommand) {
                    ("apt-get" | "apt" | "apk", Some((word, "update"))) => {
                        update.get_or_insert((program, word));
                    }
                    ("apt-get" | "apt" | "apk", Some((_, "clean" | "autoclean"))) => {}
                    _ if is_incidental(program) => {}
                    _ => uses_lists = true,
                }
            }
        }
        let Some((program, word)) = update else {
            continue;
        };
        if uses_lists {
            continue;
        }
        let install = if program == "apk" {
            "apk add"
        } else {
            "apt-get install"
        };
        let finding = out.report(
            word.span,
            format!("`{program} update` alone in a RUN: the cached layer keeps old lists, so a later `{install}` may fail or install outdated packages"),
        )
        .with_help(format!("update and install in the same RUN: `{program} update && {install} …`"));
        if run.is_trigger {
            continue;
        }
        let shells = shells.get_or_init(|| Shells::new(context.dockerfile));
        if let Some((edit, message)) = merge_with_next(context, shells, run.index, program) {
            finding.with_fix(Fix {
                message: message.into(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
    }
}

/// The shell-form text of a RUN without heredocs, run by a POSIX shell.
fn plain_run<'a>(
    context: &DockerfileContext<'a>,
    shells: &Shells<'_>,
    index: usize,
) -> Option<&'a ShellText> {
    let instruction: &Instruction = context.dockerfile.instructions.get(index)?;
    match &instruction.command {
        Command::Run(ShellOrExec::Shell(text))
            if instruction.heredocs.is_empty()
                && shells.at(context.dockerfile, index).is_posix() =>
        {
            Some(text)
        }
        _ => None,
    }
}

/// The commands of a script at its top level, in order (not inside `$(…)` or `sh -c`).
fn top_level(script: &ShellScript) -> Vec<&SimpleCommand> {
    let mut commands: Vec<&SimpleCommand> = script
        .commands
        .iter()
        .filter(|command| !command.in_substitution && !command.in_shell_string)
        .collect();
    commands.sort_by_key(|command| command.span.start);
    commands
}

/// An edit that joins the RUN at `index` (which only updates) with the RUN right after it,
/// `RUN apt-get update` + `RUN apt-get install …` → `RUN apt-get update && apt-get install …`,
/// or removes it when that RUN starts by updating again, when nothing changes but the build
/// cache: the next instruction is a RUN of the same stage
/// with the same flags, nothing (not even a comment) stands between them, the next RUN calls
/// the same package manager, and its script is one `&&` chain of simple commands and pipelines,
/// so that `update && …` stops at the same failures (an `||` or `;` would run on after a
/// failed update, which the separate RUN did not).
fn merge_with_next(
    context: &DockerfileContext<'_>,
    shells: &Shells<'_>,
    index: usize,
    program: &str,
) -> Option<(Edit, &'static str)> {
    let instructions = &context.dockerfile.instructions;
    let (update, next) = (instructions.get(index)?, instructions.get(index + 1)?);
    if next.keyword != Keyword::Run || next.stage != update.stage {
        return None;
    }
    let source = context.source.text.as_str();
    let flags = |instruction: &Instruction| -> Vec<&str> {
        instruction
            .flags
            .iter()
            .map(|flag| flag.span.text(source))
            .collect()
    };
    if flags(update) != flags(next) {
        return None;
    }
    let between = source.get(update.span.end..next.span.start)?;
    if !between.trim().is_empty() {
        return None;
    }
    let (first, second) = (
        plain_run(context, shells, index)?,
        plain_run(context, shells, index + 1)?,
    );
    // The analyses made for the rules (source spans), not new ones.
    let script = context.shell(index + 1)?;
    let commands = top_level(script);
    let family: &[&str] = if program == "apk" {
        &["apk"]
    } else {
        &["apt-get", "apt", "aptitude"]
    };
    let manager = |command: &SimpleCommand| {
        command
            .effective()
            .program()
            .is_some_and(|p| family.contains(&p))
    };
    if !commands.iter().any(|command| manager(command)) || script.error().is_some() {
        return None;
    }
    let (head, tail) = (commands.first()?, commands.last()?);
    // The next RUN starts by updating again: this one is redundant.
    if manager(head)
        && package_subcommand(&head.effective()).is_some_and(|word| word.value == "update")
    {
        return Some((
            Edit {
                span: Span::new(update.span.start, next.span.start),
                replacement: String::new(),
            },
            "remove this RUN: the next one updates the lists itself",
        ));
    }
    // The update's script must end with a command (no trailing comment, `;` or `&`).
    let written = first.value.trim_end();
    let (last_start, last_char) = written.char_indices().last()?;
    let end = first.source_offset(last_start) + last_char.len_utf8();
    let first_script = context.shell(index)?;
    if top_level(first_script).last()?.span.end != end || first_script.error().is_some() {
        return None;
    }
    // Between the commands of the next RUN only `&&` and `|`, line continuations aside.
    let escape = context.dockerfile.escape;
    let blank = |text: &str| text.chars().all(|c| c.is_whitespace() || c == escape);
    let only_and = commands.windows(2).all(|pair| {
        let gap = source
            .get(pair[0].span.end..pair[1].span.start)
            .unwrap_or(";");
        let operator: String = gap
            .chars()
            .filter(|c| !c.is_whitespace() && *c != escape)
            .collect();
        matches!(operator.as_str(), "&&" | "|")
    });
    let before = source.get(second.span.start..head.span.start)?;
    let after = source.get(tail.span.end..second.span.end)?;
    if !only_and || !blank(before) || !blank(after) {
        return None;
    }
    Some((
        Edit {
            span: Span::new(end, head.span.start),
            replacement: " && ".into(),
        },
        "run the next RUN's commands in this one",
    ))
}
