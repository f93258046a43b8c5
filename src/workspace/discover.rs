//! File discovery for `plimsoll check`: turn the paths on the command line into a sorted list of
//! files to lint. Directories are walked with the `ignore` crate (so `.gitignore` and `.ignore`
//! are honoured); files named explicitly are linted whatever their name. Hidden directories are
//! walked, because `.devcontainer/Dockerfile` and `.docker/compose.yaml` are common; only
//! version-control and dependency directories are skipped.
//! Problems (a path that does not exist, an unreadable directory) are collected per path: the
//! rest of the run goes on. Nothing here prints.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::results::FileError;
use crate::syntax::source::FileKind;

/// One file to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The path as displayed and as opened (relative paths stay relative, without `./`).
    pub path: PathBuf,
    /// `None` when the name says nothing: the runner sniffs the content.
    pub kind: Option<FileKind>,
}

/// The files found, sorted and deduplicated, the paths that could not be walked, and the
/// walked files deliberately not read.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<Candidate>,
    pub errors: Vec<FileError>,
    /// Symbolic links out of the walked directory: not errors, reported once each.
    pub skipped: Vec<FileError>,
}

/// Why a walked symbolic link is not read.
pub const SKIPPED_OUTSIDE: &str = "symlink to a file outside the checked directory";

/// Directories never worth walking, even when no ignore file says so.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".jj",
    "node_modules",
    ".venv",
    ".tox",
];

/// Walk `paths`. `forced_kind` (from `--kind`) applies to files named explicitly; walked files
/// are recognised by name only.
pub fn discover(paths: &[PathBuf], forced_kind: Option<FileKind>) -> Discovery {
    discover_with(paths, forced_kind, &mut |_, kind| kind)
}

/// [`discover`], with `classify` deciding about each walked file: it gets the path and the
/// kind its name says, and returns the kind to lint it as, or `None` to skip it (the
/// configuration's `include` and `exclude`).
pub fn discover_with(
    paths: &[PathBuf],
    forced_kind: Option<FileKind>,
    classify: &mut dyn FnMut(&Path, Option<FileKind>) -> Option<FileKind>,
) -> Discovery {
    let mut discovery = Discovery::default();
    // Explicit files first, so that deduplication keeps their (possibly forced) kind.
    let mut explicit = Vec::new();
    let mut walked = Vec::new();
    for given in paths {
        let path = display_path(given);
        match std::fs::metadata(&path) {
            Err(err) => discovery
                .errors
                .push(FileError::new(&path, io_message(&err))),
            Ok(meta) if meta.is_dir() => {
                if FileKind::from_path(&path).is_some() {
                    // `plimsoll check app/Dockerfile` where that is a directory: the user named a
                    // file, so say it is not one rather than silently walk it.
                    discovery
                        .errors
                        .push(FileError::new(&path, "is a directory, not a file"));
                } else {
                    walk(&path, &mut walked, &mut discovery, classify);
                }
            }
            Ok(_) => explicit.push(Candidate {
                kind: forced_kind.or_else(|| FileKind::from_path(&path)),
                path,
            }),
        }
    }
    let mut files = explicit;
    files.extend(walked);
    // A stable sort keeps an explicit entry ahead of the walked copy of the same path.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|later, earlier| later.path == earlier.path);
    discovery.files = files;
    discovery.errors.sort_by(|a, b| a.path.cmp(&b.path));
    discovery.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    discovery.skipped.dedup();
    discovery
}

fn walk(
    root: &Path,
    files: &mut Vec<Candidate>,
    discovery: &mut Discovery,
    classify: &mut dyn FnMut(&Path, Option<FileKind>) -> Option<FileKind>,
) {
    // Links are judged by where they resolve to: inside the walked directory or not.
    let resolved_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = ignore::WalkBuilder::new(root)
        // Honour .gitignore even outside a git checkout (an unpacked tarball, a test tree).
        .require_git(false)
        // Symlinked directories are not followed: no loops, no walking out of the tree.
        .follow_links(false)
        .hidden(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && SKIPPED_DIRS.iter().any(|skip| entry.file_name() == *skip))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                let is_file = match entry.file_type() {
                    Some(t) if t.is_file() => true,
                    // A symlink to a file is linted; to a directory or nowhere, skipped.
                    Some(t) if t.is_symlink() => path.metadata().is_ok_and(|m| m.is_file()),
                    _ => false,
                };
                if !is_file {
                    continue;
                }
                let outside = entry.path_is_symlink()
                    && !std::fs::canonicalize(path)
                        .is_ok_and(|target| target.starts_with(&resolved_root));
                let path = display_path(path);
                if outside {
                    // Only a file that would have been linted is worth a note.
                    if classify(&path, FileKind::from_path(&path)).is_some() {
                        discovery
                            .skipped
                            .push(FileError::new(&path, SKIPPED_OUTSIDE));
                    }
                    continue;
                }
                if let Some(kind) = classify(&path, FileKind::from_path(&path)) {
                    files.push(Candidate {
                        path,
                        kind: Some(kind),
                    });
                }
            }
            Err(err) => {
                if let Some(error) = walk_error(root, &err) {
                    discovery.errors.push(error);
                }
            }
        }
    }
}

/// A walk error as a per-path error. Syntax problems inside ignore files are not the user's
/// lint problem and are dropped (the walk still honours the rest of the file).
fn walk_error(root: &Path, err: &ignore::Error) -> Option<FileError> {
    let mut path = None;
    let mut current = err;
    loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                current = err;
            }
            ignore::Error::WithDepth { err, .. } => current = err,
            ignore::Error::Io(io) => {
                let path = display_path(path.as_deref().unwrap_or(root));
                return Some(FileError::new(&path, io_message(io)));
            }
            ignore::Error::Loop { child, .. } => {
                return Some(FileError::new(&display_path(child), "symbolic link loop"));
            }
            _ => return None,
        }
    }
}

/// The path without `./` components: `./app/Dockerfile` is shown as `app/Dockerfile`.
pub fn display_path(path: &Path) -> PathBuf {
    let cleaned: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

/// An I/O error as a short lower-case message, without the `(os error N)` suffix.
pub fn io_message(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_drop_dot_components() {
        assert_eq!(
            display_path(Path::new("./a/./Dockerfile")),
            Path::new("a/Dockerfile")
        );
        assert_eq!(display_path(Path::new(".")), Path::new("."));
        assert_eq!(display_path(Path::new("/x/y")), Path::new("/x/y"));
    }

    #[test]
    fn io_messages_are_short() {
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&err), "no such file or directory");
    }
}
