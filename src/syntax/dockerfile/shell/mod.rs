//! Shell analysis of RUN bodies: commands and words with spans mapped back to the Dockerfile.
//!
//! Rules that look at commands (`sudo`, unpinned `apt-get install`, `curl | sh`, `chmod u+s`…)
//! need the shell text split into simple commands and words. [`analyze`] does that for a
//! shell-form [`ShellText`], [`analyze_str`] for a heredoc body. Commands inside `$(...)`,
//! backticks, `<(...)` and the script string of `sh -c '…'` are listed too, flagged as such.
//!
//! Commands and words come from our own iterative scanner (`lexer`): it is linear in the
//! input, never recurses, and yields commands even from broken shell. `brush-parser` checks
//! the syntax and provides the error message; a differential test pins that both agree on
//! the commands of a corpus of real RUN lines. brush is only asked when the text is small
//! and shallow, because on failing input its PEG parser backtracks exponentially in the
//! nesting depth (`( ( ( … ; ) ) )` with 20 levels takes about a second) and it recurses once
//! per nested construct (about 150 nested `$(` overflow a 2 MiB stack in a debug build).
//! Beyond that the scanner's own checks (unterminated quotes and substitutions, empty
//! commands around `&&`/`||`/`|`/`;`, unclosed compound commands) are all the error we give.
//!
//! Known gaps: backticks nested three deep are not descended into, and a `case` pattern's
//! `)` inside `$(...)` ends the substitution early (brush-parser does the same).

mod lexer;
mod plain;
mod quiet_panic;

use std::io::BufReader;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::syntax::dockerfile::ShellText;
use crate::syntax::span::Span;

use lexer::{Range, Scanner};

/// Substitutions nested deeper than this are not descended into.
const MAX_SUBSTITUTION_DEPTH: usize = 64;
/// Scan at most this many times the text's size plus 1 MiB (all substitution levels
/// together).
const SUBSTITUTION_BUDGET_FACTOR: usize = 8;
/// brush-parser validates only texts nested at most this deep (compound commands plus
/// substitutions; it recurses per level)…
const MAX_VALIDATE_DEPTH: usize = 6;
/// …and whose size times 2^depth stays under this, as a failing parse backtracks about twice
/// per level (measured worst case: ~80 ms in a release build).
const MAX_VALIDATE_WORK: usize = 256 * 1024;

/// The simple commands of a shell script.
#[derive(Clone, Debug, Default)]
pub struct ShellScript {
    /// Every simple command in source order, including those inside `$(...)`, backticks,
    /// subshells, groups, loops, conditionals, case items and function bodies.
    pub commands: Vec<SimpleCommand>,
    /// The first syntax error ([`ShellScript::error`]).
    error: SyntaxError,
}

impl ShellScript {
    /// The first syntax error, if any (the commands are still listed). The scanner's own
    /// errors are known at once; for the rest brush-parser is asked the first time this is
    /// called, since it is most of the cost of analysing a script and few rules need it.
    pub fn error(&self) -> Option<&ShellError> {
        self.error
            .found
            .get_or_init(|| {
                let pending = self.error.pending.as_deref()?;
                validate(&pending.text, &pending.open_heredocs).map(|(offset, message)| {
                    ShellError {
                        message,
                        span: pending.mapping.span(offset, offset),
                    }
                })
            })
            .as_ref()
    }
}

impl PartialEq for ShellScript {
    fn eq(&self, other: &Self) -> bool {
        self.commands == other.commands && self.error() == other.error()
    }
}

impl Eq for ShellScript {}

impl Serialize for ShellScript {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("ShellScript", 2)?;
        out.serialize_field("commands", &self.commands)?;
        out.serialize_field("error", &self.error())?;
        out.end()
    }
}

/// A script's first syntax error: known, or to be asked of brush-parser when first wanted.
#[derive(Clone, Debug, Default)]
struct SyntaxError {
    found: OnceLock<Option<ShellError>>,
    pending: Option<Arc<PendingCheck>>,
}

impl SyntaxError {
    fn known(error: Option<ShellError>) -> Self {
        Self {
            found: OnceLock::from(error),
            pending: None,
        }
    }
}

/// What brush-parser is asked when a script's error is first wanted.
#[derive(Debug)]
struct PendingCheck {
    text: String,
    open_heredocs: Vec<String>,
    mapping: OwnedMapping,
}

/// [`Mapping`], owning what it maps through.
#[derive(Debug)]
enum OwnedMapping {
    Shell(ShellText),
    Offset(usize),
}

