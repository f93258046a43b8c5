//! Compose projects as `docker compose` loads them: the files of a project merged in order
//! (overrides), `extends` (same file, other file, chains) and `include` followed, by the merge
//! rules of the Compose specification as Compose implements them (compose-go's `override`
//! package). Pure: the files are read by the workspace layer and handed in through a
//! [`Loader`].
//!
//! The merged tree is a copy of the YAML tree in which every node and key remembers the file
//! (a [`FileId`] into [`Project::files`]) and span it was written at, so a value that came from
//! an override, an extended base or an included file still points there.
//!
//! Not modelled: interpolation (values stay as written, `${VAR}` included; each file is
//! interpolated on its own by the syntax layer, with the env file the workspace finds for it:
//! an `include`'s `env_file` is recorded here for that), the merge of `networks.*.ipam.config` by subnet (appended),
//! remote `include`/`extends` targets (git, oci), and the re-canonicalisation that expands
//! port ranges before de-duplicating ports.

mod config;
mod load;
mod merge;

pub use config::config_json;
pub use load::{ProjectInput, load_project};

use std::path::PathBuf;
use std::sync::Arc;

use crate::syntax::compose::ComposeFile;
use crate::syntax::span::Span;
use crate::syntax::yaml::{self, Scalar, ScalarStyle};

/// An index into [`Project::files`].
pub type FileId = usize;

/// Where something is written: a file of the project and a span in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

/// A YAML tag that changes how a value merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    None,
    /// `!reset`: remove the value of the files before.
    Reset,
    /// `!override`: replace the value of the files before instead of merging with it.
    Override,
}

/// A node of the merged tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub loc: Loc,
    pub tag: Tag,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

/// One `key: value` of a merged mapping; keys are unique.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    /// Where the key is written (for a service under `services:`, in the file that first
    /// defines it).
    pub key_loc: Loc,
    pub value: Node,
}

impl Node {
    /// The tree of a YAML node written in `file`: scalar keys only (the later of duplicate keys
    /// wins, in the place of the first), `!reset` items of sequences dropped.
    pub fn from_yaml(file: FileId, node: &yaml::Node) -> Node {
        let tag = match node.tag.as_deref() {
            Some("!reset") => Tag::Reset,
            Some("!override") => Tag::Override,
            _ => Tag::None,
        };
        let value = match &node.value {
            yaml::Value::Scalar(s) => Value::Scalar(s.clone()),
            yaml::Value::Sequence(items) => Value::Sequence(
                items
                    .iter()
                    .filter(|item| item.tag.as_deref() != Some("!reset"))
                    .map(|item| Node::from_yaml(file, item))
                    .collect(),
            ),
            yaml::Value::Mapping(entries) => {
                let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
                for entry in entries.iter() {
                    let Some(key) = entry.key.as_scalar().map(|s| s.value.clone()) else {
                        continue;
                    };
                    let new = Entry {
                        key,
                        key_loc: Loc {
                            file,
                            span: entry.key.span,
                        },
                        value: Node::from_yaml(file, &entry.value),
                    };
                    match out.iter_mut().find(|e| e.key == new.key) {
                        Some(existing) => *existing = new,
                        None => out.push(new),
                    }
                }
                Value::Mapping(out)
            }
        };
        Node {
            loc: Loc {
                file,
                span: node.span,
            },
            tag,
            value,
        }
    }

    /// A plain scalar node (for values Compose builds, such as `K=V` from a mapping entry).
    pub fn scalar(loc: Loc, text: String) -> Node {
        Node {
            loc,
            tag: Tag::None,
            value: Value::Scalar(Scalar {
                value: text,
                style: ScalarStyle::DoubleQuoted,
            }),
        }
    }

    pub fn empty_mapping(loc: Loc) -> Node {
        Node {
            loc,
            tag: Tag::None,
            value: Value::Mapping(Vec::new()),
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

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
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

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?.iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Whether the path is set to something other than null.
    pub fn has(&self, keys: &[&str]) -> bool {
        self.path(keys).is_some_and(|n| !n.is_null())
    }
}

/// A file the project read, in the role it was read in.
#[derive(Clone, Debug)]
pub struct ProjectFile {
    pub path: PathBuf,
    /// The directory relative paths written in this file resolve against: the project
    /// directory for the project's own files, the file's own directory for an `extends` target,
    /// the `include`'s project directory for an included file.
    pub base_dir: PathBuf,
    pub role: FileRole,
    /// The env files an `include` names for this file's variables (resolved; empty for the
    /// default, `.env` in [`ProjectFile::base_dir`]).
    pub env_files: Vec<PathBuf>,
}

/// Why a project read a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    /// One of the project's own files (the base file, an override, a `-f` file).
    Own,
    /// A file an `include` pulls in: its services run as the project's.
    Included,
    /// A file an `extends` with `file:` reads a base service from: only the services extended
    /// are used, as part of their extenders.
    Extended,
}

/// A service of the merged project.
#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    /// The service key in the file that first defines it.
    pub defined_at: Loc,
    /// The merged mapping.
    pub node: Node,
}

/// A problem found while loading the project: a file that cannot be read or parsed, a missing
/// `extends` or `include` target, a cycle, a conflict. At the reference (or the parse error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub loc: Loc,
    pub message: String,
}

/// A merged project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    pub files: Vec<ProjectFile>,
    pub services: Vec<Service>,
    /// Top-level `networks`, `volumes`, `secrets`, `configs`: names with their key.
    pub networks: Vec<(String, Loc)>,
    pub volumes: Vec<(String, Loc)>,
    pub secrets: Vec<(String, Loc)>,
    pub configs: Vec<(String, Loc)>,
    pub problems: Vec<Problem>,
    /// Services of other files (`extends: {file: …}` targets) that services of the project
    /// extend: the file and the service name.
    pub extended: Vec<(FileId, String)>,
}

impl Project {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Whether a service is active with these profiles (`*` enables all): services without
    /// `profiles` always are.
    pub fn is_active(service: &Service, profiles: &[String]) -> bool {
        match service.node.get("profiles").and_then(Node::as_sequence) {
            Some(list) if !list.is_empty() => profiles
                .iter()
                .any(|p| p == "*" || list.iter().any(|item| item.as_str() == Some(p.as_str()))),
            _ => true,
        }
    }
}

/// Reads the files a project names. Implemented by the workspace layer (bounded reads of the
/// files on disk) and by tests.
pub trait Loader {
    /// The compose file at `path` (as the project builds it: a directory joined with what is
    /// written), parsed; or why it cannot be read.
    fn load(&mut self, path: &std::path::Path) -> Result<Arc<ComposeFile>, String>;

    /// Whether a file the project names but does not parse (an `include`'s `env_file`) exists.
    fn exists(&mut self, path: &std::path::Path) -> bool {
        let _ = path;
        true
    }
}
