//! Findings: what a rule reports, with a precise span, help text and an optional fix.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::syntax::excerpt::cap_message;
use crate::syntax::source::SourceFile;
use crate::syntax::span::Span;

/// How serious a finding is. Ordered: `Style < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is about. Used for selection (`--select privilege`) and in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Provenance,
    Privilege,
    Secrets,
    Resources,
    Isolation,
    Network,
    Reproducibility,
    Efficiency,
    Correctness,
    Style,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Provenance,
        Category::Privilege,
        Category::Secrets,
        Category::Resources,
        Category::Isolation,
        Category::Network,
        Category::Reproducibility,
        Category::Efficiency,
        Category::Correctness,
        Category::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Provenance => "provenance",
            Category::Privilege => "privilege",
            Category::Secrets => "secrets",
            Category::Resources => "resources",
            Category::Isolation => "isolation",
            Category::Network => "network",
            Category::Reproducibility => "reproducibility",
            Category::Efficiency => "efficiency",
            Category::Correctness => "correctness",
            Category::Style => "style",
        }
    }

    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether applying a fix can change what the file means (ruff's terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the meaning of the file; may be applied without review.
    Safe,
    /// May change behaviour; offered, applied only on request.
    Unsafe,
    /// Shown as a suggestion only.
    DisplayOnly,
}

impl Applicability {
    /// The name reports give it (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// Replace the text at `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A secondary location that explains a finding ("the stage starts here"). Usually in the
/// finding's own file; a cross-file rule (a compose service and the Dockerfile it builds) points
/// into another file, named by `path`, whose text travels along in `file` so reporters can show
/// lines and columns without reading it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Byte range in the finding's file, or in `path` when that is set.
    pub span: Span,
    pub message: String,
    /// The other file the span points into (its display path); `None` for the finding's file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The other file's source, when `path` is set.
    #[serde(skip)]
    pub file: Option<LabelFile>,
}

impl Label {
    /// A label in the finding's own file.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: cap_message(message.into()),
            path: None,
            file: None,
        }
    }

    /// A label at `span` of another file.
    pub fn in_file(file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: cap_message(message.into()),
            path: Some(file.path.clone()),
            file: Some(LabelFile(Arc::clone(file))),
        }
    }

    /// The file of a label in another file.
    pub fn other_file(&self) -> Option<&SourceFile> {
        self.file.as_ref().map(|file| &*file.0)
    }
}

/// The source of a label's other file. Two are equal when path and text are.
#[derive(Clone, Debug)]
pub struct LabelFile(pub Arc<SourceFile>);

impl PartialEq for LabelFile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.path == other.0.path && self.0.text == other.0.text)
    }
}

impl Eq for LabelFile {}

/// The most labels one finding carries (docs/limits.md): a RUN installing 8,000 packages gave
/// one finding 8,000 labels, and drawing them took the text report 15 s and 11 GB.
pub const MAX_LABELS: usize = 32;

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Cow<'static, str>,
    pub name: Cow<'static, str>,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(cap_message(help.into()));
        self
    }

    /// Add a label at `span`; past [`MAX_LABELS`] labels, further ones are dropped.
    pub fn with_label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        if self.labels.len() < MAX_LABELS {
            self.labels.push(Label::new(span, message));
        }
        self
    }

    /// Add a label at `span` of another file (see [`Label::in_file`]).
    pub fn with_label_in(
        &mut self,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Self {
        if self.labels.len() < MAX_LABELS {
            self.labels.push(Label::in_file(file, span, message));
        }
        self
    }

    pub fn with_fix(&mut self, mut fix: Fix) -> &mut Self {
        fix.message = cap_message(fix.message);
        self.fix = Some(fix);
        self
    }
}
