//! The merge rules of Compose (compose-go `override/merge.go` and `override/uncity.go`, read as
//! a reference): mappings merge key by key, sequences append, scalars are replaced; some service
//! keys have their own rule, and after every merge some sequences keep one item per identity
//! (the later item in the place of the earlier).

use super::{Entry, Loc, Node, Tag, Value};

/// How a path merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Default,
    /// `command`, `entrypoint`, `healthcheck.test`, `ulimits.*`: the later value replaces.
    Replace,
    /// `environment`, `labels`, `dns`, …: both sides as `K=V` lists, appended (a mapping on both
    /// sides stays a mapping, merged by key: the same result with the spans of both sides).
    ToSequence,
    /// `extra_hosts`: as lists; later items already present are dropped.
    ExtraHosts,
    /// `depends_on`, `networks`, `models`: a list becomes a mapping, then mappings merge.
    ToMapping,
    /// `build`: a string is `{context: …}`, then mappings merge.
    Build,
    /// `logging`: merged when both name the same driver (or either none), else replaced.
    Logging,
}

fn rule(path: &[&str]) -> Rule {
    match path {
        ["services", _, rest @ ..] => match rest {
            ["command"] | ["entrypoint"] | ["healthcheck", "test"] | ["ulimits", _] => {
                Rule::Replace
            }
            ["annotations"]
            | ["build", "args"]
            | ["build", "additional_contexts"]
            | ["build", "labels"]
            | ["deploy", "labels"]
            | ["dns"]
            | ["dns_opt"]
            | ["dns_search"]
            | ["env_file"]
            | ["label_file"]
            | ["environment"]
            | ["labels"]
            | ["volumes", _, "volume", "labels"]
            | ["sysctls"]
            | ["tmpfs"] => Rule::ToSequence,
            ["extra_hosts"] | ["build", "extra_hosts"] => Rule::ExtraHosts,
            ["depends_on"] | ["networks"] | ["models"] => Rule::ToMapping,
            ["build"] => Rule::Build,
            ["logging"] => Rule::Logging,
            _ => Rule::Default,
        },
        ["networks", _, "labels"] | ["volumes", _, "labels"] => Rule::ToSequence,
        _ => Rule::Default,
    }
}

/// `override` merged onto `base` at `path` (mapping keys from the root, `*` for list items).
/// An error is Compose's "cannot override" (a mapping or list replaced by another type).
pub fn merge(base: Node, over: Node, path: &mut Vec<String>) -> Result<Node, String> {
    if over.tag == Tag::Override {
        return Ok(strip(over));
    }
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    match rule(&keys) {
        Rule::Replace => return Ok(strip(over)),
        Rule::ToSequence => return Ok(to_sequence(base, strip(over))),
        Rule::ExtraHosts => {
            let loc = base.loc;
            let base = sequence_items(base);
            let mut items = base.clone();
            for item in sequence_items(strip(over)) {
                if !base.iter().any(|b| b.as_str() == item.as_str()) {
                    items.push(item);
                }
            }
            return Ok(sequence_at(loc, items));
        }
        Rule::ToMapping => return merge_mappings(to_mapping(base), to_mapping(over), path),
        Rule::Build => return merge_mappings(build_mapping(base), build_mapping(over), path),
        Rule::Logging => {
            let driver = |n: &Node| n.get("driver").and_then(Node::as_str).map(str::to_string);
            if let (Some(a), Some(b)) = (driver(&base), driver(&over))
                && a != b
            {
                return Ok(strip(over));
            }
        }
        Rule::Default => {}
    }
    if over.is_null() && over.tag == Tag::None {
        return Ok(base);
    }
    let kinds = (kind(&base), kind(&over));
    match kinds {
        (2, 2) => merge_mappings(base, over, path),
        (1, 1) => {
            let Value::Sequence(mut items) = base.value else {
                unreachable!()
            };
            let Value::Sequence(more) = strip(over).value else {
                unreachable!()
            };
            items.extend(more);
            Ok(Node {
                loc: base.loc,
                tag: Tag::None,
                value: Value::Sequence(items),
            })
        }
        (1 | 2, _) => Err(format!("cannot override {}", path.join("."))),
        _ => Ok(strip(over)),
    }
}

