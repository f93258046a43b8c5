//! Helpers for the rules that judge the commands of RUN instructions (package pinning, TLS
//! bypass, remote scripts, privilege): every simple command a build runs, and the operands of a
//! package-manager command with its option values skipped. Not a rule itself.

use crate::linter::diagnostic::Edit;
use crate::linter::rule::DockerfileContext;
use crate::semantic::Shells;
use crate::syntax::dockerfile::shell::{CommandView, SimpleCommand, Word};
use crate::syntax::dockerfile::{Command, ShellOrExec};
use crate::syntax::span::Span;

/// Every simple command a RUN (or `ONBUILD RUN`) runs: shell form, heredoc bodies run by a
/// shell, and exec form (as one command whose words are the JSON strings), in file order.
/// Shell-form RUNs of a stage whose `SHELL` is PowerShell or cmd are not POSIX shell and are
/// left out. Shell analyses come from the file's shared cache ([`DockerfileContext::shell`]),
/// and the list itself is collected once per file and shared by every rule that asks.
pub(crate) fn run_commands<'a>(context: &DockerfileContext<'a>) -> &'a [&'a SimpleCommand] {
    context
        .run_commands
        .get_or_init(|| collect_run_commands(context))
}

fn collect_run_commands<'a>(context: &DockerfileContext<'a>) -> Vec<&'a SimpleCommand> {
    let dockerfile = context.dockerfile;
    let mut commands = Vec::new();
    let shells = Shells::new(dockerfile);
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        // Only PowerShell and cmd are left out (the deny-list; see `semantic::shell`).
        let in_posix_shell = shells.at(dockerfile, index).may_be_posix();
        let instruction = instruction.trigger_or_self();
        let Command::Run(body) = &instruction.command else {
            continue;
        };
        match body {
            ShellOrExec::Shell(_) if !in_posix_shell => {}
            ShellOrExec::Shell(_) => {
                let Some(script) = context.shell(index) else {
                    continue;
                };
                commands.extend(script.commands.iter());
                // The heredoc bodies that a shell runs.
                for (heredoc, body) in instruction
                    .heredocs
                    .iter()
                    .zip(context.heredoc_shells(index))
                {
                    if script.runs_heredoc_as_shell(&heredoc.name) {
                        commands.extend(body.commands.iter());
                    }
                }
            }
            // No SHELL runs the exec form: its words are one command, and the script of
            // `["sh", "-c", "…"]` is shell text (`shell::analyze_exec`).
            ShellOrExec::Exec(_) => {
                if let Some(script) = context.shell(index) {
                    commands.extend(script.commands.iter());
                }
            }
        }
    }
    commands
}

/// An edit that adds `argument` as a new word right after the word at `after`: ` argument` in
/// shell text, and `", "argument` after a word of an exec-form JSON array, whose span lies
/// inside its quotes (`["apk", "add"` → `["apk", "add", "--no-cache"`), so the fix keeps the
/// JSON valid and the argument a word of its own.
pub(crate) fn argument_after(source: &str, after: Span, argument: &str) -> Edit {
    let bytes = source.as_bytes();
    let quoted = after.start.checked_sub(1).and_then(|i| bytes.get(i)) == Some(&b'"')
        && bytes.get(after.end) == Some(&b'"');
    let in_array = quoted
        && source
            .get(..after.start - 1)
            .and_then(|before| before.trim_end().chars().last())
            .is_some_and(|c| matches!(c, '[' | ','));
    Edit {
        span: Span::empty(after.end),
        replacement: if in_array {
            format!("\", \"{argument}")
        } else {
            format!(" {argument}")
        },
    }
}

/// A command's subcommand and operands, with options (and the values of the options in
/// `value_options`) skipped.
pub(crate) struct Operands<'a> {
    pub subcommand: Option<&'a Word>,
    /// The words after the subcommand that are not options or option values.
    pub operands: Vec<&'a Word>,
}

/// Splits `view`'s arguments: the first operand is the subcommand, the rest are operands.
/// `value_options` lists the options that take a separate value (`-o`, `--repo`).
pub(crate) fn operands<'a>(view: &CommandView<'a>, value_options: &[&str]) -> Operands<'a> {
    let mut subcommand = None;
    let mut operands = Vec::new();
    let mut args = view.args.iter();
    let mut options_ended = false;
    while let Some(word) = args.next() {
        let value = word.value.as_str();
        if !options_ended && value == "--" {
            options_ended = true;
            continue;
        }
        if !options_ended && value.starts_with('-') && value.len() > 1 {
            if value_options.contains(&value) {
                args.next();
            }
            continue;
        }
        if subcommand.is_none() {
            subcommand = Some(word);
        } else {
            operands.push(word);
        }
    }
    Operands {
        subcommand,
        operands,
    }
}

