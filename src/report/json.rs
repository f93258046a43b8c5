//! The `json` format: one object with every finding, every file error and a summary.
//! The schema is documented in docs/json-output.md; bump `VERSION` on any breaking change.

use std::io::{self, Write};

use serde::Serialize;

use super::Results;
use crate::linter::diagnostic::{Finding, Fix, Severity};
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::{Position, Span};

const VERSION: u32 = 1;

/// A walked file deliberately not read (not an error).
#[derive(Serialize)]
struct JsonSkipped {
    path: String,
    reason: String,
}

/// A file that was checked (with or without findings).
#[derive(Serialize)]
struct JsonFile<'a> {
    path: std::borrow::Cow<'a, str>,
    kind: FileKind,
}

/// `path` as `display` shows it; without a copy when it is UTF-8 (nearly always).
fn display(path: &std::path::Path) -> std::borrow::Cow<'_, str> {
    match path.to_str() {
        Some(path) => path.into(),
        None => path.display().to_string().into(),
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: std::borrow::Cow<'a, str>,
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
    let files: Vec<JsonFile> = results
        .files
        .iter()
        .map(|file| JsonFile {
            path: display(&file.source.path),
            kind: file.source.kind,
        })
        .collect();
    let findings: Vec<_> = results.findings().collect();
    let errors: Vec<JsonError> = results
        .errors
        .iter()
        .map(|error| JsonError {
            path: error.path.display().to_string(),
            message: error.message.clone(),
            start: error.position,
        })
        .collect();
    let skipped: Vec<JsonSkipped> = results
        .skipped
        .iter()
        .map(|skipped| JsonSkipped {
            path: skipped.path.display().to_string(),
            reason: skipped.message.clone(),
        })
        .collect();
    let summary = Summary {
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
    };
    // The object serde_json's pretty printer would write for these fields in this order, with
    // the findings (most of the report) rendered in parallel, a chunk at a time: each chunk's
    // buffers are written and freed before the next, so the next reuses their memory (one
    // buffer per finding for the whole report cost a page fault every 4 KiB of it).
    out.write_all(b"{")?;
    field(out, "version", &VERSION, true)?;
    // The list of checked files, like the findings, is written directly (one per file).
    out.write_all(b",\n  \"files\": ")?;
    let mut buffer = Vec::with_capacity(files.len() * 96 + 8);
    write_array(&mut buffer, 1, &files, |out, file| {
        let mut object = Object::open(out, 2);
        object.key("path").string(&file.path);
        object.key("kind").string(file.kind.as_str());
        object.close();
    });
    out.write_all(&buffer)?;
    out.write_all(b",\n  \"findings\": [")?;
    for (chunk_at, chunk) in findings.chunks(FINDINGS_PER_CHUNK).enumerate() {
        let rendered = super::render_each(chunk, |(source, finding)| {
            let mut out = Vec::with_capacity(512);
            write_finding(&mut out, &json_finding(source, finding));
            out
        });
        for (at, finding) in rendered.into_iter().enumerate() {
            let first = chunk_at == 0 && at == 0;
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            out.write_all(&finding)?;
        }
    }
    out.write_all(if findings.is_empty() { b"]" } else { b"\n  ]" })?;
    field(out, "errors", &errors, false)?;
    field(out, "skipped", &skipped, false)?;
    field(out, "summary", &summary, false)?;
    out.write_all(b"\n}\n")
}

/// How many findings are rendered at once (see [`write`]).
const FINDINGS_PER_CHUNK: usize = 1024;

/// One field of the report's top-level object, as serde_json's pretty printer writes it.
fn field(out: &mut dyn Write, name: &str, value: &impl Serialize, first: bool) -> io::Result<()> {
    out.write_all(if first { b"\n  " } else { b",\n  " })?;
    write!(out, "\"{name}\": ")?;
    out.write_all(&pretty_at(value, 1)?)
}

/// `value` as serde_json's pretty printer writes it `depth` levels deep in a document.
fn pretty_at(value: &impl Serialize, depth: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let formatter = Indented {
        depth,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ))?;
    Ok(out)
}

