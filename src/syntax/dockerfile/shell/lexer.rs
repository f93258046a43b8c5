//! The iterative shell scanner: splits a script into simple commands and words with byte
//! offsets, tracking just enough structure (quotes, substitutions, heredocs, reserved words,
//! case patterns, `[[ ]]`) to know which word is a command name.
//!
//! It never recurses: nested constructs are skipped with an explicit context stack, and the
//! bodies of `$(...)` and backticks are returned as ranges for the caller to scan in turn.
//! It works on bytes and only cuts at ASCII bytes, so every offset it returns is a char
//! boundary of the input.

/// A word as a byte range of the scanned text.
pub(crate) type Range = (usize, usize);

#[derive(Debug, Default)]
pub(crate) struct RawRedirect {
    pub start: usize,
    pub end: usize,
    pub fd: Option<u32>,
    pub op: &'static str,
    pub target: Option<Range>,
}

#[derive(Debug, Default)]
pub(crate) struct RawCommand {
    pub assignments: Vec<Range>,
    pub name: Option<Range>,
    pub args: Vec<Range>,
    pub redirects: Vec<RawRedirect>,
    pub start: usize,
    pub end: usize,
    pub pipe_index: usize,
    pub pipe_len: usize,
}

impl RawCommand {
    fn is_empty(&self) -> bool {
        self.assignments.is_empty()
            && self.name.is_none()
            && self.args.is_empty()
            && self.redirects.is_empty()
    }

    fn touch(&mut self, start: usize, end: usize) {
        if self.is_empty() {
            self.start = start;
        }
        self.end = self.end.max(end);
    }
}

#[derive(Debug)]
pub(crate) struct LexError {
    pub start: usize,
    pub end: usize,
    pub message: &'static str,
}

/// The result of scanning one range.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub commands: Vec<RawCommand>,
    /// Bodies of `$(...)`, backticks and `<(...)` found in words, to be scanned next.
    pub substitutions: Vec<Range>,
    /// The first lexical error (unterminated quote or substitution).
    pub error: Option<LexError>,
    /// Heredoc delimiters opened but whose body was not in the text (`RUN <<EOF` keeps the
    /// body apart).
    pub open_heredocs: Vec<String>,
    /// The deepest nesting of compound commands seen.
    pub max_depth: usize,
    /// Where the innermost compound command still open at the end starts (`(`, `{`, `if`,
    /// `while`, `for`, `case`, `[[` without its closing word).
    pub unclosed: Option<usize>,
}

/// Nesting contexts of the skipper.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// `$(`, `(` or `<(`: shell code until the matching `)`.
    Paren,
    /// `${`: until `}`.
    Brace,
    /// `"`: until `"`.
    Double,
    /// `` ` ``: until the next unescaped backtick.
    Backtick,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

