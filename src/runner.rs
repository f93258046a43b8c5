//! The runner: read each discovered file and check it, in parallel, on a dedicated thread pool.
//! Every failure is confined to its file (unreadable, not UTF-8, a panicking rule) and comes back
//! as a [`FileError`]; the other files still get their results. Nothing here prints.
//!
//! Checks see the other files of the run through an [`FsWorkspace`] (compose services read the
//! Dockerfiles they build). Compose files are checked first, so the Dockerfiles they pull in are
//! in the workspace when the Dockerfiles themselves come up: each is read and parsed once.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::diagnostic::Finding;
use crate::discover::{Candidate, io_message};
use crate::report::{FileError, FileResult, Results};
use crate::source::{FileKind, SourceFile};
use crate::span::LineIndex;
use crate::workspace::{ParsedDockerfile, Workspace, normalize};

/// Worker stack size: parsers and shell analysis may go deep on pathological input.
const STACK_SIZE: usize = 8 << 20;

/// Text read from standard input, checked like a file with a display path.
#[derive(Debug)]
pub struct StdinInput {
    pub path: PathBuf,
    pub kind: Option<FileKind>,
    pub bytes: Vec<u8>,
}

/// How the run is set up.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Worker threads; `None` for rayon's default (one per core).
    pub threads: Option<usize>,
}

/// Check every candidate (and stdin, if given) with `check`, which gets the run's workspace.
/// Results are sorted by path.
pub fn run<F>(
    candidates: &[Candidate],
    stdin: Option<StdinInput>,
    options: RunOptions,
    check: F,
) -> Result<Results, String>
where
    F: Fn(&SourceFile, &dyn Workspace) -> Vec<Finding> + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .num_threads(options.threads.unwrap_or(0))
        .thread_name(|i| format!("plimsoll-worker-{i}"))
        .build()
        .map_err(|err| format!("cannot start worker threads: {err}"))?;
    let workspace = FsWorkspace::new();
    let with_workspace = |source: &SourceFile| check(source, &workspace);
    let check_candidate = |candidate: &Candidate| {
        // A Dockerfile a compose service already pulled in is not read again.
        let bytes = match workspace.loaded_source(&candidate.path) {
            Some(source) => Ok(source.text.clone().into_bytes()),
            None => std::fs::read(&candidate.path),
        };
        match bytes {
            Ok(bytes) => check_bytes(&candidate.path, candidate.kind, bytes, &with_workspace),
            Err(err) => Err(FileError::new(&candidate.path, io_message(&err))),
        }
    };
    let (compose, others): (Vec<&Candidate>, Vec<&Candidate>) = candidates
        .iter()
        .partition(|candidate| candidate.kind == Some(FileKind::Compose));
    let outcomes: Vec<Result<FileResult, FileError>> = pool.install(|| {
        let mut outcomes: Vec<_> = compose.par_iter().map(|c| check_candidate(c)).collect();
        outcomes.par_extend(others.par_iter().map(|c| check_candidate(c)));
        if let Some(stdin) = stdin {
            outcomes.push(check_bytes(
                &stdin.path,
                stdin.kind,
                stdin.bytes,
                &with_workspace,
            ));
        }
        outcomes
    });
    let mut results = Results::default();
    for outcome in outcomes {
        match outcome {
            Ok(file) => results.files.push(file),
            Err(error) => results.errors.push(error),
        }
    }
    results
        .files
        .sort_by(|a, b| a.source.path.cmp(&b.source.path));
    results.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(results)
}

/// One cached file: filled once, by whichever thread asks first.
type Slot<T> = Arc<OnceLock<Option<Arc<T>>>>;

/// The filesystem seen by the checks of one run. Files are keyed by their canonical path (the
/// normalized path when it cannot be canonicalized), read once and, for Dockerfiles, parsed
/// once, whichever thread asks first; later askers wait for that result.
#[derive(Debug, Default)]
pub struct FsWorkspace {
    sources: Mutex<HashMap<PathBuf, Slot<SourceFile>>>,
    parsed: Mutex<HashMap<PathBuf, Slot<ParsedDockerfile>>>,
}

impl FsWorkspace {
    pub fn new() -> Self {
        Self::default()
    }

    fn key(path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
    }

    fn slot<T>(map: &Mutex<HashMap<PathBuf, Slot<T>>>, key: PathBuf) -> Slot<T> {
        // A panic elsewhere while the lock was held leaves the map itself intact.
        let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(map.entry(key).or_default())
    }

    fn loaded<T>(map: &Mutex<HashMap<PathBuf, Slot<T>>>, path: &Path) -> Option<Arc<T>> {
        let lock = || map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Most runs pull in no Dockerfile from compose: skip the canonicalization then.
        if lock().is_empty() {
            return None;
        }
        // Canonicalize outside the lock: other workers keep going meanwhile.
        let key = Self::key(path);
        let slot = lock().get(&key).cloned()?;
        slot.get()?.clone()
    }

    /// The file at `path` if some check already read it (nothing is read here).
    pub fn loaded_source(&self, path: &Path) -> Option<Arc<SourceFile>> {
        Self::loaded(&self.sources, path)
    }
}

