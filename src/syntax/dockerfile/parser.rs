//! The Dockerfile parser (BuildKit's line-oriented algorithm, with byte spans and recovery).
//!
//! The file is read line by line as `moby/buildkit`'s `frontend/dockerfile/parser` does:
//! parser directives at the top, comment and empty lines skipped, continuation lines joined
//! into one logical line (comment and blank lines inside a continuation dropped), then the
//! logical line split into keyword, builder flags and arguments, and heredoc bodies read
//! after RUN/COPY/ADD lines. The logical line keeps a piece map back to the source so every
//! value carries a span into the original text. Errors are recorded and parsing resumes at
//! the next line; nothing here recurses over user input.

use std::collections::HashMap;

use super::ast::{
    BaseImage, BaseKind, Command, Comment, Copy, Directive, Dockerfile, Flag, From, Healthcheck,
    Heredoc, Instruction, KeyValue, Keyword, ParseError, ShellOrExec, ShellText, Stage, User,
};
use super::expansion::{Expanded, ExpansionBudget, OverBudget, substitute};
use super::lexer::{
    self, Json, Line, extract_flags, heredoc_marker, is_token_space, next_line, parse_json_array,
    parse_words, shell_words_raw, skip_space, split_token_space, unquote,
};
use crate::syntax::excerpt::excerpt;
use crate::syntax::image::ImageRef;
use crate::syntax::span::{Span, Spanned};

/// BuildKit reads lines with a `bufio.Scanner` whose buffer is 64 KiB.
const MAX_LINE: usize = 64 * 1024;

const BOM: &str = "\u{feff}";

/// Parse a Dockerfile. Never panics; problems end up in [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    let mut parser = Parser {
        text,
        escape: '\\',
        buffer: Logical::new(),
        out: Dockerfile {
            escape: '\\',
            ..Dockerfile::default()
        },
    };
    parser.run();
    build_stages(&mut parser.out, text.len());
    parser.out
}

/// The joined text of one instruction with the map back to the source.
struct Logical {
    text: String,
    /// `(logical_offset, source_offset)` at the start of every appended piece.
    pieces: Vec<(usize, usize)>,
}

impl Logical {
    fn new() -> Self {
        Logical {
            text: String::new(),
            pieces: Vec::new(),
        }
    }

    fn push(&mut self, source: &str, start: usize, end: usize) {
        let Some(piece) = source.get(start..end) else {
            return;
        };
        if piece.is_empty() {
            return;
        }
        // Merge with the previous piece when the source is contiguous.
        let contiguous = self
            .pieces
            .last()
            .is_some_and(|&(l, s)| s + (self.text.len() - l) == start);
        if !contiguous {
            self.pieces.push((self.text.len(), start));
        }
        self.text.push_str(piece);
    }

    /// Source offset of logical offset `offset` (one past the end maps past the last byte).
    fn src(&self, offset: usize) -> usize {
        let index = match self.pieces.binary_search_by_key(&offset, |&(l, _)| l) {
            Ok(i) => i,
            Err(0) => return self.pieces.first().map_or(offset, |&(_, s)| s),
            Err(i) => i - 1,
        };
        let (l, s) = self.pieces[index];
        s + (offset - l)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        if end > start {
            let s = self.src(start);
            let e = self.src(end - 1) + 1;
            Span::new(s, e.max(s))
        } else {
            // An empty range sits right after the previous byte.
            let at = if start > 0 {
                self.src(start - 1) + 1
            } else {
                self.src(0)
            };
            Span::empty(at)
        }
    }

    fn spanned(&self, start: usize, end: usize) -> Spanned<String> {
        Spanned::new(
            self.text.get(start..end).unwrap_or("").to_string(),
            self.span(start, end),
        )
    }

    fn shell_text(&self, start: usize, end: usize) -> ShellText {
        let span = self.span(start, end);
        let value = self.text.get(start..end).unwrap_or("").to_string();
        let mut pieces = Vec::new();
        let first = match self.pieces.binary_search_by_key(&start, |&(l, _)| l) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        for &(l, _) in self.pieces.iter().skip(first) {
            if l >= end {
                break;
            }
            let l = l.max(start);
            pieces.push((l - start, self.src(l)));
        }
        ShellText {
            span,
            value,
            pieces,
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    escape: char,
    out: Dockerfile,
    buffer: Logical,
}

/// Keyword, flags and argument range of one (possibly ONBUILD-nested) instruction.
struct Split {
    /// The keyword's range in the logical line.
    keyword: (usize, usize),
    keyword_span: Span,
    flags: Vec<Flag>,
    args: (usize, usize),
}

impl<'a> Parser<'a> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.out.errors.push(ParseError {
            span,
            message: message.into(),
        });
    }

