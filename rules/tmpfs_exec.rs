//! DC041 tmpfs-exec: a compose `tmpfs` mount switches `exec`, `suid` or `dev` back on.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::report_in_service;

pub static TMPFS_EXEC: Rule = Rule {
    code: "DC041",
    name: "tmpfs-exec",
    summary: "A `tmpfs` mount re-enables `exec`, `suid` or `dev`",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    related: &["compose-lint:CL-0022", "nist-800-190:3.5.5"],
    docs: include_str!("tmpfs_exec.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for entry in &service.tmpfs {
            // `path[:options]`, options comma-separated.
            let Some((path, options)) = entry.value.split_once(':') else {
                continue;
            };
            let enabled: Vec<&str> = options
                .split(',')
                .map(str::trim)
                .filter(|option| matches!(*option, "exec" | "suid" | "dev"))
                .collect();
            if enabled.is_empty() {
                continue;
            }
            report_in_service(
                out,
                service,
                entry.span,
                format!(
                    "service `{}` mounts tmpfs `{path}` with `{}`",
                    service.name.value,
                    enabled.join(",")
                ),
            )
            .with_help(
                "drop `exec`, `suid` and `dev` so files written at run time cannot be executed \
                 or act as devices",
            );
        }
    }
}