/// serde_json's `PrettyFormatter` (two spaces per level), starting `depth` levels deep: a value
/// rendered on its own then fits its place in the report byte for byte.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn newline(&self, out: &mut (impl Write + ?Sized), comma: bool) -> io::Result<()> {
        out.write_all(if comma { b",\n" } else { b"\n" })?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open(&mut self, out: &mut (impl Write + ?Sized), bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close(&mut self, out: &mut (impl Write + ?Sized), bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(out, false)?;
        }
        out.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.newline(out, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.newline(out, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// One finding as serde_json's pretty printer writes [`JsonFinding`] two levels deep (an
/// element of the report's `findings`), written directly: through serde it was most of the
/// report's cost, with a call per indentation step and a table lookup per byte of text. The
/// test of the whole report holds it to serde_json.
fn write_finding(out: &mut Vec<u8>, finding: &JsonFinding<'_>) {
    let mut object = Object::open(out, 2);
    object.key("path").string(&finding.path);
    object.key("code").string(finding.code);
    object.key("name").string(finding.name);
    object.key("category").string(finding.category);
    object.key("severity").string(finding.severity);
    object.key("message").string(finding.message);
    match finding.help {
        Some(help) => object.key("help").string(help),
        None => object.key("help").raw(b"null"),
    }
    object.key("start").position(finding.start);
    object.key("end").position(finding.end);
    object.key("span").span(finding.span);
    let depth = object.depth;
    let out = object.key("labels").out;
    write_array(out, depth, &finding.labels, |out, label| {
        let mut object = Object::open(out, depth + 1);
        if let Some(path) = &label.path {
            object.key("path").string(path);
        }
        object.key("message").string(label.message);
        object.key("start").position(label.start);
        object.key("end").position(label.end);
        object.key("span").span(label.span);
        object.close();
    });
    match finding.fix {
        None => object.key("fix").raw(b"null"),
        Some(fix) => {
            let out = object.key("fix").out;
            let mut inner = Object::open(out, depth);
            inner.key("message").string(&fix.message);
            inner
                .key("applicability")
                .string(fix.applicability.as_str());
            let out = inner.key("edits").out;
            write_array(out, depth + 1, &fix.edits, |out, edit| {
                let mut object = Object::open(out, depth + 2);
                object.key("span").span(edit.span);
                object.key("replacement").string(&edit.replacement);
                object.close();
            });
            inner.close();
        }
    }
    object.close();
}

/// An array `depth` levels deep as serde_json's pretty printer writes it: `[]` when empty,
/// else each element (written by `item`) on a line of its own one level deeper.
fn write_array<T>(
    out: &mut Vec<u8>,
    depth: usize,
    items: &[T],
    mut item: impl FnMut(&mut Vec<u8>, &T),
) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (at, element) in items.iter().enumerate() {
        newline(out, at > 0, depth + 1);
        item(out, element);
    }
    newline(out, false, depth);
    out.push(b']');
}

/// A line break (after a `,` when `comma`), then two spaces per level of `depth`.
fn newline(out: &mut Vec<u8>, comma: bool, depth: usize) {
    // `,\n` and the indentation of the report's depths, written as one slice of this.
    const LINE: [u8; 66] = {
        let mut line = [b' '; 66];
        line[0] = b',';
        line[1] = b'\n';
        line
    };
    let from = usize::from(!comma);
    let mut left = depth * 2;
    let first = left.min(LINE.len() - 2);
    out.extend_from_slice(&LINE[from..2 + first]);
    left -= first;
    while left > 0 {
        let step = left.min(LINE.len() - 2);
        out.extend_from_slice(&LINE[2..2 + step]);
        left -= step;
    }
}

/// `number` in decimal, as `write!` writes it.
fn write_number(out: &mut Vec<u8>, mut number: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // A digit: below 10.
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// An object being written as serde_json's pretty printer writes it, its members `depth` levels
/// deep.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    empty: bool,
}

impl<'o> Object<'o> {
    /// `{`, for an object that is itself `depth - 1` levels deep.
    fn open(out: &'o mut Vec<u8>, depth: usize) -> Self {
        out.push(b'{');
        Self {
            out,
            depth: depth + 1,
            empty: true,
        }
    }

    /// The next member's key; its value follows.
    fn key(&mut self, name: &str) -> Value<'_> {
        newline(self.out, !self.empty, self.depth);
        self.empty = false;
        // The report's keys need no escaping.
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
        Value {
            out: self.out,
            depth: self.depth,
        }
    }

    fn close(self) {
        if !self.empty {
            newline(self.out, false, self.depth - 1);
        }
        self.out.push(b'}');
    }
}

/// Where one member's value goes.
struct Value<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
}

