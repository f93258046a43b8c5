//! Low-level scanners for the Dockerfile parser: physical lines, BuildKit's builder-flag
//! extraction, quote-aware word splitting, JSON string arrays and shell-style unquoting.
//!
//! Every scanner works on a `&str` and returns byte offsets into it, so the parser can map
//! results back to the source through its logical-line piece map. All loops are iterative and
//! linear in the input.

/// One physical line: `start..end` is the content without the trailing `\r`/`\n` run,
/// `next` is where the following line starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// The physical line starting at `pos`, or `None` at the end of the text.
pub(crate) fn next_line(text: &str, pos: usize) -> Option<Line> {
    if pos >= text.len() {
        return None;
    }
    let rest = text.get(pos..)?;
    let (raw_end, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
        Some(i) => (pos + i, pos + i + 1),
        None => (text.len(), text.len()),
    };
    // BuildKit trims every trailing \r and \n (trimNewline), not just one "\r\n".
    let bytes = text.as_bytes();
    let mut end = raw_end;
    while end > pos && matches!(bytes.get(end - 1), Some(b'\r' | b'\n')) {
        end -= 1;
    }
    Some(Line {
        start: pos,
        end,
        next,
    })
}

/// Go's `unicode.IsSpace` (same set as Rust's `char::is_whitespace` for our purposes).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `[\t\v\f\r ]` token separator.
pub(crate) fn is_token_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Offset of the first non-whitespace char at or after `start` (bounded by `end`).
pub(crate) fn skip_space(text: &str, start: usize, end: usize) -> usize {
    match text.get(start..end) {
        Some(s) => end - s.trim_start_matches(is_space).len(),
        None => end,
    }
}

/// End offset after trimming trailing whitespace of `start..end`.
pub(crate) fn trim_end(text: &str, start: usize, end: usize) -> usize {
    match text.get(start..end) {
        Some(s) => start + s.trim_end_matches(is_space).len(),
        None => start,
    }
}

/// Split `start..end` on runs of `[\t\v\f\r ]` (BuildKit's `parseStringsWhitespaceDelimited`
/// on already-trimmed text). Returns word ranges.
pub(crate) fn split_token_space(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let Some(s) = text.get(start..end) else {
        return words;
    };
    let mut word_start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if is_token_space(c) {
            if let Some(ws) = word_start.take() {
                words.push((start + ws, start + i));
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(ws) = word_start {
        words.push((start + ws, end));
    }
    words
}

/// A builder flag as BuildKit's `extractBuilderFlags` produces it, with offsets.
#[derive(Clone, Debug)]
pub(crate) struct RawFlag {
    /// Offset of the leading `--`.
    pub start: usize,
    /// Offset just past the last char of the flag word.
    pub end: usize,
    /// The processed word (quotes and backslash escapes removed), `--` included.
    pub word: String,
    /// For every byte of `word`, the offset of the source char it came from.
    pub origins: Vec<usize>,
}

/// BuildKit's `extractBuilderFlags`: read `--flag[=value]` words at the start of
/// `start..end` until the first word that does not start with `--` (or a bare `--`).
/// Returns the flags and the offset where the remaining arguments start.
pub(crate) fn extract_flags(text: &str, start: usize, end: usize) -> (Vec<RawFlag>, usize) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let mut flags = Vec::new();
    let Some(s) = text.get(start..end) else {
        return (flags, end);
    };
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut origins: Vec<usize> = Vec::new();
    let mut word_start = start;
    let mut blank_ok = false;
    let mut chars = s.char_indices().peekable();
    let push = |word: &mut String, origins: &mut Vec<usize>, c: char, at: usize| {
        word.push(c);
        origins.extend(std::iter::repeat_n(at, c.len_utf8()));
    };
    while let Some((i, c)) = chars.next() {
        let at = start + i;
        match phase {
            Phase::Spaces => {
                if is_space(c) {
                    continue;
                }
                let next_is_dash = matches!(chars.peek(), Some((_, '-')));
                if c != '-' || !next_is_dash {
                    return (flags, at);
                }
                phase = Phase::Word;
                word_start = at;
                push(&mut word, &mut origins, c, at);
            }
            Phase::Word => {
                if is_space(c) {
                    if word == "--" {
                        return (flags, at);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(RawFlag {
                            start: word_start,
                            end: at,
                            word: std::mem::take(&mut word),
                            origins: std::mem::take(&mut origins),
                        });
                    }
                    word.clear();
                    origins.clear();
                    blank_ok = false;
                    phase = Phase::Spaces;
                    continue;
                }
                if c == '\'' || c == '"' {
                    phase = Phase::Quote(c);
                    blank_ok = true;
                    continue;
                }
                if c == '\\' {
                    match chars.next() {
                        Some((j, n)) => push(&mut word, &mut origins, n, start + j),
                        None => continue,
                    }
                    continue;
                }
                push(&mut word, &mut origins, c, at);
            }
            Phase::Quote(q) => {
                if c == q {
                    phase = Phase::Word;
                    continue;
                }
                if c == '\\' {
                    match chars.next() {
                        Some((j, n)) => push(&mut word, &mut origins, n, start + j),
                        None => phase = Phase::Word,
                    }
                    continue;
                }
                push(&mut word, &mut origins, c, at);
            }
        }
    }
    if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
        flags.push(RawFlag {
            start: word_start,
            end,
            word,
            origins,
        });
    }
    (flags, end)
}

