//! ShellCheck on the scripts RUN instructions run, without I/O: which scripts there are, the
//! text ShellCheck is given for each (a `#!` line naming the dialect, the stage's ARG and ENV
//! names exported, then the script), the map from that text's lines and columns back to byte
//! offsets of the Dockerfile, and ShellCheck's comments turned into findings. Running the
//! ShellCheck process is the workspace's business ([`crate::linter::project::Workspace::shellcheck`]).
//!
//! What is reproduced from hadolint (src/Hadolint/Shell.hs): the dialect comes from the first
//! word of the SHELL in force, PowerShell is never checked, the names of the stage's ARG and ENV
//! instructions and the predefined proxy ARGs are exported before the script (without hadolint's
//! `=1`, see [`exports_line`]), and SC1090 and SC2187 are excluded.

use std::borrow::Cow;

use crate::linter::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::linter::rules::SHELLCHECK;
use crate::linter::selection::Settings;
use crate::semantic::{Shells, is_powershell_or_cmd, shell_program};
use crate::syntax::dockerfile::shell;
use crate::syntax::dockerfile::{
    BaseKind, Command, Dockerfile, Heredoc, Instruction, ShellOrExec, ShellText,
};
use crate::syntax::source::SourceFile;
use crate::syntax::span::{Span, Spanned};

/// Codes never reported: SC1090 and SC1091 (a sourced file ShellCheck cannot follow: the
/// image's files are not here), SC2187 (ash is checked as dash: said once here, not on every
/// RUN).
pub const EXCLUDED: &[u32] = &[1090, 1091, 2187];

/// The ARGs every build defines without a declaration (hadolint exports them too).
const PREDEFINED: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

pub use crate::linter::project::{
    ShellcheckComment as Comment, ShellcheckFix, ShellcheckOutcome as Outcome,
    ShellcheckReplacement as Replacement,
};
pub use crate::linter::selection::is_shellcheck_code as is_code;

/// Where a character of a script comes from: a byte range of the Dockerfile, or nothing (the
/// `#!` line and the exports plimsoll writes).
const SYNTHETIC: (usize, usize) = (usize::MAX, usize::MAX);

/// A script to give ShellCheck, with the map back to the Dockerfile.
#[derive(Clone, Debug)]
pub struct Script {
    /// The text ShellCheck reads: a `#!` line, the exports, then the script.
    pub text: String,
    /// The instruction (its keyword) the script belongs to: where a failure is reported.
    pub at: Span,
    /// Per character of `text`, the source bytes it was copied from.
    chars: Vec<(usize, usize)>,
    /// The index in `chars` of the first character of each line.
    line_starts: Vec<usize>,
    /// Which of ShellCheck's fixes can be written back.
    writable: Writable,
}

/// Which of ShellCheck's replacements can be written back into the Dockerfile as they are.
/// None with a line break anywhere: in a RUN line it would end the instruction, in a heredoc
/// body it could end the heredoc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Writable {
    /// Shell-form text: nor with the escape character (it could continue a line).
    ShellForm { escape: char },
    /// A heredoc body, which BuildKit passes on verbatim.
    Heredoc,
    /// The body of an unquoted heredoc fed to a shell: nor with `$`, `` ` `` or `\` (the
    /// shell that reads the heredoc would take them before the script sees them).
    ExpandedHeredoc,
    /// The string of an exec-form RUN: nothing (a quote would need a JSON escape, and a string
    /// with escapes is no longer checked).
    Nothing,
}

impl Script {
    /// The Dockerfile span of ShellCheck's range: from `line:column` to `end_line:end_column`
    /// (exclusive). `None` when it starts in text plimsoll wrote (the prelude).
    pub fn span(&self, comment: &Comment) -> Option<Span> {
        let start = self.char_index(comment.line, comment.column)?;
        let end = self
            .char_index(comment.end_line, comment.end_column)
            .unwrap_or(start);
        let &(source_start, first_end) = self.chars.get(start)?;
        if source_start == usize::MAX {
            return None;
        }
        // The last source character of the range (synthetic or dropped ones skipped).
        let source_end = self.chars[start..end.max(start).min(self.chars.len())]
            .iter()
            .rev()
            .find(|(s, _)| *s != usize::MAX)
            .map_or(first_end, |&(_, e)| e);
        // A point (ShellCheck reports some problems at a position): the character there.
        let source_end = if end <= start { first_end } else { source_end };
        Some(Span::new(source_start, source_end.max(source_start)))
    }

