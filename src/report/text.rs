//! The `text` format (the default): rustc-style code frames drawn by `annotate-snippets`, the
//! span underlined, secondary labels, help and a suggested fix, then a one-line summary.

use std::io::{self, Write};
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};

use super::{Options, Results, plural};
use crate::diagnostic::{Applicability, Finding, Severity};
use crate::source::SourceFile;
use crate::span::{Span, floor_char_boundary};

pub(super) fn write(results: &Results, options: Options, out: &mut dyn Write) -> io::Result<()> {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for (source, finding) in results.findings() {
        writeln!(out, "{}\n", render(&renderer, source, finding))?;
    }
    if !options.quiet {
        writeln!(out, "{}", summary(results))?;
    }
    Ok(())
}

/// One finding as a code frame.
pub(super) fn render(renderer: &Renderer, source: &SourceFile, finding: &Finding) -> String {
    let path = source.path.display().to_string();
    let mut spans = vec![finding.span];
    spans.extend(finding.labels.iter().map(|label| label.span));
    let excerpt = Excerpt::new(source, &spans);
    let snippet = Snippet::source(excerpt.text)
        .line_start(excerpt.first_line)
        .path(path.clone())
        .annotation(AnnotationKind::Primary.span(excerpt.range(finding.span)))
        .annotations(finding.labels.iter().map(|label| {
            AnnotationKind::Context
                .span(excerpt.range(label.span))
                .label(label.message.as_str())
        }));
    let mut group = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(format!("{}/{}", finding.code, finding.name))
        .element(snippet);
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let mut report = vec![group];
    if let Some(fix) = &finding.fix {
        let edits: Vec<Span> = fix.edits.iter().map(|edit| edit.span).collect();
        let fix_excerpt = Excerpt::new(source, &edits);
        let title = match fix.applicability {
            Applicability::Safe => format!("fix: {}", fix.message),
            Applicability::Unsafe => format!("fix (unsafe): {}", fix.message),
            Applicability::DisplayOnly => format!("suggestion: {}", fix.message),
        };
        let mut patched = Snippet::source(fix_excerpt.text)
            .line_start(fix_excerpt.first_line)
            .path(path);
        for edit in &fix.edits {
            patched = patched.patch(Patch::new(
                fix_excerpt.range(edit.span),
                edit.replacement.as_str(),
            ));
        }
        let fix_group = Group::with_title(Level::HELP.secondary_title(title));
        report.push(if fix.edits.is_empty() {
            fix_group
        } else {
            fix_group.element(patched)
        });
    }
    renderer.render(&report)
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Style => Level::NOTE.with_name("style"),
    }
}

/// The whole lines of a file that cover some spans. Rendering an excerpt instead of the whole
/// file keeps a report on a huge file linear in the number of findings.
struct Excerpt<'a> {
    text: &'a str,
    /// 1-based number of the excerpt's first line.
    first_line: usize,
    /// Byte offset of the excerpt in the file.
    offset: usize,
}

impl<'a> Excerpt<'a> {
    fn new(source: &'a SourceFile, spans: &[Span]) -> Self {
        let text = source.text.as_str();
        let index = source.line_index();
        let start = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let end = spans.iter().map(|s| s.end.max(s.start)).max().unwrap_or(0);
        let first = index.line_of(floor_char_boundary(text, start));
        let last = index.line_of(floor_char_boundary(text, end));
        let from = index.line_start(first);
        let to = if last + 1 < index.line_count() {
            index.line_start(last + 1)
        } else {
            text.len()
        };
        Self {
            text: text.get(from..to).unwrap_or(""),
            first_line: first + 1,
            offset: from,
        }
    }

    /// `span` relative to the excerpt, clamped into it and onto character boundaries.
    fn range(&self, span: Span) -> Range<usize> {
        let clamp =
            |offset: usize| floor_char_boundary(self.text, offset.saturating_sub(self.offset));
        let start = clamp(span.start);
        start..clamp(span.end).max(start)
    }
}

/// `Found 3 findings (1 error, 2 warnings) in 2 files; 1 file could not be read.`
pub(super) fn summary(results: &Results) -> String {
    let findings = results.finding_count();
    let unreadable = match results.errors.len() {
        0 => String::new(),
        1 => "; 1 file could not be read".to_string(),
        n => format!("; {n} files could not be read"),
    };
    if findings > 0 {
        let by_severity: Vec<String> = [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Style,
        ]
        .into_iter()
        .filter_map(|severity| match results.count_of(severity) {
            0 => None,
            // "3 info", not "3 infos": info and style read as uncountable.
            count if matches!(severity, Severity::Info | Severity::Style) => {
                Some(format!("{count} {severity}"))
            }
            count => Some(plural(count, severity.as_str())),
        })
        .collect();
        format!(
            "Found {} ({}) in {}{unreadable}.",
            plural(findings, "finding"),
            by_severity.join(", "),
            plural(results.files_with_findings(), "file"),
        )
    } else if !results.errors.is_empty() {
        format!(
            "No findings in {}{unreadable}.",
            plural(results.files.len(), "file")
        )
    } else if results.files.is_empty() {
        "No Dockerfile or compose file found.".to_string()
    } else {
        format!(
            "All checked: {}, no findings.",
            plural(results.files.len(), "file")
        )
    }
}
