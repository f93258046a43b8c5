//! `plimsoll check`: lint files, report the findings in the chosen formats, pick the exit code.

use foldhash::{HashMap, HashMapExt};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};

use crate::linter::catalogue::Catalogue;
use crate::linter::diagnostic::Severity;
use crate::linter::engine;
use crate::linter::selection::{self};
use crate::report::{self, Format};
use crate::syntax::source::FileKind;
use crate::workspace::atomic_write::write_atomically;
use crate::workspace::baseline::Baseline;
use crate::workspace::changes::Changes;
use crate::workspace::compose_project::{self, FsLoader, ProjectSpec};
use crate::workspace::config;
use crate::workspace::discover::{self, io_message};
use crate::workspace::results::{FileError, FileResult, Results};
use crate::workspace::runner::{self, RunOptions, StdinInput};
use crate::workspace::shellcheck::{Shellcheck, Switch};

use super::{EXIT_ERROR, Failure};

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
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
    /// Run ShellCheck on RUN scripts: `auto` when it is installed (`PLIMSOLL_SHELLCHECK`, else
    /// `shellcheck` on PATH), `on` (an error without it), `off` [default: the config's
    /// `shellcheck`, else auto].
    #[arg(long, value_enum, value_name = "WHEN")]
    shellcheck: Option<ShellcheckChoice>,
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
    /// Compose files of one project, in order, as `docker compose -f` loads them (repeatable);
    /// they are checked with the other paths.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Vec<PathBuf>,
    /// The project directory of the `-f` project (default: the first file's directory).
    #[arg(long, value_name = "DIR", requires = "file")]
    project_directory: Option<PathBuf>,
    /// The env file compose variables come from, instead of each project's `.env` (as
    /// `docker compose --env-file`).
    #[arg(long, value_name = "FILE")]
    env_file: Option<PathBuf>,
    /// Apply the safe fixes to the files (the fixed text of stdin goes to standard output) and
    /// report what remains.
    #[arg(long)]
    fix: bool,
    /// With `--fix` or `--diff`: apply the unsafe fixes too (they may change what the image or
    /// the service does).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change and write nothing; exit 1 when there
    /// is something to change.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Report only findings on lines added or changed since the merge base of REF (a branch,
    /// tag or commit) and the working tree, in git: what a pull request changed.
    #[arg(long, value_name = "REF")]
    diff_base: Option<String>,
}

