//! Listing a build context: walk the context directory as `docker build` would send it, reading
//! only names, kinds and sizes (never contents), with the `.dockerignore` in force applied.
//!
//! - The ignore file is `<Dockerfile name>.dockerignore` beside the Dockerfile when it exists
//!   (BuildKit prefers it), else `.dockerignore` at the context root.
//! - Symbolic links are listed as links and never followed (BuildKit sends them as links): the
//!   walk cannot leave the context or loop.
//! - An excluded directory is not walked unless an exception (`!…`) could re-include something
//!   in it (as BuildKit's fsutil does).
//! - The walk stops after [`MAX_ENTRIES`] paths or below [`MAX_DEPTH`] directories; the listing
//!   then says so ([`BuildContext::truncated`]) and rules that need it complete stay silent.

use std::path::{Path, PathBuf};

use crate::semantic::build_context::{BuildContext, Entry, EntryKind};
use crate::syntax::dockerignore::{DockerIgnore, Matches};

/// The most paths listed in one context (see docs/limits.md).
pub const MAX_ENTRIES: usize = 200_000;
/// The deepest directory level walked (see docs/limits.md).
pub const MAX_DEPTH: usize = 64;
/// The largest ignore file read.
pub const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The ignore file for a build of `dockerfile` in `context`: `<name>.dockerignore` beside the
/// Dockerfile, else `<context>/.dockerignore`, if either is a regular file.
pub fn ignore_file(dockerfile: &Path, context: &Path) -> Option<PathBuf> {
    let name = dockerfile.file_name()?;
    let mut specific = name.to_os_string();
    specific.push(".dockerignore");
    let beside = dockerfile.with_file_name(specific);
    [beside, context.join(".dockerignore")]
        .into_iter()
        .find(|path| std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()))
}

