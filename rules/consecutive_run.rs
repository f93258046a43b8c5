//! DF067 consecutive-run: two RUN instructions in a row that could be one layer.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::{Instruction, Keyword};

pub static CONSECUTIVE_RUN: Rule = Rule {
    code: "DF067",
    name: "consecutive-run",
    summary: "Consecutive RUN instructions with the same flags could be one RUN",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    default_enabled: false,
    related: &["hadolint:DL3059", "kics:0008c003"],
    docs: include_str!("consecutive_run.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Flags as written, in order: RUNs with different mounts, network or security settings
/// cannot be merged.
fn flags_text<'a>(source: &'a str, instruction: &Instruction) -> Vec<&'a str> {
    instruction
        .flags
        .iter()
        .map(|flag| flag.span.text(source))
        .collect()
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let source = context.source.text.as_str();
    for stage in &dockerfile.stages {
        let instructions = dockerfile.stage_instructions(stage);
        for pair in instructions.windows(2) {
            let (first, second) = (&pair[0], &pair[1]);
            // Heredoc RUNs are already one script each; merging them gains nothing readable.
            if first.keyword != Keyword::Run
                || second.keyword != Keyword::Run
                || !first.heredocs.is_empty()
                || !second.heredocs.is_empty()
                || flags_text(source, first) != flags_text(source, second)
            {
                continue;
            }
            out.report(
                second.keyword_span,
                "this RUN follows another RUN with the same flags; each adds a layer",
            )
            .with_label(first.keyword_span, "previous RUN")
            .with_help(
                "join them with `&&` (or write one heredoc script) when they belong together",
            );
        }
    }
}
