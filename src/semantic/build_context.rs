//! A Dockerfile's build context as a listing: the names, kinds and sizes of the paths under the
//! context directory, each marked with the `.dockerignore` line that keeps it out (if any), and
//! the questions rules ask of it (does this COPY source exist, is it excluded, which secret-looking
//! files does it send). The workspace layer walks the directory and builds the listing; nothing
//! here reads files.

use std::path::PathBuf;

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
    /// In bytes (files only; 0 for the rest).
    pub size: u64,
    /// The index in [`BuildContext::ignore`]'s patterns of the line that excludes this path,
    /// `None` when it is sent.
    pub excluded: Option<usize>,
    /// An excluded directory that was not walked: no exception could re-include anything in it.
    pub pruned: bool,
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
        let Some(matcher) = dockerignore::copy_source_matcher(&cleaned) else {
            return Resolved::Unknown;
        };
        let matched: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|entry| matcher.is_match(&entry.path))
            .collect();
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
            .map(|e| e.size)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: EntryKind, excluded: Option<usize>) -> Entry {
        Entry {
            path: path.into(),
            kind,
            size: 10,
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
        let src = context.entry("src").unwrap();
        assert_eq!(context.sent_files(src).len(), 2);
        assert_eq!(context.sent_size("src"), 20);
        assert_eq!(context.sent_root().len(), 3);
    }
}