    /// ShellCheck's fix as edits of the Dockerfile, each at the exact bytes its replacement
    /// covers. `None` when one replacement does not map exactly: it touches text plimsoll wrote
    /// (the prelude), covers text the shell never sees (a continuation, a comment line dropped
    /// from the RUN, a carriage return), or would change the Dockerfile's own syntax (see
    /// [`Writable`]).
    pub fn edits(&self, fix: &ShellcheckFix) -> Option<Vec<Edit>> {
        let mut edits = Vec::with_capacity(fix.replacements.len());
        for replacement in &fix.replacements {
            let text = replacement.replacement.as_str();
            let allowed = match self.writable {
                Writable::Nothing => false,
                Writable::Heredoc => true,
                Writable::ExpandedHeredoc => !text.contains(['$', '`', '\\']),
                Writable::ShellForm { escape } => !text.contains(escape),
            };
            if !allowed || text.contains(['\n', '\r']) {
                return None;
            }
            let start = self.char_index(replacement.line, replacement.column)?;
            let end = self.char_index(replacement.end_line, replacement.end_column)?;
            let span = match end.checked_sub(start)? {
                0 => self.insertion_point(start, replacement.insertion_point == "afterEnd")?,
                _ => self.contiguous(start, end)?,
            };
            edits.push(Edit {
                span,
                replacement: text.to_string(),
            });
        }
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        let overlapping = edits.windows(2).any(|pair| {
            pair[1].span.start < pair[0].span.end || pair[1].span.start == pair[0].span.start
        });
        (!edits.is_empty() && !overlapping).then_some(edits)
    }

    /// The source offset of an insertion before character `index`: leaning right, at the start
    /// of the character that follows (an opening quote goes with the word after it); leaning
    /// left, at the end of the character before on the same line (a closing quote goes with the
    /// word before it, not after a continuation).
    fn insertion_point(&self, index: usize, lean_right: bool) -> Option<Span> {
        let real = |i: usize| {
            self.chars
                .get(i)
                .copied()
                .filter(|&(start, _)| start != usize::MAX)
        };
        let line_start = self
            .line_starts
            .iter()
            .rev()
            .find(|&&start| start <= index)
            .copied()
            .unwrap_or(0);
        let before = index
            .checked_sub(1)
            .filter(|&i| i >= line_start)
            .and_then(real)
            .map(|(_, end)| end);
        let after = real(index).map(|(start, _)| start);
        let offset = if lean_right {
            after.or(before)
        } else {
            before.or(after)
        }?;
        Some(Span::empty(offset))
    }

    /// The source span of characters `start..end` when they were copied from one unbroken run
    /// of the Dockerfile (so replacing that run replaces exactly them).
    fn contiguous(&self, start: usize, end: usize) -> Option<Span> {
        let chars = self.chars.get(start..end)?;
        let unbroken = chars.iter().all(|&(s, _)| s != usize::MAX)
            && chars.windows(2).all(|pair| pair[0].1 == pair[1].0);
        unbroken.then(|| Span::new(chars[0].0, chars[chars.len() - 1].1))
    }

    /// The index in `chars` of a 1-based line and column (clamped to the line's end).
    fn char_index(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let line_end = self
            .line_starts
            .get(line)
            .map_or(self.chars.len(), |next| next.saturating_sub(1));
        Some((start + column.saturating_sub(1)).min(line_end))
    }
}

/// Builds a script's text and map together.
#[derive(Default)]
struct Builder {
    text: String,
    chars: Vec<(usize, usize)>,
}

impl Builder {
    fn synthetic(&mut self, text: &str) {
        for c in text.chars() {
            self.text.push(c);
            self.chars.push(SYNTHETIC);
        }
    }

