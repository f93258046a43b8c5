//! A file to lint: its display path, its text, and what kind of file it is.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;

use crate::syntax::span::{LineIndex, Position, Span};

/// The kinds of file plimsoll understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Dockerfile,
    Compose,
}

/// Extensions that make a `Dockerfile.*` name something else: data, docs, policies, scripts.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "yml", "yaml", "json", "toml", "rego", "md", "txt", "sh", "ps1", "py", "go", "rs", "js", "ts",
];

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
        }
    }

    /// The kind a file name says, if it says one.
    ///
    /// Dockerfiles: `Dockerfile`, `Dockerfile.*`, `Dockerfile-*`, `Dockerfile_*`, `*.Dockerfile`,
    /// `*.dockerfile`, `Containerfile` and `Containerfile` followed by `.`, `-` or `_`. Compose: any `.yaml`/`.yml` whose name contains `compose`.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_string_lossy();
        let lower = name.to_ascii_lowercase();
        let is_dockerfile = ["dockerfile", "containerfile"].iter().any(|base| {
            lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
        }) || lower.ends_with(".dockerfile");
        if is_dockerfile {
            // `Dockerfile.yaml` style names are not Dockerfiles (`compose` names win below), and
            // neither are files about Dockerfiles: `dockerfile.rego` (conftest's usual policy
            // name), `Dockerfile.md`, `dockerfile.json`, scripts. Keep in step with the `files`
            // regex of .pre-commit-hooks.yaml (checked by .ci/pre-commit.sh).
            let extension = lower.rsplit_once('.').map(|(_, ext)| ext);
            if !extension.is_some_and(|ext| NOT_DOCKERFILE_EXTENSIONS.contains(&ext)) {
                return Some(FileKind::Dockerfile);
            }
        }
        if (lower.ends_with(".yml") || lower.ends_with(".yaml")) && lower.contains("compose") {
            return Some(FileKind::Compose);
        }
        None
    }

    /// The kind the content suggests, for a file named explicitly whose name says nothing:
    /// a YAML mapping with a top-level `services:` key is compose, anything else a Dockerfile.
    pub fn sniff(text: &str) -> FileKind {
        let has_services = text.lines().any(|line| {
            line.strip_prefix("services:").is_some_and(|rest| {
                rest.trim().is_empty()
                    || rest.trim_start().starts_with('#')
                    || rest.trim_start().starts_with('{')
            })
        });
        if has_services {
            FileKind::Compose
        } else {
            FileKind::Dockerfile
        }
    }
}

/// One file's text, with its display path and kind. Line/column conversion is built on demand.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    pub kind: FileKind,
    line_index: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>, kind: FileKind) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            kind,
            line_index: OnceLock::new(),
        }
    }

    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn position(&self, offset: usize) -> Position {
        self.line_index().position(&self.text, offset)
    }

    pub fn slice(&self, span: Span) -> &str {
        span.text(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        let kind = |name: &str| FileKind::from_path(Path::new(name));
        for name in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "Dockerfile-dev",
            "api.Dockerfile",
            "api.dockerfile",
            "Containerfile",
            "Containerfile.in",
            "Containerfile-hardlinks",
            "Dockerfile_19c",
            "dir/Dockerfile",
        ] {
            assert_eq!(kind(name), Some(FileKind::Dockerfile), "{name}");
        }
        for name in [
            "compose.yaml",
            "docker-compose.yml",
            "docker-compose.prod.yml",
            "podman-compose.yml",
            "compose.override.yaml",
        ] {
            assert_eq!(kind(name), Some(FileKind::Compose), "{name}");
        }
        for name in [
            "values.yaml",
            "README.md",
            "Dockerfiles",
            "build.sh",
            "policy/dockerfile.rego",
            "Dockerfile.md",
            "dockerfile.json",
            "containerfile.sh",
            "Dockerfile.prod.txt",
        ] {
            assert_eq!(kind(name), None, "{name}");
        }
    }

    #[test]
    fn sniffing_content() {
        assert_eq!(
            FileKind::sniff("services:\n  web:\n    image: x\n"),
            FileKind::Compose
        );
        assert_eq!(FileKind::sniff("FROM alpine\n"), FileKind::Dockerfile);
    }
}