    /// The physical line at `pos`, reporting lines over BuildKit's scanner limit (a 64 KiB
    /// buffer, line terminator included), which BuildKit rejects.
    fn line(&mut self, pos: usize) -> Option<Line> {
        let line = next_line(self.text, pos)?;
        if line.next - line.start > MAX_LINE {
            self.error(
                Span::new(line.start, line.end),
                format!(
                    "line of {} bytes is longer than BuildKit's limit of {} bytes",
                    line.end - line.start,
                    MAX_LINE - 1
                ),
            );
        }
        Some(line)
    }

    fn run(&mut self) {
        let text = self.text;
        let mut pos = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let mut directives_done = false;
        let mut seen_instruction = false;
        while let Some(line) = self.line(pos) {
            pos = line.next;
            let first = skip_space(text, line.start, line.end);
            if !directives_done {
                if self.directive(first, line.end) {
                    continue;
                }
                directives_done = true;
            }
            if text.as_bytes().get(first) == Some(&b'#') {
                self.comment(first, line.end);
                continue;
            }
            if first == line.end {
                continue;
            }
            seen_instruction = true;
            pos = self.instruction(first, line, pos);
        }
        if !seen_instruction {
            let end = text.len();
            self.error(Span::empty(end), "file with no instructions");
        }
    }

    fn comment(&mut self, hash: usize, end: usize) {
        self.out.comments.push(Comment {
            span: Span::new(hash, end),
            text: self.text.get(hash + 1..end).unwrap_or("").to_string(),
        });
    }

