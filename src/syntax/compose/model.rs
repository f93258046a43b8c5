//! Spanned YAML tree → typed compose model.
//!
//! Reading is forgiving: a field with the wrong shape is left out and reported as a
//! [`ComposeError`] at the offending node, and reading goes on with the next field.

use std::collections::HashMap;
use std::sync::Arc;

use super::interpolate::{self, Environment, ErrorKind};
use super::{
    Build, ComposeError, ComposeFile, EnvVar, Field, InterpolatedValue, PortMapping, Resources,
    Service, VolumeMount,
};
use crate::syntax::dockerfile::expansion::ExpansionBudget;
use crate::syntax::span::{Span, Spanned, written_part};
use crate::syntax::yaml::{Entry, Node, Value};

/// Parse compose text into the model, interpolated with an empty environment: a variable
/// with a literal default takes the default, any other is unknown. Never panics.
pub fn parse(text: &str) -> ComposeFile {
    parse_with_env(text, &Environment::default())
}

/// Parse compose text into the model, with `${VAR}` interpolated from `env` as Compose does
/// before it reads the file. Typed fields hold the interpolated values, spans stay on the
/// written text, and [`ComposeFile::interpolated`] records every value that had something to
/// interpolate. A value whose variable is unset without a default keeps its text as written
/// (rules treat `${…}` as unknown). Never panics.
pub fn parse_with_env(text: &str, env: &Environment) -> ComposeFile {
    let yaml = crate::syntax::yaml::parse(text);
    let mut interpolator = Interpolator {
        text,
        env,
        budget: ExpansionBudget::for_text(text.len()),
        values: HashMap::new(),
        errors: Vec::new(),
        required_unset: Vec::new(),
    };
    let interpolated_root = yaml
        .documents
        .first()
        .and_then(|root| interpolator.node(root));
    let Interpolator {
        values,
        errors,
        required_unset,
        ..
    } = interpolator;
    let mut reader = Reader {
        src: Src {
            text,
            values: &values,
        },
        errors,
    };
    let mut file = ComposeFile::default();
    if let Some(root) = interpolated_root.as_ref().or(yaml.documents.first()) {
        reader.read_root(root, &mut file);
    }
    file.errors = reader.errors;
    file.yaml = yaml;
    let mut interpolated: Vec<InterpolatedValue> = values.into_values().collect();
    interpolated.sort_by_key(|value| (value.span.start, value.span.end));
    file.interpolated = interpolated;
    file.required_unset = required_unset;
    file.env_file = env.file.clone();
    file
}

/// Compose v1: no `services:` key, and some top-level mapping is a service (it has an `image:`
/// or a `build:`).
fn is_v1_format(entries: &[Entry]) -> bool {
    let has = |key: &str| entries.iter().any(|e| e.key.as_str() == Some(key));
    !has("services")
        && entries.iter().any(|entry| {
            entry.key.as_str().is_some_and(|key| !key.starts_with("x-"))
                && (entry.value.get("image").is_some() || entry.value.get("build").is_some())
        })
}

/// Interpolates the scalars of a YAML tree (values, not keys, as Compose does).
struct Interpolator<'t> {
    text: &'t str,
    env: &'t Environment,
    budget: ExpansionBudget,
    /// By the span of the scalar as written (an alias copy has its definition's span).
    values: HashMap<Span, InterpolatedValue>,
    errors: Vec<ComposeError>,
    required_unset: Vec<ComposeError>,
}