/// Skips the construct opening at `i` (`$(`, `$((`, `${`, `"`, `` ` ``, `(`, `<(`), returning
/// the offset just after its end, or `Err(len)` when it is not terminated. The bodies of
/// first-level command substitutions inside it are appended to `subs` (absolute via `base`).
fn skip_construct(b: &[u8], i: usize, base: usize, subs: &mut Vec<Range>) -> Result<usize, usize> {
    let len = b.len();
    // (context, body start, is a command substitution)
    let mut stack: Vec<(Ctx, usize, bool)> = Vec::new();
    let opener = |j: usize| -> Option<(Ctx, usize, bool)> {
        match (b.get(j), b.get(j + 1), b.get(j + 2)) {
            (Some(b'$'), Some(b'('), Some(b'(')) => Some((Ctx::Paren, j + 2, false)),
            (Some(b'$' | b'<' | b'>'), Some(b'('), _) => Some((Ctx::Paren, j + 2, true)),
            (Some(b'$'), Some(b'{'), _) => Some((Ctx::Brace, j + 2, false)),
            (Some(b'"'), _, _) => Some((Ctx::Double, j + 1, false)),
            (Some(b'`'), _, _) => Some((Ctx::Backtick, j + 1, true)),
            (Some(b'('), _, _) => Some((Ctx::Paren, j + 1, false)),
            _ => None,
        }
    };
    let Some(first) = opener(i) else {
        return Ok((i + 1).min(len));
    };
    stack.push(first);
    let mut j = first.1;
    // Closes the top context whose closing byte is at `end`.
    let close = |stack: &mut Vec<(Ctx, usize, bool)>, end: usize, subs: &mut Vec<Range>| {
        if let Some((_, body_start, is_sub)) = stack.pop()
            && is_sub
            && !stack.iter().any(|entry| entry.2)
        {
            subs.push((base + body_start, base + end));
        }
    };
    while j < len {
        let Some(&(top, _, _)) = stack.last() else {
            break;
        };
        let c = b[j];
        match top {
            Ctx::Double => match c {
                b'\\' => j += 2,
                b'"' => {
                    stack.pop();
                    j += 1;
                }
                b'$' | b'`' => match opener(j) {
                    Some(entry) if c == b'`' || matches!(entry.0, Ctx::Paren | Ctx::Brace) => {
                        stack.push(entry);
                        j = entry.1;
                    }
                    _ => j += 1,
                },
                _ => j += 1,
            },
            Ctx::Backtick => match c {
                b'\\' => j += 2,
                b'`' => {
                    close(&mut stack, j, subs);
                    j += 1;
                }
                _ => j += 1,
            },
            Ctx::Paren | Ctx::Brace => match c {
                b'\\' => j += 2,
                b'\'' => {
                    j += 1;
                    while j < len && b[j] != b'\'' {
                        j += 1;
                    }
                    j += 1;
                }
                b'"' | b'`' | b'$' => match opener(j) {
                    Some(entry) => {
                        stack.push(entry);
                        j = entry.1;
                    }
                    None => j += 1,
                },
                b'(' if top == Ctx::Paren => {
                    stack.push((Ctx::Paren, j + 1, false));
                    j += 1;
                }
                b')' if top == Ctx::Paren => {
                    close(&mut stack, j, subs);
                    j += 1;
                }
                b'}' if top == Ctx::Brace => {
                    stack.pop();
                    j += 1;
                }
                _ => j += 1,
            },
        }
        if stack.is_empty() {
            return Ok(j.min(len));
        }
    }
    // Unterminated: still hand the outermost substitution body to the caller so the
    // commands in it are seen.
    if let Some(&(_, body_start, _)) = stack.iter().find(|entry| entry.2)
        && body_start <= len
    {
        subs.push((base + body_start, base + len));
    }
    Err(len)
}

fn skip_single_quote(b: &[u8], i: usize) -> Result<usize, usize> {
    // `i` is at the opening quote.
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\'' {
            return Ok(j + 1);
        }
        j += 1;
    }
    Err(b.len())
}

fn skip_ansi_c(b: &[u8], i: usize) -> Result<usize, usize> {
    // `i` is at `$`, `i + 1` at `'`.
    let mut j = i + 2;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\'' => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err(b.len())
}

/// A construct that changes how `)`, `|` and words are read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Frame {
    Paren,
    /// `case WORD in`: before `in`.
    CaseHeader,
    /// Reading patterns up to `)`.
    CasePattern,
    /// Reading the commands of a case item.
    CaseBody,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Pipe,
    /// `;`, `&`, `&&`, `||`, newline, `)`: ends the pipeline.
    End,
}