    /// `text`, which starts at byte `at` of the Dockerfile and is copied from it byte for byte.
    /// Carriage returns before a line end are left out (ShellCheck reads them as text).
    fn verbatim(&mut self, text: &str, at: usize) {
        self.mapped(text, |offset| at + offset);
    }

    /// The body of an unquoted heredoc starting at byte `at`, as the shell that reads it hands
    /// it on: `\$`, `` \` `` and `\\` lose their backslash (each maps to both bytes, so an
    /// insertion before it goes before the backslash), a backslash before a line end joins the
    /// lines. Other expansions are left to the script (`$x` is expanded first, but the script
    /// splits the value as it would split `$x`).
    fn unescaped_heredoc(&mut self, text: &str, at: usize) {
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let start = at + i;
            if c == '\\' {
                match chars.peek().copied() {
                    Some((j, next @ ('$' | '`' | '\\'))) => {
                        chars.next();
                        self.text.push(next);
                        self.chars.push((start, at + j + next.len_utf8()));
                        continue;
                    }
                    Some((_, '\n')) => {
                        chars.next();
                        continue;
                    }
                    Some((j, '\r')) if text[j + 1..].starts_with('\n') => {
                        chars.next();
                        chars.next();
                        continue;
                    }
                    _ => {}
                }
            }
            if c == '\r' && chars.peek().is_none_or(|&(_, next)| next == '\n') {
                continue;
            }
            self.text.push(c);
            self.chars.push((start, start + c.len_utf8()));
        }
    }

    /// `text`, whose byte `i` comes from source offset `origin(i)`.
    fn mapped(&mut self, text: &str, origin: impl Fn(usize) -> usize) {
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\r' && chars.peek().is_none_or(|&(_, next)| next == '\n') {
                continue;
            }
            let start = origin(i);
            self.text.push(c);
            self.chars.push((start, start + c.len_utf8()));
        }
    }

    fn finish(self, at: Span, writable: Writable) -> Script {
        let mut line_starts = vec![0];
        for (index, c) in self.text.chars().enumerate() {
            if c == '\n' {
                line_starts.push(index + 1);
            }
        }
        Script {
            text: self.text,
            at,
            chars: self.chars,
            line_starts,
            writable,
        }
    }
}

/// The ShellCheck dialect of a shell program (`bash` for `/bin/bash`); `None` for a shell
/// ShellCheck does not check (zsh, fish, PowerShell, cmd, anything unknown).
pub fn dialect(program: &str) -> Option<&'static str> {
    match program {
        "sh" => Some("sh"),
        "bash" => Some("bash"),
        // ShellCheck checks ash as dash (its SC2187 says so).
        "dash" | "ash" | "busybox" => Some("dash"),
        "ksh" | "mksh" => Some("ksh"),
        _ => None,
    }
}

/// The program a `#!` line runs (`#!/usr/bin/env -S bash -e` → `bash`).
fn shebang_program(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("#!")?;
    let mut words = rest.split_whitespace();
    let base = |word: &str| -> String { word.rsplit('/').next().unwrap_or(word).to_string() };
    let first = words.next()?;
    if base(first) == "env" {
        let program = words.find(|w| !w.starts_with('-'))?;
        return Some(program.rsplit('/').next().unwrap_or(program));
    }
    Some(first.rsplit('/').next().unwrap_or(first))
}