impl OwnedMapping {
    fn span(&self, start: usize, end: usize) -> Span {
        match self {
            OwnedMapping::Shell(text) => text.source_span(start, end),
            OwnedMapping::Offset(base) => Span::new(base + start, base + end),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShellError {
    pub message: String,
    pub span: Span,
}

/// One word as written in the script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    /// Source span in the Dockerfile.
    pub span: Span,
    /// The word as written, quotes and escapes included (for RUN text, with continuation
    /// lines joined as BuildKit joins them).
    pub raw: String,
    /// Quotes and escapes removed; `$VAR`, `${…}`, `$(…)` and backticks left verbatim.
    pub value: String,
}

impl Word {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A redirection such as `> /dev/null`, `2>&1` or `<<EOF`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redirect {
    pub span: Span,
    /// The file descriptor written before the operator (`2` in `2>&1`).
    pub fd: Option<u32>,
    /// The operator: `<`, `>`, `>>`, `<<`, `<<-`, `<<<`, `<>`, `<&`, `>&`, `>|`, `&>`, `&>>`.
    pub op: &'static str,
    /// The target word (file, fd, heredoc delimiter or here-string).
    pub target: Option<Word>,
}

/// Where a command sits in its pipeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PipelinePos {
    /// 0-based index in the pipeline.
    pub index: usize,
    /// Number of commands in the pipeline (1 when not piped). Compound commands such as
    /// `while …; done | sort` count as members.
    pub len: usize,
}

impl PipelinePos {
    /// Standard input comes from the previous pipeline member (`curl … | sh`: true for `sh`).
    pub fn reads_pipe(self) -> bool {
        self.index > 0
    }

    /// Standard output goes to the next pipeline member.
    pub fn writes_pipe(self) -> bool {
        self.index + 1 < self.len
    }
}

/// A simple command: assignments, a command name, arguments and redirections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimpleCommand {
    /// Source span of the whole command (first to last word or redirection).
    pub span: Span,
    /// Leading `FOO=bar` words.
    pub assignments: Vec<Word>,
    /// The command word as written (`/usr/bin/sudo`, `apt-get`); `None` for `FOO=bar` alone
    /// or a bare redirection.
    pub name: Option<Word>,
    /// Arguments in order (redirections excluded). `foo=1.2.*` after the name is an argument.
    pub args: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub pipeline: PipelinePos,
    /// The command runs inside `$(...)`, backticks or `<(...)`.
    pub in_substitution: bool,
    /// The command comes from the script string of `sh -c '…'` (or `bash`, `dash`, `ash`,
    /// `zsh`, `ksh`, also through wrappers such as `sudo`). Only strings written in single
    /// quotes, or in double quotes without backslashes, are analysed, so spans stay exact.
    pub in_shell_string: bool,
    /// Where [`SimpleCommand::effective`] found the command, once asked (rules ask for every
    /// command many times).
    #[serde(skip)]
    pub effective_at: EffectiveMemo,
}

/// Where the command run through wrappers starts among a command's words, remembered.
/// Two commands are equal whatever each remembers.
#[derive(Clone, Debug, Default)]
pub struct EffectiveMemo(OnceLock<EffectiveAt>);

impl PartialEq for EffectiveMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for EffectiveMemo {}

#[derive(Clone, Copy, Debug)]
enum EffectiveAt {
    /// The command as written.
    Written,
    /// Argument `n` is the name, the rest its arguments.
    Named(usize),
    /// No name; the arguments from `n` on (a wrapper with nothing after its flags).
    Unnamed(usize),
}

/// A command name with its arguments, as seen through wrappers (see
/// [`SimpleCommand::effective`]).
#[derive(Clone, Copy, Debug)]
pub struct CommandView<'a> {
    pub name: Option<&'a Word>,
    pub args: &'a [Word],
}

