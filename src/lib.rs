//! plimsoll: a policy-as-code linter for Dockerfiles and Docker Compose files.
//!
//! The layers, each importing only the ones before it (`tests/layers.rs` checks this; see
//! docs/architecture.md): [`syntax`] (sources, spans, the YAML tree, the Dockerfile parser, the
//! compose model) → [`semantic`] (the stage graph, the user and shell in force) → [`linter`]
//! (rules, selection, suppressions, the engine) → [`policies`] (YAML templates and Rego) →
//! [`workspace`] (config, file discovery, the runner, the baseline: all file I/O) → [`report`]
//! (the output formats) → [`surfaces`] (the CLI and the language server).

pub mod linter;
pub mod policies;
pub mod report;
pub mod semantic;
pub mod surfaces;
pub mod syntax;
pub mod workspace;

pub use linter::diagnostic::{Category, Finding, Severity};
pub use syntax::source::{FileKind, SourceFile};
pub use syntax::span::Span;
