//! The merged project as JSON in the shape of `docker compose config --format json
//! --no-interpolate`, for the fields plimsoll models: ports and volumes in their long form,
//! `environment` as a mapping, relative paths resolved against the directory of the file that
//! wrote them (as Compose resolves them). Scalars are written as their YAML text.

use std::path::Path;

use serde_json::{Map, Value as Json, json};

use super::load::normalize;
use super::merge::{parse_port, split_volume};
use super::{Node, Project, Service, Value};

/// The service fields printed, in this order.
const STRING_FIELDS: [&str; 8] = [
    "image",
    "user",
    "network_mode",
    "pid",
    "ipc",
    "mem_limit",
    "cpus",
    "pids_limit",
];
const LIST_FIELDS: [&str; 4] = ["cap_add", "cap_drop", "security_opt", "profiles"];

/// The project as JSON. Every service, as `docker compose config --no-interpolate` prints
/// them; with `profiles`, only the services active with them.
pub fn config_json(project: &Project, name: &str, profiles: &[String]) -> Json {
    let mut services = Map::new();
    for service in &project.services {
        if profiles.is_empty() || Project::is_active(service, profiles) {
            services.insert(service.name.clone(), service_json(project, service));
        }
    }
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("services".into(), Json::Object(services));
    for (key, names) in [
        ("networks", &project.networks),
        ("volumes", &project.volumes),
        ("secrets", &project.secrets),
        ("configs", &project.configs),
    ] {
        if !names.is_empty() {
            let map: Map<String, Json> =
                names.iter().map(|(n, _)| (n.clone(), json!({}))).collect();
            out.insert(key.into(), Json::Object(map));
        }
    }
    Json::Object(out)
}

/// A subtree as JSON, scalars as their text.
pub fn plain(node: &Node) -> Json {
    match &node.value {
        Value::Scalar(s) if s.is_null() => Json::Null,
        Value::Scalar(s) => Json::String(s.value.clone()),
        Value::Sequence(items) => Json::Array(items.iter().map(plain).collect()),
        Value::Mapping(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), plain(&e.value)))
                .collect(),
        ),
    }
}

fn base_dir<'p>(project: &'p Project, node: &Node) -> &'p Path {
    project
        .files
        .get(node.loc.file)
        .map_or(Path::new(""), |f| f.base_dir.as_path())
}

fn resolve_path(project: &Project, node: &Node, written: &str) -> String {
    if written.is_empty()
        || written.starts_with('/')
        || written.starts_with('~')
        || written.starts_with('$')
        || written.contains("://")
        || written.starts_with("git@")
        || is_windows_absolute(written)
    {
        return written.to_string();
    }
    normalize(&base_dir(project, node).join(written))
        .display()
        .to_string()
}

fn service_json(project: &Project, service: &Service) -> Json {
    let node = &service.node;
    let mut out = Map::new();
    for key in STRING_FIELDS {
        if let Some(text) = node.get(key).and_then(Node::as_str) {
            out.insert(key.into(), json!(text));
        }
    }
    for key in ["privileged", "read_only"] {
        if let Some(flag) = node.get(key).and_then(Node::as_str) {
            let value = match flag.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "y" => json!(true),
                "false" | "no" | "off" | "n" => json!(false),
                _ => json!(flag),
            };
            out.insert(key.into(), value);
        }
    }
    for key in LIST_FIELDS {
        if let Some(list) = node.get(key).filter(|n| !n.is_null()) {
            out.insert(key.into(), plain(list));
        }
    }
    if let Some(volumes) = node.get("volumes").and_then(Node::as_sequence) {
        let list = volumes.iter().map(|v| volume_json(project, v)).collect();
        out.insert("volumes".into(), Json::Array(list));
    }
    if let Some(ports) = node.get("ports").and_then(Node::as_sequence) {
        out.insert(
            "ports".into(),
            Json::Array(ports.iter().map(port_json).collect()),
        );
    }
    if let Some(env) = node.get("environment").filter(|n| !n.is_null()) {
        out.insert("environment".into(), key_values(env));
    }
    if let Some(files) = node.get("env_file").filter(|n| !n.is_null()) {
        let items: Vec<&Node> = match files.as_sequence() {
            Some(items) => items.iter().collect(),
            None => vec![files],
        };
        let list = items
            .into_iter()
            .filter_map(|item| {
                let (path, required) = match item.as_str() {
                    Some(path) => (path, true),
                    None => (
                        item.get("path").and_then(Node::as_str)?,
                        item.get("required")
                            .and_then(Node::as_str)
                            .is_none_or(|r| r != "false"),
                    ),
                };
                Some(json!({"path": resolve_path(project, item, path), "required": required}))
            })
            .collect();
        out.insert("env_file".into(), Json::Array(list));
    }
    if let Some(resources) = node.path(&["deploy", "resources"]) {
        out.insert("deploy".into(), json!({"resources": plain(resources)}));
    }
    if let Some(healthcheck) = node.get("healthcheck").filter(|n| !n.is_null()) {
        out.insert("healthcheck".into(), plain(healthcheck));
    }
    if let Some(build) = node.get("build").filter(|n| !n.is_null()) {
        out.insert("build".into(), build_json(project, build));
    }
    Json::Object(out)
}