impl Interpolator<'_> {
    /// `node` with its scalars interpolated, or `None` when nothing in it changes.
    fn node(&mut self, node: &Node) -> Option<Node> {
        match &node.value {
            Value::Scalar(scalar) => {
                if !interpolate::has_substitutions(&scalar.value) {
                    return None;
                }
                let value = match self.values.get(&node.span) {
                    Some(done) if done.raw == scalar.value => done.value().map(str::to_string),
                    _ => self.scalar(node, &scalar.value),
                }?;
                let mut copy = node.clone();
                if let Value::Scalar(scalar) = &mut copy.value {
                    scalar.value = value;
                }
                Some(copy)
            }
            Value::Sequence(items) => {
                let mut changed: Option<Vec<Node>> = None;
                for (index, item) in items.iter().enumerate() {
                    if let Some(new) = self.node(item) {
                        changed.get_or_insert_with(|| items.clone())[index] = new;
                    }
                }
                let mut copy = node.clone();
                copy.value = Value::Sequence(changed?);
                Some(copy)
            }
            Value::Mapping(entries) => {
                let mut changed: Option<Vec<Entry>> = None;
                for (index, entry) in entries.iter().enumerate() {
                    if let Some(new) = self.node(&entry.value) {
                        changed.get_or_insert_with(|| entries.as_ref().clone())[index].value = new;
                    }
                }
                let mut copy = node.clone();
                copy.value = Value::Mapping(Arc::new(changed?));
                Some(copy)
            }
        }
    }

    /// Interpolate one scalar, record it, and return its new value when known.
    fn scalar(&mut self, node: &Node, raw: &str) -> Option<String> {
        let result = interpolate::interpolate(raw, self.env, &mut self.budget);
        let recorded = InterpolatedValue {
            span: node.span,
            raw: raw.to_string(),
            result,
        };
        if let Err(error) = &recorded.result.value {
            // Copies through an alias report once, at the definition.
            let span = recorded.span_of(self.text, error.range.clone());
            let written = span.text(self.text);
            let problem = ComposeError {
                span,
                message: error.message(written),
            };
            match error.kind {
                ErrorKind::Required { .. } => self.required_unset.push(problem),
                _ => self.errors.push(problem),
            }
        }
        let value = recorded.value().map(str::to_string);
        self.values.insert(node.span, recorded);
        value.filter(|value| value != raw)
    }
}

/// The text and the interpolated scalars, to map a part of a value to where it is written.
#[derive(Clone, Copy)]
struct Src<'t> {
    text: &'t str,
    values: &'t HashMap<Span, InterpolatedValue>,
}

struct Reader<'t> {
    src: Src<'t>,
    errors: Vec<ComposeError>,
}

