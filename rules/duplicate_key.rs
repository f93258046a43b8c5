//! DC000 duplicate-key: a YAML mapping repeats a key; the later value silently wins. The
//! engine reports it (and fixes a repeat written exactly like the first) from the YAML
//! parser's list of duplicates.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, FixAvailability, Rule, Target};

pub static DUPLICATE_KEY: Rule = Rule {
    code: "DC000",
    name: "duplicate-key",
    summary: "A mapping in a compose file repeats a key",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    related: &["dclint:invalid-yaml"],
    docs: include_str!("duplicate_key.md"),
    check: Check::Engine,
    ..Rule::DEFAULTS
};
