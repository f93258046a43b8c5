//! What a walk saw: the entries of every directory it read, by absolute directory path.
//!
//! The walk reads each directory once (`getdents`); the questions asked afterwards about names in
//! those directories ("is there a `.plimsoll.yaml` here?", "is this a repository root?") are
//! answered from that listing instead of one failing `stat` each. A directory the walk did not
//! read (above the walked root, outside it) is not known: the caller asks the filesystem, as
//! before. The listings describe the tree when it was walked; a run treats that as the tree.

use foldhash::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The type of a directory entry, as the directory listing says (links are not followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    Other,
}

impl EntryType {
    pub fn of(file_type: std::fs::FileType) -> Self {
        if file_type.is_file() {
            Self::File
        } else if file_type.is_dir() {
            Self::Dir
        } else if file_type.is_symlink() {
            Self::Symlink
        } else {
            Self::Other
        }
    }
}

impl From<EntryType> for crate::semantic::build_context::EntryKind {
    fn from(kind: EntryType) -> Self {
        match kind {
            EntryType::File => Self::File,
            EntryType::Dir => Self::Dir,
            EntryType::Symlink => Self::Symlink,
            EntryType::Other => Self::Other,
        }
    }
}

/// A directory's entries as read, and the error that stopped the reading, if any.
pub type Entries = (Vec<(OsString, EntryType)>, Option<std::io::Error>);

/// The entries of the directory `dir` (without `.` and `..`), unsorted, with the error that
/// stopped the reading after it opened, if any; `Err` when it cannot be opened.
pub fn read_entries(dir: &Path) -> std::io::Result<Entries> {
    read_entries_in(dir, None).map(|(entries, _)| entries)
}

/// A directory a walk read, kept open while the directories in it are opened relative to it
/// (see [`read_entries_in`]). At most [`MAX_KEPT_OPEN`] are kept at once in a process.
pub struct OpenDir {
    #[cfg(target_os = "linux")]
    fd: rustix::fd::OwnedFd,
}

/// How many directories the walks keep open at once, at most: a walk keeps the chain of
/// directories above the ones it reads (on each worker); past this many (or a quarter of the
/// process's limit of open files, if lower), directories are opened by their whole path again.
pub const MAX_KEPT_OPEN: usize = 128;

/// [`MAX_KEPT_OPEN`], or a quarter of the soft limit of open files when that is lower.
#[cfg(target_os = "linux")]
fn kept_open_budget() -> usize {
    static BUDGET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        limit.map_or(MAX_KEPT_OPEN, |limit| {
            MAX_KEPT_OPEN.min(usize::try_from(limit / 4).unwrap_or(MAX_KEPT_OPEN))
        })
    })
}