/// `--max-file-size`: `1048576`, `512K`, `8M`, `1G` (also `8MiB`, `8MB`, lower case); `0` is
/// no limit (`u64::MAX`).
pub(super) fn parse_size(value: &str) -> Result<u64, String> {
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
pub(super) struct FormatSpec {
    pub(super) format: Format,
    pub(super) file: Option<PathBuf>,
}

pub(super) fn parse_format_spec(value: &str) -> Result<FormatSpec, String> {
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
pub(super) enum ShellcheckChoice {
    Auto,
    On,
    Off,
}

impl ShellcheckChoice {
    fn switch(self) -> Switch {
        match self {
            ShellcheckChoice::Auto => Switch::Auto,
            ShellcheckChoice::On => Switch::On,
            ShellcheckChoice::Off => Switch::Off,
        }
    }
}

/// ShellCheck for the run, when some file's settings run it: `None` when none does or it is
/// not installed (`auto`); a usage error when a file says `on` and it is not installed.
fn shellcheck_for_run<'a>(
    mut files: impl Iterator<Item = &'a config::FileSettings>,
) -> Result<Option<std::sync::Arc<Shellcheck>>, Failure> {
    let wanted: Vec<Switch> = files
        .by_ref()
        .filter(|f| f.shellcheck != Switch::Off)
        .filter(|f| f.settings.is_enabled(&crate::linter::rules::SHELLCHECK))
        .map(|f| f.shellcheck)
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    match crate::workspace::shellcheck::locate() {
        Some(binary) => Ok(Some(std::sync::Arc::new(Shellcheck::new(binary)))),
        None if wanted.contains(&Switch::On) => Err(Failure::Message(format!(
            "`shellcheck: on` but ShellCheck is not installed: {}",
            crate::workspace::shellcheck::INSTALL_HINT
        ))),
        None => Ok(None),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum ColorChoice {
    /// Colours when standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

/// From this many directories of files named one by one on, they are listed on workers.
const EXPLICIT_DIRS_ON_WORKERS: usize = 64;

pub(super) fn check(mut args: CheckArgs) -> Result<ExitCode, Failure> {
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
    let declared_cli = declared_on_command_line(&args)?;
    paths.extend(args.file.iter().cloned());
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
    let changes = match &args.diff_base {
        Some(base) => Some(Changes::since(&cwd, base).map_err(Failure::Message)?),
        None => None,
    };
    let mut resolver = config::Resolver::new(
        config::ResolveOptions {
            config: args.config.clone(),
            isolated: args.isolated,
        },
        &cwd,
    );
    // The walk reads the directories on the workers; the configs it finds are then looked up
    // in what it read.
    let threads = args.threads.filter(|&n| n > 0);
    // Files named one by one (pre-commit, an editor's save hook) need no workers to find.
    let given = discover::Given::stat(&paths);
    let walks = given.walks();
    // Walked Dockerfiles and compose files are read on the way, relative to their open
    // directory; the run and compose planning take the bytes from the discovery.
    let read_ahead = Some(max_file_size(&args));
    let mut walked = runner::in_worker_pool(threads, if walks { usize::MAX } else { 0 }, || {
        given.walk(args.kind, read_ahead)
    });
    // Files named one by one (pre-commit, `xargs`): their directories are listed once, on
    // workers when there are many, and the config lookup and the build contexts answer from
    // those listings instead of asking the disk a name at a time.
    let dirs = walked.unlisted_dirs_of_explicit(&cwd);
    let parallel = dirs.len() >= EXPLICIT_DIRS_ON_WORKERS;
    let listed = runner::in_worker_pool(threads, if parallel { dirs.len() } else { 0 }, || {
        config::list_lookup_dirs(dirs, &walked.listings, parallel)
    });
    walked.listings.extend(listed);
    let listings = Arc::new(std::mem::take(&mut walked.listings));
    resolver.use_listings(listings.clone());
    let mut discovery =
        walked.classify(&mut |path, kind| configured_kind(&mut resolver, path, kind));
    if args.force_exclude {
        discovery
            .files
            .retain(|candidate| !is_excluded(&mut resolver, &candidate.path));
    }
    let compose = compose_plan(
        &args,
        &cwd,
        &paths,
        declared_cli,
        &mut discovery,
        &mut resolver,
        &listings,
    );
    // For --diff-base: the files of each compose file's project (the plan moves into the run).
    let project_files: HashMap<PathBuf, Vec<PathBuf>> = if changes.is_some() {
        compose
            .spec_of
            .iter()
            .filter_map(|(file, spec)| Some((file.clone(), spec.as_ref()?.files.clone())))
            .chain(compose.declared.iter().flat_map(|spec| {
                spec.files
                    .iter()
                    .map(|file| (file.clone(), spec.files.clone()))
            }))
            .collect()
    } else {
        HashMap::new()
    };
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
                || distinct_settings(&file_settings).any(|f| {
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
    let settings_of = |path: &std::path::Path| {
        file_settings
            .get(path.as_os_str())
            .map_or(&default_settings, |settings| &**settings)
    };
    let shellcheck = shellcheck_for_run(
        distinct_settings(&file_settings).chain(std::iter::once(&default_settings)),
    )?;
    let options = RunOptions {
        threads,
        max_file_size: Some(max_file_size(&args)),
        compose,
        shellcheck,
        build_contexts: configured_contexts(
            &mut resolver,
            &discovery.files,
            stdin.as_ref().map(|input| input.path.as_path()),
        ),
        config_names: &config::FILE_NAMES,
        listings: Some(listings),
        read_ahead: std::mem::take(&mut discovery.read),
    };
    let stdin_path = stdin.as_ref().map(|input| input.path.clone());
    let fixing = args.fix || args.diff;
    let policy = super::fix::FixPolicy {
        unsafe_fixes: args.unsafe_fixes,
        baseline: baseline
            .as_ref()
            .zip(args.baseline.as_deref())
            .map(|(loaded, path)| (loaded, baseline_dir(&resolver, path))),
        cwd: cwd.clone(),
    };
    let mut results = runner::run_then(
        &discovery.files,
        stdin,
        options,
        |source, workspace| {
            engine::check_in(source, &settings_of(&source.path).settings, workspace)
        },
        |file, workspace| {
            if fixing {
                let settings = &settings_of(&file.source.path).settings;
                super::fix::fix_file(file, workspace, settings, &policy)
            } else {
                (file, None)
            }
        },
    )
    .map_err(Failure::Message)?;
    if args.diff {
        return finish_diff(&args, &results);
    }
    if args.fix {
        super::fix::write_fixed(&mut results, stdin_path.as_deref());
        if let Some(path) = &stdin_path
            && let Some(file) = results.files.iter().find(|f| &f.source.path == path)
        {
            io::stdout().lock().write_all(file.source.text.as_bytes())?;
        }
        if !args.quiet {
            for line in super::fix::summary(&results, args.unsafe_fixes, false) {
                eprintln!("plimsoll: {line}");
            }
        }
    }
    let mut catalogue = resolver.catalogue(
        std::iter::once(&default_settings)
            .chain(settings_with_policies(&file_settings))
            .map(|file| &file.settings),
        None,
    );
    add_policy_problems(&mut results, &cwd, catalogue.take_problems());
    results.errors.extend(errors);
    results.errors.sort_by(|a, b| a.path.cmp(&b.path));
    results.skipped = skipped;
    apply_baseline(&args, &resolver, &mut results, baseline)?;
    if let Some(changes) = &changes {
        only_changed(&mut results, changes, &cwd, &project_files);
    }

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

/// The directory a baseline file's paths are relative to: the file's own (absolute).
fn baseline_dir(resolver: &config::Resolver, file: &std::path::Path) -> PathBuf {
    let file = resolver.absolute(file);
    file.parent().map(|p| p.to_path_buf()).unwrap_or(file)
}

/// `--diff-base`: keep the findings on lines the change touched; count the others.
/// A compose finding on a service's key also counts when another file of its project (in
/// `project_files`, by absolute path) changed that service.
fn only_changed(
    results: &mut Results,
    changes: &Changes,
    cwd: &std::path::Path,
    project_files: &HashMap<PathBuf, Vec<PathBuf>>,
) {
    let absolute = |path: &std::path::Path| crate::linter::project::normalize(&cwd.join(path));
    let texts: HashMap<PathBuf, &str> = results
        .files
        .iter()
        .map(|file| (absolute(&file.source.path), file.source.text.as_str()))
        .collect();
    let text_of = |path: &std::path::Path| -> Option<String> {
        match texts.get(path) {
            Some(text) => Some(text.to_string()),
            None => std::fs::read_to_string(path).ok(),
        }
    };
    let mut kept: Vec<Vec<bool>> = Vec::with_capacity(results.files.len());
    for file in &results.files {
        let path = absolute(&file.source.path);
        let others = project_files.get(&path).map_or(&[][..], Vec::as_slice);
        kept.push(
            file.findings
                .iter()
                .map(|finding| {
                    changes.covers_in_project(&path, &file.source, finding, others, &text_of)
                })
                .collect(),
        );
    }
    drop(texts);
    for (file, kept) in results.files.iter_mut().zip(kept) {
        let before = file.findings.len();
        let mut keep = kept.into_iter();
        file.findings.retain(|_| keep.next().unwrap_or(false));
        results.older += before - file.findings.len();
    }
}

/// `--diff`: the diffs on standard output, the summary on standard error; 1 when a file would
/// change, 2 when a file could not be checked, else 0.
fn finish_diff(args: &CheckArgs, results: &Results) -> Result<ExitCode, Failure> {
    for error in &results.errors {
        eprintln!("plimsoll: error: {}", error.located_message());
    }
    let changed = super::fix::print_diffs(results, &mut io::stdout().lock())?;
    if !args.quiet {
        for line in super::fix::summary(results, args.unsafe_fixes, true) {
            eprintln!("plimsoll: {line}");
        }
    }
    Ok(ExitCode::from(if !results.errors.is_empty() {
        EXIT_ERROR
    } else {
        u8::from(changed > 0)
    }))
}

/// The project `-f` declares, and `--env-file`, checked to exist (a usage error otherwise).
fn declared_on_command_line(args: &CheckArgs) -> Result<Option<ProjectSpec>, Failure> {
    let absolute = |path: &PathBuf| {
        std::path::absolute(path)
            .map(|p| crate::linter::project::normalize(&p))
            .map_err(|err| Failure::Message(format!("`{}`: {err}", path.display())))
    };
    if let Some(env_file) = &args.env_file
        && !env_file.is_file()
    {
        return Err(Failure::Message(format!(
            "--env-file `{}`: no such file",
            env_file.display()
        )));
    }
    if args.file.is_empty() {
        return Ok(None);
    }
    let files = args
        .file
        .iter()
        .map(absolute)
        .collect::<Result<Vec<_>, _>>()?;
    let project_dir = match &args.project_directory {
        Some(dir) => Some(absolute(dir)?),
        None => None,
    };
    let loader = FsLoader::new(runner::read_referenced, max_file_size(args));
    let mut spec = compose_project::project_for_files(&files, project_dir.as_deref(), &loader);
    spec.env_file = args.env_file.as_ref().map(absolute).transpose()?;
    Ok(Some(spec))
}

/// The compose projects of the run: the declared ones (`-f`, `compose: projects:` of the
/// configs in effect), and what their files pull in. The files of declared projects and the
/// files that `include` or `extends` read, under a directory being walked, are added to the
/// files to check (whatever their name), as a walk would have found them had they been named
/// `compose.yaml`; files named on the command line pull in nothing (pre-commit names only the
/// files that changed).
fn compose_plan(
    args: &CheckArgs,
    cwd: &std::path::Path,
    paths: &[PathBuf],
    declared_cli: Option<ProjectSpec>,
    discovery: &mut discover::Discovery,
    resolver: &mut config::Resolver,
    listings: &Arc<crate::workspace::listing::Listings>,
) -> compose_project::Plan {
    let absolute = |path: &std::path::Path| crate::linter::project::normalize(&cwd.join(path));
    // Loading every chain first makes the declared projects of all configs in effect known.
    for candidate in &discovery.files {
        resolver.chain_for(&candidate.path);
    }
    let mut declared: Vec<ProjectSpec> = declared_cli.into_iter().collect();
    let env_file = args.env_file.as_deref().map(absolute);
    let loader = FsLoader::new(runner::read_referenced, max_file_size(args));
    for project in resolver.compose_projects() {
        let mut spec = compose_project::project_for_files(
            &project.files,
            project.project_directory.as_deref(),
            &loader,
        );
        spec.env_file = project.env_file.or_else(|| env_file.clone());
        declared.push(spec);
    }
    let compose_files: Vec<PathBuf> = discovery
        .files
        .iter()
        .filter(|c| c.kind == Some(FileKind::Compose))
        .map(|c| absolute(&c.path))
        .collect();
    let limit = max_file_size(args);
    let threads = args.threads.filter(|&n| n > 0);
    let plan = runner::in_worker_pool(threads, compose_files.len(), || {
        compose_project::plan(
            &compose_files,
            declared,
            env_file,
            runner::read_referenced,
            limit,
            Some(listings.clone()),
            std::mem::take(&mut discovery.read_compose),
        )
    });
    if plan.declared.is_empty() && plan.referenced.is_empty() {
        return plan;
    }
    let walked: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| absolute(p))
        .collect();
    let mut added = false;
    let declared = plan.declared.iter().flat_map(|spec| spec.files.iter());
    let mut known: foldhash::HashSet<std::ffi::OsString> = discovery
        .files
        .iter()
        .map(|c| absolute(&c.path).into_os_string())
        .collect();
    for file in declared.chain(&plan.referenced) {
        let under_walk = walked.iter().any(|dir| file.starts_with(dir));
        if !under_walk || !file.is_file() || !known.insert(file.as_os_str().to_os_string()) {
            continue;
        }
        let path = file
            .strip_prefix(cwd)
            .map_or_else(|_| file.clone(), PathBuf::from);
        if let Some(kind) = configured_kind(resolver, &path, Some(FileKind::Compose)) {
            discovery.files.push(discover::Candidate {
                path,
                kind: Some(kind),
            });
            added = true;
        }
    }
    if added {
        discovery.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    plan
}

/// The build context each Dockerfile of the run is declared to have by the `build-contexts`
/// entries of its config (the nearest file's first match): absolute Dockerfile path → context
/// directory and the config file.
fn configured_contexts(
    resolver: &mut config::Resolver,
    files: &[discover::Candidate],
    stdin: Option<&std::path::Path>,
) -> HashMap<PathBuf, (PathBuf, PathBuf)> {
    let mut out = HashMap::new();
    let dockerfiles = files
        .iter()
        .filter(|c| c.kind == Some(FileKind::Dockerfile))
        .map(|c| c.path.as_path())
        .chain(stdin);
    for path in dockerfiles {
        let Some(chain) = resolver.chain_for(path) else {
            continue;
        };
        let absolute = resolver.absolute(path);
        if let Some(declared) = chain.build_context_for(&absolute) {
            out.insert(
                absolute,
                (declared.context.clone(), declared.config.clone()),
            );
        }
    }
    out
}

/// Two outputs (reports, `--write-baseline`) to one file: only the last would survive.
pub(super) fn same_output_twice(args: &CheckArgs) -> Option<String> {
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
pub(super) fn same_file_key(path: &std::path::Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        crate::linter::project::normalize(
            &std::path::absolute(path).unwrap_or_else(|_| path.into()),
        )
    })
}

/// Rego policies that do not compile or failed on some file: `PL002` findings on the policy
/// files (paths relative to the working directory when below it), among the other results.
pub(super) fn add_policy_problems(
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
pub(super) fn rebase_on_github_workspace(results: &mut Results) {
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
pub(super) fn load_baseline(args: &CheckArgs) -> Result<Option<Baseline>, Failure> {
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
pub(super) fn apply_baseline(
    args: &CheckArgs,
    resolver: &config::Resolver,
    results: &mut Results,
    loaded: Option<Baseline>,
) -> Result<(), Failure> {
    let absolute = |path: &std::path::Path| resolver.absolute(path);
    let base_dir = |file: &std::path::Path| baseline_dir(resolver, file);
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
pub(super) fn cli_overrides(args: &CheckArgs) -> config::CliOverrides {
    config::CliOverrides {
        selection: selection::Selection {
            select: (!args.select.is_empty()).then(|| args.select.clone()),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
        },
        fail_level: args.fail_level,
        shellcheck: args.shellcheck.map(ShellcheckChoice::switch),
    }
}

/// `true` when the config of `path` excludes it.
pub(super) fn is_excluded(resolver: &mut config::Resolver, path: &std::path::Path) -> bool {
    resolver
        .chain_for(path)
        .is_some_and(|chain| chain.excludes(&resolver.absolute(path)))
}

/// The kind to lint a walked file as, after its config's `exclude` and `include`.
pub(super) fn configured_kind(
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

/// The settings of each file, by path (its bytes: hashing a `Path` goes component by
/// component): files that resolve alike share one value.
pub(super) type SettingsByFile = HashMap<std::ffi::OsString, Arc<config::FileSettings>>;

/// The different settings of `settings`, each once.
pub(super) fn distinct_settings(
    settings: &SettingsByFile,
) -> impl Iterator<Item = &config::FileSettings> {
    let mut seen = std::collections::HashSet::new();
    settings
        .values()
        .filter(move |file| seen.insert(Arc::as_ptr(file)))
        .map(|file| &**file)
}

/// The resolved settings of every file to check; any config error stops the run (exit 2).
pub(super) fn settings_per_file(
    args: &CheckArgs,
    resolver: &mut config::Resolver,
    files: &[discover::Candidate],
    stdin: Option<&StdinInput>,
) -> Result<SettingsByFile, Failure> {
    let overrides = cli_overrides(args);
    let mut settings = SettingsByFile::with_capacity(files.len() + 1);
    for path in files
        .iter()
        .map(|c| &c.path)
        .chain(stdin.map(|input| &input.path))
    {
        settings.insert(
            path.clone().into_os_string(),
            resolver.settings_for(path, &overrides),
        );
    }
    for note in resolver.notes() {
        eprintln!("plimsoll: note: {note}");
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
pub(super) fn exit_code(results: &Results, fail_level: Severity) -> u8 {
    exit_code_by_file(results, &|_| fail_level)
}

/// [`exit_code`] with each file's own fail level (from its config).
pub(super) fn exit_code_by_file(
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
pub(super) fn max_file_size(args: &CheckArgs) -> u64 {
    args.max_file_size.unwrap_or(runner::DEFAULT_MAX_FILE_SIZE)
}

pub(super) fn read_stdin(args: &CheckArgs) -> Result<StdinInput, FileError> {
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

/// The settings of the files that have policy rules in effect, in path order (the catalogue
/// describes the rules in the order met). Files without policies are left out before sorting:
/// sorting every path of a large tree cost 1% of a whole run.
pub(super) fn settings_with_policies(
    settings: &SettingsByFile,
) -> impl Iterator<Item = &config::FileSettings> {
    let mut entries: Vec<_> = settings
        .iter()
        .filter(|(_, file)| !file.settings.policies().is_empty())
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.into_iter().map(|(_, settings)| &**settings)
}

pub(super) fn write_reports(
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
        // `--fix` on stdin prints the fixed text on standard output: the report goes to
        // standard error then, as ruff does.
        let to_stderr = args.fix && args.paths.iter().any(|p| p.as_os_str() == "-");
        write_report(spec.format, results, options, file, to_stderr)?;
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
pub(super) fn append_step_summary(results: &Results) -> Result<(), Failure> {
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

/// One report in `format`: to `file` (atomically), else to standard output (standard error
/// with `to_stderr`).
pub(super) fn write_report(
    format: Format,
    results: &Results,
    options: report::Options<'_>,
    file: Option<&PathBuf>,
    to_stderr: bool,
) -> Result<(), Failure> {
    match file {
        Some(path) => write_atomically(path, |out| report::write(format, results, options, out))
            .map_err(|err| {
                Failure::Message(format!(
                    "{}: cannot write the report: {}",
                    path.display(),
                    io_message(&err)
                ))
            }),
        None if to_stderr => {
            let mut out = BufWriter::with_capacity(REPORT_BUFFER, io::stderr().lock());
            report::write(format, results, options, &mut out)?;
            Ok(out.flush()?)
        }
        None => {
            let mut out = BufWriter::with_capacity(REPORT_BUFFER, io::stdout().lock());
            report::write(format, results, options, &mut out)?;
            Ok(out.flush()?)
        }
    }
}

/// The report's write buffer: a whole-tree JSON report is megabytes, written in this many
/// bytes per `write` (the default 8 KiB made it a thousand system calls).
const REPORT_BUFFER: usize = 64 << 10;

/// Whether `selector` has the shape of a policy rule code, name or code prefix.
pub(super) fn could_name_policy(selector: &str) -> bool {
    !selector.is_empty()
        && selector
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::rules;
    use crate::syntax::source::FileKind;

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
            fixed: Vec::new(),
            older: 0,
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