impl<'a> CommandView<'a> {
    /// The basename of the command name: `/usr/bin/sudo` → `sudo`.
    pub fn program(&self) -> Option<&'a str> {
        let name = self.name?.value.as_str();
        // A byte search: `rsplit('/')` set up a reverse searcher on every call, and rules ask
        // for the program of every command many times (5 % of a corpus run). `/` is ASCII,
        // so the byte after it starts a character.
        Some(match name.bytes().rposition(|b| b == b'/') {
            Some(slash) => name.get(slash + 1..).unwrap_or(name),
            None => name,
        })
    }

    /// The first argument that is not a flag (`install` in `apt-get -y install curl`).
    pub fn subcommand(&self) -> Option<&'a Word> {
        self.args.iter().find(|word| !word.value.starts_with('-'))
    }

    /// Whether a flag is given: `-s` alone or combined (`-fsSL`), or `--long` / `--long=value`
    /// (`long` may be written with or without its dashes). Arguments after `--` are not flags.
    pub fn has_flag(&self, short: char, long: &str) -> bool {
        self.has_short_flag(short) || self.has_long_flag(long)
    }

    /// `-x` alone or in a group of short flags.
    pub fn has_short_flag(&self, short: char) -> bool {
        self.flags()
            .any(|flag| !flag.starts_with("--") && flag.len() > 1 && flag[1..].contains(short))
    }

    /// `--long` or `--long=value`.
    pub fn has_long_flag(&self, long: &str) -> bool {
        let long = long.trim_start_matches('-');
        !long.is_empty()
            && self.flags().any(|flag| {
                flag.strip_prefix("--")
                    .map(|rest| rest.split('=').next() == Some(long))
                    .unwrap_or(false)
            })
    }

    /// The value of `--long=value`, `--long value`, `-s value` or `-svalue`.
    pub fn flag_value(&self, short: Option<char>, long: &str) -> Option<&'a Word> {
        let long = long.trim_start_matches('-');
        let mut iter = self.args.iter();
        while let Some(word) = iter.next() {
            let flag = word.value.as_str();
            if flag == "--" {
                return None;
            }
            if let Some(rest) = flag.strip_prefix("--") {
                if rest == long && !long.is_empty() {
                    return iter.next();
                }
                if rest.split('=').next() == Some(long) && rest.contains('=') {
                    return Some(word);
                }
            } else if let Some(short) = short
                && flag.len() == 2
                && flag.starts_with('-')
                && flag.ends_with(short)
            {
                return iter.next();
            }
        }
        None
    }

    /// The words that look like flags, up to `--`.
    pub fn flags(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.args
            .iter()
            .map(|word| word.value.as_str())
            .take_while(|value| *value != "--")
            .filter(|value| value.starts_with('-') && value.len() > 1)
    }

    /// Whether any argument equals `value`.
    pub fn has_arg(&self, value: &str) -> bool {
        self.args.iter().any(|word| word.value == value)
    }
}

