//! The policies layer: a team's own rules, as YAML templates and Rego packages, run through the
//! `PolicyCheck` trait the linter defines; and the rules' documented examples run as checks
//! (`plimsoll test`).

pub mod examples;
pub mod rego;
pub mod template;
