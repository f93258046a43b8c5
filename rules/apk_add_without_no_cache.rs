//! DF064 apk-add-without-no-cache: `apk add` without `--no-cache` in a stage that ends up in the
//! image, leaving the package index in the layer.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};

use super::build_support::{
    cache_mount_targets, final_image_runs, mounts_cover, package_subcommand, removes_under,
    run_scripts,
};
use super::run_commands::argument_after;

pub static APK_ADD_WITHOUT_NO_CACHE: Rule = Rule {
    code: "DF064",
    name: "apk-add-without-no-cache",
    summary: "`apk add` without `--no-cache` leaves the package index in the image",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL3019",
        "kics:ae9c56a6",
        "trivy:DS-0025",
        "semgrep:missing-apk-no-cache",
        "dockle:DKL-DI-0004",
    ],
    docs: include_str!("apk_add_without_no_cache.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for (_, instruction) in final_image_runs(context.dockerfile) {
        let mounts = cache_mount_targets(instruction);
        if mounts_cover(&mounts, "/var/cache/apk") || mounts_cover(&mounts, "/etc/apk/cache") {
            continue;
        }
        let scripts = run_scripts(context, instruction);
        if removes_under(&scripts, "/var/cache/apk") {
            continue;
        }
        for run in &scripts {
            for (_, view) in run.script.invocations("apk") {
                let Some(subcommand) = package_subcommand(&view) else {
                    continue;
                };
                // `--no-network` installs from what is already on disk and fetches no index.
                if subcommand.value != "add"
                    || view.has_long_flag("no-cache")
                    || view.has_long_flag("no-network")
                {
                    continue;
                }
                out.report(
                    subcommand.span,
                    "`apk add` without `--no-cache` leaves the package index in this layer",
                )
                .with_help("use `apk add --no-cache …` (no `apk update` needed), or mount a cache on /var/cache/apk")
                .with_fix(Fix {
                    message: "add `--no-cache`".into(),
                    applicability: Applicability::Safe,
                    edits: vec![argument_after(source, subcommand.span, "--no-cache")],
                });
            }
        }
    }
}