/// The scripts of `dockerfile`'s RUN instructions (and `ONBUILD RUN`s) that ShellCheck can
/// check, in instruction order.
pub fn scripts(source: &SourceFile, dockerfile: &Dockerfile) -> Vec<Script> {
    let shells = Shells::new(dockerfile);
    let mut out = Vec::new();
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        let run = instruction.trigger_or_self();
        let Command::Run(form) = &run.command else {
            continue;
        };
        let shell = shells.at(dockerfile, index);
        let in_force = match shell.words {
            Some(words) if is_powershell_or_cmd(words) => None,
            Some(words) => dialect(shell_program(words)),
            None if shell.windows => None,
            None => Some("sh"),
        };
        let names = declared_names(dockerfile, index);
        let exports = exports_line(&names);
        let at = instruction.keyword_span;
        let script = match form {
            ShellOrExec::Shell(text) => match standalone_heredoc(source, run, text) {
                Some(heredoc) => heredoc_script(source, heredoc, in_force, &exports, at),
                None => in_force.map(|dialect| {
                    let mut builder = Builder::default();
                    builder.synthetic(&format!("#!/bin/{dialect}\n{exports}\n"));
                    builder.mapped(&text.value, |offset| text.source_offset(offset));
                    if let (Some(first), Some(last)) = (run.heredocs.first(), run.heredocs.last()) {
                        // The shell is given the heredocs after the command line.
                        builder.synthetic("\n");
                        let span = Span::new(
                            first.body.span.start,
                            last.terminator_span.end.max(first.body.span.start),
                        );
                        builder.verbatim(source.slice(span), span.start);
                    }
                    builder.finish(
                        at,
                        Writable::ShellForm {
                            escape: dockerfile.escape,
                        },
                    )
                }),
            },
            ShellOrExec::Exec(words) => exec_script(source, words, &exports, at),
        };
        out.extend(script);
        // `bash <<EOF`: the body is a script in that shell's dialect too.
        if let ShellOrExec::Shell(text) = form
            && !run.heredocs.is_empty()
            && in_force.is_some()
        {
            for (heredoc, program) in heredocs_fed_to_shells(run, text) {
                out.extend(
                    dialect(&program).map(|d| fed_heredoc_script(source, heredoc, d, &exports, at)),
                );
            }
        }
    }
    out
}

/// The heredocs of a shell-form RUN that a shell reads as its script (`bash -e <<EOF`, not
/// `python3 <<EOF` nor `cat <<EOF > file`), each with that shell's program name.
fn heredocs_fed_to_shells<'a>(
    run: &'a Instruction,
    text: &ShellText,
) -> Vec<(&'a Heredoc, String)> {
    let analysis = shell::analyze(text);
    let mut out: Vec<(&Heredoc, String)> = Vec::new();
    for command in analysis.commands.iter().filter(|c| !c.in_shell_string) {
        let Some(program) = command.stdin_script_shell() else {
            continue;
        };
        for redirect in &command.redirects {
            if !matches!(redirect.op, "<<" | "<<-") || redirect.fd.is_some_and(|fd| fd != 0) {
                continue;
            }
            // The heredoc this `<<WORD` opens: the one whose marker it is.
            let heredoc = run.heredocs.iter().find(|h| {
                h.marker_span.start < redirect.span.end && redirect.span.start < h.marker_span.end
            });
            if let Some(heredoc) = heredoc
                && !out.iter().any(|(h, _)| std::ptr::eq(*h, heredoc))
            {
                out.push((heredoc, program.to_string()));
            }
        }
    }
    out
}

/// The body of a heredoc fed to a shell (`bash <<EOF`) as a script of that shell's dialect. A
/// `#!` line of the body is only a comment to that shell: the dialect's line replaces it. An
/// unquoted delimiter lets the RUN's own shell process the body first (its backslashes).
fn fed_heredoc_script(
    source: &SourceFile,
    heredoc: &Heredoc,
    dialect: &str,
    exports: &str,
    at: Span,
) -> Script {
    let body = source.slice(heredoc.body.span);
    let start = heredoc.body.span.start;
    let mut builder = Builder::default();
    builder.synthetic(&format!("#!/bin/{dialect}\n{exports}\n"));
    let skip = if body.starts_with("#!") {
        body.find('\n').map_or(body.len(), |i| i + 1)
    } else {
        0
    };
    if heredoc.quoted {
        builder.verbatim(&body[skip..], start + skip);
        builder.finish(at, Writable::Heredoc)
    } else {
        builder.unescaped_heredoc(&body[skip..], start + skip);
        builder.finish(at, Writable::ExpandedHeredoc)
    }
}

/// The heredoc of `RUN <<EOF` alone: BuildKit runs its body as the script (honouring a `#!`).
fn standalone_heredoc<'a>(
    source: &SourceFile,
    run: &'a Instruction,
    text: &ShellText,
) -> Option<&'a Heredoc> {
    match run.heredocs.as_slice() {
        [heredoc] if text.value.trim() == source.slice(heredoc.marker_span).trim() => Some(heredoc),
        _ => None,
    }
}

