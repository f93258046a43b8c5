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

use crate::linter::diagnostic::{Finding, Severity};
use crate::linter::rules::SHELLCHECK;
use crate::linter::selection::Settings;
use crate::semantic::{Shells, is_powershell_or_cmd, shell_program};
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

pub use crate::linter::project::{ShellcheckComment as Comment, ShellcheckOutcome as Outcome};
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

    fn finish(self, at: Span) -> Script {
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
                    builder.finish(at)
                }),
            },
            ShellOrExec::Exec(words) => exec_script(source, words, &exports, at),
        };
        out.extend(script);
    }
    out
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
    Some(builder.finish(at))
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
    Some(builder.finish(at))
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

/// The findings of ShellCheck's `outcomes` on `scripts` (one outcome per script): each comment
/// at its text, for the codes `settings` enable; the scripts it could not check as one
/// `shellcheck` finding on the first of them.
pub fn findings(scripts: &[Script], outcomes: &[&Outcome], settings: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut failed: Vec<(&Script, &str)> = Vec::new();
    for (script, outcome) in scripts.iter().zip(outcomes) {
        let comments = match outcome {
            Ok(comments) => comments,
            Err(reason) => {
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
            let mut finding = SHELLCHECK.finding(span, comment.message.clone());
            finding.severity = severity(&comment.level);
            finding.with_help(format!(
                "ShellCheck {code}: https://www.shellcheck.net/wiki/{code}"
            ));
            finding.code = Cow::Owned(code);
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
        }
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
                    FROM b\nSHELL [\"pwsh\", \"-c\"]\nRUN echo $z\n\
                    FROM c\nRUN [\"sh\", \"-c\", \"echo $w\"]\n";
        let (source, scripts) = scripts_of(text);
        let heads: Vec<&str> = scripts
            .iter()
            .map(|s| s.text.lines().next().unwrap())
            .collect();
        assert_eq!(heads, ["#!/bin/bash", "#!/bin/sh", "#!/bin/sh"]);
        // The heredoc's own `#!` line is its first line, mapped.
        let span = scripts[1].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$y");
        let span = scripts[2].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$w");
        // `ONBUILD RUN` is checked too.
        let (source, scripts) = scripts_of("FROM a\nONBUILD RUN echo $v\n");
        let span = scripts[0].span(&comment(3, 6, 3, 8)).unwrap();
        assert_eq!(source.slice(span), "$v");
    }
}
