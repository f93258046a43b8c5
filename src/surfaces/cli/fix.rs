//! `plimsoll check --fix` and `--diff`: fix each file in the worker that checked it (passes of
//! non-overlapping fixes, re-checked between passes: `linter::fix`), then write the changed
//! files atomically, or print what would change as a unified diff.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::linter::diagnostic::Finding;
use crate::linter::engine;
use crate::linter::fix;
use crate::linter::project::Workspace;
use crate::linter::rules;
use crate::linter::selection::Settings;
use crate::syntax::source::SourceFile;
use crate::workspace::atomic_write::write_atomically;
use crate::workspace::baseline::Baseline;
use crate::workspace::discover::io_message;
use crate::workspace::results::{FileError, FileResult, FixRecord, Results};
use crate::workspace::runner;

/// What `--fix`/`--diff` may touch: the applicability asked for, and the baseline whose
/// findings are left alone (with the directory its paths are relative to).
pub(super) struct FixPolicy<'b> {
    pub unsafe_fixes: bool,
    pub baseline: Option<(&'b Baseline, PathBuf)>,
    pub cwd: PathBuf,
}

/// `file` fixed as far as `policy` allows, re-checked with `settings`; with the record of what
/// changed. A file whose fixed text would parse worse than before is left as it was (recorded
/// as rejected).
pub(super) fn fix_file(
    file: FileResult,
    workspace: &dyn Workspace,
    settings: &Settings,
    policy: &FixPolicy<'_>,
) -> (FileResult, Option<FixRecord>) {
    let source = &file.source;
    let with_text = |text: &str| SourceFile::new(source.path.clone(), text, source.kind);
    let check = |text: &str| engine::check_in(&with_text(text), settings, workspace);
    let absolute = crate::linter::project::normalize(&policy.cwd.join(&source.path));
    let eligible = |text: &str, findings: &[Finding]| match &policy.baseline {
        Some((baseline, base_dir)) => baseline
            .recorded(&absolute, base_dir, &with_text(text), findings)
            .into_iter()
            .map(|recorded| !recorded)
            .collect(),
        None => vec![true; findings.len()],
    };
    let Some(fixed) = fix::fix_text(
        &source.text,
        file.findings.clone(),
        policy.unsafe_fixes,
        &check,
        &eligible,
    ) else {
        return (file, None);
    };
    let parse_errors = |findings: &[Finding]| {
        findings
            .iter()
            .filter(|f| f.code == rules::PARSE_ERROR.code)
            .count()
    };
    let mut record = FixRecord {
        path: source.path.clone(),
        original: source.text.clone(),
        applied: fixed.applied,
        rejected: false,
    };
    if parse_errors(&fixed.findings) > parse_errors(&file.findings) {
        record.rejected = true;
        return (file, Some(record));
    }
    let fixed_file = FileResult {
        source: with_text(&fixed.text),
        findings: fixed.findings,
    };
    (fixed_file, Some(record))
}

/// The text of the checked file at `path` after the run.
fn text_of<'r>(results: &'r Results, path: &Path) -> Option<&'r str> {
    results
        .files
        .iter()
        .find(|file| file.source.path == path)
        .map(|file| file.source.text.as_str())
}

/// `--diff`: a unified diff per changed file on `out`; the number of files that would change.
pub(super) fn print_diffs(results: &Results, out: &mut dyn Write) -> io::Result<usize> {
    let mut changed = 0;
    for record in results.fixed.iter().filter(|r| !r.rejected) {
        let Some(fixed) = text_of(results, &record.path) else {
            continue;
        };
        write_unified_diff(out, &record.path, &record.original, fixed)?;
        changed += 1;
    }
    Ok(changed)
}

/// A unified diff (3 lines of context) from `old` to `new` of the file at `path`.
pub(super) fn write_unified_diff(
    out: &mut dyn Write,
    path: &Path,
    old: &str,
    new: &str,
) -> io::Result<()> {
    let shown = path.display().to_string();
    let diff = similar::TextDiff::from_lines(old, new);
    write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
    )
}

/// `--fix`: write each changed file (not `stdin_path`) atomically, unless it changed on disk
/// since it was read; a file that cannot be written becomes an error of the run.
pub(super) fn write_fixed(results: &mut Results, stdin_path: Option<&Path>) {
    let mut errors = Vec::new();
    for record in results.fixed.iter().filter(|r| !r.rejected) {
        if Some(record.path.as_path()) == stdin_path {
            continue;
        }
        let Some(fixed) = text_of(results, &record.path) else {
            continue;
        };
        let unchanged = runner::read_limited(&record.path, None)
            .is_ok_and(|bytes| bytes == record.original.as_bytes());
        if !unchanged {
            errors.push(FileError::new(
                &record.path,
                "changed on disk while plimsoll was fixing it; not written",
            ));
            continue;
        }
        if let Err(err) = write_atomically(&record.path, |out| out.write_all(fixed.as_bytes())) {
            errors.push(FileError::new(
                &record.path,
                format!("cannot write the fixed file: {}", io_message(&err)),
            ));
        }
    }
    results.errors.extend(errors);
    results.errors.sort_by(|a, b| a.path.cmp(&b.path));
}

/// The summary line of `--fix` and `--diff` (ruff's wording), for standard error.
pub(super) fn summary(results: &Results, unsafe_fixes: bool, dry_run: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for record in results.fixed.iter().filter(|r| r.rejected) {
        lines.push(format!(
            "not fixed {}: the fixed text would not parse (please report this)",
            record.path.display()
        ));
    }
    let applied: usize = results
        .fixed
        .iter()
        .filter(|r| !r.rejected)
        .map(|r| r.applied)
        .sum();
    let files = results.fixed.iter().filter(|r| !r.rejected).count();
    let verb = if dry_run { "Would fix" } else { "Fixed" };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{verb} {} in {}.",
        plural(applied, "finding"),
        plural(files, "file")
    );
    if !unsafe_fixes {
        let hidden: usize = results
            .files
            .iter()
            .map(|file| fix::unsafe_only(&file.findings))
            .sum();
        if hidden > 0 {
            let fixes = if hidden == 1 { "fix" } else { "fixes" };
            line.push_str(&format!(
                " {hidden} more {fixes} available with `--unsafe-fixes`."
            ));
        }
    }
    lines.push(line);
    lines
}
