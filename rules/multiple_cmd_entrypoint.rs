//! DF044 multiple-cmd-entrypoint: a stage has more than one CMD, or more than one ENTRYPOINT;
//! only the last one takes effect.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Command;
use crate::syntax::span::Span;

pub static MULTIPLE_CMD_ENTRYPOINT: Rule = Rule {
    code: "DF044",
    name: "multiple-cmd-entrypoint",
    summary: "A stage has several CMD or several ENTRYPOINT instructions; only the last one counts",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL4003",
        "hadolint:DL4004",
        "buildkit:MultipleInstructionsDisallowed",
        "kics:41c195f4",
        "kics:6938958b",
        "trivy:DS-0016",
        "trivy:DS-0007",
    ],
    docs: include_str!("multiple_cmd_entrypoint.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let text = context.source.text.as_bytes();
    for stage in &dockerfile.stages {
        let instructions = dockerfile.stage_instructions(stage);
        for (keyword, is_it) in [
            (
                "CMD",
                (|c: &Command| matches!(c, Command::Cmd(_))) as fn(&Command) -> bool,
            ),
            ("ENTRYPOINT", |c: &Command| {
                matches!(c, Command::Entrypoint(_))
            }),
        ] {
            let all: Vec<_> = instructions.iter().filter(|i| is_it(&i.command)).collect();
            let Some((last, earlier)) = all.split_last() else {
                continue;
            };
            for instruction in earlier {
                // The whole instruction with its line break.
                let mut end = instruction.span.end;
                if text.get(end) == Some(&b'\r') {
                    end += 1;
                }
                if text.get(end) == Some(&b'\n') {
                    end += 1;
                }
                out.report(
                    instruction.keyword_span,
                    format!("this {keyword} has no effect: a later {keyword} in the same stage replaces it"),
                )
                .with_label(last.keyword_span, format!("the {keyword} that takes effect"))
                .with_help(format!(
                    "keep one {keyword} per stage; to run several commands, use a script or `&&` in one {keyword}"
                ))
                // Safe: the image's configuration holds only the last one.
                .with_fix(Fix {
                    message: format!("remove the {keyword} that has no effect"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: Span::new(instruction.span.start, end),
                        replacement: String::new(),
                    }],
                });
            }
        }
    }
}
