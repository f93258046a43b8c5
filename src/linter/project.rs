//! The files a check may look at besides the one it checks: a compose service's `build:` names a
//! Dockerfile, and cross-file rules read it through a [`Workspace`]. The engine stays free of
//! I/O: the CLI runner supplies a filesystem-backed workspace (caching each file once per run),
//! the language server its open buffers, and [`NoWorkspace`] none at all.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::syntax::dockerfile::{self, Dockerfile};
use crate::syntax::source::{FileKind, SourceFile};

/// One comment of ShellCheck's `json1` output. Lines are 1-based; columns are 1-based and count
/// characters (a tab is one column in `json1`); the end column is exclusive.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ShellcheckComment {
    pub file: String,
    pub line: usize,
    #[serde(rename = "endLine")]
    pub end_line: usize,
    pub column: usize,
    #[serde(rename = "endColumn")]
    pub end_column: usize,
    pub level: String,
    pub code: u32,
    pub message: String,
    /// ShellCheck's suggested fix, for the codes that have one (`null` in its output
    /// otherwise).
    #[serde(default)]
    pub fix: Option<ShellcheckFix>,
}

/// ShellCheck's fix for one comment: replacements of ranges of the script, all to be applied
/// together.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ShellcheckFix {
    pub replacements: Vec<ShellcheckReplacement>,
}

/// One replacement of a ShellCheck fix: the script's text from `line:column` to
/// `end_line:end_column` (exclusive; equal for an insertion) becomes `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ShellcheckReplacement {
    pub line: usize,
    #[serde(rename = "endLine")]
    pub end_line: usize,
    pub column: usize,
    #[serde(rename = "endColumn")]
    pub end_column: usize,
    /// For an insertion, which side it leans to: `afterEnd` goes with the text that follows
    /// (an opening quote), `beforeStart` with the text before it (a closing quote).
    #[serde(rename = "insertionPoint", default)]
    pub insertion_point: String,
    pub replacement: String,
}

/// What ShellCheck said about one script: its comments, or why it could not be run.
pub type ShellcheckOutcome = Result<Vec<ShellcheckComment>, String>;

/// A Dockerfile with its parse tree, shared between the checks that need it.
#[derive(Debug)]
pub struct ParsedDockerfile {
    pub source: Arc<SourceFile>,
    pub dockerfile: Dockerfile,
}

impl ParsedDockerfile {
    pub fn parse(source: Arc<SourceFile>) -> Self {
        let dockerfile = dockerfile::parse(&source.text);
        Self { source, dockerfile }
    }
}

/// Read access to other files of the project. Paths are as the caller builds them (the compose
/// file's directory joined with the build context and Dockerfile name); implementations decide
/// how to match them to files (the runner canonicalizes them).
pub trait Workspace: Sync {
    /// The file at `path` (its text and display path), if it can be read as UTF-8.
    fn read(&self, path: &Path) -> Option<Arc<SourceFile>>;

    /// The file at `path` parsed as a Dockerfile. Implementations may cache the parse; this
    /// default parses on every call.
    fn dockerfile(&self, path: &Path) -> Option<Arc<ParsedDockerfile>> {
        let source = self.read(path)?;
        Some(Arc::new(ParsedDockerfile::parse(source)))
    }

    /// Why the file at `path` was refused rather than read (not a regular file, a symbolic
    /// link out of its tree, too large), once [`Workspace::read`] has tried it; `None` when it
    /// was read, is missing, or was not tried.
    fn refusal(&self, path: &Path) -> Option<String> {
        let _ = path;
        None
    }

    /// The parse of `path` if the workspace already holds one (nothing is read or parsed): the
    /// engine reuses it when it checks that same file directly, so a Dockerfile that compose
    /// services build and that is also linted itself is parsed once.
    fn loaded_dockerfile(&self, path: &Path) -> Option<Arc<ParsedDockerfile>> {
        let _ = path;
        None
    }

