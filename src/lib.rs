//! plimsoll: a policy-as-code linter for Dockerfiles and Docker Compose files.
//!
//! The pipeline: a [`SourceFile`] is parsed into a model ([`dockerfile`] or [`compose`]), the
//! [`engine`] runs the enabled rules on it and returns [`Finding`]s; reporters and the language
//! server render them. Rules read a Dockerfile's stages through [`semantic`] (the FROM chain, the
//! shell and user in force). [`selection`] turns rule selectors into the settings the engine runs
//! with; [`config`] resolves each file's settings from `.plimsoll.yaml` files,
//! [`suppress`] applies inline suppressions inside the engine, and [`baseline`] drops findings
//! recorded earlier. A rule in effect is a [`rule_ref::RuleRef`] (a built-in `static` or a shared
//! policy rule); the [`catalogue`] of a run (its policy rules and their problems) is a value the
//! config resolver builds for the reporters and the language server. Nothing below the CLI prints: [`discover`], [`runner`], [`config`] and
//! [`baseline`] read files, and only [`cli`] writes to stdout and stderr.

pub mod atomic_write;
pub mod baseline;
pub mod catalogue;
pub mod cli;
pub mod compose;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod dockerfile;
pub mod engine;
pub mod examples;
pub mod excerpt;
pub mod image;
pub mod lsp;
pub mod policy;
pub mod rego;
pub mod report;
pub mod rule;
pub mod rule_ref;
pub mod runner;
pub mod secrets;
pub mod selection;
pub mod semantic;
pub mod source;
pub mod span;
pub mod suppress;
pub mod workspace;
pub mod yaml;

// The built-in rules live at the top of the repository, code and prose side by side.
#[path = "../rules/mod.rs"]
pub mod rules;

pub use diagnostic::{Category, Finding, Severity};
pub use source::{FileKind, SourceFile};
pub use span::Span;
