//! Reporters: one small module per output format behind [`Format`]. A reporter takes the results
//! of a run (each file's source and findings, and the files that could not be checked) and writes
//! them to a [`Write`]; it never decides the exit code.

mod checkstyle;
mod compact;
mod github;
mod gitlab;
mod json;
mod junit;
mod rdjson;
mod sarif;
mod summary;
mod text;

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use crate::linter::catalogue::Catalogue;
use crate::linter::diagnostic::Severity;
use crate::syntax::excerpt::printable;
use crate::syntax::source::SourceFile;
use crate::syntax::span::{Position, Span, floor_char_boundary};
use crate::workspace::results::{FileResult, Results};

pub use github::step_summary;
pub use summary::write_summary;

/// The output formats of `plimsoll check`; [`Format::help`] says what each is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Compact,
    Json,
    Sarif,
    Github,
    Checkstyle,
    Junit,
    Gitlab,
    Rdjson,
}

impl Format {
    /// Every format, in the order `--help` lists them (a unit test keeps this equal to clap's
    /// list of values).
    pub const ALL: [Format; 9] = [
        Format::Text,
        Format::Compact,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Checkstyle,
        Format::Junit,
        Format::Gitlab,
        Format::Rdjson,
    ];

    /// What the format is, as `--help` says it.
    pub fn help(self) -> &'static str {
        match self {
            Format::Text => "Code frames with the span underlined, and a summary",
            Format::Compact => "One line per finding: `path:line:col: severity[code/name] message`",
            Format::Json => "One JSON object (see docs/json-output.md)",
            Format::Sarif => "SARIF 2.1.0, for GitHub code scanning and other SARIF viewers",
            Format::Github => {
                "GitHub Actions workflow commands (`::error file=…::…`): annotations on the pull \
                 request"
            }
            Format::Checkstyle => "Checkstyle XML, for Jenkins and other CI servers",
            Format::Junit => {
                "JUnit XML: one test suite per file, one failing test case per finding"
            }
            Format::Gitlab => "GitLab Code Quality JSON (a Code Climate subset)",
            Format::Rdjson => "reviewdog's Diagnostic JSON (rdjson)",
        }
    }

    /// The output is one JSON document.
    pub fn is_json(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Sarif | Format::Gitlab | Format::Rdjson
        )
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Compact => "compact",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Checkstyle => "checkstyle",
            Format::Junit => "junit",
            Format::Gitlab => "gitlab",
            Format::Rdjson => "rdjson",
        }
    }
}

/// How to render, beyond the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// ANSI colours (text format only).
    pub color: bool,
    /// Only the findings: no summary line.
    pub quiet: bool,
    /// The exit code the run ends with (SARIF records it in its invocation).
    pub exit_code: u8,
    /// How long the run took, when measured (for `--summary`).
    pub elapsed: Option<Duration>,
    /// The rules in effect for the run: formats that describe rules by code (SARIF's rule
    /// metadata) describe its policy rules (and the rule of policy problems) like built-in
    /// ones. `None`: the built-in rules only.
    pub catalogue: Option<&'a Catalogue>,
}

/// Render `results` in `format` to `out`.
pub fn write(
    format: Format,
    results: &Results,
    options: Options<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(results, options, out),
        Format::Compact => compact::write(results, out),
        Format::Json => json::write(results, out),
        Format::Sarif => sarif::write(results, options, out),
        Format::Github => github::write(results, options, out),
        Format::Checkstyle => checkstyle::write(results, out),
        Format::Junit => junit::write(results, out),
        Format::Gitlab => gitlab::write(results, out),
        Format::Rdjson => rdjson::write(results, out),
    }
}

/// How a format counts columns. Each consumer has its own convention: people and most tools
/// count characters, GitHub's UIs (JavaScript) count UTF-16 code units, reviewdog counts bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Columns {
    Chars,
    Utf16,
    Bytes,
}

/// The 1-based line and column of `offset`, its column counted in `unit`.
fn position_in(source: &SourceFile, offset: usize, unit: Columns) -> Position {
    match unit {
        Columns::Chars => source.position(offset),
        Columns::Utf16 => {
            let (line, column) = source.line_index().utf16_position(&source.text, offset);
            Position {
                line: line + 1,
                column: column + 1,
            }
        }
        Columns::Bytes => {
            let offset = floor_char_boundary(&source.text, offset);
            let index = source.line_index();
            let line = index.line_of(offset);
            Position {
                line: line + 1,
                column: offset.saturating_sub(index.line_start(line)) + 1,
            }
        }
    }
}

