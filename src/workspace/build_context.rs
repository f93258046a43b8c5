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

use foldhash::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::semantic::build_context::{
    BuildContext, Entry, EntryKind, Size, Sizes, SourcesElsewhere,
};
use crate::syntax::dockerignore::{self, DockerIgnore, Matches};
use crate::workspace::listing::{self, Listings};

/// The most paths listed in one context (see docs/limits.md).
pub const MAX_ENTRIES: usize = 200_000;
/// The deepest directory level walked (see docs/limits.md).
pub const MAX_DEPTH: usize = 64;
/// The largest ignore file read.
pub const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The ignore file for a build of `dockerfile` in `context`: `<name>.dockerignore` beside the
/// Dockerfile, else `<context>/.dockerignore`, if either is a regular file.
pub fn ignore_file(dockerfile: &Path, context: &Path) -> Option<PathBuf> {
    ignore_file_with(dockerfile, context, &|path| {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
    })
}

/// [`ignore_file`], with `regular` saying whether a path is a regular file (not a link).
pub fn ignore_file_with(
    dockerfile: &Path,
    context: &Path,
    regular: &dyn Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let name = dockerfile.file_name()?;
    let mut specific = name.to_os_string();
    specific.push(".dockerignore");
    let beside = dockerfile.with_file_name(specific);
    [beside, context.join(".dockerignore")]
        .into_iter()
        .find(|path| regular(path))
}

/// List the context `dir` for a build of `dockerfile`; `read` reads the ignore file (at most
/// [`MAX_IGNORE_FILE`] bytes, as a file plimsoll opens on its own).
pub fn list(
    dir: &Path,
    dockerfile: &Path,
    read: impl Fn(&Path, u64) -> Option<Vec<u8>>,
) -> BuildContext {
    list_found(dir, ignore_file(dockerfile, dir), read, None)
}

/// What a run's walk read, for a listing: the listings and the context directory as they key
/// it (absolute, normalized).
#[derive(Clone, Copy)]
pub struct Known<'a> {
    pub listings: &'a Listings,
    pub dir: &'a Path,
}

