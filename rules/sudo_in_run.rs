//! DF023 sudo-in-run: `sudo` in a RUN instruction.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::run_commands::run_commands;

pub static SUDO_IN_RUN: Rule = Rule {
    code: "DF023",
    name: "sudo-in-run",
    summary: "A RUN instruction uses `sudo`",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "hadolint:DL3004",
        "kics:8ada6e80",
        "checkov:CKV2_DOCKER_1",
        "trivy:DS-0010",
        "semgrep:no-sudo-in-dockerfile",
        "dockle:DKL-DI-0001",
        "nist-800-190:3.1.2",
    ],
    docs: include_str!("sudo_in_run.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in run_commands(context) {
        if command.program() != Some("sudo") {
            continue;
        }
        let Some(name) = &command.name else {
            continue;
        };
        out.report(name.span, "`sudo` in a RUN instruction")
            .with_help(
                "run the step as root with `USER root` before it and switch back to the \
                 unprivileged user after it; do not install sudo in the image",
            );
    }
}