/// Start and end (exclusive: the column after the last character) of `span`. A reversed span
/// is read as empty at its start, so `end` is never before `start`.
fn region(source: &SourceFile, span: Span, unit: Columns) -> (Position, Position) {
    let start = position_in(source, span.start, unit);
    let end = position_in(source, span.end.max(span.start), unit);
    (start, end.max(start))
}

/// A path as reports show it: forward slashes on every platform.
fn portable_path(path: &Path) -> String {
    let text = path.display().to_string();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text
    }
}

/// Fingerprints of a file's findings that survive edits elsewhere in the file: each hashes the
/// rule code, the flagged text with its whitespace collapsed, and how many findings of the same
/// rule on the same text came before it, but not the line number. Moving a line keeps them;
/// changing the flagged text or fixing an earlier identical finding changes them.
fn fingerprints(file: &FileResult) -> Vec<String> {
    let mut seen: Vec<(u64, usize)> = Vec::new();
    file.findings
        .iter()
        .map(|finding| {
            let text = file.source.slice(finding.span);
            let normalised: Vec<&str> = text.split_whitespace().collect();
            let mut hash = Fnv1a::new();
            hash.write(finding.code.as_bytes());
            hash.write(&[0]);
            hash.write(normalised.join(" ").as_bytes());
            let key = hash.value();
            let occurrence = match seen.iter_mut().find(|(k, _)| *k == key) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen.push((key, 0));
                    0
                }
            };
            hash.write(&[0]);
            hash.write(occurrence.to_string().as_bytes());
            format!("{:016x}", hash.value())
        })
        .collect()
}

/// 64-bit FNV-1a: tiny, and fixed across platforms and Rust versions, unlike `DefaultHasher`,
/// which matters for fingerprints stored by CI servers between runs.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash, with a final mix (splitmix64's) so that inputs differing in their last
    /// bytes differ in every digit.
    fn value(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The hash of `bytes` as 16 hex digits.
    fn hash_hex(bytes: &[u8]) -> String {
        let mut hash = Fnv1a::new();
        hash.write(bytes);
        format!("{:016x}", hash.value())
    }
}

/// `text` escaped for XML 1.0 text and attribute values. Characters XML 1.0 cannot carry even
/// as references (most C0 controls) are written as `\u{..}`; tabs and line breaks become
/// character references so attribute normalisation keeps them.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.extend(ch.escape_unicode()),
            ch => out.push(ch),
        }
    }
    out
}

/// `2 warnings`, `1 error`, `3 info`: info and style read as uncountable.
fn severity_count(count: usize, severity: Severity) -> String {
    match severity {
        Severity::Info | Severity::Style => format!("{count} {severity}"),
        Severity::Error | Severity::Warning => plural(count, severity.as_str()),
    }
}

/// The severities from most to least serious.
const SEVERITIES: [Severity; 4] = [
    Severity::Error,
    Severity::Warning,
    Severity::Info,
    Severity::Style,
];