/// List the context `dir` for a build of `dockerfile`; `read` reads the ignore file (at most
/// [`MAX_IGNORE_FILE`] bytes, as a file plimsoll opens on its own).
pub fn list(
    dir: &Path,
    dockerfile: &Path,
    read: impl Fn(&Path, u64) -> Option<Vec<u8>>,
) -> BuildContext {
    let ignore_path = ignore_file(dockerfile, dir);
    let ignore = ignore_path
        .as_ref()
        .and_then(|path| read(path, MAX_IGNORE_FILE))
        .map(|bytes| DockerIgnore::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    list_with(dir, ignore_path, ignore, MAX_ENTRIES, MAX_DEPTH)
}

/// [`list`] with the ignore rules given and limits of the caller's choosing (tests).
pub fn list_with(
    dir: &Path,
    ignore_file: Option<PathBuf>,
    ignore: DockerIgnore,
    max_entries: usize,
    max_depth: usize,
) -> BuildContext {
    let mut entries = Vec::new();
    let mut truncated = None;
    // Directories to read: path on disk, relative path, depth, match state.
    let mut stack: Vec<(PathBuf, String, usize, Matches)> =
        vec![(dir.to_path_buf(), String::new(), 0, Matches::default())];
    'walk: while let Some((disk, relative, depth, state)) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&disk) else {
            continue;
        };
        let mut children: Vec<(String, std::fs::FileType, u64)> = read
            .filter_map(Result::ok)
            .filter_map(|child| {
                let name = child.file_name().to_str()?.to_string();
                let kind = child.file_type().ok()?;
                let size = if kind.is_file() {
                    child.metadata().map_or(0, |m| m.len())
                } else {
                    0
                };
                Some((name, kind, size))
            })
            .collect();
        children.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, kind, size) in children {
            if entries.len() >= max_entries {
                truncated = Some(format!(
                    "the build context holds more than {max_entries} paths; plimsoll stopped \
                     listing it there"
                ));
                break 'walk;
            }
            let path = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            let matches = ignore.matches_under(&path, &state);
            let kind = if kind.is_dir() {
                EntryKind::Dir
            } else if kind.is_file() {
                EntryKind::File
            } else if kind.is_symlink() {
                EntryKind::Symlink
            } else {
                EntryKind::Other
            };
            let mut pruned = false;
            if kind == EntryKind::Dir {
                if matches.excluded.is_some() && !ignore.may_reinclude_under(&path) {
                    pruned = true;
                } else if depth + 1 >= max_depth {
                    truncated.get_or_insert_with(|| {
                        format!(
                            "the build context is nested more than {max_depth} directories \
                             deep; plimsoll did not list below that"
                        )
                    });
                } else {
                    stack.push((disk.join(&name), path.clone(), depth + 1, matches.clone()));
                }
            }
            entries.push(Entry {
                path,
                kind,
                size,
                excluded: matches.excluded,
                pruned,
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    BuildContext {
        dir: dir.to_path_buf(),
        ignore_file,
        ignore,
        entries,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            if let Some(stripped) = file.strip_suffix('/') {
                std::fs::create_dir_all(dir.path().join(stripped)).unwrap();
                continue;
            }
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        dir
    }

    fn read(path: &Path, _: u64) -> Option<Vec<u8>> {
        std::fs::read(path).ok()
    }

    fn sent(context: &BuildContext) -> Vec<&str> {
        context
            .sent_root()
            .iter()
            .map(|e| e.path.as_str())
            .collect()
    }

    #[test]
    fn the_dockerignore_is_applied_and_excluded_directories_are_pruned() {
        let dir = tree(&[
            "Dockerfile",
            ".dockerignore",
            ".env",
            "src/main.go",
            "node_modules/a/index.js",
            "docs/private.md",
            "docs/public/index.md",
        ]);
        std::fs::write(
            dir.path().join(".dockerignore"),
            "node_modules\n.env\ndocs\n!docs/public\n",
        )
        .unwrap();
        let context = list(dir.path(), &dir.path().join("Dockerfile"), read);
        assert_eq!(
            sent(&context),
            [
                ".dockerignore",
                "Dockerfile",
                "docs/public/index.md",
                "src/main.go"
            ]
        );
        let modules = context.entry("node_modules").unwrap();
        assert!(modules.pruned);
        assert!(context.entry("node_modules/a").is_none());
        assert!(!context.entry("docs").unwrap().pruned);
        assert!(context.truncated.is_none());
    }

    #[test]
    fn the_dockerfile_specific_ignore_file_wins() {
        let dir = tree(&["docker/app.Dockerfile", "a.txt", "b.txt", ".dockerignore"]);
        std::fs::write(dir.path().join(".dockerignore"), "a.txt\n").unwrap();
        std::fs::write(
            dir.path().join("docker/app.Dockerfile.dockerignore"),
            "b.txt\n",
        )
        .unwrap();
        let context = list(dir.path(), &dir.path().join("docker/app.Dockerfile"), read);
        assert!(
            context
                .ignore_file
                .as_ref()
                .unwrap()
                .ends_with("app.Dockerfile.dockerignore")
        );
        assert!(context.entry("a.txt").unwrap().excluded.is_none());
        assert!(context.entry("b.txt").unwrap().excluded.is_some());
        assert_eq!(context.ignore_name(), "app.Dockerfile.dockerignore");
    }

    #[test]
    fn limits_stop_the_walk_and_say_so() {
        let dir = tree(&["a/b/c/d/e.txt", "f.txt", "g.txt"]);
        let context = list_with(dir.path(), None, DockerIgnore::default(), 100, 3);
        assert!(
            context
                .truncated
                .as_ref()
                .unwrap()
                .contains("3 directories deep")
        );
        assert!(context.entry("a/b/c").is_some());
        assert!(context.entry("a/b/c/d").is_none());
        let context = list_with(dir.path(), None, DockerIgnore::default(), 2, 64);
        assert_eq!(context.entries.len(), 2);
        assert!(
            context
                .truncated
                .as_ref()
                .unwrap()
                .contains("more than 2 paths")
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_listed_not_followed() {
        let outside = tree(&["secret/id_rsa"]);
        let dir = tree(&["Dockerfile"]);
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("linked"))
            .unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
        let context = list(dir.path(), &dir.path().join("Dockerfile"), read);
        assert_eq!(context.entry("linked").unwrap().kind, EntryKind::Symlink);
        assert!(context.entry("linked/id_rsa").is_none());
        assert_eq!(context.entry("loop").unwrap().kind, EntryKind::Symlink);
    }
}
