//! The `json` format: one object with every finding, every file error and a summary.
//! The schema is documented in docs/json-output.md; bump `VERSION` on any breaking change.

use std::io::{self, Write};

use serde::Serialize;

use super::Results;
use crate::diagnostic::{Fix, Severity};
use crate::span::{Position, Span};

const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError>,
    summary: Summary,
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
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
    style: usize,
}

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let findings = results
        .findings()
        .map(|(source, finding)| JsonFinding {
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
                .map(|label| JsonLabel {
                    message: &label.message,
                    start: source.position(label.span.start),
                    end: source.position(label.span.end),
                    span: label.span,
                })
                .collect(),
            fix: finding.fix.as_ref(),
        })
        .collect();
    let errors = results
        .errors
        .iter()
        .map(|error| JsonError {
            path: error.path.display().to_string(),
            message: error.message.clone(),
            start: error.position,
        })
        .collect();
    let output = Output {
        version: VERSION,
        findings,
        errors,
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
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