/// Whether a word's value depends on a variable or a command substitution, so it cannot be
/// judged.
pub(crate) fn is_dynamic(word: &Word) -> bool {
    word.value.contains('$') || word.value.contains('`')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::rule::{RuleOptions, ShellCache};
    use crate::syntax::source::{FileKind, SourceFile};

    fn with_context<T>(text: &str, f: impl FnOnce(&DockerfileContext<'_>) -> T) -> T {
        let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let dockerfile = crate::syntax::dockerfile::parse(&source.text);
        let shells = ShellCache::new(dockerfile.instructions.len());
        let commands = std::sync::OnceLock::new();
        let context = DockerfileContext {
            source: &source,
            dockerfile: &dockerfile,
            options: &RuleOptions::EMPTY,
            shells: &shells,
            run_commands: &commands,
            non_root_images: &crate::semantic::NonRootImages::default(),
            workspace: &crate::linter::project::NoWorkspace,
        };
        f(&context)
    }

    fn commands(text: &str) -> Vec<String> {
        with_context(text, |context| {
            run_commands(context)
                .iter()
                .map(|command| context.source.slice(command.span).to_owned())
                .collect()
        })
    }

    #[test]
    fn collects_shell_heredoc_exec_and_onbuild() {
        let text = "FROM a\nRUN apt-get update && apt-get install -y curl\n\
                    RUN <<EOF\nset -e\napk add git\nEOF\n\
                    RUN python3 <<EOF\nprint(1)\nEOF\n\
                    RUN [\"pip\", \"install\", \"flask\"]\n\
                    RUN [\"sh\", \"-c\", \"npm install -g yarn\"]\n\
                    ONBUILD RUN gem install rails\n";
        assert_eq!(
            commands(text),
            vec![
                "apt-get update",
                "apt-get install -y curl",
                "<<EOF",
                "set -e",
                "apk add git",
                "python3 <<EOF",
                "pip\", \"install\", \"flask",
                "sh\", \"-c\", \"npm install -g yarn",
                "npm install -g yarn",
                "gem install rails",
            ]
        );
    }

    #[test]
    fn shell_analyses_are_computed_once_per_file() {
        let text =
            "FROM a\nRUN apk add git\nRUN cat <<EOF > /x\nhi\nEOF\nCOPY a b\nONBUILD RUN make\n";
        with_context(text, |context| {
            let first = context.shell(1).expect("a shell-form RUN");
            assert!(std::ptr::eq(first, context.shell(1).unwrap()));
            assert_eq!(first.commands.len(), 1);
            assert!(context.shell(0).is_none(), "FROM is not a RUN");
            assert!(context.shell(3).is_none(), "COPY is not a RUN");
            assert_eq!(context.shell(4).unwrap().commands.len(), 1, "ONBUILD RUN");
            assert!(context.shell(99).is_none());
            assert_eq!(context.heredoc_shells(2).len(), 1);
            let run = &context.dockerfile.instructions[2];
            assert_eq!(context.instruction_index(run), Some(2));
            let trigger = context.dockerfile.instructions[4].trigger().unwrap();
            assert_eq!(
                context.instruction_index(trigger),
                Some(4),
                "ONBUILD's trigger"
            );
            let copy = context.dockerfile.instructions[3].clone();
            assert_eq!(
                context.instruction_index(&copy),
                None,
                "a copy is not in the file"
            );
        });
    }

    #[test]
    fn arguments_are_added_as_words_of_their_own() {
        let text = "RUN [\"apk\", \"add\", \"git\"]\nRUN apk add git\nRUN [\"sh\", \"-c\", \"apk add git\"]\n";
        let fixed = |word: &str, nth: usize| {
            let start = text.match_indices(word).nth(nth).unwrap().0;
            let edit = argument_after(text, Span::new(start, start + word.len()), "--no-cache");
            let mut out = text.to_owned();
            out.insert_str(edit.span.start, &edit.replacement);
            out.lines().nth(nth).unwrap().to_owned()
        };
        assert_eq!(
            fixed("add", 0),
            "RUN [\"apk\", \"add\", \"--no-cache\", \"git\"]"
        );
        assert_eq!(fixed("add", 1), "RUN apk add --no-cache git");
        assert_eq!(
            fixed("add", 2),
            "RUN [\"sh\", \"-c\", \"apk add --no-cache git\"]"
        );
    }

    #[test]
    fn powershell_stages_are_left_out() {
        let text = "FROM a AS win\nSHELL [\"powershell\", \"-Command\"]\nRUN curl -k $(x)\n\
                    FROM win\nRUN sudo x\nSHELL [\"/bin/sh\", \"-c\"]\nRUN apk add git\n\
                    FROM b\nRUN sudo y\n";
        assert_eq!(commands(text), vec!["apk add git", "sudo y"]);
    }

    #[test]
    fn operands_skip_options_and_their_values() {
        let text = "FROM a\nRUN apt-get -o Acquire::Retries=3 -y install -t bookworm curl -- -x\n";
        let (subcommand, values) = with_context(text, |context| {
            let commands = run_commands(context);
            let command = commands.first().expect("one command");
            let split = operands(&command.effective(), &["-o", "-t"]);
            (
                split.subcommand.map(|word| word.value.clone()),
                split
                    .operands
                    .iter()
                    .map(|w| w.value.clone())
                    .collect::<Vec<_>>(),
            )
        });
        assert_eq!(subcommand.as_deref(), Some("install"));
        assert_eq!(values, vec!["curl", "-x"]);
    }
}
