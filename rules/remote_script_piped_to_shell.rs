//! DF021 remote-script-piped-to-shell: a script downloaded by `curl`/`wget` runs without being
//! checked (`curl … | sh`, `sh -c "$(curl …)"`, `bash <(curl …)`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::is_sh_family;
use crate::syntax::dockerfile::shell::{CommandView, SimpleCommand, Word};

use super::run_commands::run_commands;

pub static REMOTE_SCRIPT_PIPED_TO_SHELL: Rule = Rule {
    code: "DF021",
    name: "remote-script-piped-to-shell",
    summary: "A script downloaded with `curl`/`wget` runs unverified (`curl … | sh`)",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &["nist-800-190:3.1.5", "cwe:494"],
    docs: include_str!("remote_script_piped_to_shell.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "download the script to a file, check it against a pinned checksum \
                    (`echo \"<sha256>  install.sh\" | sha256sum -c`) or signature, then run it";

/// Programs that download.
const FETCHERS: &[&str] = &["curl", "wget", "fetch"];
const INTERPRETERS: &[&str] = &[
    "python", "python2", "python3", "perl", "ruby", "node", "php",
];

/// Whether the command runs the program text it reads on standard input.
fn runs_stdin(view: &CommandView<'_>) -> bool {
    let Some(program) = view.program() else {
        return false;
    };
    let operand = view
        .args
        .iter()
        .take_while(|word| word.value != "--")
        .find(|word| !word.value.starts_with('-') || word.value == "-");
    if is_sh_family(program) {
        // `sh -c 'script'` reads its script from the argument; `sh -s` and `sh` alone read stdin.
        let has_c = view
            .flags()
            .any(|flag| !flag.starts_with("--") && flag.contains('c'));
        let has_s = view.has_short_flag('s');
        return !has_c && (has_s || operand.is_none_or(|word| word.value == "-"));
    }
    let is_interpreter = INTERPRETERS.contains(&program)
        || program
            .strip_prefix("python3.")
            .is_some_and(|minor| minor.bytes().all(|b| b.is_ascii_digit()));
    // `python3 -c '…'` and `perl -e '…'` take code from the argument; stdin is data.
    let inline_code = view.flags().any(|flag| {
        matches!(flag, "-c" | "-e" | "-E" | "-r" | "-p" | "-n" | "-m") || flag == "--eval"
    });
    is_interpreter && !inline_code && operand.is_none_or(|word| word.value == "-")
}

/// The downloader that the text of a substitution runs: `$(curl …)`, `` `wget …` ``, `<(curl …)`.
fn fetcher_in_substitution(word: &Word) -> Option<&'static str> {
    let value = word.value.as_str();
    FETCHERS.iter().copied().find(|fetcher| {
        ["$(", "`", "<("].iter().any(|open| {
            value.match_indices(open).any(|(at, _)| {
                let inner = value.get(at + open.len()..).unwrap_or("").trim_start();
                let first = inner.split_whitespace().next().unwrap_or("");
                first.rsplit('/').next() == Some(fetcher)
            })
        })
    })
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let commands = run_commands(context);
    for (position, command) in commands.iter().enumerate() {
        let view = command.effective();
        let Some(runner) = view.name else {
            continue;
        };
        let Some(program) = view.program() else {
            continue;
        };
        // `curl … | sh`: a downloader earlier in the same pipeline.
        if command.pipeline.reads_pipe()
            && runs_stdin(&view)
            && let Some(fetcher) = pipeline_fetcher(commands, position)
        {
            let fetcher_name = fetcher.effective().program().unwrap_or("curl");
            let finding = out.report(
                runner.span,
                format!(
                    "`{program}` runs a script piped from `{fetcher_name}` without checking it"
                ),
            );
            finding.with_help(HELP);
            if let Some(name) = fetcher.effective().name {
                finding.with_label(name.span, "the script is downloaded here");
            }
            continue;
        }
        // `sh -c "$(curl …)"`, `bash <(curl …)`, `eval "$(curl …)"`, `source <(curl …)`.
        let runs_text = is_sh_family(program) || matches!(program, "eval" | "source" | ".");
        if !runs_text {
            continue;
        }
        let script = match program {
            "eval" | "source" | "." => view.args.first(),
            _ => view.args.iter().find(|word| !word.value.starts_with('-')),
        };
        if let Some(script) = script
            && let Some(fetcher) = fetcher_in_substitution(script)
        {
            out.report(
                runner.span,
                format!("`{program}` runs a script downloaded by `{fetcher}` without checking it"),
            )
            .with_label(script.span, "the script is downloaded here")
            .with_help(HELP);
        }
    }
}

/// The downloader that feeds the pipeline of `commands[position]`, if any: an earlier member
/// of the same pipeline.
fn pipeline_fetcher<'a>(
    commands: &[&'a SimpleCommand],
    position: usize,
) -> Option<&'a SimpleCommand> {
    let command = commands.get(position)?;
    let mut expected = command.pipeline.index;
    for earlier in commands.get(..position)?.iter().rev() {
        if expected == 0 {
            break;
        }
        if earlier.in_substitution != command.in_substitution
            || earlier.in_shell_string != command.in_shell_string
            || earlier.pipeline.len != command.pipeline.len
            || earlier.pipeline.index >= expected
        {
            continue;
        }
        expected = earlier.pipeline.index;
        let program = earlier.effective().program();
        if program.is_some_and(|p| FETCHERS.contains(&p)) && downloads_to_stdout(earlier) {
            return Some(earlier);
        }
    }
    None
}

/// `wget` writes to a file unless told `-O -`/`-O-`/`-qO-`; `curl` writes to stdout unless
/// `-o`/`-O` is given.
fn downloads_to_stdout(command: &SimpleCommand) -> bool {
    let view = command.effective();
    match view.program() {
        Some("wget") => view.args.iter().enumerate().any(|(index, word)| {
            let value = word.value.as_str();
            let short_group = value.starts_with('-') && !value.starts_with("--");
            (short_group && value.ends_with("O-"))
                || value == "--output-document=-"
                || ((value == "-O"
                    || (short_group && value.ends_with('O'))
                    || value == "--output-document")
                    && view
                        .args
                        .get(index + 1)
                        .is_some_and(|next| next.value == "-"))
        }),
        Some("curl") => !view.flags().any(|flag| {
            let short = !flag.starts_with("--") && flag.contains(['o', 'O']);
            short || flag.starts_with("--output") || flag.starts_with("--remote-name")
        }),
        _ => true,
    }
}
