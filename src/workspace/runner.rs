//! The runner: read each discovered file and check it, in parallel, on a dedicated thread pool.
//! Every failure is confined to its file (unreadable, not UTF-8, a panicking rule) and comes back
//! as a [`FileError`]; the other files still get their results. Nothing here prints.
//!
//! Checks see the other files of the run through an [`FsWorkspace`] (compose services read the
//! Dockerfiles they build). Compose files are checked first, so the Dockerfiles they pull in are
//! in the workspace when the Dockerfiles themselves come up: each is read and parsed once.

use foldhash::HashMap;
use std::ffi::OsString;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::results::{FileError, FileResult, FixRecord, Results};
use crate::linter::diagnostic::Finding;
use crate::linter::project::{ParsedDockerfile, Workspace, normalize};
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::{LineIndex, Position};
use crate::workspace::discover::{Candidate, io_message};
use crate::workspace::listing::{self, Listings, cmp_paths};

/// Worker stack size: parsers and shell analysis may go deep on pathological input.
const STACK_SIZE: usize = 8 << 20;

/// Text read from standard input, checked like a file with a display path.
#[derive(Debug)]
pub struct StdinInput {
    pub path: PathBuf,
    pub kind: Option<FileKind>,
    pub bytes: Vec<u8>,
}

/// The largest file the command line reads unless `--max-file-size` says otherwise (see
/// docs/limits.md): far above any real Dockerfile or compose file, far below what would make
/// memory use a problem.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 << 20;

/// The most worker threads a run starts, whatever `--threads` asks: beyond a few per core
/// threads only cost start-up time and stack memory.
pub const MAX_THREADS: usize = 256;

/// Threads for checking `files` files: as asked (default one per core), but at most one per
/// file, four per core and [`MAX_THREADS`].
fn pool_size(requested: Option<usize>, files: usize) -> usize {
    let cores = cores();
    requested
        .unwrap_or(cores)
        .min(cores.saturating_mul(4))
        .min(MAX_THREADS)
        .min(files)
        .max(1)
}

/// The cores this process may use, asked of the OS once (each ask reads the cgroup's quota).
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

/// How the run is set up.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads; `None` for one per core. Capped: see [`MAX_THREADS`].
    pub threads: Option<usize>,
    /// Files larger than this many bytes are refused with an error instead of read; `None`
    /// for no limit.
    pub max_file_size: Option<u64>,
    /// The compose projects of the run ([`crate::workspace::compose_project::plan`]).
    pub compose: crate::workspace::compose_project::Plan,
    /// ShellCheck, when the run uses it: the scripts of every Dockerfile are checked in
    /// batches before the files are, and the checks read the outcomes from its cache.
    pub shellcheck: Option<Arc<crate::workspace::shellcheck::Shellcheck>>,
    /// The build contexts the configs declare (`build-contexts:`), by the Dockerfile's absolute
    /// path: the context directory and the config file that says so.
    pub build_contexts: HashMap<PathBuf, (PathBuf, PathBuf)>,
    /// The names of plimsoll's config files ([`FsWorkspace::with_config_names`]).
    pub config_names: &'static [&'static str],
    /// The directories the run's walk read ([`FsWorkspace::with_listings`]).
    pub listings: Option<Arc<Listings>>,
    /// Files the walk read on its way ([`crate::workspace::discover::walk_reading`]), by path
    /// as walked: each candidate takes its bytes from here before reading its path.
    pub read_ahead: HashMap<OsString, Vec<u8>>,
}

/// The pool a run's work goes to: `threads` workers (see [`pool_size`]) with stacks large
/// enough for the parsers on pathological input.
fn worker_pool(
    threads: Option<usize>,
    files: usize,
    lend_main: bool,
) -> Result<rayon::ThreadPool, String> {
    let size = pool_size(threads, files);
    let builder = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .num_threads(size)
        .thread_name(|i| format!("plimsoll-worker-{i}"));
    // One worker on the main thread, when its stack may grow as far as a worker's: the check
    // of one file (pre-commit, an editor's save hook) starts no thread (its stack, its malloc
    // arena and their teardown were a tenth of such a run). The pool keeps the thread
    // registered for the rest of the process: only the command line's main thread lends
    // itself, once.
    static LENT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let lend = lend_main
        && size == 1
        && main_stack_suffices()
        && !LENT.swap(true, std::sync::atomic::Ordering::Relaxed);
    let builder = if lend {
        builder.use_current_thread()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|err| format!("cannot start worker threads: {err}"))
}

/// Whether this is the process's main thread and its stack may grow to [`STACK_SIZE`] (the
/// soft `RLIMIT_STACK`; the language server and tests run elsewhere).
fn main_stack_suffices() -> bool {
    if std::thread::current().name() != Some("main") {
        return false;
    }
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Stack);
        limit.current.is_none_or(|bytes| bytes >= STACK_SIZE as u64)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Run `work` on a pool of workers like a run's (for the work before it: planning compose
