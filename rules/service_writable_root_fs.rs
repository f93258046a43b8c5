//! DC020 service-writable-root-fs: a compose service's root file system is writable
//! (`read_only: true` is not set).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};

use super::compose_edits::{append_service_entry, written_inside};
use super::support::report_in_service;

pub static SERVICE_WRITABLE_ROOT_FS: Rule = Rule {
    code: "DC020",
    name: "service-writable-root-fs",
    summary: "A service's root file system is writable (`read_only: true` is not set)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::Sometimes,
    related: &[
        "compose-lint:CL-0007",
        "semgrep:writable-filesystem-service",
        "cis:5.13",
        "nist-800-190:3.5.5",
    ],
    docs: include_str!("service_writable_root_fs.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "set `read_only: true` and give the program `tmpfs` or volumes for the \
                    directories it writes to";

/// Unsafe: a program that writes outside its volumes and `tmpfs` mounts fails at run time.
fn fix(edit: Option<Edit>) -> Option<Fix> {
    Some(Fix {
        message: "set `read_only: true`".into(),
        applicability: Applicability::Unsafe,
        edits: vec![edit?],
    })
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
    for service in &context.compose.services {
        match &service.read_only {
            Some(field) if field.value => {}
            Some(field) => {
                // A one-word scalar (`false`, `no`, `"false"`) the service writes itself.
                let written = field.span.text(text);
                let edit = (written_inside(service, field.span)
                    && !written.is_empty()
                    && written
                        .bytes()
                        .all(|b| b.is_ascii_alphabetic() || b == b'"' || b == b'\''))
                .then(|| Edit {
                    span: field.span,
                    replacement: "true".into(),
                });
                let finding = report_in_service(
                    out,
                    service,
                    field.span,
                    format!("service `{}` sets `read_only: false`", service.name.value),
                );
                finding.with_help(HELP);
                if let Some(fix) = fix(edit) {
                    finding.with_fix(fix);
                }
            }
            // Set in another file (`false` there is reported there).
            None if context.settled_by_project(service, &[&["read_only"]]) => {}
            None => {
                let finding = out.report(
                    service.name.span,
                    format!(
                        "service `{}` has a writable root file system",
                        service.name.value
                    ),
                );
                finding.with_help(HELP);
                if let Some(fix) = fix(append_service_entry(text, service, "read_only: true")) {
                    finding.with_fix(fix);
                }
            }
        }
    }
}
