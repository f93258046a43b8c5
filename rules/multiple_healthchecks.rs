//! DF030 multiple-healthchecks: a stage has more than one HEALTHCHECK; only the last one
//! takes effect.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Command;
use crate::syntax::span::Span;

pub static MULTIPLE_HEALTHCHECKS: Rule = Rule {
    code: "DF030",
    name: "multiple-healthchecks",
    summary: "A stage has more than one HEALTHCHECK; all but the last are ignored",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL3012",
        "trivy:DS-0023",
        "buildkit:MultipleInstructionsDisallowed",
    ],
    docs: include_str!("multiple_healthchecks.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let text = context.source.text.as_bytes();
    for stage in &dockerfile.stages {
        let Some(instructions) = dockerfile.instructions.get(stage.instructions.clone()) else {
            continue;
        };
        let healthchecks: Vec<_> = instructions
            .iter()
            .filter(|instruction| matches!(instruction.command, Command::Healthcheck(_)))
            .collect();
        let Some((last, earlier)) = healthchecks.split_last() else {
            continue;
        };
        for instruction in earlier {
            // Remove the whole line, its line break included.
            let mut end = instruction.span.end;
            if text.get(end) == Some(&b'\r') {
                end += 1;
            }
            if text.get(end) == Some(&b'\n') {
                end += 1;
            }
            out.report(
                instruction.keyword_span,
                "this HEALTHCHECK is ignored: a later HEALTHCHECK in the same stage replaces it",
            )
            .with_label(last.keyword_span, "this one takes effect")
            .with_help("keep only one HEALTHCHECK per stage")
            .with_fix(Fix {
                message: "remove the ignored HEALTHCHECK".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::new(instruction.span.start, end),
                    replacement: String::new(),
                }],
            });
        }
    }
}
