//! The directory walk: every directory read once, in parallel, with the ignore rules of git and
//! ripgrep (`.gitignore`, `.ignore`, `.git/info/exclude`, the global excludes file, and the
//! ignore files of the directories above the walked one).
//!
//! The `ignore` crate's walkers decide the same (`tests/walk_oracle.rs` compares them on
//! generated trees); this one keeps what it read. Each directory is read with one `getdents`
//! pass and its listing is kept ([`Listings`]): ignore files are opened only where the listing
//! has them, and later questions about the walked directories (config files, repository roots)
//! need no `stat` of their own. `ignore`'s walkers probe every directory for `.gitignore`,
//! `.ignore` and `.git` instead, and its serial walker reads one directory at a time.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use super::{SKIPPED_DIRS, display_path, io_message};
use crate::linter::project::normalize;
use crate::syntax::source::FileKind;
use crate::workspace::listing::{self, EntryType, Listing, Listings};
use crate::workspace::results::FileError;

/// The ignore rules of one directory and, through `parent`, of those above it.
#[derive(Debug)]
struct Level {
    parent: Option<Arc<Level>>,
    /// `.ignore`, which wins over everything from git.
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    /// `.git/info/exclude`, at a repository root.
    exclude: Option<Gitignore>,
    /// Above the walked directory: matched against the walked path made canonical (the way
    /// the directories above were found).
    above: bool,
}

impl Level {
    /// The rules of `dir` (absolute) given which ignore files it holds; `None` when it holds
    /// none, so that its parent's level serves.
    fn read(
        dir: &Path,
        has: impl Fn(&str) -> Option<EntryType>,
        parent: &Option<Arc<Level>>,
        above: bool,
    ) -> Option<Arc<Level>> {
        let file = |name: &str| has(name).map(|_| matcher(dir, &dir.join(name)));
        let ignore = file(".ignore");
        let gitignore = file(".gitignore");
        let exclude = has(".git").and_then(|kind| {
            let common = git_common_dir(dir, kind)?;
            Some(matcher(dir, &common.join("info").join("exclude")))
        });
        if ignore.is_none() && gitignore.is_none() && exclude.is_none() {
            return None;
        }
        Some(Arc::new(Level {
            parent: parent.clone(),
            ignore,
            gitignore,
            exclude,
            above,
        }))
    }
}

/// The rules of the ignore file at `file`, relative to `dir` (empty when it cannot be read).
fn matcher(dir: &Path, file: &Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(dir);
    // A line that is not a valid glob is skipped; an unreadable file has no rules.
    let _ = builder.add(file);
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Where a repository's `info/exclude` lives: `.git` itself, or for a worktree (a `.git` file
/// saying `gitdir: …`) the common directory its `commondir` file names.
fn git_common_dir(dir: &Path, kind: EntryType) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    let is_file = match kind {
        EntryType::Symlink => dot_git.is_file(),
        kind => kind == EntryType::File,
    };
    if !is_file {
        return Some(dot_git);
    }
    let first_line = |path: &Path| {
        let text = std::fs::read_to_string(path).ok()?;
        Some(text.lines().next()?.to_string())
    };
    let git_dir = PathBuf::from(first_line(&dot_git)?.strip_prefix("gitdir: ")?);
    let common = first_line(&git_dir.join("commondir"))?;
    Some(if common.starts_with('.') {
        git_dir.join(common)
    } else {
        PathBuf::from(common)
    })
}

/// What one walk found.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Files (and links to files), with whether each links outside the walked directory.
    pub files: Vec<(PathBuf, bool)>,
    pub errors: Vec<FileError>,
    pub listings: Listings,
    /// The bytes of the Dockerfiles read on the way (see [`Walk::read_ahead`]), by path.
    pub read: Vec<(PathBuf, Vec<u8>)>,
    /// The bytes of the compose files read on the way, by absolute path.
    pub read_compose: Vec<(PathBuf, Vec<u8>)>,
}

/// What the reading of one directory found (gathered under a lock, once per directory).
type DirFound = (
    Vec<(PathBuf, bool)>,
    Vec<FileError>,
    Option<(PathBuf, Listing)>,
    [Vec<(PathBuf, Vec<u8>)>; 2],
);

/// One walk of one directory given on the command line.
pub(super) struct Walk<'a> {
    /// The directory as given (without `./` parts): found paths start with it.
    root: &'a Path,
    /// The directory made absolute (lexically): the listings' keys start with it.
    absolute: PathBuf,
    /// The directory with links resolved: links are judged by whether they lead under it, and
    /// the ignore files above it are found from it.
    resolved: PathBuf,
    /// The user's global excludes file (`core.excludesFile`, else `$XDG_CONFIG_HOME/git/ignore`).
    global: Gitignore,
    /// Read the regular files named like Dockerfiles or compose files of at most this many
    /// bytes while their directory is open: opened relative to it, the kernel looks up one
    /// name, where the run would open each by its whole path. Compose files only when the
    /// walked directory is reached without links: planning reads them only inside their tree.
    pub read_ahead: Option<u64>,
}

impl<'a> Walk<'a> {
    pub fn new(root: &'a Path, cwd: &Path) -> Self {
        let (global, _) = GitignoreBuilder::new(cwd).build_global();
        Self {
            root,
            absolute: normalize(&cwd.join(root)),
            resolved: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            global,
            read_ahead: None,
        }
    }

