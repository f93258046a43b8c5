//! DF069 empty-continuation-line: an empty line inside an instruction continued with `\`.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::span::Span;

pub static EMPTY_CONTINUATION_LINE: Rule = Rule {
    code: "DF069",
    name: "empty-continuation-line",
    summary: "An empty line sits inside a continued instruction, which future Docker versions reject",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    related: &["buildkit:NoEmptyContinuation"],
    docs: include_str!("empty_continuation_line.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for instruction in &context.dockerfile.instructions {
        // Up to the end of the arguments: heredoc bodies may hold empty lines freely.
        let start = instruction.keyword_span.start;
        let end = instruction.args_span.end.max(instruction.keyword_span.end);
        let Some(text) = source.get(start..end) else {
            continue;
        };
        let mut offset = start;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            // The instruction's own first line is never empty; later empty lines are the
            // ones BuildKit skips with a warning.
            if offset != start && content.trim().is_empty() {
                out.report(
                    Span::new(offset, offset + content.len()),
                    "empty line inside a continued instruction",
                )
                .with_help("remove the empty line (or put a `#` comment on it)")
                .with_fix(Fix {
                    message: "remove the empty line".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: Span::new(offset, offset + line.len()),
                        replacement: String::new(),
                    }],
                });
            }
            offset += line.len();
        }
    }
}
