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
    "yml",
    "yaml",
    "json",
    "toml",
    "rego",
    "md",
    "txt",
    "sh",
    "ps1",
    "py",
    "go",
    "rs",
    "js",
    "ts",
    // BuildKit's ignore file of one Dockerfile: `Dockerfile.dockerignore`.
    "dockerignore",
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

    /// The kind of a file named explicitly (or stdin with this name): what the name says, else
    /// compose for any `.yml`/`.yaml` (a YAML file is never a Dockerfile), else what the
    /// content suggests ([`FileKind::sniff`]).
    pub fn of_named(path: &Path, text: &str) -> FileKind {
        if let Some(kind) = FileKind::from_path(path) {
            return kind;
        }
        let lower = path
            .file_name()
            .map(|name| name.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            return FileKind::Compose;
        }
        FileKind::sniff(text)
    }

    /// The kind the content suggests, for a file named explicitly whose name says nothing:
    /// a YAML mapping with a top-level `services:` key is compose, and so is the v1 format
    /// (a top-level `name:` line followed by an indented `image:` or `build:`); anything else
    /// is a Dockerfile.
    pub fn sniff(text: &str) -> FileKind {
        let mut in_top_level_entry = false;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("services:") {
                let rest = rest.trim_start();
                if rest.is_empty() || rest.starts_with('#') || rest.starts_with('{') {
                    return FileKind::Compose;
                }
            }
            if line.starts_with([' ', '\t']) {
                let inner = line.trim_start();
                if in_top_level_entry
                    && (inner.starts_with("image:") || inner.starts_with("build:"))
                {
                    return FileKind::Compose;
                }
            } else if !line.trim().is_empty() && !line.starts_with('#') {
                // `name:` alone on its line (a mapping follows), or anything else.
                let content = line.split(" #").next().unwrap_or_default().trim_end();
                in_top_level_entry = content
                    .strip_suffix(':')
                    .is_some_and(|key| !key.is_empty() && !key.contains([' ', '\t']));
            }
        }
        FileKind::Dockerfile
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
            "Dockerfile.dockerignore",
            "api.Dockerfile.dockerignore",
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
        assert_eq!(
            FileKind::sniff("web:\n  image: nginx\n  volumes:\n    - /:/host\n"),
            FileKind::Compose
        );
        assert_eq!(
            FileKind::sniff("FROM alpine\nRUN echo x:\n  image: y\n"),
            FileKind::Dockerfile
        );
        let named = |name: &str, text: &str| FileKind::of_named(Path::new(name), text);
        assert_eq!(named("old.yml", "FROM alpine\n"), FileKind::Compose);
        assert_eq!(named("stack.YAML", ""), FileKind::Compose);
        assert_eq!(
            named("Dockerfile", "web:\n  image: x\n"),
            FileKind::Dockerfile
        );
        assert_eq!(named("build", "FROM alpine\n"), FileKind::Dockerfile);
    }
}
