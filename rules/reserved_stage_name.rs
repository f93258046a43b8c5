//! DF042 reserved-stage-name: a stage is named `scratch` or `context`, names BuildKit reserves.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

pub static RESERVED_STAGE_NAME: Rule = Rule {
    code: "DF042",
    name: "reserved-stage-name",
    summary: "A build stage is named `scratch` or `context`, which BuildKit reserves",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &["hadolint:DL3063", "buildkit:ReservedStageName"],
    docs: include_str!("reserved_stage_name.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Names with a meaning of their own: `FROM scratch` is the empty image, and `context` is the
/// build context in `COPY --from=context` with named contexts.
const RESERVED: [&str; 2] = ["scratch", "context"];

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for stage in &context.dockerfile.stages {
        let Some(name) = &stage.name else { continue };
        let Some(reserved) = RESERVED
            .iter()
            .find(|reserved| name.value.eq_ignore_ascii_case(reserved))
        else {
            continue;
        };
        let meaning = if *reserved == "scratch" {
            "`scratch` is the empty base image"
        } else {
            "`context` names the build context"
        };
        out.report(
            name.span,
            format!("stage name `{}` is reserved: {meaning}", name.value),
        )
        .with_help("rename the stage (and the `--from`/`FROM` references to it)");
    }
}