/// projects), falling back to the current thread when no pool can be started.
pub fn in_worker_pool<T: Send>(
    threads: Option<usize>,
    files: usize,
    work: impl FnOnce() -> T + Send,
) -> T {
    // Nothing to read (explicit files only, no compose file): no thread to start. With one
    // file there is still a worker, for its stack (see [`STACK_SIZE`]).
    if files == 0 {
        return work();
    }
    match worker_pool(threads, files, false) {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
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
    run_then(candidates, stdin, options, check, |file, _| (file, None))
}

/// [`run`], with `then` applied to each checked file in the worker that checked it, with the
/// run's workspace (`--fix`: fix, re-check, and say what changed).
pub fn run_then<F, T>(
    candidates: &[Candidate],
    stdin: Option<StdinInput>,
    options: RunOptions,
    check: F,
    then: T,
) -> Result<Results, String>
where
    F: Fn(&SourceFile, &dyn Workspace) -> Vec<Finding> + Sync,
    T: Fn(FileResult, &dyn Workspace) -> (FileResult, Option<FixRecord>) + Sync,
{
    let files = candidates.len() + usize::from(stdin.is_some());
    let pool = worker_pool(options.threads, files, true)?;
    let mut workspace = FsWorkspace::with_max_file_size(options.max_file_size)
        .with_plan(options.compose)
        .with_configured_contexts(options.build_contexts)
        .with_config_names(options.config_names)
        .with_listings(options.listings);
    workspace.shellcheck = options.shellcheck.clone();
    let read_ahead = Mutex::new(options.read_ahead);
    let take_read = |path: &Path| {
        let mut read = read_ahead.lock().unwrap_or_else(|p| p.into_inner());
        if read.is_empty() {
            return None;
        }
        read.remove(path.as_os_str())
    };
    let with_workspace = |source: &SourceFile| check(source, &workspace);
    let check_candidate = |candidate: &Candidate| {
        // A compose file planning read is not read again; a Dockerfile a compose service
        // already pulled in neither.
        let planned = (candidate.kind == Some(FileKind::Compose))
            .then(|| workspace.plan.take_bytes(&absolute(&candidate.path)))
            .flatten();
        let bytes = match planned {
            Some(bytes) => Ok(bytes),
            None => match workspace.loaded_source(&candidate.path) {
                Some(source) => Ok(source.text.clone().into_bytes()),
                None => match take_read(&candidate.path) {
                    Some(bytes) => Ok(bytes),
                    None => read_limited(&candidate.path, options.max_file_size),
                },
            },
        };
        match bytes {
            Ok(bytes) => check_bytes(&candidate.path, candidate.kind, bytes, &with_workspace)
                .map(|file| then(file, &workspace)),
            Err(message) => Err(FileError::new(&candidate.path, message)),
        }
    };
    let (compose, others): (Vec<&Candidate>, Vec<&Candidate>) = candidates
        .iter()
        .partition(|candidate| candidate.kind == Some(FileKind::Compose));
    type Outcome = Result<(FileResult, Option<FixRecord>), FileError>;
    let outcomes: Vec<Outcome> = pool.install(|| {
        if let Some(shellcheck) = &options.shellcheck {
            // Every script of the run at once: full batches, one process start per batch.
            let scripts: Vec<String> = others
                .par_iter()
                .flat_map_iter(|candidate| {
                    let parsed = workspace.dockerfile(&candidate.path);
                    parsed
                        .map(|p| crate::linter::shellcheck::scripts(&p.source, &p.dockerfile))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|script| script.text)
                })
                .collect();
            shellcheck.prefetch(scripts);
        }
        let mut outcomes: Vec<_> = compose.par_iter().map(|c| check_candidate(c)).collect();
        outcomes.par_extend(others.par_iter().map(|c| check_candidate(c)));
        if let Some(stdin) = stdin {
            outcomes.push(
                check_bytes(&stdin.path, stdin.kind, stdin.bytes, &with_workspace)
                    .map(|file| then(file, &workspace)),
            );
        }
        outcomes
    });
    // Freeing every parsed file and listing is serial work; a worker does it while the caller
    // goes on with the results (and a run that ends the process does not wait for it).
    pool.spawn(move || drop(workspace));
    let mut results = Results::default();
    results.files.reserve(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok((file, fixed)) => {
                results.files.push(file);
                results.fixed.extend(fixed);
            }
            Err(error) => results.errors.push(error),
        }
    }
    results.fixed.sort_by(|a, b| a.path.cmp(&b.path));
    results
        .files
        .sort_by(|a, b| cmp_paths(&a.source.path, &b.source.path));
    results.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(results)
}

/// One cached file: filled once, by whichever thread asks first.
type Slot<T> = Arc<OnceLock<Option<Arc<T>>>>;

