//! DF090 shellcheck: ShellCheck's findings on the scripts RUN instructions run. The engine
//! produces them (see `src/linter/shellcheck.rs`): each finding carries ShellCheck's own code
//! (`SC2086`), so `--ignore SC2086`, `select: [SC]` and `# hadolint ignore=SC2086` name them one
//! by one, while `shellcheck` and `DF090` name the whole family. DF090 itself is the code of a
//! ShellCheck run that failed (crashed, timed out, printed what plimsoll cannot read).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, FixAvailability, Rule, Target};

pub static SHELLCHECK: Rule = Rule {
    code: "DF090",
    name: "shellcheck",
    summary: "ShellCheck's findings (`SC####`) on the scripts RUN instructions run",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    // ShellCheck's own fix suggestions (SC2086's quotes, SC2006's `$(…)`, SC2164's
    // `|| exit`…), all unsafe.
    fix: FixAvailability::Sometimes,
    docs: include_str!("shellcheck.md"),
    check: Check::Engine,
    ..Rule::DEFAULTS
};
