//! The typed compose model, read from the spanned YAML tree.
//!
//! Only the first YAML document is a compose file (later documents are ignored, as by
//! `docker compose`). Every typed field keeps the span of its key and value; anything the
//! typed model does not cover is still reachable through [`Service::node`].

pub mod dotenv;
pub mod interpolate;
mod model;

pub use model::parse;

use serde::Serialize;

use crate::syntax::span::{Span, Spanned};
use crate::syntax::yaml::{Node, YamlFile};

/// A value read from `key: value`, with both spans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field<T> {
    pub value: T,
    /// The value (for a sequence or mapping, the whole collection).
    pub span: Span,
    /// The key.
    pub key_span: Span,
}

/// A parsed compose file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComposeFile {
    pub yaml: YamlFile,
    /// The obsolete top-level `version:`.
    pub version: Option<Field<String>>,
    pub services: Vec<Service>,
    /// Top-level `secrets:`, `volumes:`, `networks:`, `configs:`: names with the span of their
    /// entry.
    pub secrets: Vec<Spanned<String>>,
    pub volumes: Vec<Spanned<String>>,
    pub networks: Vec<Spanned<String>>,
    pub configs: Vec<Spanned<String>>,
    /// Shape problems (a service that is not a mapping, `ports:` that is not a list, …); each
    /// becomes a `parse-error` finding. Fields with the wrong shape are left out of the model.
    pub errors: Vec<ComposeError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComposeError {
    pub span: Span,
    pub message: String,
}

/// One service under `services:`.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    /// The service name (the key under `services:`).
    pub name: Spanned<String>,
    /// The service's mapping, for fields the typed model does not cover.
    #[serde(skip)]
    pub node: Node,
    /// The nodes of `node` copied in by an alias or a `<<` merge, as `(span, origin)`, in the
    /// order a depth-first walk meets them: found once here, so that a rule reporting many
    /// findings in one service does not walk the service again for each.
    #[serde(skip)]
    pub merged: Vec<(Span, Span)>,
    pub image: Option<Field<String>>,
    pub build: Option<Field<Build>>,
    pub container_name: Option<Field<String>>,
    pub user: Option<Field<String>>,
    /// `true`/`false`, also YAML 1.1 `yes`/`no`/`on`/`off` and quoted `"true"`, as Compose reads
    /// them into booleans.
    pub privileged: Option<Field<bool>>,
    pub read_only: Option<Field<bool>>,
    pub cap_add: Vec<Spanned<String>>,
    pub cap_drop: Vec<Spanned<String>>,
    pub security_opt: Vec<Spanned<String>>,
    pub network_mode: Option<Field<String>>,
    pub pid: Option<Field<String>>,
    pub ipc: Option<Field<String>>,
    pub uts: Option<Field<String>>,
    pub userns_mode: Option<Field<String>>,
    pub cgroup_parent: Option<Field<String>>,
    pub restart: Option<Field<String>>,
    pub volumes: Vec<VolumeMount>,
    pub ports: Vec<PortMapping>,
    pub environment: Vec<EnvVar>,
    pub env_file: Vec<Spanned<String>>,
    /// Names of the secrets the service uses (short or long syntax: the `source`).
    pub secrets: Vec<Spanned<String>>,
    /// `deploy.resources.limits`.
    pub limits: Resources,
    /// `deploy.resources.reservations`.
    pub reservations: Resources,
    /// The legacy (v2-style) resource keys, still honoured by `docker compose`.
    pub mem_limit: Option<Field<String>>,
    pub memswap_limit: Option<Field<String>>,
    pub cpus: Option<Field<String>>,
    pub cpu_quota: Option<Field<String>>,
    pub pids_limit: Option<Field<String>>,
    /// The `healthcheck:` mapping, if any (see `node` for its contents).
    pub healthcheck: Option<Field<()>>,
    pub ulimits: Option<Field<()>>,
    pub devices: Vec<Spanned<String>>,
    pub tmpfs: Vec<Spanned<String>>,
    pub sysctls: Vec<EnvVar>,
}

/// `build:` as a string (the context) or a mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Build {
    pub context: Option<Spanned<String>>,
    pub dockerfile: Option<Spanned<String>>,
    /// `dockerfile_inline:`, the Dockerfile written in the compose file itself.
    pub dockerfile_inline: Option<Spanned<String>>,
    /// `target:`, the stage that is built instead of the last one.
    pub target: Option<Spanned<String>>,
    pub args: Vec<EnvVar>,
}

/// CPU, memory and pids of `deploy.resources.limits` or `.reservations`. Values are the scalar
/// text as written (`512M`, `0.5`, `100`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub memory: Option<Field<String>>,
    pub cpus: Option<Field<String>>,
    pub pids: Option<Field<String>>,
}

/// A `NAME=value` (list form) or `NAME: value` (map form) entry of `environment:`, `args:` or
/// `sysctls:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    /// The whole entry.
    pub span: Span,
    pub name: Spanned<String>,
    /// `None` for `- NAME` or `NAME:` with no value (taken from the host environment).
    pub value: Option<Spanned<String>>,
}

/// One entry of `volumes:`, short (`./data:/data:ro`) or long syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VolumeMount {
    pub span: Span,
    /// Host path or volume name; `None` for an anonymous volume.
    pub source: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
    /// `bind`, `volume`, `tmpfs`, `npipe`, `cluster` (long syntax), or inferred for the short
    /// syntax (`bind` when the source is a path, `volume` otherwise).
    pub kind: Option<String>,
    pub read_only: bool,
    /// Short-syntax options or long-syntax `bind.propagation`, e.g. `rshared`.
    pub propagation: Option<Spanned<String>>,
    pub long_syntax: bool,
}

/// One entry of `ports:`, short (`"127.0.0.1:8080:80/tcp"`) or long syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortMapping {
    pub span: Span,
    pub host_ip: Option<Spanned<String>>,
    /// Host port or range; `None` when only the container port is given.
    pub published: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
    pub protocol: Option<Spanned<String>>,
    pub long_syntax: bool,
}

impl ComposeFile {
    /// The first YAML document (the compose file), if any.
    pub fn root(&self) -> Option<&Node> {
        self.yaml.documents.first()
    }
}