static KEPT_OPEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for OpenDir {
    fn drop(&mut self) {
        KEPT_OPEN.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// [`read_entries`] of `dir`, opened as the entry `name` of the open directory `parent` when
/// given (the kernel then looks up one name, not every component of a long path), and the
/// directory kept open for the directories in it while fewer than [`MAX_KEPT_OPEN`] are (see
/// `kept_open_budget`).
pub fn read_entries_in(
    dir: &Path,
    parent: Option<(&OpenDir, &OsStr)>,
) -> std::io::Result<(Entries, Option<OpenDir>)> {
    #[cfg(target_os = "linux")]
    {
        read_entries_linux(dir, parent)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = parent;
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            match entry {
                Ok(entry) => {
                    let kind = entry.file_type().map_or(EntryType::Other, EntryType::of);
                    entries.push((entry.file_name(), kind));
                }
                Err(err) => return Ok(((entries, Some(err)), None)),
            }
        }
        Ok(((entries, None), None))
    }
}

/// [`read_entries_in`] with `getdents64` into one 32 KiB buffer: `opendir` (under
/// `std::fs::read_dir`) also makes an `fstat` per directory, a tenth of a walk's system calls.
#[cfg(target_os = "linux")]
fn read_entries_linux(
    dir: &Path,
    parent: Option<(&OpenDir, &OsStr)>,
) -> std::io::Result<(Entries, Option<OpenDir>)> {
    use rustix::fs::{FileType, Mode, OFlags, RawDir};
    use std::os::unix::ffi::OsStrExt;
    use std::sync::atomic::Ordering;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match parent {
        Some((parent, name)) => rustix::fs::openat(&parent.fd, name, flags, Mode::empty())?,
        None => rustix::fs::open(dir, flags, Mode::empty())?,
    };
    let mut buffer = [std::mem::MaybeUninit::<u8>::uninit(); 32 * 1024];
    let mut raw = RawDir::new(&fd, &mut buffer);
    let mut entries = Vec::new();
    let mut error = None;
    while let Some(entry) = raw.next() {
        let entry = match entry {
            Ok(entry) => entry,
            // An error reading a directory repeats: stop at the first.
            Err(err) => {
                error = Some(err.into());
                break;
            }
        };
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let name = OsStr::from_bytes(name).to_os_string();
        let kind = match entry.file_type() {
            FileType::RegularFile => EntryType::File,
            FileType::Directory => EntryType::Dir,
            FileType::Symlink => EntryType::Symlink,
            // Some filesystems leave the type out of the listing: asked of the entry itself.
            FileType::Unknown => std::fs::symlink_metadata(dir.join(&name))
                .map_or(EntryType::Other, |meta| EntryType::of(meta.file_type())),
            _ => EntryType::Other,
        };
        entries.push((name, kind));
    }
    let kept = if KEPT_OPEN.fetch_add(1, Ordering::Relaxed) < kept_open_budget() {
        Some(OpenDir { fd })
    } else {
        KEPT_OPEN.fetch_sub(1, Ordering::Relaxed);
        None
    };
    Ok(((entries, error), kept))
}

/// The bytes of the regular file `name` in the open directory `dir`, when it holds between 1
/// and `limit` bytes and reads whole; `None` otherwise (a link, a FIFO, an empty or
/// too-large file, an error), for the caller to read it by its path as it would have anyway.
/// Opened relative to `dir`, the kernel looks up one name instead of a whole path.
#[cfg(target_os = "linux")]
pub fn read_file_in(dir: &OpenDir, name: &OsStr, limit: u64) -> Option<Vec<u8>> {
    use rustix::fs::{FileType, Mode, OFlags};
    use std::io::Read;
    // Not following a link, and never waiting for a writer if a FIFO took the name.
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NONBLOCK;
    let fd = rustix::fs::openat(&dir.fd, name, flags, Mode::empty()).ok()?;
    let stat = rustix::fs::fstat(&fd).ok()?;
    let len = u64::try_from(stat.st_size).ok()?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile || len == 0 || len > limit {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).ok()?);
    // To the size `stat` gave, without a `read` after the last byte (like the run's own reads);
    // a file that shrank meanwhile is left to the run.
    let file = std::fs::File::from(fd);
    file.take(len).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 == len).then_some(bytes)
}

/// Without `openat`, nothing is read ahead.
#[cfg(not(target_os = "linux"))]
pub fn read_file_in(_dir: &OpenDir, _name: &OsStr, _limit: u64) -> Option<Vec<u8>> {
    None
}

/// `path`'s directory and name, as [`Path::parent`] and [`Path::file_name`] say them: `None`
/// when it has no name (`/`, `..`). A run's paths are normalized (no `.`, `..`, `//`, no
/// trailing `/`): on Unix their last `/` splits them, without parsing every component from the
/// end twice as `parent` and `file_name` do; anything else goes to those.
pub fn parent_and_name(path: &Path) -> Option<(&Path, &OsStr)> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let plain = |name: &[u8]| !matches!(name, b"" | b"." | b"..");
        match memchr::memrchr(b'/', bytes) {
            Some(at) if plain(&bytes[at + 1..]) && (at == 0 || bytes[at - 1] != b'/') => {
                let dir = if at == 0 { &bytes[..1] } else { &bytes[..at] };
                if dir != b"." && !dir.ends_with(b"/.") {
                    let name = OsStr::from_bytes(&bytes[at + 1..]);
                    return Some((Path::new(OsStr::from_bytes(dir)), name));
                }
            }
            None if plain(bytes) => return Some((Path::new(""), path.as_os_str())),
            _ => {}
        }
    }
    Some((path.parent()?, path.file_name()?))
}

