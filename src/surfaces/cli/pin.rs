//! `plimsoll pin`: pin base images and compose images to the digest their tag points to now
//! (`name:tag` → `name:tag@sha256:…`, the tag kept for humans). `--check` reports stale pins
//! (PL003) instead of writing, `--dry-run` prints the diff, `--update` also refreshes stale
//! pins. The only command that talks to the network (`workspace::registry`).
//!
//! Every reference of every file is resolved first; then each file is written once,
//! atomically, with the references that resolved (the others stay as they were, with an error
//! each). Exit codes: 0 done (or, with `--check`, no stale pin; with `--dry-run`, nothing to
//! change), 1 `--check` found stale pins or `--dry-run` has something to change, 2 a
//! reference could not be resolved or a file could not be read or written.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use crate::linter::catalogue::{Catalogue, STALE_DIGEST_PIN};
use crate::report::{self, Format};
use crate::semantic::pins::{self, PinSite, PinSites};
use crate::syntax::excerpt::excerpt;
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::Span;
use crate::workspace::atomic_write::write_atomically;
use crate::workspace::discover::{self, io_message};
use crate::workspace::registry::{self, Client, ResolveError, TagRef};
use crate::workspace::results::{FileError, FileResult, Results};
use crate::workspace::runner;

use super::check::{FormatSpec, parse_format_spec, write_report};
use super::fix::write_unified_diff;
use super::{EXIT_ERROR, Failure};

#[derive(Debug, Args)]
pub(super) struct PinArgs {
    /// Dockerfiles, compose files and directories to pin (directories are searched as by
    /// `check`). Default: `.`.
    paths: Vec<PathBuf>,
    /// Write nothing: report references pinned to a digest their tag no longer points to
    /// (PL003 stale-digest-pin) in the chosen formats; exit 1 when there is one.
    #[arg(long, conflicts_with_all = ["dry_run", "update"])]
    check: bool,
    /// Print a unified diff of what would change and write nothing; exit 1 when there is
    /// something to change.
    #[arg(long)]
    dry_run: bool,
    /// Also replace stale digests with the digest the tag points to now.
    #[arg(long)]
    update: bool,
    /// With `--check`: output format, optionally with a file (`--format sarif=pins.sarif`);
    /// repeatable. The formats of `check`.
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = parse_format_spec, requires = "check")]
    format: Vec<FormatSpec>,
    /// Seconds one registry request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// Print only errors (no skipped references, no summary).
    #[arg(short, long)]
    quiet: bool,
}

/// One file read, with the references it names.
struct Planned {
    source: SourceFile,
    sites: PinSites,
}

