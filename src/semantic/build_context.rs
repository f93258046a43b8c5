//! A Dockerfile's build context as a listing: the names, kinds and sizes of the paths under the
//! context directory, each marked with the `.dockerignore` line that keeps it out (if any), and
//! the questions rules ask of it (does this COPY source exist, is it excluded, which secret-looking
//! files does it send). The workspace layer walks the directory and builds the listing; nothing
//! here reads files (a file's size is asked of the workspace's [`Sizes`] the first time a rule
//! wants it).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::syntax::dockerignore::{self, DockerIgnore, IgnorePattern};

/// What a path in the context is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A symbolic link: sent as a link, never followed.
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

/// One path of the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the context directory, `/`-separated, cleaned.
    pub path: String,
    pub kind: EntryKind,
    /// In bytes (files only; 0 for the rest): ask [`BuildContext::size`].
    pub size: Size,
    /// The index in [`BuildContext::ignore`]'s patterns of the line that excludes this path,
    /// `None` when it is sent.
    pub excluded: Option<usize>,
    /// An excluded directory that was not walked: no exception could re-include anything in it.
    pub pruned: bool,
}

/// The size of one entry, known when listed or read the first time it is asked: only a rule
/// about bulky contexts wants sizes, and seldom, so a listing costs no `stat` per file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Size(OnceLock<u64>);

impl Size {
    /// A size known already.
    pub fn known(bytes: u64) -> Self {
        Self(OnceLock::from(bytes))
    }

    /// A size to read when asked.
    pub fn unread() -> Self {
        Self::default()
    }
}

/// How the sizes of a context's files are read (by the workspace layer): the bytes of the file
/// at a path (0 when it cannot be read), links not followed.
#[derive(Clone, Default)]
pub struct Sizes(Option<Arc<SizeOf>>);

/// The bytes of the file at a path.
type SizeOf = dyn Fn(&Path) -> u64 + Send + Sync;

impl Sizes {
    pub fn new(read: impl Fn(&Path) -> u64 + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(read)))
    }
}

impl std::fmt::Debug for Sizes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Sizes(read)"
        } else {
            "Sizes(none)"
        })
    }
}

/// A build context: the directory, its ignore file, and its listing.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    /// The context directory (as the run names it).
    pub dir: PathBuf,
    /// The ignore file in force (`<Dockerfile>.dockerignore` beside the Dockerfile, else
    /// `<context>/.dockerignore`), `None` when there is none.
    pub ignore_file: Option<PathBuf>,
    pub ignore: DockerIgnore,
    /// Every path walked, sorted by path.
    pub entries: Vec<Entry>,
    /// Why the listing is incomplete (a limit was reached), `None` when it is complete.
    pub truncated: Option<String>,
    /// Reads the sizes not known at listing.
    pub sizes: Sizes,
}

/// Where the build context of a Dockerfile comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextOrigin {
    /// The Dockerfile's own directory: nothing of the run said otherwise.
    OwnDirectory,
    /// A compose service of the run builds it from this context (`build.context`).
    Compose,
    /// A `build-contexts` entry of this config file names it.
    Config(PathBuf),
}

/// A directory above the Dockerfile's where every COPY and ADD source exists, when none exists
/// beside it: the context the Dockerfile is most likely built with, and how to declare it.
/// Paths are `/`-separated and relative, ready for a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcesElsewhere {
    /// The directory, relative to the Dockerfile's (`..`, `../..`).
    pub dir: String,
    /// Whether that directory is the repository root (it holds `.git`).
    pub repository_root: bool,
    /// The Dockerfile relative to that directory (`docker/app.Dockerfile`): what `docker build
    /// -f` and a compose service's `build.dockerfile` name.
    pub dockerfile_from_dir: String,
    /// The config file the `build-contexts` entry goes in (the one in effect, else a new
    /// `.plimsoll.yaml` in that directory), relative to the Dockerfile's directory.
    pub config_file: String,
    /// The entry's `dockerfile:` and `context:`, relative to the config file's directory.
    pub entry_dockerfile: String,
    pub entry_context: String,
}

