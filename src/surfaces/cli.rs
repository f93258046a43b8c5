//! The command line: `plimsoll check`, `plimsoll rules`, `plimsoll rule NAME`, `plimsoll lsp`.
//! The only module that writes to stdout and stderr, and the one that picks the exit code:
//! 0 clean, 1 findings at or above the fail level, 2 usage, configuration or I/O errors.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::linter::catalogue::Catalogue;
use crate::linter::diagnostic::Severity;
use crate::linter::engine;
use crate::linter::rule::RuleRef;
use crate::linter::rule::{FixAvailability, Rule, Status, Target};
use crate::linter::rules;
use crate::linter::selection::{self, closest};
use crate::report::{self, Format};
use crate::syntax::excerpt::printable;
use crate::syntax::source::FileKind;
use crate::workspace::atomic_write::write_atomically;
use crate::workspace::baseline::Baseline;
use crate::workspace::config;
use crate::workspace::discover::{self, io_message};
use crate::workspace::results::{FileError, FileResult, Results};
use crate::workspace::runner::{self, RunOptions, StdinInput};

#[derive(Debug, Parser)]
#[command(name = "plimsoll", version, about, max_term_width = 100)]
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
    /// Run the language server on standard input and output (for editors).
    Lsp(LspArgs),
}

#[derive(Debug, Args)]
struct LspArgs {
    /// Accepted and ignored: stdio is the only transport. Generic clients (vscode-languageclient
    /// with `TransportKind.stdio`, several Emacs and Sublime setups) pass it unasked.
    #[arg(long, hide = true)]
    stdio: bool,
    /// Use this config file for every document instead of the nearest `.plimsoll.yaml` (as
    /// `plimsoll check --config`; relative to the server's working directory).
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore all config files.
    #[arg(long)]
    isolated: bool,
    /// Do not check documents larger than this (one diagnostic says so): as `plimsoll check
    /// --max-file-size` [default: 8M].
    #[arg(long, value_name = "SIZE", env = "PLIMSOLL_MAX_FILE_SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
}

#[derive(Debug, Args)]
struct TestArgs {
    /// Test the policies of the config that applies in this directory (default: `.`).
    dir: Option<PathBuf>,
    /// Use this config file (and its policies) instead of the nearest `.plimsoll.yaml`.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Only the rules these selectors name (codes, names, categories, code prefixes, `all`).
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    select: Vec<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Files and directories to check; `-` reads standard input. Default: `.`.
    paths: Vec<PathBuf>,
    /// Output format, optionally with a file to write it to: `--format sarif=out.sarif`.
    /// Repeat to write several at once. Formats: text (default), compact, json, sarif, github,
    /// checkstyle, junit, gitlab, rdjson.
    #[arg(long, alias = "output-format", value_name = "FORMAT[=FILE]", value_parser = parse_format_spec)]
    format: Vec<FormatSpec>,
    /// Exit with 1 when a finding has this severity or a higher one [default: the config's
    /// `fail-level`, else info].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_level: Option<Severity>,
    /// Use this config file for every file instead of the nearest `.plimsoll.yaml`.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore all config files.
    #[arg(long)]
    isolated: bool,
    /// Apply the config's `exclude` to files named on the command line too (for pre-commit).
    #[arg(long)]
    force_exclude: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and report none of them).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Run only these rules: codes, names, categories, code prefixes or `all`.
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    select: Vec<String>,
    /// Run these rules in addition to the selected ones.
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    extend_select: Vec<String>,
    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    ignore: Vec<String>,
    /// Treat files named on the command line (and stdin) as this kind, whatever their name.
    #[arg(long, value_enum)]
    kind: Option<FileKind>,
    /// The file name to show for standard input (also used to tell its kind).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Number of worker threads (default: one per core); capped at one per file, four per
    /// core and 256.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Refuse files (and stdin) larger than this, with an error: bytes, or with a `K`, `M` or
    /// `G` suffix (powers of 1024); `0` for no limit [default: 8M]. See docs/limits.md.
    #[arg(long, value_name = "SIZE", env = "PLIMSOLL_MAX_FILE_SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
    /// When to use colours.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Never use colours (same as `--color never`).
    #[arg(long)]
    no_color: bool,
    /// Print only the findings (no summary).
    #[arg(short, long)]
    quiet: bool,
    /// Write the report to FILE instead of standard output (formats given without `=FILE`).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print counts by severity and rule, files checked and time taken to standard error.
    #[arg(long)]
    summary: bool,
}

