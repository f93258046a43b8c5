//! DF036 workdir-system-directory: `WORKDIR` inside a kernel or boot directory (`/proc`,
//! `/sys`, `/dev`, `/boot`, `/initrd`, `/lost+found`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Command;

use super::support::commands;

pub static WORKDIR_SYSTEM_DIRECTORY: Rule = Rule {
    code: "DF036",
    name: "workdir-system-directory",
    summary: "`WORKDIR` points into a kernel or boot directory such as /proc, /sys or /dev",
    target: Target::Dockerfile,
    category: Category::Isolation,
    severity: Severity::Error,
    related: &["trivy:DS-0030", "nist-800-190:3.5.5"],
    docs: include_str!("workdir_system_directory.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const SYSTEM_DIRECTORIES: &[&str] = &["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];

/// The system directory a path lies in, after collapsing repeated and trailing slashes.
fn system_directory(path: &str) -> Option<&'static str> {
    let path = path.trim_matches(['"', '\'']);
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    if !path.starts_with('/') {
        return None;
    }
    let first = format!("/{}", parts.first()?);
    SYSTEM_DIRECTORIES.iter().copied().find(|dir| *dir == first)
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let Command::Workdir(path) = command else {
            continue;
        };
        if let Some(directory) = system_directory(&path.value) {
            out.report(
                path.span,
                match directory {
                    "/proc" | "/sys" | "/dev" => format!(
                        "`WORKDIR {}` is inside {directory}, which the runtime mounts over when the container starts",
                        path.value
                    ),
                    _ => format!(
                        "`WORKDIR {}` is inside {directory}, which belongs to boot and file-system tooling",
                        path.value
                    ),
                },
            )
            .with_help("work in an application directory such as `/app` or `/srv/app`");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories() {
        assert_eq!(system_directory("/proc/self"), Some("/proc"));
        assert_eq!(system_directory("//dev/"), Some("/dev"));
        assert_eq!(system_directory("/devtools"), None);
        assert_eq!(system_directory("/app/proc"), None);
        assert_eq!(system_directory("proc"), None);
    }
}