/// The filesystem seen by the checks of one run. Files are keyed by their absolute, normalized
/// path ([`FsWorkspace::key`]), read once and, for Dockerfiles, parsed once, whichever thread
/// asks first; later askers wait for that result.
#[derive(Debug, Default)]
pub struct FsWorkspace {
    sources: Mutex<HashMap<OsString, Slot<SourceFile>>>,
    parsed: Mutex<HashMap<OsString, Slot<ParsedDockerfile>>>,
    /// Files larger than this are not read (as if absent); `None` for no limit.
    max_file_size: Option<u64>,
    /// Files that exist but were not read, by key, with the reason.
    refused: Mutex<HashMap<OsString, String>>,
    /// Merged compose projects, by the list of their files.
    projects: Mutex<HashMap<Vec<PathBuf>, Arc<crate::semantic::compose::Project>>>,
    /// What the run knows of compose projects before it starts.
    plan: crate::workspace::compose_project::Plan,
    /// Build contexts compose services give Dockerfiles, by the Dockerfile's key.
    declared_contexts: Mutex<HashMap<PathBuf, Vec<PathBuf>>>,
    /// Listed build contexts, by the context directory's key and the ignore file in force:
    /// each is walked once, by whichever Dockerfile asks first.
    contexts: Mutex<HashMap<(OsString, Option<OsString>), ContextSlot>>,
    /// The build context of each Dockerfile asked about, by its absolute path, with where it
    /// comes from: the rules of one Dockerfile ask several times, and finding the context costs
    /// path lookups.
    context_of: Mutex<HashMap<OsString, Option<(ContextListing, ContextOrigin)>>>,
    /// Build contexts the configs of the run declare (`build-contexts:`), by the Dockerfile's
    /// absolute path: the context directory and the config file.
    configured_contexts: HashMap<PathBuf, (PathBuf, PathBuf)>,
    /// What marks each directory looked at as a repository root (`.git`, a config file).
    markers: Mutex<HashMap<OsString, crate::workspace::build_context::Markers>>,
    /// The names of plimsoll's config files (the config module's, passed in: it reads files
    /// through this module), for the markers; none by default.
    config_names: &'static [&'static str],
    /// ShellCheck, when the run uses it.
    pub shellcheck: Option<Arc<crate::workspace::shellcheck::Shellcheck>>,
    /// The directories the run's walk read: names in them are looked up there, not on disk.
    listings: Option<Arc<Listings>>,
}

/// One listed build context, filled once.
type ContextSlot = Arc<OnceLock<ContextListing>>;

type ContextListing = Arc<crate::semantic::build_context::BuildContext>;
use crate::semantic::build_context::ContextOrigin;

impl FsWorkspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// A workspace that does not read files larger than `max_file_size` bytes.
    pub fn with_max_file_size(max_file_size: Option<u64>) -> Self {
        Self {
            max_file_size,
            ..Self::default()
        }
    }

    /// This workspace, with the compose projects of `plan` (and those it loaded).
    pub fn with_plan(mut self, plan: crate::workspace::compose_project::Plan) -> Self {
        self.projects = Mutex::new(plan.projects.clone());
        self.plan = plan;
        self
    }

    /// This workspace, with the build contexts the configs declare for Dockerfiles (absolute
    /// Dockerfile path → context directory and the config file that says so).
    pub fn with_configured_contexts(
        mut self,
        contexts: impl IntoIterator<Item = (PathBuf, (PathBuf, PathBuf))>,
    ) -> Self {
        self.configured_contexts = contexts.into_iter().collect();
        self
    }

    /// This workspace, knowing plimsoll's config file names (a directory holding one may be
    /// the root of a tree without `.git`).
    pub fn with_config_names(mut self, names: &'static [&'static str]) -> Self {
        self.config_names = names;
        self
    }

    /// This workspace, answering whether a file exists in the directories of `listings` (a
    /// run's walk) from them: which ignore file a build uses, whether a service's Dockerfile
    /// exists, where a repository starts.
    pub fn with_listings(mut self, listings: Option<Arc<Listings>>) -> Self {
        self.listings = listings;
        self
    }

    /// The key of a file in the caches: its absolute path, normalized without touching the
    /// disk. Not canonical: resolving links costs a `readlink` per path component, for every
    /// file of the run, while a file reached through two spellings is only read twice.
    fn key(path: &Path) -> PathBuf {
        absolute(path)
    }

    fn slot<T>(map: &Mutex<HashMap<OsString, Slot<T>>>, key: PathBuf) -> Slot<T> {
        // A panic elsewhere while the lock was held leaves the map itself intact.
        let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(map.entry(key.into_os_string()).or_default())
    }

    fn loaded<T>(map: &Mutex<HashMap<OsString, Slot<T>>>, path: &Path) -> Option<Arc<T>> {
        let lock = || map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Most runs pull in no Dockerfile from compose: skip the canonicalization then.
        if lock().is_empty() {
            return None;
        }
        // The key outside the lock (it asks for the working directory).
        let key = Self::key(path);
        let slot = lock().get(key.as_os_str()).cloned()?;
        slot.get()?.clone()
    }

    /// The build context of the Dockerfile at `path`, listed (once per context and ignore
    /// file), and where it comes from: the config's `build-contexts` entry for it, else its own
    /// directory unless compose services of the run build it from another.
    fn find_build_context(
        &self,
        path: &Path,
        absolute_path: &Path,
    ) -> Option<(ContextListing, ContextOrigin)> {
        let own = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let own = if own.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            own
        };
        if let Some((dir, config)) = (!self.configured_contexts.is_empty())
            .then(|| self.configured_contexts.get(absolute_path))
            .flatten()
        {
            let listing = self.listing(absolute_path, dir, absolute(dir))?;
            return Some((listing, ContextOrigin::Config(config.clone())));
        }
        let declared = {
            let declared = self
                .declared_contexts
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // Most runs have no compose service that builds elsewhere: no lookup then.
            if declared.is_empty() {
                Vec::new()
            } else {
                declared.get(absolute_path).cloned().unwrap_or_default()
            }
        };
        // Several services may build it from different contexts: its own directory when one
        // of them does, else the first in order, so every run picks the same.
        // The Dockerfile's own directory, absolute: its parent's (normalized already).
        let own_absolute = listing::parent_and_name(absolute_path)
            .map_or_else(|| absolute(&own), |(dir, _)| dir.to_path_buf());
        let (dir, absolute_dir, origin) = if declared.is_empty() {
            (own, own_absolute, ContextOrigin::OwnDirectory)
        } else if declared.contains(&own_absolute) {
            (own, own_absolute, ContextOrigin::Compose)
        } else {
            let dir = declared.iter().min()?.clone();
            let absolute_dir = absolute(&dir);
            (dir, absolute_dir, ContextOrigin::Compose)
        };
        Some((self.listing(absolute_path, &dir, absolute_dir)?, origin))
    }

    /// The listing of the context `dir` (`absolute_dir`) for a build of the Dockerfile at
    /// `dockerfile` (absolute; its ignore file decides what is sent), walked once per run.
    fn listing(
        &self,
        dockerfile: &Path,
        dir: &Path,
        absolute_dir: PathBuf,
    ) -> Option<ContextListing> {
        let known = self.listings.as_deref();
        if !listing::is_dir(known, &absolute_dir) {
            return None;
        }
        // Absolute already: the ignore file is named by path only in the listing's key and
        // read; messages show its file name.
        let ignore = super::build_context::ignore_file_with(dockerfile, &absolute_dir, &|path| {
            listing::is_regular(known, path)
        });
        let slot = {
            let mut contexts = self
                .contexts
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let key = (
                absolute_dir.clone().into_os_string(),
                ignore.clone().map(PathBuf::into_os_string),
            );
            Arc::clone(contexts.entry(key).or_default())
        };
        Some(Arc::clone(slot.get_or_init(|| {
            let read = |path: &Path, limit: u64| read_referenced(path, Some(limit)).ok();
            let known = known.map(|listings| super::build_context::Known {
                listings,
                dir: &absolute_dir,
            });
            Arc::new(super::build_context::list_found(dir, ignore, read, known))
        })))
    }

    /// [`Workspace::build_context`] and its origin, found once per Dockerfile.
    fn context_and_origin(&self, path: &Path) -> Option<(ContextListing, ContextOrigin)> {
        let lock = || {
            self.context_of
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let absolute_path = absolute(path);
        if let Some(found) = lock().get(absolute_path.as_os_str()) {
            return found.clone();
        }
        let found = self.find_build_context(path, &absolute_path);
        lock().insert(absolute_path.into_os_string(), found.clone());
        found
    }

    /// The file at `path` if some check already read it (nothing is read here).
    pub fn loaded_source(&self, path: &Path) -> Option<Arc<SourceFile>> {
        Self::loaded(&self.sources, path)
    }
}