impl SimpleCommand {
    /// The command as written.
    pub fn view(&self) -> CommandView<'_> {
        CommandView {
            name: self.name.as_ref(),
            args: &self.args,
        }
    }

    /// The command run through wrappers: skips `sudo [flags] [-u user] [VAR=x]`,
    /// `env [flags] [A=B]`, `nice [-n N]`, `nohup`, `exec [-a name]`, `time [-p]`,
    /// `command [-p]`, `doas [-u user]`, `xargs [flags]`. `sudo -u x apt-get install` gives
    /// `apt-get` with `install`.
    pub fn effective(&self) -> CommandView<'_> {
        match *self.effective_at.0.get_or_init(|| self.find_effective()) {
            EffectiveAt::Written => self.view(),
            EffectiveAt::Named(at) => CommandView {
                name: self.args.get(at),
                args: self.args.get(at + 1..).unwrap_or(&[]),
            },
            EffectiveAt::Unnamed(at) => CommandView {
                name: None,
                args: self.args.get(at..).unwrap_or(&[]),
            },
        }
    }

    fn find_effective(&self) -> EffectiveAt {
        let view = self.unwrapped();
        // Every view past the first is a suffix of the arguments.
        let from = self.args.len() - view.args.len();
        match view.name {
            Some(name)
                if self
                    .name
                    .as_ref()
                    .is_some_and(|own| std::ptr::eq(own, name)) =>
            {
                EffectiveAt::Written
            }
            Some(_) => EffectiveAt::Named(from - 1),
            None if from == 0 && self.name.is_none() => EffectiveAt::Written,
            None => EffectiveAt::Unnamed(from),
        }
    }

    /// [`SimpleCommand::effective`], worked out.
    fn unwrapped(&self) -> CommandView<'_> {
        let mut view = self.view();
        // Each round strips one wrapper; bounded by the number of words.
        for _ in 0..=self.args.len() {
            let Some(program) = view.program() else {
                break;
            };
            // Flags of each wrapper that take a separate value.
            let value_flags: &[&str] = match program {
                "sudo" => &[
                    "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R",
                ],
                "doas" => &["-u", "-C"],
                "env" => &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
                "nice" => &["-n", "--adjustment"],
                "exec" => &["-a"],
                "xargs" => &[
                    "-I",
                    "-L",
                    "-n",
                    "-P",
                    "-s",
                    "-d",
                    "-E",
                    "-a",
                    "--max-args",
                    "--max-procs",
                    "--arg-file",
                    "--delimiter",
                    "--max-lines",
                    "--max-chars",
                ],
                "nohup" | "time" | "command" => &[],
                _ => break,
            };
            let mut rest = view.args;
            while let Some((first, tail)) = rest.split_first() {
                let value = first.value.as_str();
                if value == "--" {
                    rest = tail;
                    break;
                }
                if value.starts_with('-') && value.len() > 1 {
                    rest = if value_flags.contains(&value) {
                        tail.get(1..).unwrap_or(&[])
                    } else {
                        tail
                    };
                    // `nice -5`: the number is the adjustment itself.
                    continue;
                }
                if matches!(program, "env" | "sudo") && lexer::is_assignment(value.as_bytes()) {
                    rest = tail;
                    continue;
                }
                break;
            }
            match rest.split_first() {
                Some((name, args)) => {
                    view = CommandView {
                        name: Some(name),
                        args,
                    }
                }
                None => {
                    view = CommandView {
                        name: None,
                        args: rest,
                    };
                    break;
                }
            }
        }
        view
    }

    /// The shell (`bash`, `sh`, `dash`, `ash`, `ksh`, `mksh`, `zsh`), through wrappers, that
    /// reads its script from standard input: given no `-c` string and no script file (an
    /// operand before `-s`), as in `bash -euo pipefail <<EOF` or `sudo -u app sh -s -- a b`.
    /// Its program name; `None` for any other command.
    pub fn stdin_script_shell(&self) -> Option<&str> {
        let view = self.effective();
        let program = view.program()?;
        if !matches!(
            program,
            "sh" | "bash" | "dash" | "ash" | "ksh" | "mksh" | "zsh"
        ) {
            return None;
        }
        let mut stdin = false;
        let mut args = view.args.iter().map(|word| word.value.as_str());
        while let Some(arg) = args.next() {
            match arg {
                // The end of the options: what follows is a script file, unless `-s`.
                "-" | "--" => return (stdin || args.next().is_none()).then_some(program),
                "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file" => {
                    args.next();
                }
                long if long.starts_with("--") => {}
                group if group.len() > 1 && group.starts_with(['-', '+']) => {
                    let letters = &group[1..];
                    if letters.contains('c') {
                        return None;
                    }
                    stdin |= letters.contains('s');
                    // `-euo pipefail`: `o` takes the next word.
                    if letters.ends_with(['o', 'O']) {
                        args.next();
                    }
                }
                // A script file, or the first positional parameter after `-s`.
                _ => return stdin.then_some(program),
            }
        }
        Some(program)
    }

    /// See [`CommandView::program`]; on the command as written.
    pub fn program(&self) -> Option<&str> {
        self.view().program()
    }

    /// See [`CommandView::subcommand`]; on the command as written.
    pub fn subcommand(&self) -> Option<&Word> {
        self.view().subcommand()
    }

    /// See [`CommandView::has_flag`]; on the command as written.
    pub fn has_flag(&self, short: char, long: &str) -> bool {
        self.view().has_flag(short, long)
    }
}

impl ShellScript {
    /// The commands whose effective program (through `sudo`, `env`… see
    /// [`SimpleCommand::effective`]) is `program`, with that view.
    pub fn invocations<'a>(
        &'a self,
        program: &'a str,
    ) -> impl Iterator<Item = (&'a SimpleCommand, CommandView<'a>)> + 'a {
        self.commands.iter().filter_map(move |command| {
            let view = command.effective();
            (view.program() == Some(program)).then_some((command, view))
        })
    }

    /// Whether the heredoc `<<delimiter` opened in this script is run as a shell script: the
    /// instruction is `RUN <<EOF` alone (BuildKit runs the body with the shell) or feeds it to
    /// `sh`, `bash`, `dash`, `ash`, `zsh` or `ksh` (through wrappers such as `sudo`). A body
    /// fed to `python3 <<EOF` or written by `cat <<EOF > file` is not.
    pub fn runs_heredoc_as_shell(&self, delimiter: &str) -> bool {
        self.commands.iter().any(|command| {
            let opens = command.redirects.iter().any(|redirect| {
                matches!(redirect.op, "<<" | "<<-")
                    && redirect
                        .target
                        .as_ref()
                        .is_some_and(|t| t.value == delimiter)
            });
            opens
                && match command.effective().program() {
                    None => true,
                    Some(program) => {
                        matches!(program, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh")
                    }
                }
        })
    }
}