/// BuildKit's `parseWords`: split on whitespace outside quotes, keeping quotes and escapes in
/// the words. Returns word ranges; BuildKit's word equals the source slice, except that an
/// escape char at the very end of the text is dropped, which the range leaves out too.
pub(crate) fn parse_words(
    text: &str,
    start: usize,
    end: usize,
    escape: char,
) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let Some(s) = text.get(start..end) else {
        return words;
    };
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut word_start = start;
    let mut word_end = start;
    let mut blank_ok = false;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        let at = start + i;
        if !in_word {
            if is_space(c) {
                continue;
            }
            in_word = true;
            word_start = at;
            word_end = at;
        }
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            if c == escape && q != '\'' {
                match chars.next() {
                    Some((j, n)) => word_end = start + j + n.len_utf8(),
                    None => quote = None,
                }
                continue;
            }
            word_end = at + c.len_utf8();
            continue;
        }
        if is_space(c) {
            if blank_ok || word_end > word_start {
                words.push((word_start, word_end));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            blank_ok = true;
        }
        if c == escape {
            // An escape at the very end of the text is dropped.
            if let Some((j, n)) = chars.next() {
                word_end = start + j + n.len_utf8();
            }
            continue;
        }
        word_end = at + c.len_utf8();
    }
    if in_word && (blank_ok || word_end > word_start) {
        words.push((word_start, word_end));
    }
    words
}

/// Shell-style quote removal as BuildKit's word processing does it, without variable
/// expansion: `'…'` literal, `"…"` with `escape` escaping `"`, `$` and itself, and an
/// unquoted `escape` taking the next char literally.
pub(crate) fn unquote(s: &str, escape: char) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            for q in chars.by_ref() {
                if q == '\'' {
                    break;
                }
                out.push(q);
            }
        } else if c == '"' {
            while let Some(q) = chars.next() {
                if q == '"' {
                    break;
                }
                if q == escape {
                    match chars.peek() {
                        None => {}
                        Some(&n) if n == '"' || n == '$' || n == escape => {
                            out.push(n);
                            chars.next();
                        }
                        Some(_) => out.push(q),
                    }
                    continue;
                }
                out.push(q);
            }
        } else if c == escape {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Shell word splitting with quotes and escapes kept raw (BuildKit's heredoc detection lexer
/// with `RawQuotes` and `RawEscapes`, escape always `\`). `None` on an unterminated quote,
/// where BuildKit's lexer fails and finds no heredoc.
pub(crate) fn shell_words_raw(text: &str, start: usize, end: usize) -> Option<Vec<(usize, usize)>> {
    let s = text.get(start..end)?;
    let bytes = s.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    let mut word_start: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if word_start.is_none() {
            if b.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            word_start = Some(i);
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                if let Some(ws) = word_start.take() {
                    words.push((start + ws, start + i));
                }
                i += 1;
            }
            b'\\' => i += 2,
            b'\'' => {
                let close = bytes.get(i + 1..)?.iter().position(|&c| c == b'\'')?;
                i += close + 2;
            }
            b'"' => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j)? {
                        b'"' => break,
                        b'\\' => j += 2,
                        _ => j += 1,
                    }
                }
                i = j + 1;
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let close = bytes.get(i + 2..)?.iter().position(|&c| c == b'}')?;
                i += close + 3;
            }
            _ => i += 1,
        }
    }
    if let Some(ws) = word_start {
        words.push((start + ws, end.min(start + bytes.len())));
    }
    Some(words)
}

