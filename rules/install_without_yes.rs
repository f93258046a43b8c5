//! DF059 install-without-yes: `apt-get install`, `yum install`, `dnf install` or `zypper
//! install` without the flag that answers its confirmation prompt.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;
use crate::syntax::dockerfile::shell::CommandView;

use super::build_support::{package_subcommand, run_scripts};
use super::run_commands::argument_after;

pub static INSTALL_WITHOUT_YES: Rule = Rule {
    code: "DF059",
    name: "install-without-yes",
    summary: "A package manager call that asks for confirmation lacks `-y` (or zypper's `--non-interactive`)",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL3014",
        "hadolint:DL3030",
        "hadolint:DL3038",
        "hadolint:DL3034",
        "kics:77783205",
        "kics:6e19193a",
        "kics:7ebd323c",
        "kics:45e1fca5",
        "trivy:DS-0021",
        "semgrep:missing-assume-yes-switch",
        "semgrep:missing-yum-assume-yes-switch",
        "semgrep:missing-dnf-assume-yes-switch",
    ],
    docs: include_str!("install_without_yes.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Subcommands that ask before changing packages, per program.
fn prompts(program: &str, subcommand: &str) -> bool {
    match program {
        "apt-get" | "apt" | "aptitude" => matches!(
            subcommand,
            "install"
                | "upgrade"
                | "dist-upgrade"
                | "full-upgrade"
                | "remove"
                | "purge"
                | "autoremove"
                | "build-dep"
                | "reinstall"
        ),
        "yum" | "dnf" | "dnf5" => matches!(
            subcommand,
            "install"
                | "in"
                | "up"
                | "rei"
                | "update-minimal"
                | "upgrade-minimal"
                | "up-min"
                | "dsync"
                | "dg"
                | "builddep"
                | "swap"
                | "update"
                | "upgrade"
                | "remove"
                | "erase"
                | "reinstall"
                | "downgrade"
                | "groupinstall"
                | "localinstall"
                | "group"
                | "module"
                | "distro-sync"
                | "autoremove"
        ),
        "zypper" => matches!(
            subcommand,
            "install"
                | "in"
                | "remove"
                | "rm"
                | "update"
                | "up"
                | "dist-upgrade"
                | "dup"
                | "patch"
                | "source-install"
                | "si"
        ),
        _ => false,
    }
}

/// apt's quiet level: one per `q` in short-flag groups (`-q -q`, `-qq`, `-qqy`) and per
/// `--quiet`, or the number given as `-q=2`, `--quiet=2`.
fn quiet_level(view: &CommandView<'_>) -> usize {
    let mut level = 0;
    for flag in view.flags() {
        if let Some(number) = flag
            .strip_prefix("--quiet=")
            .or_else(|| flag.strip_prefix("-q="))
        {
            level = level.max(number.parse().unwrap_or(0));
        } else if flag == "--quiet" {
            level += 1;
        } else if !flag.starts_with("--") {
            level += flag.bytes().filter(|&b| b == b'q').count();
        }
    }
    level
}

/// Whether the call answers prompts by itself.
fn answers_yes(program: &str, view: &CommandView<'_>) -> bool {
    let words = || view.args.iter().map(|w| w.value.as_str());
    match program {
        "zypper" => view.has_flag('n', "non-interactive") || view.has_flag('y', "no-confirm"),
        "yum" | "dnf" | "dnf5" => view.has_flag('y', "assumeyes"),
        _ => {
            view.has_flag('y', "yes")
                || view.has_long_flag("assume-yes")
                || view.has_long_flag("force-yes")
                // Quiet level 2 (`-qq`, `-q -q`, `-qqy`, `-q=2`) implies `-y` for apt-get.
                || quiet_level(view) >= 2
                || words().any(|w| {
                    let lower = w.to_ascii_lowercase();
                    lower.contains("assume-yes=true") || lower.contains("assume-yes=1")
                })
        }
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        for run in run_scripts(context, instruction) {
            for command in &run.script.commands {
                let view = command.effective();
                let Some(program) = view.program() else {
                    continue;
                };
                let Some(subcommand) = package_subcommand(&view) else {
                    continue;
                };
                if !prompts(program, &subcommand.value) {
                    continue;
                }
                // `yes | apt-get install …` answers the prompt through the pipe; a simulation
                // (`apt-get install -s`) asks nothing.
                let simulates = view.has_flag('s', "simulate") && !matches!(program, "zypper")
                    || ["dry-run", "just-print", "no-act", "recon", "assumeno"]
                        .iter()
                        .any(|flag| view.has_long_flag(flag));
                if answers_yes(program, &view) || simulates || command.pipeline.reads_pipe() {
                    continue;
                }
                let flag = if program == "zypper" {
                    "--non-interactive"
                } else {
                    "-y"
                };
                // zypper's global option goes before the subcommand.
                let after = match view.name {
                    Some(name) if program == "zypper" => name.span,
                    _ => subcommand.span,
                };
                out.report(
                    subcommand.span,
                    format!(
                        "`{program} {}` without `{flag}` waits for a confirmation that never comes in a build",
                        subcommand.value
                    ),
                )
                .with_help(format!("add `{flag}`"))
                .with_fix(Fix {
                    message: format!("add `{flag}`"),
                    applicability: Applicability::Safe,
                    edits: vec![argument_after(source, after, flag)],
                });
            }
        }
    }
}
