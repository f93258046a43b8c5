//! Compose projects on disk: which files `docker compose` would load for a directory or a file,
//! read with the bounded readers and merged by [`crate::semantic::compose`].
//!
//! Discovery, as Compose v2 does it:
//! - a directory's project is the first of `compose.yaml`, `compose.yml`, `docker-compose.yaml`,
//!   `docker-compose.yml`, plus the first override file of the same family
//!   (`compose.override.yaml`/`.yml`, `docker-compose.override.yaml`/`.yml`);
//! - `COMPOSE_FILE` in the directory's `.env` (split on `COMPOSE_PATH_SEPARATOR`, default `:`)
//!   replaces that list; `COMPOSE_PROFILES` (comma-separated) names the active profiles;
//! - any other compose-named file (`docker-compose.prod.yml`) is its own project, merged onto
//!   the directory's base file when it is an override of it (a service of it that the base
//!   defines has neither `image` nor `build`).
//!
//! plimsoll's own environment is never read: CI and the editor see the same project.

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::semantic::compose::{FileRole, Loader, Project, ProjectInput, load_project};
use crate::syntax::compose::{self, ComposeFile};
use crate::workspace::listing::{self, Listings};

/// The default file names, in Compose's order of preference.
pub const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The files of a project and what else Compose takes from its `.env`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectSpec {
    pub files: Vec<PathBuf>,
    pub project_dir: PathBuf,
    /// `COMPOSE_PROFILES` from the project's `.env`.
    pub profiles: Vec<String>,
    /// The env file the project's variables come from instead of `.env` in the project
    /// directory (`--env-file`, `env-file:` of a declared project).
    pub env_file: Option<PathBuf>,
}

impl ProjectSpec {
    /// The project name Compose derives from the directory: lower case, letters, digits, `_`
    /// and `-` only.
    pub fn name(&self) -> String {
        let base = self
            .project_dir
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        base.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect()
    }
}

/// `KEY=VALUE` lines of a `.env` file, minimally read (comments, `export `, quotes around the
/// whole value). The one place that reads `.env` for discovery: swap it for the full parser.
pub fn dotenv_values(text: &str) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = match value.as_bytes().first() {
            Some(q @ (b'"' | b'\'')) => {
                let q = *q as char;
                value[1..].split(q).next().unwrap_or_default().to_string()
            }
            _ => value
                .split(" #")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        values.push((key.trim().to_string(), value));
    }
    values
}

fn dotenv(dir: &Path, loader: &FsLoader<'_>) -> Vec<(String, String)> {
    let path = dir.join(".env");
    if !loader.files.is_file(&path) {
        return Vec::new();
    }
    match loader.files.read(&path, Some(loader.max_file_size)) {
        Ok(bytes) => dotenv_values(&String::from_utf8_lossy(&bytes)),
        Err(_) => Vec::new(),
    }
}

fn lookup<'v>(values: &'v [(String, String)], key: &str) -> Option<&'v str> {
    values
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The base file and override of a directory, without `.env`.
pub fn default_files(dir: &Path, loader: &FsLoader<'_>) -> Vec<PathBuf> {
    let Some(base) = DEFAULT_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| loader.files.is_file(p))
    else {
        return Vec::new();
    };
    let mut files = vec![base.clone()];
    let stem = base
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit_once('.'))
        .map(|(stem, _)| stem.to_string())
        .unwrap_or_default();
    if let Some(over) = ["yaml", "yml"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.override.{ext}")))
        .find(|p| loader.files.is_file(p))
    {
        files.push(over);
    }
    files
}