/// A heredoc body run as a script: in the dialect of its `#!` line (another interpreter: not
/// checked), else of the shell in force.
fn heredoc_script(
    source: &SourceFile,
    heredoc: &Heredoc,
    in_force: Option<&str>,
    exports: &str,
    at: Span,
) -> Option<Script> {
    let body = source.slice(heredoc.body.span);
    let start = heredoc.body.span.start;
    let mut builder = Builder::default();
    if body.starts_with("#!") {
        let line_end = body.find('\n').map_or(body.len(), |i| i + 1);
        let line = &body[..line_end];
        dialect(shebang_program(line.trim_end())?)?;
        builder.verbatim(line, start);
        if !line.ends_with('\n') {
            builder.synthetic("\n");
        }
        builder.synthetic(&format!("{exports}\n"));
        builder.verbatim(&body[line_end..], start + line_end);
    } else {
        builder.synthetic(&format!("#!/bin/{}\n{exports}\n", in_force?));
        builder.verbatim(body, start);
    }
    Some(builder.finish(at, Writable::Heredoc))
}

/// The script of an exec-form `RUN ["bash", "-o", "pipefail", "-c", "…"]`, when its string has
/// no JSON escapes (so it maps one to one).
fn exec_script(
    source: &SourceFile,
    words: &[Spanned<String>],
    exports: &str,
    at: Span,
) -> Option<Script> {
    let program = words.first()?.value.rsplit('/').next()?;
    let dialect = dialect(program)?;
    let mut i = 1;
    let script = loop {
        let word = words.get(i)?.value.as_str();
        if word == "-o" || word == "+o" {
            i += 2;
        } else if word.starts_with('-') && !word.starts_with("--") && word.contains('c') {
            break words.get(i + 1)?;
        } else if word.starts_with(['-', '+']) {
            i += 1;
        } else {
            return None;
        }
    };
    if source.slice(script.span) != script.value {
        return None;
    }
    let mut builder = Builder::default();
    builder.synthetic(&format!("#!/bin/{dialect}\n{exports}\n"));
    builder.verbatim(&script.value, script.span.start);
    Some(builder.finish(at, Writable::Nothing))
}

/// `export A B` for the names, or an empty line. Without a value: hadolint writes `A=1`, which
/// tells ShellCheck the value is a constant without blanks and so hides every unquoted use of
/// a build argument from SC2086.
fn exports_line(names: &[&str]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let mut line = String::from("export");
    for name in names {
        line.push(' ');
        line.push_str(name);
    }
    line
}

/// The variable names a RUN at `index` sees: the predefined proxy ARGs, the ARG and ENV names
/// of its stage before it, and the ENV names of the stages it is built on.
fn declared_names(dockerfile: &Dockerfile, index: usize) -> Vec<&str> {
    let mut names: Vec<&str> = PREDEFINED.to_vec();
    let Some(stage) = dockerfile
        .instructions
        .get(index)
        .and_then(|i| i.stage)
        .and_then(|s| dockerfile.stages.get(s))
    else {
        return names;
    };
    // Bases first (an earlier stage's ENV is inherited), nearest last.
    let mut chain = Vec::new();
    let mut base = &stage.base.kind;
    while let BaseKind::Stage { index: parent } = base {
        let Some(parent) = dockerfile.stages.get(*parent) else {
            break;
        };
        if parent.index >= stage.index || chain.len() > dockerfile.stages.len() {
            break;
        }
        chain.push(parent);
        base = &parent.base.kind;
    }
    for parent in chain.iter().rev() {
        for instruction in dockerfile.stage_instructions(parent) {
            if let Command::Env(pairs) = &instruction.command {
                names.extend(pairs.iter().map(|p| p.key.value.as_str()));
            }
        }
    }
    for instruction in dockerfile
        .instructions
        .get(stage.instructions.start..index)
        .unwrap_or(&[])
    {
        if let Command::Env(pairs) | Command::Arg(pairs) = &instruction.command {
            names.extend(pairs.iter().map(|p| p.key.value.as_str()));
        }
    }
    let mut kept: Vec<&str> = Vec::new();
    for name in names {
        if is_name(name) && !kept.contains(&name) {
            kept.push(name);
        }
    }
    kept
}

