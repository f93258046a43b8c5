//! The rule fixture harness. Every folder `tests/fixtures/rules/<rule-name>/` holds real
//! Dockerfiles and compose files for that rule. A comment `# expect: rule-name[, other-rule]`
//! stands on the line above each line that must be flagged (the finding's span starts on the
//! next line that is not itself an `expect` comment); every other line must have no finding of
//! the rules under test (the folder's rule and every rule an `expect` comment names).
//!
//! Files in subfolders are not checked themselves: they are the Dockerfiles that compose fixtures
//! build (cross-file rules read them through the workspace).
//!
//! The files run through the engine with every rule enabled. Besides the line check, the
//! rendered findings of the rules under test are snapshotted (`tests/snapshots/`), so a change
//! of message or span shows up in review. Update snapshots with
//! `INSTA_UPDATE=always cargo test --test rule_fixtures` (or `cargo insta review`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use plimsoll::linter::engine::{self, Settings};
use plimsoll::workspace::runner::FsWorkspace;
use plimsoll::{FileKind, Finding, SourceFile};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// The fixture folders, sorted, as (rule name, folder).
fn fixture_dirs() -> Vec<(String, PathBuf)> {
    let mut dirs: Vec<(String, PathBuf)> = fs::read_dir(fixtures_root())
        .expect("tests/fixtures/rules exists")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .collect();
    dirs.sort();
    dirs
}

/// The fixture files of a folder, sorted by name. A dotfile is not one: `.env` is the
/// environment the compose fixtures beside it are interpolated with, and `.env`,
/// `.dockerignore`, `.npmrc` and the like are the build context of the Dockerfiles beside
/// them (the folder is their context; other context files go in subfolders).
fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("fixture folder is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && !path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// The expectations of a file: 0-based line → rule names expected to start a finding there.
fn expectations(text: &str) -> BTreeMap<usize, BTreeSet<String>> {
    let mut expected: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut pending: BTreeSet<String> = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(names) = line.trim_start().strip_prefix("# expect:") {
            pending.extend(
                names
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(String::from),
            );
            continue;
        }
        if !pending.is_empty() {
            expected
                .entry(index)
                .or_default()
                .append(&mut std::mem::take(&mut pending));
        }
    }
    expected
}

struct Checked {
    /// `path:line: …` lines describing every mismatch.
    failures: Vec<String>,
    /// The rendered findings of the rules under test.
    rendered: String,
    /// How many findings of the folder's own rule were expected.
    owner_expectations: usize,
}

