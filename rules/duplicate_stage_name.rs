//! DF041 duplicate-stage-name: two stages share a name (compared case-insensitively).

use crate::diagnostic::{Category, Severity};
use crate::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Status, Target};

pub static DUPLICATE_STAGE_NAME: Rule = Rule {
    code: "DF041",
    name: "duplicate-stage-name",
    summary: "Two build stages have the same name",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    status: Status::Stable,
    since: "0.1.0",
    related: &[
        "hadolint:DL3024",
        "buildkit:DuplicateStageName",
        "kics:f2daed12",
        "checkov:CKV_DOCKER_11",
        "trivy:DS-0012",
    ],
    docs: include_str!("duplicate_stage_name.md"),
    options: &[],
    check: Check::Dockerfile(check),
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let stages = &context.dockerfile.stages;
    for (position, stage) in stages.iter().enumerate() {
        let Some(name) = &stage.name else { continue };
        let first = stages.iter().take(position).find_map(|earlier| {
            earlier
                .name
                .as_ref()
                .filter(|n| n.value.eq_ignore_ascii_case(&name.value))
        });
        if let Some(first) = first {
            out.report(
                name.span,
                format!("stage name `{}` is already used by an earlier stage", name.value),
            )
            .with_label(first.span, "first used here")
            .with_help("give each stage its own name; `--from` and `FROM <stage>` can only reach one of them");
        }
    }
}
