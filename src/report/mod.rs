//! Reporters: one small module per output format behind [`Format`]. A reporter takes the results
//! of a run (each file's source and findings, and the files that could not be checked) and writes
//! them to a [`Write`]; it never decides the exit code.

mod compact;
mod json;
mod text;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Finding, Severity};
use crate::source::SourceFile;
use crate::span::Position;

/// The output formats of `plimsoll check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames with the span underlined, and a summary.
    #[default]
    Text,
    /// One line per finding: `path:line:col: severity[code/name] message`.
    Compact,
    /// One JSON object (see docs/json-output.md).
    Json,
}

/// One checked file: its source and its findings (sorted by position).
#[derive(Debug)]
pub struct FileResult {
    pub source: SourceFile,
    pub findings: Vec<Finding>,
}

/// A file that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub message: String,
    /// Where in the file the problem is, when known (the first invalid UTF-8 byte).
    pub position: Option<Position>,
}

impl FileError {
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            message: message.into(),
            position: None,
        }
    }

    /// `path: message` or `path:line:col: message`.
    pub fn located_message(&self) -> String {
        match self.position {
            Some(at) => format!(
                "{}:{}:{}: {}",
                printable(&self.path.display().to_string()),
                at.line,
                at.column,
                printable(&self.message)
            ),
            None => format!(
                "{}: {}",
                printable(&self.path.display().to_string()),
                printable(&self.message)
            ),
        }
    }
}

/// Everything a run produced, files and errors each sorted by path.
#[derive(Debug, Default)]
pub struct Results {
    pub files: Vec<FileResult>,
    pub errors: Vec<FileError>,
}

impl Results {
    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|f| f.findings.len()).sum()
    }

    /// How many findings there are of `severity`.
    pub fn count_of(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|(_, f)| f.severity == severity)
            .count()
    }

    pub fn files_with_findings(&self) -> usize {
        self.files.iter().filter(|f| !f.findings.is_empty()).count()
    }

    /// Every finding with its file, in report order.
    pub fn findings(&self) -> impl Iterator<Item = (&SourceFile, &Finding)> {
        self.files
            .iter()
            .flat_map(|file| file.findings.iter().map(move |f| (&file.source, f)))
    }
}

/// How to render, beyond the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// ANSI colours (text format only).
    pub color: bool,
    /// Only the findings: no summary line.
    pub quiet: bool,
}

/// Render `results` in `format` to `out`.
pub fn write(
    format: Format,
    results: &Results,
    options: Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(results, options, out),
        Format::Compact => compact::write(results, out),
        Format::Json => json::write(results, out),
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

/// `1 file`, `2 files`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