/// The project of a directory (`None` when it has no compose file).
pub fn project_for_dir(dir: &Path, loader: &FsLoader<'_>) -> Option<ProjectSpec> {
    let env = dotenv(dir, loader);
    let profiles = lookup(&env, "COMPOSE_PROFILES")
        .map(|p| {
            p.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let files = match lookup(&env, "COMPOSE_FILE").filter(|f| !f.is_empty()) {
        Some(list) => {
            let separator = lookup(&env, "COMPOSE_PATH_SEPARATOR")
                .filter(|s| !s.is_empty())
                .unwrap_or(if cfg!(windows) { ";" } else { ":" });
            list.split(separator)
                .filter(|f| !f.is_empty())
                .map(|f| dir.join(f))
                .collect()
        }
        None => default_files(dir, loader),
    };
    if files.is_empty() {
        return None;
    }
    Some(ProjectSpec {
        files,
        project_dir: dir.to_path_buf(),
        profiles,
        env_file: None,
    })
}

/// The project of explicit files (`-f`): the directory of the first file is the project's.
pub fn project_for_files(
    files: &[PathBuf],
    project_dir: Option<&Path>,
    loader: &FsLoader<'_>,
) -> ProjectSpec {
    let dir = project_dir
        .map(Path::to_path_buf)
        .or_else(|| {
            files
                .first()
                .and_then(|f| f.parent())
                .map(Path::to_path_buf)
        })
        .unwrap_or_default();
    let profiles = project_for_dir(&dir, loader)
        .map(|p| p.profiles)
        .unwrap_or_default();
    ProjectSpec {
        files: files.to_vec(),
        project_dir: dir,
        profiles,
        env_file: None,
    }
}

/// The project a compose file belongs to: its directory's when it is one of its files;
/// otherwise its own, merged onto the directory's base file when it overrides it.
pub fn project_for_file(file: &Path, loader: &mut FsLoader<'_>) -> ProjectSpec {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    // Paths of one directory, absolute and normalized: equal names are the same file. (A
    // `compose.yaml` that links to another file of the directory is then its own project.)
    let same = |a: &Path, b: &Path| a == b;
    if let Some(spec) = project_for_dir(&dir, loader)
        && spec.files.iter().any(|f| same(f, file))
    {
        return spec;
    }
    let base = default_files(&dir, loader).into_iter().next();
    let files = match base {
        Some(base) if !same(&base, file) && overrides(&base, file, loader) => {
            vec![base, file.to_path_buf()]
        }
        _ => vec![file.to_path_buf()],
    };
    ProjectSpec {
        files,
        project_dir: dir,
        profiles: Vec::new(),
        env_file: None,
    }
}

/// Whether `file` is an override of `base`: one of its services is defined in the base and has
/// neither `image` nor `build` of its own.
pub fn overrides(base: &Path, file: &Path, loader: &mut FsLoader<'_>) -> bool {
    let (Ok(base), Ok(file)) = (loader.load(base), loader.load(file)) else {
        return false;
    };
    file.services.iter().any(|s| {
        s.image.is_none()
            && s.build.is_none()
            && s.node.get("extends").is_none()
            && base.services.iter().any(|b| b.name.value == s.name.value)
    })
}

/// A file's text and parse, or why it cannot be read.
type Loaded = Result<(Arc<String>, Arc<ComposeFile>), String>;

/// How files are read: the runner's `read_referenced` (a regular file, inside its tree, at
/// most so many bytes).
pub type ReadFn = fn(&Path, Option<u64>) -> Result<Vec<u8>, String>;

/// Where a project's files come from: the disk (the CLI), or an editor's open buffers before
/// the disk (the language server, where unsaved edits count).
pub trait ProjectFiles {
    /// The bytes of the file at `path`, at most `limit` of them.
    fn read(&self, path: &Path, limit: Option<u64>) -> Result<Vec<u8>, String>;

    /// Whether there is a file at `path` (discovery asks before it reads).
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// The disk, through a bounded reader; file lookups answered from a walk's listings where
/// they cover the directory.
struct Disk(ReadFn, Option<Arc<Listings>>);

impl ProjectFiles for Disk {
    fn read(&self, path: &Path, limit: Option<u64>) -> Result<Vec<u8>, String> {
        (self.0)(path, limit)
    }

    fn is_file(&self, path: &Path) -> bool {
        listing::is_file(self.1.as_deref(), path)
    }
}

/// Reads compose files (and `.env`) with a bounded reader, each once.
pub struct FsLoader<'a> {
    files: Box<dyn ProjectFiles + 'a>,
    max_file_size: u64,
    loaded: HashMap<PathBuf, Loaded>,
}

impl<'a> FsLoader<'a> {
    /// Files read from disk with `read`.
    pub fn new(read: ReadFn, max_file_size: u64) -> Self {
        Self::with_files(Disk(read, None), max_file_size)
    }

    /// Files read from disk with `read`, looked up in `listings` (a run's walk) first.
    pub fn with_listings(
        read: ReadFn,
        max_file_size: u64,
        listings: Option<Arc<Listings>>,
    ) -> Self {
        Self::with_files(Disk(read, listings), max_file_size)
    }

    /// Files read from `files` (an editor's buffers, then the disk).
    pub fn with_files(files: impl ProjectFiles + 'a, max_file_size: u64) -> Self {
        Self {
            files: Box::new(files),
            max_file_size,
            loaded: HashMap::new(),
        }
    }

    /// The bytes of the file at `path` as this loader's source has them (not cached).
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, String> {
        self.files.read(path, Some(self.max_file_size))
    }

    /// The text of a file this loader read.
    pub fn text(&self, path: &Path) -> Option<Arc<String>> {
        match self.loaded.get(path) {
            Some(Ok((text, _))) => Some(text.clone()),
            _ => None,
        }
    }
}

impl Loader for FsLoader<'_> {
    fn exists(&mut self, path: &Path) -> bool {
        self.files.is_file(path)
    }

    fn load(&mut self, path: &Path) -> Result<Arc<ComposeFile>, String> {
        if let Some(loaded) = self.loaded.get(path) {
            return loaded
                .as_ref()
                .map(|(_, c)| c.clone())
                .map_err(Clone::clone);
        }
        let loaded = self
            .files
            .read(path, Some(self.max_file_size))
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string()))
            .map(|text| {
                let parsed = Arc::new(compose::parse(&text));
                (Arc::new(text), parsed)
            });
        let result = loaded
            .as_ref()
            .map(|(_, c)| c.clone())
            .map_err(Clone::clone);
        self.loaded.insert(path.to_path_buf(), loaded);
        result
    }
}

