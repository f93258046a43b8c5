//! The plimsoll language server: the protocol side only.
//!
//! This crate knows LSP (documents, positions, diagnostics, code actions, hovers) and nothing
//! about Dockerfiles. The root package implements [`Linter`] and hands it to [`run`]; the
//! dependency goes one way (root → this crate), so everything crossing the boundary is a
//! neutral type defined here: byte spans into the document text, codes, messages and edits.
//! Byte spans are turned into LSP positions here, in the encoding the client negotiated.

mod framing;
mod position;
mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use framing::{Frames, read_frames};
pub use position::{Encoding, LineIndex};
pub use server::{run, serve, serve_session};

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// `exit` after `shutdown`, or the client closed the input.
    Clean,
    /// `exit` without `shutdown` first: the LSP spec asks for exit code 1.
    ExitWithoutShutdown,
}

/// A document as the editor holds it.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// The file path (`None` for unsaved buffers and non-`file:` URIs).
    pub path: Option<&'a Path>,
    pub text: &'a str,
    /// The client's language id (`dockerfile`, `yaml`, …).
    pub language_id: Option<&'a str>,
    /// The other documents open in the editor, unsaved edits included: a check that reads
    /// another file (a compose service's Dockerfile) sees what the user sees.
    pub open: &'a [OpenFile],
}

/// A document open in the editor, by file path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// How serious a finding is, in LSP terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Information,
    Hint,
}

/// Extra meaning an editor may render (greyed out, struck through).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Unnecessary,
    Deprecated,
}

/// Replace the bytes `start..end` of the document with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub new_text: String,
}

/// A fix for one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    /// Keeps the meaning of the file: preferred, and applied by `source.fixAll.plimsoll`.
    pub safe: bool,
    pub edits: Vec<TextEdit>,
}

/// A secondary location that explains a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Another file, or `None` for the same document.
    pub path: Option<PathBuf>,
    /// The other file's text as the check read it (its spans index this text); `None` to read
    /// the file from disk.
    pub text: Option<Arc<str>>,
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Where an "ignore for this line" comment goes: a line start and the indentation to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub offset: usize,
    pub indent: String,
}

/// One problem in one document, with byte spans into the text that was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    /// The stable rule code (`DF002`), shown as the diagnostic code.
    pub code: String,
    pub message: String,
    pub level: Level,
    /// The rule's docs page.
    pub href: Option<String>,
    pub tags: Vec<Tag>,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// Where a line suppression for this finding goes (`None`: cannot be suppressed).
    pub suppress_at: Option<Insertion>,
}

/// A problem in a configuration file met while checking a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Absolute path of the config file.
    pub path: PathBuf,
    /// Byte span in that file, when the problem is in its content.
    pub span: Option<(usize, usize)>,
    pub message: String,
    /// The file's text, as the linter read it, to place `span` (the server opens no file).
    pub text: Option<Arc<str>>,
}

/// The result of checking one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub findings: Vec<Finding>,
    /// Where a file-wide suppression comment goes (after any parser directives).
    pub file_suppress_at: usize,
    /// Every config problem met so far (since the last [`Linter::reload_config`]).
    pub config_problems: Vec<ConfigProblem>,
    /// Internal errors met during the check (a rule that failed while the others completed):
    /// logged to the client, since the findings alone cannot say that some are missing.
    pub internal_errors: Vec<String>,
    /// The other files the check read (absolute): when one of them changes in the editor, this
    /// document is checked again.
    pub reads: Vec<PathBuf>,
    /// Findings of a slower source are still missing (an external tool that has not run on
    /// this text yet): the server publishes these findings at once, then calls
    /// [`Linter::check_late`] off the request path and replaces them with its result, if the
    /// document has not changed meanwhile.
    pub late: bool,
}

/// Documentation to show for a hover, and the byte span it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverInfo {
    pub start: usize,
    pub end: usize,
    pub markdown: String,
}

/// What the server needs from the linter. Calls may come from several threads at once.
pub trait Linter: Send + Sync + 'static {
    /// Check a document; `None` when it is not a file this linter handles. Should be quick: a
    /// finding source that is slow can be left for [`Linter::check_late`] (see
    /// [`Checked::late`]).
    fn check(&self, document: &Document<'_>) -> Option<Checked>;

    /// The complete check of a document whose [`Linter::check`] said [`Checked::late`]: every
    /// finding, the slow ones included. Runs on a background thread; its own `late` is
    /// ignored (there is no third round).
    fn check_late(&self, document: &Document<'_>) -> Option<Checked> {
        self.check(document)
    }

    /// The docs of the rule named at byte `offset` (a code in a suppression comment), if any.
    fn hover(&self, document: &Document<'_>, offset: usize) -> Option<HoverInfo>;

    /// `true` for a configuration file: saving or changing it re-checks every document.
    fn is_config_file(&self, path: &Path) -> bool;

    /// Glob patterns (relative to any workspace folder) of configuration files to watch.
    fn config_globs(&self) -> Vec<String>;

    /// Directories (absolute) whose YAML files are configuration too, wherever they are (policy
    /// directories). May grow as documents are checked; the server then watches them as well.
    fn config_dirs(&self) -> Vec<PathBuf> {
        Vec::new()
    }

    /// Glob patterns (relative to any workspace folder) of other files a check may read (the
    /// Dockerfiles compose services build): when one changes on disk, the open documents whose
    /// last check read it are checked again.
    fn dependency_globs(&self) -> Vec<String> {
        Vec::new()
    }

    /// Files changed on disk or in the editor (`paths`, absolute: a watched file event, a
    /// document opened, edited, saved or closed): drop whatever was cached from them. The server
    /// calls this before it checks again the open documents whose last check read one of them.
    fn files_changed(&self, paths: &[PathBuf]) {
        let _ = paths;
    }

    /// Forget every cached configuration (a config file changed).
    fn reload_config(&self);

    /// A name for log messages.
    fn name(&self) -> &'static str {
        "plimsoll"
    }
}
