//! Helpers for the rules that judge the commands of RUN instructions (package pinning, TLS
//! bypass, remote scripts, privilege): every simple command a build runs, and the operands of a
//! package-manager command with its option values skipped. Not a rule itself.

use crate::linter::rule::DockerfileContext;
use crate::semantic::{Shells, is_sh_family};
use crate::syntax::dockerfile::shell::{self, CommandView, PipelinePos, SimpleCommand, Word};
use crate::syntax::dockerfile::{Command, ShellOrExec};

/// Every simple command a RUN (or `ONBUILD RUN`) runs: shell form, heredoc bodies run by a
/// shell, and exec form (as one command whose words are the JSON strings), in file order.
/// Shell-form RUNs of a stage whose `SHELL` is PowerShell or cmd are not POSIX shell and are
/// left out. Shell analyses come from the file's shared cache ([`DockerfileContext::shell`]),
/// and the list itself is collected once per file and shared by every rule that asks.
pub(crate) fn run_commands<'a>(context: &DockerfileContext<'a>) -> &'a [SimpleCommand] {
    let shells = context.shells;
    shells
        .run_commands
        .get_or_init(|| collect_run_commands(context))
}

fn collect_run_commands(context: &DockerfileContext<'_>) -> Vec<SimpleCommand> {
    let (source, dockerfile) = (context.source, context.dockerfile);
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
                commands.extend(script.commands.iter().cloned());
                // The heredoc bodies that a shell runs.
                for (heredoc, body) in instruction
                    .heredocs
                    .iter()
                    .zip(context.heredoc_shells(index))
                {
                    if script.runs_heredoc_as_shell(&heredoc.name) {
                        commands.extend(body.commands.iter().cloned());
                    }
                }
            }
            ShellOrExec::Exec(words) => {
                let mut words = words.iter().map(|word| Word {
                    span: word.span,
                    raw: source.slice(word.span).to_owned(),
                    value: word.value.clone(),
                });
                let Some(name) = words.next() else {
                    continue;
                };
                let args: Vec<Word> = words.collect();
                let span = args
                    .last()
                    .map_or(name.span, |last| name.span.cover(last.span));
                let command = SimpleCommand {
                    span,
                    assignments: Vec::new(),
                    name: Some(name),
                    args,
                    redirects: Vec::new(),
                    pipeline: PipelinePos { index: 0, len: 1 },
                    in_substitution: false,
                    in_shell_string: false,
                };
                // `["sh", "-c", "apt-get install curl"]`: the script string is shell text.
                if let Some(script) = exec_shell_script(&command) {
                    commands.extend(shell::analyze_str(&script.1, script.0).commands);
                }
                commands.push(command);
            }
        }
    }
    commands
}

/// The script of an exec-form `["sh", "-c", "script"]`, with the offset of its first byte,
/// when the JSON string has no escapes (so offsets map one to one).
fn exec_shell_script(command: &SimpleCommand) -> Option<(usize, String)> {
    let view = command.view();
    if !is_sh_family(view.program()?) {
        return None;
    }
    let (flag, rest) = view.args.split_first()?;
    if !(flag.value.starts_with('-') && flag.value.contains('c')) {
        return None;
    }
    let script = rest.first()?;
    // The span may or may not include the JSON quotes; either way the text must equal the
    // value for offsets to map.
    let (start, inner) = match script
        .raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
    {
        Some(inner) => (script.span.start + 1, inner),
        None => (script.span.start, script.raw.as_str()),
    };
    (inner == script.value).then(|| (start, script.value.clone()))
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
        let context = DockerfileContext {
            source: &source,
            dockerfile: &dockerfile,
            options: &RuleOptions::EMPTY,
            shells: &shells,
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
                "npm install -g yarn",
                "sh\", \"-c\", \"npm install -g yarn",
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