/// A heredoc marker word `[n]<<[-]WORD` as BuildKit's `reHeredoc` and `heredocFromMatch`
/// read it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub fd: Option<u32>,
    pub strip_tabs: bool,
    pub name: String,
    pub quoted: bool,
}

pub(crate) fn heredoc_marker(word: &str) -> Option<Marker> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(is_space);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    // The delimiter must lex as exactly one word once quotes are removed.
    let raw_words = shell_words_raw(rest, 0, rest.len())?;
    if raw_words.len() != 1 {
        return None;
    }
    let name = unquote(rest, '\\');
    let quote_count = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let quoted = quote_count(&name) != quote_count(rest);
    let fd = if digits > 0 {
        word.get(..digits).and_then(|d| d.parse().ok())
    } else {
        None
    };
    Some(Marker {
        fd,
        strip_tabs,
        name,
        quoted,
    })
}

/// Result of reading a JSON array of strings.
pub(crate) enum Json {
    /// A valid array of strings: `(value, content_start, content_end)` per element, offsets
    /// of the text between the quotes.
    Strings(Vec<(String, usize, usize)>),
    /// Valid JSON array with a non-string element: BuildKit rejects it.
    NotStrings,
    /// Not a JSON array: BuildKit falls back to the shell form / word list.
    Invalid,
}

/// Read a JSON array of strings at `start` (leading whitespace already skipped), ignoring
/// anything after the closing bracket as Go's `json.Decoder` does.
pub(crate) fn parse_json_array(text: &str, start: usize, end: usize) -> Json {
    let Some(s) = text.get(start..end) else {
        return Json::Invalid;
    };
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'[') {
        return Json::Invalid;
    }
    let ws = |i: &mut usize| {
        while matches!(bytes.get(*i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            *i += 1;
        }
    };
    let mut items = Vec::new();
    let mut i = 1;
    ws(&mut i);
    if bytes.get(i) == Some(&b']') {
        i += 1;
        ws(&mut i);
        return if i < bytes.len() {
            Json::Invalid
        } else {
            Json::Strings(items)
        };
    }
    loop {
        ws(&mut i);
        match bytes.get(i) {
            Some(b'"') => {
                let Some((value, close)) = json_string(s, i) else {
                    return Json::Invalid;
                };
                items.push((value, start + i + 1, start + close));
                i = close + 1;
            }
            Some(_) => return validate_other(s),
            None => return Json::Invalid,
        }
        ws(&mut i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                // BuildKit unmarshals the whole rest: anything after the array (but white
                // space) makes it not JSON, so the instruction is in shell form.
                i += 1;
                ws(&mut i);
                return if i < bytes.len() {
                    Json::Invalid
                } else {
                    Json::Strings(items)
                };
            }
            _ => return Json::Invalid,
        }
    }
}

/// A non-string element was found: decide between "valid JSON, wrong type" and "not JSON".
fn validate_other(s: &str) -> Json {
    // The whole text, as BuildKit's `json.Unmarshal`: trailing data makes it not JSON.
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::Array(_)) => Json::NotStrings,
        _ => Json::Invalid,
    }
}

