//! The typed compose model, read from the spanned YAML tree.
//!
//! Only the first YAML document is a compose file (later documents are ignored, as by
//! `docker compose`). Every typed field keeps the span of its key and value; anything the
//! typed model does not cover is still reachable through [`Service::node`].

pub mod dotenv;
pub mod interpolate;
mod model;
pub mod schema;

pub use model::{parse, parse_with_env};

use std::ops::Range;

use interpolate::{Interpolated, Origin, Substitution};

use serde::Serialize;

use crate::syntax::span::{Span, Spanned, written_part};
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
    /// The YAML tree as written (not interpolated).
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
    /// Set for a file in the Compose v1 format (services at the top level, no `services:`
    /// key; Compose v2 rejects it): the key of its first service. Its services are read into
    /// `services` all the same.
    pub v1_format: Option<Span>,
    /// Shape problems (a service that is not a mapping, `ports:` that is not a list, …) and
    /// invalid interpolations (`${}`, `${A:x}`, a value past the expansion budget); each
    /// becomes a `parse-error` finding. Fields with the wrong shape are left out of the model.
    pub errors: Vec<ComposeError>,
    /// Every scalar value that had something to interpolate (a `$`), in the order of their
    /// spans: the value as written, and the result with the origin of each substitution.
    #[serde(skip)]
    pub interpolated: Vec<InterpolatedValue>,
    /// `${VAR:?message}` and `${VAR?message}` whose variable the environment does not set:
    /// Compose would refuse the file unless the shell sets it. At the `${`.
    #[serde(skip)]
    pub required_unset: Vec<ComposeError>,
    /// How messages name the file the environment came from (`.env`); empty without one.
    #[serde(skip)]
    pub env_file: String,
}

/// A scalar value as written and as interpolated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterpolatedValue {
    /// The scalar as written (for a copy through an alias, its definition).
    pub span: Span,
    /// The value before interpolation (after YAML unescaping).
    pub raw: String,
    pub result: Interpolated,
}

impl InterpolatedValue {
    /// The interpolated value, `None` when unknown or in error.
    pub fn value(&self) -> Option<&str> {
        match &self.result.value {
            Ok(Some(text)) => Some(text),
            _ => None,
        }
    }

    /// The span in `source` of `range`, a byte range of [`raw`](Self::raw): exact when the
    /// scalar is written as-is (plain, or quoted without escapes), the whole scalar otherwise.
    pub fn span_of(&self, source: &str, range: Range<usize>) -> Span {
        written_part(source, self.span, &self.raw, range)
    }

    /// The span of `range` of the interpolated value: exact in literal text, the whole `${…}`
    /// where it touches a substitution.
    pub fn value_span(&self, source: &str, range: Range<usize>) -> Span {
        match self.result.input_range(range) {
            Some(input) => self.span_of(source, input),
            None => self.span,
        }
    }

    /// The substitutions whose text overlaps `range` of the interpolated value, innermost
    /// first.
    pub fn substitutions_in(&self, range: Range<usize>) -> Vec<&Substitution> {
        let mut found: Vec<&Substitution> = self.result.substitutions_in(range).collect();
        found.sort_by_key(|s| std::cmp::Reverse(s.depth));
        found
    }

    /// Where the text at `range` of the value comes from, for a message: "`TAG` from .env line
    /// 3", "the default of `DB_PASSWORD`"; `None` when no substitution produced it.
    pub fn describe(&self, range: Range<usize>, env_file: &str) -> Option<String> {
        let found = self.substitutions_in(range);
        let substitution = found
            .iter()
            .find(|s| matches!(s.origin, Origin::Environment { .. }))
            .or_else(|| found.first())?;
        let name = &substitution.name;
        Some(match &substitution.origin {
            Origin::Environment {
                line: Some(line), ..
            } if !env_file.is_empty() => {
                format!("`{name}` from {env_file} line {line}")
            }
            Origin::Environment { .. } => format!("`{name}` from the environment"),
            Origin::Written if substitution.form.operator().ends_with('+') => {
                format!("the replacement written for `{name}`")
            }
            Origin::Written => format!("the default of `{name}`"),
            Origin::Empty | Origin::Unset => format!("`{name}`, not set"),
        })
    }
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
    /// The service's mapping, for fields the typed model does not cover, interpolated (as
    /// Compose reads it; the spans are where each value is written).
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
    /// `net:`, the Compose v1 spelling of `network_mode` (Compose v2 refuses the key; a v1 file
    /// means the same by it).
    pub net: Option<Field<String>>,
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

    /// The interpolation of the scalar written at `span`, if it had anything to interpolate.
    pub fn interpolation_at(&self, span: Span) -> Option<&InterpolatedValue> {
        let index = self
            .interpolated
            .binary_search_by_key(&(span.start, span.end), |v| (v.span.start, v.span.end))
            .ok()?;
        self.interpolated.get(index)
    }
}
