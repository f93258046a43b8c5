//! DF050 inconsistent-instruction-casing: an instruction keyword whose case differs from the
//! file's majority (all upper-case or all lower-case), or is mixed (`From`).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::{Command, Instruction};
use crate::syntax::source::SourceFile;
use crate::syntax::span::Span;

pub static INCONSISTENT_INSTRUCTION_CASING: Rule = Rule {
    code: "DF050",
    name: "inconsistent-instruction-casing",
    summary: "An instruction keyword is not in the same case as the others (or is mixed-case)",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Style,
    fix: FixAvailability::Always,
    related: &[
        "buildkit:ConsistentInstructionCasing",
        "buildkit:FromAsCasing",
    ],
    docs: include_str!("inconsistent_instruction_casing.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Every keyword span in the file, `ONBUILD` triggers included.
fn keywords(instructions: &[Instruction]) -> Vec<(Span, &'static str)> {
    let mut spans = Vec::new();
    for instruction in instructions {
        spans.push((instruction.keyword_span, instruction.keyword.as_str()));
        if let Some(inner) = instruction.trigger() {
            spans.push((inner.keyword_span, inner.keyword.as_str()));
        }
    }
    spans
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    let all = keywords(&context.dockerfile.instructions);
    let upper = all
        .iter()
        .filter(|(span, _)| {
            let text = span.text(source);
            text.chars().all(|c| !c.is_ascii_lowercase())
        })
        .count();
    let lower = all
        .iter()
        .filter(|(span, _)| {
            let text = span.text(source);
            text.chars().all(|c| !c.is_ascii_uppercase())
        })
        .count();
    // Ties go to upper case, the documented convention.
    let want_upper = upper >= lower;
    for (span, keyword) in all {
        let written = span.text(source);
        let expected = if want_upper {
            keyword.to_string()
        } else {
            keyword.to_ascii_lowercase()
        };
        if written == expected {
            continue;
        }
        let case = if want_upper { "upper" } else { "lower" };
        out.report(
            span,
            format!(
                "`{written}` should be `{expected}`: the file writes instructions in {case} case"
            ),
        )
        .with_help("write every instruction keyword in the same case (upper case by convention)")
        .with_fix(Fix {
            message: format!("write `{expected}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span,
                replacement: expected,
            }],
        });
    }
    check_as_keywords(context, out);
}

/// The `AS` of `FROM image AS name`: its span, if the source has it between image and name.
fn as_keyword(source: &SourceFile, instruction: &Instruction) -> Option<Span> {
    let Command::From(from) = &instruction.command else {
        return None;
    };
    let alias = from.alias.as_ref()?;
    let between = Span::new(from.image.span.end, alias.span.start);
    let text = source.text.get(between.start..between.end)?;
    let offset = text.find(|c: char| !c.is_whitespace())?;
    let word = text.get(offset..offset + 2)?;
    word.eq_ignore_ascii_case("as")
        .then(|| Span::new(between.start + offset, between.start + offset + 2))
}

/// `FROM … as name`: the `AS` keyword should be written in the same case as its `FROM`.
fn check_as_keywords(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for instruction in &context.dockerfile.instructions {
        let Some(span) = as_keyword(context.source, instruction) else {
            continue;
        };
        let from = instruction.keyword_span.text(source);
        let written = span.text(source);
        let expected = if from.chars().all(|c| !c.is_ascii_lowercase()) {
            "AS"
        } else if from.chars().all(|c| !c.is_ascii_uppercase()) {
            "as"
        } else {
            // A mixed-case FROM is reported itself; its AS follows the fix.
            continue;
        };
        if written == expected {
            continue;
        }
        out.report(
            span,
            format!("`{written}` should be `{expected}`, in the same case as `{from}`"),
        )
        .with_help("write `FROM … AS name` or `from … as name`")
        .with_fix(Fix {
            message: format!("write `{expected}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span,
                replacement: expected.into(),
            }],
        });
    }
}
