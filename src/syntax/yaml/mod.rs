//! A spanned YAML tree built from `saphyr-parser` events: every key and value with its span,
//! anchors, aliases and `<<` merge keys resolved (remembering where merged values came from),
//! duplicate keys kept as diagnostics, raw scalar text and style preserved.

mod parser;
mod relax;

pub use parser::{ALIAS_BUDGET, MAX_DEPTH, parse};

use serde::Serialize;

use crate::syntax::span::Span;

/// A parsed YAML stream.
#[derive(Clone, Debug, Default, Serialize)]
pub struct YamlFile {
    pub documents: Vec<Node>,
    /// Syntax errors and budget violations; parsing stops at a syntax error, so documents
    /// read before it are kept.
    pub errors: Vec<YamlError>,
    /// Keys that appear twice in one mapping (the later one wins, as in Compose).
    pub duplicate_keys: Vec<DuplicateKey>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DuplicateKey {
    pub key: String,
    /// The earlier occurrence.
    pub first: Span,
    /// The later occurrence (which wins).
    pub duplicate: Span,
    /// Where the earlier occurrence's value is written.
    pub first_value: Span,
    /// Where the later occurrence's value is written.
    pub duplicate_value: Span,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Where the node is written. For a value reached through an alias or a merge key this is
    /// the span of the anchored definition; `origin` then says where it was referenced.
    /// The span covers the content only, not an `&anchor` or `!tag` written before it: a
    /// quoted scalar with its quotes, a block scalar from `|`/`>` to its last non-blank
    /// character, a flow collection from bracket to bracket, a block sequence from its first
    /// `-`, a block mapping from its first key, block collections to the end of their last
    /// item. An empty value (`key:`) is an empty span just after the colon.
    pub span: Span,
    pub value: Value,
    /// An explicit tag such as `!!str` or `!reset`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// For nodes copied in by an alias (`*name`) or a `<<` merge: the span of that alias or
    /// merge key. Set on every node of the copied subtree (the outermost reference wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Shared: the compose model keeps each service's mapping beside the document, and a clone
    /// of the whole subtree per service was a quarter of parsing a large compose file. Built
    /// once and not changed after (alias copies that need new origins copy on write).
    Mapping(std::sync::Arc<Vec<Entry>>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar: its value after YAML unescaping, and how it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scalar {
    pub value: String,
    pub style: ScalarStyle,
}

impl Scalar {
    /// `null`, `~` or empty, unquoted (YAML 1.2 core schema).
    pub fn is_null(&self) -> bool {
        self.style == ScalarStyle::Plain
            && matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    /// A YAML 1.2 core boolean, unquoted.
    pub fn as_bool(&self) -> Option<bool> {
        if self.style != ScalarStyle::Plain {
            return None;
        }
        match self.value.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// A YAML 1.1 boolean that YAML 1.2 reads as a string (`yes`, `on`, `no`, `off`, `y`, `n`),
    /// unquoted. Compose (Go) reads these as booleans in some fields and strings in others.
    pub fn yaml11_bool(&self) -> Option<bool> {
        if self.style != ScalarStyle::Plain {
            return None;
        }
        match self.value.to_ascii_lowercase().as_str() {
            "yes" | "on" | "y" => Some(true),
            "no" | "off" | "n" => Some(false),
            _ => None,
        }
    }
}

impl Node {
    /// Call `f` on this node and every node below it (keys included), without recursion.
    pub fn visit(&self, mut f: impl FnMut(&Node)) {
        let mut pending = vec![self];
        while let Some(node) = pending.pop() {
            f(node);
            match &node.value {
                Value::Scalar(_) => {}
                Value::Sequence(items) => pending.extend(items.iter()),
                Value::Mapping(entries) => {
                    for entry in entries.iter() {
                        pending.push(&entry.key);
                        pending.push(&entry.value);
                    }
                }
            }
        }
    }

    /// [`Node::visit`] with each node mutable (a shared mapping is copied on write).
    pub fn visit_mut(&mut self, mut f: impl FnMut(&mut Node)) {
        let mut pending = vec![self];
        while let Some(node) = pending.pop() {
            f(node);
            match &mut node.value {
                Value::Scalar(_) => {}
                Value::Sequence(items) => pending.extend(items.iter_mut()),
                Value::Mapping(entries) => {
                    for entry in std::sync::Arc::make_mut(entries) {
                        pending.push(&mut entry.key);
                        pending.push(&mut entry.value);
                    }
                }
            }
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text, if this is a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar()
            .filter(|s| !s.is_null())
            .map(|s| s.value.as_str())
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// The entry for `key` in a mapping (the last one if the key is duplicated).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?
            .iter()
            .rev()
            .find(|e| e.key.as_str() == Some(key))
    }

    /// The value for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a path of mapping keys: `node.path(&["deploy", "resources", "limits"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }
}