/// The project the compose file `file` (absolute) is checked in, for the engine: `None` for a
/// project of this file alone without `extends` or `include`, which merges to the file itself:
/// the rules would see nothing a project adds, and loading it would parse the file twice (most
/// compose files are such projects).
pub fn spec_for_check(file: &Path, loader: &mut FsLoader<'_>) -> Option<ProjectSpec> {
    spec_and_bytes(file, loader, None).0
}

/// [`spec_for_check`], with the bytes of `file` when it read them (the run's check of the file
/// takes them instead of reading it again).
fn spec_and_bytes(
    file: &Path,
    loader: &mut FsLoader<'_>,
    read_ahead: Option<Vec<u8>>,
) -> (Option<ProjectSpec>, Option<Vec<u8>>) {
    let spec = project_for_file(file, loader);
    let [only] = spec.files.as_slice() else {
        return (Some(spec), read_ahead);
    };
    let bytes = match read_ahead {
        Some(bytes) if only == file => Ok(bytes),
        _ => loader.read_bytes(only),
    };
    let Ok(bytes) = bytes else {
        return (Some(spec), None);
    };
    let mentions = |word: &[u8]| memchr::memmem::find(&bytes, word).is_some();
    let alone = !mentions(b"extends") && !mentions(b"include");
    let bytes = (only == file).then_some(bytes);
    (if alone { None } else { Some(spec) }, bytes)
}

/// The loaded `project` of `spec` as the check of `file` (absolute) sees it; `templates` are
/// the services of the file that services of other files extend.
pub fn checked_in(
    spec: &ProjectSpec,
    project: Arc<Project>,
    file: PathBuf,
    templates: Vec<String>,
) -> crate::linter::project::ComposeProjectOf {
    let path = spec
        .files
        .iter()
        .find(|f| **f == file)
        .cloned()
        .unwrap_or(file);
    crate::linter::project::ComposeProjectOf {
        project,
        path,
        templates,
    }
}

/// What a run knows of compose projects before it checks a file: the projects the user
/// declared, the files projects pull in, the env file of each file, the services other files
/// extend. Built once, on the main thread, from the compose files the run checks.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Projects declared with `check -f` or `compose: projects:` (absolute paths): a file of
    /// one of them is checked in it, not in the project discovery would give it.
    pub declared: Vec<ProjectSpec>,
    /// `--env-file` (absolute): the env file of every project that does not name its own.
    pub env_file: Option<PathBuf>,
    /// The env files a file's variables come from, by file (absolute), where they are not the
    /// `.env` beside it: a project's declared env file, an `include`'s `env_file` or project
    /// directory.
    pub env_files: HashMap<PathBuf, Vec<PathBuf>>,
    /// Services of a file (absolute) that services of other files extend: they are judged
    /// through those services, so "missing" findings do not go on them.
    pub extended: HashMap<PathBuf, Vec<String>>,
    /// Files read by `include` or `extends` (absolute), in the order first met.
    pub referenced: Vec<PathBuf>,
    /// The projects loaded while planning, by their files: the run reuses them.
    pub projects: HashMap<Vec<PathBuf>, Arc<Project>>,
    /// The project each compose file of the run is checked in, as planned (`None`: a
    /// project alone): the run does not look again.
    pub spec_of: HashMap<PathBuf, Option<ProjectSpec>>,
    /// The bytes of the compose files planning read, by absolute path ([`Plan::take_bytes`]).
    pub read: Arc<std::sync::Mutex<HashMap<std::ffi::OsString, Vec<u8>>>>,
}

