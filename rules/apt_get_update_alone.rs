//! DF063 apt-get-update-alone: a RUN that only refreshes package lists (`apt-get update`,
//! `apk update`), whose cached layer later installs from stale lists.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;

use super::build_support::{package_subcommand, run_scripts};

pub static APT_GET_UPDATE_ALONE: Rule = Rule {
    code: "DF063",
    name: "apt-get-update-alone",
    summary: "A RUN refreshes package lists without installing; its cached layer goes stale",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["trivy:DS-0017"],
    docs: include_str!("apt_get_update_alone.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Commands that do not use the refreshed lists and cannot hide an install.
fn is_incidental(program: &str) -> bool {
    matches!(
        program,
        "set" | "echo" | "true" | ":" | "export" | "rm" | "printf"
    )
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        let scripts = run_scripts(context, instruction);
        let mut update = None;
        let mut uses_lists = false;
        for run in &scripts {
            for command in &run.script.commands {
                let view = command.effective();
                let Some(program) = view.program() else {
                    continue;
                };
                let subcommand = package_subcommand(&view).map(|s| (s, s.value.as_str()));
                match (program, subcommand) {
                    ("apt-get" | "apt" | "apk", Some((word, "update"))) => {
                        update.get_or_insert((program, word));
                    }
                    ("apt-get" | "apt" | "apk", Some((_, "clean" | "autoclean"))) => {}
                    _ if is_incidental(program) => {}
                    _ => uses_lists = true,
                }
            }
        }
        let Some((program, word)) = update else {
            continue;
        };
        if uses_lists {
            continue;
        }
        let install = if program == "apk" {
            "apk add"
        } else {
            "apt-get install"
        };
        out.report(
            word.span,
            format!("`{program} update` alone in a RUN: the cached layer keeps old lists, so a later `{install}` may fail or install outdated packages"),
        )
        .with_help(format!("update and install in the same RUN: `{program} update && {install} …`"));
    }
}