    pub fn run(&self) -> Found {
        // The ignore files of every directory above, outermost first.
        let mut above = None;
        let ancestors: Vec<&Path> = self.resolved.ancestors().skip(1).collect();
        for dir in ancestors.into_iter().rev() {
            let has = |name: &str| {
                std::fs::symlink_metadata(dir.join(name))
                    .ok()
                    .map(|meta| EntryType::of(meta.file_type()))
            };
            if let Some(level) = Level::read(dir, has, &above, true) {
                above = Some(level);
            }
        }
        let sink = std::sync::Mutex::new(Vec::new());
        self.visit(
            self.root,
            &self.absolute,
            Path::new(""),
            &above,
            None,
            &sink,
        );
        let mut found = Found::default();
        let sink = sink.into_inner().unwrap_or_else(|p| p.into_inner());
        found.listings.reserve(sink.len());
        for (files, errors, listing, [read, read_compose]) in sink {
            found.files.extend(files);
            found.errors.extend(errors);
            found.read.extend(read);
            found.read_compose.extend(read_compose);
            if let Some((dir, listing)) = listing {
                found.listings.insert(dir, listing);
            }
        }
        found
    }

    /// Read `dir` (`absolute`; `relative` to the walked root; the entry `name` of the open
    /// directory `opened` when that was kept open), then its subdirectories in parallel.
    fn visit(
        &self,
        dir: &Path,
        absolute: &Path,
        relative: &Path,
        parent: &Option<Arc<Level>>,
        opened: Option<(&listing::OpenDir, &OsStr)>,
        sink: &std::sync::Mutex<Vec<DirFound>>,
    ) {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        let ((names, error), open_dir) = match listing::read_entries_in(dir, opened) {
            Ok(read) => read,
            Err(err) => {
                let error = FileError::new(&display_path(dir), io_message(&err));
                let mut sink = sink.lock().unwrap_or_else(|p| p.into_inner());
                sink.push((Vec::new(), vec![error], None, Default::default()));
                return;
            }
        };
        if let Some(err) = error {
            errors.push(FileError::new(&display_path(dir), io_message(&err)));
        }
        let listing = Listing::new(names);
        let level = Level::read(
            absolute,
            |name| listing.get(OsStr::new(name)),
            parent,
            false,
        )
        .or_else(|| parent.clone());
        let mut subdirs = Vec::new();
        let mut read = Vec::new();
        let mut read_compose = Vec::new();
        for (name, kind) in listing.entries() {
            let is_dir = *kind == EntryType::Dir;
            let child = absolute.join(name);
            let child_relative = relative.join(name);
            if self.ignored(&level, &child, &child_relative, is_dir) {
                continue;
            }
            // Found paths are displayed as they are: the root is given without `./` parts,
            // and the files of `.` are shown without one.
            let path = if dir == Path::new(".") {
                PathBuf::from(name)
            } else {
                dir.join(name)
            };
            match kind {
                EntryType::Dir => {
                    if !SKIPPED_DIRS.iter().any(|skip| name == *skip) {
                        subdirs.push((path, child, child_relative, name.clone()));
                    }
                }
                EntryType::File => {
                    // Dockerfiles by path as walked (the run's key), compose files by
                    // absolute path (planning's).
                    let into = match FileKind::from_path(Path::new(name)) {
                        Some(FileKind::Dockerfile) => Some((&mut read, &path)),
                        Some(FileKind::Compose) if self.absolute == self.resolved => {
                            Some((&mut read_compose, &child))
                        }
                        _ => None,
                    };
                    if let (Some(limit), Some(open_dir), Some((into, key))) =
                        (self.read_ahead, &open_dir, into)
                        && let Some(bytes) = listing::read_file_in(open_dir, name, limit)
                    {
                        into.push((key.clone(), bytes));
                    }
                    files.push((path, false));
                }
                // A link to a file is checked; to a directory or nowhere, skipped.
                EntryType::Symlink if path.metadata().is_ok_and(|m| m.is_file()) => {
                    let outside = !std::fs::canonicalize(&path)
                        .is_ok_and(|target| target.starts_with(&self.resolved));
                    files.push((path, outside));
                }
                EntryType::Symlink | EntryType::Other => {}
            }
        }
        sink.lock().unwrap_or_else(|p| p.into_inner()).push((
            files,
            errors,
            Some((absolute.to_path_buf(), listing)),
            [read, read_compose],
        ));
        subdirs
            .par_iter()
            .for_each(|(path, child, child_relative, name)| {
                let opened = open_dir.as_ref().map(|dir| (dir, name.as_os_str()));
                self.visit(path, child, child_relative, &level, opened, sink);
            });
    }

    /// Whether the ignore rules leave `path` out: the nearest `.ignore` that says anything
    /// decides, else the nearest `.gitignore`, else the repository's exclude file, else the
    /// global one.
    fn ignored(
        &self,
        level: &Option<Arc<Level>>,
        path: &Path,
        relative: &Path,
        is_dir: bool,
    ) -> bool {
        let resolved = std::cell::OnceCell::new();
        let mut matched = [Match::None, Match::None, Match::None];
        let mut current = level.as_deref();
        while let Some(level) = current {
            let path = if level.above {
                resolved.get_or_init(|| self.resolved.join(relative))
            } else {
                path
            };
            for (slot, rules) in
                matched
                    .iter_mut()
                    .zip([&level.ignore, &level.gitignore, &level.exclude])
            {
                if slot.is_none()
                    && let Some(rules) = rules
                {
                    *slot = rules.matched(path, is_dir).map(|_| ());
                }
            }
            current = level.parent.as_deref();
        }
        let [ignore, gitignore, exclude] = matched;
        ignore
            .or(gitignore)
            .or(exclude)
            .or(self.global.matched(path, is_dir).map(|_| ()))
            .is_ignore()
    }
}
