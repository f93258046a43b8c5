//! Short excerpts of user text for messages: a value quoted in a finding or an error is cut to a
//! few dozen characters, and every finding message (help, labels and fix titles too) has a
//! last-resort length cap.

use std::borrow::Cow;

/// The most characters of a user value a message quotes.
pub const EXCERPT_CHARS: usize = 80;

/// The most characters of a config or policy file's own text (or a rule selector) quoted in one
/// message.
pub const FILE_TEXT_CHARS: usize = 60;

/// The most characters of a finding message (a message that quotes values through [`excerpt`]
/// stays far below it).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// `value` as it may be quoted in a message: itself when at most [`EXCERPT_CHARS`] characters,
/// else its first [`EXCERPT_CHARS`] characters and `…`.
pub fn excerpt(value: &str) -> Cow<'_, str> {
    truncate(value, EXCERPT_CHARS)
}

/// The first line of `text`, cut to `chars` characters; `…` marks anything left out (a cut,
/// or further lines).
pub fn first_line(text: &str, chars: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    let mut shown = truncate(line, chars).into_owned();
    if line.len() < text.len() && !shown.ends_with('…') {
        shown.push('…');
    }
    shown
}

/// `message` cut to [`MAX_MESSAGE_CHARS`] characters (and `…`) when longer.
pub fn cap_message(message: String) -> String {
    match truncate(&message, MAX_MESSAGE_CHARS) {
        Cow::Borrowed(_) => message,
        Cow::Owned(cut) => cut,
    }
}

fn truncate(text: &str, chars: usize) -> Cow<'_, str> {
    // No more bytes than `chars`: no more characters either (every message is capped).
    if text.len() <= chars {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(chars) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// `text` on one line with no control characters: messages quote user text (an unknown
/// instruction, a file name), and raw escape sequences must not reach the terminal.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\r' | '\n' | '\t' => out.push(' '),
            ch if ch.is_control() => out.extend(ch.escape_default()),
            ch => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_kept() {
        assert_eq!(excerpt("alpine:3.20"), "alpine:3.20");
        let exact = "é".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&exact), exact);
    }

    #[test]
    fn long_values_are_cut_on_a_char_boundary() {
        let long = "日".repeat(EXCERPT_CHARS + 1);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with("日…"));
        let message = cap_message("x".repeat(5 * MAX_MESSAGE_CHARS));
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(message.ends_with('…'));
        assert_eq!(cap_message("short".to_string()), "short");
        assert_eq!(first_line("key: value\nmore", 60), "key: value…");
        assert_eq!(
            first_line(&"k".repeat(70), 60),
            format!("{}…", "k".repeat(60))
        );
        assert_eq!(first_line("short", 60), "short");
    }

    #[test]
    fn every_finding_message_is_capped_where_findings_are_made() {
        use crate::syntax::span::Span;
        let long = "x".repeat(50_000);
        let mut finding = crate::linter::rules::PARSE_ERROR.finding(Span::empty(0), long.clone());
        finding
            .with_help(long.clone())
            .with_label(Span::empty(0), long.clone())
            .with_fix(crate::linter::diagnostic::Fix {
                message: long,
                applicability: crate::linter::diagnostic::Applicability::Safe,
                edits: Vec::new(),
            });
        let fix = finding.fix.as_ref().unwrap();
        for message in [
            &finding.message,
            finding.help.as_ref().unwrap(),
            &finding.labels[0].message,
            &fix.message,
        ] {
            assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
        }
    }
}
