//! The `rdjson` format: reviewdog's Diagnostic JSON (`reviewdog -f=rdjson`), which reviewdog
//! turns into pull-request review comments, with suggestions from our fixes. Columns are 1-based
//! UTF-8 byte counts, as reviewdog's `Position` defines them; end positions are exclusive.

use std::io::{self, Write};

use serde::Serialize;

use super::{Columns, Results, portable_path, region};
use crate::linter::catalogue::rule_page;
use crate::linter::diagnostic::Severity;
use crate::syntax::source::SourceFile;
use crate::syntax::span::{Position, Span};

#[derive(Serialize)]
struct Output<'a> {
    source: Source,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: &'static str,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    message: &'a str,
    location: Location,
    severity: &'static str,
    source: Source,
    code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion<'a>>,
}

#[derive(Serialize)]
struct Location {
    path: String,
    range: Range,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Code {
    value: String,
    /// The rule's page; a policy rule has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Suggestion<'a> {
    range: Range,
    text: &'a str,
}

fn source() -> Source {
    Source {
        name: "plimsoll",
        url: crate::SITE_URL,
    }
}

fn range(file: &SourceFile, span: Span) -> Range {
    let (start, end) = region(file, span, Columns::Bytes);
    Range { start, end }
}

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = results
        .findings()
        .map(|(file, finding)| Diagnostic {
            message: &finding.message,
            location: Location {
                path: portable_path(&file.path),
                range: range(file, finding.span),
            },
            severity: match finding.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "WARNING",
                Severity::Info | Severity::Style => "INFO",
            },
            source: source(),
            code: Code {
                value: finding.code.to_string(),
                url: rule_page(&finding.name),
            },
            suggestions: finding
                .fix
                .iter()
                .flat_map(|fix| &fix.edits)
                .map(|edit| Suggestion {
                    range: range(file, edit.span),
                    text: &edit.replacement,
                })
                .collect(),
        })
        .collect();
    let output = Output {
        source: source(),
        diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::report::{Format, Options, render_to_string, sample_results};

    #[test]
    fn snapshot() {
        let out = render_to_string(Format::Rdjson, &sample_results(), Options::default());
        insta::assert_snapshot!(out);
    }
}