pub(crate) struct Scanner<'a> {
    b: &'a [u8],
    base: usize,
    scan: Scan,
    current: RawCommand,
    pipe_members: usize,
    pipe_cmds: Vec<usize>,
    frames: Vec<Frame>,
    /// Offsets of the open compound commands.
    openers: Vec<usize>,
    /// Skip words until the next separator (`for x in a b c`).
    skip_until_sep: bool,
    /// Skip the next word (the name after `function`).
    skip_next_word: bool,
    /// Inside `[[ ... ]]`.
    in_test: bool,
    heredocs: Vec<(String, bool)>,
    /// Just after `)`, `}`, `fi`, `done` or `esac`: redirections belong to the compound.
    after_close: bool,
    /// Nothing since the last control operator, `(` or newline (`a && && b` is an error).
    empty: bool,
    /// The last `&&`, `||` or `|` still waits for its command (a newline may come first).
    needs_command: Option<(usize, &'static str)>,
    /// Scanning the body of a backtick substitution, where `` \` `` delimits a nested one.
    in_backtick: bool,
}

impl<'a> Scanner<'a> {
    /// Scans `text`; offsets are reported as `base + offset`.
    pub(crate) fn run(text: &'a str, base: usize, in_backtick: bool) -> Scan {
        let mut scanner = Scanner {
            b: text.as_bytes(),
            base,
            scan: Scan::default(),
            current: RawCommand::default(),
            pipe_members: 0,
            pipe_cmds: Vec::new(),
            frames: Vec::new(),
            openers: Vec::new(),
            skip_until_sep: false,
            skip_next_word: false,
            in_test: false,
            heredocs: Vec::new(),
            after_close: false,
            empty: true,
            needs_command: None,
            in_backtick,
        };
        scanner.scan_all();
        if let Some((at, op)) = scanner.needs_command {
            scanner.error(at, at + op.len(), operator_message(op, true));
        }
        scanner.finish(Sep::End);
        scanner.scan.unclosed = scanner.openers.last().copied();
        scanner.scan.open_heredocs = scanner.heredocs.into_iter().map(|(d, _)| d).collect();
        scanner.scan
    }

    fn error(&mut self, start: usize, end: usize, message: &'static str) {
        if self.scan.error.is_none() {
            self.scan.error = Some(LexError {
                start: self.base + start,
                end: self.base + end,
                message,
            });
        }
    }

    fn command_position(&self) -> bool {
        self.current.name.is_none()
    }

    /// A control operator at `i`: a command must come before it.
    fn control(&mut self, i: usize, op: &'static str) {
        if self.empty {
            self.error(i, i + op.len(), operator_message(op, false));
        }
        self.empty = true;
        self.needs_command = matches!(op, "&&" | "||" | "|" | "|&").then_some((i, op));
    }

    /// Something that counts as (part of) a command.
    fn content(&mut self) {
        self.empty = false;
        self.needs_command = None;
    }

    fn push_depth(&mut self, at: usize) {
        self.openers.push(self.base + at);
        self.scan.max_depth = self.scan.max_depth.max(self.openers.len());
    }

    fn pop_depth(&mut self) {
        self.openers.pop();
    }

    /// Ends the current simple command.
    fn finish(&mut self, sep: Sep) {
        self.after_close = false;
        let command = std::mem::take(&mut self.current);
        if !command.is_empty() {
            let index = self.scan.commands.len();
            let mut command = command;
            command.pipe_index = self.pipe_members;
            self.scan.commands.push(command);
            self.pipe_cmds.push(index);
            self.pipe_members += 1;
        } else if sep == Sep::Pipe {
            // A compound command (`done | sort`) is a pipeline member too.
            self.pipe_members += 1;
        }
        if sep == Sep::End {
            for &index in &self.pipe_cmds {
                if let Some(command) = self.scan.commands.get_mut(index) {
                    command.pipe_len = self.pipe_members;
                }
            }
            self.pipe_cmds.clear();
            self.pipe_members = 0;
            self.skip_until_sep = false;
        }
    }

    fn top_frame(&self) -> Option<Frame> {
        self.frames.last().copied()
    }

