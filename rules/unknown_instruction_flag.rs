//! DF046 unknown-instruction-flag: a `--flag` that BuildKit does not know for that instruction
//! (`COPY --chmown`, `RUN --mounts`), with a did-you-mean hint.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::{Instruction, Keyword};

use super::build_support::closest;

pub static UNKNOWN_INSTRUCTION_FLAG: Rule = Rule {
    code: "DF046",
    name: "unknown-instruction-flag",
    summary: "An instruction has a flag that BuildKit does not know for it",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    docs: include_str!("unknown_instruction_flag.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// The flags BuildKit's Dockerfile frontend accepts, per instruction (labs flags included, so
/// that files written for `docker/dockerfile:labs` are not reported).
fn known_flags(keyword: Keyword) -> &'static [&'static str] {
    match keyword {
        Keyword::From => &["platform"],
        Keyword::Run => &["mount", "network", "security", "device"],
        Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        Keyword::Add => &[
            "chown",
            "chmod",
            "link",
            "checksum",
            "keep-git-dir",
            "exclude",
            "unpack",
            "parents",
        ],
        Keyword::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

fn check_instruction(instruction: &Instruction, out: &mut Emitter<'_>) {
    let known = known_flags(instruction.keyword);
    let keyword = instruction.keyword.as_str();
    for flag in &instruction.flags {
        let name = flag.name.value.as_str();
        if known.contains(&name) {
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

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    for run in effective_instructions(dockerfile) {
        // An ONBUILD's own flags, then its trigger's.
        if run.is_trigger
            && let Some(onbuild) = dockerfile.instructions.get(run.index)
        {
            check_instruction(onbuild, out);
        }
        check_instruction(run.instruction, out);
    }
}
