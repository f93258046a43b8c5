//! The Dockerfile syntax tree: directives, comments, instructions with typed arguments, stages.
//!
//! Every node carries a byte span into the original text (a BOM, if present, stays in the text
//! and offsets count it). Values are given as BuildKit's parser sees them: continuation lines
//! joined, comment lines inside continuations dropped; the spans point at the original bytes.

use serde::Serialize;

use crate::syntax::image::ImageRef;
use crate::syntax::span::{Span, Spanned};

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Dockerfile {
    /// Parser directives at the top of the file (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    /// The escape character in force (`\\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Every comment in the file (directives excluded), in order, including comment lines
    /// inside continuations.
    pub comments: Vec<Comment>,
    /// Top-level instructions in order.
    pub instructions: Vec<Instruction>,
    /// Build stages, one per FROM, in order.
    pub stages: Vec<Stage>,
    /// Problems the parser recovered from; each becomes a `parse-error` finding.
    pub errors: Vec<ParseError>,
}

impl Dockerfile {
    /// The instructions of a stage, FROM included.
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        self.instructions
            .get(stage.instructions.clone())
            .unwrap_or(&[])
    }

    /// The stage `stage` is built on through `FROM <stage>`; stage references only point
    /// backwards, so following this always ends.
    pub fn base_stage(&self, stage: &Stage) -> Option<&Stage> {
        match stage.base.kind {
            BaseKind::Stage { index } if index < stage.index => self.stages.get(index),
            _ => None,
        }
    }

    /// The last stage: the one `docker build` produces without `--target`.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Directive {
    pub span: Span,
    /// Lower-cased name as BuildKit compares it (`syntax`, `escape`, `check`).
    pub name: Spanned<String>,
    pub value: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// From the `#` to the end of the line (line terminator excluded).
    pub span: Span,
    /// The text after `#`, untrimmed.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// The instruction keywords BuildKit knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
        }
    }

    /// Case-insensitive lookup, as BuildKit accepts `from` and `From`.
    pub fn parse(word: &str) -> Option<Keyword> {
        Keyword::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
    }
}

/// One instruction, possibly spanning several physical lines and heredoc bodies.
#[derive(Clone, Debug, Serialize)]
pub struct Instruction {
    /// From the keyword to the end of the last line of the instruction (line terminator
    /// excluded), heredoc bodies and their terminators included.
    pub span: Span,
    pub keyword: Keyword,
    /// The keyword as written (for casing rules).
    pub keyword_span: Span,
    /// `--name[=value]` flags in order, as written (unknown flags included).
    pub flags: Vec<Flag>,
    /// Everything after the flags on the instruction's logical line(s), without heredoc bodies.
    pub args_span: Span,
    /// Heredocs opened on this instruction's line, in order.
    pub heredocs: Vec<Heredoc>,
    pub command: Command,
    /// Index into [`Dockerfile::stages`] of the stage this instruction belongs to; `None` for
    /// ARGs before the first FROM (and for instructions before any FROM, which are errors).
    pub stage: Option<usize>,
}

impl Instruction {
    /// The first flag named `name` (without dashes), e.g. `flag("mount")`.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name.value == name)
    }

    /// The instruction an `ONBUILD` wraps (its trigger); `None` for any other instruction.
    pub fn trigger(&self) -> Option<&Instruction> {
        match &self.command {
            Command::Onbuild(inner) => Some(inner),
            _ => None,
        }
    }

    /// The instruction that does the work: an `ONBUILD`'s trigger, or this instruction.
    pub fn trigger_or_self(&self) -> &Instruction {
        self.trigger().unwrap_or(self)
    }

    /// All flags named `name` (RUN may have several `--mount`).
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name.value == name)
    }
}

/// `--name=value` or `--name`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// From the leading dashes to the end of the value.
    pub span: Span,
    /// The name without leading dashes.
    pub name: Spanned<String>,
    /// The value after `=`, quotes removed where BuildKit removes them; `None` for a bare flag.
    pub value: Option<Spanned<String>>,
}

/// A heredoc opened by `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` (optionally with an fd: `3<<EOF`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The `<<WORD` marker on the instruction line.
    pub marker_span: Span,
    /// The delimiter word, quotes removed.
    pub name: String,
    /// The body lines, from the line after the instruction line up to (not including) the
    /// terminator line. The value is the body text as BuildKit passes it on (with leading tabs
    /// removed for `<<-`).
    pub body: Spanned<String>,
    /// The terminator line (empty at the end of the file when the heredoc is unterminated).
    pub terminator_span: Span,
    /// `<<-`: leading tabs stripped.
    pub strip_tabs: bool,
    /// Quoted delimiter: no variable expansion in the body.
    pub quoted: bool,
    /// A file descriptor written before `<<`, as in `3<<EOF`.
    pub fd: Option<u32>,
}