/// What kind of node this is, for messages.
fn describe(node: &Node) -> &'static str {
    match &node.value {
        Value::Scalar(s) if s.is_null() => "null",
        Value::Scalar(_) => "a scalar",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
    }
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: String) {
        self.errors.push(ComposeError { span, message });
    }

    fn read_root(&mut self, root: &Node, file: &mut ComposeFile) {
        let Some(entries) = root.as_mapping() else {
            if !root.is_null() {
                self.error(
                    root.span,
                    format!("a compose file must be a mapping, found {}", describe(root)),
                );
            }
            return;
        };
        if is_v1_format(entries) {
            self.read_v1(entries, file);
            return;
        }
        for entry in entries {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            match key {
                "version" => file.version = self.string_field(entry, "version"),
                "services" => self.read_services(&entry.value, &mut file.services),
                "secrets" => file.secrets = self.names(entry, "secrets"),
                "volumes" => file.volumes = self.names(entry, "volumes"),
                "networks" => file.networks = self.names(entry, "networks"),
                "configs" => file.configs = self.names(entry, "configs"),
                _ => {}
            }
        }
    }

    /// The v1 format: every top-level mapping is a service.
    fn read_v1(&mut self, entries: &[Entry], file: &mut ComposeFile) {
        for entry in entries {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            if name.starts_with("x-") || entry.value.as_mapping().is_none() {
                continue;
            }
            if file.v1_format.is_none() {
                file.v1_format = Some(entry.key.span);
            }
            let name = Spanned::new(name.to_string(), entry.key.span);
            let service = self.read_service(name, &entry.value);
            file.services.push(service);
        }
    }

    /// Names of a top-level mapping such as `volumes:`.
    fn names(&mut self, entry: &Entry, what: &str) -> Vec<Spanned<String>> {
        let value = &entry.value;
        let Some(entries) = value.as_mapping() else {
            if !value.is_null() {
                self.error(
                    value.span,
                    format!("`{what}` must be a mapping, found {}", describe(value)),
                );
            }
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| {
                let name = e.key.as_scalar()?.value.clone();
                // A copied value's span points at its definition, so do not stretch over it.
                let span = if e.value.origin.is_none() && e.value.span.start >= e.key.span.start {
                    e.key.span.cover(e.value.span)
                } else {
                    e.key.span
                };
                Some(Spanned::new(name, span))
            })
            .collect()
    }

    fn read_services(&mut self, node: &Node, services: &mut Vec<Service>) {
        let Some(entries) = node.as_mapping() else {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`services` must be a mapping, found {}", describe(node)),
                );
            }
            return;
        };
        for entry in entries {
            let Some(name) = entry.key.as_scalar().map(|s| s.value.clone()) else {
                self.error(
                    entry.key.span,
                    "a service name must be a string".to_string(),
                );
                continue;
            };
            if entry.value.as_mapping().is_none() {
                // `!reset null` removes a service in an override file.
                if entry.value.is_null() && entry.value.tag.as_deref() == Some("!reset") {
                    continue;
                }
                self.error(
                    entry.value.span,
                    format!(
                        "service `{name}` must be a mapping, found {}",
                        describe(&entry.value)
                    ),
                );
                continue;
            }
            services.push(self.read_service(Spanned::new(name, entry.key.span), &entry.value));
        }
    }

    fn read_service(&mut self, name: Spanned<String>, node: &Node) -> Service {
        let mut service = Service {
            name,
            node: node.clone(),
            merged: merged_nodes(node),
            image: None,
            build: None,
            container_name: None,
            user: None,
            privileged: None,
            read_only: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            security_opt: Vec::new(),
            network_mode: None,
            net: None,
            pid: None,
            ipc: None,
            uts: None,
            userns_mode: None,
            cgroup_parent: None,
            restart: None,
            volumes: Vec::new(),
            ports: Vec::new(),
            environment: Vec::new(),
            env_file: Vec::new(),
            secrets: Vec::new(),
            limits: Resources::default(),
            reservations: Resources::default(),
            mem_limit: None,
            memswap_limit: None,
            cpus: None,
            cpu_quota: None,
            pids_limit: None,
            healthcheck: None,
            ulimits: None,
            devices: Vec::new(),
            tmpfs: Vec::new(),
            sysctls: Vec::new(),
        };
        for entry in node.as_mapping().unwrap_or_default() {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            match key {
                "image" => service.image = self.string_field(entry, key),
                "build" => service.build = self.build(entry),
                "container_name" => service.container_name = self.string_field(entry, key),
                "user" => service.user = self.string_field(entry, key),
                "privileged" => service.privileged = self.bool_field(entry, key),
                "read_only" => service.read_only = self.bool_field(entry, key),
                "cap_add" => service.cap_add = self.string_list(&entry.value, key, false),
                "cap_drop" => service.cap_drop = self.string_list(&entry.value, key, false),
                "security_opt" => service.security_opt = self.string_list(&entry.value, key, false),
                "devices" => service.devices = self.devices(&entry.value),
                "tmpfs" => service.tmpfs = self.string_list(&entry.value, key, true),
                "network_mode" => service.network_mode = self.string_field(entry, key),
                "net" => service.net = self.string_field(entry, key),
                "pid" => service.pid = self.string_field(entry, key),
                "ipc" => service.ipc = self.string_field(entry, key),
                "uts" => service.uts = self.string_field(entry, key),
                "userns_mode" => service.userns_mode = self.string_field(entry, key),
                "cgroup_parent" => service.cgroup_parent = self.string_field(entry, key),
                "restart" => service.restart = self.string_field(entry, key),
                "volumes" => service.volumes = self.volumes(&entry.value),
                "ports" => service.ports = self.ports(&entry.value),
                "environment" => service.environment = self.env_vars(&entry.value, key),
                "env_file" => service.env_file = self.env_file(&entry.value),
                "secrets" => service.secrets = self.secrets(&entry.value),
                "deploy" => self.deploy(&entry.value, &mut service),
                "mem_limit" => service.mem_limit = self.string_field(entry, key),
                "memswap_limit" => service.memswap_limit = self.string_field(entry, key),
                "cpus" => service.cpus = self.string_field(entry, key),
                "cpu_quota" => service.cpu_quota = self.string_field(entry, key),
                "pids_limit" => service.pids_limit = self.string_field(entry, key),
                "healthcheck" => service.healthcheck = self.presence(entry, key),
                "ulimits" => service.ulimits = self.presence(entry, key),
                "sysctls" => service.sysctls = self.env_vars(&entry.value, key),
                _ => {}
            }
        }
        service
    }

    /// A scalar field as its text (numbers as written). Null is "not set".
    fn string_field(&mut self, entry: &Entry, what: &str) -> Option<Field<String>> {
        let value = &entry.value;
        let Some(scalar) = value.as_scalar() else {
            self.error(
                value.span,
                format!("`{what}` must be a string, found {}", describe(value)),
            );
            return None;
        };
        if scalar.is_null() {
            return None;
        }
        Some(Field {
            value: scalar.value.clone(),
            span: value.span,
            key_span: entry.key.span,
        })
    }

    /// A boolean as Compose reads it: `true`/`false` in any case, YAML 1.1 `yes`/`no`/`on`/
    /// `off`, quoted or not.
    fn bool_field(&mut self, entry: &Entry, what: &str) -> Option<Field<bool>> {
        let value = &entry.value;
        // `${VAR}` is only known after interpolation, which is not the linter's business.
        if value.is_null() || value.as_str().is_some_and(|s| s.contains('$')) {
            return None;
        }
        let parsed = value
            .as_scalar()
            .and_then(|s| match s.value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "y" => Some(true),
                "false" | "no" | "off" | "n" => Some(false),
                _ => None,
            });
        let Some(parsed) = parsed else {
            self.error(
                value.span,
                format!("`{what}` must be a boolean, found {}", describe(value)),
            );
            return None;
        };
        Some(Field {
            value: parsed,
            span: value.span,
            key_span: entry.key.span,
        })
    }

    /// Present with a mapping value (`healthcheck:`, `ulimits:`).
    fn presence(&mut self, entry: &Entry, what: &str) -> Option<Field<()>> {
        let value = &entry.value;
        if value.as_mapping().is_none() && !value.is_null() {
            self.error(
                value.span,
                format!("`{what}` must be a mapping, found {}", describe(value)),
            );
            return None;
        }
        Some(Field {
            value: (),
            span: value.span,
            key_span: entry.key.span,
        })
    }

    /// A list of strings; with `allow_single`, a lone string counts as a one-item list.
    fn string_list(&mut self, node: &Node, what: &str, allow_single: bool) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Sequence(items) => items
                .iter()
                .filter_map(|item| match item.as_scalar() {
                    Some(s) if !s.is_null() => Some(Spanned::new(s.value.clone(), item.span)),
                    _ => {
                        self.error(
                            item.span,
                            format!(
                                "items of `{what}` must be strings, found {}",
                                describe(item)
                            ),
                        );
                        None
                    }
                })
                .collect(),
            Value::Scalar(s) if allow_single && !s.is_null() => {
                vec![Spanned::new(s.value.clone(), node.span)]
            }
            Value::Scalar(s) if s.is_null() => Vec::new(),
            _ => {
                self.error(
                    node.span,
                    format!("`{what}` must be a list, found {}", describe(node)),
                );
                Vec::new()
            }
        }
    }

    /// `devices:` items are strings, or mappings (`source:`) in newer Compose.
    fn devices(&mut self, node: &Node) -> Vec<Spanned<String>> {
        let Some(items) = node.as_sequence() else {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`devices` must be a list, found {}", describe(node)),
                );
            }
            return Vec::new();
        };
        let mut devices = Vec::new();
        for item in items {
            if let Some(text) = item.as_str() {
                devices.push(Spanned::new(text.to_string(), item.span));
            } else if let Some(source) = item.get("source").filter(|s| s.as_str().is_some()) {
                devices.push(Spanned::new(
                    source.as_str().unwrap_or_default().to_string(),
                    source.span,
                ));
            } else {
                self.error(
                    item.span,
                    format!(
                        "items of `devices` must be strings, found {}",
                        describe(item)
                    ),
                );
            }
        }
        devices
    }

    fn build(&mut self, entry: &Entry) -> Option<Field<Build>> {
        let value = &entry.value;
        let build = match &value.value {
            Value::Scalar(s) if s.is_null() => return None,
            Value::Scalar(s) => Build {
                context: Some(Spanned::new(s.value.clone(), value.span)),
                dockerfile: None,
                dockerfile_inline: None,
                target: None,
                args: Vec::new(),
            },
            Value::Mapping(_) => Build {
                context: value.get("context").and_then(spanned_text),
                dockerfile: value.get("dockerfile").and_then(spanned_text),
                dockerfile_inline: value.get("dockerfile_inline").and_then(spanned_text),
                target: value.get("target").and_then(spanned_text),
                args: value
                    .get("args")
                    .map(|args| self.env_vars(args, "args"))
                    .unwrap_or_default(),
            },
            Value::Sequence(_) => {
                self.error(
                    value.span,
                    "`build` must be a string or a mapping, found a list".to_string(),
                );
                return None;
            }
        };
        Some(Field {
            value: build,
            span: value.span,
            key_span: entry.key.span,
        })
    }

    fn deploy(&mut self, node: &Node, service: &mut Service) {
        if node.as_mapping().is_none() {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`deploy` must be a mapping, found {}", describe(node)),
                );
            }
            return;
        }
        if let Some(limits) = node.path(&["resources", "limits"]) {
            service.limits = self.resources(limits, "limits");
        }
        if let Some(reservations) = node.path(&["resources", "reservations"]) {
            service.reservations = self.resources(reservations, "reservations");
        }
    }

    fn resources(&mut self, node: &Node, what: &str) -> Resources {
        let mut resources = Resources::default();
        let Some(entries) = node.as_mapping() else {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`{what}` must be a mapping, found {}", describe(node)),
                );
            }
            return resources;
        };
        for entry in entries {
            match entry.key.as_str() {
                Some("memory") => resources.memory = self.string_field(entry, "memory"),
                Some("cpus") => resources.cpus = self.string_field(entry, "cpus"),
                Some("pids") => resources.pids = self.string_field(entry, "pids"),
                _ => {}
            }
        }
        resources
    }

    /// `environment:`, `args:`, `sysctls:`: a list of `NAME=value` or a mapping.
    fn env_vars(&mut self, node: &Node, what: &str) -> Vec<EnvVar> {
        match &node.value {
            Value::Sequence(items) => {
                let mut vars = Vec::new();
                for item in items {
                    let Some(scalar) = item.as_scalar().filter(|s| !s.is_null()) else {
                        self.error(
                            item.span,
                            format!(
                                "items of `{what}` must be `NAME=value` strings, found {}",
                                describe(item)
                            ),
                        );
                        continue;
                    };
                    let text = scalar.value.as_str();
                    let (name, value) = match text.split_once('=') {
                        Some((name, value)) => {
                            let start = name.len() + 1;
                            let span = sub_span(self.src, item, start, text.len());
                            (name, Some(Spanned::new(value.to_string(), span)))
                        }
                        None => (text, None),
                    };
                    vars.push(EnvVar {
                        span: item.span,
                        name: Spanned::new(
                            name.to_string(),
                            sub_span(self.src, item, 0, name.len()),
                        ),
                        value,
                    });
                }
                vars
            }
            Value::Mapping(entries) => {
                let mut vars = Vec::new();
                for entry in entries.iter() {
                    let Some(name) = entry.key.as_scalar() else {
                        self.error(entry.key.span, format!("keys of `{what}` must be strings"));
                        continue;
                    };
                    let value = match entry.value.as_scalar() {
                        Some(s) if s.is_null() => None,
                        Some(s) => Some(Spanned::new(s.value.clone(), entry.value.span)),
                        None => {
                            self.error(
                                entry.value.span,
                                format!(
                                    "values of `{what}` must be scalars, found {}",
                                    describe(&entry.value)
                                ),
                            );
                            continue;
                        }
                    };
                    let span = if entry.value.origin.is_none()
                        && entry.value.span.start >= entry.key.span.start
                    {
                        entry.key.span.cover(entry.value.span)
                    } else {
                        entry.key.span
                    };
                    vars.push(EnvVar {
                        span,
                        name: Spanned::new(name.value.clone(), entry.key.span),
                        value,
                    });
                }
                vars
            }
            Value::Scalar(s) if s.is_null() => Vec::new(),
            Value::Scalar(_) => {
                self.error(
                    node.span,
                    format!("`{what}` must be a list or a mapping, found a scalar"),
                );
                Vec::new()
            }
        }
    }

    fn env_file(&mut self, node: &Node) -> Vec<Spanned<String>> {
        let items: &[Node] = match &node.value {
            Value::Scalar(s) if s.is_null() => return Vec::new(),
            Value::Scalar(s) => return vec![Spanned::new(s.value.clone(), node.span)],
            Value::Sequence(items) => items,
            Value::Mapping(_) => {
                self.error(
                    node.span,
                    "`env_file` must be a string or a list, found a mapping".to_string(),
                );
                return Vec::new();
            }
        };
        let mut files = Vec::new();
        for item in items {
            if let Some(path) =
                spanned_text(item).or_else(|| item.get("path").and_then(spanned_text))
            {
                files.push(path);
            } else {
                self.error(
                    item.span,
                    format!(
                        "items of `env_file` must be paths or `path:` mappings, found {}",
                        describe(item)
                    ),
                );
            }
        }
        files
    }

    fn secrets(&mut self, node: &Node) -> Vec<Spanned<String>> {
        let Some(items) = node.as_sequence() else {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`secrets` must be a list, found {}", describe(node)),
                );
            }
            return Vec::new();
        };
        let mut secrets = Vec::new();
        for item in items {
            if let Some(name) =
                spanned_text(item).or_else(|| item.get("source").and_then(spanned_text))
            {
                secrets.push(name);
            } else {
                self.error(
                    item.span,
                    format!(
                        "items of `secrets` must be names or `source:` mappings, found {}",
                        describe(item)
                    ),
                );
            }
        }
        secrets
    }

    fn volumes(&mut self, node: &Node) -> Vec<VolumeMount> {
        let Some(items) = node.as_sequence() else {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`volumes` must be a list, found {}", describe(node)),
                );
            }
            return Vec::new();
        };
        let mut mounts = Vec::new();
        for item in items {
            match &item.value {
                Value::Scalar(s) if !s.is_null() => {
                    mounts.push(short_volume(self.src, item, &s.value))
                }
                Value::Mapping(_) => mounts.push(self.long_volume(item)),
                _ => self.error(
                    item.span,
                    format!(
                        "items of `volumes` must be strings or mappings, found {}",
                        describe(item)
                    ),
                ),
            }
        }
        mounts
    }

    fn long_volume(&mut self, item: &Node) -> VolumeMount {
        let read_only = match item.entry("read_only") {
            Some(entry) => self.bool_field(entry, "read_only").is_some_and(|f| f.value),
            None => false,
        };
        VolumeMount {
            span: item.span,
            source: item.get("source").and_then(spanned_text),
            target: item.get("target").and_then(spanned_text),
            kind: item.get("type").and_then(Node::as_str).map(str::to_string),
            read_only,
            propagation: item.path(&["bind", "propagation"]).and_then(spanned_text),
            long_syntax: true,
        }
    }

    fn ports(&mut self, node: &Node) -> Vec<PortMapping> {
        let Some(items) = node.as_sequence() else {
            if !node.is_null() {
                self.error(
                    node.span,
                    format!("`ports` must be a list, found {}", describe(node)),
                );
            }
            return Vec::new();
        };
        let mut ports = Vec::new();
        for item in items {
            match &item.value {
                Value::Scalar(s) if !s.is_null() => {
                    ports.push(short_port(self.src, item, &s.value))
                }
                Value::Mapping(_) => ports.push(PortMapping {
                    span: item.span,
                    host_ip: item.get("host_ip").and_then(spanned_text),
                    published: item.get("published").and_then(spanned_text),
                    target: item.get("target").and_then(spanned_text),
                    protocol: item.get("protocol").and_then(spanned_text),
                    long_syntax: true,
                }),
                _ => self.error(
                    item.span,
                    format!(
                        "items of `ports` must be strings, numbers or mappings, found {}",
                        describe(item)
                    ),
                ),
            }
        }
        ports
    }
}

