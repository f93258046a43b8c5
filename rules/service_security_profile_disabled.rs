//! DC017 service-security-profile-disabled: a compose service turns off seccomp, AppArmor or
//! SELinux confinement, or unmasks the kernel's system paths, through `security_opt`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{report_in_service, security_opt};

pub static SERVICE_SECURITY_PROFILE_DISABLED: Rule = Rule {
    code: "DC017",
    name: "service-security-profile-disabled",
    summary: "A service disables seccomp, AppArmor or SELinux (`seccomp:unconfined`, `label:disable`, …)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Warning,
    related: &[
        "kics:404fde2c",
        "compose-lint:CL-0009",
        "semgrep:seccomp-confinement-disabled",
        "semgrep:selinux-separation-disabled",
        "cis:5.2",
        "cis:5.3",
        "cis:5.22",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_security_profile_disabled.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for entry in &service.security_opt {
            let (option, value) = security_opt(&entry.value);
            let value = value.map(str::trim).unwrap_or_default();
            let what = match (option, value) {
                ("seccomp", "unconfined") => "turns the seccomp system-call filter off",
                ("apparmor", "unconfined") => "runs without an AppArmor profile",
                ("label", "disable") => "turns SELinux labelling off",
                ("systempaths", "unconfined") => {
                    "unmasks `/proc` and `/sys` paths the engine normally hides"
                }
                _ => continue,
            };
            report_in_service(
                out,
                service,
                entry.span,
                format!(
                    "service `{}` {what} (`{}`)",
                    service.name.value, entry.value
                ),
            )
            .with_help(
                "remove the entry to keep the engine's default profile, or write a custom \
                 profile that allows just what the program needs",
            );
        }
    }
}
