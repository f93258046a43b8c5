//! The `text` format (the default): rustc-style code frames drawn by `annotate-snippets`, the
//! span underlined, secondary labels, help and a suggested fix, then a one-line summary.

use std::io::{self, Write};

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};

use super::{Options, Results, plural};
use crate::linter::diagnostic::{Applicability, Finding, Label, Severity};
use crate::syntax::source::SourceFile;
use crate::syntax::span::{Span, floor_char_boundary};

pub(super) fn write(
    results: &Results,
    options: Options<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Code frames are rendered in parallel, a chunk at a time (so memory stays bounded), and
    // written in order: on a large tree the frames cost more than the checks' serial tail.
    let findings: Vec<_> = results.findings().collect();
    for chunk in findings.chunks(512) {
        let frames = super::render_each(chunk, |(source, finding)| {
            render(&renderer, source, finding)
        });
        for frame in frames {
            writeln!(out, "{frame}\n")?;
        }
    }
    if !options.quiet {
        writeln!(out, "{}", summary(results))?;
    }
    Ok(())
}

/// One finding as a code frame.
pub(super) fn render(renderer: &Renderer, source: &SourceFile, finding: &Finding) -> String {
    let path = source.path.display().to_string();
    // Labels in another file (a compose service's Dockerfile) get a code frame of their own.
    let (local, elsewhere): (Vec<&Label>, Vec<&Label>) = finding
        .labels
        .iter()
        .partition(|label| label.path.is_none());
    let mut spans = vec![finding.span];
    spans.extend(local.iter().map(|label| label.span));
    let excerpt = Excerpt::new(source, &spans);
    let snippet = Snippet::source(excerpt.text)
        .line_start(excerpt.first_line)
        .path(path.clone())
        .annotation(AnnotationKind::Primary.span(excerpt.range(finding.span)))
        .annotations(local.iter().map(|label| {
            AnnotationKind::Context
                .span(excerpt.range(label.span))
                .label(label.message.as_str())
        }));
    let mut group = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(format!("{}/{}", finding.code, finding.name))
        .element(snippet);
    let other_paths: Vec<String> = elsewhere
        .iter()
        .map(|label| {
            label
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        })
        .collect();
    for (label, other_path) in elsewhere.iter().zip(&other_paths) {
        match label.other_file() {
            Some(file) => {
                let excerpt = Excerpt::new(file, &[label.span]);
                group = group.element(
                    Snippet::source(excerpt.text)
                        .line_start(excerpt.first_line)
                        .path(other_path.as_str())
                        .annotation(
                            AnnotationKind::Context
                                .span(excerpt.range(label.span))
                                .label(label.message.as_str()),
                        ),
                );
            }
            None => {
                group =
                    group.element(Level::NOTE.message(format!("{other_path}: {}", label.message)));
            }
        }
    }
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
    let mut unreadable = match results.errors.len() {
        0 => String::new(),
        1 => "; 1 file could not be read".to_string(),
        n => format!("; {n} files could not be read"),
    };
    if results.older > 0 {
        unreadable.push_str(&format!(
            "; {} older than the change not shown",
            plural(results.older, "finding")
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::diagnostic::{Category, Edit, Fix, Label};
    use crate::report::{Format, write};
    use crate::syntax::source::FileKind;
    use crate::workspace::results::{FileError, FileResult};

    fn latest_tag(text: &str) -> Finding {
        let start = text.find("latest").unwrap();
        let from = text.find("FROM").unwrap();
        Finding {
            code: "DF002".into(),
            name: "latest-tag".into(),
            category: Category::Reproducibility,
            severity: Severity::Warning,
            message: "image `alpine` is pinned to the moving tag `latest`".into(),
            span: Span::new(start, start + 6),
            help: Some("pin a version tag or a digest".into()),
            labels: vec![Label {
                span: Span::new(from, from + 4),
                message: "in this stage".into(),
                path: None,
                file: None,
            }],
            fix: None,
        }
    }

    fn results(text: &str, findings: Vec<Finding>) -> Results {
        Results {
            files: vec![FileResult {
                source: SourceFile::new("app/Dockerfile", text, FileKind::Dockerfile),
                findings,
            }],
            errors: Vec::new(),
            skipped: Vec::new(),
            fixed: Vec::new(),
            older: 0,
        }
    }

    fn rendered(results: &Results, options: Options) -> String {
        let mut out = Vec::new();
        write(Format::Text, results, options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_finding_as_a_code_frame() {
        let text = "# syntax=docker/dockerfile:1\nFROM alpine:latest\nRUN true\n";
        let results = results(text, vec![latest_tag(text)]);
        assert_eq!(
            rendered(&results, Options::default()),
            "\
warning[DF002/latest-tag]: image `alpine` is pinned to the moving tag `latest`
 --> app/Dockerfile:2:13
  |
2 | FROM alpine:latest
  | ----        ^^^^^^
  | |
  | in this stage
  |
  = help: pin a version tag or a digest

Found 1 finding (1 warning) in 1 file.
"
        );
    }

    #[test]
    fn a_fix_is_shown_as_a_patch() {
        let text = "FROM alpine:latest\n";
        let mut finding = latest_tag(text);
        finding.labels.clear();
        finding.help = None;
        finding.fix = Some(Fix {
            message: "pin to 3.20".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: finding.span,
                replacement: "3.20".into(),
            }],
        });
        let results = results(text, vec![finding]);
        let out = rendered(
            &results,
            Options {
                quiet: true,
                ..Options::default()
            },
        );
        assert!(out.contains("help: fix (unsafe): pin to 3.20"), "{out}");
        assert!(out.contains("FROM alpine:3.20"), "{out}");
        assert!(!out.contains("Found"), "quiet drops the summary: {out}");
    }

    #[test]
    fn colour_only_when_asked() {
        let text = "FROM alpine:latest\n";
        let mut finding = latest_tag(text);
        // User text quoted in a message cannot smuggle escape sequences in either.
        finding.message = "unknown instruction `\u{1b}[2J`".into();
        let results = results(text, vec![finding]);
        assert!(!rendered(&results, Options::default()).contains('\u{1b}'));
        let coloured = rendered(
            &results,
            Options {
                color: true,
                ..Options::default()
            },
        );
        assert!(coloured.contains('\u{1b}'));
    }

    #[test]
    fn odd_spans_do_not_panic() {
        for text in ["", "\u{feff}FROM é", "FROM a\r\nRUN b", "é"] {
            for span in [
                Span::new(0, 0),
                Span::new(1, 2),
                Span::new(text.len(), text.len()),
                Span::new(5, 3),
                Span::new(0, 999),
                Span::new(999, 1000),
            ] {
                let mut finding = latest_tag("FROM alpine:latest");
                finding.span = span;
                finding.labels[0].span = Span::new(span.end, span.start);
                let out = rendered(&results(text, vec![finding]), Options::default());
                assert!(out.starts_with("warning[DF002/latest-tag]"), "{out}");
            }
        }
    }

    #[test]
    fn summaries() {
        let text = "FROM alpine:latest\n";
        let mut error = latest_tag(text);
        error.severity = Severity::Error;
        let mut info = latest_tag(text);
        info.severity = Severity::Info;
        let mut many = results(text, vec![error, latest_tag(text), latest_tag(text), info]);
        many.errors
            .push(FileError::new("x".as_ref(), "no such file or directory"));
        assert_eq!(
            summary(&many),
            "Found 4 findings (1 error, 2 warnings, 1 info) in 1 file; 1 file could not be read."
        );
        assert_eq!(
            summary(&results(text, Vec::new())),
            "All checked: 1 file, no findings."
        );
        assert_eq!(
            summary(&Results::default()),
            "No Dockerfile or compose file found."
        );
    }
}