/// 0 scalar, 1 sequence, 2 mapping.
fn kind(node: &Node) -> u8 {
    match node.value {
        Value::Scalar(_) => 0,
        Value::Sequence(_) => 1,
        Value::Mapping(_) => 2,
    }
}

/// Mappings merged key by key: `!reset` removes, `!override` replaces, a new key is added.
pub fn merge_mappings(base: Node, over: Node, path: &mut Vec<String>) -> Result<Node, String> {
    let loc = base.loc;
    let (Value::Mapping(mut entries), Value::Mapping(others)) = (base.value, over.value) else {
        return Err(format!("cannot override {}", path.join(".")));
    };
    for other in others {
        let existing = entries.iter().position(|e| e.key == other.key);
        match (other.value.tag, existing) {
            (Tag::Reset, Some(i)) => {
                entries.remove(i);
            }
            (Tag::Reset, None) => {}
            (_, None) => entries.push(Entry {
                key: other.key,
                key_loc: other.key_loc,
                value: strip(other.value),
            }),
            (_, Some(i)) => {
                let current =
                    std::mem::replace(&mut entries[i].value, Node::empty_mapping(other.value.loc));
                path.push(other.key.clone());
                let merged = merge(current, other.value.clone(), path);
                path.pop();
                let merged = merged?;
                if merged.loc == other.value.loc {
                    entries[i].key_loc = other.key_loc;
                }
                entries[i].value = merged;
            }
        }
    }
    Ok(Node {
        loc,
        tag: Tag::None,
        value: Value::Mapping(entries),
    })
}

/// A node as it is when nothing is before it: `!reset` entries gone, tags cleared.
pub fn strip(mut node: Node) -> Node {
    node.tag = Tag::None;
    node.value = match node.value {
        Value::Mapping(entries) => Value::Mapping(
            entries
                .into_iter()
                .filter(|e| e.value.tag != Tag::Reset)
                .map(|mut e| {
                    e.value = strip(e.value);
                    e
                })
                .collect(),
        ),
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(strip).collect()),
        scalar => scalar,
    };
    node
}

fn sequence_at(loc: Loc, items: Vec<Node>) -> Node {
    Node {
        loc,
        tag: Tag::None,
        value: Value::Sequence(items),
    }
}

/// A `K=V` list from a mapping (sorted, as Compose does), a string or a list.
fn sequence_items(node: Node) -> Vec<Node> {
    match node.value {
        Value::Sequence(items) => items,
        Value::Mapping(entries) => {
            let mut items = Vec::new();
            for entry in entries {
                match &entry.value.value {
                    Value::Sequence(values) => {
                        for v in values {
                            let text = format!("{}={}", entry.key, v.as_str().unwrap_or_default());
                            items.push(Node::scalar(v.loc, text));
                        }
                    }
                    _ => match entry.value.as_scalar().filter(|s| !s.is_null()) {
                        Some(s) => items.push(Node::scalar(
                            entry.value.loc,
                            format!("{}={}", entry.key, s.value),
                        )),
                        None => items.push(Node::scalar(entry.key_loc, entry.key)),
                    },
                }
            }
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            items
        }
        Value::Scalar(s) if s.is_null() => Vec::new(),
        Value::Scalar(_) => vec![node_from_parts(node.loc, node.value)],
    }
}

fn node_from_parts(loc: Loc, value: Value) -> Node {
    Node {
        loc,
        tag: Tag::None,
        value,
    }
}

fn to_sequence(base: Node, over: Node) -> Node {
    if base.as_mapping().is_some() && over.as_mapping().is_some() {
        let loc = base.loc;
        let (Value::Mapping(mut entries), Value::Mapping(others)) = (base.value, over.value) else {
            unreachable!()
        };
        for other in others {
            match entries.iter_mut().find(|e| e.key == other.key) {
                Some(existing) => *existing = other,
                None => entries.push(other),
            }
        }
        return node_from_parts(loc, Value::Mapping(entries));
    }
    let loc = base.loc;
    let mut items = sequence_items(base);
    items.extend(sequence_items(over));
    sequence_at(loc, items)
}