impl Workspace for FsWorkspace {
    fn read(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let slot = Self::slot(&self.sources, Self::key(path));
        slot.get_or_init(|| {
            let text = std::fs::read_to_string(path).ok()?;
            let kind = FileKind::from_path(path).unwrap_or_else(|| FileKind::sniff(&text));
            Some(Arc::new(SourceFile::new(normalize(path), text, kind)))
        })
        .clone()
    }

    fn dockerfile(&self, path: &Path) -> Option<Arc<ParsedDockerfile>> {
        let slot = Self::slot(&self.parsed, Self::key(path));
        slot.get_or_init(|| {
            let source = self.read(path)?;
            Some(Arc::new(ParsedDockerfile::parse(source)))
        })
        .clone()
    }

    fn loaded_dockerfile(&self, path: &Path) -> Option<Arc<ParsedDockerfile>> {
        Self::loaded(&self.parsed, path)
    }
}

/// Decode `bytes`, settle the kind (sniffing the content when the name says nothing) and check.
pub fn check_bytes<F>(
    path: &Path,
    kind: Option<FileKind>,
    bytes: Vec<u8>,
    check: &F,
) -> Result<FileResult, FileError>
where
    F: Fn(&SourceFile) -> Vec<Finding>,
{
    let text = decode(path, bytes)?;
    let kind = kind.unwrap_or_else(|| FileKind::sniff(&text));
    let source = SourceFile::new(path, text, kind);
    // A bug in one rule or parser must not take the other files down with it.
    match panic::catch_unwind(AssertUnwindSafe(|| check(&source))) {
        Ok(findings) => Ok(FileResult { source, findings }),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(FileError::new(
                path,
                format!("internal error while checking: {what}, please report"),
            ))
        }
    }
}

/// The text of a file, or an error pointing at the first byte that is not UTF-8.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, FileError> {
    String::from_utf8(bytes).map_err(|err| {
        let valid_up_to = err.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(err.as_bytes().get(..valid_up_to).unwrap_or_default())
            .unwrap_or_default();
        FileError {
            path: path.to_path_buf(),
            message: "stream did not contain valid UTF-8".to_string(),
            position: Some(LineIndex::new(valid).position(valid, valid_up_to)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Position;

    fn no_findings(_: &SourceFile) -> Vec<Finding> {
        Vec::new()
    }

    #[test]
    fn invalid_utf8_points_at_the_first_bad_byte() {
        let bytes = b"FROM a\nRUN \xc3\xa9 \xff\n".to_vec();
        let error = check_bytes(Path::new("Dockerfile"), None, bytes, &no_findings).unwrap_err();
        assert_eq!(error.message, "stream did not contain valid UTF-8");
        assert_eq!(error.position, Some(Position { line: 2, column: 7 }));
    }

    #[test]
    fn content_is_sniffed_when_the_name_says_nothing() {
        let bytes = b"services:\n  web:\n    image: x\n".to_vec();
        let file = check_bytes(Path::new("stack.yml"), None, bytes, &no_findings).unwrap();
        assert_eq!(file.source.kind, FileKind::Compose);
    }

    /// Recurse until `bytes` of stack below `base` (an address on the caller's stack) are used.
    fn use_stack(base: usize, bytes: usize) -> usize {
        let frame = std::hint::black_box([1u8; 1024]);
        if base.abs_diff(frame.as_ptr() as usize) >= bytes {
            return 1;
        }
        use_stack(base, bytes) + usize::from(std::hint::black_box(frame)[1])
    }

    #[test]
    fn workers_have_big_stacks() {
        // 4 MiB of recursion would overflow the 2 MiB stack of a default rayon worker.
        let results = run(
            &[],
            Some(StdinInput {
                path: "Dockerfile".into(),
                kind: None,
                bytes: b"FROM a".to_vec(),
            }),
            RunOptions::default(),
            |_, _| {
                let base = std::hint::black_box(0u8);
                assert!(use_stack(std::ptr::addr_of!(base) as usize, 4 << 20) > 0);
                Vec::new()
            },
        )
        .unwrap();
        assert_eq!(results.files.len(), 1);
        assert_eq!(results.files[0].source.kind, FileKind::Dockerfile);
    }

    #[test]
    fn a_panicking_check_fails_only_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut candidates = Vec::new();
        for name in ["a/Dockerfile", "b/Dockerfile", "c/Dockerfile"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text = if name.starts_with('b') {
                "boom"
            } else {
                "FROM x"
            };
            std::fs::write(&path, text).unwrap();
            candidates.push(Candidate {
                path,
                kind: Some(FileKind::Dockerfile),
            });
        }
        candidates.push(Candidate {
            path: dir.path().join("gone/Dockerfile"),
            kind: None,
        });
        let results = run(
            &candidates,
            None,
            RunOptions { threads: Some(2) },
            |source, _| {
                assert!(source.text != "boom", "rule exploded");
                Vec::new()
            },
        )
        .unwrap();
        let checked: Vec<_> = results.files.iter().map(|f| &f.source.path).collect();
        assert_eq!(checked, [&candidates[0].path, &candidates[2].path]);
        assert_eq!(results.errors.len(), 2);
        assert_eq!(results.errors[0].path, candidates[1].path);
        assert!(
            results.errors[0]
                .message
                .starts_with("internal error while checking: rule exploded"),
            "{}",
            results.errors[0].message
        );
        assert_eq!(results.errors[1].message, "no such file or directory");
    }
}
