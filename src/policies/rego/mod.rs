//! Rego policies: the `.rego` files of a policy directory, compiled once with regorus into a
//! [`RegoSet`] and evaluated per checked file. Each package with `deny`/`violation`/`warn`
//! rules becomes one policy rule (a [`RuleRef::Policy`](crate::linter::rule::RuleRef::Policy), plus one per result rule that carries its
//! own `# METADATA` code), so selection, severities, suppressions, baselines and every output
//! format treat Rego findings like any other. docs/rego.md is the user-facing description.
//!
//! The parts: `metadata` (what a file declares), `compile` (a set and its tests), `cache` (sets
//! by content, swept on reload), `rules` (the policy rules of a set), `eval` (a rule on a file),
//! `results` (results and their spans), `input` (the input documents), `sandbox` and `worker`.
//!
//! Policies are data, not programs with powers: regorus is built without its `http`, `net`,
//! `time`, `uuid`, `yaml`, `jsonschema` and `opa-runtime` builtins (an `http.send` call is an
//! unknown function, hence a compile error), policies read no files (only the `.rego` files of
//! the directory are loaded, and regorus has no file builtins), `rand.intn` is deterministic,
//! recursive functions do not compile ([`recursion`]), and each evaluation has a wall-clock
//! budget ([`TIME_BUDGET`]) and an output budget ([`MAX_RESULTS`], [`MAX_OUTPUT`]) and runs in a
//! sandbox process with its own memory limit and deadline ([`sandbox`]).
//! A policy that cannot be compiled, or whose evaluation fails, runs over budget or kills its
//! sandbox, produces a `PL002 policy-error` finding on the policy file, never a crash; other
//! rules still run.

mod cache;
mod compile;
mod eval;
pub mod input;
mod metadata;
mod recursion;
mod results;
mod rules;
pub mod sandbox;
pub mod worker;

pub use cache::{SetCache, load_dir};
pub use compile::{RegoSet, RegoTest};
pub use eval::RegoCheck;
pub use metadata::RegoFile;

use std::path::PathBuf;
use std::time::Duration;

/// Wall-clock budget of one evaluation of one policy rule on one file.
pub const TIME_BUDGET: Duration = Duration::from_millis(500);
/// At most this many results of one result rule on one file are reported.
pub const MAX_RESULTS: usize = 1000;
/// At most this many bytes of results (as JSON) of one result rule on one file are read.
pub const MAX_OUTPUT: usize = 1 << 20;
/// Longer messages are cut at this many characters.
pub const MAX_MESSAGE: usize = 2000;

/// Which input shape a package evaluates against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// plimsoll's model (docs/rego.md).
    Plimsoll,
    /// conftest's Dockerfile shape (`input[0][i].Cmd`); compose files are the document either way.
    Conftest,
}

/// A problem of a policy: a finding of [`POLICY_ERROR`] on a policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line and column in the policy file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[cfg(test)]
mod tests;