impl Workspace for FsWorkspace {
    fn compose_project(&self, path: &Path) -> Option<crate::linter::project::ComposeProjectOf> {
        use crate::workspace::compose_project as projects;
        let absolute = absolute(path);
        let planned =
            self.plan.declared_for(&absolute).is_some() || self.plan.referenced.contains(&absolute);
        if !planned && FileKind::from_path(path) != Some(FileKind::Compose) {
            return None;
        }
        let templates = self
            .plan
            .extended
            .get(&absolute)
            .cloned()
            .unwrap_or_default();
        let limit = self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
        let mut loader =
            projects::FsLoader::with_listings(read_referenced, limit, self.listings.clone());
        let Some(spec) = self.plan.spec_for(&absolute, &mut loader) else {
            // A file that is a project alone: only what other files extend of it matters.
            return (!templates.is_empty()).then(|| crate::linter::project::ComposeProjectOf {
                project: Arc::default(),
                path: absolute,
                templates,
            });
        };
        let cached = self
            .projects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&spec.files)
            .cloned();
        let project = match cached {
            Some(project) => project,
            None => {
                let project = Arc::new(projects::load(&spec, &mut loader));
                self.projects
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(spec.files.clone(), Arc::clone(&project));
                project
            }
        };
        Some(projects::checked_in(&spec, project, absolute, templates))
    }

    fn runs_shellcheck(&self) -> bool {
        self.shellcheck.is_some()
    }

    fn shellcheck(
        &self,
        scripts: &[&str],
    ) -> Option<Vec<Option<Arc<crate::linter::shellcheck::Outcome>>>> {
        let outcomes = self.shellcheck.as_ref()?.check(scripts);
        Some(outcomes.into_iter().map(Some).collect())
    }

    fn compose_env_files(&self, path: &Path) -> Vec<(PathBuf, String)> {
        self.plan.env_files_of(&absolute(path))
    }

    fn note_build_context(&self, dockerfile: &Path, context: &Path) {
        let mut declared = self
            .declared_contexts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Absolute paths, not canonical ones: resolving links costs a `readlink` per component
        // for every Dockerfile of the run.
        let contexts = declared.entry(absolute(dockerfile)).or_default();
        let context = absolute(context);
        if !contexts.contains(&context) {
            contexts.push(context);
        }
    }

    fn build_context(
        &self,
        path: &Path,
    ) -> Option<Arc<crate::semantic::build_context::BuildContext>> {
        self.context_and_origin(path).map(|(listing, _)| listing)
    }

    fn build_context_origin(&self, path: &Path) -> ContextOrigin {
        self.context_and_origin(path)
            .map_or(ContextOrigin::OwnDirectory, |(_, origin)| origin)
    }

    fn sources_elsewhere(
        &self,
        path: &Path,
        sources: &[&str],
    ) -> Option<crate::semantic::build_context::SourcesElsewhere> {
        use crate::workspace::build_context::Markers;
        let markers = |dir: &Path| -> Markers {
            let lock = || {
                self.markers
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
            };
            if let Some(known) = lock().get(dir.as_os_str()) {
                return known.clone();
            }
            let read = Markers::read_in(dir, self.config_names, self.listings.as_deref());
            lock().insert(dir.as_os_str().to_os_string(), read.clone());
            read
        };
        crate::workspace::build_context::sources_elsewhere(
            &absolute(path),
            sources,
            &markers,
            self.config_names
                .first()
                .copied()
                .unwrap_or(".plimsoll.yaml"),
        )
    }

    fn read(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let slot = Self::slot(&self.sources, Self::key(path));
        slot.get_or_init(|| {
            // A service's Dockerfile that is not there (it may build elsewhere): known from the
            // walk without a lookup.
            let known = self
                .listings
                .as_deref()
                .and_then(|l| l.kind(&Self::key(path)));
            if known == Some(None) {
                return None;
            }
            let bytes = match read_referenced(path, self.max_file_size) {
                Ok(bytes) => bytes,
                Err(reason) => {
                    // A missing file stays silent (a service may build elsewhere).
                    if std::fs::symlink_metadata(path).is_ok() {
                        self.refused
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .insert(Self::key(path).into_os_string(), reason);
                    }
                    return None;
                }
            };
            let text = String::from_utf8(bytes).ok()?;
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

    fn refusal(&self, path: &Path) -> Option<String> {
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if refused.is_empty() {
            return None;
        }
        refused.get(Self::key(path).as_os_str()).cloned()
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
    let kind = kind.unwrap_or_else(|| FileKind::of_named(path, &text));
    let source = SourceFile::new(path, text, kind);
    // A bug in one rule or parser must not take the other files down with it.
    match panic::catch_unwind(AssertUnwindSafe(|| check(&source))) {
        Ok(findings) => {
            // Reports turn spans into lines and columns on the main thread; build the index
            // here, in the worker, so that serial part stays small.
            if !findings.is_empty() {
                source.line_index();
            }
            Ok(FileResult { source, findings })
        }
        Err(payload) => {
            let what = crate::linter::engine::panic_message(&*payload);
            Err(FileError::new(
                path,
                format!("internal error while checking: {what}, please report"),
            ))
        }
    }
}

/// The bytes of the file at `path`, at most `limit` of them: a larger file is an error that
/// says so. The size is checked before reading and the read itself is bounded, so a file that
/// grows meanwhile (or a device that reports no size) cannot use memory without bound.
/// For paths the user named: any file but a directory is read (`check <(…)` is a FIFO).
pub fn read_limited(path: &Path, limit: Option<u64>) -> Result<Vec<u8>, String> {
    read_file(path, limit, Opened::AsNamed, FLAG_HINT)
}

/// The bytes of a file plimsoll opens on its own initiative (a config's `extends`, a policy
/// file, the Dockerfile a compose service builds): it must be a regular file, and when the
/// path goes through a symbolic link the file it resolves to must lie inside the tree of the
/// path (see [`tree_of`]). Nothing else is opened, so a FIFO or a device never blocks the run
/// and no file outside the tree is read. At most `limit` bytes are read.
pub fn read_referenced(path: &Path, limit: Option<u64>) -> Result<Vec<u8>, String> {
    read_file(path, limit, Opened::Referenced, FLAG_HINT)
}

/// The text of a config or policy file, at most [`MAX_CONFIG_FILE_SIZE`] bytes: read like
/// [`read_limited`] when the user `named` it (`--config`), like [`read_referenced`] otherwise.
pub fn read_config_text(path: &Path, named: bool) -> Result<String, String> {
    let opened = if named {
        Opened::AsNamed
    } else {
        Opened::Referenced
    };
    let hint = "(config and policy files are limited to this size)";
    let bytes = read_file(path, Some(MAX_CONFIG_FILE_SIZE), opened, hint)?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// `Ok` when [`read_referenced`] would open `path`: a regular file, and inside its tree when
/// reached through a link. Nothing is opened here.
pub fn check_referenced(path: &Path) -> Result<(), String> {
    check_inside_tree(path)?;
    // `metadata` follows links: the type of what would be opened. Only a regular file is
    // opened at all (opening a FIFO for reading blocks until a writer comes).
    let meta = std::fs::metadata(path).map_err(|err| io_message(&err))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(not_regular(&meta))
    }
}

/// The largest config or policy file read (see docs/limits.md).
pub const MAX_CONFIG_FILE_SIZE: u64 = DEFAULT_MAX_FILE_SIZE;

/// How a file came to be read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// The user named it: read whatever it is (but a directory), bounded.
    AsNamed,
    /// plimsoll found it: a regular file only, inside its tree.
    Referenced,
}

/// What the message for a file over the limit suggests.
const FLAG_HINT: &str = "(raise it with --max-file-size)";

fn read_file(
    path: &Path,
    limit: Option<u64>,
    opened: Opened,
    hint: &str,
) -> Result<Vec<u8>, String> {
    if opened == Opened::Referenced {
        check_referenced(path)?;
    }
    let file = std::fs::File::open(path).map_err(|err| io_message(&err))?;
    // Checked on the open file too: the path may have been swapped meanwhile.
    let meta = file.metadata().map_err(|err| io_message(&err))?;
    if meta.is_dir() {
        return Err("is a directory, not a file".to_string());
    }
    if opened == Opened::Referenced && !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if let Some(limit) = limit
        && meta.len() > limit
    {
        return Err(too_large_with(Some(meta.len()), limit, hint));
    }
    // A regular file's size is what is read: no `read` after the last byte to find the end
    // (a file that grows meanwhile is read as it was at the `stat`; one that shrinks, to its
    // end). Other files (a FIFO, `/proc`, which report 0 or a guess) are read to their end.
    let sized = meta.is_file() && meta.len() > 0;
    let read = if sized {
        read_bounded_sized(file.take(meta.len()), limit, meta.len())
    } else {
        read_bounded_sized(file, limit, meta.len())
    };
    read.map_err(|err| match err {
        ReadError::Io(err) => io_message(&err),
        ReadError::TooLarge(limit) => too_large_with(None, limit, hint),
    })
}

/// Why a file of this type is not read.
fn not_regular(meta: &std::fs::Metadata) -> String {
    let what = if meta.is_dir() {
        "a directory"
    } else {
        special_file_kind(meta)
    };
    format!("is {what}, not a regular file")
}

#[cfg(unix)]
fn special_file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// The tree a referenced file must stay in: the repository holding `path` (the nearest
/// directory above it with a `.git`), or, outside any repository, the directory of `path`.
pub fn tree_of(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    let dir = absolute.parent().unwrap_or(&absolute).to_path_buf();
    dir.ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
        .map_or(dir.clone(), Path::to_path_buf)
}

/// `path` made absolute against the working directory, `.` and `..` applied lexically.
fn absolute(path: &Path) -> PathBuf {
    // Asked for every file and rule that looks at paths: one `getcwd` per process, not tens of
    // thousands per run (plimsoll never changes its working directory).
    match working_dir() {
        Some(cwd) if path.is_relative() => crate::linter::project::join_normalized(cwd, path),
        _ => normalize(path),
    }
}

/// `Ok` unless resolving symbolic links takes `path` out of its tree ([`tree_of`]). A path
/// without links is accepted wherever it points: it says plainly what it reads.
pub fn check_inside_tree(path: &Path) -> Result<(), String> {
    let Some(resolved) = resolve_links(path) else {
        // Missing or a dangling link: opening it fails with the real reason.
        return Ok(());
    };
    if resolved == absolute(path) {
        return Ok(());
    }
    let tree = tree_of(path);
    let tree = std::fs::canonicalize(&tree).unwrap_or(tree);
    if resolved.starts_with(&tree) {
        Ok(())
    } else {
        Err(OUTSIDE_TREE.to_string())
    }
}

/// `fs::canonicalize(path)`, with the directory part resolved once per directory: a file that
/// is not itself a link resolves to its directory's resolution and its name (see
/// [`resolve_dir`]).
fn resolve_links(path: &Path) -> Option<PathBuf> {
    let joined = match working_dir() {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let (Some(dir), Some(name)) = (joined.parent(), joined.file_name()) else {
        return std::fs::canonicalize(path).ok();
    };
    if dir.as_os_str().is_empty() || std::fs::symlink_metadata(&joined).ok()?.is_symlink() {
        return std::fs::canonicalize(path).ok();
    }
    Some(resolve_dir(dir)?.join(name))
}

/// `fs::canonicalize(dir)`, remembered per directory: a directory resolves to its parent's
/// resolution and its name unless it is a link (one `lstat`, where `canonicalize` takes a
/// `readlink` per component; the files plimsoll opens on its own sit in a few directories of
/// one tree). A resolution is reused for [`RESOLVED_FOR`] (the language server runs for hours;
/// a link swapped meanwhile is seen after that).
fn resolve_dir(dir: &Path) -> Option<PathBuf> {
    type Resolved = HashMap<OsString, (std::time::Instant, Option<PathBuf>)>;
    static DIRS: OnceLock<Mutex<Resolved>> = OnceLock::new();
    let dirs = DIRS.get_or_init(Mutex::default);
    let lock = || dirs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let known = |dir: &Path| {
        lock()
            .get(dir.as_os_str())
            .filter(|(when, _)| when.elapsed() < RESOLVED_FOR)
            .map(|(_, resolved)| resolved.clone())
    };
    let remember = |dir: &Path, resolved: &Option<PathBuf>| {
        let mut dirs = lock();
        if dirs.len() >= MAX_RESOLVED_DIRS {
            dirs.clear();
        }
        let entry = (std::time::Instant::now(), resolved.clone());
        dirs.insert(dir.as_os_str().to_os_string(), entry);
    };
    // Up to the nearest directory resolved already (or one that only `canonicalize` can
    // resolve: the root, a `..`), then down again, one `lstat` per level.
    let mut below = Vec::new();
    let mut current = dir;
    let mut resolved = loop {
        if let Some(resolved) = known(current) {
            break resolved;
        }
        match current.parent() {
            Some(parent) if current.file_name().is_some() && !parent.as_os_str().is_empty() => {
                below.push(current);
                current = parent;
            }
            _ => {
                let resolved = std::fs::canonicalize(current).ok();
                remember(current, &resolved);
                break resolved;
            }
        }
    };
    for dir in below.into_iter().rev() {
        resolved = match (resolved, std::fs::symlink_metadata(dir)) {
            (Some(_), Ok(meta)) if meta.is_symlink() => std::fs::canonicalize(dir).ok(),
            (Some(parent), Ok(_)) => dir.file_name().map(|name| parent.join(name)),
            _ => None,
        };
        remember(dir, &resolved);
    }
    resolved
}

/// The working directory, asked of the OS once (plimsoll never changes it).
fn working_dir() -> Option<&'static PathBuf> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_ref()
}

/// How long a directory's resolution is reused (see [`resolve_links`]).
const RESOLVED_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// The most directory resolutions kept.
const MAX_RESOLVED_DIRS: usize = 4096;

/// Why a symbolic link out of the tree is not followed.
pub const OUTSIDE_TREE: &str = "symlink to a file outside the repository, not read";

/// Why [`read_bounded`] failed.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// More than this many bytes were offered.
    TooLarge(u64),
}

/// Read `reader` to its end, failing once more than `limit` bytes have come.
pub fn read_bounded(reader: impl Read, limit: Option<u64>) -> Result<Vec<u8>, ReadError> {
    read_bounded_sized(reader, limit, 0)
}

/// [`read_bounded`] into a buffer made for `expected` bytes (a file's size as `stat` gave it,
/// at most the limit): two `read`s for a file instead of a series of growing ones.
fn read_bounded_sized(
    reader: impl Read,
    limit: Option<u64>,
    expected: u64,
) -> Result<Vec<u8>, ReadError> {
    // Never trust a size beyond the limit (or 64 MiB without one) for the allocation.
    let cap = expected.min(limit.unwrap_or(64 << 20));
    let mut bytes = Vec::with_capacity(usize::try_from(cap).unwrap_or(0).saturating_add(1));
    match limit {
        Some(limit) => {
            reader
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(ReadError::Io)?;
            if bytes.len() as u64 > limit {
                return Err(ReadError::TooLarge(limit));
            }
        }
        None => {
            let mut reader = reader;
            reader.read_to_end(&mut bytes).map_err(ReadError::Io)?;
        }
    }
    Ok(bytes)
}

/// The message for a file over the size limit (`size` when known before reading).
pub fn too_large(size: Option<u64>, limit: u64) -> String {
    too_large_with(size, limit, FLAG_HINT)
}

/// [`too_large`], ending with `hint`.
fn too_large_with(size: Option<u64>, limit: u64, hint: &str) -> String {
    match size {
        Some(size) => format!(
            "file is {}, larger than the {} limit {hint}",
            show_size(size),
            show_size(limit)
        ),
        None => format!("more than the {} limit {hint}", show_size(limit)),
    }
}

/// A byte count for people: `8 MiB`, `100.0 MiB`, `512 KiB`, `17 bytes`.
pub fn show_size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MiB", bytes / MIB)
        } else {
            format!("{:.1} MiB", bytes as f64 / MIB as f64)
        }
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The text of a file, or an error pointing at the first NUL byte (a binary file) or at the
/// first byte that is not UTF-8.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, FileError> {
    // UTF-16 text has NULs too (ASCII characters take two bytes): say what it is and how to
    // convert it, rather than "binary".
    if is_utf16(&bytes) {
        return Err(FileError {
            path: path.to_path_buf(),
            message: "UTF-16 encoded; plimsoll reads UTF-8: convert it with \
                      `iconv -f UTF-16 -t UTF-8`"
                .to_string(),
            position: None,
        });
    }
    // NUL never appears in a text file: say "binary" rather than parse it, or report a
    // UTF-8 error deep inside what is clearly not a Dockerfile.
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let before = bytes.get(..nul).unwrap_or_default();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_prefix = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default());
        let position = Position {
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column: line_prefix.chars().count() + 1,
        };
        return Err(FileError {
            path: path.to_path_buf(),
            message: "binary file (contains a NUL byte), not a Dockerfile or compose file"
                .to_string(),
            position: Some(position),
        });
    }
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