/// A shell variable name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// ShellCheck's level as a severity.
fn severity(level: &str) -> Severity {
    match level {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => Severity::Style,
    }
}

/// The findings of ShellCheck's `outcomes` on `scripts` (one outcome per script; `None` for a
/// script not checked yet, which adds nothing): each comment at its text, with ShellCheck's
/// fix when it has one that maps back exactly, for the codes `settings` enable; the scripts
/// it could not check as one `shellcheck` finding on the first of them. A comment made twice
/// at the same text (a heredoc body is checked as the data of the RUN's command line and as the
/// script of the shell it is fed to) is one finding.
pub fn findings(
    scripts: &[Script],
    outcomes: &[Option<&Outcome>],
    settings: &Settings,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut failed: Vec<(&Script, &str)> = Vec::new();
    for (script, outcome) in scripts.iter().zip(outcomes) {
        let comments = match outcome {
            None => continue,
            Some(Ok(comments)) => comments,
            Some(Err(reason)) => {
                failed.push((script, reason));
                continue;
            }
        };
        for comment in comments {
            if EXCLUDED.contains(&comment.code) {
                continue;
            }
            let code = format!("SC{}", comment.code);
            if !settings.shellcheck_code_enabled(&code) {
                continue;
            }
            let Some(span) = script.span(comment) else {
                continue;
            };
            let fix = comment
                .fix
                .as_ref()
                .and_then(|fix| script.edits(fix))
                .map(|edits| Fix {
                    message: format!("Apply ShellCheck's fix for {code}"),
                    // Quoting a word stops it from being split and globbed, `$(…)` treats
                    // backslashes unlike backquotes, `|| exit` ends the RUN: what the script
                    // does may change (docs/shellcheck.md).
                    applicability: Applicability::Unsafe,
                    edits,
                });
            if let Some(same) = out
                .iter_mut()
                .find(|f| f.span == span && f.code == code.as_str())
            {
                if same.fix.is_none() {
                    same.fix = fix;
                }
                continue;
            }
            let mut finding = SHELLCHECK.finding(span, comment.message.clone());
            finding.severity = severity(&comment.level);
            finding.with_help(format!(
                "ShellCheck {code}: https://www.shellcheck.net/wiki/{code}"
            ));
            finding.code = Cow::Owned(code);
            finding.fix = fix;
            out.push(finding);
        }
    }
    if let Some(&(first, reason)) = failed.first() {
        let message = if failed.len() == 1 {
            format!("ShellCheck could not check this RUN: {reason}")
        } else {
            format!(
                "ShellCheck could not check {} RUN scripts of this file (the first here): {reason}",
                failed.len()
            )
        };
        let mut finding = SHELLCHECK.finding(first.at, message);
        finding.with_help(
            "the other findings of this file are complete; run ShellCheck on the script by hand \
             to see why it fails, or set `shellcheck: off`",
        );
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::dockerfile;
    use crate::syntax::source::FileKind;

    fn scripts_of(text: &str) -> (SourceFile, Vec<Script>) {
        let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let parsed = dockerfile::parse(text);
        let scripts = scripts(&source, &parsed);
        (source, scripts)
    }

    fn comment(line: usize, column: usize, end_line: usize, end_column: usize) -> Comment {
        Comment {
            file: String::new(),
            line,
            end_line,
            column,
            end_column,
            level: "info".into(),
            code: 2086,
            message: String::new(),
            fix: None,
        }
    }

    /// A replacement at `line:column..end_column`.
    fn replace(
        line: usize,
        column: usize,
        end_column: usize,
        lean: &str,
        text: &str,
    ) -> Replacement {
        Replacement {
            line,
            end_line: line,
            column,
            end_column,
            insertion_point: lean.into(),
            replacement: text.into(),
        }
    }

    /// ShellCheck's SC2086 fix for the word at `line:column..end_column`: a quote on each side.
    fn quote(line: usize, column: usize, end_column: usize) -> ShellcheckFix {
        ShellcheckFix {
            replacements: vec![
                replace(line, column, column, "afterEnd", "\""),
                replace(line, end_column, end_column, "beforeStart", "\""),
            ],
        }
    }

    /// `text` with `edits` applied.
    fn applied(text: &str, edits: &[Edit]) -> String {
        let mut out = text.to_string();
        for edit in edits.iter().rev() {
            out.replace_range(edit.span.start..edit.span.end, &edit.replacement);
        }
        out
    }

    /// The 1-based column of `needle` in line `line` of the script.
    fn column(script: &Script, line: usize, needle: &str) -> usize {
        script
            .text
            .lines()
            .nth(line - 1)
            .unwrap()
            .find(needle)
            .unwrap()
            + 1
    }

    #[test]
    fn fixes_map_back_through_continuations_escape_and_crlf() {
        let text = "# escape=`\r\nFROM a\r\nARG dir\r\nRUN echo a && `\r\n    cd $dir\r\n";
        let (_, scripts) = scripts_of(text);
        let script = &scripts[0];
        let at = column(script, 3, "$dir");
        let edits = script.edits(&quote(3, at, at + 4)).unwrap();
        assert_eq!(
            applied(text, &edits),
            "# escape=`\r\nFROM a\r\nARG dir\r\nRUN echo a && `\r\n    cd \"$dir\"\r\n"
        );
        // A closing quote goes with the word before it, not after the continuation.
        let text = "FROM a\nRUN echo $x\\\n;true\n";
        let (_, scripts) = scripts_of(text);
        let script = &scripts[0];
        let at = column(script, 3, "$x");
        let edits = script.edits(&quote(3, at, at + 2)).unwrap();
        assert_eq!(applied(text, &edits), "FROM a\nRUN echo \"$x\"\\\n;true\n");
        // A replacement across the continuation would drop it: no fix.
        let across = ShellcheckFix {
            replacements: vec![replace(3, at + 1, at + 3, "", "y;")],
        };
        assert!(script.edits(&across).is_none());
        // Nor a line break (it would end the RUN), nor the escape character.
        let newline = ShellcheckFix {
            replacements: vec![replace(3, at, at, "afterEnd", "a\nb")],
        };
        assert!(script.edits(&newline).is_none());
        let escape = ShellcheckFix {
            replacements: vec![replace(3, at, at, "afterEnd", "\\")],
        };
        assert!(script.edits(&escape).is_none());
        // Nor in the prelude plimsoll wrote.
        assert!(script.edits(&quote(2, 1, 3)).is_none());
        // Nor in an exec form's JSON string.
        let (_, scripts) = scripts_of("FROM a\nRUN [\"sh\", \"-c\", \"echo $w\"]\n");
        assert!(scripts[0].edits(&quote(3, 6, 8)).is_none());
    }

    #[test]
    fn heredocs_fed_to_a_shell_are_scripts_of_its_dialect() {
        let text = "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nARG dir\n\
                    RUN sh -e <<'EOF'\n#!/bin/bash\ncd $dir\nEOF\n\
                    RUN python3 <<EOF\nprint(1)\nEOF\n\
                    RUN bash -c 'cat' <<EOF\n$x\nEOF\n\
                    RUN cat <<A && bash -euo pipefail <<B\none\nA\n[[ -n $y ]]\nB\n\
                    RUN <<EOF sh -x\necho $z\nEOF\n";
        let (source, scripts) = scripts_of(text);
        let heads: Vec<(&str, &str)> = scripts
            .iter()
            .map(|s| (s.text.lines().next().unwrap(), source.slice(s.at)))
            .collect();
        // Each RUN's command line in the SHELL's dialect, and the bodies fed to `sh` and `bash`
        // in theirs; not the python nor the `bash -c` input nor the `cat` data.
        assert_eq!(
            heads,
            [
                ("#!/bin/bash", "RUN"),
                ("#!/bin/sh", "RUN"),
                ("#!/bin/bash", "RUN"),
                ("#!/bin/bash", "RUN"),
                ("#!/bin/bash", "RUN"),
                ("#!/bin/bash", "RUN"),
                // `RUN <<EOF sh -x`: the heredoc is `sh`'s standard input all the same.
                ("#!/bin/bash", "RUN"),
                ("#!/bin/sh", "RUN"),
            ]
        );
        // The body's own `#!` line is replaced by the dialect's; its lines map back, and so
        // do fixes.
        let body = &scripts[1];
        assert!(body.text.starts_with("#!/bin/sh\nexport "), "{}", body.text);
        assert!(!body.text.contains("#!/bin/bash"));
        let at = column(body, 3, "$dir");
        assert_eq!(
            source.slice(body.span(&comment(3, at, 3, at + 4)).unwrap()),
            "$dir"
        );
        let edits = body.edits(&quote(3, at, at + 4)).unwrap();
        assert!(applied(text, &edits).contains("<<'EOF'\n#!/bin/bash\ncd \"$dir\"\nEOF\n"));
        // An unquoted delimiter: the RUN's shell removes the backslashes of `\$` and joins
        // `\`-continued lines before the script runs.
        let text = "FROM a\nRUN bash <<EOF\necho \\$HOME \\\n  $1\nEOF\n";
        let (unquoted_source, unquoted) = scripts_of(text);
        assert_eq!(unquoted[1].text.lines().nth(2), Some("echo $HOME   $1"));
        let at = column(&unquoted[1], 3, "$HOME");
        let span = unquoted[1].span(&comment(3, at, 3, at + 5)).unwrap();
        assert_eq!(unquoted_source.slice(span), "\\$HOME");
        let edits = unquoted[1].edits(&quote(3, at, at + 5)).unwrap();
        assert!(applied(text, &edits).contains("echo \"\\$HOME\" \\\n"));
        let dollar = ShellcheckFix {
            replacements: vec![replace(3, at, at, "afterEnd", "$(")],
        };
        assert!(unquoted[1].edits(&dollar).is_none());
        let fed = &scripts[5];
        assert_eq!(fed.text.lines().nth(2), Some("[[ -n $y ]]"));
        let at = column(fed, 3, "$y");
        assert_eq!(
            source.slice(fed.span(&comment(3, at, 3, at + 2)).unwrap()),
            "$y"
        );
    }

    #[test]
    fn continuation_lines_map_back_to_the_file() {
        let text = "FROM a\nARG dir\nRUN echo a && \\\r\n    cd $dir\n";
        let (source, scripts) = scripts_of(text);
        assert_eq!(scripts.len(), 1);
        let script = &scripts[0];
        assert!(
            script.text.starts_with("#!/bin/sh\nexport "),
            "{}",
            script.text
        );
        assert!(script.text.contains(" dir\n"));
        let line: Vec<&str> = script.text.lines().collect();
        let column = line[2].find("$dir").unwrap() + 1;
        let span = script.span(&comment(3, column, 3, column + 4)).unwrap();
        assert_eq!(source.slice(span), "$dir");
        // The prelude maps nowhere.
        assert!(script.span(&comment(2, 1, 2, 3)).is_none());
    }

    #[test]
    fn shells_and_heredocs_choose_the_dialect() {
        let text = "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo $x\n\
                    RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n\
                    RUN <<EOF\n#!/bin/sh\necho $y\nEOF\n\
                    RUN <<EOF\necho $q\nEOF\n\
                    FROM b\nSHELL [\"pwsh\", \"-c\"]\nRUN echo $z\n\
                    FROM c\nRUN [\"sh\", \"-c\", \"echo $w\"]\n";
        let (source, scripts) = scripts_of(text);
        let heads: Vec<&str> = scripts
            .iter()
            .map(|s| s.text.lines().next().unwrap())
            .collect();
        // A body without `#!` is a script of the stage's shell.
        assert_eq!(
            heads,
            ["#!/bin/bash", "#!/bin/sh", "#!/bin/bash", "#!/bin/sh"]
        );
        // The heredoc's own `#!` line is its first line, mapped.
        let span = scripts[1].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$y");
        let span = scripts[2].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$q");
        let span = scripts[3].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$w");
        // `ONBUILD RUN` is checked too.
        let (source, scripts) = scripts_of("FROM a\nONBUILD RUN echo $v\n");
        let span = scripts[0].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$v");
    }
}
