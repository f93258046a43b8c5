//! The built-in rules: one `.rs` (declaration and check) and one `.md` (docs) per rule.
//! To add a rule: write both files, add one `mod` line and one entry in [`all`]; the meta-test
//! in `tests/rules_meta.rs` names anything missing.

mod duplicate_key;
mod parse_error;

pub use duplicate_key::DUPLICATE_KEY;
pub use parse_error::PARSE_ERROR;

use crate::rule::Rule;

static ALL: &[&Rule] = &[&PARSE_ERROR, &DUPLICATE_KEY];

/// Every built-in rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    ALL
}

/// Look a rule up by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}
