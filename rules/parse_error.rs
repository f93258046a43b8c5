//! PL000 parse-error: the file (or part of it) could not be parsed.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, Rule, Target};

pub static PARSE_ERROR: Rule = Rule {
    code: "PL000",
    name: "parse-error",
    summary: "The file, or one instruction or key of it, cannot be parsed",
    target: Target::Any,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &[
        "buildkit:parse",
        "hadolint:DL1000",
        "hadolint:DL3061",
        "dclint:invalid-yaml",
    ],
    docs: include_str!("parse_error.md"),
    check: Check::Engine,
    ..Rule::DEFAULTS
};
