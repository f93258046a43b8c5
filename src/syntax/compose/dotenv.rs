//! A `.env` file read as Docker Compose reads it, into an [`Environment`].
//!
//! - Blank lines and lines starting with `#` are skipped; `export ` before a key is ignored.
//! - `KEY=value` or `KEY: value`; spaces around the key and before the value are dropped. A key
//!   alone on its line takes its value from the shell in Compose; plimsoll never reads its own
//!   environment, so such a key stays unset.
//! - An unquoted value runs to the end of the line, cut at the first ` #` (an inline comment) and
//!   trimmed on the right; `${VAR}` in it is interpolated from the keys above it.
//! - A single-quoted value is literal (`\'` is a quote) and may span lines.
//! - A double-quoted value may span lines; `\n`, `\r`, `\t`, `\"`, `\\` and `\$` are escapes
//!   (other backslashes stay), and `${VAR}` is interpolated from the keys above it. After the
//!   closing quote the rest of the line is read as further statements, as Compose does (so a
//!   trailing `# comment` is a comment).
//! - A later key replaces an earlier one.
//!
//! A variable whose value uses a variable the file does not set (and that has no default) is
//! set but unknown. Problems (an unterminated quote, a space or a stray character in a key, a
//! bad `${…}`, a `${VAR:?err}` that fails) are [`DotEnvError`]s at their line and column; the
//! variable they concern is unknown and reading goes on.

use serde::Serialize;

use super::interpolate::{self, Environment, ErrorKind, Variable};
use crate::syntax::dockerfile::expansion::ExpansionBudget;
use crate::syntax::span::Span;

/// A problem in a `.env` file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DotEnvError {
    pub span: Span,
    /// 1-based line and column (in characters) of `span.start`.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A parsed `.env` file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DotEnv {
    pub env: Environment,
    pub errors: Vec<DotEnvError>,
}

/// Parse `text`, the contents of the env file that messages call `file` (`.env`).
pub fn parse(text: &str, file: &str) -> DotEnv {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: DotEnv {
            env: Environment::new(file),
            errors: Vec::new(),
        },
        budget: ExpansionBudget::for_text(text.len()),
    };
    reader.run();
    reader.out
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    out: DotEnv,
    budget: ExpansionBudget,
}