impl Plan {
    /// The declared project `file` (absolute) belongs to.
    pub fn declared_for(&self, file: &Path) -> Option<&ProjectSpec> {
        self.declared
            .iter()
            .find(|spec| spec.files.iter().any(|f| f == file))
    }

    /// The project `file` (absolute) is checked in: its declared project, else the one
    /// discovery gives it (`None` for a file that is a project alone, see [`spec_for_check`]).
    pub fn spec_for(&self, file: &Path, loader: &mut FsLoader<'_>) -> Option<ProjectSpec> {
        self.spec_and_bytes(file, loader, None).0
    }

    /// [`Plan::spec_for`], with the bytes of `file` when it read them (or a walk did:
    /// `read_ahead`).
    fn spec_and_bytes(
        &self,
        file: &Path,
        loader: &mut FsLoader<'_>,
        read_ahead: Option<Vec<u8>>,
    ) -> (Option<ProjectSpec>, Option<Vec<u8>>) {
        if let Some(spec) = self.declared_for(file) {
            return (Some(spec.clone()), read_ahead);
        }
        if let Some(planned) = self.spec_of.get(file) {
            return (planned.clone(), read_ahead);
        }
        let (spec, bytes) = spec_and_bytes(file, loader, read_ahead);
        let spec = spec.map(|spec| ProjectSpec {
            env_file: self.env_file.clone(),
            ..spec
        });
        (spec, bytes)
    }

    /// The bytes of the compose file at `file` (absolute) as planning read them, once: the
    /// check of the file takes them instead of reading the file again.
    pub fn take_bytes(&self, file: &Path) -> Option<Vec<u8>> {
        let mut read = self.read.lock().unwrap_or_else(|p| p.into_inner());
        if read.is_empty() {
            return None;
        }
        read.remove(file.as_os_str())
    }

    /// The env files of `file` (absolute), each with the name messages give it (relative to
    /// the file's directory): `.env` beside it unless the plan knows better.
    pub fn env_files_of(&self, file: &Path) -> Vec<(PathBuf, String)> {
        let dir = file.parent().unwrap_or(Path::new(""));
        let files = match (self.env_files.get(file), &self.env_file) {
            (Some(files), _) => files.clone(),
            (None, Some(env_file)) => vec![env_file.clone()],
            (None, None) => vec![dir.join(".env")],
        };
        files
            .into_iter()
            .map(|path| {
                let shown = relative_to(&path, dir);
                (path, shown)
            })
            .collect()
    }
}

/// `path` as seen from `dir` (both absolute and normalized): `ci.env`, `../env/ci.env`.
fn relative_to(path: &Path, dir: &Path) -> String {
    let mut up = 0;
    let mut base = dir;
    loop {
        if let Ok(rest) = path.strip_prefix(base) {
            let mut shown = PathBuf::new();
            for _ in 0..up {
                shown.push("..");
            }
            shown.push(rest);
            return shown.display().to_string();
        }
        match base.parent() {
            Some(parent) if up < 3 => {
                base = parent;
                up += 1;
            }
            _ => return path.display().to_string(),
        }
    }
}

