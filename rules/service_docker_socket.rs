//! DC014 service-docker-socket: a compose service mounts the Docker (or containerd, Podman,
//! CRI-O) control socket, which gives it control of the host.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{bind_source, report_in_service, with_compose_defaults};

pub static SERVICE_DOCKER_SOCKET: Rule = Rule {
    code: "DC014",
    name: "service-docker-socket",
    summary: "A service mounts the container engine's control socket (`/var/run/docker.sock`, …)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Error,
    related: &[
        "kics:d6355c88",
        "compose-lint:CL-0001",
        "semgrep:exposing-docker-socket-volume",
        "cis:5.32",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_docker_socket.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// Directories that hold engine sockets: mounting them mounts the socket.
const SOCKET_DIRS: &[&str] = &[
    "/run",
    "/var/run",
    "/run/docker",
    "/var/run/docker",
    "/run/containerd",
    "/var/run/containerd",
    "/run/podman",
    "/var/run/podman",
    "/run/crio",
    "/var/run/crio",
];

/// Socket file names of container engines (also rootless ones under `/run/user/<uid>/`).
const SOCKET_FILES: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "podman.sock",
    "crio.sock",
    "dockershim.sock",
    "cri-dockerd.sock",
];

/// The socket the mount exposes, if it exposes one.
fn exposed_socket(mount: &crate::syntax::compose::VolumeMount) -> Option<String> {
    if let Some(source) = mount.source.as_ref()
        && let Some(resolved) = with_compose_defaults(&source.value)
        && resolved
            .to_ascii_lowercase()
            .contains(r"\pipe\docker_engine")
    {
        return Some(resolved);
    }
    let path = bind_source(mount)?;
    let file = path.rsplit('/').next().unwrap_or_default();
    (SOCKET_FILES.contains(&file) || SOCKET_DIRS.contains(&path.as_str())).then_some(path)
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for mount in &service.volumes {
            let Some(socket) = exposed_socket(mount) else {
                continue;
            };
            let span = mount
                .source
                .as_ref()
                .map_or(mount.span, |source| source.span);
            let what = if SOCKET_DIRS.contains(&socket.as_str()) {
                "which holds the container engine's control socket"
            } else {
                "the container engine's control socket"
            };
            // `:ro` stops writes to the socket file, not API calls through it: the service
            // controls the engine all the same, so the finding keeps its severity.
            let message = if mount.read_only {
                format!(
                    "service `{}` mounts `{socket}`, {what}, read-only: `:ro` does not stop API \
                     calls through the socket, so the service still has full control of the \
                     engine",
                    service.name.value
                )
            } else {
                format!("service `{}` mounts `{socket}`, {what}", service.name.value)
            };
            let finding = report_in_service(out, service, span, message);
            finding.with_help(
                "whoever reaches this socket controls the host; use a filtering socket proxy \
                 that allows only the calls the service needs, or remove the mount",
            );
        }
    }
}