pub(super) fn pin(mut args: PinArgs) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    if args.format.is_empty() {
        args.format.push(FormatSpec {
            format: Format::default(),
            file: None,
        });
    }
    if args
        .format
        .iter()
        .filter(|spec| spec.file.is_none())
        .count()
        > 1
    {
        return Err(Failure::Message(
            "several formats would be written to standard output; give all but one a file \
             (`--format sarif=pins.sarif`)"
                .to_string(),
        ));
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let discovery = discover::discover(&paths, None);
    let mut errors = discovery.errors;
    let mut planned = Vec::new();
    for candidate in discovery.files {
        let text = match runner::read_limited(&candidate.path, Some(runner::DEFAULT_MAX_FILE_SIZE))
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string()))
        {
            Ok(text) => text,
            Err(message) => {
                errors.push(FileError::new(&candidate.path, message));
                continue;
            }
        };
        let kind = candidate
            .kind
            .unwrap_or_else(|| FileKind::of_named(&candidate.path, &text));
        let source = SourceFile::new(candidate.path.clone(), text, kind);
        let sites = match kind {
            FileKind::Dockerfile => pins::dockerfile_sites(
                &source.text,
                &crate::syntax::dockerfile::parse(&source.text),
            ),
            FileKind::Compose => {
                pins::compose_sites(&source.text, &crate::syntax::compose::parse(&source.text))
            }
        };
        planned.push(Planned { source, sites });
    }
    if !args.quiet {
        for file in &planned {
            for skipped in &file.sites.skipped {
                eprintln!(
                    "plimsoll: skipped {}: {}",
                    located(&file.source, skipped.span),
                    skipped.reason
                );
            }
        }
    }

    // Each tag once, however many files name it.
    let wanted = |site: &PinSite| site.image.digest.is_none() || args.check || args.update;
    let tags: BTreeSet<TagRef> = planned
        .iter()
        .flat_map(|file| file.sites.sites.iter())
        .filter(|site| wanted(site))
        .filter_map(|site| TagRef::of(&site.image))
        .collect();
    let mut client = Client::new(registry::Options {
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..registry::Options::default()
    });
    let resolved: BTreeMap<TagRef, Result<String, ResolveError>> = tags
        .into_iter()
        .map(|tag| {
            let digest = client.resolve(&tag);
            (tag, digest)
        })
        .collect();

    let mut results = Results::default();
    // Each changed file: its path, its text as read, the pinned text, how many references changed.
    let mut edited: Vec<(PathBuf, String, String, usize)> = Vec::new();
    let mut failed_references = 0;
    for file in planned {
        let text = &file.source.text;
        let mut edits: Vec<(Span, String)> = Vec::new();
        let mut findings = Vec::new();
        for site in file.sites.sites.iter().filter(|site| wanted(site)) {
            let Some(outcome) = TagRef::of(&site.image)
                .and_then(|tag| resolved.get(&tag).map(|outcome| (tag, outcome.as_ref())))
            else {
                continue;
            };
            let written = site.span.text(text);
            match outcome {
                (tag, Err(error)) => {
                    failed_references += 1;
                    let mut problem = FileError::new(
                        &file.source.path,
                        format!("cannot pin `{}` ({tag}): {error}", excerpt(written)),
                    );
                    problem.position = Some(file.source.position(site.span.start));
                    results.errors.push(problem);
                }
                (_, Ok(digest)) => match site.image.digest.as_deref() {
                    None => edits.push((site.span, site.pinned(text, digest))),
                    Some(pinned) if pinned == digest => {}
                    Some(pinned) if args.check => {
                        findings.push(stale_finding(site, written, pinned, digest));
                    }
                    Some(_) => edits.push((site.span, site.pinned(text, digest))),
                },
            }
        }
        if !edits.is_empty() {
            let new_text = pins::apply_edits(text, &edits);
            edited.push((
                file.source.path.clone(),
                text.clone(),
                new_text,
                edits.len(),
            ));
        }
        results.files.push(FileResult {
            source: file.source,
            findings,
        });
    }
    results.errors.extend(errors);
    results
        .errors
        .sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    results.skipped = discovery.skipped;

    if args.check {
        return finish_check(&args, &results, started.elapsed());
    }
    for error in &results.errors {
        eprintln!("plimsoll: error: {}", error.located_message());
    }
    if args.dry_run {
        let mut out = io::stdout().lock();
        for (path, old_text, new_text, _) in &edited {
            write_unified_diff(&mut out, path, old_text, new_text)?;
        }
        out.flush()?;
    }
    let mut write_errors = 0;
    let mut pinned = 0;
    if !args.dry_run {
        for (path, old_text, new_text, count) in &edited {
            let unchanged =
                runner::read_limited(path, None).is_ok_and(|bytes| bytes == old_text.as_bytes());
            let outcome = if unchanged {
                write_atomically(path, |out| out.write_all(new_text.as_bytes()))
                    .map_err(|err| format!("cannot write the pinned file: {}", io_message(&err)))
            } else {
                Err("changed on disk while plimsoll was pinning it; not written".to_string())
            };
            match outcome {
                Ok(()) => pinned += count,
                Err(message) => {
                    write_errors += 1;
                    eprintln!(
                        "plimsoll: error: {}",
                        FileError::new(path, message).located_message()
                    );
                }
            }
        }
    }
    let references: usize = edited.iter().map(|(_, _, _, count)| count).sum();
    if !args.quiet {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut line = if args.dry_run {
            format!(
                "Would pin {} in {}.",
                plural(references, "reference"),
                plural(edited.len(), "file")
            )
        } else {
            format!(
                "Pinned {} in {}.",
                plural(pinned, "reference"),
                plural(edited.len() - write_errors, "file")
            )
        };
        if failed_references > 0 {
            line.push_str(&format!(
                " {} could not be resolved.",
                plural(failed_references, "reference")
            ));
        }
        eprintln!("plimsoll: {line}");
    }
    let code = if !results.errors.is_empty() || write_errors > 0 {
        EXIT_ERROR
    } else if args.dry_run && references > 0 {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

/// A PL003 finding on the digest of `site`.
fn stale_finding(
    site: &PinSite,
    written: &str,
    pinned: &str,
    current: &str,
) -> crate::linter::diagnostic::Finding {
    let span = site
        .image
        .digest_range
        .clone()
        .map_or(site.span, |range| site.span.sub(range.start, range.end));
    let name_and_tag = written.split_once('@').map_or(written, |(name, _)| name);
    let mut finding = STALE_DIGEST_PIN.finding(
        span,
        format!(
            "{}: `{}` is pinned to {}, but the tag now points to {}",
            site.place,
            excerpt(name_and_tag),
            short(pinned),
            short(current)
        ),
    );
    finding.with_help(format!(
        "`plimsoll pin --update` pins `{}@{current}`; keep the old digest only on purpose",
        excerpt(name_and_tag)
    ));
    finding
}

/// `sha256:0123456789ab…`
fn short(digest: &str) -> String {
    match digest.get(..19) {
        Some(head) if digest.len() > 19 => format!("{head}…"),
        _ => digest.to_string(),
    }
}

/// `path:line:col`
fn located(source: &SourceFile, span: Span) -> String {
    let at = source.position(span.start);
    format!(
        "{}:{}:{}",
        crate::syntax::excerpt::printable(&source.path.display().to_string()),
        at.line,
        at.column
    )
}

/// `--check`: the report in each format; 2 when something could not be resolved or read, 1
/// for stale pins, else 0.
fn finish_check(args: &PinArgs, results: &Results, elapsed: Duration) -> Result<ExitCode, Failure> {
    for error in &results.errors {
        eprintln!("plimsoll: error: {}", error.located_message());
    }
    let code = if !results.errors.is_empty() {
        EXIT_ERROR
    } else if results.finding_count() > 0 {
        1
    } else {
        0
    };
    let catalogue = Catalogue::default();
    for spec in &args.format {
        let color = spec.file.is_none()
            && spec.format == Format::Text
            && io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
        let options = report::Options {
            color,
            quiet: args.quiet,
            exit_code: code,
            elapsed: Some(elapsed),
            catalogue: Some(&catalogue),
        };
        write_report(spec.format, results, options, spec.file.as_ref(), false)?;
    }
    Ok(ExitCode::from(code))
}