/// The plan of a run over `compose_files` (absolute) with the projects the user `declared`
/// and the `--env-file`. Projects are found and loaded in parallel on the current rayon pool
/// (the runner's, see [`crate::workspace::runner::in_worker_pool`]), each worker with a
/// loader of its own over `read`. `read_ahead` holds the bytes of compose files a walk read
/// already, by absolute path: those are not read again.
pub fn plan(
    compose_files: &[PathBuf],
    declared: Vec<ProjectSpec>,
    env_file: Option<PathBuf>,
    read: ReadFn,
    max_file_size: u64,
    listings: Option<Arc<Listings>>,
    mut read_ahead: HashMap<std::ffi::OsString, Vec<u8>>,
) -> Plan {
    use rayon::prelude::*;
    let mut plan = Plan {
        declared,
        env_file,
        ..Plan::default()
    };
    // Even an empty parallel iterator starts rayon's global pool outside a worker pool (a run
    // without compose files plans on the calling thread).
    if compose_files.is_empty() && plan.declared.is_empty() {
        return plan;
    }
    type Found = (PathBuf, Option<ProjectSpec>, Option<Vec<u8>>);
    let ahead: Vec<Option<Vec<u8>>> = compose_files
        .iter()
        .map(|file| read_ahead.remove(file.as_os_str()))
        .collect();
    let found: Vec<Found> = compose_files
        .par_iter()
        .zip(ahead.into_par_iter())
        .filter(|(file, _)| plan.declared_for(file).is_none())
        .map_init(
            || FsLoader::with_listings(read, max_file_size, listings.clone()),
            |loader, (file, bytes)| {
                let (spec, bytes) = plan.spec_and_bytes(file, loader, bytes);
                (file.clone(), spec, bytes)
            },
        )
        .collect();
    let mut specs: Vec<ProjectSpec> = plan.declared.clone();
    let mut known: std::collections::HashSet<Vec<PathBuf>> =
        specs.iter().map(|s| s.files.clone()).collect();
    let mut bytes_of = HashMap::new();
    for (file, spec, bytes) in found {
        if let Some(bytes) = bytes {
            bytes_of.insert(file.clone().into_os_string(), bytes);
        }
        if let Some(spec) = &spec
            && known.insert(spec.files.clone())
        {
            specs.push(spec.clone());
        }
        plan.spec_of.insert(file, spec);
    }
    let loaded: Vec<(ProjectSpec, Project)> = specs
        .into_par_iter()
        .map_init(
            || FsLoader::with_listings(read, max_file_size, listings.clone()),
            |loader, spec| {
                let project = load(&spec, loader);
                (spec, project)
            },
        )
        .collect();
    for (spec, project) in loaded {
        plan.learn(&spec, &project);
        plan.projects.insert(spec.files.clone(), Arc::new(project));
    }
    plan.read = Arc::new(std::sync::Mutex::new(bytes_of));
    plan
}

impl Plan {
    /// What the loaded `project` of `spec` tells about its files.
    fn learn(&mut self, spec: &ProjectSpec, project: &Project) {
        if let Some(env_file) = &spec.env_file {
            for file in &spec.files {
                self.env_files.insert(file.clone(), vec![env_file.clone()]);
            }
        }
        for file in &project.files {
            if file.role == FileRole::Own {
                continue;
            }
            if !self.referenced.contains(&file.path) {
                self.referenced.push(file.path.clone());
            }
            let beside = file.path.parent().unwrap_or(Path::new(""));
            let env_files = if !file.env_files.is_empty() {
                file.env_files.clone()
            } else if file.role == FileRole::Included && file.base_dir != beside {
                vec![file.base_dir.join(".env")]
            } else {
                continue;
            };
            self.env_files.entry(file.path.clone()).or_insert(env_files);
        }
        for (id, name) in &project.extended {
            let names = self
                .extended
                .entry(project.files[*id].path.clone())
                .or_default();
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
}

/// The merged project of `spec`.
pub fn load(spec: &ProjectSpec, loader: &mut FsLoader<'_>) -> Project {
    let input = ProjectInput {
        files: spec.files.clone(),
        project_dir: spec.project_dir.clone(),
    };
    load_project(&input, loader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_minimal() {
        let values = dotenv_values("# c\nCOMPOSE_FILE=a.yml:b.yml\nexport X='q # r'\nY=1 # note\n");
        assert_eq!(lookup(&values, "COMPOSE_FILE"), Some("a.yml:b.yml"));
        assert_eq!(lookup(&values, "X"), Some("q # r"));
        assert_eq!(lookup(&values, "Y"), Some("1"));
    }

    #[test]
    fn the_check_takes_what_planning_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let alone = dir.path().join("compose.yaml");
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let extending = other.join("compose.yaml");
        std::fs::write(&alone, "services:\n  a:\n    image: x\n").unwrap();
        std::fs::write(
            &extending,
            "services:\n  b:\n    extends:\n      file: ../compose.yaml\n      service: a\n",
        )
        .unwrap();
        let read = |path: &Path, _: Option<u64>| std::fs::read(path).map_err(|e| e.to_string());
        let files = [alone.clone(), extending.clone()];
        let plan = plan(
            &files,
            Vec::new(),
            None,
            read,
            1 << 20,
            None,
            HashMap::new(),
        );
        assert_eq!(
            plan.take_bytes(&alone).as_deref(),
            Some(&b"services:\n  a:\n    image: x\n"[..])
        );
        assert_eq!(plan.take_bytes(&alone), None, "taken once");
        assert!(plan.take_bytes(&extending).is_some());
        assert_eq!(plan.spec_of.get(&alone), Some(&None), "a project alone");
        assert!(matches!(plan.spec_of.get(&extending), Some(Some(_))));
    }
}
