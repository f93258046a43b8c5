//! DC011 service-no-new-privileges: a compose service does not block privilege escalation
//! through setuid binaries (`security_opt: [no-new-privileges:true]`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{report_in_service, security_opt};

pub static SERVICE_NO_NEW_PRIVILEGES: Rule = Rule {
    code: "DC011",
    name: "service-no-new-privileges",
    summary: "A service does not set `no-new-privileges` in `security_opt`",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Info,
    default_enabled: false,
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

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        // The last entry for the option wins, as in the Docker engine.
        let setting = service.security_opt.iter().rev().find_map(|entry| {
            let (option, value) = security_opt(&entry.value);
            (option == "no-new-privileges").then_some((entry, value))
        });
        match setting {
            None => {
                out.report(
                    service.name.span,
                    format!(
                        "service `{}` does not set `no-new-privileges`",
                        service.name.value
                    ),
                )
                .with_help(HELP);
            }
            Some((entry, Some(value))) if value.trim().eq_ignore_ascii_case("false") => {
                report_in_service(
                    out,
                    service,
                    entry.span,
                    format!(
                        "service `{}` turns `no-new-privileges` off",
                        service.name.value
                    ),
                )
                .with_help(HELP);
            }
            Some(_) => {}
        }
    }
}