/// `a.cmp(b)`: [`Path`]'s order, component by component (`a/b` before `a-b`, `a/b/` equal to
/// `a/b`). Sorting a run's paths with `Path::cmp` parses components from the first difference
/// of every comparison; here the bytes decide (a `/` below every other byte, the end below
/// `/`) wherever they give the same answer: when the component holding the first difference,
/// and the one after a `/` found there, are plain names in both paths (not empty, `.` or
/// `..`). Anything else goes to `Path::cmp`.
pub fn cmp_paths(a: &Path, b: &Path) -> std::cmp::Ordering {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (x, y) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
        let at = common_prefix(x, y);
        if at == x.len() && at == y.len() {
            return std::cmp::Ordering::Equal;
        }
        let start = memchr::memrchr(b'/', &x[..at]).map_or(0, |slash| slash + 1);
        let plain = |path: &[u8], from: usize| {
            let rest = path.get(from..).unwrap_or_default();
            let name = &rest[..memchr::memchr(b'/', rest).unwrap_or(rest.len())];
            !matches!(name, b"" | b"." | b"..")
        };
        let rank = |path: &[u8]| match path.get(at) {
            None => Some(0),
            Some(b'/') => plain(path, at + 1).then_some(1),
            Some(&byte) => Some(u16::from(byte) + 2),
        };
        if plain(x, start)
            && plain(y, start)
            && let (Some(left), Some(right)) = (rank(x), rank(y))
        {
            return left.cmp(&right);
        }
    }
    a.cmp(b)
}