    /// The merged compose project the compose file at `path` belongs to (overrides, `extends`,
    /// `include` applied); `None` when the workspace does not load projects.
    fn compose_project(&self, path: &Path) -> Option<ComposeProjectOf> {
        let _ = path;
        None
    }

    /// Whether [`Workspace::shellcheck`] can answer at all: when it cannot, the scripts are
    /// not even prepared.
    fn runs_shellcheck(&self) -> bool {
        false
    }

    /// What ShellCheck says about each of `scripts` (texts with their `#!` line), in order;
    /// `None` when this workspace does not run ShellCheck (switched off, not installed, or no
    /// processes here). Implementations batch the scripts and cache outcomes by script text.
    /// An entry is `None` when that script's outcome is not known yet: the language server
    /// answers from its cache first and runs ShellCheck afterwards, off the editor's path.
    fn shellcheck(&self, scripts: &[&str]) -> Option<Vec<Option<Arc<ShellcheckOutcome>>>> {
        let _ = scripts;
        None
    }

    /// The env files the variables of the compose file at `path` come from, later ones
    /// winning, each with the name messages give it: by default `.env` beside it (Compose's
    /// default project directory).
    /// The build context of the Dockerfile at `path`, listed (names and sizes, never
    /// contents) and shared by every Dockerfile that uses it; `None` when the workspace does
    /// not list contexts (the language server, tests without files).
    fn build_context(
        &self,
        path: &Path,
    ) -> Option<Arc<crate::semantic::build_context::BuildContext>> {
        let _ = path;
        None
    }

    /// Where the build context [`Workspace::build_context`] lists for the Dockerfile at `path`
    /// comes from: its own directory unless a compose service or the config said otherwise.
    fn build_context_origin(&self, path: &Path) -> crate::semantic::build_context::ContextOrigin {
        let _ = path;
        crate::semantic::build_context::ContextOrigin::OwnDirectory
    }

    /// The directory above the Dockerfile at `path`, up to the repository root, where every one
    /// of `sources` (COPY and ADD sources none of which is in its own directory) exists: the
    /// context it is most likely built with. `None` when there is none, or the workspace does
    /// not look (no files).
    fn sources_elsewhere(
        &self,
        path: &Path,
        sources: &[&str],
    ) -> Option<crate::semantic::build_context::SourcesElsewhere> {
        let _ = (path, sources);
        None
    }

    /// Note that a compose service builds the Dockerfile at `dockerfile` with `context` as its
    /// build context, so [`Workspace::build_context`] lists that directory instead of the
    /// Dockerfile's own. Compose files are checked before Dockerfiles in a run.
    fn note_build_context(&self, dockerfile: &Path, context: &Path) {
        let _ = (dockerfile, context);
    }

    fn compose_env_files(&self, path: &Path) -> Vec<(PathBuf, String)> {
        vec![(
            path.parent().unwrap_or(Path::new("")).join(".env"),
            ".env".to_string(),
        )]
    }
}

/// The merged compose project a compose file belongs to, and which of its files this is.
#[derive(Clone, Debug)]
pub struct ComposeProjectOf {
    pub project: Arc<crate::semantic::compose::Project>,
    /// The path of the checked file as the project names it.
    pub path: PathBuf,
    /// Services of the checked file that services of other files extend (`extends: {file:
    /// …}`): they are judged through those services, so no "missing" finding goes on them.
    pub templates: Vec<String>,
}

impl ComposeProjectOf {
    /// Whether a "missing" finding on this file's service `name` is wrong: other files'
    /// services extend it (they are judged instead), the checked file is not the file that
    /// first defines it (an override fragment), or the merged service has any of `keys` set.
    pub fn settles(&self, name: &str, keys: &[&[&str]]) -> bool {
        self.settles_when(name, |merged| keys.iter().any(|k| merged.has(k)))
    }

