//! Flow collections indented less than their block, which Compose accepts.
//!
//! YAML 1.2 wants every line of a flow collection that is the value of a block mapping key
//! indented more than the key. saphyr enforces that ("invalid indentation"); the Go parser
//! Compose reads files with (yaml.v3, from libyaml) ignores indentation inside flow collections
//! altogether, so a file like this one (the OpenTelemetry demo's) is one Compose runs:
//!
//! ```yaml
//! services:
//!   web:
//!     command: [
//!       "--config=/etc/config.yaml",
//!     ]              # at the key's indentation
//! ```
//!
//! Inside a flow collection indentation means nothing: a line break and the blanks after it
//! fold away in every scalar that can be written there. So indenting such a line further
//! changes nothing the tree holds. On an indentation error this module indents the offending
//! line of a copy of the text and parses the copy again, one line at a time; it keeps the new
//! tree only when every line it indented lies inside a flow collection of that tree, and maps
//! the tree's spans back to the original text. Anything else keeps the strict result.

use std::collections::BTreeMap;

use super::parser::parse_strict;
use super::{Value, YamlFile};
use crate::syntax::span::Span;

/// The most re-parses one file may take (each fixes one line, or one more column of one)…
const MAX_ATTEMPTS: usize = 200;

/// …and the most bytes they may parse together, so that a big file is not parsed hundreds
/// of times (an 8 MiB file gets 8 tries).
const REPARSE_BYTES: usize = 64 << 20;

/// `strict` is saphyr's result for `text`, which stopped at an indentation error at `at`
/// (`quoted`: in a quoted scalar starting there).
pub(super) fn parse_relaxed(text: &str, strict: YamlFile, error: (usize, bool)) -> YamlFile {
    // Start of an original line → spaces put before it.
    let mut insertions: BTreeMap<usize, usize> = BTreeMap::new();
    let mut error = error;
    let attempts = MAX_ATTEMPTS.min(REPARSE_BYTES / text.len().max(1)).max(4);
    for _ in 0..attempts {
        let (at, quoted) = error;
        let original = unshift(&insertions, at).min(text.len());
        if quoted {
            indent_quoted(text, original, &mut insertions);
        } else {
            let line_start = line_start(text, original);
            let added = match insertions.get(&line_start) {
                Some(_) => 1,
                None => first_guess(text, line_start, &insertions),
            };
            *insertions.entry(line_start).or_insert(0) += added;
        }
        let shifted = apply(text, &insertions);
        let (mut file, next) = parse_strict(&shifted);
        if let Some(next) = next {
            error = next;
            continue;
        }
        if !all_inside_flow(&file, &shifted, &insertions) {
            return strict;
        }
        remap(&mut file, &insertions);
        return file;
    }
    strict
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// Indent the later lines of the quoted scalar starting at `open` one column past its first
/// line, or one column more than they are when they already are.
fn indent_quoted(text: &str, open: usize, insertions: &mut BTreeMap<usize, usize>) {
    let bytes = text.as_bytes();
    let quote = bytes.get(open).copied().unwrap_or(b'"');
    let first = line_start(text, open);
    let target = indentation(text, first) + insertions.get(&first).copied().unwrap_or(0) + 1;
    let mut pos = open + 1;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'\\' if quote == b'"' => pos += 1,
            b'\'' if quote == b'\'' && bytes.get(pos + 1) == Some(&b'\'') => pos += 1,
            b if b == quote => break,
            b'\n' => {
                let start = pos + 1;
                let now = indentation(text, start) + insertions.get(&start).copied().unwrap_or(0);
                let added = if now < target { target - now } else { 1 };
                *insertions.entry(start).or_insert(0) += added;
            }
            _ => {}
        }
        pos += 1;
    }
}

/// Leading blanks of the line starting at `start`.
fn indentation(text: &str, start: usize) -> usize {
    text.get(start..)
        .unwrap_or_default()
        .bytes()
        .take_while(|b| *b == b' ')
        .count()
}

/// Spaces that probably make the line at `line_start` indented enough: one column past the
/// content of the nearest line above (past `- ` markers, as a mapping inside a sequence item is
/// indented at its first key), or as far as that line when it was indented here already.
fn first_guess(text: &str, line_start: usize, insertions: &BTreeMap<usize, usize>) -> usize {
    let own = indentation(text, line_start);
    let mut end = line_start.saturating_sub(1);
    loop {
        let start = self::line_start(text, end);
        let line = text.get(start..end).unwrap_or_default();
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if content.trim().is_empty() || content.starts_with('#') {
            if start == 0 {
                return 1;
            }
            end = start - 1;
            continue;
        }
        if let Some(added) = insertions.get(&start) {
            return (indent + added).saturating_sub(own).max(1);
        }
        let mut column = indent;
        let mut rest = content;
        while let Some(after) = rest.strip_prefix('-')
            && after.starts_with([' ', '\t'])
        {
            let trimmed = after.trim_start_matches([' ', '\t']);
            column += rest.len() - trimmed.len();
            rest = trimmed;
        }
        return (column + 1).saturating_sub(own).max(1);
    }
}