/// How many bytes `x` and `y` share from the start, eight at a time.
fn common_prefix(x: &[u8], y: &[u8]) -> usize {
    let len = x.len().min(y.len());
    let mut at = 0;
    while at + 8 <= len {
        let word =
            |bytes: &[u8]| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
        let differ = word(x) ^ word(y);
        if differ != 0 {
            return at + differ.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + x[at..len]
        .iter()
        .zip(&y[at..len])
        .take_while(|(p, q)| p == q)
        .count()
}

/// The entries of one directory, sorted by name.
#[derive(Debug, Default)]
pub struct Listing {
    entries: Vec<(OsString, EntryType)>,
}

impl Listing {
    pub fn new(mut entries: Vec<(OsString, EntryType)>) -> Self {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self { entries }
    }

    /// The entries, by name.
    pub fn entries(&self) -> &[(OsString, EntryType)] {
        &self.entries
    }

    /// The type of the entry `name`, or `None` when the directory has no such entry.
    pub fn get(&self, name: &OsStr) -> Option<EntryType> {
        self.entries
            .binary_search_by(|(entry, _)| entry.as_os_str().cmp(name))
            .ok()
            .map(|at| self.entries[at].1)
    }
}

/// The listings of `dirs` (absolute, normalized) that could be read whole, on the current
/// rayon pool when `parallel`.
pub fn read_listings(dirs: &[PathBuf], parallel: bool) -> Listings {
    use rayon::prelude::*;
    let read = |dir: &PathBuf| match read_entries(dir) {
        Ok((entries, None)) => Some((dir.clone().into_os_string(), Listing::new(entries))),
        _ => None,
    };
    let dirs = if parallel {
        dirs.par_iter().filter_map(read).collect()
    } else {
        dirs.iter().filter_map(read).collect()
    };
    Listings { dirs }
}

/// The listings of the directories a walk read, keyed by absolute, normalized path (as bytes:
/// hashing a `Path` goes component by component, several times slower).
#[derive(Debug, Default)]
pub struct Listings {
    dirs: HashMap<OsString, Listing>,
}

impl Listings {
    pub fn insert(&mut self, dir: PathBuf, listing: Listing) {
        self.dirs.insert(dir.into_os_string(), listing);
    }

    pub fn extend(&mut self, other: Listings) {
        self.dirs.extend(other.dirs);
    }

    /// Room for `more` directories.
    pub fn reserve(&mut self, more: usize) {
        self.dirs.reserve(more);
    }

    /// How many directories were read.
    pub fn dir_count(&self) -> usize {
        self.dirs.len()
    }

    /// The listing of the directory `dir`, when the walk read it.
    pub fn listing(&self, dir: &Path) -> Option<&Listing> {
        self.dirs.get(dir.as_os_str())
    }

    /// What the listing of `path`'s directory says of it (links not followed): `Some(None)`
    /// when the directory was read and has no such name, `None` when the directory is not known.
    pub fn kind(&self, path: &Path) -> Option<Option<EntryType>> {
        let (dir, name) = parent_and_name(path)?;
        match self.dirs.get(dir.as_os_str()) {
            Some(listing) => Some(listing.get(name)),
            // `a/.plimsoll/policies` where `a` was read and has no `.plimsoll` directory.
            None => match self.kind(dir)? {
                None | Some(EntryType::File | EntryType::Other) => Some(None),
                Some(EntryType::Dir | EntryType::Symlink) => None,
            },
        }
    }

    /// `test` on what is at `path` with links followed; `None` when the listings cannot say
    /// (an unknown directory, or a link, whose target the listing does not hold).
    fn followed(&self, path: &Path, test: fn(Option<EntryType>) -> bool) -> Option<bool> {
        match self.kind(path)? {
            Some(EntryType::Symlink) => None,
            entry => Some(test(entry)),
        }
    }

    /// Whether `path` (absolute, normalized) names a regular file, following links like
    /// [`Path::is_file`]; `None` when the listings cannot say.
    pub fn is_file(&self, path: &Path) -> Option<bool> {
        self.followed(path, |entry| entry == Some(EntryType::File))
    }

    /// Whether `path` names a directory, following links like [`Path::is_dir`].
    pub fn is_dir(&self, path: &Path) -> Option<bool> {
        // A directory read whole is one (its parent may not be known: a file's directory
        // listed for a run of named files).
        if self.dirs.contains_key(path.as_os_str()) {
            return Some(true);
        }
        self.followed(path, |entry| entry == Some(EntryType::Dir))
    }

    /// Whether anything is at `path`, following links like [`Path::exists`].
    pub fn exists(&self, path: &Path) -> Option<bool> {
        self.followed(path, |entry| entry.is_some())
    }
}

/// The names in one directory, answered from its listing when the walk read it (one lookup
/// for every name asked), else from the filesystem.
pub struct InDir<'a> {
    dir: &'a Path,
    listing: Option<&'a Listing>,
}

impl<'a> InDir<'a> {
    pub fn new(listings: Option<&'a Listings>, dir: &'a Path) -> Self {
        Self {
            dir,
            listing: listings.and_then(|listings| listings.listing(dir)),
        }
    }

    /// `test` on what the listing says of `name`, links followed; the disk (`on_disk`) when
    /// the listing cannot say (not read, or a link).
    fn followed(
        &self,
        name: &str,
        test: fn(Option<EntryType>) -> bool,
        on_disk: fn(&Path) -> bool,
    ) -> bool {
        match self.listing.map(|listing| listing.get(OsStr::new(name))) {
            Some(Some(EntryType::Symlink)) | None => on_disk(&self.dir.join(name)),
            Some(entry) => test(entry),
        }
    }

    /// Like [`Path::is_file`] on `dir/name`.
    pub fn is_file(&self, name: &str) -> bool {
        self.followed(name, |e| e == Some(EntryType::File), Path::is_file)
    }

    /// Like [`Path::exists`] on `dir/name`.
    pub fn exists(&self, name: &str) -> bool {
        self.followed(name, |e| e.is_some(), Path::exists)
    }
}

/// What `known` says of `path` from the listings, else what the filesystem says (`on_disk`).
fn answer(
    listings: Option<&Listings>,
    path: &Path,
    known: impl FnOnce(&Listings) -> Option<bool>,
    on_disk: impl FnOnce(&Path) -> bool,
) -> bool {
    listings.and_then(known).unwrap_or_else(|| on_disk(path))
}

/// [`Listings::is_file`], asking the filesystem when the listings cannot say.
pub fn is_file(listings: Option<&Listings>, path: &Path) -> bool {
    answer(listings, path, |l| l.is_file(path), Path::is_file)
}

/// [`Listings::is_dir`], asking the filesystem when the listings cannot say.
pub fn is_dir(listings: Option<&Listings>, path: &Path) -> bool {
    answer(listings, path, |l| l.is_dir(path), Path::is_dir)
}

/// [`Listings::exists`], asking the filesystem when the listings cannot say.
pub fn exists(listings: Option<&Listings>, path: &Path) -> bool {
    answer(listings, path, |l| l.exists(path), Path::exists)
}

/// Whether `path` is a regular file itself, not a link to one (`symlink_metadata`).
pub fn is_regular(listings: Option<&Listings>, path: &Path) -> bool {
    let known = |l: &Listings| Some(l.kind(path)? == Some(EntryType::File));
    answer(listings, path, known, |path| {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
    })
}

/// Whether anything is at `path`, links not followed (`symlink_metadata`).
pub fn is_present(listings: Option<&Listings>, path: &Path) -> bool {
    let known = |l: &Listings| Some(l.kind(path)?.is_some());
    answer(listings, path, known, |path| {
        std::fs::symlink_metadata(path).is_ok()
    })
}

/// A FIFO at `path`, for the tests of what is never read (opening one for reading waits).
#[cfg(all(test, unix))]
pub(crate) fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "mkfifo {}",
        path.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_is_read_ahead_only_when_it_is_a_regular_file_of_the_right_size() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(root.join("empty.Dockerfile"), "").unwrap();
        std::fs::write(root.join("big.Dockerfile"), "x".repeat(100)).unwrap();
        std::fs::create_dir(root.join("dir.Dockerfile")).unwrap();
        std::os::unix::fs::symlink(root.join("Dockerfile"), root.join("link.Dockerfile")).unwrap();
        let fifo = root.join("fifo.Dockerfile");
        make_fifo(&fifo);
        let (_, open) = read_entries_in(root, None).unwrap();
        let open = open.expect("kept open");
        let read = |name: &str| read_file_in(&open, OsStr::new(name), 50);
        assert_eq!(read("Dockerfile").as_deref(), Some(&b"FROM scratch\n"[..]));
        // Left to the run, which reads (or refuses) them by path as before.
        for name in [
            "empty.Dockerfile",
            "big.Dockerfile",
            "dir.Dockerfile",
            "link.Dockerfile",
        ] {
            assert_eq!(read(name), None, "{name}");
        }
        // A FIFO is neither waited on nor read.
        assert_eq!(read("fifo.Dockerfile"), None);
        assert_eq!(read("missing"), None);
    }

    #[test]
    fn paths_compare_as_std_compares_them() {
        use std::os::unix::ffi::OsStrExt;
        // Every path of up to four bytes over an alphabet of a name byte, bytes below and
        // above `.` and `/`, `.` and `/` (`..`, `//`, trailing `/`, `/.`, leading `/`)...
        let alphabet = [b'a', b'-', b'.', b'/', b'0'];
        let mut short: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|path: &Vec<u8>| {
                    alphabet.iter().map(move |&byte| {
                        let mut longer = path.clone();
                        longer.push(byte);
                        longer
                    })
                })
                .collect();
            short.extend(last.iter().cloned());
        }
        let check = |x: &[u8], y: &[u8]| {
            let (a, b) = (
                Path::new(OsStr::from_bytes(x)),
                Path::new(OsStr::from_bytes(y)),
            );
            assert_eq!(cmp_paths(a, b), a.cmp(b), "{a:?} against {b:?}");
        };
        for x in &short {
            for y in &short {
                check(x, y);
            }
        }
        // ... and each of them after a shared prefix of every length up to 20 bytes, so that
        // the difference falls at every place of the eight-byte words.
        let prefix = b"corpus/dockerfiles/app";
        for cut in 0..=20 {
            let with = |tail: &[u8]| [&prefix[..cut], tail].concat();
            for x in short.iter().step_by(7) {
                for y in short.iter().step_by(3) {
                    check(&with(x), &with(y));
                }
            }
        }
    }

    #[test]
    fn parent_and_name_agree_with_std() {
        let paths = [
            "/",
            "/a",
            "/a/b",
            "/a/b/c.yaml",
            "a",
            "a/b",
            "",
            ".",
            "..",
            "./a",
            "a/.",
            "a/..",
            "a/./b",
            "a//b",
            "a/b/",
            "/a/b/",
            "//a",
            "../a",
            "../../a/b",
            "a/.hidden",
            "a/..b",
            "a/b..",
            ".a",
            "..a/b",
            "/.",
            "/..",
            "./",
            "a/./",
            "a\\b/c",
        ];
        for written in paths {
            let path = Path::new(written);
            let std = path.parent().zip(path.file_name());
            let fast = parent_and_name(path);
            // Byte for byte: the splits of normalized paths key the listings.
            assert_eq!(
                fast.map(|(d, n)| (d.as_os_str(), n)),
                std.map(|(d, n)| (d.as_os_str(), n)),
                "{written:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn one_directory_answers_from_its_listing_and_asks_the_disk_for_links_and_unread_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("on-disk"), "x").unwrap();
        std::os::unix::fs::symlink("on-disk", root.join("link")).unwrap();
        let mut listings = Listings::default();
        // The listing says `listed` is a file though the disk has none: answers come from it.
        listings.insert(
            root.to_path_buf(),
            Listing::new(vec![
                (OsString::from("listed"), EntryType::File),
                (OsString::from("link"), EntryType::Symlink),
            ]),
        );
        let names = InDir::new(Some(&listings), root);
        assert!(names.is_file("listed"));
        assert!(!names.exists("on-disk"), "the listing, not the disk");
        assert!(
            names.is_file("link"),
            "a link: its target asked of the disk"
        );
        let unread = InDir::new(Some(&listings), Path::new("/nonexistent-plimsoll-dir"));
        assert!(!unread.exists("x"));
        let disk = InDir::new(None, root);
        assert!(disk.is_file("on-disk"));
        assert!(!disk.exists("listed"));
    }

    #[test]
    fn known_directories_answer_and_unknown_ones_do_not() {
        let mut listings = Listings::default();
        listings.insert(
            PathBuf::from("/r"),
            Listing::new(vec![
                (OsString::from("b"), EntryType::Dir),
                (OsString::from("a"), EntryType::File),
                (OsString::from("l"), EntryType::Symlink),
            ]),
        );
        assert_eq!(listings.is_file(Path::new("/r/a")), Some(true));
        assert_eq!(listings.is_file(Path::new("/r/b")), Some(false));
        assert_eq!(listings.is_dir(Path::new("/r/b")), Some(true));
        assert_eq!(listings.exists(Path::new("/r/c")), Some(false));
        assert_eq!(listings.is_file(Path::new("/r/c")), Some(false));
        assert_eq!(listings.is_file(Path::new("/r/l")), None);
        assert_eq!(listings.exists(Path::new("/s/a")), None);
        // Under a name the directory does not have, or a file: nothing.
        assert_eq!(listings.is_dir(Path::new("/r/x/y")), Some(false));
        assert_eq!(listings.is_dir(Path::new("/r/a/y")), Some(false));
        // Under a directory that was not read, or a link: the listings cannot say.
        assert_eq!(listings.is_dir(Path::new("/r/b/y")), None);
        assert_eq!(listings.is_dir(Path::new("/r/l/y")), None);
        assert_eq!(listings.exists(Path::new("/")), None);
    }
}