    fn scan_all(&mut self) {
        let b = self.b;
        let len = b.len();
        let mut i = 0;
        while i < len {
            let c = b[i];
            if is_blank(c) {
                i += 1;
                continue;
            }
            if c == b'\\' && b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            let next = b.get(i + 1).copied();
            match c {
                b'\n' => {
                    if self.needs_command.is_none() {
                        self.empty = true;
                    }
                    self.finish(Sep::End);
                    i += 1;
                    if !self.heredocs.is_empty() {
                        i = self.skip_heredoc_bodies(i);
                    }
                }
                b'#' => {
                    while i < len && b[i] != b'\n' {
                        i += 1;
                    }
                }
                b';' => {
                    if next == Some(b';') || next == Some(b'&') {
                        // `;;`, `;&`, `;;&`: end of a case item.
                        self.finish(Sep::End);
                        if self.top_frame() == Some(Frame::CaseBody)
                            && let Some(frame) = self.frames.last_mut()
                        {
                            *frame = Frame::CasePattern;
                        }
                        i += 2;
                        if b.get(i) == Some(&b'&') {
                            i += 1;
                        }
                    } else {
                        self.control(i, ";");
                        self.finish(Sep::End);
                        i += 1;
                    }
                }
                b'&' if next == Some(b'>') => {
                    let op = if b.get(i + 2) == Some(&b'>') {
                        "&>>"
                    } else {
                        "&>"
                    };
                    i = self.redirect(i, op, None);
                }
                b'&' => {
                    if !self.in_test {
                        self.control(i, if next == Some(b'&') { "&&" } else { "&" });
                        self.finish(Sep::End);
                    }
                    i += if next == Some(b'&') { 2 } else { 1 };
                }
                b'|' => {
                    if self.in_test || self.top_frame() == Some(Frame::CasePattern) {
                        i += 1;
                    } else if next == Some(b'|') {
                        self.control(i, "||");
                        self.finish(Sep::End);
                        i += 2;
                    } else {
                        self.control(i, if next == Some(b'&') { "|&" } else { "|" });
                        self.finish(Sep::Pipe);
                        i += if next == Some(b'&') { 2 } else { 1 };
                    }
                }
                b'<' | b'>' if next == Some(b'(') => {
                    // Process substitution: a word whose body is a command list.
                    i = self.word(i);
                }
                b'<' | b'>' => {
                    if self.in_test {
                        i += 1;
                        continue;
                    }
                    let rest = &b[i..];
                    let op = if rest.starts_with(b"<<<") {
                        "<<<"
                    } else if rest.starts_with(b"<<-") {
                        "<<-"
                    } else if rest.starts_with(b"<<") {
                        "<<"
                    } else if rest.starts_with(b"<>") {
                        "<>"
                    } else if rest.starts_with(b"<&") {
                        "<&"
                    } else if rest.starts_with(b">>") {
                        ">>"
                    } else if rest.starts_with(b">&") {
                        ">&"
                    } else if rest.starts_with(b">|") {
                        ">|"
                    } else if c == b'<' {
                        "<"
                    } else {
                        ">"
                    };
                    i = self.redirect(i, op, None);
                }
                b'(' => i = self.open_paren(i),
                b')' => {
                    if !self.in_test {
                        self.content();
                        self.finish(Sep::End);
                        match self.top_frame() {
                            Some(Frame::CasePattern) => {
                                if let Some(frame) = self.frames.last_mut() {
                                    *frame = Frame::CaseBody;
                                }
                            }
                            Some(Frame::Paren) => {
                                self.frames.pop();
                                self.pop_depth();
                            }
                            _ => {}
                        }
                        self.after_close = true;
                    }
                    i += 1;
                }
                _ => i = self.word(i),
            }
        }
    }