    /// [`Self::settles`] with the merged service judged by `settled` (given the merged
    /// service's mapping) instead of by the presence of keys.
    pub fn settles_when(
        &self,
        name: &str,
        settled: impl FnOnce(&crate::semantic::compose::Node) -> bool,
    ) -> bool {
        if self.templates.iter().any(|t| t == name) {
            return true;
        }
        let Some(service) = self.project.service(name) else {
            return false;
        };
        let first = &self.project.files[service.defined_at.file].path;
        first != &self.path || settled(&service.node)
    }
}

/// A workspace without files: cross-file checks find nothing and stay silent.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoWorkspace;

impl Workspace for NoWorkspace {
    fn read(&self, _path: &Path) -> Option<Arc<SourceFile>> {
        None
    }
}

/// `path` with `.` segments dropped and `..` applied to earlier normal segments, without touching
/// the filesystem: `compose/./app/../Dockerfile` → `compose/Dockerfile`. A leading `..` stays.
pub fn normalize(path: &Path) -> PathBuf {
    // Asked for every path the run compares (cache keys, contexts, projects): on Unix the bytes
    // are cleaned directly, without building the path component by component.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let bytes = path.as_os_str().as_bytes();
        if is_normal(bytes) {
            return path.to_path_buf();
        }
        let rooted = bytes.first() == Some(&b'/');
        let mut out = Vec::with_capacity(bytes.len());
        // Normal segments in `out` that a `..` may take back (a leading `..` stays).
        let mut normal = 0usize;
        for part in bytes.split(|&b| b == b'/') {
            match part {
                b"" | b"." => {}
                b".." if normal > 0 => {
                    let cut = out.iter().rposition(|&b| b == b'/').unwrap_or(0);
                    out.truncate(cut);
                    normal -= 1;
                }
                b".." if rooted => {}
                name => {
                    if rooted || !out.is_empty() {
                        out.push(b'/');
                    }
                    out.extend_from_slice(name);
                    if name != b".." {
                        normal += 1;
                    }
                }
            }
        }
        if out.is_empty() {
            return PathBuf::from(if rooted { "/" } else { "." });
        }
        PathBuf::from(std::ffi::OsString::from_vec(out))
    }
    #[cfg(not(unix))]
    normalize_components(path)
}

/// Whether `normalize` leaves `bytes` as they are: not empty, no `.` segment (nor a `..`
/// but leading ones), no empty segment, no trailing `/`.
#[cfg(unix)]
fn is_normal(bytes: &[u8]) -> bool {
    // After every `/`, a name that does not start with `.` (a loop over the bytes: a run's
    // paths are short, with a `/` every few bytes).
    !bytes.is_empty()
        && bytes != b"."
        && !bytes.starts_with(b"./")
        && !bytes.ends_with(b"/")
        && !bytes
            .windows(2)
            .any(|pair| pair[0] == b'/' && matches!(pair[1], b'.' | b'/'))
}

/// `normalize(&dir.join(path))` for a relative `path`: a run asks it of every file's path
/// several times (`../corpus/app/Dockerfile` against the working directory). When `dir` is
/// absolute and normalized and `path` is leading `..` and `.` segments, then names with no
/// `.`-segment, empty segment or trailing `/` (no `/.` or `//`, not ending in `/`), the
/// leading segments take names off `dir` and the rest is appended as it is; anything else is
/// normalized whole.
pub fn join_normalized(dir: &Path, path: &Path) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let dir_bytes = dir.as_os_str().as_bytes();
        let mut rest = path.as_os_str().as_bytes();
        if dir_bytes.first() == Some(&b'/') && (dir_bytes == b"/" || is_normal(dir_bytes)) {
            let mut keep = dir_bytes.len();
            loop {
                if let Some(after) = rest.strip_prefix(b"./") {
                    rest = after;
                } else if rest == b".." || rest.starts_with(b"../") {
                    rest = rest.get(3..).unwrap_or_default();
                    // The root's parent is the root.
                    keep = memchr::memrchr(b'/', &dir_bytes[..keep]).unwrap_or(0);
                } else {
                    break;
                }
            }
            let clean = !rest.starts_with(b"/") && !rest.starts_with(b"..") && is_normal(rest);
            if clean {
                let mut out = Vec::with_capacity(keep + 1 + rest.len());
                out.extend_from_slice(&dir_bytes[..keep]);
                out.push(b'/');
                out.extend_from_slice(rest);
                return PathBuf::from(std::ffi::OsString::from_vec(out));
            }
        }
    }
    normalize(&dir.join(path))
}

