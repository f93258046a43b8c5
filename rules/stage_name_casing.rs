//! DF043 stage-name-casing: a stage name has upper-case letters (BuildKit lower-cases them).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};

pub static STAGE_NAME_CASING: Rule = Rule {
    code: "DF043",
    name: "stage-name-casing",
    summary: "A stage name has upper-case letters; stage names are lower-case",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Style,
    fix: FixAvailability::Always,
    related: &["buildkit:StageNameCasing"],
    docs: include_str!("stage_name_casing.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for stage in &context.dockerfile.stages {
        let Some(name) = &stage.name else { continue };
        // `AS $NAME` is not a name yet.
        if name.value.contains('$') || !name.value.chars().any(char::is_uppercase) {
            continue;
        }
        let lower = name.value.to_lowercase();
        out.report(
            name.span,
            format!("stage name `{}` should be lower-case", name.value),
        )
        .with_help(format!(
            "write `AS {lower}`; references to the stage match in any case"
        ))
        .with_fix(Fix {
            message: format!("rename the stage to `{lower}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: name.span,
                replacement: lower,
            }],
        });
    }
}
