//! DF056 nonsensical-command: a RUN calls an interactive or system-management command (`ssh`,
//! `vim`, `service`, `shutdown`…) that does nothing useful during a build.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;

use super::build_support::run_scripts;

pub static NONSENSICAL_COMMAND: Rule = Rule {
    code: "DF056",
    name: "nonsensical-command",
    summary: "A RUN calls an interactive or system-management command that makes no sense in a build",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Info,
    related: &[
        "hadolint:DL3001",
        "kics:9b6b0f38",
        "semgrep:nonsensical-command",
    ],
    docs: include_str!("nonsensical_command.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const COMMANDS: [&str; 10] = [
    "ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig",
];

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        for run in run_scripts(context, instruction) {
            for command in &run.script.commands {
                // `command -v ssh` asks whether it exists; it does not run it.
                if command.program() == Some("command") {
                    continue;
                }
                let view = command.effective();
                let Some(program) = view.program() else {
                    continue;
                };
                if !COMMANDS.contains(&program) {
                    continue;
                }
                // `ssh -V` or `vim --version` checks an install.
                if view
                    .args
                    .iter()
                    .any(|a| matches!(a.value.as_str(), "--version" | "-V" | "--help"))
                {
                    continue;
                }
                let Some(name) = view.name else { continue };
                out.report(
                    name.span,
                    format!("`{program}` makes no sense in a build: there is no terminal, no init system and no running service"),
                )
                .with_help("start services and run interactive tools in the running container, not while building the image");
            }
        }
    }
}