/// `path:line:col-endline:endcol code/name message`, then one indented line per label and fix.
fn render(relative: &str, source: &SourceFile, finding: &Finding) -> String {
    let range = |span: plimsoll::Span| {
        let start = source.position(span.start);
        let end = source.position(span.end);
        format!(
            "{}:{}-{}:{}",
            start.line, start.column, end.line, end.column
        )
    };
    let mut out = format!(
        "{relative}:{} {}/{} {}",
        range(finding.span),
        finding.code,
        finding.name,
        finding.message
    );
    for label in &finding.labels {
        match label.other_file() {
            // A label in another file (a compose service's Dockerfile): its fixture-relative
            // path and positions in that file.
            Some(file) => {
                let start = file.position(label.span.start);
                let end = file.position(label.span.end);
                let path = file
                    .path
                    .strip_prefix(fixtures_root())
                    .unwrap_or(&file.path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let _ = write!(
                    out,
                    "\n    label {path}:{}:{}-{}:{}: {}",
                    start.line, start.column, end.line, end.column, label.message
                );
            }
            None => {
                let _ = write!(out, "\n    label {}: {}", range(label.span), label.message);
            }
        }
    }
    if let Some(fix) = &finding.fix {
        let _ = write!(out, "\n    fix ({:?}): {}", fix.applicability, fix.message);
        for edit in &fix.edits {
            let _ = write!(
                out,
                "\n      {} -> {:?}",
                range(edit.span),
                edit.replacement
            );
        }
    }
    out
}

fn check_file(owner: &str, path: &Path) -> Checked {
    let relative = path
        .strip_prefix(fixtures_root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let mut failures = Vec::new();
    let Some(kind) = FileKind::from_path(path) else {
        failures.push(format!(
            "{relative}: not a fixture name plimsoll recognises (use `Dockerfile`, \
             `<case>.Dockerfile` or `<case>.compose.yaml`)"
        ));
        return Checked {
            failures,
            rendered: String::new(),
            owner_expectations: 0,
        };
    };
    let text = fs::read_to_string(path).expect("fixture is UTF-8");
    let source = SourceFile::new(path, text, kind);
    let expected = expectations(&source.text);
    let settings = Settings::from_selectors(&["all".into()], &[], &[]);
    // Compose fixtures see the Dockerfiles next to them (cross-file rules).
    let findings = engine::check_in(&source, &settings, &FsWorkspace::new());

    let mut under_test: BTreeSet<&str> = BTreeSet::from([owner]);
    for names in expected.values() {
        under_test.extend(names.iter().map(String::as_str));
    }
    for name in &under_test {
        if plimsoll::linter::rules::find(name).is_none() {
            failures.push(format!(
                "{relative}: `# expect:` names unknown rule `{name}`"
            ));
        }
    }

    let index = source.line_index();
    let mut rendered = String::new();
    for name in &under_test {
        let want: BTreeSet<usize> = expected
            .iter()
            .filter(|(_, names)| names.contains(*name))
            .map(|(line, _)| *line)
            .collect();
        let ours: Vec<&Finding> = findings.iter().filter(|f| f.name == *name).collect();
        let got: BTreeSet<usize> = ours.iter().map(|f| index.line_of(f.span.start)).collect();
        for line in want.difference(&got) {
            failures.push(format!(
                "{relative}:{}: expected a `{name}` finding starting on this line, found none",
                line + 1
            ));
        }
        for finding in &ours {
            let line = index.line_of(finding.span.start);
            if !want.contains(&line) {
                failures.push(format!(
                    "{relative}:{}: unexpected `{name}` finding: {}",
                    line + 1,
                    finding.message
                ));
            }
        }
    }
    for finding in &findings {
        if under_test.contains(finding.name.as_ref()) {
            let _ = writeln!(rendered, "{}", render(&relative, &source, finding));
        }
    }
    let owner_expectations = expected
        .values()
        .filter(|names| names.contains(owner))
        .count();
    Checked {
        failures,
        rendered,
        owner_expectations,
    }
}

#[test]
fn expect_comments_parse() {
    let text = "FROM a\n# expect: x, y\n  # expect: z\nUSER root\nRUN b\n# expect: x\nRUN c\n";
    let expected = expectations(text);
    assert_eq!(
        expected.into_iter().collect::<Vec<_>>(),
        vec![
            (
                3,
                BTreeSet::from(["x".to_string(), "y".to_string(), "z".to_string()])
            ),
            (6, BTreeSet::from(["x".to_string()])),
        ]
    );
}

/// Every fixture folder, checked: (rule name, mismatches, rendered findings).
fn check_all() -> Vec<(String, Vec<String>, String)> {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no fixture folders found");
    let mut results = Vec::new();
    for (owner, dir) in &dirs {
        let mut failures = Vec::new();
        let mut rendered = String::new();
        if plimsoll::linter::rules::find(owner).is_none() {
            failures.push(format!("{}: folder name is not a rule name", dir.display()));
            results.push((owner.clone(), failures, rendered));
            continue;
        }
        let files = fixture_files(dir);
        if files.is_empty() {
            failures.push(format!("{owner}: fixture folder has no files"));
        }
        let mut owner_expectations = 0;
        for file in &files {
            let checked = check_file(owner, file);
            failures.extend(checked.failures);
            rendered.push_str(&checked.rendered);
            owner_expectations += checked.owner_expectations;
        }
        if owner_expectations == 0 {
            failures.push(format!(
                "{owner}: no fixture expects a `{owner}` finding; add `# expect: {owner}` cases"
            ));
        }
        results.push((owner.clone(), failures, rendered));
    }
    results
}

#[test]
fn fixtures_match_their_expect_comments() {
    let failures: Vec<String> = check_all()
        .into_iter()
        .flat_map(|(_, failures, _)| failures)
        .collect();
    assert!(
        failures.is_empty(),
        "rule fixtures disagree with their `# expect:` comments:\n{}",
        failures.join("\n")
    );
}

/// The rendered findings of each folder's rules under test, one snapshot per rule.
#[test]
fn fixture_findings_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (owner, _, rendered) in check_all() {
            insta::assert_snapshot!(format!("fixtures__{owner}"), rendered);
        }
    });
}
