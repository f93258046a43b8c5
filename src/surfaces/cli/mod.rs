//! The command line: the arguments, the dispatch to one file per subcommand (`check`, `rules` and
//! `rule` in `rule_docs`, `test`, `lsp`, `compose`, `pin`), and the exit code: 0 clean, 1 findings at or above the
//! fail level, 2 usage, configuration or I/O errors. With the language server, the only code that
//! writes to stdout and stderr.

mod check;
mod compose;
mod docs_site;
mod fix;
mod lsp;
mod pin;
mod rule_docs;
mod test;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::workspace::config;
use crate::workspace::discover::io_message;

use check::CheckArgs;
use compose::ComposeArgs;
use lsp::{LspArgs, language_server};
use pin::PinArgs;
use rule_docs::{RuleArgs, RulesArgs, list_rules, show_rule};
use test::{TestArgs, test_examples};

#[derive(Debug, Parser)]
#[command(
    name = "plimsoll",
    version = env!("PLIMSOLL_LONG_VERSION"),
    about,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: the size of the `check` arguments does not matter.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Lint Dockerfiles and compose files (directories are searched, honouring .gitignore).
    Check(CheckArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Show the documentation of one rule.
    Rule(RuleArgs),
    /// Run the bad and good examples of every rule's docs and of every policy rule in effect;
    /// exit 1 when one misbehaves.
    Test(TestArgs),
    /// Compose projects as `docker compose` loads them (`plimsoll compose config`).
    Compose(ComposeArgs),
    /// Pin base images and compose images to the digest their tag points to now (asks the
    /// registries; the only command that uses the network).
    Pin(PinArgs),
    /// Run the language server on standard input and output (for editors).
    Lsp(LspArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write a man page per command (plimsoll.1, plimsoll-check.1, …) into DIR.
    Manpages {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Write the source of the docs site (an mdBook) into OUT (scripts/docs-site.sh).
    #[command(hide = true)]
    DocsSite(docs_site::DocsSiteArgs),
}

/// Exit code 2: usage, configuration and I/O errors.
const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version come through here too, and are not errors.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => check::check(args),
        Command::Rules(args) => list_rules(&args),
        Command::Rule(args) => show_rule(&args),
        Command::Test(args) => test_examples(&args),
        Command::Lsp(args) => language_server(args),
        Command::Compose(args) => compose::compose(args),
        Command::Pin(args) => pin::pin(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Generated into memory: the generator panics when its writer fails (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "plimsoll", &mut script);
            io::stdout()
                .lock()
                .write_all(&script)
                .map_err(Failure::from)
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Manpages { dir } => manpages(&dir),
        Command::DocsSite(args) => docs_site::docs_site(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure::Message(message)) => {
            eprintln!("plimsoll: error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
        // The reader went away (`plimsoll check | head`): nothing left to say.
        Err(Failure::BrokenPipe) => ExitCode::from(EXIT_ERROR),
    }
}

/// `plimsoll manpages DIR`: `plimsoll.1` and one page per subcommand, `plimsoll-check.1`, ….
fn manpages(dir: &std::path::Path) -> Result<ExitCode, Failure> {
    let failed = |path: &std::path::Path, err: io::Error| {
        Failure::Message(format!("{}: {}", path.display(), io_message(&err)))
    };
    std::fs::create_dir_all(dir).map_err(|err| failed(dir, err))?;
    let command = <Cli as clap::CommandFactory>::command();
    let mut pages = vec![("plimsoll".to_string(), command.clone())];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("plimsoll-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("plimsoll {}", sub.get_name()));
        pages.push((name, page));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut text = Vec::new();
        clap_mangen::Man::new(page)
            .title(name.to_uppercase())
            .render(&mut text)
            .map_err(|err| failed(&path, err))?;
        crate::workspace::atomic_write::write_atomically(&path, |out| out.write_all(&text))
            .map_err(|err| failed(&path, err))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Why a command stopped early; always exit code 2.
enum Failure {
    Message(String),
    BrokenPipe,
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        if err.kind() == io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Message(format!("cannot write output: {}", io_message(&err)))
        }
    }
}

/// The policy rules of the config that applies in `dir` (or of `--config`). Config and policy
/// errors stop the command (exit 2), each printed with its file:line:col.
fn policies_in_effect(
    dir: Option<&std::path::Path>,
    config: Option<&PathBuf>,
) -> Result<Vec<crate::policies::template::PolicyRule>, Failure> {
    policies_and_dirs_in_effect(dir, config).map(|(rules, _, _)| rules)
}

/// [`policies_in_effect`], with the policy directories of the config chain (the default
/// `.plimsoll/policies` of each config file, then its `policies:` entries) and the Rego sets
/// loaded.
fn policies_and_dirs_in_effect(
    dir: Option<&std::path::Path>,
    config: Option<&PathBuf>,
) -> Result<
    (
        Vec<crate::policies::template::PolicyRule>,
        Vec<PathBuf>,
        crate::policies::rego::SetCache,
    ),
    Failure,
> {
    let cwd = std::env::current_dir().map_err(|err| {
        Failure::Message(format!(
            "cannot read the working directory: {}",
            io_message(&err)
        ))
    })?;
    let mut resolver = config::Resolver::new(
        config::ResolveOptions {
            config: config.cloned(),
            isolated: false,
        },
        &cwd,
    );
    let dir = dir.unwrap_or(std::path::Path::new("."));
    if !resolver.absolute(dir).is_dir() {
        return Err(Failure::Message(format!(
            "`{}` is not a directory",
            dir.display()
        )));
    }
    // `chain_for` takes a file: the config for a file directly inside `dir`.
    let chain = resolver.chain_for(&dir.join("Dockerfile"));
    if let Some((last, others)) = resolver.errors().split_last() {
        for error in others {
            eprintln!("plimsoll: error: {error}");
        }
        return Err(Failure::Message(last.to_string()));
    }
    let dirs = chain
        .iter()
        .flat_map(|chain| chain.files.iter())
        .flat_map(|file| {
            std::iter::once(file.dir.join(config::policy::DEFAULT_DIR))
                .chain(file.policies.iter().cloned())
        })
        .collect();
    Ok((
        chain
            .map(|chain| chain.policy_rules().cloned().collect())
            .unwrap_or_default(),
        dirs,
        resolver.take_policy_cache().rego,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