/// `1 file`, `2 files`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A fixed, hand-made set of results that every format's snapshot test renders: two files with
/// findings of every severity (non-ASCII text before a span, a fix, a label, characters that
/// need escaping in XML, JSON and workflow commands), a clean file and a file error.
#[cfg(test)]
pub(crate) fn sample_results() -> Results {
    use crate::linter::diagnostic::{Applicability, Category, Edit, Finding, Fix, Label};
    use crate::syntax::source::FileKind;
    use crate::workspace::results::FileError;

    let dockerfile = "FROM alpine:latest\nLABEL é=\"x\"\nENV API_TOKEN=abc\nFROM débian:latest\n";
    let at = |needle: &str, nth: usize| {
        let start = dockerfile
            .match_indices(needle)
            .nth(nth)
            .map_or(0, |(i, _)| i);
        Span::new(start, start + needle.len())
    };
    let latest = |nth: usize| Finding {
        code: "DF002".into(),
        name: "latest-tag".into(),
        category: Category::Provenance,
        severity: Severity::Warning,
        message: "image uses the moving tag `latest`".into(),
        span: at("latest", nth),
        help: Some("pin a version tag or a digest".into()),
        labels: Vec::new(),
        fix: None,
    };
    let credential = Finding {
        code: "DF006".into(),
        name: "hardcoded-credential".into(),
        category: Category::Secrets,
        severity: Severity::Error,
        message: "a <token> & \"secret\" isn't safe: 100% sure, see\nline two".into(),
        span: at("API_TOKEN=abc", 0),
        help: None,
        labels: vec![Label::new(at("ENV", 0), "set here")],
        fix: Some(Fix {
            message: "use a build secret".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: at("API_TOKEN=abc", 0),
                replacement: "API_TOKEN".into(),
            }],
        }),
    };
    let compose = "services:\n  web:\n    image: nginx\n";
    let image = compose.find("nginx").unwrap_or(0);
    Results {
        files: vec![
            FileResult {
                source: SourceFile::new("Dockerfile", dockerfile, FileKind::Dockerfile),
                findings: vec![latest(0), credential, latest(1)],
            },
            FileResult {
                source: SourceFile::new("clean/Dockerfile", "FROM a:1\n", FileKind::Dockerfile),
                findings: Vec::new(),
            },
            FileResult {
                source: SourceFile::new("deploy/compose, prod.yaml", compose, FileKind::Compose),
                findings: vec![Finding {
                    code: "DC007".into(),
                    name: "service-no-cpu-limit".into(),
                    category: Category::Resources,
                    severity: Severity::Info,
                    message: "service `web` has no CPU limit".into(),
                    span: Span::new(image, image + 5),
                    help: None,
                    labels: Vec::new(),
                    fix: None,
                }],
            },
        ],
        errors: vec![FileError {
            path: "bad/Dockerfile".into(),
            message: "stream did not contain valid UTF-8".into(),
            position: Some(Position { line: 2, column: 3 }),
        }],
        skipped: Vec::new(),
        fixed: Vec::new(),
        older: 0,
    }
}

/// `results` rendered in `format` (for tests).
#[cfg(test)]
pub(crate) fn render_to_string(format: Format, results: &Results, options: Options<'_>) -> String {
    let mut out = Vec::new();
    write(format, results, options, &mut out).expect("writing to a Vec");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// From this many items on, a report renders them on all cores.
const PARALLEL_ITEMS: usize = 256;

/// `render` applied to each of `items`, in order: on all cores when there are enough of them
/// to pay for starting threads (a report of a few findings starts none).
fn render_each<T: Sync, R: Send>(items: &[T], render: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < PARALLEL_ITEMS {
        items.iter().map(render).collect()
    } else {
        items.par_iter().map(render).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::diagnostic::Finding;

    #[test]
    fn fingerprints_survive_line_moves_but_not_text_changes() {
        let results = sample_results();
        let file = &results.files[0];
        let before = fingerprints(file);
        assert_eq!(before.len(), 3);
        assert_eq!(before[0].len(), 16);
        // The two `latest` findings flag the same text: only the occurrence tells them apart.
        assert_ne!(before[0], before[2]);

        let shifted = format!("# a new comment\n\n{}", file.source.text);
        let offset = shifted.len() - file.source.text.len();
        let moved = FileResult {
            source: SourceFile::new("Dockerfile", shifted, file.source.kind),
            findings: file
                .findings
                .iter()
                .map(|finding| Finding {
                    span: Span::new(finding.span.start + offset, finding.span.end + offset),
                    ..finding.clone()
                })
                .collect(),
        };
        assert_eq!(fingerprints(&moved), before);

        let mut changed = moved;
        changed.source.text = changed.source.text.replace("abc", "xyz");
        assert_ne!(fingerprints(&changed)[1], before[1]);
        assert_eq!(fingerprints(&changed)[0], before[0]);
    }

    #[test]
    fn columns_in_each_unit() {
        let source = SourceFile::new("f", "a𐐀b\n", crate::syntax::source::FileKind::Dockerfile);
        let b = source.text.find('b').unwrap();
        let column = |unit| position_in(&source, b, unit).column;
        assert_eq!(column(Columns::Chars), 3);
        assert_eq!(column(Columns::Utf16), 4);
        assert_eq!(column(Columns::Bytes), 6);
        let (start, end) = region(&source, Span::new(b, 1), Columns::Chars);
        assert_eq!(start, end, "a reversed span is empty at its start");
    }

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml_escape("<a href=\"x\">'&'</a>\n\u{1b}"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#10;\\u{1b}"
        );
    }
}