/// Maps offsets of the analysed text to Dockerfile offsets.
#[derive(Clone, Copy)]
enum Mapping<'a> {
    Shell(&'a ShellText),
    Offset(usize),
}

impl Mapping<'_> {
    fn span(self, start: usize, end: usize) -> Span {
        match self {
            Mapping::Shell(text) => text.source_span(start, end),
            Mapping::Offset(base) => Span::new(base + start, base + end),
        }
    }
}

/// Analyses shell-form RUN/CMD/ENTRYPOINT text.
pub fn analyze(text: &ShellText) -> ShellScript {
    analyze_mapped(&text.value, Mapping::Shell(text))
}

/// Analyses a script body (a heredoc) that starts at `source_start` in the Dockerfile and is
/// copied verbatim (no continuation joining).
pub fn analyze_str(body: &str, source_start: usize) -> ShellScript {
    analyze_mapped(body, Mapping::Offset(source_start))
}

/// Analyses an exec-form RUN (`RUN ["apt-get", "install", "-y", "curl"]`): no shell runs it, so
/// its JSON strings are the words of one simple command. When that command is a shell given a
/// script (`["sh", "-c", "apt-get update && …"]`, also `bash -o pipefail -c`, `-ec`), the
/// script is the RUN's own shell text and its commands follow; only a JSON string without
/// escapes is analysed, so spans map one to one. `words` carry their source spans (inside the
/// quotes) and their decoded values.
pub fn analyze_exec(words: Vec<Word>) -> ShellScript {
    let mut words = words.into_iter();
    let Some(name) = words.next() else {
        return ShellScript::default();
    };
    let args: Vec<Word> = words.collect();
    let span = args
        .last()
        .map_or(name.span, |last| name.span.cover(last.span));
    let command = SimpleCommand {
        span,
        assignments: Vec::new(),
        name: Some(name),
        args,
        redirects: Vec::new(),
        pipeline: PipelinePos { index: 0, len: 1 },
        in_substitution: false,
        in_shell_string: false,
        effective_at: EffectiveMemo::default(),
    };
    let script = exec_shell_script(&command).map(|word| analyze_str(&word.value, word.span.start));
    let mut commands = vec![command];
    let mut error = SyntaxError::default();
    if let Some(script) = script {
        commands.extend(script.commands);
        error = script.error;
    }
    ShellScript { commands, error }
}

/// The script word of an exec-form shell call (`sh -c script`, `bash -o pipefail -c script`,
/// `sh -ec script`), when its source text is exactly its value.
fn exec_shell_script(command: &SimpleCommand) -> Option<&Word> {
    let view = command.view();
    if !matches!(
        view.program()?,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh"
    ) {
        return None;
    }
    let mut has_c = false;
    let mut args = view.args.iter();
    while let Some(word) = args.next() {
        let value = word.value.as_str();
        if matches!(value, "-o" | "+o" | "-O" | "+O") {
            args.next();
            continue;
        }
        if (value.starts_with('-') || value.starts_with('+')) && value.len() > 1 {
            has_c |= !value.starts_with("--") && value.contains('c');
            continue;
        }
        return (has_c && word.raw == word.value).then_some(word);
    }
    None
}

/// A range of the text still to scan.
struct Work {
    range: Range,
    /// Substitution (or `sh -c` string) nesting level.
    depth: usize,
    /// Compound-command nesting at the point where the range starts, as brush would see it.
    nesting: usize,
    in_substitution: bool,
    in_shell_string: bool,
}