/// Spaces that do not end a line.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    fn line_end(&self, from: usize) -> usize {
        self.text
            .get(from..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |i| from + i)
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    fn error(&mut self, span: Span, message: String) {
        let (line, column) = self.line_col(span.start);
        self.out.errors.push(DotEnvError {
            span,
            line,
            column,
            message,
        });
    }

    /// Skip to the start of the next line.
    fn skip_line(&mut self) {
        self.pos = (self.line_end(self.pos) + 1).min(self.text.len());
    }

    fn run(&mut self) {
        loop {
            while self.peek().is_some_and(|b| is_blank(b) || b == b'\n') {
                self.pos += 1;
            }
            match self.peek() {
                None => return,
                Some(b'#') => self.skip_line(),
                Some(_) => self.statement(),
            }
        }
    }

    fn statement(&mut self) {
        // `export KEY=…`: only with a blank after `export` (`exportKEY` and `export=` are keys).
        if self.text[self.pos..].starts_with("export")
            && self.bytes.get(self.pos + 6).copied().is_some_and(is_blank)
        {
            self.pos += 6;
            self.skip_blanks();
        }
        let key_start = self.pos;
        let mut key_end = self.pos;
        let mut space_in_key = None;
        let separator = loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                break None;
            };
            match c {
                '=' | ':' => break Some(c),
                '\n' => break None,
                c if c.is_whitespace() => {
                    self.pos += c.len_utf8();
                    continue;
                }
                c if c.is_alphanumeric() || matches!(c, '_' | '.' | '-') => {
                    if key_end < self.pos {
                        space_in_key.get_or_insert(key_end);
                    }
                    self.pos += c.len_utf8();
                    key_end = self.pos;
                }
                other => {
                    let span = Span::new(self.pos, self.pos + other.len_utf8());
                    self.error(
                        span,
                        format!("unexpected character `{other}` in variable name"),
                    );
                    self.skip_line();
                    return;
                }
            }
        };
        if let Some(at) = space_in_key {
            self.error(
                Span::new(at, at + 1),
                "a variable name cannot contain a space".to_string(),
            );
            self.skip_line();
            return;
        }
        let key = self.text[key_start..key_end].to_string();
        let line = self.line_col(key_start).0;
        if separator.is_none() {
            // A key alone takes its value from the shell in Compose: unset here.
            return;
        }
        self.pos += 1;
        self.skip_blanks();
        let value_start = self.pos;
        let value = match self.peek() {
            Some(quote @ (b'\'' | b'"')) => match self.quoted(quote) {
                Some(value) => value,
                None => {
                    let end = self.line_end(value_start);
                    self.error(
                        Span::new(value_start, end),
                        "unterminated quoted value".to_string(),
                    );
                    self.pos = self.text.len();
                    return;
                }
            },
            _ => {
                let end = self.line_end(value_start);
                let raw = &self.text[value_start..end];
                let raw = raw.find(" #").map_or(raw, |cut| &raw[..cut]);
                let raw = raw.trim_end_matches(|c: char| c.is_whitespace());
                self.pos = end;
                Template::Interpolated(raw.to_string())
            }
        };
        let span = Span::new(value_start, self.pos);
        let value = match value {
            Template::Literal(text) => Some(text),
            Template::Interpolated(template) => self.interpolate(&template, span),
        };
        self.out.env.set(
            key,
            Variable {
                value,
                line: Some(line),
                span: Some(span),
            },
        );
    }

    /// The quoted value at `self.pos` (which is on the opening quote), leaving `self.pos` after
    /// the closing quote; `None` when it is not closed.
    fn quoted(&mut self, quote: u8) -> Option<Template> {
        let start = self.pos + 1;
        let mut i = start;
        let mut out = String::new();
        loop {
            let c = self.text.get(i..)?.chars().next()?;
            if c as u32 == u32::from(quote) {
                self.pos = i + 1;
                return Some(if quote == b'"' {
                    Template::Interpolated(out)
                } else {
                    Template::Literal(out)
                });
            }
            if c == '\\' {
                let next = self.text.get(i + 1..).and_then(|r| r.chars().next());
                match (quote, next) {
                    (b'\'', Some('\'')) => {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    (b'"', Some(escaped @ ('n' | 'r' | 't' | '"' | '\\' | '$'))) => {
                        out.push_str(match escaped {
                            'n' => "\n",
                            'r' => "\r",
                            't' => "\t",
                            '"' => "\"",
                            '\\' => "\\",
                            // Kept out of interpolation: `$$` is a literal `$` there.
                            _ => "$$",
                        });
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
            }
            out.push(c);
            i += c.len_utf8();
        }
    }

    /// Interpolate `template` with the keys read so far; `None` when unknown or in error.
    fn interpolate(&mut self, template: &str, span: Span) -> Option<String> {
        if !interpolate::has_substitutions(template) {
            return Some(template.to_string());
        }
        let result = interpolate::interpolate(template, &self.out.env, &mut self.budget);
        match result.value {
            Ok(value) => value,
            Err(error) => {
                let message = match &error.kind {
                    ErrorKind::Syntax => format!(
                        "invalid interpolation in `{}`",
                        crate::syntax::excerpt::excerpt(template)
                    ),
                    _ => error.message(template.get(error.range.clone()).unwrap_or(template)),
                };
                self.error(span, message);
                None
            }
        }
    }
}

enum Template {
    Literal(String),
    Interpolated(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, Option<String>)> {
        let parsed = parse(text, ".env");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed
            .env
            .iter()
            .map(|(k, v)| (k.to_string(), v.value.clone()))
            .collect()
    }

    fn value(text: &str) -> Option<String> {
        let parsed = parse(text, ".env");
        assert!(parsed.errors.is_empty(), "{text:?}: {:?}", parsed.errors);
        parsed.env.get("V").and_then(|v| v.value.clone())
    }

    fn error(text: &str) -> (usize, usize, String) {
        let parsed = parse(text, ".env");
        let e = parsed.errors.first().unwrap_or_else(|| panic!("{text:?}"));
        (e.line, e.column, e.message.clone())
    }

    #[test]
    fn unquoted() {
        assert_eq!(value("V=a b  "), Some("a b".into()));
        assert_eq!(value("V=a #c"), Some("a".into()));
        assert_eq!(value("V=a # b # c"), Some("a".into()));
        assert_eq!(value("V=a#c"), Some("a#c".into()));
        assert_eq!(value("V=x\t#c"), Some("x\t#c".into()));
        assert_eq!(value("V=x\r\nW=y"), Some("x".into()));
        assert_eq!(value("V=  x"), Some("x".into()));
        assert_eq!(value("V="), Some(String::new()));
        assert_eq!(value("V=a\\nb"), Some("a\\nb".into()));
        assert_eq!(value("V=a\"b"), Some("a\"b".into()));
        assert_eq!(value("V=a 'b'"), Some("a 'b'".into()));
        assert_eq!(value("V=é"), Some("é".into()));
        assert_eq!(value("V=$$x"), Some("$x".into()));
    }

    #[test]
    fn keys_comments_export() {
        assert_eq!(
            values("# c\n  # indented\nA=1\n\n  B = 2\nexport C=3\nexport   D : 4\n"),
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("2".into())),
                ("C".into(), Some("3".into())),
                ("D".into(), Some("4".into())),
            ]
        );
        assert_eq!(value("V: x"), Some("x".into()));
        assert_eq!(value("V=x\nV=y"), Some("y".into()));
        // `export` needs a blank after it.
        assert_eq!(
            values("exportV=3\nexport=1"),
            vec![
                ("export".into(), Some("1".into())),
                ("exportV".into(), Some("3".into()))
            ]
        );
        // A key alone is inherited from the shell, which plimsoll does not read.
        assert_eq!(value("V"), None);
        assert_eq!(value("export V"), None);
        assert!(parse("V\n", ".env").env.get("V").is_none());
        assert_eq!(values("V.x=1\nV-x=2").len(), 2);
    }

    #[test]
    fn quoted() {
        assert_eq!(value(r#"V="a\"b\\c\td\n""#), Some("a\"b\\c\td\n".into()));
        assert_eq!(value(r#"V="a\rb""#), Some("a\rb".into()));
        assert_eq!(value(r#"V="a\qb""#), Some("a\\qb".into()));
        assert_eq!(value(r#"V="a\'b""#), Some("a\\'b".into()));
        assert_eq!(value(r#"V="a\\""#), Some("a\\".into()));
        assert_eq!(value(r#"V="a\$b""#), Some("a$b".into()));
        assert_eq!(value(r"V='a\'b'"), Some("a'b".into()));
        assert_eq!(value(r"V='a\nb'"), Some("a\\nb".into()));
        assert_eq!(value("V=\"multi\nline\""), Some("multi\nline".into()));
        assert_eq!(value("V='multi\nline'"), Some("multi\nline".into()));
        assert_eq!(value("V=\"x\r\ny\""), Some("x\r\ny".into()));
        assert_eq!(value("V=\"a # b\""), Some("a # b".into()));
        assert_eq!(value("V='a # b'"), Some("a # b".into()));
        assert_eq!(value("V=\"x\" # c"), Some("x".into()));
        assert_eq!(value("V=  \"q\""), Some("q".into()));
        // After the closing quote the line goes on as further statements.
        assert_eq!(value("V=\"x\" junk"), Some("x".into()));
    }

    #[test]
    fn interpolation_from_earlier_keys() {
        assert_eq!(value("A=1\nV=${A}b"), Some("1b".into()));
        assert_eq!(value("A=1\nV=\"${A}b\""), Some("1b".into()));
        assert_eq!(value("A=1\nV='${A}b'"), Some("${A}b".into()));
        assert_eq!(value("V=${A:-d}"), Some("d".into()));
        assert_eq!(value("V=\"$$x\""), Some("$x".into()));
        assert_eq!(value("A=1\nV=${A:?err}"), Some("1".into()));
        // Only keys above count; an unset one makes the value unknown.
        assert_eq!(value("V=${A}\nA=1"), None);
        assert!(parse("V=${A}\nA=1", ".env").env.get("V").is_some());
        // Unknown values stay unknown through later keys.
        assert_eq!(value("A=${NOPE}\nV=x${A}"), None);
        assert_eq!(value("A=${NOPE}\nV=${A-d}"), None);
    }

    #[test]
    fn lines_and_spans() {
        let text = "# c\nA=1\n\nTAG=latest # moving\n";
        let parsed = parse(text, ".env");
        let tag = parsed.env.get("TAG").unwrap();
        assert_eq!(tag.line, Some(4));
        assert_eq!(tag.span.unwrap().text(text), "latest # moving");
        let text = "P=\"two\nlines\"\nQ=x";
        let parsed = parse(text, ".env");
        assert_eq!(
            parsed.env.get("P").unwrap().span.unwrap().text(text),
            "\"two\nlines\""
        );
        assert_eq!(parsed.env.get("Q").unwrap().line, Some(3));
    }

    #[test]
    fn errors() {
        assert_eq!(
            error("A=1\nV=\"unterminated\nB=2"),
            (2, 3, "unterminated quoted value".into())
        );
        assert_eq!(
            error("V x=1"),
            (1, 2, "a variable name cannot contain a space".into())
        );
        assert_eq!(
            error("A=1\n  V\"=1"),
            (2, 4, "unexpected character `\"` in variable name".into())
        );
        assert_eq!(
            error("V=\"a\" \"b\""),
            (1, 7, "unexpected character `\"` in variable name".into())
        );
        assert_eq!(error("V=a${").0, 1);
        assert_eq!(
            error("X=1\nV=${U:?err}").2,
            "required variable `U` is missing a value: err"
        );
        // Reading goes on after an error; the variable in error is unknown.
        let parsed = parse("V x=1\nA=1\nB=${U:?e}\nC=2", ".env");
        assert_eq!(parsed.errors.len(), 2);
        assert_eq!(parsed.env.get("A").unwrap().value.as_deref(), Some("1"));
        assert_eq!(parsed.env.get("B").unwrap().value, None);
        assert_eq!(parsed.env.get("C").unwrap().value.as_deref(), Some("2"));
    }

    #[test]
    fn bounded() {
        let mut text = String::from("A0=xxxxxxxxxxxxxxxx\n");
        for i in 1..40 {
            text.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
        }
        let parsed = parse(&text, ".env");
        assert!(!parsed.errors.is_empty());
        assert_eq!(parsed.env.get("A39").unwrap().value, None);
        assert!(parsed.env.get("A5").unwrap().value.is_some());
    }
}
