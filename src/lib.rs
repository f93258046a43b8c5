//! plimsoll: a policy-as-code linter for Dockerfiles and Docker Compose files.
//!
//! The layers, each importing only the ones before it (`tests/layers.rs` checks this; see
//! docs/architecture.md): [`syntax`] (sources, spans, the YAML tree, the Dockerfile parser, the
//! compose model) → [`semantic`] (the stage graph, the user and shell in force) → [`linter`]
//! (rules, selection, suppressions, the engine) → [`policies`] (YAML templates and Rego) →
//! [`workspace`] (config, file discovery, the runner, the baseline: all file I/O) → [`report`]
//! (the output formats) → [`surfaces`] (the CLI and the language server).

/// The project's site: its home page, and a page per built-in rule at `{SITE_URL}/rules/<name>`
/// ([`linter::catalogue::rule_page`]). Every output that links to the site starts here, and the
/// site itself is built for this address (`plimsoll docs-site`, scripts/docs-site.sh): one place
/// to change when the site moves.
pub const SITE_URL: &str = "https://plimsoll.dev";

pub mod linter;
pub mod policies;
pub mod report;
pub mod semantic;
pub mod surfaces;
pub mod syntax;
#[cfg(test)]
mod testing;
pub mod workspace;

pub use linter::diagnostic::{Category, Finding, Severity};
pub use syntax::source::{FileKind, SourceFile};
pub use syntax::span::Span;