/// [`list`] with the ignore file already looked up ([`ignore_file`]); the directories `known`
/// holds (a walk of the run read them) are not read again.
pub fn list_found(
    dir: &Path,
    ignore_path: Option<PathBuf>,
    read: impl Fn(&Path, u64) -> Option<Vec<u8>>,
    known: Option<Known<'_>>,
) -> BuildContext {
    let ignore = ignore_path
        .as_ref()
        .and_then(|path| read(path, MAX_IGNORE_FILE))
        .map(|bytes| DockerIgnore::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    let limits = Limits {
        entries: MAX_ENTRIES,
        depth: MAX_DEPTH,
    };
    walk(dir, ignore_path, ignore, limits, None, known)
}

/// [`list`] with the ignore rules given and limits of the caller's choosing (tests).
pub fn list_with(
    dir: &Path,
    ignore_file: Option<PathBuf>,
    ignore: DockerIgnore,
    max_entries: usize,
    max_depth: usize,
) -> BuildContext {
    let limits = Limits {
        entries: max_entries,
        depth: max_depth,
    };
    walk(dir, ignore_file, ignore, limits, None, None)
}

/// How far a walk goes: paths listed, directory levels.
#[derive(Clone, Copy)]
struct Limits {
    entries: usize,
    depth: usize,
}

/// The bytes of the file at `path`, links not followed; 0 when it cannot be read.
fn size_on_disk(path: &Path) -> u64 {
    std::fs::symlink_metadata(path).map_or(0, |meta| meta.len())
}

/// The entries of the directory `disk` (`absolute`): from `known` when a walk of the run read
/// it, else from the disk; names that are not UTF-8 left out (no rule could name them).
fn entries_of(
    disk: &Path,
    absolute: Option<&Path>,
    known: Option<&Listings>,
) -> Option<Vec<(String, EntryKind)>> {
    if let Some(listing) = known
        .zip(absolute)
        .and_then(|(known, dir)| known.listing(dir))
    {
        let entries = listing.entries().iter();
        return Some(
            entries
                .filter_map(|(name, kind)| Some((name.to_str()?.to_string(), (*kind).into())))
                .collect(),
        );
    }
    let (read, _) = listing::read_entries(disk).ok()?;
    let mut children: Vec<(String, EntryKind)> = read
        .into_iter()
        .filter_map(|(name, kind)| Some((name.into_string().ok()?, kind.into())))
        .collect();
    children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Some(children)
}

/// The modification times of the directories a walk read, taken just before reading each: a
/// name added, removed or renamed in one changes its time.
pub type DirTimes = Vec<(PathBuf, Option<std::time::SystemTime>)>;

/// Whether no directory of `times` changed since (or appeared or went).
fn unchanged(times: &DirTimes) -> bool {
    times
        .iter()
        .all(|(dir, time)| std::fs::metadata(dir).and_then(|m| m.modified()).ok() == *time)
}

/// Walk `dir` (see the module's comment), recording each directory's time in `times` when
/// given; a directory `known` holds is not read again (its time is not recorded: a kept
/// listing never comes from a run's walk).
fn walk(
    dir: &Path,
    ignore_file: Option<PathBuf>,
    ignore: DockerIgnore,
    limits: Limits,
    mut times: Option<&mut DirTimes>,
    known: Option<Known<'_>>,
) -> BuildContext {
    let mut entries = Vec::new();
    let mut truncated = None;
    // Directories to read: path on disk, absolute path (when `known` may hold it), relative
    // path, depth, match state.
    let root = known.map(|known| known.dir.to_path_buf());
    let known = known.map(|known| known.listings);
    let mut stack: Vec<(PathBuf, Option<PathBuf>, String, usize, Matches)> = vec![(
        dir.to_path_buf(),
        root,
        String::new(),
        0,
        Matches::default(),
    )];
    'walk: while let Some((disk, absolute, relative, depth, state)) = stack.pop() {
        if let Some(times) = times.as_deref_mut() {
            let time = std::fs::metadata(&disk).and_then(|m| m.modified()).ok();
            times.push((disk.clone(), time));
        }
        let Some(children) = entries_of(&disk, absolute.as_deref(), known) else {
            continue;
        };
        for (name, kind) in children {
            if entries.len() >= limits.entries {
                truncated = Some(format!(
                    "the build context holds more than {} paths; plimsoll stopped listing it \
                     there",
                    limits.entries
                ));
                break 'walk;
            }
            let path = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            let matches = ignore.matches_under(&path, &state);
            let mut pruned = false;
            if kind == EntryKind::Dir {
                if matches.excluded.is_some() && !ignore.may_reinclude_under(&path) {
                    pruned = true;
                } else if depth + 1 >= limits.depth {
                    truncated.get_or_insert_with(|| {
                        format!(
                            "the build context is nested more than {} directories deep; \
                             plimsoll did not list below that",
                            limits.depth
                        )
                    });
                } else {
                    let child = absolute.as_ref().map(|dir| dir.join(&name));
                    let state = matches.clone();
                    stack.push((disk.join(&name), child, path.clone(), depth + 1, state));
                }
            }
            entries.push(Entry {
                path,
                kind,
                size: Size::unread(),
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
        sizes: Sizes::new(size_on_disk),
    }
}

/// The most contexts a [`ContextCache`] keeps.
const MAX_CACHED_CONTEXTS: usize = 32;

/// How long a kept listing is reused without looking at its directories' times again: a burst
/// of edits (a check every keystroke pause) pays the `stat`s once.
const TRUSTED_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// One listing a [`ContextCache`] keeps, with what it was made from.
#[derive(Debug)]
struct Cached {
    ignore_text: Option<String>,
    listing: Arc<BuildContext>,
    times: DirTimes,
    /// When its directories' times were last found unchanged (or it was listed).
    checked: std::time::Instant,
    /// When it was listed (a counter): the oldest goes first when the cache is full.
    made: u64,
}

/// Listed build contexts kept across checks (the language server's session), by context
/// directory and ignore file. A listing is reused while its ignore file's text is the same and
/// no directory it walked changed (checked with one `stat` per directory, far cheaper than a
/// walk), and dropped when the editor reports a change under it ([`ContextCache::forget`]).
#[derive(Debug, Default)]
pub struct ContextCache {
    entries: Mutex<HashMap<(PathBuf, Option<PathBuf>), Cached>>,
    made: std::sync::atomic::AtomicU64,
}

impl ContextCache {
    /// The listing of the context `dir` for a build of `dockerfile`, whose ignore file is
    /// `ignore_file` with `ignore_text` (as the editor has it): the kept one when still good,
    /// else a fresh walk.
    pub fn listing(
        &self,
        dir: &Path,
        ignore_file: Option<PathBuf>,
        ignore_text: Option<String>,
    ) -> Arc<BuildContext> {
        let key = (dir.to_path_buf(), ignore_file.clone());
        let lock = || {
            self.entries
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let kept = lock()
            .get(&key)
            .filter(|cached| cached.ignore_text == ignore_text)
            .map(|cached| {
                let fresh = cached.checked.elapsed() < TRUSTED_FOR;
                (
                    Arc::clone(&cached.listing),
                    fresh.then(Vec::new).unwrap_or_else(|| cached.times.clone()),
                    fresh,
                )
            });
        // The `stat`s outside the lock.
        if let Some((listing, times, fresh)) = kept {
            if fresh {
                return listing;
            }
            if unchanged(&times) {
                if let Some(cached) = lock().get_mut(&key) {
                    cached.checked = std::time::Instant::now();
                }
                return listing;
            }
        }
        let ignore = ignore_text
            .as_deref()
            .map(DockerIgnore::parse)
            .unwrap_or_default();
        let mut times = DirTimes::new();
        let limits = Limits {
            entries: MAX_ENTRIES,
            depth: MAX_DEPTH,
        };
        let listing = Arc::new(walk(
            dir,
            ignore_file,
            ignore,
            limits,
            Some(&mut times),
            None,
        ));
        let made = self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut entries = lock();
        if entries.len() >= MAX_CACHED_CONTEXTS && !entries.contains_key(&key) {
            let oldest = entries
                .iter()
                .min_by_key(|(_, cached)| cached.made)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            key,
            Cached {
                ignore_text,
                listing: Arc::clone(&listing),
                times,
                checked: std::time::Instant::now(),
                made,
            },
        );
        listing
    }

    /// `path` changed (saved, created, deleted, edited): when it is an ignore file
    /// (`.dockerignore`, `<name>.dockerignore`), drop the listings it may decide, those whose
    /// ignore file it is and those of the contexts it is in (it may have appeared or gone).
    /// Other files change no listing that the directory times would not catch (a file's size
    /// only shows in a message), so typing in or saving a Dockerfile keeps its context.
    pub fn forget(&self, path: &Path) {
        let is_ignore_file = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(".dockerignore"));
        if !is_ignore_file {
            return;
        }
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|(dir, ignore), _| !path.starts_with(dir) && ignore.as_deref() != Some(path));
    }

    /// How many listings are kept.
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The most directory levels looked through for the repository root.
const MAX_ROOT_LEVELS: usize = 64;

/// What marks a directory as a root: a `.git` (a directory, or a worktree's file) and a plimsoll
/// config file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markers {
    pub git: bool,
    /// The config file in the directory, if any.
    pub config: Option<PathBuf>,
}

impl Markers {
    /// The markers of `dir`, read from the disk (two or three `lstat`s); `config_names` are
    /// the names of plimsoll's config files.
    pub fn read(dir: &Path, config_names: &[&str]) -> Self {
        Self::read_in(dir, config_names, None)
    }

    /// [`Markers::read`], from the `listings` of a walk where they cover `dir` (absolute).
    pub fn read_in(dir: &Path, config_names: &[&str], listings: Option<&Listings>) -> Self {
        let git = listing::is_present(listings, &dir.join(".git"));
        let config = config_names
            .iter()
            .map(|name| dir.join(name))
            .find(|path| listing::is_file(listings, path));
        Self { git, config }
    }
}

/// The repository root at or above `dir` (absolute): the nearest directory holding `.git`,
/// `true`; without one, the outermost directory holding a plimsoll config file, `false`; `None`
/// when neither is found. `markers` reads (or remembers) a directory's markers.
pub fn repository_root(dir: &Path, markers: &dyn Fn(&Path) -> Markers) -> Option<(PathBuf, bool)> {
    let mut outermost_config = None;
    for ancestor in dir.ancestors().take(MAX_ROOT_LEVELS) {
        let found = markers(ancestor);
        if found.git {
            return Some((ancestor.to_path_buf(), true));
        }
        if found.config.is_some() {
            outermost_config = Some(ancestor.to_path_buf());
        }
    }
    outermost_config.map(|dir| (dir, false))
}

/// Whether `source` (a COPY or ADD source, relative) names something under `dir`: the path, or
/// for a wildcard in its last name, any entry of its directory that matches. `None` when that
/// cannot be told by looking at one directory (a wildcard in a directory name).
fn exists_under(dir: &Path, source: &str) -> Option<bool> {
    if !dockerignore::has_wildcard(source) {
        return Some(std::fs::symlink_metadata(dir.join(source)).is_ok());
    }
    let (parent, _) = source.rsplit_once('/').unwrap_or(("", source));
    if dockerignore::has_wildcard(parent) {
        return None;
    }
    let matcher = dockerignore::copy_source_matcher(source)?;
    let listing = std::fs::read_dir(dir.join(parent)).ok();
    Some(listing.into_iter().flatten().flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = if parent.is_empty() {
            name.into_owned()
        } else {
            format!("{parent}/{name}")
        };
        matcher.is_match(&path)
    }))
}

