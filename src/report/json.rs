//! The `json` format: one object with every finding, every file error and a summary.
//! The schema is documented in docs/json-output.md; bump `VERSION` on any breaking change.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;

use super::Results;
use crate::linter::diagnostic::{Finding, Fix, Severity};
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::{Position, Span};

const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output {
    version: u32,
    files: Vec<JsonFile>,
    /// Each finding rendered on its own (in parallel), already indented for its place.
    findings: Vec<Box<RawValue>>,
    errors: Vec<JsonError>,
    skipped: Vec<JsonSkipped>,
    summary: Summary,
}

/// A walked file deliberately not read (not an error).
#[derive(Serialize)]
struct JsonSkipped {
    path: String,
    reason: String,
}

/// A file that was checked (with or without findings).
#[derive(Serialize)]
struct JsonFile {
    path: String,
    kind: FileKind,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: String,
    code: &'a str,
    name: &'a str,
    category: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    start: Position,
    end: Position,
    span: Span,
    labels: Vec<JsonLabel<'a>>,
    fix: Option<&'a Fix>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    /// Only for a label in another file than the finding's (positions are in that file).
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    message: &'a str,
    start: Position,
    end: Position,
    span: Span,
}

#[derive(Serialize)]
struct JsonError {
    path: String,
    message: String,
    start: Option<Position>,
}

#[derive(Serialize)]
struct Summary {
    files_checked: usize,
    files_with_findings: usize,
    findings: usize,
    by_severity: BySeverity,
    errors: usize,
    /// Findings left out as older than the change (`--diff-base`); 0 without it.
    older_than_change: usize,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
    style: usize,
}

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let files = results
        .files
        .iter()
        .map(|file| JsonFile {
            path: file.source.path.display().to_string(),
            kind: file.source.kind,
        })
        .collect();
    let findings = results
        .files
        .par_iter()
        .flat_map_iter(|file| file.findings.iter().map(move |f| (&file.source, f)))
        .map(|(source, finding)| rendered(&json_finding(source, finding)))
        .collect::<io::Result<Vec<_>>>()?;
    let errors = results
        .errors
        .iter()
        .map(|error| JsonError {
            path: error.path.display().to_string(),
            message: error.message.clone(),
            start: error.position,
        })
        .collect();
    let skipped = results
        .skipped
        .iter()
        .map(|skipped| JsonSkipped {
            path: skipped.path.display().to_string(),
            reason: skipped.message.clone(),
        })
        .collect();
    let output = Output {
        version: VERSION,
        files,
        findings,
        errors,
        skipped,
        summary: Summary {
            files_checked: results.files.len(),
            files_with_findings: results.files_with_findings(),
            findings: results.finding_count(),
            by_severity: BySeverity {
                error: results.count_of(Severity::Error),
                warning: results.count_of(Severity::Warning),
                info: results.count_of(Severity::Info),
                style: results.count_of(Severity::Style),
            },
            errors: results.errors.len(),
            older_than_change: results.older,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn json_finding<'a>(source: &'a SourceFile, finding: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        path: source.path.display().to_string(),
        code: &finding.code,
        name: &finding.name,
        category: finding.category.as_str(),
        severity: finding.severity.as_str(),
        message: &finding.message,
        help: finding.help.as_deref(),
        start: source.position(finding.span.start),
        end: source.position(finding.span.end),
        span: finding.span,
        labels: finding
            .labels
            .iter()
            .map(|label| {
                // A label in another file carries that file, so positions are its own.
                let file = label.other_file().unwrap_or(source);
                JsonLabel {
                    path: label.path.as_ref().map(|path| path.display().to_string()),
                    message: &label.message,
                    start: file.position(label.span.start),
                    end: file.position(label.span.end),
                    span: label.span,
                }
            })
            .collect(),
        fix: finding.fix.as_ref(),
    }
}

/// How deep a finding sits in the report: inside the top-level object's `findings` array.
const FINDING_INDENT: &str = "    ";

