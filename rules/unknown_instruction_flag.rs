//! DF046 unknown-instruction-flag: a `--flag` that BuildKit does not know for that instruction
//! (`COPY --chmown`, `RUN --mounts`), with a did-you-mean hint, or a known flag with a value
//! BuildKit rejects (`COPY --from build`, without `=`).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::flags::{flag_value_error, known_flags};
use crate::syntax::dockerfile::{Command, Flag, Instruction};
use crate::syntax::span::Span;

use super::build_support::closest;

pub static UNKNOWN_INSTRUCTION_FLAG: Rule = Rule {
    code: "DF046",
    name: "unknown-instruction-flag",
    summary: "An instruction has a flag that BuildKit does not know for it, or a known flag with a value BuildKit rejects",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    docs: include_str!("unknown_instruction_flag.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check_instruction(source: &str, instruction: &Instruction, out: &mut Emitter<'_>) {
    let known: Vec<&str> = known_flags(instruction.keyword)
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let keyword = instruction.keyword.as_str();
    for flag in &instruction.flags {
        let name = flag.name.value.as_str();
        if known.contains(&name) {
            if let Some(error) = flag_value_error(instruction.keyword, flag) {
                report_value_error(source, instruction, flag, &error, out);
            }
            continue;
        }
        let finding = out.report(
            flag.name.span,
            if known.is_empty() {
                format!("{keyword} takes no flags, but has `--{name}`")
            } else {
                format!("unknown flag `--{name}` for {keyword}")
            },
        );
        match closest(name, known.iter().copied()) {
            Some(suggestion) => {
                finding
                    .with_help(format!("did you mean `--{suggestion}`?"))
                    .with_fix(Fix {
                        message: format!("use `--{suggestion}`"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            span: flag.name.span,
                            replacement: suggestion.to_string(),
                        }],
                    });
            }
            None if known.is_empty() => {
                finding.with_help(format!("remove the flag; BuildKit rejects it on {keyword}"));
            }
            None => {
                let list: Vec<String> = known.iter().map(|k| format!("`--{k}`")).collect();
                finding.with_help(format!("{keyword} accepts {}", list.join(", ")));
            }
        }
    }
}

/// A known flag with a value BuildKit rejects: `COPY --from build /a /b` (no `=`), where
/// BuildKit fails with "missing a value on flag: from" instead of copying `build` and `/a`.
fn report_value_error(
    source: &str,
    instruction: &Instruction,
    flag: &Flag,
    error: &str,
    out: &mut Emitter<'_>,
) {
    let name = flag.name.value.as_str();
    let keyword = instruction.keyword.as_str();
    let finding = out.report(
        flag.span,
        format!("BuildKit rejects `--{name}` on {keyword}: \"{error}\""),
    );
    if flag.value.is_some() {
        finding.with_help(format!(
            "write `--{name}`, `--{name}=true` or `--{name}=false`"
        ));
        return;
    }
    // `--from build`: the next word was meant as the value; join it with `=`.
    let after = source
        .get(flag.span.end..instruction.args_span.end)
        .unwrap_or("");
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    let next = after[gap..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    // Only where the words left still make the instruction: COPY and ADD keep a source and
    // the destination after giving up their first source (`RUN --mount true` would not).
    let joinable = match &instruction.command {
        Command::Copy(copy) | Command::Add(copy) => copy.sources.len() >= 2,
        _ => false,
    };
    if !joinable || gap == 0 || next.is_empty() || next.starts_with(['-', '\\']) {
        finding.with_help(format!("write `--{name}=<value>`"));
        return;
    }
    finding
        .with_help(format!("write `--{name}={next}`"))
        .with_fix(Fix {
            message: format!("use `--{name}={next}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: Span::new(flag.span.end, flag.span.end + gap),
                replacement: "=".into(),
            }],
        });
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let source = context.source.text.as_str();
    for run in effective_instructions(dockerfile) {
        // An ONBUILD's own flags, then its trigger's.
        if run.is_trigger
            && let Some(onbuild) = dockerfile.instructions.get(run.index)
        {
            check_instruction(source, onbuild, out);
        }
        check_instruction(source, run.instruction, out);
    }
}