    /// Try `start..end` as a parser directive; `true` when it was one (valid or not).
    fn directive(&mut self, start: usize, end: usize) -> bool {
        let text = self.text;
        let Some(line) = text.get(start..end) else {
            return false;
        };
        let bytes = line.as_bytes();
        if bytes.first() != Some(&b'#') {
            return false;
        }
        let re_space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
        let mut i = 1;
        while bytes.get(i).is_some_and(|&b| re_space(b)) {
            i += 1;
        }
        let name_start = i;
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            return false;
        }
        while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
        }
        let name_end = i;
        while bytes.get(i).is_some_and(|&b| re_space(b)) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return false;
        }
        i += 1;
        while bytes.get(i).is_some_and(|&b| re_space(b)) {
            i += 1;
        }
        let value_start = i;
        let mut value_end = bytes.len();
        while value_end > value_start && re_space(bytes[value_end - 1]) {
            value_end -= 1;
        }
        if value_end == value_start {
            return false;
        }
        let name = line[name_start..name_end].to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            return false;
        }
        let value = line.get(value_start..value_end).unwrap_or("").to_string();
        let span = Span::new(start, end);
        let name_span = Span::new(start + name_start, start + name_end);
        let value_span = Span::new(start + value_start, start + value_end);
        if self.out.directives.iter().any(|d| d.name.value == name) {
            self.error(
                span,
                format!("only one `{name}` parser directive can be used"),
            );
            return true;
        }
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => self.error(
                    value_span,
                    format!(
                        "invalid escape token `{}`: it must be ` or \\",
                        excerpt(&value)
                    ),
                ),
            }
            self.out.escape = self.escape;
        }
        self.out.directives.push(Directive {
            span,
            name: Spanned::new(name, name_span),
            value: Spanned::new(value, value_span),
        });
        true
    }

    /// Where the content of `start..end` ends if its last non-blank char is a line
    /// continuation (BuildKit: the escape char not preceded by another escape char).
    fn continuation(&self, start: usize, end: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = end;
        while i > start && matches!(bytes.get(i - 1), Some(b' ' | b'\t')) {
            i -= 1;
        }
        if i == start || bytes.get(i - 1) != Some(&(self.escape as u8)) {
            return None;
        }
        let esc = i - 1;
        if esc == start || bytes.get(esc - 1) != Some(&(self.escape as u8)) {
            Some(esc)
        } else {
            None
        }
    }

    /// Parse one instruction whose first line starts at `first`; returns the position of
    /// the next unread line.
    fn instruction(&mut self, first: usize, line: Line, pos: usize) -> usize {
        // The logical-line buffers are reused from one instruction to the next.
        let mut logical = std::mem::replace(&mut self.buffer, Logical::new());
        logical.text.clear();
        logical.pieces.clear();
        let pos = self.instruction_in(&mut logical, first, line, pos);
        self.buffer = logical;
        pos
    }

    fn instruction_in(
        &mut self,
        logical: &mut Logical,
        first: usize,
        line: Line,
        mut pos: usize,
    ) -> usize {
        let text = self.text;
        let mut last_end = line.end;
        let mut more = match self.continuation(first, line.end) {
            Some(cut) => {
                logical.push(text, first, cut);
                true
            }
            None => {
                logical.push(text, first, line.end);
                false
            }
        };
        while more {
            let Some(next) = self.line(pos) else {
                break;
            };
            pos = next.next;
            let content_start = skip_space(text, next.start, next.end);
            if text.as_bytes().get(content_start) == Some(&b'#') {
                self.comment(content_start, next.end);
                continue;
            }
            if content_start == next.end {
                continue;
            }
            last_end = next.end;
            match self.continuation(next.start, next.end) {
                Some(cut) => logical.push(text, next.start, cut),
                None => {
                    logical.push(text, next.start, next.end);
                    more = false;
                }
            }
        }

        let Some(split) = self.split(logical, 0, logical.text.len()) else {
            // Only continuation chars: BuildKit makes an instruction with an empty name, which
            // its instruction layer rejects as unknown.
            self.error(
                Span::new(first, last_end),
                "line continuation without an instruction",
            );
            return pos;
        };
        let keyword_text = logical
            .text
            .get(split.keyword.0..split.keyword.1)
            .unwrap_or("");
        let Some(keyword) = Keyword::parse(keyword_text) else {
            let message = format!("unknown instruction `{}`", excerpt(keyword_text));
            self.error(split.keyword_span, message);
            return pos;
        };
        let (command, json) = self.command(keyword, &split, logical, true);

        // Heredocs: BuildKit looks for them on RUN/COPY/ADD (also behind ONBUILD) in shell form.
        let mut heredocs = Vec::new();
        let heredoc_keyword = match &command {
            Command::Onbuild(inner) => inner.keyword,
            _ => keyword,
        };
        let inner_json = match &command {
            Command::Onbuild(inner) => is_json(&inner.command),
            _ => json,
        };
        if matches!(heredoc_keyword, Keyword::Run | Keyword::Copy | Keyword::Add)
            && !inner_json
            && logical.text.contains("<<")
        {
            let (docs, after, end) = self.heredocs(logical, pos);
            heredocs = docs;
            pos = after;
            if let Some(end) = end {
                last_end = end;
            }
        }

        let mut command = command;
        if let Command::Onbuild(inner) = &mut command
            && !heredocs.is_empty()
        {
            // The trigger owns the heredocs it opened, so its span reaches the terminator.
            inner.heredocs = heredocs.clone();
            inner.span = Span::new(inner.span.start, last_end);
        }
        let args_span = logical.span(split.args.0, split.args.1);
        self.out.instructions.push(Instruction {
            span: Span::new(first, last_end),
            keyword,
            keyword_span: split.keyword_span,
            flags: split.flags,
            args_span,
            heredocs,
            command,
            stage: None,
        });
        pos
    }

    /// BuildKit's `splitCommand` on `start..end` of the logical line.
    fn split(&mut self, logical: &Logical, start: usize, end: usize) -> Option<Split> {
        let line = &logical.text;
        let lo = skip_space(line, start, end);
        let hi = lexer::trim_end(line, lo, end);
        if lo >= hi {
            return None;
        }
        let word = line.get(lo..hi)?;
        let kw_len = word.find(is_token_space).unwrap_or(word.len());
        let kw_end = lo + kw_len;

        let keyword_span = logical.span(lo, kw_end);
        let mut args_start = kw_end;
        while let Some(c) = line.get(args_start..hi).and_then(|s| s.chars().next()) {
            if !is_token_space(c) {
                break;
            }
            args_start += c.len_utf8();
        }
        let (raw_flags, rest) = extract_flags(line, args_start, hi);
        let mut flags = Vec::with_capacity(raw_flags.len());
        for raw in raw_flags {
            let flag = self.flag(logical, raw);
            flags.push(flag);
        }
        let rest = skip_space(line, rest, hi);
        Some(Split {
            keyword: (lo, kw_end),
            keyword_span,
            flags,
            args: (rest, hi),
        })
    }

    fn flag(&mut self, logical: &Logical, raw: lexer::RawFlag) -> Flag {
        let span = logical.span(raw.start, raw.end);
        let origin = |i: usize| raw.origins.get(i).copied().unwrap_or(raw.end);
        let body = raw.word.get(2..).unwrap_or("");
        let (name, value) = match body.find('=') {
            Some(eq) => {
                let eq = eq + 2;
                let name_span = logical.span(origin(2), origin(eq));
                let value_start = origin(eq) + 1;
                let value = raw.word.get(eq + 1..).unwrap_or("").to_string();
                let value_span = logical.span(value_start.min(raw.end), raw.end);
                (
                    Spanned::new(raw.word.get(2..eq).unwrap_or("").to_string(), name_span),
                    Some(Spanned::new(value, value_span)),
                )
            }
            None => (
                Spanned::new(body.to_string(), logical.span(origin(2), raw.end)),
                None,
            ),
        };
        if name.value.is_empty() {
            self.error(span, format!("flag `{}` has no name", excerpt(&raw.word)));
        }
        Flag { span, name, value }
    }

    /// Type the arguments of `keyword`. Returns the command and whether the JSON form was used.
    fn command(
        &mut self,
        keyword: Keyword,
        split: &Split,
        logical: &Logical,
        allow_onbuild: bool,
    ) -> (Command, bool) {
        let (a, b) = split.args;
        let line = &logical.text;
        let args_span = logical.span(a, b);
        let empty = a >= b;
        let kw = keyword.as_str();
        match keyword {
            Keyword::From => {
                let words = split_token_space(line, a, b);
                let n = words.len();
                if n != 1 && n != 3 {
                    self.error(
                        if empty { split.keyword_span } else { args_span },
                        "FROM requires either one or three arguments (`FROM image [AS name]`)",
                    );
                    if n == 0 {
                        return (Command::Invalid, false);
                    }
                }
                let image = logical.spanned(words[0].0, words[0].1);
                let mut alias = None;
                if n == 3 {
                    let as_word = logical.spanned(words[1].0, words[1].1);
                    if !as_word.value.eq_ignore_ascii_case("as") {
                        self.error(
                            as_word.span,
                            "when FROM has three arguments, the second must be `AS`",
                        );
                    }
                    let name = logical.spanned(words[2].0, words[2].1);
                    // Stage names are not validated here: BuildKit expands ARGs in them
                    // first, and a rule can judge the expanded name.
                    alias = Some(name);
                }
                (Command::From(From { image, alias }), false)
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint => {
                let (form, json) = self.shell_or_exec(logical, a, b, kw);
                let command = match keyword {
                    Keyword::Run => Command::Run(form),
                    Keyword::Cmd => Command::Cmd(form),
                    _ => Command::Entrypoint(form),
                };
                (command, json)
            }
            Keyword::Shell => {
                if empty {
                    self.error(split.keyword_span, "SHELL requires at least one argument");
                    return (Command::Shell(Vec::new()), false);
                }
                match parse_json_array(line, a, b) {
                    Json::Strings(items) => {
                        if items.is_empty() {
                            self.error(args_span, "SHELL requires at least one argument");
                        }
                        (Command::Shell(json_items(logical, items)), true)
                    }
                    Json::NotStrings => {
                        self.error(args_span, not_strings(kw));
                        (Command::Shell(Vec::new()), true)
                    }
                    Json::Invalid => {
                        self.error(
                            args_span,
                            "SHELL requires the arguments in JSON form, e.g. `SHELL [\"/bin/sh\", \"-c\"]`",
                        );
                        (Command::Shell(Vec::new()), false)
                    }
                }
            }
            Keyword::Copy | Keyword::Add => {
                let (mut list, json) = self.json_or_words(logical, a, b, kw);
                if list.len() < 2 {
                    self.error(
                        if empty { split.keyword_span } else { args_span },
                        format!(
                            "{kw} requires at least two arguments (sources and a destination), but {} given",
                            if list.is_empty() { "none was" } else { "only one was" }
                        ),
                    );
                }
                let destination = if list.len() >= 2 { list.pop() } else { None };
                let copy = Copy {
                    sources: list,
                    destination,
                    json,
                };
                let command = if keyword == Keyword::Copy {
                    Command::Copy(copy)
                } else {
                    Command::Add(copy)
                };
                (command, json)
            }
            Keyword::Env | Keyword::Label => {
                let pairs = self.name_values(logical, a, b, kw, split.keyword_span);
                if keyword == Keyword::Env {
                    (Command::Env(pairs), false)
                } else {
                    (Command::Label(pairs), false)
                }
            }
            Keyword::Arg => {
                let words = parse_words(line, a, b, self.escape);
                if words.is_empty() {
                    self.error(split.keyword_span, "ARG requires at least one argument");
                }
                let mut pairs = Vec::with_capacity(words.len());
                for (ws, we) in words {
                    let word = line.get(ws..we).unwrap_or("");
                    let span = logical.span(ws, we);
                    let (key, value) = match word.find('=') {
                        Some(eq) => {
                            let key = logical.spanned(ws, ws + eq);
                            let raw = word.get(eq + 1..).unwrap_or("");
                            let value = Spanned::new(
                                unquote(raw, self.escape),
                                logical.span(ws + eq + 1, we),
                            );
                            (key, Some(value))
                        }
                        None => (logical.spanned(ws, we), None),
                    };
                    if key.value.is_empty() {
                        self.error(span, "ARG names can not be blank");
                    }
                    pairs.push(KeyValue { span, key, value });
                }
                (Command::Arg(pairs), false)
            }
            Keyword::User => {
                if empty {
                    self.error(split.keyword_span, "USER requires exactly one argument");
                    return (Command::Invalid, false);
                }
                let all = line.get(a..b).unwrap_or("");
                let user = match all.find(':') {
                    Some(colon) => User {
                        user: logical.spanned(a, a + colon),
                        group: Some(logical.spanned(a + colon + 1, b)),
                    },
                    None => User {
                        user: logical.spanned(a, b),
                        group: None,
                    },
                };
                (Command::User(user), false)
            }
            Keyword::Workdir | Keyword::Stopsignal | Keyword::Maintainer => {
                if empty {
                    self.error(
                        split.keyword_span,
                        format!("{kw} requires exactly one argument"),
                    );
                    return (Command::Invalid, false);
                }
                let value = logical.spanned(a, b);
                let command = match keyword {
                    Keyword::Workdir => Command::Workdir(value),
                    Keyword::Stopsignal => Command::Stopsignal(value),
                    _ => Command::Maintainer(value),
                };
                (command, false)
            }
            Keyword::Expose => {
                let words: Vec<_> = split_token_space(line, a, b)
                    .into_iter()
                    .map(|(s, e)| logical.spanned(s, e))
                    .collect();
                if words.is_empty() {
                    self.error(split.keyword_span, "EXPOSE requires at least one argument");
                }
                (Command::Expose(words), false)
            }
            Keyword::Volume => {
                let (list, json) = self.json_or_words(logical, a, b, kw);
                if list.is_empty() {
                    self.error(
                        if empty { split.keyword_span } else { args_span },
                        "VOLUME requires at least one argument",
                    );
                }
                for item in &list {
                    if item.value.trim().is_empty() {
                        self.error(item.span, "VOLUME specified can not be an empty string");
                    }
                }
                (Command::Volume(list), json)
            }
            Keyword::Healthcheck => self.healthcheck(split, logical),
            Keyword::Onbuild => {
                if !allow_onbuild {
                    return (Command::Invalid, false);
                }
                self.onbuild(split, logical)
            }
        }
    }

    fn shell_or_exec(
        &mut self,
        logical: &Logical,
        a: usize,
        b: usize,
        kw: &str,
    ) -> (ShellOrExec, bool) {
        if a < b && logical.text.as_bytes().get(a) == Some(&b'[') {
            match parse_json_array(&logical.text, a, b) {
                Json::Strings(items) => {
                    return (ShellOrExec::Exec(json_items(logical, items)), true);
                }
                Json::NotStrings => {
                    self.error(logical.span(a, b), not_strings(kw));
                    return (ShellOrExec::Exec(Vec::new()), true);
                }
                Json::Invalid => {}
            }
        }
        (ShellOrExec::Shell(logical.shell_text(a, b)), false)
    }

    /// BuildKit's `parseMaybeJSONToList`.
    fn json_or_words(
        &mut self,
        logical: &Logical,
        a: usize,
        b: usize,
        kw: &str,
    ) -> (Vec<Spanned<String>>, bool) {
        if a < b && logical.text.as_bytes().get(a) == Some(&b'[') {
            match parse_json_array(&logical.text, a, b) {
                Json::Strings(items) => return (json_items(logical, items), true),
                Json::NotStrings => {
                    self.error(logical.span(a, b), not_strings(kw));
                    return (Vec::new(), true);
                }
                Json::Invalid => {}
            }
        }
        let words = split_token_space(&logical.text, a, b)
            .into_iter()
            .map(|(s, e)| logical.spanned(s, e))
            .collect();
        (words, false)
    }

    /// BuildKit's `parseNameVal` for ENV and LABEL (both `k=v …` and legacy `k v`).
    fn name_values(
        &mut self,
        logical: &Logical,
        a: usize,
        b: usize,
        kw: &str,
        keyword_span: Span,
    ) -> Vec<KeyValue> {
        let line = &logical.text;
        let words = parse_words(line, a, b, self.escape);
        let mut pairs = Vec::new();
        let Some(first) = words.first() else {
            self.error(keyword_span, format!("{kw} requires at least one argument"));
            return pairs;
        };
        if !line.get(first.0..first.1).unwrap_or("").contains('=') {
            // Legacy form: the key, whitespace, then everything else is the value.
            let rest = line.get(a..b).unwrap_or("");
            let Some(sep) = rest.find(is_token_space) else {
                self.error(
                    logical.span(a, b),
                    format!(
                        "{kw} `{rest}` has no value: use `{kw} {rest}=value`",
                        rest = excerpt(rest)
                    ),
                );
                return pairs;
            };
            let mut value_start = a + sep;
            while let Some(c) = line.get(value_start..b).and_then(|s| s.chars().next()) {
                if !is_token_space(c) {
                    break;
                }
                value_start += c.len_utf8();
            }
            let raw = line.get(value_start..b).unwrap_or("");
            pairs.push(KeyValue {
                span: logical.span(a, b),
                key: logical.spanned(a, a + sep),
                value: Some(Spanned::new(
                    unquote(raw, self.escape),
                    logical.span(value_start, b),
                )),
            });
            return pairs;
        }
        for (ws, we) in words {
            let word = line.get(ws..we).unwrap_or("");
            let span = logical.span(ws, we);
            let Some(eq) = word.find('=') else {
                self.error(
                    span,
                    format!(
                        "can't find `=` in `{}`: {kw} arguments must be of the form name=value",
                        excerpt(word)
                    ),
                );
                continue;
            };
            let key = logical.spanned(ws, ws + eq);
            if key.value.is_empty() {
                self.error(span, format!("{kw} names can not be blank"));
            }
            let raw = word.get(eq + 1..).unwrap_or("");
            let value = Spanned::new(unquote(raw, self.escape), logical.span(ws + eq + 1, we));
            pairs.push(KeyValue {
                span,
                key,
                value: Some(value),
            });
        }
        pairs
    }

    fn healthcheck(&mut self, split: &Split, logical: &Logical) -> (Command, bool) {
        let (a, b) = split.args;
        let line = &logical.text;
        if a >= b {
            self.error(
                split.keyword_span,
                "HEALTHCHECK requires an argument (`NONE` or `CMD …`)",
            );
            return (Command::Invalid, false);
        }
        let rest = line.get(a..b).unwrap_or("");
        let sep = a + rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let next = skip_space(line, sep, b);
        let typ = line.get(a..sep).unwrap_or("");
        let typ_span = logical.span(a, sep);
        if typ.eq_ignore_ascii_case("NONE") {
            if next < b {
                self.error(logical.span(next, b), "HEALTHCHECK NONE takes no arguments");
            }
            return (Command::Healthcheck(Healthcheck::None), false);
        }
        if !typ.eq_ignore_ascii_case("CMD") {
            self.error(
                typ_span,
                format!(
                    "unknown HEALTHCHECK type `{}` (use `CMD` or `NONE`)",
                    excerpt(typ)
                ),
            );
        }
        let (command, json) = self.shell_or_exec(logical, next, b, "HEALTHCHECK");
        let missing = match &command {
            ShellOrExec::Exec(items) => items.is_empty(),
            ShellOrExec::Shell(text) => text.value.is_empty(),
        };
        if missing && typ.eq_ignore_ascii_case("CMD") {
            self.error(typ_span, "missing command after HEALTHCHECK CMD");
        }
        (
            Command::Healthcheck(Healthcheck::Cmd {
                cmd_span: typ_span,
                command,
            }),
            json,
        )
    }

    fn onbuild(&mut self, split: &Split, logical: &Logical) -> (Command, bool) {
        let (a, b) = split.args;
        let Some(inner) = self.split(logical, a, b) else {
            self.error(split.keyword_span, "ONBUILD requires at least one argument");
            return (Command::Invalid, false);
        };
        let keyword_text = logical
            .text
            .get(inner.keyword.0..inner.keyword.1)
            .unwrap_or("");
        let Some(keyword) = Keyword::parse(keyword_text) else {
            let message = format!("unknown instruction `{}`", excerpt(keyword_text));
            self.error(inner.keyword_span, message);
            return (Command::Invalid, false);
        };
        let (command, json) = match keyword {
            Keyword::Onbuild => {
                self.error(
                    inner.keyword_span,
                    "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                );
                (Command::Invalid, false)
            }
            Keyword::From | Keyword::Maintainer => {
                self.error(
                    inner.keyword_span,
                    format!("{} isn't allowed as an ONBUILD trigger", keyword.as_str()),
                );
                self.command(keyword, &inner, logical, false)
            }
            _ => self.command(keyword, &inner, logical, false),
        };
        let end = logical.span(a, b).end;
        let instruction = Instruction {
            span: Span::new(inner.keyword_span.start, end),
            keyword,
            keyword_span: inner.keyword_span,
            flags: inner.flags,
            args_span: logical.span(inner.args.0, inner.args.1),
            heredocs: Vec::new(),
            command,
            stage: None,
        };
        (Command::Onbuild(Box::new(instruction)), json)
    }

    /// Find heredoc markers on the logical line and read their bodies from `pos` on.
    /// Returns the heredocs, the next unread position and the end of the last line read.
    fn heredocs(
        &mut self,
        logical: &Logical,
        mut pos: usize,
    ) -> (Vec<Heredoc>, usize, Option<usize>) {
        let text = self.text;
        let line = &logical.text;
        let mut docs = Vec::new();
        let mut last_end = None;
        let Some(words) = shell_words_raw(line, 0, line.len()) else {
            return (docs, pos, last_end);
        };
        for (ws, we) in words {
            let Some(word) = line.get(ws..we) else {
                continue;
            };
            if !word.contains("<<") {
                continue;
            }
            let Some(marker) = heredoc_marker(word) else {
                continue;
            };
            let marker_span = logical.span(ws, we);
            let body_start = pos;
            let mut body = String::new();
            let mut terminator = None;
            while let Some(l) = self.line(pos) {
                pos = l.next;
                let content = text.get(l.start..l.end).unwrap_or("");
                let candidate = if marker.strip_tabs {
                    content.trim_start_matches('\t')
                } else {
                    content
                };
                if candidate == marker.name {
                    terminator = Some(l);
                    break;
                }
                let raw = text.get(l.start..l.next).unwrap_or("");
                body.push_str(if marker.strip_tabs {
                    raw.trim_start_matches('\t')
                } else {
                    raw
                });
                last_end = Some(l.end);
            }
            let (body_end, terminator_span) = match terminator {
                Some(l) => {
                    last_end = Some(l.end);
                    (l.start, Span::new(l.start, l.end))
                }
                None => {
                    self.error(
                        marker_span,
                        format!(
                            "unterminated heredoc: no line `{}` before the end of the file",
                            excerpt(&marker.name)
                        ),
                    );
                    (text.len(), Span::empty(text.len()))
                }
            };
            docs.push(Heredoc {
                marker_span,
                name: marker.name,
                body: Spanned::new(body, Span::new(body_start.min(body_end), body_end)),
                terminator_span,
                strip_tabs: marker.strip_tabs,
                quoted: marker.quoted,
                fd: marker.fd,
            });
        }
        (docs, pos, last_end)
    }
}

fn is_json(command: &Command) -> bool {
    match command {
        Command::Run(f) | Command::Cmd(f) | Command::Entrypoint(f) => {
            matches!(f, ShellOrExec::Exec(_))
        }
        Command::Copy(c) | Command::Add(c) => c.json,
        _ => false,
    }
}

fn json_items(logical: &Logical, items: Vec<(String, usize, usize)>) -> Vec<Spanned<String>> {
    items
        .into_iter()
        .map(|(value, s, e)| Spanned::new(value, logical.span(s, e)))
        .collect()
}

fn not_strings(kw: &str) -> String {
    format!("{kw}: when using JSON array syntax, arrays must be comprised of strings only")
}

/// Assign stages, resolve FROM bases against global ARGs, and report instructions before
/// the first FROM.
fn build_stages(df: &mut Dockerfile, text_len: usize) {
    let mut globals: HashMap<String, Option<String>> = HashMap::new();
    let mut budget = ExpansionBudget::for_text(text_len);
    // The first stage of each name, lower-cased: a lookup per FROM stays constant-time, so a file
    // with thousands of stages is not quadratic.
    let mut stage_names: HashMap<String, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    let mut errors = Vec::new();
    // Expansions past their budget, kept apart from `errors` (which decide the no-FROM error).
    let mut too_large = Vec::new();
    let count = df.instructions.len();
    for index in 0..count {
        let Some(instruction) = df.instructions.get_mut(index) else {
            break;
        };
        if instruction.keyword == Keyword::From {
            let stage_index = df.stages.len();
            if let Some(prev) = current.and_then(|i| df.stages.get_mut(i)) {
                prev.instructions.end = index;
            }
            let (raw, name) = match &instruction.command {
                Command::From(from) => (from.image.clone(), from.alias.clone()),
                _ => (
                    Spanned::new(String::new(), Span::empty(instruction.args_span.start)),
                    None,
                ),
            };
            let resolved = match substitute(&raw.value, &globals, &mut budget) {
                Expanded::TooLarge(over) => {
                    let error = ParseError {
                        span: raw.span,
                        message: format!(
                            "FROM `{}` {}; plimsoll treats the image as unknown",
                            excerpt(&raw.value),
                            over.describe()
                        ),
                    };
                    too_large.push((error, over));
                    None
                }
                expanded => expanded.known(),
            };
            let kind = match &resolved {
                None => BaseKind::Unresolved,
                Some(r) => {
                    let earlier = stage_names.get(&r.to_ascii_lowercase()).copied();
                    match earlier {
                        Some(i) => BaseKind::Stage { index: i },
                        None if r.eq_ignore_ascii_case("scratch") => BaseKind::Scratch,
                        None => ImageRef::parse(r).map_or(BaseKind::Unresolved, BaseKind::Image),
                    }
                }
            };
            if let Some(name) = &name {
                stage_names
                    .entry(name.value.to_ascii_lowercase())
                    .or_insert(stage_index);
            }
            df.stages.push(Stage {
                index: stage_index,
                from: index,
                instructions: index..count,
                name,
                base: BaseImage {
                    raw,
                    resolved,
                    kind,
                },
            });
            current = Some(stage_index);
            instruction.stage = current;
        } else if current.is_none() {
            if let Command::Arg(pairs) = &instruction.command {
                for pair in pairs {
                    let value = match pair.value.as_ref() {
                        None => None,
                        Some(v) => match substitute(&v.value, &globals, &mut budget) {
                            Expanded::TooLarge(over) => {
                                let error = ParseError {
                                    span: v.span,
                                    message: format!(
                                        "ARG `{}` {}; plimsoll treats its value as unknown",
                                        excerpt(&pair.key.value),
                                        over.describe()
                                    ),
                                };
                                too_large.push((error, over));
                                None
                            }
                            expanded => expanded.known(),
                        },
                    };
                    globals.insert(pair.key.value.clone(), value);
                }
            } else {
                errors.push(ParseError {
                    span: instruction.keyword_span,
                    message: format!(
                        "`{}` before the first FROM: only ARG may come before FROM",
                        instruction.keyword.as_str()
                    ),
                });
            }
        } else {
            instruction.stage = current;
        }
        if let Command::Onbuild(inner) = &mut instruction.command {
            inner.stage = instruction.stage;
        }
    }
    if df.stages.is_empty() && count > 0 && errors.is_empty() {
        errors.push(ParseError {
            span: Span::empty(df.instructions.last().map_or(0, |i| i.span.end)),
            message: "no FROM instruction: the Dockerfile has no build stage".to_string(),
        });
    }
    df.errors.extend(errors);
    // Every value past its own bound is reported; the file's budget only where it ran out (each
    // later expansion fails the same way, and saying so thousands of times helps nobody).
    let mut file_budget_reported = false;
    df.errors
        .extend(too_large.into_iter().filter_map(|(error, over)| {
            if over == OverBudget::File {
                if file_budget_reported {
                    return None;
                }
                file_budget_reported = true;
            }
            Some(error)
        }));
    df.errors.sort_by_key(|e| e.span.start);
}
