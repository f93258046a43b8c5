//! What a rule is: a static declaration (code, name, metadata, docs) plus one check function.
//!
//! Built-in rules live in `rules/`, one `.rs` and one `.md` per rule, and are listed once in
//! `rules/mod.rs`. The same declaration feeds `plimsoll rules`, `plimsoll rule NAME`, the docs,
//! SARIF rule metadata and LSP hovers.

use serde::Serialize;

use crate::compose::ComposeFile;
use crate::diagnostic::{Category, Finding, Severity};
use crate::dockerfile::Dockerfile;
use crate::source::SourceFile;
use crate::span::Span;

/// Which files a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Dockerfile,
    Compose,
    /// Both kinds (reserved rules such as `parse-error`).
    Any,
}

/// Whether a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// How settled a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Stable,
    Preview,
}

/// What a Dockerfile rule sees.
pub struct DockerfileContext<'a> {
    pub source: &'a SourceFile,
    pub dockerfile: &'a Dockerfile,
}

/// What a compose rule sees.
pub struct ComposeContext<'a> {
    pub source: &'a SourceFile,
    pub compose: &'a ComposeFile,
}

/// The check function of a rule.
#[derive(Clone, Copy)]
pub enum Check {
    Dockerfile(fn(&DockerfileContext<'_>, &mut Emitter<'_>)),
    Compose(fn(&ComposeContext<'_>, &mut Emitter<'_>)),
    /// Findings of this rule are produced by the engine itself (parse errors, duplicate keys).
    Engine,
}

/// A built-in rule, declared once as a `static`.
pub struct Rule {
    /// Stable code: `DF###` for Dockerfile rules, `DC###` for compose rules.
    pub code: &'static str,
    /// Readable kebab-case name, unique across all rules.
    pub name: &'static str,
    /// One line: what the rule flags.
    pub summary: &'static str,
    pub target: Target,
    pub category: Category,
    pub severity: Severity,
    /// Whether the rule runs without being selected explicitly.
    pub default_enabled: bool,
    pub fix: FixAvailability,
    pub status: Status,
    /// The version that introduced the rule.
    pub since: &'static str,
    /// Ids of the same check elsewhere: `hadolint:DL3007`, `buildkit:SecretsUsedInArgOrEnv`,
    /// `kics:<uuid prefix>`, `checkov:CKV_DOCKER_7`, `cis:4.1`, `nist-800-190:3.1.5`, `cwe:798`.
    pub related: &'static [&'static str],
    /// The rule's docs page (markdown with fixed headings), via `include_str!`.
    pub docs: &'static str,
    pub check: Check,
}

impl Rule {
    /// A finding of this rule, with the rule's default severity.
    pub fn finding(&self, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            code: self.code.into(),
            name: self.name.into(),
            category: self.category,
            severity: self.severity,
            message: message.into(),
            span,
            help: None,
            labels: Vec::new(),
            fix: None,
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Collects the findings of one rule on one file.
pub struct Emitter<'r> {
    rule: &'r Rule,
    findings: Vec<Finding>,
}

impl<'r> Emitter<'r> {
    pub fn new(rule: &'r Rule) -> Self {
        Self {
            rule,
            findings: Vec::new(),
        }
    }

    pub fn rule(&self) -> &'r Rule {
        self.rule
    }

    /// Report a finding at `span`; the returned finding can take help, labels and a fix.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.findings.push(self.rule.finding(span, message));
        self.findings.last_mut().expect("just pushed")
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
