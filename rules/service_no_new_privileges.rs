//! DC011 service-no-new-privileges: a compose service does not block privilege escalation
//! through setuid binaries (`security_opt: [no-new-privileges:true]`).

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};

use super::compose_edits::{append_list_item, append_service_entry, replace_in_scalar};
use super::support::{report_in_service, security_opt};

pub static SERVICE_NO_NEW_PRIVILEGES: Rule = Rule {
    code: "DC011",
    name: "service-no-new-privileges",
    summary: "A service does not set `no-new-privileges` in `security_opt`",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::Sometimes,
    related: &[
        "kics:27fcc7d6",
        "compose-lint:CL-0003",
        "semgrep:no-new-privileges",
        "cis:5.26",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_no_new_privileges.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "add `security_opt: [\"no-new-privileges:true\"]` so setuid binaries cannot \
                    raise the process's privileges";

/// Unsafe: a program that gains privileges on purpose (through `sudo`, a setuid helper or file
/// capabilities) stops working.
fn fix(edit: Option<crate::linter::diagnostic::Edit>) -> Option<Fix> {
    Some(Fix {
        message: "set `no-new-privileges:true`".into(),
        applicability: Applicability::Unsafe,
        edits: vec![edit?],
    })
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
    for service in &context.compose.services {
        // The last entry for the option wins, as in the Docker engine.
        let setting = service.security_opt.iter().rev().find_map(|entry| {
            let (option, value) = security_opt(&entry.value);
            (option == "no-new-privileges").then_some((entry, value))
        });
        match setting {
            None if context.settled_by_project_when(service, |merged| {
                merged
                    .get("security_opt")
                    .and_then(|list| list.as_sequence())
                    .and_then(|list| {
                        list.iter()
                            .filter_map(|entry| entry.as_str())
                            .find(|entry| security_opt(entry).0 == "no-new-privileges")
                    })
                    // Written `false` in another file: that file reports it.
                    .is_some()
            }) => {}
            None => {
                // A `security_opt` merged in from an anchor would be replaced by a new key.
                let edit = match service.node.get("security_opt") {
                    None => append_service_entry(
                        text,
                        service,
                        "security_opt: [\"no-new-privileges:true\"]",
                    ),
                    Some(_) => append_list_item(
                        text,
                        service,
                        "security_opt",
                        "\"no-new-privileges:true\"",
                    ),
                };
                let finding = out.report(
                    service.name.span,
                    format!(
                        "service `{}` does not set `no-new-privileges`",
                        service.name.value
                    ),
                );
                finding.with_help(HELP);
                if let Some(fix) = fix(edit) {
                    finding.with_fix(fix);
                }
            }
            Some((entry, Some(value))) if value.trim().eq_ignore_ascii_case("false") => {
                // `value` is a slice of `entry.value`: its offset there.
                let start = value.as_ptr() as usize - entry.value.as_ptr() as usize;
                let range = start..start + value.len();
                let edit = replace_in_scalar(text, service, entry, range, "true");
                let finding = report_in_service(
                    out,
                    service,
                    entry.span,
                    format!(
                        "service `{}` turns `no-new-privileges` off",
                        service.name.value
                    ),
                );
                finding.with_help(HELP);
                if let Some(fix) = fix(edit) {
                    finding.with_fix(fix);
                }
            }
            Some(_) => {}
        }
    }
}