    fn open_paren(&mut self, i: usize) -> usize {
        let b = self.b;
        if self.in_test || self.top_frame() == Some(Frame::CasePattern) {
            return i + 1;
        }
        // `name ( )`: a function definition; the name is not a command.
        if self.current.name.is_some() && self.current.args.is_empty() {
            let mut j = i + 1;
            while j < b.len() && is_blank(b[j]) {
                j += 1;
            }
            if b.get(j) == Some(&b')') {
                self.current = RawCommand::default();
                return j + 1;
            }
        }
        if self.current.is_empty() && b.get(i + 1) == Some(&b'(') {
            // `(( arithmetic ))`: nothing to analyse.
            self.content();
            let mut ignored = Vec::new();
            return match skip_construct(b, i, self.base, &mut ignored) {
                Ok(end) => end,
                Err(end) => {
                    self.error(i, end, "unterminated arithmetic command `((`");
                    end
                }
            };
        }
        self.finish(Sep::End);
        self.needs_command = None;
        self.empty = true;
        self.frames.push(Frame::Paren);
        self.push_depth(i);
        i + 1
    }

    /// Reads a redirection operator at `i` and its target word.
    fn redirect(&mut self, i: usize, op: &'static str, fd: Option<(u32, usize)>) -> usize {
        self.content();
        let b = self.b;
        let mut j = i + op.len();
        while j < b.len() && is_blank(b[j]) {
            j += 1;
        }
        let start = fd.map_or(i, |(_, s)| s);
        let mut redirect = RawRedirect {
            start: self.base + start,
            end: self.base + j,
            fd: fd.map(|(n, _)| n),
            op,
            target: None,
        };
        if j < b.len() && !is_meta(b[j]) {
            let (end, _) = self.read_word(j, false);
            redirect.target = Some((self.base + j, self.base + end));
            redirect.end = self.base + end;
            if op == "<<" || op == "<<-" {
                let raw = std::str::from_utf8(&b[j..end]).unwrap_or("");
                let delimiter = super::unquote(raw);
                self.heredocs.push((delimiter, op == "<<-"));
            }
            j = end;
        }
        if !self.after_close {
            self.current.touch(redirect.start, redirect.end);
            self.current.redirects.push(redirect);
        }
        j
    }

    /// After the newline at `i - 1`, skips the bodies of pending heredocs.
    fn skip_heredoc_bodies(&mut self, mut i: usize) -> usize {
        let b = self.b;
        let pending = std::mem::take(&mut self.heredocs);
        let mut unterminated = Vec::new();
        for (delimiter, strip_tabs) in pending {
            let mut found = false;
            while i < b.len() {
                let line_end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                let mut line = &b[i..line_end];
                if strip_tabs {
                    while let [b'\t', rest @ ..] = line {
                        line = rest;
                    }
                }
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                i = (line_end + 1).min(b.len());
                if line == delimiter.as_bytes() {
                    found = true;
                    break;
                }
            }
            if !found {
                unterminated.push((delimiter, strip_tabs));
            }
        }
        self.heredocs = unterminated;
        i
    }

