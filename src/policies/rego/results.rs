//! The results of a result rule's value, and where each points in the checked file.

use serde_json::Value as Json;

use crate::syntax::source::SourceFile;
use crate::syntax::span::Span;

use super::{MAX_MESSAGE, MAX_RESULTS, input};

/// The span of line `line` (1-based): from `column` (1-based, characters) to `end_column` or
/// the end of the line's text; the file start when the line does not exist.
pub(super) fn line_span(
    source: &SourceFile,
    line: usize,
    column: Option<usize>,
    end: Option<(usize, usize)>,
) -> Span {
    let index = source.line_index();
    if line == 0 || line > index.line_count() {
        return Span::new(0, 0);
    }
    let offset_of = |line: usize, column: Option<usize>| -> usize {
        let start = index.line_start(line - 1);
        let text = source.text.get(start..).unwrap_or("");
        let line_text = text.split('\n').next().unwrap_or("");
        match column {
            Some(c) if c > 1 => {
                start
                    + line_text
                        .char_indices()
                        .nth(c - 1)
                        .map_or(line_text.len(), |(i, _)| i)
            }
            Some(_) => start,
            None => start + (line_text.len() - line_text.trim_start().len()),
        }
    };
    let start = offset_of(line, column);
    let end = match end {
        Some((l, c)) if l >= line && l <= index.line_count() => offset_of(l, Some(c)),
        _ => {
            let line_start = index.line_start(line - 1);
            let text = source.text.get(line_start..).unwrap_or("");
            let line_text = text.split('\n').next().unwrap_or("");
            line_start + line_text.trim_end().len()
        }
    };
    Span::new(start, end.max(start))
}

/// One result of a result rule, read from the policy's output.
pub(super) struct Outcome {
    pub(super) message: String,
    pub(super) span: Span,
    pub(super) code: Option<String>,
}

/// Where a result points: `location` (`{start: {line, column}, end: …}` or `{line, column}`),
/// `line`, `path`, else the file start.
pub(super) fn result_span(
    source: &SourceFile,
    object: &serde_json::Map<String, Json>,
    path_span: &dyn Fn(&[input::Step]) -> Option<Span>,
) -> Span {
    let number = |v: Option<&Json>| {
        v.and_then(Json::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    if let Some(whole) = object.get("location")
        && let Some(location) = whole.as_object()
    {
        let (start, end) = match (location.get("start"), location.get("end")) {
            (Some(start), end) => (Some(start), end),
            _ => (Some(whole), None),
        };
        if let Some(line) = number(start.and_then(|s| s.get("line"))) {
            let column = number(start.and_then(|s| s.get("column")));
            let end = end.and_then(|e| Some((number(e.get("line"))?, number(e.get("column"))?)));
            return line_span(source, line, column, end);
        }
    }
    if let Some(line) = number(object.get("line")) {
        return line_span(source, line, None, None);
    }
    if let Some(path) = object.get("path") {
        let steps = input::parse_path(path);
        if let Some(span) = path_span(&steps) {
            return span;
        }
    }
    Span::new(0, 0)
}

/// The results of a result rule's value (a set or array of strings or objects).
pub(super) fn outcomes(
    source: &SourceFile,
    value: &Json,
    path_span: &dyn Fn(&[input::Step]) -> Option<Span>,
) -> Vec<Outcome> {
    let items: Vec<&Json> = match value {
        Json::Array(items) => items.iter().collect(),
        Json::Null => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .take(MAX_RESULTS)
        .filter_map(|item| match item {
            Json::String(text) => Some(Outcome {
                message: cut(text),
                span: leading_line(text)
                    .map_or(Span::new(0, 0), |line| line_span(source, line, None, None)),
                code: None,
            }),
            Json::Object(object) => {
                let message = object
                    .get("msg")
                    .or_else(|| object.get("message"))
                    .and_then(Json::as_str)?;
                Some(Outcome {
                    message: cut(message),
                    span: result_span(source, object, path_span),
                    code: object
                        .get("code")
                        .and_then(Json::as_str)
                        .map(str::to_string),
                })
            }
            _ => None,
        })
        .collect()
}

/// `N` of a message that starts with `line N:` (a common conftest convention for Dockerfile
/// policies, which have no other way to say where).
pub(super) fn leading_line(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("line ")?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    if !rest[digits..].starts_with(':') {
        return None;
    }
    rest[..digits].parse().ok()
}

pub(super) fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