/// `environment` (or `args`) as a mapping: `K=V` items split, `K` alone is null.
pub fn key_values(node: &Node) -> Json {
    match &node.value {
        // A YAML boolean is read as one, and printed in lower case.
        Value::Mapping(entries) => Json::Object(
            entries
                .iter()
                .map(|e| {
                    let value = match e.value.as_scalar().and_then(|s| s.as_bool()) {
                        Some(b) => json!(b.to_string()),
                        None => plain(&e.value),
                    };
                    (e.key.clone(), value)
                })
                .collect(),
        ),
        Value::Sequence(items) => Json::Object(
            items
                .iter()
                .filter_map(Node::as_str)
                .map(|item| match item.split_once('=') {
                    Some((k, v)) => (k.to_string(), json!(v)),
                    None => (item.to_string(), Json::Null),
                })
                .collect(),
        ),
        Value::Scalar(_) => Json::Object(Map::new()),
    }
}

/// A bind mount's source as Compose tells it from a volume name: `.`, `/` or `~` first, or a
/// Windows path (`C:\…`, `\\server\…`).
fn is_host_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~']) || is_windows_absolute(source)
}

fn is_windows_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// A container path as Compose cleans it: no trailing `/` (except the root).
fn clean_target(target: &str) -> String {
    let trimmed = target.trim_end_matches('/');
    if trimmed.is_empty() && target.starts_with('/') {
        "/".to_string()
    } else {
        trimmed.to_string()
    }
}

fn volume_json(project: &Project, item: &Node) -> Json {
    let mut out = Map::new();
    if let Some(spec) = item.as_str() {
        let parts = split_volume(spec);
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, *target, None),
            [source, target] => (Some(*source), *target, None),
            [source, target, mode, ..] => (Some(*source), *target, Some(*mode)),
            [] => (None, "", None),
        };
        let kind = match source {
            Some(s) if is_host_path(s) => "bind",
            _ => "volume",
        };
        out.insert("type".into(), json!(kind));
        if let Some(source) = source {
            let source = if kind == "bind" {
                resolve_path(project, item, source)
            } else {
                source.to_string()
            };
            out.insert("source".into(), json!(source));
        }
        out.insert("target".into(), json!(clean_target(target)));
        if mode.is_some_and(|m| m.split(',').any(|o| o == "ro" || o == "readonly")) {
            out.insert("read_only".into(), json!(true));
        }
        return Json::Object(out);
    }
    let field = |k: &str| item.get(k).and_then(Node::as_str);
    let kind = field("type").unwrap_or("volume");
    out.insert("type".into(), json!(kind));
    if let Some(source) = field("source") {
        let source = if kind == "bind" {
            resolve_path(project, item, source)
        } else {
            source.to_string()
        };
        out.insert("source".into(), json!(source));
    }
    if let Some(target) = field("target") {
        out.insert("target".into(), json!(clean_target(target)));
    }
    if field("read_only").is_some_and(|r| r.eq_ignore_ascii_case("true")) {
        out.insert("read_only".into(), json!(true));
    }
    Json::Object(out)
}

fn port_json(item: &Node) -> Json {
    let mut out = Map::new();
    let (host_ip, published, target, protocol) = match item.as_str() {
        Some(spec) => {
            let port = parse_port(spec);
            (
                port.host_ip,
                port.published,
                Some(port.target),
                port.protocol,
            )
        }
        None => {
            let field = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
            (
                field("host_ip"),
                field("published"),
                field("target"),
                field("protocol"),
            )
        }
    };
    if let Some(target) = target {
        out.insert("target".into(), json!(target));
    }
    if let Some(published) = published {
        out.insert("published".into(), json!(published));
    }
    if let Some(host_ip) = host_ip {
        out.insert("host_ip".into(), json!(host_ip));
    }
    out.insert(
        "protocol".into(),
        json!(protocol.unwrap_or_else(|| "tcp".into())),
    );
    Json::Object(out)
}

fn build_json(project: &Project, build: &Node) -> Json {
    let mut out = Map::new();
    match build.as_str() {
        Some(context) => {
            out.insert(
                "context".into(),
                json!(resolve_path(project, build, context)),
            );
        }
        None => {
            if let Value::Mapping(entries) = &build.value {
                for entry in entries {
                    out.insert(entry.key.clone(), plain(&entry.value));
                }
            }
            let context = build.get("context");
            let written = context.and_then(Node::as_str).unwrap_or(".");
            let at = context.unwrap_or(build);
            out.insert("context".into(), json!(resolve_path(project, at, written)));
            if let Some(args) = build.get("args") {
                out.insert("args".into(), key_values(args));
            }
        }
    }
    if !out.contains_key("dockerfile") && !out.contains_key("dockerfile_inline") {
        out.insert("dockerfile".into(), json!("Dockerfile"));
    }
    Json::Object(out)
}