    /// Reads one word starting at `i` and returns its end. `assignment_ok` allows `a=(...)`.
    fn read_word(&mut self, i: usize, assignment_ok: bool) -> (usize, bool) {
        let b = self.b;
        let len = b.len();
        let mut j = i;
        let mut plain = true;
        while j < len {
            let c = b[j];
            match c {
                b'\\' if self.in_backtick && next_is(b, j, b'`') => {
                    // `` `a \`b\`` ``: the escaped backticks delimit a nested substitution.
                    plain = false;
                    let body = j + 2;
                    let mut k = body;
                    while k + 1 < len && !(b[k] == b'\\' && b[k + 1] == b'`') {
                        k += 1;
                    }
                    if k + 1 < len {
                        self.scan
                            .substitutions
                            .push((self.base + body, self.base + k));
                        j = k + 2;
                    } else {
                        self.error(j, len, "unterminated backquote");
                        j = len;
                    }
                }
                b'\\' => {
                    plain = false;
                    j += 2;
                }
                b'\'' => {
                    plain = false;
                    j = match skip_single_quote(b, j) {
                        Ok(end) => end,
                        Err(end) => {
                            self.error(j, end, "unterminated single quote");
                            end
                        }
                    };
                }
                b'$' if next_is(b, j, b'\'') => {
                    plain = false;
                    j = match skip_ansi_c(b, j) {
                        Ok(end) => end,
                        Err(end) => {
                            self.error(j, end, "unterminated `$'` quote");
                            end
                        }
                    };
                }
                b'"' | b'`' => {
                    plain = false;
                    j = self.skip(
                        j,
                        if c == b'"' {
                            "unterminated double quote"
                        } else {
                            "unterminated backquote"
                        },
                    );
                }
                b'$' if next_is(b, j, b'(') || next_is(b, j, b'{') || next_is(b, j, b'"') => {
                    plain = false;
                    if next_is(b, j, b'"') {
                        j = self.skip(j + 1, "unterminated double quote");
                    } else {
                        let message = if next_is(b, j, b'{') {
                            "unterminated parameter expansion `${`"
                        } else {
                            "unterminated command substitution `$(`"
                        };
                        j = self.skip(j, message);
                    }
                }
                b'<' | b'>' if j == i && next_is(b, j, b'(') => {
                    plain = false;
                    j = self.skip(j, "unterminated process substitution");
                }
                b'(' if j > i
                    && (matches!(b[j - 1], b'@' | b'!' | b'?' | b'*' | b'+')
                        || (assignment_ok && b[j - 1] == b'=')) =>
                {
                    // Extended glob `@(a|b)` or array `a=(1 2)`: part of the word.
                    plain = false;
                    let mut ignored = Vec::new();
                    j = match skip_construct(b, j, self.base, &mut ignored) {
                        Ok(end) => end,
                        Err(end) => {
                            self.error(j, end, "unterminated `(`");
                            end
                        }
                    };
                }
                _ if is_meta(c) => break,
                _ => j += 1,
            }
        }
        (j.min(len), plain)
    }

    fn skip(&mut self, j: usize, message: &'static str) -> usize {
        match skip_construct(self.b, j, self.base, &mut self.scan.substitutions) {
            Ok(end) => end,
            Err(end) => {
                self.error(j, end, message);
                end
            }
        }
    }

    /// Reads a word at `i` and files it in the current command.
    fn word(&mut self, i: usize) -> usize {
        self.content();
        let b = self.b;
        let assignment_ok = self.command_position();
        let (end, plain) = self.read_word(i, assignment_ok);
        if end <= i {
            // Never loop in place.
            return i + 1;
        }
        // `2>file`: an all-digit word right before a redirection is its fd.
        if matches!(b.get(end), Some(b'<' | b'>'))
            && b[i..end].iter().all(u8::is_ascii_digit)
            && !self.in_test
        {
            let fd = std::str::from_utf8(&b[i..end])
                .ok()
                .and_then(|s| s.parse().ok());
            if let Some(fd) = fd {
                let rest = &b[end..];
                let op = if rest.starts_with(b"<<-") {
                    "<<-"
                } else if rest.starts_with(b"<<") {
                    "<<"
                } else if rest.starts_with(b"<&") {
                    "<&"
                } else if rest.starts_with(b"<>") {
                    "<>"
                } else if rest.starts_with(b">>") {
                    ">>"
                } else if rest.starts_with(b">&") {
                    ">&"
                } else if rest.starts_with(b">|") {
                    ">|"
                } else if rest.starts_with(b"<") {
                    "<"
                } else {
                    ">"
                };
                return self.redirect(end, op, Some((fd, i)));
            }
        }
        // Only compared with the reserved words, none longer than `function`: a longer word
        // is not one, and needs no UTF-8 check.
        let text = if plain && end - i <= "function".len() {
            std::str::from_utf8(&b[i..end]).unwrap_or("")
        } else {
            ""
        };
        if self.handle_keyword(text, i) {
            return end;
        }
        let range = (self.base + i, self.base + end);
        self.current.touch(range.0, range.1);
        if self.current.name.is_none() {
            if is_assignment(&b[i..end]) {
                self.current.assignments.push(range);
            } else {
                self.current.name = Some(range);
            }
        } else {
            self.current.args.push(range);
        }
        end
    }