/// `--max-file-size`: `1048576`, `512K`, `8M`, `1G` (also `8MiB`, `8MB`, lower case); `0` is
/// no limit (`u64::MAX`).
fn parse_size(value: &str) -> Result<u64, String> {
    let trimmed = value.trim();
    let digits = trimmed.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = trimmed
        .get(digits.len()..)
        .unwrap_or("")
        .to_ascii_lowercase();
    let shift = match unit.as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("unknown size unit in `{value}` (use K, M or G)")),
    };
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a size (a number of bytes, or with K, M or G)"))?;
    if number == 0 {
        return Ok(u64::MAX);
    }
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{value}` is too large"))
}

/// One `--format` value: a format and where to write it (`None`: `--output` or stdout).
#[derive(Clone, Debug, PartialEq, Eq)]
struct FormatSpec {
    format: Format,
    file: Option<PathBuf>,
}

fn parse_format_spec(value: &str) -> Result<FormatSpec, String> {
    let (name, file) = match value.split_once('=') {
        Some((name, "")) => {
            return Err(format!("no file name after `{name}=`"));
        }
        Some((name, file)) => (name, Some(PathBuf::from(file))),
        None => (value, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<&str> = Format::value_variants().iter().map(|f| f.name()).collect();
        format!(
            "unknown format `{name}` (expected one of {})",
            names.join(", ")
        )
    })?;
    Ok(FormatSpec { format, file })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colours when standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
struct RulesArgs {
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
    /// List the policy rules of this config file too (default: the nearest `.plimsoll.yaml`).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
struct RuleArgs {
    /// A rule code (`PL000`) or name (`parse-error`), or a policy rule's.
    rule: String,
    /// Look policy rules up in this config file (default: the nearest `.plimsoll.yaml`).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
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
        Command::Check(args) => check(args),
        Command::Rules(args) => list_rules(&args),
        Command::Rule(args) => show_rule(&args),
        Command::Test(args) => test_examples(&args),
        Command::Lsp(args) => language_server(args),
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

/// `plimsoll lsp`: the server owns stdout from here on; only failures to start reach stderr.
fn language_server(args: LspArgs) -> Result<ExitCode, Failure> {
    crate::surfaces::lsp::serve(
        config::ResolveOptions {
            config: args.config,
            isolated: args.isolated,
        },
        args.max_file_size.unwrap_or(runner::DEFAULT_MAX_FILE_SIZE),
    )
    .map(|end| match end {
        // The LSP spec: exit code 1 when `exit` came without `shutdown`.
        plimsoll_lsp::SessionEnd::ExitWithoutShutdown => ExitCode::from(1),
        plimsoll_lsp::SessionEnd::Clean => ExitCode::SUCCESS,
    })
    .map_err(|err| Failure::Message(format!("language server: {}", io_message(&err))))
}

fn check(mut args: CheckArgs) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    if args.format.is_empty() {
        args.format.push(FormatSpec {
            format: Format::default(),
            file: None,
        });
    }
    let to_stdout = args
        .format
        .iter()
        .filter(|spec| spec.file.is_none() && args.output.is_none())
        .count();
    let to_output = args
        .format
        .iter()
        .filter(|spec| spec.file.is_none() && args.output.is_some())
        .count();
    if to_stdout > 1 || to_output > 1 {
        return Err(Failure::Message(
            "several formats would be written to the same place; \
             give all but one a file (`--format sarif=plimsoll.sarif`)"
                .to_string(),
        ));
    }
    if let Some(message) = same_output_twice(&args) {
        return Err(Failure::Message(message));
    }
    // `--select 'DF, DC'` and a trailing comma are fine; an empty selector would match all rules.
    for selectors in [&mut args.select, &mut args.extend_select, &mut args.ignore] {
        *selectors = selectors
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    for (option, selectors) in [
        ("--select", &args.select),
        ("--extend-select", &args.extend_select),
        ("--ignore", &args.ignore),
    ] {
        for selector in selectors {
            // A selector naming no built-in rule may name a policy rule: checked once the
            // configs are loaded.
            if !selection::is_known_selector(selector) && !could_name_policy(selector) {
                return Err(Failure::Message(selection::unknown_selector_in_option(
                    option, selector,
                )));
            }
        }
    }
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from(if args.stdin_filename.is_some() {
            "-"
        } else {
            "."
        }));
    }
    let reads_stdin = paths.iter().any(|p| p.as_os_str() == "-");
    paths.retain(|p| p.as_os_str() != "-");

    let baseline = load_baseline(&args)?;
    let cwd = std::env::current_dir().map_err(|err| {
        Failure::Message(format!(
            "cannot read the working directory: {}",
            io_message(&err)
        ))
    })?;
    let mut resolver = config::Resolver::new(
        config::ResolveOptions {
            config: args.config.clone(),
            isolated: args.isolated,
        },
        &cwd,
    );
    let mut discovery = discover::discover_with(&paths, args.kind, &mut |path, kind| {
        configured_kind(&mut resolver, path, kind)
    });
    if args.force_exclude {
        discovery
            .files
            .retain(|candidate| !is_excluded(&mut resolver, &candidate.path));
    }
    let mut errors = discovery.errors;
    let skipped = std::mem::take(&mut discovery.skipped);
    let stdin = if reads_stdin {
        match read_stdin(&args) {
            Ok(input) => Some(input),
            Err(error) => {
                errors.push(error);
                None
            }
        }
    } else {
        None
    };
    let file_settings = settings_per_file(&args, &mut resolver, &discovery.files, stdin.as_ref())?;
    for (option, selectors) in [
        ("--select", &args.select),
        ("--extend-select", &args.extend_select),
        ("--ignore", &args.ignore),
    ] {
        for selector in selectors {
            let named = selection::is_known_selector(selector)
                || file_settings.values().any(|f| {
                    f.settings
                        .policies()
                        .iter()
                        .any(|rule| selection::matches_selector(rule, selector))
                });
            if !named {
                return Err(Failure::Message(selection::unknown_selector_in_option(
                    option, selector,
                )));
            }
        }
    }
    let default_settings = config::resolve(None, &cwd, &cli_overrides(&args));
    let settings_of = |path: &std::path::Path| file_settings.get(path).unwrap_or(&default_settings);
    let options = RunOptions {
        threads: args.threads.filter(|&n| n > 0),
        max_file_size: Some(max_file_size(&args)),
    };
    let mut results = runner::run(&discovery.files, stdin, options, |source, workspace| {
        engine::check_in(source, &settings_of(&source.path).settings, workspace)
    })
    .map_err(Failure::Message)?;
    let mut catalogue = resolver.catalogue(
        std::iter::once(&default_settings)
            .chain(sorted_values(&file_settings))
            .map(|file| &file.settings),
        None,
    );
    add_policy_problems(&mut results, &cwd, catalogue.take_problems());
    results.errors.extend(errors);
    results.errors.sort_by(|a, b| a.path.cmp(&b.path));
    results.skipped = skipped;
    apply_baseline(&args, &resolver, &mut results, baseline)?;

    for error in &results.errors {
        eprintln!("plimsoll: error: {}", error.located_message());
    }
    for skipped in &results.skipped {
        eprintln!("plimsoll: skipped {}", skipped.located_message());
    }
    // The exit code first: per-file settings are keyed by the paths before rebasing.
    let code = exit_code_by_file(&results, &|path| settings_of(path).fail_level);
    rebase_on_github_workspace(&mut results);
    write_reports(&args, &results, &catalogue, code, started.elapsed())?;

    // The process ends next: freeing every file's text and findings one by one is serial work
    // on the main thread (about a tenth of a whole-corpus run in `perf`) that the OS does for
    // free at exit.
    std::mem::forget(results);
    std::mem::forget(file_settings);
    Ok(ExitCode::from(code))
}

/// Two outputs (reports, `--write-baseline`) to one file: only the last would survive.
fn same_output_twice(args: &CheckArgs) -> Option<String> {
    let outputs = args
        .format
        .iter()
        .filter_map(|spec| spec.file.as_ref().or(args.output.as_ref()))
        .chain(args.write_baseline.as_ref());
    let mut seen: Vec<(PathBuf, &PathBuf)> = Vec::new();
    for path in outputs {
        let key = same_file_key(path);
        if let Some((_, first)) = seen.iter().find(|(other, _)| *other == key) {
            return Some(format!(
                "`{}` and `{}` name the same output file: each output needs a file of its own",
                first.display(),
                path.display()
            ));
        }
        seen.push((key, path));
    }
    None
}

/// What decides whether two output paths are one file: the real path of an existing file,
/// else the absolute path with `.` and `..` resolved.
fn same_file_key(path: &std::path::Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        crate::linter::project::normalize(
            &std::path::absolute(path).unwrap_or_else(|_| path.into()),
        )
    })
}

/// Rego policies that do not compile or failed on some file: `PL002` findings on the policy
/// files (paths relative to the working directory when below it), among the other results.
fn add_policy_problems(
    results: &mut Results,
    cwd: &std::path::Path,
    problems: Vec<(
        crate::syntax::source::SourceFile,
        Vec<crate::linter::diagnostic::Finding>,
    )>,
) {
    if problems.is_empty() {
        return;
    }
    for (source, findings) in problems {
        let mut file = FileResult { source, findings };
        if let Ok(relative) = file.source.path.strip_prefix(cwd) {
            file.source.path = relative.to_path_buf();
        }
        results.files.push(file);
    }
    results
        .files
        .sort_by(|a, b| a.source.path.cmp(&b.source.path));
}

/// In GitHub Actions, annotations and SARIF need paths relative to the repository root; when
/// plimsoll runs in a subdirectory of the workspace (the Action's `working-directory`), prefix
/// relative paths with that subdirectory.
fn rebase_on_github_workspace(results: &mut Results) {
    if std::env::var_os("GITHUB_ACTIONS").is_none_or(|v| v != "true") {
        return;
    }
    let Some(workspace) = std::env::var_os("GITHUB_WORKSPACE") else {
        return;
    };
    let (Ok(workspace), Ok(cwd)) = (
        std::fs::canonicalize(workspace),
        std::env::current_dir().and_then(std::fs::canonicalize),
    ) else {
        return;
    };
    let Ok(prefix) = cwd.strip_prefix(&workspace) else {
        return;
    };
    if prefix.as_os_str().is_empty() {
        return;
    }
    for file in &mut results.files {
        if file.source.path.is_relative() {
            file.source.path = prefix.join(&file.source.path);
        }
    }
    for error in &mut results.errors {
        if error.path.is_relative() {
            error.path = prefix.join(&error.path);
        }
    }
}

/// The `--baseline` file, read before linting so that a wrong path fails fast.
fn load_baseline(args: &CheckArgs) -> Result<Option<Baseline>, Failure> {
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    // Named by the user, so read as named (even a FIFO), but never more than the limit.
    let bytes = runner::read_limited(path, Some(max_file_size(args)))
        .map_err(|message| Failure::Message(format!("{}: {message}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Message(format!("{}: not UTF-8 text", path.display())))?;
    Baseline::parse(&text)
        .map(Some)
        .map_err(|message| Failure::Message(format!("{}: {message}", path.display())))
}

/// `--write-baseline` records every current finding, then `--baseline` (or the file just
/// written) drops the recorded ones.
fn apply_baseline(
    args: &CheckArgs,
    resolver: &config::Resolver,
    results: &mut Results,
    loaded: Option<Baseline>,
) -> Result<(), Failure> {
    let absolute = |path: &std::path::Path| resolver.absolute(path);
    let base_dir = |file: &std::path::Path| {
        let file = resolver.absolute(file);
        file.parent().map(|p| p.to_path_buf()).unwrap_or(file)
    };
    let baseline = if let Some(path) = &args.write_baseline {
        let baseline = Baseline::record(results, &base_dir(path), &absolute);
        let json = baseline.to_json();
        write_atomically(path, |out| out.write_all(json.as_bytes())).map_err(|err| {
            Failure::Message(format!(
                "{}: cannot write the baseline: {}",
                path.display(),
                io_message(&err)
            ))
        })?;
        eprintln!(
            "plimsoll: recorded {} findings in {}",
            baseline.findings.len(),
            path.display()
        );
        Some((baseline, path))
    } else if let (Some(path), Some(baseline)) = (&args.baseline, loaded) {
        Some((baseline, path))
    } else {
        None
    };
    if let Some((baseline, path)) = baseline {
        baseline.filter(results, &base_dir(path), &absolute);
    }
    Ok(())
}

/// The command line's rule selection and fail level, on top of any config.
fn cli_overrides(args: &CheckArgs) -> config::CliOverrides {
    config::CliOverrides {
        selection: selection::Selection {
            select: (!args.select.is_empty()).then(|| args.select.clone()),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
        },
        fail_level: args.fail_level,
    }
}

/// `true` when the config of `path` excludes it.
fn is_excluded(resolver: &mut config::Resolver, path: &std::path::Path) -> bool {
    resolver
        .chain_for(path)
        .is_some_and(|chain| chain.excludes(&resolver.absolute(path)))
}

/// The kind to lint a walked file as, after its config's `exclude` and `include`.
fn configured_kind(
    resolver: &mut config::Resolver,
    path: &std::path::Path,
    kind: Option<FileKind>,
) -> Option<FileKind> {
    if is_excluded(resolver, path) {
        return None;
    }
    kind.or_else(|| {
        let chain = resolver.chain_for(path)?;
        chain.included_kind(&resolver.absolute(path))
    })
}

/// The resolved settings of every file to check; any config error stops the run (exit 2).
fn settings_per_file(
    args: &CheckArgs,
    resolver: &mut config::Resolver,
    files: &[discover::Candidate],
    stdin: Option<&StdinInput>,
) -> Result<std::collections::HashMap<PathBuf, config::FileSettings>, Failure> {
    let overrides = cli_overrides(args);
    let mut settings = std::collections::HashMap::new();
    for path in files
        .iter()
        .map(|c| &c.path)
        .chain(stdin.map(|input| &input.path))
    {
        settings.insert(path.clone(), resolver.settings_for(path, &overrides));
    }
    if let Some((last, others)) = resolver.errors().split_last() {
        for error in others {
            eprintln!("plimsoll: error: {error}");
        }
        return Err(Failure::Message(last.to_string()));
    }
    Ok(settings)
}

/// 2 when a file could not be checked, else 1 when a finding reaches `fail_level`, else 0.
#[cfg_attr(not(test), allow(dead_code))]
fn exit_code(results: &Results, fail_level: Severity) -> u8 {
    exit_code_by_file(results, &|_| fail_level)
}

/// [`exit_code`] with each file's own fail level (from its config).
fn exit_code_by_file(
    results: &Results,
    fail_level_of: &dyn Fn(&std::path::Path) -> Severity,
) -> u8 {
    if !results.errors.is_empty() {
        EXIT_ERROR
    } else if results
        .files
        .iter()
        .any(|file| engine::fails(&file.findings, fail_level_of(&file.source.path)))
    {
        1
    } else {
        0
    }
}

/// The `--max-file-size` in force.
fn max_file_size(args: &CheckArgs) -> u64 {
    args.max_file_size.unwrap_or(runner::DEFAULT_MAX_FILE_SIZE)
}

fn read_stdin(args: &CheckArgs) -> Result<StdinInput, FileError> {
    let path = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    let bytes = runner::read_bounded(io::stdin().lock(), Some(max_file_size(args))).map_err(
        |err| match err {
            runner::ReadError::Io(err) => FileError::new(&path, io_message(&err)),
            runner::ReadError::TooLarge(limit) => {
                FileError::new(&path, runner::too_large(None, limit))
            }
        },
    )?;
    let kind = args
        .kind
        .or_else(|| args.stdin_filename.as_deref().and_then(FileKind::from_path));
    Ok(StdinInput { path, kind, bytes })
}

/// The settings of every file, in path order.
fn sorted_values(
    settings: &std::collections::HashMap<PathBuf, config::FileSettings>,
) -> impl Iterator<Item = &config::FileSettings> {
    let mut entries: Vec<_> = settings.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.into_iter().map(|(_, settings)| settings)
}

fn write_reports(
    args: &CheckArgs,
    results: &Results,
    catalogue: &Catalogue,
    exit_code: u8,
    elapsed: Duration,
) -> Result<(), Failure> {
    for spec in &args.format {
        let file = spec.file.as_ref().or(args.output.as_ref());
        let color = match (args.no_color, args.color) {
            (true, _) | (false, ColorChoice::Never) => false,
            (false, ColorChoice::Always) => true,
            (false, ColorChoice::Auto) => {
                file.is_none()
                    && io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        };
        let options = report::Options {
            color: color && spec.format == Format::Text,
            quiet: args.quiet,
            exit_code,
            elapsed: Some(elapsed),
            catalogue: Some(catalogue),
        };
        match file {
            Some(path) => {
                write_atomically(path, |out| {
                    report::write(spec.format, results, options, out)
                })
                .map_err(|err| {
                    Failure::Message(format!(
                        "{}: cannot write the report: {}",
                        path.display(),
                        io_message(&err)
                    ))
                })?;
            }
            None => {
                let mut out = BufWriter::new(io::stdout().lock());
                report::write(spec.format, results, options, &mut out)?;
                out.flush()?;
            }
        }
    }
    if args.format.iter().any(|spec| spec.format == Format::Github) {
        append_step_summary(results)?;
    }
    if args.summary {
        let mut err = io::stderr().lock();
        report::write_summary(results, Some(elapsed), &mut err)?;
    }
    Ok(())
}

/// With the `github` format in GitHub Actions, also append the job summary table to the file
/// named by `$GITHUB_STEP_SUMMARY`: annotations beyond GitHub's per-step limit are dropped.
fn append_step_summary(results: &Results) -> Result<(), Failure> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|err| Failure::Message(format!("{}: {}", path.display(), io_message(&err))))?;
    file.write_all(report::step_summary(results).as_bytes())
        .map_err(|err| Failure::Message(format!("{}: {}", path.display(), io_message(&err))))?;
    Ok(())
}

/// Whether `selector` has the shape of a policy rule code, name or code prefix.
fn could_name_policy(selector: &str) -> bool {
    !selector.is_empty()
        && selector
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
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

/// `plimsoll test`: run the rules' doc examples and the policies' examples, list the failures.
fn test_examples(args: &TestArgs) -> Result<ExitCode, Failure> {
    let (policies, dirs, mut sets) =
        policies_and_dirs_in_effect(args.dir.as_deref(), args.config.as_ref())?;
    for selector in &args.select {
        if !selection::is_known_selector(selector)
            && !policies
                .iter()
                .any(|p| selection::matches_selector(&p.rule, selector))
        {
            return Err(Failure::Message(selection::unknown_selector_in_option(
                "--select", selector,
            )));
        }
    }
    let selected_policies: Vec<&crate::policies::template::PolicyRule> = policies
        .iter()
        .filter(|p| {
            args.select.is_empty()
                || args
                    .select
                    .iter()
                    .any(|s| selection::matches_selector(&p.rule, s))
        })
        .collect();
    let (policy_ran, policy_failures) =
        crate::policies::examples::run_policies(selected_policies.iter().copied());
    let selected: Vec<&'static Rule> = rules::all()
        .iter()
        .copied()
        .filter(|&rule| {
            args.select.is_empty()
                || args
                    .select
                    .iter()
                    .any(|s| selection::matches_selector(&RuleRef::Builtin(rule), s))
        })
        .collect();
    let (ran, failures) = crate::policies::examples::run_all(&selected);
    let mut out = BufWriter::new(io::stdout().lock());
    for failure in &failures {
        writeln!(
            out,
            "FAIL {} {} ({}): {}",
            failure.rule.code,
            failure.rule.name,
            failure.example,
            printable(&failure.message)
        )?;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    for failure in &policy_failures {
        let path = failure.path.strip_prefix(&cwd).unwrap_or(&failure.path);
        writeln!(
            out,
            "FAIL {} {} ({}:{}: {}): {}",
            failure.rule.code(),
            failure.rule.name(),
            path.display(),
            failure.line,
            failure.example,
            printable(&failure.message)
        )?;
    }
    // Rego unit tests (`test_*` rules) of the policy directories; `--select` does not filter
    // them (they belong to no rule).
    let mut rego_ran = 0;
    let mut rego_failed = 0;
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in &dirs {
        if seen.contains(dir) {
            continue;
        }
        seen.push(dir.clone());
        let Some((set, _)) =
            crate::policies::rego::load_dir(&mut sets, dir, config::policy::rego_files(dir), &[])
        else {
            continue;
        };
        for problem in set.problems() {
            let path = problem.path.strip_prefix(&cwd).unwrap_or(&problem.path);
            writeln!(
                out,
                "FAIL {}:{}:{}: {}",
                path.display(),
                problem.line,
                problem.column,
                printable(&problem.message)
            )?;
            rego_failed += 1;
        }
        for test in set.tests() {
            rego_ran += 1;
            if let Err(message) = set.run_test(&test) {
                rego_failed += 1;
                let path = test.path.strip_prefix(&cwd).unwrap_or(&test.path);
                writeln!(
                    out,
                    "FAIL data.{}.{} ({}:{}): {}",
                    test.package,
                    test.name,
                    path.display(),
                    test.line,
                    printable(&message)
                )?;
            }
        }
    }
    let rule_count = selected.len() + selected_policies.len();
    let failed = failures.len() + policy_failures.len() + rego_failed;
    let of_rego = match rego_ran {
        0 => String::new(),
        1 => ", 1 Rego test".to_string(),
        n => format!(", {n} Rego tests"),
    };
    let of_policies = match selected_policies.len() {
        0 => String::new(),
        1 => " (1 policy rule)".to_string(),
        n => format!(" ({n} policy rules)"),
    };
    writeln!(
        out,
        "{} examples of {rule_count} {}{of_policies}{of_rego}: {}",
        ran + policy_ran,
        if rule_count == 1 { "rule" } else { "rules" },
        if failed == 0 {
            "all passed".to_string()
        } else {
            format!("{failed} failed")
        }
    )?;
    out.flush()?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The built-in rules, then the policy rules of the config in effect.
fn rules_in_effect(config: Option<&PathBuf>) -> Result<Vec<RuleRef>, Failure> {
    let policies = policies_in_effect(None, config)?;
    let catalogue = Catalogue::new(policies.into_iter().map(|p| p.rule), Vec::new());
    Ok(catalogue.rules().collect())
}

fn list_rules(args: &RulesArgs) -> Result<ExitCode, Failure> {
    let all_rules = rules_in_effect(args.config.as_ref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ListFormat::Json => {
            let all: Vec<_> = all_rules.iter().map(|rule| rule_json(rule)).collect();
            serde_json::to_writer_pretty(&mut out, &all).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let header = ["CODE", "NAME", "CATEGORY", "SEVERITY", "DEFAULT", "SUMMARY"];
            let rows: Vec<[String; 6]> = all_rules
                .iter()
                .map(|rule| {
                    [
                        rule.code().to_string(),
                        rule.name().to_string(),
                        rule.category().to_string(),
                        rule.severity().to_string(),
                        if rule.default_enabled() { "yes" } else { "no" }.to_string(),
                        rule.summary().to_string(),
                    ]
                })
                .collect();
            let mut widths = header.map(str::len);
            for row in &rows {
                for (width, cell) in widths.iter_mut().zip(row) {
                    *width = (*width).max(cell.chars().count());
                }
            }
            let header = header.map(str::to_string);
            for row in std::iter::once(&header).chain(&rows) {
                let mut line = String::new();
                for (i, cell) in row.iter().enumerate().take(5) {
                    line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
                }
                line.push_str(&row[5]);
                writeln!(out, "{line}")?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// All the metadata of a rule, for `plimsoll rules --format json` (fields in declaration order).
#[derive(serde::Serialize)]
struct RuleJson<'a> {
    code: &'a str,
    name: &'a str,
    summary: &'a str,
    target: Target,
    category: crate::linter::diagnostic::Category,
    severity: Severity,
    default_enabled: bool,
    fix: FixAvailability,
    status: Status,
    since: &'a str,
    related: Vec<&'a str>,
    /// The options the rule takes in the configuration.
    options: Vec<serde_json::Value>,
}

/// One rule option for `plimsoll rules --format json`: name, type, default, description (and the
/// allowed values or range when the type has them).
fn option_json(option: &crate::linter::rule::RuleOption) -> serde_json::Value {
    let mut value = serde_json::json!({
        "name": option.name,
        "type": option.kind.type_name(),
        "default": option.kind.default_value(),
        "description": option.description,
    });
    match option.kind {
        crate::linter::rule::OptionKind::Choice { choices, .. }
        | crate::linter::rule::OptionKind::ChoiceMap { choices, .. } => {
            value["choices"] = serde_json::json!(choices);
        }
        crate::linter::rule::OptionKind::Integer { min, max, .. } => {
            value["minimum"] = min.into();
            value["maximum"] = max.into();
        }
        _ => {}
    }
    value
}

fn rule_json(rule: &RuleRef) -> RuleJson<'_> {
    RuleJson {
        code: rule.code(),
        name: rule.name(),
        summary: rule.summary(),
        target: rule.target(),
        category: rule.category(),
        severity: rule.severity(),
        default_enabled: rule.default_enabled(),
        fix: rule.fix(),
        status: rule.status(),
        since: rule.since(),
        related: rule.related(),
        options: rule.options().iter().map(option_json).collect(),
    }
}

fn show_rule(args: &RuleArgs) -> Result<ExitCode, Failure> {
    let code_or_name = args.rule.as_str();
    let all_rules = match rules::find(code_or_name) {
        Some(rule) => vec![RuleRef::Builtin(rule)],
        None => rules_in_effect(args.config.as_ref())?,
    };
    let found = all_rules
        .iter()
        .find(|rule| rule.code().eq_ignore_ascii_case(code_or_name) || rule.name() == code_or_name);
    let Some(rule) = found else {
        let mut message = format!("unknown rule `{code_or_name}`");
        let candidates = all_rules.iter().flat_map(|rule| [rule.code(), rule.name()]);
        if let Some(close) = closest(code_or_name, candidates) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        message.push_str(" (`plimsoll rules` lists them all)");
        return Err(Failure::Message(message));
    };
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "{}\n", rule_header(rule))?;
    write!(out, "{}", rule.docs())?;
    if !rule.docs().ends_with('\n') {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `PL000 parse-error · correctness · error · enabled by default · fix: none · stable since 0.1.0`
fn rule_header(rule: &RuleRef) -> String {
    let target = match rule.target() {
        Target::Dockerfile => "Dockerfile",
        Target::Compose => "compose",
        Target::Any => "Dockerfile and compose",
    };
    let enabled = if rule.default_enabled() {
        "enabled by default"
    } else {
        "disabled by default"
    };
    let fix = match rule.fix() {
        FixAvailability::None => "no fix",
        FixAvailability::Sometimes => "fix sometimes available",
        FixAvailability::Always => "fix available",
    };
    let status = match rule.status() {
        Status::Stable => "stable",
        Status::Preview => "preview",
    };
    let origin = if rule.is_policy() {
        "policy rule".to_string()
    } else {
        format!("{status} since {}", rule.since())
    };
    let mut header = format!(
        "{} {} · {target} · {} · {} · {enabled} · {fix} · {origin}",
        rule.code(),
        rule.name(),
        rule.category(),
        rule.severity()
    );
    let related = rule.related();
    if !related.is_empty() {
        header.push_str(&format!(" · related: {}", related.join(", ")));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("8m"), Ok(8 << 20));
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("0"), Ok(u64::MAX));
        assert!(parse_size("8X").unwrap_err().contains("unknown size unit"));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn exit_codes() {
        use crate::syntax::source::SourceFile;
        use crate::syntax::span::Span;

        let warning = |severity| {
            let mut finding = rules::PARSE_ERROR.finding(Span::new(0, 1), "x");
            finding.severity = severity;
            finding
        };
        let mut results = Results {
            files: vec![FileResult {
                source: SourceFile::new("Dockerfile", "FROM a", FileKind::Dockerfile),
                findings: vec![warning(Severity::Warning)],
            }],
            errors: Vec::new(),
            skipped: Vec::new(),
        };
        assert_eq!(exit_code(&results, Severity::Info), 1);
        assert_eq!(exit_code(&results, Severity::Warning), 1);
        assert_eq!(exit_code(&results, Severity::Error), 0);
        results.errors.push(FileError::new("y".as_ref(), "gone"));
        assert_eq!(exit_code(&results, Severity::Error), 2);
        assert_eq!(exit_code(&results, Severity::Info), 2, "2 wins over 1");
        assert_eq!(exit_code(&Results::default(), Severity::Style), 0);
    }
}