/// `text` with the inserted spaces.
fn apply(text: &str, insertions: &BTreeMap<usize, usize>) -> String {
    let extra: usize = insertions.values().sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut from = 0;
    for (&start, &count) in insertions {
        out.push_str(text.get(from..start).unwrap_or_default());
        out.extend(std::iter::repeat_n(' ', count));
        from = start;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    out
}

/// An offset in the shifted text → the offset in the original (inserted spaces map to the
/// start of their line).
fn unshift(insertions: &BTreeMap<usize, usize>, offset: usize) -> usize {
    let mut shift = 0;
    for (&start, &count) in insertions {
        let shifted_start = start + shift;
        if offset < shifted_start {
            break;
        }
        if offset < shifted_start + count {
            return start;
        }
        shift += count;
    }
    offset - shift
}

/// Whether every inserted run of spaces lies strictly inside a flow collection of `file`
/// (offsets of the shifted text).
fn all_inside_flow(file: &YamlFile, shifted: &str, insertions: &BTreeMap<usize, usize>) -> bool {
    let mut flows: Vec<Span> = Vec::new();
    for document in &file.documents {
        document.visit(|node| {
            let collection = !matches!(node.value, Value::Scalar(_));
            let opens = matches!(shifted.as_bytes().get(node.span.start), Some(b'[' | b'{'));
            if collection && opens && node.origin.is_none() {
                flows.push(node.span);
            }
        });
    }
    let mut shift = 0;
    insertions.iter().all(|(&start, &count)| {
        let at = start + shift;
        shift += count;
        flows
            .iter()
            .any(|flow| flow.start < at && at + count < flow.end)
    })
}

/// Map every span of `file` from the shifted text back to the original.
fn remap(file: &mut YamlFile, insertions: &BTreeMap<usize, usize>) {
    let map = |span: Span| {
        Span::new(
            unshift(insertions, span.start),
            unshift(insertions, span.end),
        )
    };
    for error in &mut file.errors {
        error.span = map(error.span);
    }
    for duplicate in &mut file.duplicate_keys {
        duplicate.first = map(duplicate.first);
        duplicate.duplicate = map(duplicate.duplicate);
        duplicate.first_value = map(duplicate.first_value);
        duplicate.duplicate_value = map(duplicate.duplicate_value);
    }
    for document in &mut file.documents {
        document.visit_mut(|node| {
            node.span = map(node.span);
            node.origin = node.origin.map(&map);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn closing_bracket_at_the_key_indentation() {
        let text =
            "services:\n  web:\n    command: [\n      \"a\",\n      \"b\"\n    ]\n    user: x\n";
        let file = parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let web = file.documents[0].path(&["services", "web"]).unwrap();
        let command = web.get("command").unwrap();
        assert_eq!(
            command.span.text(text),
            "[\n      \"a\",\n      \"b\"\n    ]"
        );
        let items: Vec<_> = command
            .as_sequence()
            .unwrap()
            .iter()
            .map(|n| n.span.text(text))
            .collect();
        assert_eq!(items, ["\"a\"", "\"b\""]);
        assert_eq!(web.entry("user").unwrap().key.span.text(text), "user");
    }

    #[test]
    fn flow_lines_at_column_zero() {
        let text = "a:\n  - b: [\n1,\n\"two\n three\",\n  {c: d}\n]\n  - e\n";
        let file = parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let items = file.documents[0].get("a").unwrap().as_sequence().unwrap();
        let b = items[0].get("b").unwrap().as_sequence().unwrap();
        assert_eq!(b[0].span.text(text), "1");
        assert_eq!(b[1].as_str(), Some("two three"));
        assert_eq!(b[1].span.text(text), "\"two\n three\"");
        assert_eq!(b[2].get("c").unwrap().span.text(text), "d");
        assert_eq!(items[1].span.text(text), "e");
    }

    #[test]
    fn block_indentation_errors_stay_errors() {
        for text in [
            "a:\n    b: 1\n  c: 2\n",
            "a:\n  - b\n c\n",
            "a: |\n  x\n y: [\n",
        ] {
            let strict = parse_strict(text).0;
            let file = parse(text);
            assert_eq!(file.errors, strict.errors, "{text}");
            assert!(!file.errors.is_empty(), "{text}");
        }
    }

    #[test]
    fn offsets_map_back() {
        let insertions = BTreeMap::from([(4, 2), (10, 3)]);
        let text = "abc\ndefgh\nijk";
        let shifted = apply(text, &insertions);
        assert_eq!(shifted, "abc\n  defgh\n   ijk");
        for (original, ch) in text.char_indices().filter(|(_, c)| *c != '\n') {
            let at = shifted.find(ch).unwrap();
            assert_eq!(unshift(&insertions, at), original);
        }
        assert_eq!(unshift(&insertions, 5), 4);
        assert_eq!(unshift(&insertions, shifted.len()), text.len());
    }
}