fn to_mapping(node: Node) -> Node {
    match node.value {
        Value::Sequence(items) => {
            let mut entries: Vec<Entry> = Vec::new();
            for item in items {
                let Some(key) = item.as_str().map(str::to_string) else {
                    continue;
                };
                if entries.iter().all(|e| e.key != key) {
                    entries.push(Entry {
                        key,
                        key_loc: item.loc,
                        value: Node::scalar(item.loc, String::new()).nulled(),
                    });
                }
            }
            node_from_parts(node.loc, Value::Mapping(entries))
        }
        Value::Scalar(ref s) if s.is_null() => {
            node_from_parts(node.loc, Value::Mapping(Vec::new()))
        }
        _ => node,
    }
}

fn build_mapping(node: Node) -> Node {
    match node.as_str() {
        Some(_) => node_from_parts(
            node.loc,
            Value::Mapping(vec![Entry {
                key: "context".to_string(),
                key_loc: node.loc,
                value: node,
            }]),
        ),
        None if node.is_null() => Node::empty_mapping(node.loc),
        None => node,
    }
}

impl Node {
    /// This node as a plain null.
    fn nulled(mut self) -> Node {
        self.value = Value::Scalar(crate::syntax::yaml::Scalar {
            value: String::new(),
            style: crate::syntax::yaml::ScalarStyle::Plain,
        });
        self
    }
}

/// How a sequence's items are identified for de-duplication.
#[derive(Clone, Copy)]
enum Identity {
    /// The text before `=`.
    KeyValue,
    /// The mount target.
    Volume,
    Device,
    /// `/run/secrets/<source>` or the target.
    Mount(&'static str),
    EnvFile,
    Expose,
    Port,
}

fn identity_rule(path: &[&str]) -> Option<Identity> {
    Some(match path {
        ["cap_add"]
        | ["cap_drop"]
        | ["dns"]
        | ["dns_opt"]
        | ["dns_search"]
        | ["environment"]
        | ["labels"]
        | ["links"]
        | ["profiles"]
        | ["sysctls"]
        | ["tmpfs"]
        | ["annotations"]
        | ["build", "args"]
        | ["build", "additional_contexts"]
        | ["build", "tags"]
        | ["build", "labels"]
        | ["deploy", "labels"]
        | ["networks", _, "aliases"]
        | ["networks", _, "link_local_ips"] => Identity::KeyValue,
        ["volumes"] => Identity::Volume,
        ["devices"] => Identity::Device,
        ["secrets"] => Identity::Mount("/run/secrets"),
        ["configs"] => Identity::Mount(""),
        ["env_file"] => Identity::EnvFile,
        ["expose"] => Identity::Expose,
        ["ports"] => Identity::Port,
        _ => return None,
    })
}

/// The identity of one item; `None` keeps it.
fn identity(kind: Identity, item: &Node) -> Option<String> {
    let text = item.as_str();
    match kind {
        Identity::KeyValue => text.map(|t| t.split_once('=').map_or(t, |(k, _)| k).to_string()),
        Identity::Expose => text.map(str::to_string),
        Identity::EnvFile => text
            .or_else(|| item.get("path").and_then(Node::as_str))
            .map(str::to_string),
        Identity::Volume => match text {
            Some(t) => Some(short_volume_target(t).to_string()),
            None => item
                .get("target")
                .and_then(Node::as_str)
                .map(str::to_string),
        },
        Identity::Device => match text {
            Some(t) => {
                let parts: Vec<&str> = t.split(':').collect();
                Some(parts.get(1).unwrap_or(&parts[0]).to_string())
            }
            None => item
                .get("target")
                .and_then(Node::as_str)
                .map(str::to_string),
        },
        Identity::Mount(dir) => match text {
            Some(t) => Some(format!("{dir}/{t}")),
            None => match item.get("target").and_then(Node::as_str) {
                Some(target) => Some(target.to_string()),
                None => item
                    .get("source")
                    .and_then(Node::as_str)
                    .map(|s| format!("{dir}/{s}")),
            },
        },
        Identity::Port => port_identity(item),
    }
}

/// The container path of a short volume spec `[source:]target[:mode]` (a Windows drive letter
/// `C:\…` stays in one piece).
pub fn short_volume_target(spec: &str) -> &str {
    let parts = split_volume(spec);
    match parts.as_slice() {
        [target] => target,
        [_, target, ..] => target,
        [] => "",
    }
}

/// A short volume spec split on `:`, keeping drive letters with their path.
pub fn split_volume(spec: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = spec.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b != b':' {
            continue;
        }
        let is_drive = i == start + 1
            && bytes[start].is_ascii_alphabetic()
            && matches!(bytes.get(i + 1), Some(b'\\' | b'/'));
        if !is_drive {
            parts.push(&spec[start..i]);
            start = i + 1;
        }
    }
    parts.push(&spec[start..]);
    parts
}

