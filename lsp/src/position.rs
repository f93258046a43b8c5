//! Byte offsets ↔ LSP positions (0-based line, column in the negotiated encoding).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol says. Columns count UTF-16 code
//! units by default and bytes when the client accepted UTF-8. A UTF-8 BOM is not a column: the
//! first line starts after it. Offsets inside a character and columns past the end of a line
//! are clamped, never a panic.

/// How columns are counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// Line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Byte offset where each line's content ends (before its terminator).
    ends: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let bom = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let mut starts = vec![bom];
        let mut ends = Vec::new();
        let mut i = bom;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    ends.push(i);
                    starts.push(i + 1);
                }
                b'\r' => {
                    ends.push(i);
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        ends.push(text.len());
        Self { starts, ends }
    }

    /// 0-based line and column of byte `offset`.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> (u32, u32) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let end = self.ends.get(line).copied().unwrap_or(text.len());
        // An offset inside a `\r\n` terminator is the end of the line's content.
        // Inside a BOM: the start of the first line.
        let prefix = text.get(start..offset.min(end)).unwrap_or("");
        let column = match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.encode_utf16().count(),
        };
        (saturate(line), saturate(column))
    }

    /// Byte offset of a 0-based line and column; past the end of a line is its end, past the
    /// last line is the end of the text.
    pub fn offset(&self, text: &str, line: u32, column: u32, encoding: Encoding) -> usize {
        let line = line as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(line), self.ends.get(line)) else {
            return text.len();
        };
        let content = text.get(start..end).unwrap_or("");
        let column = column as usize;
        let mut units = 0;
        for (i, ch) in content.char_indices() {
            if units >= column {
                return start + i;
            }
            units += match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
            };
        }
        end
    }

    /// Byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_with_tabs_multibyte_and_crlf() {
        let text = "FROM a\r\n\tRUN é😀 x\rUSER b\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x, Encoding::Utf16), (1, 9));
        assert_eq!(index.position(text, x, Encoding::Utf8), (1, 12));
        assert_eq!(index.offset(text, 1, 9, Encoding::Utf16), x);
        assert_eq!(index.offset(text, 1, 12, Encoding::Utf8), x);
        let user = text.find("USER").unwrap();
        assert_eq!(index.position(text, user, Encoding::Utf16), (2, 0));
        // Inside the `\r\n`: the end of line 0's content.
        assert_eq!(index.position(text, 7, Encoding::Utf16), (0, 6));
        assert_eq!(index.position(text, text.len(), Encoding::Utf16), (3, 0));
    }

    #[test]
    fn a_bom_is_not_a_column() {
        let text = "\u{feff}FROM é😀 x\nRUN y";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x, Encoding::Utf16), (0, 9));
        assert_eq!(index.position(text, x, Encoding::Utf8), (0, 12));
        assert_eq!(index.position(text, 0, Encoding::Utf16), (0, 0));
        assert_eq!(index.position(text, 3, Encoding::Utf16), (0, 0));
        assert_eq!(index.offset(text, 0, 0, Encoding::Utf16), 3);
        assert_eq!(index.offset(text, 0, 9, Encoding::Utf16), x);
        let y = text.find('y').unwrap();
        assert_eq!(index.position(text, y, Encoding::Utf16), (1, 4));
        assert_eq!(index.line_start(0), Some(3));
    }

    #[test]
    fn out_of_range_is_clamped() {
        let text = "é\nab";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 1, Encoding::Utf16), (0, 0));
        assert_eq!(index.position(text, 99, Encoding::Utf8), (1, 2));
        assert_eq!(index.offset(text, 0, 99, Encoding::Utf16), 2);
        assert_eq!(index.offset(text, 7, 0, Encoding::Utf16), text.len());
        // A column inside a surrogate pair lands after the character.
        let text = "😀x";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, 0, 1, Encoding::Utf16), 4);
    }
}