fn analyze_mapped(text: &str, mapping: Mapping<'_>) -> ShellScript {
    let mut commands = Vec::new();
    let mut lex_error = None;
    let mut open_heredocs = Vec::new();
    let mut max_depth = 0;
    let mut unclosed = None;
    let mut work = vec![Work {
        range: (0, text.len()),
        depth: 0,
        nesting: 0,
        in_substitution: false,
        in_shell_string: false,
    }];
    // Nested substitutions are scanned once per level; a budget keeps pathological nesting
    // (`$(`×500 000) linear with a small factor.
    let budget = text
        .len()
        .saturating_mul(SUBSTITUTION_BUDGET_FACTOR)
        .saturating_add(1 << 20);
    let mut scanned = 0usize;
    while let Some(item) = work.pop() {
        let (start, end) = item.range;
        let Some(body) = text.get(start..end) else {
            continue;
        };
        if item.depth > 0 && scanned.saturating_add(body.len()) > budget {
            continue;
        }
        scanned = scanned.saturating_add(body.len());
        // A body opened by a backtick (also `` \` `` at the second level) unescapes `` \` ``.
        let in_backtick = start
            .checked_sub(1)
            .and_then(|before| text.as_bytes().get(before))
            == Some(&b'`');
        let scan = Scanner::run(body, start, in_backtick);
        if !item.in_shell_string {
            // The `sh -c` string is data to this script; its problems are not ours.
            max_depth = max_depth.max(item.nesting + scan.max_depth);
            if item.depth == 0 {
                open_heredocs = scan.open_heredocs;
            }
            if lex_error.is_none() {
                lex_error = scan.error;
            }
            if unclosed.is_none() {
                unclosed = scan.unclosed;
            }
        }
        let descend = item.depth < MAX_SUBSTITUTION_DEPTH;
        for raw in scan.commands {
            let arg_ranges = raw.args.clone();
            let mut command = build_command(text, mapping, raw, item.in_substitution);
            command.in_shell_string = item.in_shell_string;
            if descend && let Some(range) = shell_c_script(text, &command, &arg_ranges) {
                work.push(Work {
                    range,
                    depth: item.depth + 1,
                    nesting: 0,
                    in_substitution: item.in_substitution,
                    in_shell_string: true,
                });
            }
            commands.push(command);
        }
        if descend {
            for range in scan.substitutions {
                work.push(Work {
                    range,
                    depth: item.depth + 1,
                    // One more level per substitution, as brush would see it.
                    nesting: item.nesting + scan.max_depth + 1,
                    in_substitution: true,
                    in_shell_string: item.in_shell_string,
                });
            }
        }
    }
    commands.sort_by_key(|command: &SimpleCommand| (command.span.start, command.span.end));
    let error = match lex_error {
        Some(error) => SyntaxError::known(Some(ShellError {
            message: error.message.to_owned(),
            span: mapping.span(error.start, error.end),
        })),
        None if max_depth <= MAX_VALIDATE_DEPTH
            && (text.len() << max_depth) <= MAX_VALIDATE_WORK =>
        {
            SyntaxError {
                found: OnceLock::new(),
                pending: Some(Arc::new(PendingCheck {
                    text: text.to_owned(),
                    open_heredocs,
                    mapping: match mapping {
                        Mapping::Shell(text) => OwnedMapping::Shell(text.clone()),
                        Mapping::Offset(base) => OwnedMapping::Offset(base),
                    },
                })),
            }
        }
        // Too big or deep for brush-parser: report what the scanner knows.
        None => SyntaxError::known(unclosed.map(|offset| ShellError {
            message: "shell syntax error: compound command not closed".to_owned(),
            span: mapping.span(offset, offset + 1),
        })),
    };
    ShellScript { commands, error }
}

fn build_command(
    text: &str,
    mapping: Mapping<'_>,
    raw: lexer::RawCommand,
    nested: bool,
) -> SimpleCommand {
    let word = |(start, end): Range| {
        let written = text.get(start..end).unwrap_or("");
        Word {
            span: mapping.span(start, end),
            raw: written.to_owned(),
            value: unquote(written),
        }
    };
    SimpleCommand {
        span: mapping.span(raw.start, raw.end),
        assignments: raw.assignments.into_iter().map(word).collect(),
        name: raw.name.map(word),
        args: raw.args.into_iter().map(word).collect(),
        redirects: raw
            .redirects
            .into_iter()
            .map(|redirect| Redirect {
                span: mapping.span(redirect.start, redirect.end),
                fd: redirect.fd,
                op: redirect.op,
                target: redirect.target.map(word),
            })
            .collect(),
        pipeline: PipelinePos {
            index: raw.pipe_index,
            len: raw.pipe_len.max(raw.pipe_index + 1),
        },
        in_substitution: nested,
        in_shell_string: false,
        effective_at: EffectiveMemo::default(),
    }
}

