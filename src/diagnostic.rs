//! Findings: what a rule reports, with a precise span, help text and an optional fix.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::span::Span;

/// How serious a finding is. Ordered: `Style < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
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

/// A secondary location that explains a finding ("the stage starts here").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

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
        self.help = Some(help.into());
        self
    }

    pub fn with_label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
}
