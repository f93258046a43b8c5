//! PL000 parse-error: the file (or part of it) could not be parsed.

use crate::diagnostic::{Category, Severity};
use crate::rule::{Check, FixAvailability, Rule, Status, Target};

pub static PARSE_ERROR: Rule = Rule {
    code: "PL000",
    name: "parse-error",
    summary: "The file, or one instruction or key of it, cannot be parsed",
    target: Target::Any,
    category: Category::Correctness,
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    status: Status::Stable,
    since: "0.1.0",
    related: &["buildkit:parse", "hadolint:DL1000"],
    docs: include_str!("parse_error.md"),
    options: &[],
    check: Check::Engine,
};