/// Decode the JSON string whose opening quote is at `open`; returns the value and the offset
/// of the closing quote.
fn json_string(s: &str, open: usize) -> Option<(String, usize)> {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut i = open + 1;
    let mut run_start = i;
    loop {
        let b = *bytes.get(i)?;
        match b {
            b'"' => {
                out.push_str(s.get(run_start..i)?);
                return Some((out, i));
            }
            b'\\' => {
                out.push_str(s.get(run_start..i)?);
                let e = *bytes.get(i + 1)?;
                i += 2;
                match e {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let hi = hex4(s, i)?;
                        i += 4;
                        let c = if (0xD800..0xDC00).contains(&hi) {
                            // A surrogate pair, or U+FFFD for a lone half as Go decodes it.
                            let lo = if s.get(i..i + 2) == Some("\\u") {
                                hex4(s, i + 2)
                            } else {
                                None
                            };
                            match lo {
                                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                    i += 6;
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                        .unwrap_or('\u{fffd}')
                                }
                                _ => '\u{fffd}',
                            }
                        } else {
                            char::from_u32(hi).unwrap_or('\u{fffd}')
                        };
                        out.push(c);
                    }
                    _ => return None,
                }
                run_start = i;
            }
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

fn hex4(s: &str, at: usize) -> Option<u32> {
    let h = s.get(at..at + 4)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(h, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_stop_at_first_non_flag_word() {
        let s = "--a=1 --b='x y' -- rest";
        let (flags, rest) = extract_flags(s, 0, s.len());
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[0].word, "--a=1");
        assert_eq!(flags[1].word, "--b=x y");
        assert_eq!(&s[flags[1].start..flags[1].end], "--b='x y'");
        assert_eq!(&s[rest..], " rest");
    }

    #[test]
    fn words_keep_quotes() {
        let s = r#"a="b c" d\ e"#;
        let words = parse_words(s, 0, s.len(), '\\');
        let w: Vec<&str> = words.iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(w, vec![r#"a="b c""#, r"d\ e"]);
    }

    #[test]
    fn unquote_shell_rules() {
        assert_eq!(unquote(r#""a\"b" 'c\d' e\ f"#, '\\'), r#"a"b c\d e f"#);
    }

    #[test]
    fn heredoc_markers() {
        let m = heredoc_marker("<<EOF").unwrap();
        assert_eq!(
            (m.name.as_str(), m.quoted, m.strip_tabs),
            ("EOF", false, false)
        );
        let m = heredoc_marker("3<<-'E O'").unwrap();
        assert_eq!(
            (m.name.as_str(), m.quoted, m.strip_tabs, m.fd),
            ("E O", true, true, Some(3))
        );
        assert!(heredoc_marker("<<").is_none());
        assert!(heredoc_marker("a<<EOF").is_none());
        assert!(heredoc_marker("<<<EOF").is_none());
    }

    #[test]
    fn json_arrays() {
        let s = r#"["a", "\u00e9\n"]  "#;
        match parse_json_array(s, 0, s.len()) {
            Json::Strings(items) => {
                assert_eq!(items[0].0, "a");
                assert_eq!(items[1].0, "é\n");
                assert_eq!(&s[items[0].1..items[0].2], "a");
            }
            _ => panic!("expected strings"),
        }
        assert!(matches!(parse_json_array("[1]", 0, 3), Json::NotStrings));
        assert!(matches!(parse_json_array("['a']", 0, 5), Json::Invalid));
        assert!(matches!(parse_json_array("[\"a\",]", 0, 6), Json::Invalid));
        // As BuildKit's `json.Unmarshal`: text after the array makes it not JSON.
        assert!(matches!(parse_json_array("[\"a\"] x", 0, 7), Json::Invalid));
        assert!(matches!(parse_json_array("[] x", 0, 4), Json::Invalid));
        assert!(matches!(parse_json_array("[1] x", 0, 5), Json::Invalid));
    }
}
