//! DF029 healthcheck-missing: the final stage of a service image (one that EXPOSEs a port)
//! has no HEALTHCHECK.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::ancestors;
use crate::syntax::dockerfile::Command;

pub static HEALTHCHECK_MISSING: Rule = Rule {
    code: "DF029",
    name: "healthcheck-missing",
    summary: "The final stage exposes a port but defines no HEALTHCHECK",
    target: Target::Dockerfile,
    category: Category::Resources,
    severity: Severity::Info,
    // Orchestrators (Kubernetes probes, compose `healthcheck:`) usually define health
    // themselves, so this is advice: opt-in, like hadolint's DL3057.
    default_enabled: false,
    related: &[
        "hadolint:DL3057",
        "kics:b03a748a",
        "checkov:CKV_DOCKER_2",
        "trivy:DS-0026",
        "dockle:CIS-DI-0006",
        "cis:4.6",
    ],
    docs: include_str!("healthcheck_missing.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let Some(final_stage) = dockerfile.final_stage() else {
        return;
    };
    let mut exposes = false;
    for stage in ancestors(dockerfile, final_stage) {
        for instruction in dockerfile.stage_instructions(stage) {
            match instruction.command {
                // HEALTHCHECK NONE is a decision too.
                Command::Healthcheck(_) => return,
                Command::Expose(_) => exposes = true,
                _ => {}
            }
        }
    }
    if !exposes {
        return;
    }
    let Some(from) = dockerfile.instructions.get(final_stage.from) else {
        return;
    };
    out.report(
        from.keyword_span.cover(final_stage.base.raw.span),
        "the final stage exposes a port but defines no HEALTHCHECK",
    )
    .with_help(
        "add `HEALTHCHECK CMD <probe>` (for example `HEALTHCHECK CMD [\"/app\", \"healthcheck\"]`), \
         or `HEALTHCHECK NONE` when the orchestrator checks health itself",
    );
}