/// A non-null scalar with its span.
/// Every node under `node` (itself included) that an alias or merge copied in, as
/// `(span, origin)`, in the order of a depth-first walk with an explicit stack.
fn merged_nodes(node: &Node) -> Vec<(Span, Span)> {
    let mut merged = Vec::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if let Some(origin) = current.origin {
            merged.push((current.span, origin));
        }
        match &current.value {
            Value::Scalar(_) => {}
            Value::Sequence(items) => stack.extend(items.iter()),
            Value::Mapping(entries) => {
                for entry in entries.iter() {
                    stack.push(&entry.key);
                    stack.push(&entry.value);
                }
            }
        }
    }
    merged
}

fn spanned_text(node: &Node) -> Option<Spanned<String>> {
    node.as_str()
        .map(|text| Spanned::new(text.to_string(), node.span))
}

/// The span of `value[start..end]` of a scalar node, when the scalar is written as-is (plain,
/// or quoted without escapes), through its interpolation if it has one; the whole node's span
/// otherwise.
fn sub_span(src: Src<'_>, node: &Node, start: usize, end: usize) -> Span {
    let Some(scalar) = node.as_scalar() else {
        return node.span;
    };
    if node.origin.is_some() || start > end || end > scalar.value.len() {
        return node.span;
    }
    match src.values.get(&node.span) {
        Some(interpolated) if interpolated.value() == Some(scalar.value.as_str()) => {
            match interpolated.result.input_range(start..end) {
                Some(range) => interpolated.span_of(src.text, range),
                None => node.span,
            }
        }
        _ => written_part(src.text, node.span, &scalar.value, start..end),
    }
}