/// How a COPY or ADD reads its sources from the context: its `--parents` and `--exclude` flags.
#[derive(Clone, Debug, Default)]
pub struct CopyFlags {
    /// `--parents` (COPY only): a source is a pattern where `**` crosses directories, copied with
    /// its parent directories below the pivot (`a/./b/c` keeps `b/c`; no pivot keeps the whole
    /// path).
    pub parents: bool,
    /// The `--exclude` patterns (empty for none): matched, with `.dockerignore`'s rules, against
    /// each path relative to the source it is copied from (with `--parents`, to the pivot, or the
    /// context root when there is none). A source matched by name is copied even when an
    /// exclude pattern matches that name: only what is under it is filtered.
    pub exclude: DockerIgnore,
}

/// How a COPY or ADD source resolves in the context.
#[derive(Debug)]
pub enum Resolved<'a> {
    /// `.` or `/`: the whole context.
    Root,
    /// The paths the source names (one for a plain path, any number for a glob), sent.
    Found(Vec<&'a Entry>),
    /// The source names paths that exist, but `.dockerignore` keeps every one out.
    Excluded(&'a IgnorePattern),
    /// Nothing in the context has that name.
    Missing,
    /// The listing is incomplete and the source is not in it.
    Unknown,
}

impl BuildContext {
    /// The bytes of `entry` (a file; 0 for the rest), read the first time it is asked.
    pub fn size(&self, entry: &Entry) -> u64 {
        if entry.kind != EntryKind::File {
            return 0;
        }
        *entry.size.0.get_or_init(|| {
            self.sizes
                .0
                .as_ref()
                .map_or(0, |read| read(&self.dir.join(&entry.path)))
        })
    }

    /// The entry at `path` (cleaned, relative).
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|entry| entry.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// The entries strictly under directory `dir` (`.` for all of them).
    pub fn under(&self, dir: &str) -> &[Entry] {
        if dir == "." {
            return &self.entries;
        }
        let prefix = format!("{dir}/");
        let start = self
            .entries
            .partition_point(|entry| entry.path.as_str() < prefix.as_str());
        let len = self.entries[start..]
            .iter()
            .take_while(|entry| entry.path.starts_with(&prefix))
            .count();
        &self.entries[start..start + len]
    }

    /// The pattern that excludes `path`, if one does: the entry's mark when the path was
    /// walked, else the patterns themselves (paths under a directory that was not walked).
    pub fn excluded_by(&self, path: &str) -> Option<&IgnorePattern> {
        match self.entry(path) {
            Some(entry) => entry.excluded.and_then(|i| self.ignore.patterns.get(i)),
            None => self.ignore.excluded_by(path),
        }
    }

    /// Where a COPY or ADD source (as written, variables already known absent) leads.
    pub fn resolve(&self, source: &str) -> Resolved<'_> {
        let cleaned = dockerignore::clean_relative(source);
        if cleaned == "." {
            return Resolved::Root;
        }
        if cleaned == ".." || cleaned.starts_with("../") {
            // BuildKit keeps every source inside the context: `../x` is `x`.
            return self.resolve(cleaned.trim_start_matches("../"));
        }
        if !dockerignore::has_wildcard(&cleaned) {
            if let Some(pattern) = self.ignore.excluded_by(&cleaned) {
                let exists = self.entry(&cleaned).is_some()
                    || self.under_pruned(&cleaned)
                    || !self.under(&cleaned).is_empty();
                return if exists {
                    Resolved::Excluded(pattern)
                } else if self.truncated.is_some() {
                    Resolved::Unknown
                } else {
                    Resolved::Missing
                };
            }
            return match self.entry(&cleaned) {
                Some(entry) => Resolved::Found(vec![entry]),
                None if self.truncated.is_some() => Resolved::Unknown,
                None => Resolved::Missing,
            };
        }
        match dockerignore::copy_source_matcher(&cleaned) {
            Some(matcher) => self.resolve_glob(&matcher),
            None => Resolved::Unknown,
        }
    }

    /// Where a source leads for an instruction with `flags`: as [`BuildContext::resolve`],
    /// except that a `--parents` source with a wildcard is a pattern where `**` crosses
    /// directories (the pivot `/./` is only where the kept parents start).
    pub fn resolve_with(&self, source: &str, flags: &CopyFlags) -> Resolved<'_> {
        if !flags.parents {
            return self.resolve(source);
        }
        let cleaned = dockerignore::clean_relative(source);
        let cleaned = cleaned.trim_start_matches("../");
        if cleaned == ".." || !dockerignore::has_wildcard(cleaned) {
            return self.resolve(cleaned);
        }
        match dockerignore::parents_source_matcher(cleaned) {
            Some(matcher) => self.resolve_glob(&matcher),
            None => Resolved::Unknown,
        }
    }

    /// The entries a glob matches (the outermost of nested matches: a directory takes what is
    /// under it along), sent or, when everything it matches is excluded, the line that does it.
    fn resolve_glob(&self, matcher: &dockerignore::Glob) -> Resolved<'_> {
        let mut taken: HashSet<&str> = HashSet::new();
        let mut matched: Vec<&Entry> = Vec::new();
        for entry in &self.entries {
            if !matcher.is_match(&entry.path) {
                continue;
            }
            let nested = entry
                .path
                .match_indices('/')
                .any(|(i, _)| taken.contains(&entry.path[..i]));
            if !nested {
                taken.insert(&entry.path);
                matched.push(entry);
            }
        }
        let sent: Vec<&Entry> = matched
            .iter()
            .copied()
            .filter(|entry| entry.excluded.is_none())
            .collect();
        if !sent.is_empty() {
            return Resolved::Found(sent);
        }
        if let Some(pattern) = matched
            .first()
            .and_then(|entry| entry.excluded)
            .and_then(|i| self.ignore.patterns.get(i))
        {
            return Resolved::Excluded(pattern);
        }
        if self.truncated.is_some() {
            Resolved::Unknown
        } else {
            Resolved::Missing
        }
    }

    /// The files (and links) a COPY or ADD source copies out of the context: what the ignore
    /// file lets through, less what the instruction's `--exclude` patterns leave out. `None`
    /// when the source is not (or not wholly) known to be in the context.
    pub fn copied_files<'a>(&'a self, source: &str, flags: &CopyFlags) -> Option<Vec<&'a Entry>> {
        let (roots, whole) = match self.resolve_with(source, flags) {
            Resolved::Root => (Vec::new(), true),
            Resolved::Found(entries) => (entries, false),
            _ => return None,
        };
        let pivot = flags.parents.then(|| {
            source
                .split_once("/./")
                .map(|(parent, _)| dockerignore::clean_relative(parent))
                .filter(|parent| parent != ".")
                .unwrap_or_default()
        });
        let kept = |path: &str, root: &str| -> bool {
            if flags.exclude.patterns.is_empty() {
                return true;
            }
            // The base the patterns are relative to: the pivot with `--parents`, else the
            // source itself, which is copied whatever its own name.
            let base = match &pivot {
                Some(pivot) => pivot.as_str(),
                None if path == root => return true,
                None => root,
            };
            let relative = if base.is_empty() {
                path
            } else {
                match path
                    .strip_prefix(base)
                    .and_then(|rest| rest.strip_prefix('/'))
                {
                    Some(rest) => rest,
                    None => return true,
                }
            };
            flags.exclude.excluded_by(relative).is_none()
        };
        if whole {
            return Some(
                self.sent_root()
                    .into_iter()
                    .filter(|entry| kept(&entry.path, ""))
                    .collect(),
            );
        }
        Some(
            roots
                .into_iter()
                .flat_map(|root| {
                    self.sent_files(root)
                        .into_iter()
                        .filter(|entry| kept(&entry.path, &root.path))
                        .collect::<Vec<_>>()
                })
                .collect(),
        )
    }

    /// Whether `path` lies inside an excluded directory that was not walked.
    fn under_pruned(&self, path: &str) -> bool {
        path.match_indices('/')
            .any(|(i, _)| self.entry(&path[..i]).is_some_and(|entry| entry.pruned))
    }

    /// The files sent for `entry`: itself when it is a file or link, what is sent under it
    /// when it is a directory.
    pub fn sent_files<'a>(&'a self, entry: &'a Entry) -> Vec<&'a Entry> {
        match entry.kind {
            EntryKind::Dir => self
                .under(&entry.path)
                .iter()
                .filter(|e| e.excluded.is_none() && e.kind != EntryKind::Dir)
                .collect(),
            _ if entry.excluded.is_none() => vec![entry],
            _ => Vec::new(),
        }
    }

    /// The files sent for the whole context.
    pub fn sent_root(&self) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.excluded.is_none() && e.kind != EntryKind::Dir)
            .collect()
    }

    /// The bytes of the files sent under directory `dir` (`.` for the whole context).
    pub fn sent_size(&self, dir: &str) -> u64 {
        self.under(dir)
            .iter()
            .filter(|e| e.excluded.is_none())
            .map(|e| self.size(e))
            .sum()
    }

    /// The name of the ignore file for messages (`.dockerignore` when there is none yet).
    pub fn ignore_name(&self) -> String {
        self.ignore_file
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(
                || ".dockerignore".to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
    }

    /// The top-level names of the context and every walked directory and file path: what a
    /// did-you-mean picks from.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.path.as_str())
    }
}