impl Value<'_> {
    fn string(self, text: &str) {
        write_string(self.out, text);
    }

    fn raw(self, text: &[u8]) {
        self.out.extend_from_slice(text);
    }

    fn numbers(self, first: (&str, usize), second: (&str, usize)) {
        let mut object = Object::open(self.out, self.depth);
        for (name, number) in [first, second] {
            write_number(object.key(name).out, number);
        }
        object.close();
    }

    fn position(self, position: Position) {
        self.numbers(("line", position.line), ("column", position.column));
    }

    fn span(self, span: Span) {
        self.numbers(("start", span.start), ("end", span.end));
    }
}

/// `text` as a JSON string the way serde_json writes it: `"` and `\\` escaped, control
/// characters as `\\b \\t \\n \\f \\r` or `\\u00XX`, everything else (DEL, all of Unicode) as is.
fn write_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(at) = next_escape(bytes, start) {
        out.extend_from_slice(&bytes[start..at]);
        let byte = bytes[at];
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Where the first byte of `bytes[from..]` that JSON escapes is (`"`, `\\`, below 0x20),
/// eight bytes at a time. Bytes of 0x80 and up, the pieces of other characters, never are.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of every byte that is zero; a false one only ever sits above a true one.
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut words = bytes.get(from..)?.chunks_exact(8);
    let mut at = from;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        let found = control
            | zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|offset| at + offset)
}