/// Split a short volume or port spec on `:`, keeping Windows drive letters (`C:\data`,
/// `c:/data`) in one piece. Returns byte ranges into `spec`.
fn split_colons(spec: &str) -> Vec<(usize, usize)> {
    let bytes = spec.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in separators(spec, b':') {
        let is_drive = i == start + 1
            && bytes.get(start).is_some_and(u8::is_ascii_alphabetic)
            && matches!(bytes.get(i + 1), Some(b'\\' | b'/'));
        if !is_drive {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, bytes.len()));
    parts
}

/// Positions of `separator` outside `${...}` interpolations, whose defaults may contain it
/// (`${PORT:-8080}:80`, `${DATA:-./data}:/data`).
fn separators(spec: &str, separator: u8) -> Vec<usize> {
    let bytes = spec.as_bytes();
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'$' && bytes.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        if depth > 0 {
            if b == b'}' {
                depth -= 1;
            }
        } else if b == separator {
            found.push(i);
        }
        i += 1;
    }
    found
}

/// Whether a short-syntax volume source is a host path rather than a named volume.
fn is_host_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~', '\\', '$'])
        || source.contains('/')
        || source.contains('\\')
        || (source.len() >= 2 && source.as_bytes().get(1) == Some(&b':'))
}

const PROPAGATIONS: [&str; 6] = [
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// `[source:]target[:options]`.
fn short_volume(src: Src<'_>, item: &Node, spec: &str) -> VolumeMount {
    let parts = split_colons(spec);
    let piece = |&(start, end): &(usize, usize)| {
        spec.get(start..end)
            .filter(|s| !s.is_empty())
            .map(|s| Spanned::new(s.to_string(), sub_span(src, item, start, end)))
    };
    let (source, target, options) = match parts.as_slice() {
        [target] => (None, piece(target), None),
        [source, target] => (piece(source), piece(target), None),
        [source, target, options, ..] => (piece(source), piece(target), Some(*options)),
        [] => (None, None, None),
    };
    let mut read_only = false;
    let mut propagation = None;
    if let Some((start, end)) = options {
        let mut offset = start;
        for option in spec.get(start..end).unwrap_or_default().split(',') {
            if option == "ro" || option == "readonly" {
                read_only = true;
            }
            if PROPAGATIONS.contains(&option) {
                let span = sub_span(src, item, offset, offset + option.len());
                propagation = Some(Spanned::new(option.to_string(), span));
            }
            offset += option.len() + 1;
        }
    }
    let kind = match &source {
        Some(source) if is_host_path(&source.value) => "bind",
        _ => "volume",
    };
    VolumeMount {
        span: item.span,
        source,
        target,
        kind: Some(kind.to_string()),
        read_only,
        propagation,
        long_syntax: false,
    }
}

/// `[[host_ip:]published:]target[/protocol]`, host IPv6 addresses in brackets.
fn short_port(src: Src<'_>, item: &Node, spec: &str) -> PortMapping {
    let piece = |start: usize, end: usize| {
        spec.get(start..end)
            .filter(|s| !s.is_empty())
            .map(|s| Spanned::new(s.to_string(), sub_span(src, item, start, end)))
    };
    let (body_end, protocol) = match separators(spec, b'/').last().copied() {
        Some(slash) => (slash, piece(slash + 1, spec.len())),
        None => (spec.len(), None),
    };
    let body = spec.get(..body_end).unwrap_or_default();
    let mut host_ip = None;
    let mut rest_start = 0;
    if body.starts_with('[')
        && let Some(close) = body.find(']')
    {
        host_ip = piece(1, close);
        // Skip `]:`.
        rest_start = (close + 2).min(body.len());
    }
    let rest = body.get(rest_start..).unwrap_or_default();
    let colons: Vec<usize> = separators(rest, b':')
        .into_iter()
        .map(|i| rest_start + i)
        .collect();
    let (published, target) = match colons.as_slice() {
        [] => (None, piece(rest_start, body_end)),
        [colon] => (piece(rest_start, *colon), piece(colon + 1, body_end)),
        [.., before_last, last] => {
            if host_ip.is_none() {
                host_ip = piece(rest_start, *before_last);
            }
            (piece(before_last + 1, *last), piece(last + 1, body_end))
        }
    };
    PortMapping {
        span: item.span,
        host_ip,
        published,
        target,
        protocol,
        long_syntax: false,
    }
}
