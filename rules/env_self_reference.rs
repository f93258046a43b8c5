//! DF068 env-self-reference: an ENV pair uses a variable that an earlier pair of the same ENV
//! sets; the reference still sees the value from before the instruction.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;

use crate::syntax::dockerfile::expansion::references;

pub static ENV_SELF_REFERENCE: Rule = Rule {
    code: "DF068",
    name: "env-self-reference",
    summary: "An ENV value uses a variable set earlier in the same ENV, which still has its old value there",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["hadolint:DL3044"],
    docs: include_str!("env_self_reference.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    let escape = context.dockerfile.escape;
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let Command::Env(pairs) = &instruction.command else {
            continue;
        };
        for (position, pair) in pairs.iter().enumerate() {
            let Some(value) = &pair.value else { continue };
            for reference in references(value.span.text(source), value.span.start, escape) {
                // `PATH=$PATH:/x` extends the old value on purpose.
                if reference.name == pair.key.value {
                    continue;
                }
                let Some(earlier) = pairs
                    .iter()
                    .take(position)
                    .find(|earlier| earlier.key.value == reference.name)
                else {
                    continue;
                };
                out.report(
                    reference.span,
                    format!(
                        "`{}` is set earlier in this ENV, but here it still has its value from before the instruction",
                        reference.name
                    ),
                )
                .with_label(earlier.key.span, "set here, in the same ENV")
                .with_help(format!(
                    "move `{}` to its own ENV instruction before this one",
                    reference.name
                ));
            }
        }
    }
}
