//! What a run produced: each checked file with its findings, and the files that could not be
//! checked or were deliberately skipped. The runner builds it; reporters render it.

use std::path::{Path, PathBuf};

use crate::linter::diagnostic::{Finding, Severity};
use crate::syntax::excerpt::printable;
use crate::syntax::source::SourceFile;
use crate::syntax::span::Position;

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
    /// Files deliberately not read (a walked symlink out of the checked directory), with the
    /// reason: not errors, they do not change the exit code.
    pub skipped: Vec<FileError>,
    /// Files `--fix` changed (their results hold the fixed text and its findings).
    pub fixed: Vec<FixRecord>,
    /// Findings left out by `--diff-base` as older than the change.
    pub older: usize,
}

/// A file `--fix` changed: its text before, and how many fixes were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixRecord {
    pub path: PathBuf,
    pub original: String,
    pub applied: usize,
    /// The fixed text would not parse: the file was left as it was.
    pub rejected: bool,
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
