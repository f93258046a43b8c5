//! DF068 env-self-reference: an ENV pair uses a variable that an earlier pair of the same ENV
//! sets; the reference still sees the value from before the instruction.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::{Command, KeyValue};
use crate::syntax::span::Span;

use crate::syntax::dockerfile::expansion::references;

pub static ENV_SELF_REFERENCE: Rule = Rule {
    code: "DF068",
    name: "env-self-reference",
    summary: "An ENV value uses a variable set earlier in the same ENV, which still has its old value there",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["hadolint:DL3044"],
    docs: include_str!("env_self_reference.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    let escape = context.dockerfile.escape;
    for run in effective_instructions(context.dockerfile) {
        let Command::Env(pairs) = &run.instruction.command else {
            continue;
        };
        // What starts the instruction's line (`ENV `, `ONBUILD ENV `, with its indentation),
        // when the first pair stands on that line.
        let head = context
            .dockerfile
            .instructions
            .get(run.index)
            .and_then(|top| {
                let first = pairs.first()?.span.start;
                let line_start = source
                    .get(..top.span.start)?
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let head = source.get(line_start..first)?;
                let indent = source.get(line_start..top.span.start)?;
                (!head.contains(['\n', '\r']) && indent.trim().is_empty()).then_some(head)
            });
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
                let finding = out.report(
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
                let split = head.and_then(|head| {
                    split_before(source, escape, &pairs[position - 1], pair, head)
                });
                if let Some(edit) = split {
                    finding.with_fix(Fix {
                        message: format!(
                            "start a new `ENV` at `{}`, so that it sees the new value",
                            pair.key.value
                        ),
                        applicability: Applicability::Unsafe,
                        edits: vec![edit],
                    });
                }
            }
        }
    }
}

/// An edit that ends the ENV after `previous` and starts a new one, written as `head`, at
/// `pair`: the space between them (with line continuations) becomes a line break. `None` when
/// anything else stands there (a comment line inside the continuation).
fn split_before(
    source: &str,
    escape: char,
    previous: &KeyValue,
    pair: &KeyValue,
    head: &str,
) -> Option<Edit> {
    let gap = source.get(previous.span.end..pair.span.start)?;
    let only_space = gap
        .chars()
        .all(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == escape);
    if gap.is_empty() || !only_space {
        return None;
    }
    Some(Edit {
        span: Span::new(previous.span.end, pair.span.start),
        replacement: format!("\n{head}"),
    })
}