/// A port as Compose identifies it after its canonical form: `host:published:target/protocol`
/// with `0.0.0.0` and `tcp` for what is not written.
fn port_identity(item: &Node) -> Option<String> {
    let port = match item.as_str() {
        Some(spec) => parse_port(spec),
        None if item.as_mapping().is_some() => {
            let field = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
            Port {
                host_ip: field("host_ip"),
                published: field("published"),
                target: field("target")?,
                protocol: field("protocol"),
            }
        }
        None => return None,
    };
    Some(format!(
        "{}:{}:{}/{}",
        port.host_ip.as_deref().unwrap_or("0.0.0.0"),
        port.published.as_deref().unwrap_or(""),
        port.target,
        port.protocol.as_deref().unwrap_or("tcp")
    ))
}

/// A short port spec `[[host_ip:]published:]target[/protocol]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub host_ip: Option<String>,
    pub published: Option<String>,
    pub target: String,
    pub protocol: Option<String>,
}

pub fn parse_port(spec: &str) -> Port {
    let (body, protocol) = match spec.rsplit_once('/') {
        Some((body, protocol)) => (body, Some(protocol.to_string())),
        None => (spec, None),
    };
    let (host_ip, rest) = match body.strip_prefix('[').and_then(|b| b.split_once(']')) {
        Some((ip, rest)) => (Some(ip.to_string()), rest.trim_start_matches(':')),
        None => (None, body),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (host, published, target) = match parts.as_slice() {
        [target] => (None, None, *target),
        [published, target] => (None, Some(*published), *target),
        [.., host, published, target] => (Some(*host), Some(*published), *target),
        [] => (None, None, ""),
    };
    let non_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
    Port {
        host_ip: host_ip.or_else(|| non_empty(host)),
        published: non_empty(published),
        target: target.to_string(),
        protocol,
    }
}

/// Keep one item per identity in the sequences Compose de-duplicates, in every service.
pub fn enforce_unicity(root: &mut Node) {
    let Value::Mapping(entries) = &mut root.value else {
        return;
    };
    let Some(services) = entries.iter_mut().find(|e| e.key == "services") else {
        return;
    };
    let Value::Mapping(services) = &mut services.value.value else {
        return;
    };
    for service in services {
        let mut path = Vec::new();
        unique_in(&mut service.value, &mut path);
    }
}

fn unique_in(node: &mut Node, path: &mut Vec<String>) {
    match &mut node.value {
        Value::Mapping(entries) => {
            for entry in entries {
                path.push(entry.key.clone());
                unique_in(&mut entry.value, path);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(kind) = identity_rule(&keys) else {
                return;
            };
            let mut kept: Vec<(Option<String>, Node)> = Vec::with_capacity(items.len());
            for item in std::mem::take(items) {
                let id = identity(kind, &item);
                match kept
                    .iter_mut()
                    .find(|(k, _)| id.is_some() && k.as_ref() == id.as_ref())
                {
                    Some(slot) => slot.1 = item,
                    None => kept.push((id, item)),
                }
            }
            *items = kept.into_iter().map(|(_, item)| item).collect();
        }
        Value::Scalar(_) => {}
    }
}
