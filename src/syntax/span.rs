//! Byte spans and the line index that turns them into line/column positions at the edges.
//!
//! Every node of every model carries a [`Span`]: a half-open byte range into the original text
//! (including any UTF-8 BOM). Line and column are computed only when a finding is rendered; a
//! BOM is not a character anyone sees, so the first line starts after it and columns on it do
//! not count it.

use serde::Serialize;

/// A half-open byte range `start..end` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty span at `offset`.
    pub const fn empty(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// A sub-range given relative to this span's start.
    pub const fn sub(self, start: usize, end: usize) -> Span {
        Span::new(self.start + start, self.start + end)
    }

    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A 1-based line and column. `column` counts Unicode scalar values (characters) from the
/// start of the line; `utf16_column` (0-based) is what the LSP speaks by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Line start offsets of a text, for offset → line/column conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// The first line starts after a UTF-8 BOM, if the text has one.
    line_starts: Vec<usize>,
    /// Per line: whether it is all ASCII, so a column is a subtraction instead of a count.
    /// Without it, a finding with thousands of labels on one long line (a 145 kB package
    /// list) cost time quadratic in the line's length.
    ascii_lines: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        let mut ascii_lines = Vec::with_capacity(text.len() / 32 + 1);
        let bom = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        line_starts.push(bom);
        // Line by line with a vectorized search: built for every file with findings.
        let bytes = text.as_bytes();
        let mut start = bom;
        for end in memchr::memchr_iter(b'\n', bytes).skip_while(|&end| end < bom) {
            ascii_lines.push(bytes[start..end].is_ascii());
            start = end + 1;
            line_starts.push(start);
        }
        ascii_lines.push(bytes[start..].is_ascii());
        Self {
            line_starts,
            ascii_lines,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number containing `offset` (a BOM belongs to the first line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Byte offset at which 0-based `line` starts (the first line: after a BOM).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or_else(|| *self.line_starts.last().unwrap_or(&0))
    }

    /// 1-based line and character column of `offset` in `text`. An offset inside a multi-byte
    /// character or past the end is clamped; one inside a BOM is column 1.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let (line, prefix) = self.line_prefix(text, offset);
        let column = self.columns(line, prefix, |prefix| prefix.chars().count()) + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// 0-based line and UTF-16 column of `offset` (the LSP default encoding).
    pub fn utf16_position(&self, text: &str, offset: usize) -> (usize, usize) {
        let (line, prefix) = self.line_prefix(text, offset);
        let column = self.columns(line, prefix, |prefix| prefix.encode_utf16().count());
        (line, column)
    }

    /// The 0-based line of `offset` and the text from the line's start up to it.
    fn line_prefix<'t>(&self, text: &'t str, offset: usize) -> (usize, &'t str) {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        (line, text.get(start..offset).unwrap_or(""))
    }

    /// The width of `prefix` (the start of `line` up to an offset): its byte length on an
    /// ASCII line, else what `count` says.
    fn columns(&self, line: usize, prefix: &str, count: impl Fn(&str) -> usize) -> usize {
        if self.ascii_lines.get(line).copied().unwrap_or(false) {
            prefix.len()
        } else {
            count(prefix)
        }
    }
}

