//! DC015 service-sensitive-mount: a compose service bind-mounts a sensitive host directory
//! (`/`, `/etc`, `/proc`, `/var/lib/docker`, …).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{bind_source, report_in_service};

pub static SERVICE_SENSITIVE_MOUNT: Rule = Rule {
    code: "DC015",
    name: "service-sensitive-mount",
    summary: "A service bind-mounts a sensitive host path (`/`, `/etc`, `/proc`, `/var/lib/docker`, …)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Warning,
    related: &[
        "kics:1c1325ff",
        "compose-lint:CL-0013",
        "compose-lint:CL-0025",
        "cis:5.6",
        "nist-800-190:3.5.5",
    ],
    docs: include_str!("service_sensitive_mount.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// Directories whose mount (the directory itself) exposes the host, and whether writing to
/// them amounts to root on the host.
const SENSITIVE_DIRS: &[(&str, bool)] = &[
    ("/", true),
    ("/etc", true),
    ("/root", true),
    ("/boot", true),
    ("/usr", true),
    ("/bin", true),
    ("/sbin", true),
    ("/lib", true),
    ("/lib64", true),
    ("/lib/modules", true),
    ("/usr/lib/modules", true),
    ("/var/lib/docker", true),
    ("/var/lib/containerd", true),
    ("/var/lib/kubelet", true),
    ("/etc/kubernetes", true),
    ("/proc", true),
    ("/sys", true),
    ("/dev", true),
    ("/home", false),
    ("/var", true),
    ("/var/log", false),
];

/// Files or trees below which every path is sensitive.
const SENSITIVE_TREES: &[&str] = &[
    "/root",
    "/boot",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/ssh",
    "/etc/kubernetes",
    "/etc/cron.d",
    "/etc/systemd",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/lib/modules",
    "/proc/sysrq-trigger",
    "/sys/kernel",
    "/sys/fs/cgroup",
];

/// Whether `path` is sensitive, and whether a writable mount of it is root-equivalent.
fn sensitivity(path: &str) -> Option<bool> {
    if let Some((_, root_equivalent)) = SENSITIVE_DIRS.iter().find(|(dir, _)| *dir == path) {
        return Some(*root_equivalent);
    }
    SENSITIVE_TREES
        .iter()
        .any(|tree| {
            path.strip_prefix(tree)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .then_some(true)
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for mount in &service.volumes {
            let Some(path) = bind_source(mount) else {
                continue;
            };
            let Some(root_equivalent) = sensitivity(&path) else {
                continue;
            };
            let span = mount
                .source
                .as_ref()
                .map_or(mount.span, |source| source.span);
            let access = if mount.read_only {
                "read-only"
            } else {
                "writable"
            };
            let finding = report_in_service(
                out,
                service,
                span,
                format!(
                    "service `{}` mounts the host's `{path}` ({access})",
                    service.name.value
                ),
            );
            if root_equivalent && !mount.read_only {
                finding.severity = Severity::Error;
                finding.with_help(
                    "writing here gives root on the host; mount only the files the service \
                     needs, read-only (`:ro`), or use a named volume",
                );
            } else {
                finding.with_help(
                    "mount only the files the service needs, read-only (`:ro`), or use a named \
                     volume",
                );
            }
        }
    }
}
