//! DC052 required-variable-unset: a `${VAR:?message}` or `${VAR?message}` whose variable the
//! project's `.env` does not set, so `docker compose` refuses the project unless the shell does.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

pub static REQUIRED_VARIABLE_UNSET: Rule = Rule {
    code: "DC052",
    name: "required-variable-unset",
    summary: "A `${VAR:?error}` variable is not set in the project's `.env`",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Warning,
    // Off by default: `${SECRET:?}` is how a project requires a value from the shell or CI, which
    // plimsoll cannot see; on by default it flagged exactly that good practice (the example shop).
    default_enabled: false,
    docs: include_str!("required_variable_unset.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let in_env = if context.compose.env_file.is_empty() {
        "the project has no `.env`".to_string()
    } else {
        format!("not set in `{}`", context.compose.env_file)
    };
    for problem in &context.compose.required_unset {
        out.report(problem.span, format!("{} ({in_env})", problem.message))
            .with_help(
                "set it in the project's `.env` (or make sure every shell and CI job that runs \
                 Compose exports it), or give it a default with `${VAR:-default}`",
            );
    }
}