fn json_finding<'a>(source: &'a SourceFile, finding: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        path: display(&source.path),
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
    fn values_are_written_as_serde_jsons_pretty_printer_writes_them_at_their_depth() {
        let value = json!({
            "a": [],
            "b": {},
            "c": [1, [2, []], {"d": null, "e": [{"f": "g\nh"}]}],
            "i": {"j": {"k": [true, false]}},
        });
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let at = |depth| String::from_utf8(super::pretty_at(&value, depth).unwrap()).unwrap();
        assert_eq!(at(0), pretty);
        assert_eq!(at(2), pretty.replace('\n', "\n    "));
        let scalar = String::from_utf8(super::pretty_at(&json!("x"), 3).unwrap()).unwrap();
        assert_eq!(scalar, "\"x\"");
    }

    #[test]
    fn numbers_and_line_breaks_are_written_as_std_writes_them() {
        let mut numbers = vec![0, 1, 9, 10, 99, 100, 12_345, usize::MAX];
        numbers.extend((0..20).map(|power| 10usize.pow(power) - 1));
        for number in numbers {
            let mut out = Vec::new();
            super::write_number(&mut out, number);
            assert_eq!(out, number.to_string().into_bytes());
        }
        for depth in [0, 1, 2, 31, 32, 33, 64, 65, 100] {
            for comma in [false, true] {
                let mut out = Vec::new();
                super::newline(&mut out, comma, depth);
                let expected = format!("{}\n{}", if comma { "," } else { "" }, "  ".repeat(depth));
                assert_eq!(String::from_utf8(out).unwrap(), expected, "{depth} {comma}");
            }
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let specials = (0u8..0x80)
            .map(char::from)
            .chain(['é', '\u{2028}', '\u{fffd}', '😀']);
        for special in specials {
            // Alone, and at every place of the eight-byte windows of longer texts.
            for len in 0..20 {
                for at in 0..=len {
                    let text: String = (0..len)
                        .map(|i| if i == at { special } else { 'a' })
                        .chain((at == len).then_some(special))
                        .collect();
                    let mut out = Vec::new();
                    super::write_string(&mut out, &text);
                    let expected = serde_json::to_string(&text).unwrap();
                    assert_eq!(String::from_utf8(out).unwrap(), expected, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn the_report_is_what_serde_jsons_pretty_printer_writes_for_the_whole_object() {
        #[derive(serde::Serialize)]
        struct Whole<'a> {
            version: u32,
            files: Vec<super::JsonFile<'a>>,
            findings: Vec<super::JsonFinding<'a>>,
            errors: Vec<super::JsonError>,
            skipped: Vec<super::JsonSkipped>,
            summary: super::Summary,
        }
        let other = std::sync::Arc::new(SourceFile::new(
            "b/compose.yaml",
            "services:\n  é:\n",
            FileKind::Compose,
        ));
        // Every shape a finding takes: with and without help, labels (in the file and in
        // another), a fix (with edits or none); text with every character JSON escapes.
        let finding = |code: &'static str, start: usize| Finding {
            code: code.into(),
            name: "latest-tag".into(),
            category: Category::Reproducibility,
            severity: Severity::Warning,
            message: match start % 3 {
                0 => "uses \"latest\"\n".into(),
                1 => (0u8..0x30)
                    .map(char::from)
                    .chain("\\é\u{7f}\u{2028}😀".chars())
                    .collect(),
                _ => "a plain message longer than eight bytes".into(),
            },
            span: Span::new(start, start + 4),
            help: start.is_multiple_of(2).then(|| "pin it \\ \"now\"".into()),
            labels: match start % 4 {
                0 => vec![Label::new(Span::new(0, 4), "here")],
                1 => vec![],
                2 => vec![
                    Label::new(Span::new(0, 4), "here"),
                    Label::in_file(&other, Span::new(12, 14), "there\t"),
                ],
                _ => vec![Label::in_file(&other, Span::new(0, 8), "there")],
            },
            fix: match start % 5 {
                0 => None,
                1 => Some(Fix {
                    message: "pin\r".into(),
                    applicability: Applicability::Safe,
                    edits: vec![],
                }),
                2 => Some(Fix {
                    message: "drop".into(),
                    applicability: Applicability::DisplayOnly,
                    edits: vec![Edit {
                        span: Span::new(5, 11),
                        replacement: "alpine:3.20\u{8}\u{c}".into(),
                    }],
                }),
                _ => Some(Fix {
                    message: "both".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![
                        Edit {
                            span: Span::new(0, 0),
                            replacement: String::new(),
                        },
                        Edit {
                            span: Span::new(1, 2),
                            replacement: "\u{1}\u{1f}".into(),
                        },
                    ],
                }),
            },
        };
        // None, two, and more than one chunk's worth (with the last chunk partly filled).
        let many: Vec<Finding> = (0..super::FINDINGS_PER_CHUNK * 2 + 3)
            .map(|at| finding(if at % 2 == 0 { "DF002" } else { "DF003" }, at % 14))
            .collect();
        let file = |findings| FileResult {
            source: SourceFile::new("a/Dockerfile", "FROM alpine:latest\n", FileKind::Dockerfile),
            findings,
        };
        let compose = FileResult {
            source: SourceFile::new("b/compose \"x\".yaml", "services: {}\n", FileKind::Compose),
            findings: vec![],
        };
        for files in [
            vec![],
            vec![file(vec![])],
            vec![
                file(vec![finding("DF002", 5), finding("DF003", 12)]),
                compose,
            ],
            vec![file(many)],
        ] {
            let results = Results {
                files,
                errors: vec![FileError::new(std::path::Path::new("b"), "not UTF-8")],
                skipped: Vec::new(),
                fixed: Vec::new(),
                older: 0,
            };
            let mut out = Vec::new();
            write(Format::Json, &results, Options::default(), &mut out).unwrap();
            let count = results.finding_count();
            let whole = Whole {
                version: super::VERSION,
                files: results
                    .files
                    .iter()
                    .map(|file| super::JsonFile {
                        path: super::display(&file.source.path),
                        kind: file.source.kind,
                    })
                    .collect(),
                findings: results
                    .findings()
                    .map(|(source, finding)| super::json_finding(source, finding))
                    .collect(),
                errors: vec![super::JsonError {
                    path: "b".into(),
                    message: "not UTF-8".into(),
                    start: None,
                }],
                skipped: Vec::new(),
                summary: super::Summary {
                    files_checked: results.files.len(),
                    files_with_findings: usize::from(count > 0),
                    findings: count,
                    by_severity: super::BySeverity {
                        error: 0,
                        warning: count,
                        info: 0,
                        style: 0,
                    },
                    errors: 1,
                    older_than_change: 0,
                },
            };
            let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
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