/// A byte count for messages: `512 bytes`, `14.2 KiB`, `312.4 MiB`, `1.2 GiB`.
pub fn show_bytes(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" });
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: EntryKind, excluded: Option<usize>) -> Entry {
        Entry {
            path: path.into(),
            kind,
            size: Size::known(10),
            excluded,
            pruned: false,
        }
    }

    fn sample() -> BuildContext {
        let ignore = DockerIgnore::parse("secrets\n*.log\n");
        let mut entries = vec![
            entry("src", EntryKind::Dir, None),
            entry("src/main.go", EntryKind::File, None),
            entry("src/.env", EntryKind::File, None),
            entry("app.log", EntryKind::File, Some(1)),
            Entry {
                pruned: true,
                ..entry("secrets", EntryKind::Dir, Some(0))
            },
            entry("go.mod", EntryKind::File, None),
        ];
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        BuildContext {
            dir: ".".into(),
            ignore_file: Some(".dockerignore".into()),
            ignore,
            entries,
            truncated: None,
            sizes: Sizes::default(),
        }
    }

    #[test]
    fn sources_resolve() {
        let context = sample();
        assert!(matches!(context.resolve("."), Resolved::Root));
        assert!(matches!(context.resolve("./"), Resolved::Root));
        assert!(matches!(context.resolve("/src/"), Resolved::Found(e) if e.len() == 1));
        assert!(matches!(context.resolve("go.mod"), Resolved::Found(_)));
        assert!(matches!(context.resolve("go.sum"), Resolved::Missing));
        assert!(matches!(context.resolve("app.log"), Resolved::Excluded(p) if p.line == 2));
        assert!(matches!(context.resolve("*.log"), Resolved::Excluded(_)));
        assert!(matches!(context.resolve("secrets/key"), Resolved::Excluded(p) if p.line == 1));
        assert!(matches!(context.resolve("*.go"), Resolved::Missing));
        assert!(matches!(context.resolve("src/*.go"), Resolved::Found(e) if e.len() == 1));
        assert!(matches!(context.resolve("other.log"), Resolved::Missing));
        assert_eq!(show_bytes(1), "1 byte");
        assert_eq!(show_bytes(1023), "1023 bytes");
        assert_eq!(show_bytes(1536), "1.5 KiB");
        assert_eq!(show_bytes(5 << 30), "5.0 GiB");
        let src = context.entry("src").unwrap();
        assert_eq!(context.sent_files(src).len(), 2);
        assert_eq!(context.sent_size("src"), 20);
        assert_eq!(context.sent_root().len(), 3);
    }

    fn paths(entries: Option<Vec<&Entry>>) -> Vec<&str> {
        entries
            .unwrap()
            .iter()
            .map(|entry| entry.path.as_str())
            .collect()
    }

    fn tree() -> BuildContext {
        let files = [
            "a",
            "a/b",
            "a/b/c.txt",
            "a/b/d.md",
            "a/x.txt",
            "docs",
            "docs/guide.md",
            "docs/keep.md",
            "top.md",
        ];
        let mut entries: Vec<Entry> = files
            .iter()
            .map(|path| {
                let kind = if path.contains('.') {
                    EntryKind::File
                } else {
                    EntryKind::Dir
                };
                entry(path, kind, None)
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        BuildContext {
            dir: ".".into(),
            entries,
            ..BuildContext::default()
        }
    }

    fn excludes(patterns: &[&str]) -> DockerIgnore {
        DockerIgnore::from_copy_excludes(patterns.iter().copied()).unwrap()
    }

    #[test]
    fn excludes_are_relative_to_each_source() {
        let context = tree();
        let flags = CopyFlags {
            exclude: excludes(&["*.md"]),
            ..CopyFlags::default()
        };
        // From the root, `*.md` is one level deep only.
        assert_eq!(
            paths(context.copied_files(".", &flags)),
            [
                "a/b/c.txt",
                "a/b/d.md",
                "a/x.txt",
                "docs/guide.md",
                "docs/keep.md"
            ]
        );
        // From `docs`, it names the files in it.
        assert!(paths(context.copied_files("docs", &flags)).is_empty());
        // A source named by a glob is copied whatever its own name.
        assert_eq!(paths(context.copied_files("*.md", &flags)), ["top.md"]);
        let flags = CopyFlags {
            exclude: excludes(&["docs", "!docs/keep.md", "**/*.txt"]),
            ..CopyFlags::default()
        };
        assert_eq!(
            paths(context.copied_files(".", &flags)),
            ["a/b/d.md", "docs/keep.md", "top.md"]
        );
    }

    #[test]
    fn parents_sources_cross_directories_and_exclude_from_the_pivot() {
        let context = tree();
        let parents = CopyFlags {
            parents: true,
            ..CopyFlags::default()
        };
        assert_eq!(
            paths(context.copied_files("a/**/*.txt", &parents)),
            ["a/b/c.txt", "a/x.txt"]
        );
        // Without --parents, `**` is two stars of one segment.
        assert!(matches!(
            context.resolve_with("**/c.txt", &CopyFlags::default()),
            Resolved::Missing
        ));
        assert_eq!(
            paths(context.copied_files("**/c.txt", &parents)),
            ["a/b/c.txt"]
        );
        assert!(matches!(
            context.resolve_with("./a/./b/c.txt", &parents),
            Resolved::Found(_)
        ));
        assert!(matches!(
            context.resolve_with("a/./nope", &parents),
            Resolved::Missing
        ));
        // Exclude patterns are relative to the pivot (`a`), or the root without one.
        let flags = CopyFlags {
            parents: true,
            exclude: excludes(&["b"]),
        };
        assert_eq!(
            paths(context.copied_files("./a/./**/*.txt", &flags)),
            ["a/x.txt"]
        );
        assert_eq!(
            paths(context.copied_files("a/**/*.txt", &flags)),
            ["a/b/c.txt", "a/x.txt"]
        );
        let flags = CopyFlags {
            parents: true,
            exclude: excludes(&["a/x.txt"]),
        };
        assert_eq!(
            paths(context.copied_files("a/x.txt", &flags)),
            Vec::<&str>::new()
        );
    }
}
