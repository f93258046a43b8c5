//! DF070 redundant-target-platform: `FROM --platform=$TARGETPLATFORM`, which is the default.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::span::Span;

pub static REDUNDANT_TARGET_PLATFORM: Rule = Rule {
    code: "DF070",
    name: "redundant-target-platform",
    summary: "`FROM --platform=$TARGETPLATFORM` repeats the default and can be removed",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Style,
    fix: FixAvailability::Always,
    related: &["hadolint:DL3065", "buildkit:RedundantTargetPlatform"],
    docs: include_str!("redundant_target_platform.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// True for `$TARGETPLATFORM` and `${TARGETPLATFORM}`, the only spellings that mean exactly the
/// platform the stage would get anyway (a suffix or a default like `${TARGETPLATFORM:-x}` does not).
fn is_target_platform(value: &str) -> bool {
    value == "$TARGETPLATFORM" || value == "${TARGETPLATFORM}"
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
    for stage in &context.dockerfile.stages {
        let Some(from) = context.dockerfile.instructions.get(stage.from) else {
            continue;
        };
        for flag in from.flags_named("platform") {
            let Some(value) = &flag.value else { continue };
            if !is_target_platform(&value.value) {
                continue;
            }
            // Remove the flag and the blanks after it, so `FROM --platform=… alpine` becomes
            // `FROM alpine`; `get` keeps a span past the text from panicking.
            let rest = text.get(flag.span.end..).unwrap_or("");
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            out.report(
                flag.span,
                format!(
                    "`--platform={}` is redundant: a stage builds for the target platform by default",
                    value.value
                ),
            )
            .with_help("remove the flag")
            .with_fix(Fix {
                message: "remove `--platform`".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::new(flag.span.start, flag.span.end + blanks),
                    replacement: String::new(),
                }],
            });
        }
    }
}