/// [`normalize`] through `Path::components` (other platforms, and the reference the Unix
/// version is tested against).
#[cfg_attr(unix, allow(dead_code))]
fn normalize_components(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

/// A workspace over files held in memory (tests, examples, an editor's open buffers).
#[derive(Debug, Default)]
pub struct MemoryWorkspace {
    files: Vec<Arc<SourceFile>>,
}

impl MemoryWorkspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a Dockerfile at `path` (compared after [`normalize`]).
    pub fn with_dockerfile(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let path = normalize(&path.into());
        self.files
            .push(Arc::new(SourceFile::new(path, text, FileKind::Dockerfile)));
        self
    }
}

impl Workspace for MemoryWorkspace {
    fn read(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let path = normalize(path);
        self.files.iter().find(|file| file.path == path).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing() {
        let n = |p: &str| normalize(Path::new(p)).display().to_string();
        assert_eq!(n("compose/./app/../Dockerfile"), "compose/Dockerfile");
        assert_eq!(n("./Dockerfile"), "Dockerfile");
        assert_eq!(n("../x/./y"), "../x/y");
        assert_eq!(n("a/../../b"), "../b");
        assert_eq!(n("/a/../../b"), "/b");
        assert_eq!(n("."), ".");
    }

    #[test]
    fn joining_and_normalizing_agrees_with_normalize() {
        let parts = ["", ".", "..", "a", "b.c", "..d", ".e"];
        let dirs = [
            "/", "/x", "/x/y", "/x/y/", "/x/./y", "/x/../y", "//x", "x/y",
        ];
        let mut checked = 0;
        for dir in dirs {
            for first in parts {
                for second in parts {
                    for third in parts {
                        for trailing in ["", "/", "/."] {
                            let path = format!("{first}/{second}/{third}{trailing}");
                            for path in [path.trim_start_matches('/'), &path[..]] {
                                let (dir, path) = (Path::new(dir), Path::new(path));
                                let expected = normalize(&dir.join(path));
                                assert_eq!(
                                    join_normalized(dir, path),
                                    expected,
                                    "{dir:?} {path:?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000);
    }

    #[test]
    fn normalizing_bytes_agrees_with_components() {
        let parts = ["", ".", "..", "a", "b.c", "..d"];
        let mut checked = 0;
        for first in parts {
            for second in parts {
                for third in parts {
                    for fourth in parts {
                        for rooted in ["", "/", "//"] {
                            for trailing in ["", "/"] {
                                let path =
                                    format!("{rooted}{first}/{second}/{third}/{fourth}{trailing}");
                                let path = Path::new(&path);
                                assert_eq!(normalize(path), normalize_components(path), "{path:?}");
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 6 * 6 * 6 * 6 * 3 * 2);
    }

    #[test]
    fn memory_workspace_reads_by_normalized_path() {
        let workspace = MemoryWorkspace::new().with_dockerfile("app/Dockerfile", "FROM a\n");
        let file = workspace.read(Path::new("./app/x/../Dockerfile")).unwrap();
        assert_eq!(file.text, "FROM a\n");
        assert!(workspace.read(Path::new("Dockerfile")).is_none());
        let parsed = workspace.dockerfile(Path::new("app/Dockerfile")).unwrap();
        assert_eq!(parsed.dockerfile.stages.len(), 1);
        assert!(
            NoWorkspace
                .dockerfile(Path::new("app/Dockerfile"))
                .is_none()
        );
    }
}
