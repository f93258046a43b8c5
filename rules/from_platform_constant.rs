//! DF071 from-platform-constant: `FROM --platform=linux/amd64`, a fixed platform that breaks
//! multi-platform builds.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

pub static FROM_PLATFORM_CONSTANT: Rule = Rule {
    code: "DF071",
    name: "from-platform-constant",
    summary: "`FROM --platform` has a constant value, so the stage ignores the requested platform",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &[
        "buildkit:FromPlatformFlagConstDisallowed",
        "hadolint:DL3029",
        "kics:b16e8501",
    ],
    docs: include_str!("from_platform_constant.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for stage in &context.dockerfile.stages {
        let Some(from) = context.dockerfile.instructions.get(stage.from) else {
            continue;
        };
        for flag in from.flags_named("platform") {
            let Some(value) = &flag.value else { continue };
            // Any variable (`$BUILDPLATFORM`, an ARG) lets the build choose the platform.
            if value.value.is_empty() || value.value.contains('$') {
                continue;
            }
            // A stage named for its platform (`AS build-arm64`) is one of several per-platform
            // stages picked on purpose, which BuildKit does not report either.
            if let Some(name) = &stage.name {
                let name = name.value.to_ascii_lowercase();
                // The architecture (`amd64` in `linux/amd64`) is what per-platform stage names
                // carry; the OS alone (`linux`) would exempt names like `linux-tools`.
                let platform = value.value.to_ascii_lowercase();
                let named_for_it = platform
                    .split(',')
                    .filter_map(|one| one.split('/').nth(1))
                    .any(|arch| !arch.is_empty() && name.contains(arch));
                if named_for_it {
                    continue;
                }
            }
            out.report(
                value.span,
                format!(
                    "`--platform={}` is a constant: the stage is built for it whatever platform the build asks for",
                    value.value
                ),
            )
            .with_help(
                "drop the flag, or use `$BUILDPLATFORM` for a stage that runs build tools; name the stage after the platform if it is one of several per-platform stages",
            );
        }
    }
}
