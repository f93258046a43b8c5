//! PL001 unused-suppression: an inline suppression that suppresses nothing, names an unknown
//! rule, is not a directive plimsoll understands, or (with `strict: true`) gives no reason.
//! The engine produces these findings while applying suppressions (see `src/linter/suppress.rs`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, FixAvailability, OptionKind, Rule, RuleOption, Target};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    code: "PL001",
    name: "unused-suppression",
    summary: "An inline suppression suppresses nothing, names an unknown rule or lacks a required reason",
    target: Target::Any,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    docs: include_str!("unused_suppression.md"),
    options: &[
        RuleOption {
            name: "hadolint",
            kind: OptionKind::Bool(false),
            description: "Also report `# hadolint ignore=` pragmas that suppress no plimsoll finding",
        },
        RuleOption {
            name: "buildkit",
            kind: OptionKind::Bool(false),
            description: "Also report BuildKit `# check=skip=` names that suppress no plimsoll finding",
        },
    ],
    check: Check::Engine,
    ..Rule::DEFAULTS
};
