//! File discovery for `plimsoll check`: turn the paths on the command line into a sorted list of
//! files to lint. Directories are walked in parallel ([`walk`], which honours `.gitignore` and
//! `.ignore` like the `ignore` crate and keeps every directory's listing); files named explicitly are linted whatever their name. Hidden directories are
//! walked, because `.devcontainer/Dockerfile` and `.docker/compose.yaml` are common; only
//! version-control and dependency directories are skipped.
//! Problems (a path that does not exist, an unreadable directory) are collected per path: the
//! rest of the run goes on. Nothing here prints.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::listing::{Listings, cmp_paths};
use super::results::FileError;

mod walk;
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
    /// The walked Dockerfiles read on the way ([`Walked::read`]), by path as walked.
    pub read: foldhash::HashMap<std::ffi::OsString, Vec<u8>>,
    /// The walked compose files read on the way ([`Walked::read_compose`]), by absolute path.
    pub read_compose: foldhash::HashMap<std::ffi::OsString, Vec<u8>>,
}

/// Why a walked symbolic link is not read.
pub const SKIPPED_OUTSIDE: &str = "symlink to a file outside the checked directory";

/// Directories never worth walking, even when no ignore file says so.
pub const SKIPPED_DIRS: &[&str] = &[
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
    walk(paths, forced_kind).classify(classify)
}

/// The files under `paths` before the configuration has had its say, and the listing of every
/// directory read on the way ([`Walked::listings`]). Directories are read in parallel, on the
/// current rayon pool.
#[derive(Debug, Default)]
pub struct Walked {
    explicit: Vec<Candidate>,
    /// Walked files, with whether each is a link to a file outside its walked directory.
    walked: Vec<(PathBuf, bool)>,
    errors: Vec<FileError>,
    /// Every directory the walk read, by absolute normalized path.
    pub listings: Listings,
    /// The bytes of walked Dockerfiles read on the way ([`walk_reading`]), by path as walked.
    pub read: foldhash::HashMap<std::ffi::OsString, Vec<u8>>,
    /// The bytes of walked compose files read on the way, by absolute normalized path.
    pub read_compose: foldhash::HashMap<std::ffi::OsString, Vec<u8>>,
}

/// Read `paths`: the files named explicitly, and every file under the directories.
pub fn walk(paths: &[PathBuf], forced_kind: Option<FileKind>) -> Walked {
    walk_reading(paths, forced_kind, None)
}

/// [`walk`], reading the walked Dockerfiles and compose files of at most `read_ahead` bytes on
/// the way (into [`Walked::read`] and [`Walked::read_compose`]): opened relative to their open
/// directory, which costs the kernel one name's lookup instead of a whole path's.
pub fn walk_reading(
    paths: &[PathBuf],
    forced_kind: Option<FileKind>,
    read_ahead: Option<u64>,
) -> Walked {
    Given::stat(paths).walk(forced_kind, read_ahead)
}

/// The paths a run was given, each with what `metadata` says of it: asked once, both to know
/// whether the run walks at all (and needs workers for it) and to walk.
pub struct Given {
    paths: Vec<(PathBuf, io::Result<std::fs::Metadata>)>,
}

impl Given {
    /// `paths` without their `./` components, each `stat`ed.
    pub fn stat(paths: &[PathBuf]) -> Self {
        let paths = paths
            .iter()
            .map(|given| {
                let path = display_path(given);
                let meta = std::fs::metadata(&path);
                (path, meta)
            })
            .collect();
        Self { paths }
    }

    /// Whether a directory is among the paths.
    pub fn walks(&self) -> bool {
        self.paths
            .iter()
            .any(|(_, meta)| meta.as_ref().is_ok_and(|meta| meta.is_dir()))
    }

    /// [`walk_reading`] of these paths.
    pub fn walk(self, forced_kind: Option<FileKind>, read_ahead: Option<u64>) -> Walked {
        walk_given(self.paths, forced_kind, read_ahead)
    }
}

