//! The variable references BuildKit expands in an instruction's text (`$NAME`, `${NAME}`), where
//! they are written: for the rules about undefined and self-referencing variables.

use crate::syntax::span::Span;

/// A `$NAME` or `${NAME}` reference without a default, at `span` in the source.
pub struct Reference {
    pub name: String,
    pub span: Span,
}

/// The references in `text` (the source bytes at `start`) that BuildKit expands: not in single
/// quotes, not escaped, and without a `${NAME:-default}`-style operator (those are deliberate).
pub fn references(text: &str, start: usize, escape: char) -> Vec<Reference> {
    let bytes = text.as_bytes();
    let escape = u8::try_from(escape).unwrap_or(b'\\');
    let mut found = Vec::new();
    let mut single = false;
    let mut double = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == escape && !single {
            i += 2;
            continue;
        }
        match byte {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'$' if !single => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let name_start = if braced { i + 2 } else { i + 1 };
                let mut end = name_start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let name = &text[name_start..end];
                if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
                    i += 1;
                    continue;
                }
                if braced {
                    // Find the closing brace, counting nested ones.
                    let mut depth = 1;
                    let mut close = end;
                    while close < bytes.len() && depth > 0 {
                        match bytes[close] {
                            b'{' => depth += 1,
                            b'}' => depth -= 1,
                            _ => {}
                        }
                        close += 1;
                    }
                    if bytes.get(end) == Some(&b'}') {
                        found.push(Reference {
                            name: name.to_string(),
                            span: Span::new(start + i, start + end + 1),
                        });
                    }
                    i = close;
                    continue;
                }
                found.push(Reference {
                    name: name.to_string(),
                    span: Span::new(start + i, start + end),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references() {
        let names = |text: &str| -> Vec<String> {
            references(text, 0, '\\')
                .into_iter()
                .map(|r| r.name)
                .collect()
        };
        assert_eq!(names("$A/${B}/x"), ["A", "B"]);
        assert_eq!(names("${A:-x}${B:+$C}"), Vec::<String>::new());
        assert_eq!(names("'$A' \"$B\" \\$C $1"), ["B"]);
        let spans: Vec<Span> = references("x=${VER}", 10, '\\')
            .iter()
            .map(|r| r.span)
            .collect();
        assert_eq!(spans, [Span::new(12, 18)]);
    }
}