    /// Handles a reserved word or a word that is not part of a simple command. Returns
    /// `true` when the word was consumed.
    fn handle_keyword(&mut self, text: &str, at: usize) -> bool {
        if self.in_test {
            if text == "]]" {
                self.in_test = false;
                self.pop_depth();
            }
            return true;
        }
        if self.skip_next_word {
            self.skip_next_word = false;
            return true;
        }
        match self.top_frame() {
            Some(Frame::CaseHeader) => {
                if text == "in"
                    && let Some(frame) = self.frames.last_mut()
                {
                    *frame = Frame::CasePattern;
                }
                return true;
            }
            Some(Frame::CasePattern) => {
                if text == "esac" {
                    self.frames.pop();
                    self.pop_depth();
                    self.after_close = true;
                }
                return true;
            }
            _ => {}
        }
        if self.skip_until_sep {
            return true;
        }
        // Reserved words count only as the first word (`A=1 if` runs a command named `if`).
        if !self.command_position() || !self.current.assignments.is_empty() {
            return false;
        }
        match text {
            "{" | "if" | "while" | "until" => {
                self.push_depth(at);
                true
            }
            "}" | "fi" | "done" => {
                self.pop_depth();
                self.after_close = true;
                true
            }
            "then" | "else" | "elif" | "do" | "!" => true,
            "for" | "select" => {
                self.push_depth(at);
                self.skip_until_sep = true;
                true
            }
            "case" => {
                self.push_depth(at);
                self.frames.push(Frame::CaseHeader);
                true
            }
            "esac" => {
                if matches!(self.top_frame(), Some(Frame::CaseBody | Frame::CasePattern)) {
                    self.frames.pop();
                    self.pop_depth();
                }
                self.after_close = true;
                true
            }
            "function" => {
                self.skip_next_word = true;
                true
            }
            "[[" => {
                self.push_depth(at);
                self.in_test = true;
                true
            }
            _ => false,
        }
    }
}

fn operator_message(op: &str, at_end: bool) -> &'static str {
    match (op, at_end) {
        ("&&", true) => "shell syntax error: command expected after `&&`",
        ("||", true) => "shell syntax error: command expected after `||`",
        (_, true) => "shell syntax error: command expected after `|`",
        ("&&", false) => "shell syntax error: command expected before `&&`",
        ("||", false) => "shell syntax error: command expected before `||`",
        ("|" | "|&", false) => "shell syntax error: command expected before `|`",
        (";", false) => "shell syntax error: command expected before `;`",
        _ => "shell syntax error: command expected before `&`",
    }
}

fn next_is(b: &[u8], j: usize, c: u8) -> bool {
    b.get(j + 1) == Some(&c)
}

/// `NAME=...`, `NAME+=...` or `NAME[index]=...`.
pub(crate) fn is_assignment(word: &[u8]) -> bool {
    let Some(eq) = word.iter().position(|&c| c == b'=') else {
        return false;
    };
    let mut name = &word[..eq];
    if let Some(stripped) = name.strip_suffix(b"+") {
        name = stripped;
    }
    if let Some(open) = name.iter().position(|&c| c == b'[') {
        if name.last() != Some(&b']') {
            return false;
        }
        name = &name[..open];
    }
    match name.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        None => false,
    }
}

/// Skips the construct at `i` (see [`skip_construct`]) with offsets relative to `b`.
pub(crate) fn skip(b: &[u8], i: usize, subs: &mut Vec<Range>) -> Result<usize, usize> {
    skip_construct(b, i, 0, subs)
}
