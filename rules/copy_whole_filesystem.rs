//! DF034 copy-whole-filesystem: `COPY --from=<stage> / …` copies another stage's or image's
//! whole filesystem into this one.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::{BaseKind, Command};
use crate::syntax::excerpt::excerpt;

pub static COPY_WHOLE_FILESYSTEM: Rule = Rule {
    code: "DF034",
    name: "copy-whole-filesystem",
    summary: "`COPY --from=<stage> /` copies a whole filesystem into the stage",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["hadolint:DL3067", "nist-800-190:3.5.5"],
    docs: include_str!("copy_whole_filesystem.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Images built `FROM scratch` that hold only helper binaries or scripts and are meant to be
/// copied whole: `COPY --from=tonistiigi/xx / /` is Docker's documented cross-compilation
/// idiom.
fn is_helper_bundle(repository: &str) -> bool {
    let repository = repository
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    matches!(
        repository,
        "tonistiigi/xx" | "docker/buildx-bin" | "docker/compose-bin" | "gloursdocker/docker"
    )
}

/// `/`, `/.`, `//`: the root of the source filesystem.
fn is_root(path: &str) -> bool {
    !path.is_empty()
        && path.trim_end_matches('.').bytes().all(|b| b == b'/')
        && path.starts_with('/')
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    for instruction in &dockerfile.instructions {
        let Command::Copy(copy) = &instruction.command else {
            continue;
        };
        let Some(from) = instruction
            .flag("from")
            .and_then(|flag| flag.value.as_ref())
        else {
            continue;
        };
        // `FROM scratch` + `COPY --from=build / /` flattens an image on purpose.
        let into_scratch = instruction
            .stage
            .and_then(|index| dockerfile.stages.get(index))
            .is_some_and(|stage| matches!(stage.base.kind, BaseKind::Scratch));
        if into_scratch {
            continue;
        }
        // Into `/` only: a copy into a subdirectory (`/rootfs`) does not overwrite the stage.
        if !copy
            .destination
            .as_ref()
            .is_some_and(|destination| is_root(copy.path(destination)))
        {
            continue;
        }
        // A source stage built `FROM scratch`, or on an image known to hold only a few helper
        // files, brings only what was put there on purpose.
        let named_stage = dockerfile.stages.iter().find(|stage| {
            stage
                .name
                .as_ref()
                .is_some_and(|name| name.value.eq_ignore_ascii_case(&from.value))
        });
        let curated = match named_stage {
            Some(stage) => match &stage.base.kind {
                BaseKind::Scratch => true,
                BaseKind::Image(image) => is_helper_bundle(&image.repository),
                _ => false,
            },
            None => is_helper_bundle(from.value.split([':', '@']).next().unwrap_or("")),
        };
        if curated {
            continue;
        }
        for source in &copy.sources {
            if is_root(copy.path(source)) {
                out.report(
                    source.span,
                    format!(
                        "`COPY --from={} {}` copies the whole filesystem of `{}`, /etc/passwd and \
                         package databases included",
                        excerpt(&from.value),
                        excerpt(copy.path(source)),
                        excerpt(&from.value)
                    ),
                )
                .with_help(
                    "copy only the files the stage needs (`COPY --from=build /app/bin /usr/local/bin/`), \
                     or start the stage `FROM scratch` if a flattened image is the goal",
                );
            }
        }
    }
}