fn walk_given(
    paths: Vec<(PathBuf, io::Result<std::fs::Metadata>)>,
    forced_kind: Option<FileKind>,
    read_ahead: Option<u64>,
) -> Walked {
    let mut walked = Walked::default();
    let cwd = std::env::current_dir().unwrap_or_default();
    // Explicit files first, so that deduplication keeps their (possibly forced) kind.
    for (path, meta) in paths {
        match meta {
            Err(err) => walked.errors.push(FileError::new(&path, io_message(&err))),
            Ok(meta) if meta.is_dir() => {
                if FileKind::from_path(&path).is_some() {
                    // `plimsoll check app/Dockerfile` where that is a directory: the user named a
                    // file, so say it is not one rather than silently walk it.
                    walked
                        .errors
                        .push(FileError::new(&path, "is a directory, not a file"));
                } else {
                    let mut walk = walk::Walk::new(&path, &cwd);
                    walk.read_ahead = read_ahead;
                    let found = walk.run();
                    walked.walked.extend(found.files);
                    walked.errors.extend(found.errors);
                    for (into, read) in [
                        (&mut walked.read, found.read),
                        (&mut walked.read_compose, found.read_compose),
                    ] {
                        into.extend(
                            read.into_iter()
                                .map(|(path, bytes)| (path.into_os_string(), bytes)),
                        );
                    }
                    walked.listings.extend(found.listings);
                }
            }
            Ok(_) => walked.explicit.push(Candidate {
                kind: forced_kind.or_else(|| FileKind::from_path(&path)),
                path,
            }),
        }
    }
    walked
        .walked
        .sort_unstable_by(|a, b| cmp_paths(&a.0, &b.0).then(a.1.cmp(&b.1)));
    walked
}

impl Walked {
    /// The directories of the files named one by one (absolute, normalized), once each, that
    /// the walk did not read: listing them answers the config lookup and the build context of
    /// those files (a listing each, instead of a `stat` per name asked).
    pub fn unlisted_dirs_of_explicit(&self, cwd: &Path) -> Vec<PathBuf> {
        let mut seen = foldhash::HashSet::default();
        let mut dirs = Vec::new();
        for candidate in &self.explicit {
            let absolute = crate::linter::project::join_normalized(cwd, &candidate.path);
            let Some((dir, _)) = super::listing::parent_and_name(&absolute) else {
                continue;
            };
            if self.listings.listing(dir).is_none() && seen.insert(dir.as_os_str().to_owned()) {
                dirs.push(dir.to_path_buf());
            }
        }
        dirs
    }

    /// The files to check: `classify` decides about each walked file (see [`discover_with`]),
    /// in the order of their paths.
    pub fn classify(
        self,
        classify: &mut dyn FnMut(&Path, Option<FileKind>) -> Option<FileKind>,
    ) -> Discovery {
        let mut discovery = Discovery {
            errors: self.errors,
            read: self.read,
            read_compose: self.read_compose,
            ..Discovery::default()
        };
        let mut files = self.explicit;
        // Walked paths are display paths already (see `walk::Walk`).
        for (path, outside) in self.walked {
            let kind = classify(&path, FileKind::from_path(&path));
            match kind {
                // Only a file that would have been linted is worth a note.
                Some(_) if outside => discovery
                    .skipped
                    .push(FileError::new(&path, SKIPPED_OUTSIDE)),
                Some(kind) => files.push(Candidate {
                    path,
                    kind: Some(kind),
                }),
                None => {}
            }
        }
        // A stable sort keeps an explicit entry ahead of the walked copy of the same path.
        files.sort_by(|a, b| cmp_paths(&a.path, &b.path));
        files.dedup_by(|later, earlier| later.path == earlier.path);
        discovery.files = files;
        discovery.errors.sort_by(|a, b| a.path.cmp(&b.path));
        discovery.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        discovery.skipped.dedup();
        discovery
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
