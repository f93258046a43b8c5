//! DF066 node-package-cache: `npm install`/`npm ci` or `yarn install` in a stage that ends up
//! in the image, without cleaning the package cache or mounting it.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::Shells;

use super::build_support::{
    append_command, cache_mount_targets, final_image_runs, removes_under, run_scripts,
    runs_as_other_user,
};

pub static NODE_PACKAGE_CACHE: Rule = Rule {
    code: "DF066",
    name: "node-package-cache",
    summary: "`npm install`/`npm ci` or `yarn install` leaves the package cache in the image",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::Sometimes,
    related: &["hadolint:DL3060"],
    docs: include_str!("node_package_cache.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let shells = std::cell::OnceCell::new();
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
                        install.get_or_insert((subcommand.span, command));
                    } else if bare_yarn {
                        install.get_or_insert((command.span, command));
                    }
                }
            }
            let Some((span, command)) = install else {
                continue;
            };
            if cleaned {
                continue;
            }
            let clean = if tool == "npm" {
                "npm cache clean --force"
            } else {
                "yarn cache clean"
            };
            let finding = out
                .report(
                    span,
                    format!("`{tool}` leaves its package cache in this layer of the image"),
                )
                .with_help(format!(
                    "end the RUN with `&& {clean}`, or mount a cache: `RUN --mount=type=cache,target={dir} …`"
                ));
            if runs_as_other_user(command) {
                continue;
            }
            let shells = shells.get_or_init(|| Shells::new(context.dockerfile));
            let Some(edit) = append_command(context, shells, instruction, span, clean) else {
                continue;
            };
            // Yarn 2+ keeps the project's packages in its cache (`.yarn/cache`) and loads them
            // from there at run time (Plug'n'Play): cleaning it can break the application.
            let applicability = if tool == "npm" {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            };
            finding.with_fix(Fix {
                message: format!("end the RUN with `{clean}`"),
                applicability,
                edits: vec![edit],
            });
        }
    }
}
