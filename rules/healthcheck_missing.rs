//! DF029 healthcheck-missing: the final stage of a service image (one that EXPOSEs a port)
//! has no HEALTHCHECK.

use crate::diagnostic::{Category, Severity};
use crate::dockerfile::{BaseKind, Command, Dockerfile, Stage};
use crate::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Status, Target};

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
    fix: FixAvailability::None,
    status: Status::Stable,
    since: "0.1.0",
    related: &[
        "hadolint:DL3057",
        "kics:b03a748a",
        "checkov:CKV_DOCKER_2",
        "trivy:DS-0026",
        "dockle:CIS-DI-0006",
        "cis:4.6",
    ],
    docs: include_str!("healthcheck_missing.md"),
    options: &[],
    check: Check::Dockerfile(check),
};

/// The stage and the stages it is built on through `FROM <stage>`, nearest first.
fn lineage<'a>(dockerfile: &'a Dockerfile, last: &'a Stage) -> Vec<&'a Stage> {
    let mut chain = vec![last];
    let mut stage = last;
    // Stage references point backwards; the count bounds the walk whatever the model says.
    for _ in 0..dockerfile.stages.len() {
        match stage.base.kind {
            BaseKind::Stage { index } if index < stage.index => {
                match dockerfile.stages.get(index) {
                    Some(base) => {
                        chain.push(base);
                        stage = base;
                    }
                    None => break,
                }
            }
            _ => break,
        }
    }
    chain
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let Some(final_stage) = dockerfile.stages.last() else {
        return;
    };
    let mut exposes = false;
    for stage in lineage(dockerfile, final_stage) {
        let Some(instructions) = dockerfile.instructions.get(stage.instructions.clone()) else {
            continue;
        };
        for instruction in instructions {
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