/// The typed arguments of an instruction.
#[derive(Clone, Debug, Serialize)]
// Adjacently tagged: an internally tagged enum cannot serialize variants holding a sequence.
#[serde(tag = "type", content = "args", rename_all = "lowercase")]
pub enum Command {
    From(From),
    Run(ShellOrExec),
    Cmd(ShellOrExec),
    Entrypoint(ShellOrExec),
    /// SHELL takes only the JSON form; invalid JSON is a parse error and leaves this empty.
    Shell(Vec<Spanned<String>>),
    Copy(Copy),
    Add(Copy),
    Env(Vec<KeyValue>),
    Label(Vec<KeyValue>),
    Arg(Vec<KeyValue>),
    User(User),
    Workdir(Spanned<String>),
    Expose(Vec<Spanned<String>>),
    Volume(Vec<Spanned<String>>),
    Healthcheck(Healthcheck),
    Onbuild(Box<Instruction>),
    Stopsignal(Spanned<String>),
    Maintainer(Spanned<String>),
    /// The instruction could not be typed (a parse error was recorded for it).
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct From {
    /// The image reference as written (`${BASE}:${TAG}` stays unexpanded here).
    pub image: Spanned<String>,
    /// `AS name`.
    pub alias: Option<Spanned<String>>,
}

/// Shell form (`RUN apt-get update`) or exec form (`RUN ["apt-get", "update"]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "lowercase")]
pub enum ShellOrExec {
    Exec(Vec<Spanned<String>>),
    Shell(ShellText),
}

impl ShellOrExec {
    /// The shell text, if this is the shell form.
    pub fn shell(&self) -> Option<&ShellText> {
        match self {
            ShellOrExec::Shell(text) => Some(text),
            ShellOrExec::Exec(_) => None,
        }
    }
}

/// Shell-form text. `span` covers the original bytes (continuations and comment lines
/// included); `value` is the logical command as BuildKit hands it to the shell: escaped newlines
/// removed and comment lines inside the continuation dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShellText {
    pub span: Span,
    pub value: String,
    /// Maps offsets in `value` back to the source: `(value_offset, source_offset)` pairs at the
    /// start of every contiguous piece, sorted by `value_offset`.
    #[serde(skip)]
    pub pieces: Vec<(usize, usize)>,
}

impl ShellText {
    /// The source offset of byte `offset` of `value`.
    pub fn source_offset(&self, offset: usize) -> usize {
        self.offset_in(self.piece_of(offset), offset)
    }

    /// The index of the piece holding byte `offset` of `value` (`None`: before the first).
    fn piece_of(&self, offset: usize) -> Option<usize> {
        match self.pieces.binary_search_by_key(&offset, |&(v, _)| v) {
            Ok(i) => Some(i),
            Err(0) => None,
            Err(i) => Some(i - 1),
        }
    }

    /// The source offset of byte `offset` of `value`, which is in piece `piece`.
    fn offset_in(&self, piece: Option<usize>, offset: usize) -> usize {
        match piece.and_then(|index| self.pieces.get(index)) {
            Some(&(value_start, source_start)) => source_start + (offset - value_start),
            None => self.span.start + offset,
        }
    }

    /// The source span of `start..end` in `value`. When the range crosses a continuation the
    /// span covers the joined lines.
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        let piece = self.piece_of(start);
        let source_start = self.offset_in(piece, start);
        let source_end = if end > start {
            // Most words lie in one piece: the next piece starts after their last byte.
            let next = piece.map_or(0, |index| index + 1);
            let last = end - 1;
            let same = self.pieces.get(next).is_none_or(|&(v, _)| v > last);
            let piece = if same { piece } else { self.piece_of(last) };
            self.offset_in(piece, last) + 1
        } else {
            source_start
        };
        Span::new(source_start, source_end.max(source_start))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Copy {
    /// Sources (heredoc sources appear as their `<<EOF` marker words).
    pub sources: Vec<Spanned<String>>,
    /// The last argument; `None` when there is only one argument (a parse error).
    pub destination: Option<Spanned<String>>,
    /// `true` for the JSON form `COPY ["a", "b"]`.
    pub json: bool,
}

impl Copy {
    /// A source or destination as BuildKit uses it: the shell form keeps quotes in the words
    /// (as BuildKit's parser does), and BuildKit's word processing removes a pair around the
    /// word (`ADD "vendor.tar.gz" /opt/` adds `vendor.tar.gz`); the JSON form's strings are
    /// already decoded. A quote that does not close the word is left alone.
    pub fn path<'a>(&self, word: &'a Spanned<String>) -> &'a str {
        let value = word.value.as_str();
        if self.json {
            return value;
        }
        ['"', '\'']
            .iter()
            .find_map(|&quote| {
                let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
                (!inner.contains(quote)).then_some(inner)
            })
            .unwrap_or(value)
    }
}

/// `KEY=value` (or the legacy `KEY value` form) in ENV, LABEL and ARG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub span: Span,
    pub key: Spanned<String>,
    /// The value with shell quoting removed (`"a b"` → `a b`); span covers the value as
    /// written, quotes included. `None` for `ARG NAME` without a default.
    pub value: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    /// The user part of `user[:group]`.
    pub user: Spanned<String>,
    pub group: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`.
    None,
    /// `HEALTHCHECK [flags] CMD …`.
    Cmd {
        cmd_span: Span,
        command: ShellOrExec,
    },
}

/// One build stage: a FROM and the instructions up to the next FROM.
#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// Indices of this stage's instructions (FROM included) in [`Dockerfile::instructions`].
    pub instructions: std::ops::Range<usize>,
    /// `AS name`, as written.
    pub name: Option<Spanned<String>>,
    pub base: BaseImage,
}

/// The base of a stage: its FROM argument, what it resolves to, and what kind of base it is.
#[derive(Clone, Debug, Serialize)]
pub struct BaseImage {
    /// The argument as written in FROM.
    pub raw: Spanned<String>,
    /// The reference after substituting ARG defaults (equal to `raw.value` when it has no
    /// variables); `None` when a variable has no default, so the reference is unresolved.
    pub resolved: Option<String>,
    pub kind: BaseKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum BaseKind {
    /// `FROM scratch`.
    Scratch,
    /// `FROM <earlier stage name>`.
    Stage { index: usize },
    /// A registry image.
    Image(ImageRef),
    /// Variables without defaults, or not a valid reference.
    Unresolved,
}