/// `value` pretty-printed as it appears at [`FINDING_INDENT`] in the report: serde_json writes a
/// raw value as it is, so every line after the first carries the indentation of its place.
/// JSON strings never hold a raw line break, so every `\n` is one between tokens.
fn rendered(value: &impl Serialize) -> io::Result<Box<RawValue>> {
    let text = serde_json::to_string_pretty(value)?;
    let indented = text.replace('\n', &format!("\n{FINDING_INDENT}"));
    RawValue::from_string(indented).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::linter::diagnostic::{Applicability, Category, Edit, Finding, Fix, Label, Severity};
    use crate::report::{Format, Options, write};
    use crate::syntax::source::{FileKind, SourceFile};
    use crate::syntax::span::{Position, Span};
    use crate::workspace::results::{FileError, FileResult, Results};

    /// The example in docs/json-output.md, parsed.
    fn documented_example() -> Value {
        let doc = include_str!("../../docs/json-output.md");
        let start = doc.find("```json\n").expect("an example") + "```json\n".len();
        let end = start + doc[start..].find("```").expect("a closed example");
        serde_json::from_str(&doc[start..end]).expect("the example is JSON")
    }

    /// Every object key path in `value`, e.g. `findings[].labels[].span.start`.
    fn key_paths(value: &Value) -> std::collections::BTreeSet<String> {
        let mut paths = std::collections::BTreeSet::new();
        let mut stack = vec![(String::new(), value)];
        while let Some((prefix, value)) = stack.pop() {
            match value {
                Value::Object(map) => {
                    for (key, child) in map {
                        let path = format!("{prefix}.{key}");
                        paths.insert(path.clone());
                        stack.push((path, child));
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        stack.push((format!("{prefix}[]"), item));
                    }
                }
                _ => {}
            }
        }
        paths
    }

    #[test]
    fn findings_errors_and_summary() {
        let text = "FROM alpine:latest\n";
        let results = Results {
            files: vec![FileResult {
                source: SourceFile::new("Dockerfile", text, FileKind::Dockerfile),
                findings: vec![Finding {
                    code: "DF002".into(),
                    name: "latest-tag".into(),
                    category: Category::Reproducibility,
                    severity: Severity::Warning,
                    message: "uses latest".into(),
                    span: Span::new(12, 18),
                    help: None,
                    labels: vec![Label::new(Span::new(0, 4), "here")],
                    fix: Some(Fix {
                        message: "pin".into(),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            span: Span::new(12, 18),
                            replacement: "3.20".into(),
                        }],
                    }),
                }],
            }],
            errors: vec![FileError {
                path: "bad/Dockerfile".into(),
                message: "stream did not contain valid UTF-8".into(),
                position: Some(Position { line: 2, column: 3 }),
            }],
            skipped: vec![FileError::new(
                std::path::Path::new("keys/Dockerfile"),
                "symlink to a file outside the checked directory",
            )],
            fixed: Vec::new(),
            older: 0,
        };
        let mut out = Vec::new();
        write(Format::Json, &results, Options::default(), &mut out).unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        // The documented example has the same fields (its finding has no fix to show).
        let mut documented = key_paths(&documented_example());
        let mut produced = key_paths(&value);
        produced.retain(|path| !path.starts_with(".findings[].fix."));
        documented.retain(|path| !path.starts_with(".findings[].fix."));
        assert_eq!(documented, produced);
        assert_eq!(
            value,
            json!({
                "version": 1,
                "files": [{"path": "Dockerfile", "kind": "dockerfile"}],
                "findings": [{
                    "path": "Dockerfile",
                    "code": "DF002",
                    "name": "latest-tag",
                    "category": "reproducibility",
                    "severity": "warning",
                    "message": "uses latest",
                    "help": null,
                    "start": {"line": 1, "column": 13},
                    "end": {"line": 1, "column": 19},
                    "span": {"start": 12, "end": 18},
                    "labels": [{
                        "message": "here",
                        "start": {"line": 1, "column": 1},
                        "end": {"line": 1, "column": 5},
                        "span": {"start": 0, "end": 4}
                    }],
                    "fix": {
                        "message": "pin",
                        "applicability": "unsafe",
                        "edits": [{"span": {"start": 12, "end": 18}, "replacement": "3.20"}]
                    }
                }],
                "errors": [{
                    "path": "bad/Dockerfile",
                    "message": "stream did not contain valid UTF-8",
                    "start": {"line": 2, "column": 3}
                }],
                "skipped": [{
                    "path": "keys/Dockerfile",
                    "reason": "symlink to a file outside the checked directory"
                }],
                "summary": {
                    "files_checked": 1,
                    "files_with_findings": 1,
                    "findings": 1,
                    "by_severity": {"error": 0, "warning": 1, "info": 0, "style": 0},
                    "errors": 1,
                    "older_than_change": 0
                }
            })
        );
    }
}