/// The text range of the script string of `sh -c 'script'`, when it maps exactly.
fn shell_c_script(text: &str, command: &SimpleCommand, arg_ranges: &[Range]) -> Option<Range> {
    let view = command.effective();
    if !matches!(
        view.program()?,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh"
    ) {
        return None;
    }
    // `-c` may be grouped with other short options (`-ec`, `-xc`); the script is the first
    // operand after the options.
    let mut has_c = false;
    let mut script = None;
    for (index, word) in view.args.iter().enumerate() {
        let value = word.value.as_str();
        if value.starts_with('-') && !value.starts_with("--") && value.len() > 1 {
            has_c |= value.contains('c');
            continue;
        }
        if value.starts_with("--") {
            continue;
        }
        script = Some(index);
        break;
    }
    let index = command.args.len().checked_sub(view.args.len())? + script?;
    if !has_c {
        return None;
    }
    let (start, end) = *arg_ranges.get(index)?;
    let raw = text.get(start..end)?;
    let inner = raw.get(1..raw.len().checked_sub(1)?)?;
    let exact = match (raw.as_bytes().first(), raw.as_bytes().last()) {
        (Some(b'\''), Some(b'\'')) => !inner.contains('\''),
        (Some(b'"'), Some(b'"')) => !inner.contains(['"', '\\']),
        _ => false,
    };
    (exact && raw.len() >= 2).then_some((start + 1, end - 1))
}

/// Asks brush-parser whether `text` is valid shell; returns the byte offset and message of
/// the error. Heredocs whose bodies live outside the text get synthetic terminators.
fn validate(text: &str, open_heredocs: &[String]) -> Option<(usize, String)> {
    let mut input = String::with_capacity(text.len() + 1);
    input.push_str(text);
    for delimiter in open_heredocs {
        input.push('\n');
        input.push_str(delimiter);
    }
    input.push('\n');
    if open_heredocs.is_empty() && plain::obviously_valid(&input) {
        // Debug builds (the suite, the corpus sweep) hold the quick verdict to brush-parser's.
        debug_assert_eq!(
            brush_verdict(&input),
            None,
            "the quick verdict took invalid shell for valid: {input:?}"
        );
        return None;
    }
    let (position, message) = SYNTAX_CHECKS.get_or_check(input)?;
    // brush counts characters; convert to a byte offset within the original text.
    let offset = position
        .and_then(|index| text.char_indices().nth(index).map(|(offset, _)| offset))
        .unwrap_or(text.len());
    Some((offset, message))
}

/// brush-parser's verdict on one input: the character index of the error (if it has one) and
/// the message; `None` for valid shell.
type Verdict = Option<(Option<usize>, String)>;

/// The most `[` one word may hold for brush-parser to judge the text. Its parser backtracks
/// through every way to read `name[` as an array subscript, twice per `[` after which a `\`
/// follows: `t[\O` written 16 times took 34 ms, 30 times would take minutes (found by the
/// `shell` fuzz target). Real words hold one or two (`${a[0]}`, `[a-z]`); past the bound the
/// text gets no verdict, as for valid shell.
const MAX_BRACKETS_PER_WORD: usize = 8;

fn brush_verdict(input: &str) -> Verdict {
    let crowded = input
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|'))
        .any(|word| word.bytes().filter(|&b| b == b'[').count() > MAX_BRACKETS_PER_WORD);
    if crowded {
        return None;
    }
    let options = brush_parser::ParserOptions::default();
    let mut parser = brush_parser::Parser::new(BufReader::new(input.as_bytes()), &options);
    // brush-parser 0.4's tokenizer unwraps on some malformed input (`<<M ${` then a newline and
    // `}`, found by the `shell` fuzz target): no verdict then, as for valid shell.
    let error = quiet_panic::quietly(|| parser.parse_program())?.err()?;
    let position = match &error {
        brush_parser::ParseError::ParsingNear(position) => Some(position.index),
        brush_parser::ParseError::Tokenizing { position, .. } => position.as_ref().map(|p| p.index),
        brush_parser::ParseError::ParsingAtEndOfInput => None,
    };
    let message = match &error {
        brush_parser::ParseError::Tokenizing { inner, .. } => {
            format!("shell syntax error: {inner}")
        }
        _ => "shell syntax error".to_owned(),
    };
    Some((position, message))
}

/// The syntax check is most of the cost of analysing a RUN (brush-parser's PEG parser allocates
/// per token), and its verdict depends on the text alone. An editor re-checks a file after each
/// keystroke with every RUN but one unchanged, and real projects repeat the same RUN lines across
/// Dockerfiles, so verdicts are remembered per process, keyed by the exact input. The memory is
/// bounded: past [`SYNTAX_CACHE_BYTES`] of remembered inputs it starts over.
static SYNTAX_CHECKS: SyntaxCache = SyntaxCache::new();

const SYNTAX_CACHE_BYTES: usize = 16 << 20;