/// `true` for UTF-16 text: a byte-order mark (`FF FE`, `FE FF`), or, without one, a NUL in
/// nearly every other byte of the first 512, as ASCII characters give in UTF-16.
fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let sample = bytes.get(..bytes.len().min(512)).unwrap_or_default();
    let pairs = sample.chunks_exact(2);
    let total = pairs.len();
    if total < 2 {
        return false;
    }
    let (mut nul_second, mut nul_first) = (0, 0);
    for pair in pairs {
        match pair {
            [first, 0] if *first != 0 => nul_second += 1,
            [0, second] if *second != 0 => nul_first += 1,
            _ => {}
        }
    }
    // Nine pairs in ten: room for a few non-Latin characters (no NUL in either byte).
    usize::max(nul_second, nul_first) * 10 >= total * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_resolve_as_canonicalize_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("repo/real")).unwrap();
        std::fs::create_dir_all(root.join("outside")).unwrap();
        std::fs::write(root.join("repo/real/f"), "x").unwrap();
        std::fs::write(root.join("outside/f"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("outside"), root.join("repo/dirlink")).unwrap();
        std::os::unix::fs::symlink(root.join("outside/f"), root.join("repo/real/filelink"))
            .unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("repo/real/dangling")).unwrap();
        // Directories below a link, a relative link, a link to a link.
        std::fs::create_dir_all(root.join("outside/a/b")).unwrap();
        std::fs::write(root.join("outside/a/b/g"), "x").unwrap();
        std::os::unix::fs::symlink("real", root.join("repo/rel")).unwrap();
        std::os::unix::fs::symlink("dirlink/a", root.join("repo/chain")).unwrap();
        for path in [
            "repo/dirlink/a/b/g",
            "repo/chain/b/g",
            "repo/rel/f",
            "repo/real/f/x",
            "repo/missing/deeper/f",
            "repo/real/f",
            "repo/dirlink/f",
            "repo/real/filelink",
            "repo/real/dangling",
            "repo/real/missing",
            "repo/dirlink/../real/f",
            "repo/real/../dirlink/f",
        ] {
            let path = root.join(path);
            // Twice: the second answer comes from the directory cache.
            for _ in 0..2 {
                assert_eq!(
                    resolve_links(&path),
                    std::fs::canonicalize(&path).ok(),
                    "{path:?}"
                );
            }
        }
        assert!(check_inside_tree(&root.join("repo/real/f")).is_ok());
    }

    /// `text` in UTF-16, little or big endian, with or without a byte-order mark.
    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        units
            .flat_map(|unit| {
                if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn the_pool_is_capped_by_files_cores_and_a_maximum() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        assert_eq!(pool_size(Some(100_000), 1), 1);
        assert_eq!(pool_size(Some(100_000), 0), 1);
        let many = pool_size(Some(100_000), 1_000_000);
        assert_eq!(many, (4 * cores).min(MAX_THREADS));
        assert_eq!(pool_size(None, 1_000_000), cores.min(MAX_THREADS));
        assert_eq!(pool_size(Some(2), 1_000_000), 2.min(4 * cores));
    }

    #[test]
    fn utf16_is_named_with_the_way_to_convert_it() {
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let bytes = utf16("FROM alpine:3.20\nRUN echo café\n", big_endian, bom);
            let error =
                check_bytes(Path::new("Dockerfile"), None, bytes, &no_findings).unwrap_err();
            assert!(
                error.message.starts_with("UTF-16 encoded"),
                "{}",
                error.message
            );
            assert!(error.message.contains("iconv -f UTF-16 -t UTF-8"));
        }
        // A binary file with a few NULs is still binary.
        let error = check_bytes(
            Path::new("Dockerfile"),
            None,
            b"FROM a\n\0\x01\x02\x03\0\0".to_vec(),
            &no_findings,
        )
        .unwrap_err();
        assert!(
            error.message.starts_with("binary file"),
            "{}",
            error.message
        );
    }

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
    fn nul_bytes_mean_a_binary_file() {
        let bytes = b"FROM a\nRUN \xff x\0y\n".to_vec();
        let error = check_bytes(Path::new("Dockerfile"), None, bytes, &no_findings).unwrap_err();
        assert_eq!(
            error.message,
            "binary file (contains a NUL byte), not a Dockerfile or compose file"
        );
        // `RUN `, the invalid byte (one character), ` x`: the NUL is the 8th character.
        assert_eq!(error.position, Some(Position { line: 2, column: 8 }));
    }

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM alpine\n").unwrap();
        assert_eq!(read_limited(&path, Some(12)).unwrap(), b"FROM alpine\n");
        assert_eq!(
            read_limited(&path, Some(11)).unwrap_err(),
            "file is 12 bytes, larger than the 11 bytes limit (raise it with --max-file-size)"
        );
        assert!(matches!(
            read_bounded(&b"abc"[..], Some(2)),
            Err(ReadError::TooLarge(2))
        ));
        assert_eq!(read_bounded(&b"abc"[..], None).unwrap(), b"abc");
        assert_eq!(
            read_limited(dir.path(), None).unwrap_err(),
            "is a directory, not a file"
        );
        assert_eq!(show_size(8 << 20), "8 MiB");
        assert_eq!(show_size(100_000_000), "95.4 MiB");
    }

    #[cfg(unix)]
    #[test]
    fn referenced_files_are_regular_files_inside_their_tree() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(repo.join("Dockerfile"), "FROM a\n").unwrap();
        std::fs::write(dir.path().join("secret"), "key\n").unwrap();
        std::os::unix::fs::symlink("Dockerfile", repo.join("inside")).unwrap();
        std::os::unix::fs::symlink("../secret", repo.join("outside")).unwrap();
        let fifo = repo.join("fifo");
        crate::workspace::listing::make_fifo(&fifo);
        assert_eq!(
            read_referenced(&repo.join("inside"), None).unwrap(),
            b"FROM a\n"
        );
        assert_eq!(
            read_referenced(&repo.join("outside"), None).unwrap_err(),
            OUTSIDE_TREE
        );
        // Without a link, a path says plainly what it reads.
        assert_eq!(
            read_referenced(&dir.path().join("secret"), None).unwrap(),
            b"key\n"
        );
        // Neither is opened: opening the FIFO would block this test forever.
        assert_eq!(
            read_referenced(&fifo, None).unwrap_err(),
            "is a FIFO, not a regular file"
        );
        assert_eq!(
            read_referenced(Path::new("/dev/zero"), Some(10)).unwrap_err(),
            "is a device, not a regular file"
        );
        assert_eq!(
            read_referenced(&repo, None).unwrap_err(),
            "is a directory, not a regular file"
        );
        assert_eq!(tree_of(&repo.join("Dockerfile")), repo);
        assert_eq!(
            read_config_text(Path::new("/dev/zero"), true).unwrap_err(),
            "more than the 8 MiB limit (config and policy files are limited to this size)"
        );
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
            RunOptions {
                threads: Some(2),
                ..RunOptions::default()
            },
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
