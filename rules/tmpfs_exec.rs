//! DC041 tmpfs-exec: a compose `tmpfs` mount switches `exec`, `suid` or `dev` back on.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};

use super::compose_edits::replace_in_scalar;
use super::support::report_in_service;

pub static TMPFS_EXEC: Rule = Rule {
    code: "DC041",
    name: "tmpfs-exec",
    summary: "A `tmpfs` mount re-enables `exec`, `suid` or `dev`",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    related: &["compose-lint:CL-0022", "nist-800-190:3.5.5"],
    docs: include_str!("tmpfs_exec.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
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
            // The same options without the enabled ones (and without the `:` when none is left).
            let kept: Vec<&str> = options
                .split(',')
                .filter(|option| !matches!(option.trim(), "exec" | "suid" | "dev"))
                .collect();
            let replacement = if kept.iter().all(|option| option.trim().is_empty()) {
                String::new()
            } else {
                format!(":{}", kept.join(","))
            };
            let edit = replace_in_scalar(
                text,
                service,
                entry,
                path.len()..entry.value.len(),
                &replacement,
            );
            let finding = report_in_service(
                out,
                service,
                entry.span,
                format!(
                    "service `{}` mounts tmpfs `{path}` with `{}`",
                    service.name.value,
                    enabled.join(",")
                ),
            );
            finding.with_help(
                "drop `exec`, `suid` and `dev` so files written at run time cannot be executed \
                 or act as devices",
            );
            if let Some(edit) = edit {
                finding.with_fix(Fix {
                    message: format!("drop `{}`", enabled.join("`, `")),
                    // Unsafe: a program that runs files from the tmpfs (a JIT, native code
                    // unpacked at run time) fails.
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
            }
        }
    }
}
