//! DF066 node-package-cache: `npm install`/`npm ci` or `yarn install` in a stage that ends up
//! in the image, without cleaning the package cache or mounting it.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::build_support::{cache_mount_targets, final_image_runs, removes_under, run_scripts};

pub static NODE_PACKAGE_CACHE: Rule = Rule {
    code: "DF066",
    name: "node-package-cache",
    summary: "`npm install`/`npm ci` or `yarn install` leaves the package cache in the image",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    default_enabled: false,
    related: &["hadolint:DL3060"],
    docs: include_str!("node_package_cache.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for (_, instruction) in final_image_runs(context.dockerfile) {
        let mounts = cache_mount_targets(instruction);
        let scripts = run_scripts(context, instruction);
        for (tool, installs, cache_word, dir) in [
            ("npm", &["install", "i", "ci"][..], "npm", "/root/.npm"),
            (
                "yarn",
                &["install", "add"][..],
                "yarn",
                "/usr/local/share/.cache/yarn",
            ),
        ] {
            if mounts.iter().any(|target| target.contains(cache_word))
                || removes_under(&scripts, dir)
            {
                continue;
            }
            let mut install = None;
            let mut cleaned = false;
            for run in &scripts {
                for (command, view) in run.script.invocations(tool) {
                    let Some(subcommand) = view.subcommand() else {
                        continue;
                    };
                    if subcommand.value == "cache" && view.has_arg("clean") {
                        cleaned = true;
                    }
                    // A bare `yarn` installs too.
                    let bare_yarn = tool == "yarn" && view.args.is_empty();
                    if installs.contains(&subcommand.value.as_str()) {
                        install.get_or_insert(subcommand.span);
                    } else if bare_yarn {
                        install.get_or_insert(command.span);
                    }
                }
            }
            let Some(span) = install else { continue };
            if cleaned {
                continue;
            }
            out.report(
                span,
                format!("`{tool}` leaves its package cache in this layer of the image"),
            )
            .with_help(format!(
                "end the RUN with `&& {tool} cache clean{}`, or mount a cache: `RUN --mount=type=cache,target={dir} …`",
                if tool == "npm" { " --force" } else { "" }
            ));
        }
    }
}