/// `path` relative to `base` (both absolute and normalized), `/`-separated: `.`, `..`,
/// `docker/app.Dockerfile`, `../../ops`.
pub fn relative_path(base: &Path, path: &Path) -> String {
    let names = |p: &Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let (base, path) = (names(base), names(path));
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - common];
    parts.extend(path[common..].iter().cloned());
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The nearest directory above the Dockerfile's, up to the repository root, where every one of
/// `sources` (COPY and ADD sources as written, none of which exists beside the Dockerfile)
/// exists, with how to declare it as the Dockerfile's build context (in the config file in
/// effect, else a new `new_config` in that directory). `None` when there is no repository root,
/// no source can be looked for, or no such directory exists.
pub fn sources_elsewhere(
    dockerfile: &Path,
    sources: &[&str],
    markers: &dyn Fn(&Path) -> Markers,
    new_config: &str,
) -> Option<SourcesElsewhere> {
    let own = dockerfile.parent()?;
    let sources: Vec<String> = sources
        .iter()
        .map(|source| {
            let cleaned = dockerignore::clean_relative(source);
            cleaned.trim_start_matches("../").to_string()
        })
        .filter(|source| source != "." && source != "..")
        .collect();
    let (root, git) = repository_root(own, markers)?;
    if own == root || !own.starts_with(&root) {
        return None;
    }
    let found = own
        .ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(&root))
        .find(|dir| {
            let mut looked = 0;
            let all = sources
                .iter()
                .all(|source| match exists_under(dir, source) {
                    Some(exists) => {
                        looked += 1;
                        exists
                    }
                    None => true,
                });
            all && looked > 0
        })?;
    // The config in effect: the nearest one from the Dockerfile's directory up to the root.
    let config = own
        .ancestors()
        .take_while(|dir| dir.starts_with(&root))
        .find_map(|dir| markers(dir).config);
    let (config_file, config_dir) = match config {
        Some(file) => {
            let dir = file.parent().unwrap_or(found).to_path_buf();
            (file, dir)
        }
        None => (found.join(new_config), found.to_path_buf()),
    };
    Some(SourcesElsewhere {
        dir: relative_path(own, found),
        repository_root: git && found == root,
        dockerfile_from_dir: relative_path(found, dockerfile),
        config_file: relative_path(own, &config_file),
        entry_dockerfile: relative_path(&config_dir, dockerfile),
        entry_context: relative_path(&config_dir, found),
    })
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
    fn a_walked_tree_lists_as_the_disk_does_and_sizes_are_read_when_asked() {
        let dir = tree(&[
            "Dockerfile",
            ".dockerignore",
            ".gitignore",
            "src/main.go",
            "node_modules/a/index.js",
            "ignored/by-git.txt",
            "empty/",
        ]);
        std::fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "*.md\n!src\n").unwrap();
        std::fs::write(dir.path().join("src/main.go"), "package main\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("src", dir.path().join("link")).unwrap();
        // The walk leaves `node_modules` and the git-ignored directory unread: those come from
        // the disk, the rest from the walk's listings.
        let walked = crate::workspace::discover::walk(&[dir.path().to_path_buf()], None);
        // A temporary directory's path is absolute and normalized, as the listings key it.
        let root = dir.path().to_path_buf();
        assert!(walked.listings.listing(&root.join("src")).is_some());
        assert!(
            walked
                .listings
                .listing(&root.join("node_modules"))
                .is_none()
        );
        let ignore = Some(dir.path().join(".dockerignore"));
        let known = Known {
            listings: &walked.listings,
            dir: &root,
        };
        let known = list_found(dir.path(), ignore.clone(), read, Some(known));
        let disk = list_found(dir.path(), ignore, read, None);
        assert_eq!(known.entries, disk.entries);
        assert!(known.entry("node_modules/a/index.js").is_some());
        assert!(known.entry("ignored/by-git.txt").is_some());
        let main = known.entry("src/main.go").unwrap();
        assert_eq!(known.size(main), 13);
        assert_eq!(known.size(known.entry("src").unwrap()), 0);
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

    fn elsewhere(
        dockerfile: &Path,
        sources: &[&str],
        markers: &dyn Fn(&Path) -> Markers,
    ) -> Option<SourcesElsewhere> {
        sources_elsewhere(dockerfile, sources, markers, ".plimsoll.yaml")
    }

    #[test]
    fn relative_paths() {
        let p = |a: &str, b: &str| relative_path(Path::new(a), Path::new(b));
        assert_eq!(p("/r/docker", "/r"), "..");
        assert_eq!(p("/r", "/r/docker/app.Dockerfile"), "docker/app.Dockerfile");
        assert_eq!(p("/r/a/b", "/r/c"), "../../c");
        assert_eq!(p("/r", "/r"), ".");
    }

    #[test]
    fn sources_are_found_above_up_to_the_repository_root() {
        let dir = tree(&[
            "repo/.git/HEAD",
            "repo/package.json",
            "repo/src/index.js",
            "repo/docker/app.Dockerfile",
            "repo/services/api/go.mod",
            "repo/services/api/deploy/Dockerfile",
            "go.mod",
        ]);
        let root = dir.path().canonicalize().unwrap().join("repo");
        let markers = |dir: &Path| Markers::read(dir, &[".plimsoll.yaml", ".plimsoll.yml"]);
        let found = elsewhere(
            &root.join("docker/app.Dockerfile"),
            &["package.json", "./src/", "*.json", "."],
            &markers,
        )
        .unwrap();
        assert_eq!(found.dir, "..");
        assert!(found.repository_root);
        assert_eq!(found.dockerfile_from_dir, "docker/app.Dockerfile");
        assert_eq!(found.config_file, "../.plimsoll.yaml");
        assert_eq!(
            (
                found.entry_dockerfile.as_str(),
                found.entry_context.as_str()
            ),
            ("docker/app.Dockerfile", ".")
        );
        // The nearest directory wins; a config in effect takes the entry.
        std::fs::write(root.join("services/.plimsoll.yaml"), "").unwrap();
        let found = elsewhere(
            &root.join("services/api/deploy/Dockerfile"),
            &["go.mod"],
            &markers,
        )
        .unwrap();
        assert_eq!(found.dir, "..");
        assert!(!found.repository_root);
        assert_eq!(found.config_file, "../../.plimsoll.yaml");
        assert_eq!(found.entry_dockerfile, "api/deploy/Dockerfile");
        assert_eq!(found.entry_context, "api");
        // Not above the root (the `go.mod` outside the repository), nor when one is missing.
        assert!(elsewhere(&root.join("docker/app.Dockerfile"), &["go.mod"], &markers).is_none());
        assert!(
            elsewhere(
                &root.join("docker/app.Dockerfile"),
                &["package.json", "missing.txt"],
                &markers
            )
            .is_none()
        );
        // Nothing that can be looked for.
        assert!(elsewhere(&root.join("docker/app.Dockerfile"), &["*/x", "."], &markers).is_none());
    }

    #[test]
    fn without_git_the_outermost_config_is_the_root() {
        let dir = tree(&["a/b/c/Dockerfile", "a/b/x.txt", "a/x.txt"]);
        let base = dir.path().canonicalize().unwrap();
        let markers = |dir: &Path| Markers::read(dir, &[".plimsoll.yaml", ".plimsoll.yml"]);
        // No marker: no search (`/` would hold `etc` and `tmp`).
        assert!(elsewhere(&base.join("a/b/c/Dockerfile"), &["x.txt"], &markers).is_none());
        std::fs::write(base.join("a/.plimsoll.yaml"), "").unwrap();
        std::fs::write(base.join("a/b/.plimsoll.yml"), "").unwrap();
        assert_eq!(
            repository_root(&base.join("a/b/c"), &markers),
            Some((base.join("a"), false))
        );
        let found = elsewhere(&base.join("a/b/c/Dockerfile"), &["x.txt"], &markers).unwrap();
        assert_eq!(found.dir, "..");
        assert_eq!(found.config_file, "../.plimsoll.yml");
    }

    #[test]
    fn the_cache_keeps_a_listing_until_a_directory_or_the_ignore_text_changes() {
        let dir = tree(&["a/x.txt", "b/y.txt"]);
        let root = dir.path().to_path_buf();
        let cache = ContextCache::default();
        let first = cache.listing(&root, None, None);
        assert!(Arc::ptr_eq(&first, &cache.listing(&root, None, None)));
        // Another ignore text: listed again, with it applied.
        let ignored = cache.listing(&root, None, Some("a\n".into()));
        assert!(ignored.entry("a").unwrap().excluded.is_some());
        assert_eq!(cache.len(), 1);
        // A file added in a walked directory: its time changed, listed again once the
        // listing is no longer trusted without a look. (A pause first: file times are as
        // coarse as the kernel's clock tick.)
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(root.join("b/z.txt"), "z").unwrap();
        let trusted = cache.listing(&root, None, Some("a\n".into()));
        assert!(Arc::ptr_eq(&ignored, &trusted));
        std::thread::sleep(TRUSTED_FOR + std::time::Duration::from_millis(50));
        let fresh = cache.listing(&root, None, Some("a\n".into()));
        assert!(!Arc::ptr_eq(&ignored, &fresh));
        assert!(fresh.entry("b/z.txt").is_some());
        // A changed file keeps it (the directory times tell), a changed ignore file drops it.
        cache.forget(&root.join("b/z.txt"));
        assert_eq!(cache.len(), 1);
        cache.forget(&root.join("b/.dockerignore"));
        assert!(cache.is_empty());
    }
}
