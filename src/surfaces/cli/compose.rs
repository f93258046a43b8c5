//! `plimsoll compose config`: the merged compose project as JSON, in the shape of `docker
//! compose config --format json --no-interpolate` for the fields plimsoll models (a debugging
//! aid: what plimsoll judges). Problems (unreadable files, parse errors, missing `extends` or
//! `include` targets, cycles, conflicts) are printed as file:line:col and exit 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::semantic::compose::config_json;
use crate::syntax::span::LineIndex;
use crate::workspace::compose_project::{self, FsLoader, ProjectSpec};
use crate::workspace::runner;

use super::{EXIT_ERROR, Failure};

#[derive(Debug, Args)]
pub(super) struct ComposeArgs {
    #[command(subcommand)]
    command: ComposeCommand,
}

#[derive(Debug, Subcommand)]
enum ComposeCommand {
    /// Print the merged project (overrides, extends, include) as JSON.
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
struct ConfigArgs {
    /// Project directories, or compose files (each printed as its project). Default: `.`.
    #[arg(value_name = "PATH", conflicts_with = "file")]
    paths: Vec<PathBuf>,
    /// Compose files of one project, in order (as `docker compose -f`).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Vec<PathBuf>,
    /// The project directory for `-f` files (default: the first file's directory).
    #[arg(long, value_name = "DIR", requires = "file")]
    project_directory: Option<PathBuf>,
    /// Enable a profile (repeatable; `*` for all); added to `COMPOSE_PROFILES` from `.env`.
    #[arg(long, value_name = "NAME")]
    profile: Vec<String>,
}

pub(super) fn compose(args: ComposeArgs) -> Result<ExitCode, Failure> {
    match args.command {
        ComposeCommand::Config(args) => config(args),
    }
}

fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    std::path::absolute(path)
        .map_err(|err| Failure::Message(format!("`{}`: {err}", path.display())))
}

fn config(args: ConfigArgs) -> Result<ExitCode, Failure> {
    let mut loader = FsLoader::new(runner::read_referenced, runner::DEFAULT_MAX_FILE_SIZE);
    let mut specs: Vec<ProjectSpec> = Vec::new();
    if !args.file.is_empty() {
        let files = args
            .file
            .iter()
            .map(|f| absolute(f))
            .collect::<Result<Vec<_>, _>>()?;
        let dir = args
            .project_directory
            .as_deref()
            .map(absolute)
            .transpose()?;
        specs.push(compose_project::project_for_files(
            &files,
            dir.as_deref(),
            &loader,
        ));
    } else {
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        for path in paths {
            let path = absolute(&path)?;
            if path.is_dir() {
                match compose_project::project_for_dir(&path, &loader) {
                    Some(spec) => specs.push(spec),
                    None => {
                        return Err(Failure::Message(format!(
                            "no compose file in `{}`",
                            path.display()
                        )));
                    }
                }
            } else {
                specs.push(compose_project::project_for_file(&path, &mut loader));
            }
        }
    }
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for spec in specs {
        let project = compose_project::load(&spec, &mut loader);
        if !project.problems.is_empty() {
            failed = true;
            for problem in &project.problems {
                let file = &project.files[problem.loc.file].path;
                let (line, col) = match loader.text(file) {
                    Some(text) => {
                        let p = LineIndex::new(&text).position(&text, problem.loc.span.start);
                        (p.line, p.column)
                    }
                    None => (1, 1),
                };
                eprintln!("{}:{line}:{col}: {}", file.display(), problem.message);
            }
            continue;
        }
        let mut profiles = spec.profiles.clone();
        profiles.extend(args.profile.iter().cloned());
        let json = config_json(&project, &spec.name(), &profiles);
        serde_json::to_writer_pretty(&mut out, &json)
            .map_err(|err| Failure::Message(format!("cannot write output: {err}")))?;
        writeln!(out)?;
    }
    Ok(if failed {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}