/// Forget every remembered syntax verdict, so the next analyses run brush-parser again: for
/// benchmarks that measure a first check (a CLI run) rather than a re-check (an editor).
#[doc(hidden)]
pub fn forget_syntax_verdicts() {
    let mut inner = SYNTAX_CHECKS
        .inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    inner.verdicts = None;
    inner.bytes = 0;
}

struct SyntaxCache {
    inner: std::sync::Mutex<SyntaxCacheInner>,
}

#[derive(Default)]
struct SyntaxCacheInner {
    verdicts: Option<std::collections::HashMap<Box<str>, Verdict>>,
    bytes: usize,
}

impl SyntaxCache {
    const fn new() -> Self {
        Self {
            inner: std::sync::Mutex::new(SyntaxCacheInner {
                verdicts: None,
                bytes: 0,
            }),
        }
    }

    /// The verdict on `input`, from memory or from brush-parser (which runs outside the lock).
    fn get_or_check(&self, input: String) -> Verdict {
        // A panic inside brush-parser is caught by the caller's caller; the map stays valid.
        let lock = || self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(verdict) = lock().verdicts.as_ref().and_then(|v| v.get(input.as_str())) {
            return verdict.clone();
        }
        let verdict = brush_verdict(&input);
        let mut inner = lock();
        if inner.bytes + input.len() > SYNTAX_CACHE_BYTES {
            inner.verdicts = None;
            inner.bytes = 0;
        }
        inner.bytes += input.len();
        inner
            .verdicts
            .get_or_insert_with(Default::default)
            .insert(input.into_boxed_str(), verdict.clone());
        verdict
    }
}

/// Removes quotes and escapes; expansions (`$X`, `${…}`, `$(…)`, backticks) stay verbatim.
pub fn unquote(raw: &str) -> String {
    let b = raw.as_bytes();
    // Most words quote and escape nothing: only these three bytes change the text (a
    // substitution is skipped over but kept as written).
    if memchr::memchr3(b'\\', b'\'', b'"', b).is_none() {
        return raw.to_owned();
    }
    unquote_each(raw)
}

/// [`unquote`], byte by byte.
fn unquote_each(raw: &str) -> String {
    let b = raw.as_bytes();
    let len = b.len();
    let mut out = String::with_capacity(len);
    let mut i = 0;
    // Start of the pending verbatim run; flushed at every quote or escape.
    let mut run = 0;
    let push = |out: &mut String, from: usize, to: usize| {
        if let Some(slice) = raw.get(from..to.min(len)) {
            out.push_str(slice);
        }
    };
    while i < len {
        match b[i] {
            b'\\' => {
                push(&mut out, run, i);
                // Keep the escaped character (a line continuation disappears).
                i += 1;
                run = i;
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                    run = i;
                } else if i < len {
                    i += utf8_len(b[i]);
                }
            }
            b'\'' => {
                push(&mut out, run, i);
                let close = b[i + 1..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(len, |p| i + 1 + p);
                push(&mut out, i + 1, close);
                i = (close + 1).min(len);
                run = i;
            }
            b'$' if b.get(i + 1) == Some(&b'\'') => {
                push(&mut out, run, i);
                let mut j = i + 2;
                while j < len && b[j] != b'\'' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let close = j.min(len);
                push(&mut out, i + 2, close);
                i = (close + 1).min(len);
                run = i;
            }
            b'"' => {
                push(&mut out, run, i);
                let mut j = i + 1;
                let mut seg = j;
                while j < len && b[j] != b'"' {
                    match b[j] {
                        b'\\'
                            if matches!(b.get(j + 1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) =>
                        {
                            push(&mut out, seg, j);
                            seg = j + 1;
                            if b.get(j + 1) == Some(&b'\n') {
                                seg = j + 2;
                            }
                            j += 2;
                        }
                        b'$' | b'`'
                            if matches!(b.get(j + 1), Some(b'(' | b'{')) || b[j] == b'`' =>
                        {
                            let mut ignored = Vec::new();
                            j = lexer_skip(b, j, &mut ignored);
                        }
                        _ => j += 1,
                    }
                }
                let close = j.min(len);
                push(&mut out, seg, close);
                i = (close + 1).min(len);
                run = i;
            }
            b'$' | b'`' if b[i] == b'`' || matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                let mut ignored = Vec::new();
                i = lexer_skip(b, i, &mut ignored);
            }
            _ => i += 1,
        }
    }
    push(&mut out, run, len);
    out
}

fn lexer_skip(b: &[u8], i: usize, subs: &mut Vec<Range>) -> usize {
    match lexer::skip(b, i, subs) {
        Ok(end) | Err(end) => end.max(i + 1),
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