/// The largest char boundary at or below `offset`, clamped to the text.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The span of `range` (a byte range of `value`) when `span` holds `value` literally (plain, or
/// in quotes without escapes); otherwise the whole `span`.
pub fn written_part(source: &str, span: Span, value: &str, range: std::ops::Range<usize>) -> Span {
    let written = span.text(source);
    let offset = if written == value {
        Some(0)
    } else if written.len() == value.len() + 2
        && (written.starts_with('"') || written.starts_with('\''))
        && written.get(1..written.len() - 1) == Some(value)
    {
        Some(1)
    } else {
        None
    };
    match offset {
        Some(offset) if range.start <= range.end && range.end <= value.len() => {
            span.sub(offset + range.start, offset + range.end)
        }
        _ => span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line starts and per-line ASCII flags, byte by byte (what `LineIndex::new` finds
    /// with a vectorized search).
    fn naive(text: &str) -> (Vec<usize>, Vec<bool>) {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let (mut starts, mut ascii, mut line_ascii) = (vec![bom], Vec::new(), true);
        for (i, b) in text.bytes().enumerate().skip(bom) {
            line_ascii &= b.is_ascii();
            if b == b'\n' {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            }
        }
        ascii.push(line_ascii);
        (starts, ascii)
    }

    #[test]
    fn line_starts_agree_with_a_byte_by_byte_scan() {
        for text in [
            "",
            "\n",
            "a",
            "a\nb",
            "a\r\nb\n",
            "\u{feff}FROM x\nRUN é\n\n",
            "\u{feff}",
            "ü\nx\ny√\n",
        ] {
            let index = LineIndex::new(text);
            assert_eq!(
                (index.line_starts.clone(), index.ascii_lines.clone()),
                naive(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let text = "FROM a\nRUN é x\r\nUSER b";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position { line: 2, column: 7 });
        let user = text.find("USER").unwrap();
        assert_eq!(index.position(text, user), Position { line: 3, column: 1 });
        assert_eq!(index.utf16_position(text, x), (1, 6));
    }

    #[test]
    fn ascii_and_non_ascii_lines_mix() {
        // Each line's own flag decides: a non-ASCII line between ASCII ones, and a last line
        // without a newline.
        let text = "ab\nçé x\ncd y\nñ z";
        let index = LineIndex::new(text);
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(
            index.position(text, at("b")),
            Position { line: 1, column: 2 }
        );
        assert_eq!(
            index.position(text, at("x")),
            Position { line: 2, column: 4 }
        );
        assert_eq!(
            index.position(text, at("y")),
            Position { line: 3, column: 4 }
        );
        assert_eq!(
            index.position(text, at("z")),
            Position { line: 4, column: 3 }
        );
        assert_eq!(index.utf16_position(text, at("x")), (1, 3));
        assert_eq!(index.utf16_position(text, at("y")), (2, 3));
    }

    #[test]
    fn a_bom_is_not_a_column() {
        let text = "\u{feff}FROM é x\nRUN y";
        let index = LineIndex::new(text);
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(
            index.position(text, at("FROM")),
            Position { line: 1, column: 1 }
        );
        assert_eq!(
            index.position(text, at("x")),
            Position { line: 1, column: 8 }
        );
        assert_eq!(
            index.position(text, at("y")),
            Position { line: 2, column: 5 }
        );
        // Inside or before the BOM: the start of the first line.
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(index.position(text, 1), Position { line: 1, column: 1 });
        assert_eq!(index.utf16_position(text, at("x")), (0, 7));
        assert_eq!(index.utf16_position(text, 0), (0, 0));
        assert_eq!(index.line_start(0), at("FROM"));
        // ASCII after the BOM is counted as ASCII.
        let text = "\u{feff}FROM a";
        let index = LineIndex::new(text);
        assert_eq!(
            index.position(text, text.len()),
            Position { line: 1, column: 7 }
        );
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 1), Position { line: 1, column: 1 });
        assert_eq!(index.position(text, 99), Position { line: 1, column: 2 });
    }

    #[test]
    fn written_parts_are_exact_when_the_value_is_written_as_is() {
        let source = "image: \"nginx:latest\"\nimage: nginx:latest";
        let quoted = Span::new(7, 21);
        assert_eq!(
            written_part(source, quoted, "nginx:latest", 6..12).text(source),
            "latest"
        );
        let plain = Span::new(29, 41);
        assert_eq!(
            written_part(source, plain, "nginx:latest", 6..12).text(source),
            "latest"
        );
        assert_eq!(written_part(source, plain, "other", 0..2), plain);
    }
}
