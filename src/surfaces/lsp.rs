//! The language server's view of plimsoll: implements [`plimsoll_lsp::Linter`] with the engine,
//! the config resolver and the rules' docs. The `plimsoll-lsp` crate owns the protocol and
//! stdout; this module decides which documents are ours, turns findings into its neutral type,
//! and knows where suppression comments go. Nothing here prints.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use plimsoll_lsp::{
    Checked, ConfigProblem, Document, Fix, HoverInfo, Insertion, Level, Linter, OpenFile, Related,
    Tag, TextEdit,
};

use crate::linter::catalogue::{Catalogue, rule_page};
use crate::linter::diagnostic::{Applicability, Finding, Severity};
use crate::linter::engine::{self, Settings};
use crate::linter::project::{ParsedDockerfile, Workspace, normalize};
use crate::linter::rule::RuleRef;
use crate::linter::rules;
use crate::syntax::dockerfile::Dockerfile;
use crate::syntax::source::{FileKind, SourceFile};
use crate::workspace::compose_project::ProjectFiles;
use crate::workspace::config::{self, CliOverrides, ResolveOptions, Resolver};
use crate::workspace::runner::FsWorkspace;

/// Serve the language server on stdin/stdout until the client says `exit`. `options` are the
/// CLI's `--config` / `--isolated`, so an editor can use exactly the config CI uses.
/// Documents larger than `max_file_size` bytes are not checked (one diagnostic says so), as
/// the CLI refuses such files.
pub fn serve(
    options: ResolveOptions,
    max_file_size: u64,
) -> std::io::Result<plimsoll_lsp::SessionEnd> {
    let cwd = std::env::current_dir()?;
    let options = ResolveOptions {
        config: options.config.map(|path| cwd.join(path)),
        ..options
    };
    plimsoll_lsp::run(EditorLinter::with_options(&cwd, options).with_max_file_size(max_file_size))
}

/// plimsoll for an editor: config found per document as the CLI finds it, cached until a config
/// file changes.
#[derive(Debug)]
pub struct EditorLinter {
    cwd: PathBuf,
    options: ResolveOptions,
    resolver: Mutex<Resolver>,
    /// Every policy directory of the configs met so far (absolute, sorted): their YAML files
    /// are configuration too. Kept across reloads (a directory that is no longer used only
    /// costs a needless re-check when something in it changes).
    policy_dirs: Mutex<Vec<PathBuf>>,
    /// Threads the rules of one document are spread over (`None` if they could not be
    /// started: the rules then run on the checking thread).
    rule_threads: Option<rayon::ThreadPool>,
    /// Documents larger than this many bytes are not checked (the CLI's `--max-file-size`).
    max_file_size: u64,
    /// ShellCheck, looked for on the first check that wants it; its outcomes are cached by
    /// script text for the session, so an edit re-runs only the scripts it changed.
    shellcheck: std::sync::OnceLock<Option<crate::workspace::shellcheck::Shellcheck>>,
    /// Listed build contexts, kept for the session: typing in a Dockerfile does not walk its
    /// context again; a changed `.dockerignore` or a directory of the context does.
    contexts: crate::workspace::build_context::ContextCache,
}

impl EditorLinter {
    pub fn new(cwd: &Path) -> Self {
        Self::with_options(cwd, ResolveOptions::default())
    }

    /// With `--config PATH` (absolute) or `--isolated`.
    pub fn with_options(cwd: &Path, options: ResolveOptions) -> Self {
        Self {
            cwd: cwd.to_path_buf(),
            resolver: Mutex::new(Resolver::new(options.clone(), cwd)),
            options,
            policy_dirs: Mutex::new(Vec::new()),
            rule_threads: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("plimsoll-rules-{i}"))
                // As the CLI's workers: rules on odd input may go deep.
                .stack_size(8 << 20)
                .build()
                .ok(),
            max_file_size: crate::workspace::runner::DEFAULT_MAX_FILE_SIZE,
            shellcheck: std::sync::OnceLock::new(),
            contexts: crate::workspace::build_context::ContextCache::default(),
        }
    }

    /// Documents larger than `max_file_size` bytes get one diagnostic instead of a check.
    pub fn with_max_file_size(self, max_file_size: u64) -> Self {
        Self {
            max_file_size,
            ..self
        }
    }

    /// The `--config` file, when one was given.
    fn forced_config(&self) -> Option<&Path> {
        self.options.config.as_deref()
    }

    /// A config file: by its name, or the `--config` file whatever its name.
    fn is_config_document(&self, path: &Path) -> bool {
        is_config_name(path) || self.forced_config() == Some(path)
    }

    /// Remember the policy directories of `chain`: `.plimsoll/policies/` beside each of its
    /// files and its `policies:` entries.
    fn note_policy_dirs(&self, chain: &config::Chain) {
        let mut dirs = self
            .policy_dirs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let found = chain
            .files
            .iter()
            .map(|file| file.dir.join(".plimsoll").join("policies"))
            .chain(chain.policies().map(Path::to_path_buf));
        for dir in found {
            if let Err(at) = dirs.binary_search(&dir) {
                dirs.insert(at, dir);
            }
        }
    }

    /// `true` for a YAML file in a policy directory.
    fn is_policy_file(&self, path: &Path) -> bool {
        let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let Some(parent) = path.parent().filter(|_| yaml) else {
            return false;
        };
        if parent.ends_with(Path::new(".plimsoll").join("policies")) {
            return true;
        }
        self.policy_dirs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .any(|dir| dir == parent)
    }

    /// The settings for `path`, whether the config excludes it, its kind by config `include`,
    /// every config problem met so far, the policy directories, and the build context its
    /// config declares for it (context directory and config file).
    fn resolve(&self, path: &Path) -> Resolved {
        // A panic while the lock was held leaves a usable resolver (its caches are only added to).
        let mut resolver = self
            .resolver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let chain = resolver.chain_for(path);
        if let Some(chain) = chain.as_ref() {
            self.note_policy_dirs(chain);
        }
        let absolute = resolver.absolute(path);
        let declared_context = chain
            .as_ref()
            .and_then(|c| c.build_context_for(&absolute))
            .map(|declared| (declared.context.clone(), declared.config.clone()));
        let excluded = chain.as_ref().is_some_and(|c| c.excludes(&absolute));
        let included = chain.as_ref().and_then(|c| c.included_kind(&absolute));
        let settings = Arc::unwrap_or_clone(resolver.settings_for(path, &CliOverrides::default()));
        let problems: Vec<ConfigProblem> = resolver
            .errors()
            .iter()
            .map(|error| {
                let path = resolver.absolute(&error.path);
                // The text to place the span in, read the way the config itself was.
                let text = error.span.and_then(|_| {
                    crate::workspace::runner::read_config_text(&path, false)
                        .ok()
                        .map(Arc::from)
                });
                ConfigProblem {
                    path,
                    span: error.span.map(|span| (span.start, span.end)),
                    message: error.message.clone(),
                    text,
                }
            })
            .collect();
        // Rego policies of the chain: their problems are read after the check (evaluation
        // errors happen during it).
        let dirs: Vec<PathBuf> = chain
            .iter()
            .flat_map(|chain| chain.files.iter())
            .flat_map(|file| {
                std::iter::once(file.dir.join(config::policy::DEFAULT_DIR))
                    .chain(file.policies.iter().cloned())
            })
            .collect();
        Resolved {
            settings,
            excluded,
            included,
            problems,
            policy_dirs: dirs,
            declared_context,
        }
    }
}

/// What [`EditorLinter::resolve`] finds for a document.
struct Resolved {
    settings: config::FileSettings,
    excluded: bool,
    included: Option<FileKind>,
    problems: Vec<ConfigProblem>,
    policy_dirs: Vec<PathBuf>,
    declared_context: Option<(PathBuf, PathBuf)>,
}

/// The kind a document is, if it is ours: by name, then by the config's `include`, then by the
/// editor's language id. YAML that is not named as compose is left alone.
fn kind_of(
    path: Option<&Path>,
    included: Option<FileKind>,
    language_id: Option<&str>,
) -> Option<FileKind> {
    if let Some(kind) = path.and_then(FileKind::from_path).or(included) {
        return Some(kind);
    }
    // Some clients send one language id for every buffer of a server (eglot 1.9 sends the first
    // buffer's): YAML or JSON by name is never a Dockerfile, whatever the id says.
    let data_file = path
        .and_then(Path::extension)
        .is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
    match language_id? {
        "dockerfile" if !data_file => Some(FileKind::Dockerfile),
        "dockercompose" | "docker-compose" => Some(FileKind::Compose),
        _ => None,
    }
}

/// The one diagnostic of a document over the size limit, which is not checked.
fn too_large(size: u64, limit: u64) -> Checked {
    Checked {
        findings: vec![plimsoll_lsp::Finding {
            start: 0,
            end: 0,
            code: "file-too-large".to_string(),
            message: format!(
                "not checked: the document is {}, larger than the {} limit (raise it with \
                 `plimsoll lsp --max-file-size`)",
                crate::workspace::runner::show_size(size),
                crate::workspace::runner::show_size(limit)
            ),
            level: Level::Error,
            href: None,
            tags: Vec::new(),
            fix: None,
            related: Vec::new(),
            suppress_at: None,
        }],
        ..Checked::default()
    }
}

/// The problems of the Rego policies in `catalogue` (PL002), shown on their `.rego` files.
fn rego_problems(catalogue: &Catalogue) -> Vec<ConfigProblem> {
    let mut out = Vec::new();
    for (source, findings) in catalogue.problems() {
        for finding in findings {
            out.push(ConfigProblem {
                path: source.path.clone(),
                span: Some((finding.span.start, finding.span.end)),
                message: format!("{} ({}): {}", finding.name, finding.code, finding.message),
                text: Some(Arc::from(source.text.as_str())),
            });
        }
    }
    out
}

fn is_config_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| config::FILE_NAMES.contains(&name))
}

/// The most ShellCheck outcomes a session keeps (scripts by text: typing in a RUN makes a new
/// one per pause); about the scripts of a few hundred open Dockerfiles.
const SESSION_SHELLCHECK_CACHE: usize = 4096;

impl EditorLinter {
    /// The session's ShellCheck, looked for on first use.
    fn session_shellcheck(&self) -> Option<&crate::workspace::shellcheck::Shellcheck> {
        self.shellcheck
            .get_or_init(|| {
                crate::workspace::shellcheck::locate().map(|binary| {
                    crate::workspace::shellcheck::Shellcheck::new(binary)
                        .with_cache_limit(SESSION_SHELLCHECK_CACHE)
                })
            })
            .as_ref()
    }

    /// Check a document. `complete`: run ShellCheck on the scripts it has not seen yet and
    /// wait for it; otherwise only its cached outcomes count, and the result says whether
    /// some are missing ([`Checked::late`]: the server then asks for the complete check in
    /// the background).
    fn check_document(&self, document: &Document<'_>, complete: bool) -> Option<Checked> {
        if document
            .path
            .is_some_and(|path| self.is_config_document(path))
        {
            return None;
        }
        let (settings, excluded, included, mut config_problems, policy_dirs, declared_context) =
            match document.path {
                Some(path) => {
                    let found = self.resolve(path);
                    (
                        found.settings.settings,
                        found.excluded,
                        found.included,
                        found.problems,
                        found.policy_dirs,
                        found.declared_context,
                    )
                }
                None => (
                    Settings::default(),
                    false,
                    None,
                    Vec::new(),
                    Vec::new(),
                    None,
                ),
            };
        let kind = kind_of(document.path, included, document.language_id)?;
        if !excluded && document.text.len() as u64 > self.max_file_size {
            return Some(too_large(document.text.len() as u64, self.max_file_size));
        }
        let path = document.path.unwrap_or(Path::new("untitled"));
        let source = Arc::new(SourceFile::new(path, document.text, kind));
        // Parsed once: the engine and the suppression anchors share it.
        let parsed = (kind == FileKind::Dockerfile)
            .then(|| Arc::new(ParsedDockerfile::parse(Arc::clone(&source))));
        let workspace = EditorWorkspace {
            this: parsed.clone(),
            document: document.path.map(|path| (path, document.text)),
            open: document.open,
            max_file_size: self.max_file_size,
            files: FsWorkspace::new(),
            reads: Mutex::new(Vec::new()),
            parsed: Mutex::new(Vec::new()),
            contexts: &self.contexts,
            declared_context,
            context: std::sync::OnceLock::new(),
            shellcheck: if kind == FileKind::Dockerfile && settings.shellcheck {
                self.session_shellcheck()
            } else {
                None
            },
            wait_for_shellcheck: complete,
            shellcheck_missing: std::sync::atomic::AtomicBool::new(false),
        };
        let (findings, internal_errors) = if excluded {
            (Vec::new(), Vec::new())
        } else {
            let checked = match &self.rule_threads {
                Some(pool) => engine::check_isolated_parallel(&source, &settings, &workspace, pool),
                None => engine::check_isolated(&source, &settings, &workspace),
            };
            let errors = checked
                .failures
                .iter()
                .map(|failure| {
                    format!(
                        "rule {} ({}) failed: {}; its findings are missing",
                        failure.code, failure.name, failure.message
                    )
                })
                .collect();
            (checked.findings, errors)
        };
        let catalogue = self
            .resolver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .catalogue([&settings], Some(&policy_dirs));
        config_problems.extend(rego_problems(&catalogue));
        let anchors = Anchors {
            text: &source.text,
            dockerfile: parsed.as_ref().map(|parsed| &parsed.dockerfile),
        };
        let mut texts = OtherTexts::default();
        Some(Checked {
            findings: findings
                .iter()
                .map(|finding| {
                    to_lsp(
                        finding,
                        anchors.line_suppression(finding.span.start),
                        &mut texts,
                    )
                })
                .collect(),
            file_suppress_at: anchors.file_suppression(),
            config_problems,
            internal_errors,
            late: workspace
                .shellcheck_missing
                .load(std::sync::atomic::Ordering::Relaxed),
            reads: workspace
                .reads
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        })
    }
}

impl Linter for EditorLinter {
    /// Built-in rules and policies, with ShellCheck's findings as far as its session cache
    /// knows the scripts: the editor gets them without waiting for a ShellCheck process.
    fn check(&self, document: &Document<'_>) -> Option<Checked> {
        self.check_document(document, false)
    }

    /// Everything, ShellCheck run on the scripts it had not seen (in the background).
    fn check_late(&self, document: &Document<'_>) -> Option<Checked> {
        self.check_document(document, true)
    }

    fn hover(&self, document: &Document<'_>, offset: usize) -> Option<HoverInfo> {
        let (start, end, rule) = if document
            .path
            .is_some_and(|path| self.is_config_document(path))
        {
            let settings = document
                .path
                .map(|path| self.resolve(path).settings.settings);
            let catalogue = Catalogue::new(
                settings.iter().flat_map(|s| s.policies().iter().cloned()),
                Vec::new(),
            );
            rule_in_config(document.text, offset, &catalogue)?
        } else {
            rule_in_suppression(document.text, offset)?
        };
        let mut markdown = rule.docs().trim_end().to_string();
        // A policy rule's docs are all in its policy file: no page on the site.
        if let Some(page) = rule_page(rule.name()) {
            let site = crate::SITE_URL.trim_start_matches("https://");
            markdown.push_str(&format!("\n\n[{} on {site}]({page})", rule.name()));
        }
        Some(HoverInfo {
            start,
            end,
            markdown,
        })
    }

    fn is_config_file(&self, path: &Path) -> bool {
        // A saved policy (YAML in a policy directory, or any Rego file) re-checks the open
        // documents like a config change.
        self.is_config_document(path)
            || self.is_policy_file(path)
            || path.extension().is_some_and(|e| e == "rego")
    }

    fn config_globs(&self) -> Vec<String> {
        vec![
            "**/.plimsoll.{yaml,yml}".to_string(),
            "**/.plimsoll/policies/*.{yaml,yml}".to_string(),
            "**/*.rego".to_string(),
        ]
    }

    fn dependency_globs(&self) -> Vec<String> {
        // Dockerfiles by any of their names (`Dockerfile.dev`, `api.Dockerfile`,
        // `Containerfile`), and the files of compose projects (compose files, the YAML files
        // they extend or include, `.env`): a superset is fine, only files a check read count.
        vec![
            "**/*{ockerfile,ontainerfile}*".to_string(),
            "**/*.{yaml,yml}".to_string(),
            "**/.env".to_string(),
            // The ignore files of build contexts (`.dockerignore`, `app.Dockerfile.dockerignore`).
            "**/{.dockerignore,*.dockerignore}".to_string(),
        ]
    }

    fn config_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = self
            .policy_dirs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        // A `--config` file named otherwise is outside the globs: watch its directory.
        if let Some(dir) = self.forced_config().and_then(Path::parent) {
            dirs.push(dir.to_path_buf());
        }
        dirs
    }

    fn files_changed(&self, paths: &[PathBuf]) {
        for path in paths {
            self.contexts.forget(&normalize(path));
        }
    }

    fn reload_config(&self) {
        let mut resolver = self
            .resolver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // What the configs before the reload did not use goes: memory stays flat however long
        // the session and however many policy edits.
        let mut policies = resolver.take_policy_cache();
        policies.sweep();
        *resolver = Resolver::with_policy_cache(self.options.clone(), &self.cwd, policies);
    }
}

/// The texts of the other files labels point into, shared by every label into the same file.
#[derive(Default)]
struct OtherTexts(Vec<(PathBuf, Arc<str>)>);

impl OtherTexts {
    fn of(&mut self, file: &SourceFile) -> Arc<str> {
        if let Some((_, text)) = self.0.iter().find(|(path, _)| *path == file.path) {
            return Arc::clone(text);
        }
        let text: Arc<str> = file.text.as_str().into();
        self.0.push((file.path.clone(), Arc::clone(&text)));
        text
    }
}

fn to_lsp(
    finding: &Finding,
    suppress_at: Option<Insertion>,
    texts: &mut OtherTexts,
) -> plimsoll_lsp::Finding {
    let message = match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message),
        None => finding.message.clone(),
    };
    let mut tags = Vec::new();
    if finding.code == rules::UNUSED_SUPPRESSION.code {
        tags.push(Tag::Unnecessary);
    }
    if finding.name.contains("deprecated") {
        tags.push(Tag::Deprecated);
    }
    plimsoll_lsp::Finding {
        start: finding.span.start,
        end: finding.span.end,
        code: finding.code.to_string(),
        message,
        level: match finding.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Information,
            Severity::Style => Level::Hint,
        },
        href: rule_page(&finding.name),
        tags,
        fix: finding
            .fix
            .as_ref()
            .filter(|fix| fix.applicability != Applicability::DisplayOnly)
            .map(|fix| Fix {
                title: fix.message.clone(),
                safe: fix.applicability == Applicability::Safe,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| TextEdit {
                        start: edit.span.start,
                        end: edit.span.end,
                        new_text: edit.replacement.clone(),
                    })
                    .collect(),
            }),
        related: finding
            .labels
            .iter()
            .map(|label| Related {
                // A label into another file (the Dockerfile a compose service builds) carries
                // that file's text as it was checked.
                path: label.other_file().map(|file| file.path.clone()),
                text: label.other_file().map(|file| texts.of(file)),
                start: label.span.start,
                end: label.span.end,
                message: label.message.clone(),
            })
            .collect(),
        suppress_at,
    }
}

/// The files a document's check may read besides itself: the document's own parse (so the
/// engine does not parse it again) and, for compose services that build a Dockerfile, the
/// editor's open buffers first (unsaved edits count), then the files on disk. What it reads is
/// remembered, so the server re-checks the document when one of those files changes.
struct EditorWorkspace<'a> {
    this: Option<Arc<ParsedDockerfile>>,
    /// The checked document's path and text (the server does not list it among `open`).
    document: Option<(&'a Path, &'a str)>,
    open: &'a [OpenFile],
    /// Files of a compose project larger than this are not read (the document's own limit).
    max_file_size: u64,
    files: FsWorkspace,
    reads: Mutex<Vec<PathBuf>>,
    parsed: Mutex<Vec<Arc<ParsedDockerfile>>>,
    /// The session's ShellCheck, when the document's settings run it and it is installed.
    shellcheck: Option<&'a crate::workspace::shellcheck::Shellcheck>,
    /// Run ShellCheck on scripts it has not seen; otherwise answer from its cache only…
    wait_for_shellcheck: bool,
    /// …and note here that some script's outcome was not there.
    shellcheck_missing: std::sync::atomic::AtomicBool,
    /// The session's listed build contexts.
    contexts: &'a crate::workspace::build_context::ContextCache,
    /// The build context the config declares for the document (directory, config file).
    declared_context: Option<(PathBuf, PathBuf)>,
    /// The document's build context and its origin, found once per check.
    context: std::sync::OnceLock<
        Option<(
            Arc<crate::semantic::build_context::BuildContext>,
            crate::semantic::build_context::ContextOrigin,
        )>,
    >,
}

impl EditorWorkspace<'_> {
    /// The open buffer at `path`, compared without touching the filesystem first and through
    /// symbolic links second.
    fn open_buffer(&self, path: &Path) -> Option<&OpenFile> {
        let wanted = normalize(path);
        self.open
            .iter()
            .find(|file| normalize(&file.path) == wanted)
            .or_else(|| {
                let canonical = std::fs::canonicalize(path).ok()?;
                self.open.iter().find(|file| {
                    std::fs::canonicalize(&file.path).ok().as_ref() == Some(&canonical)
                })
            })
    }
}

impl EditorWorkspace<'_> {
    /// The text of `path` as the editor has it: the checked document or an open buffer, with
    /// the path the server knows it by.
    fn buffer_text(&self, path: &Path) -> Option<(PathBuf, &str)> {
        if let Some((this, text)) = self.document
            && normalize(this) == normalize(path)
        {
            return Some((this.to_path_buf(), text));
        }
        self.open_buffer(path)
            .map(|file| (file.path.clone(), &*file.text))
    }

    fn note_read(&self, path: PathBuf) {
        self.reads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(path);
    }
}

/// A compose project's files as the editor has them: open buffers first (unsaved edits
/// count), then the disk. Every file looked for is remembered among the check's reads, so
/// the document is checked again when any file of its project changes, appears or goes.
struct ProjectBuffers<'w, 'a>(&'w EditorWorkspace<'a>);

impl ProjectFiles for ProjectBuffers<'_, '_> {
    fn read(&self, path: &Path, limit: Option<u64>) -> Result<Vec<u8>, String> {
        match self.0.buffer_text(path) {
            Some((known, text)) => {
                self.0.note_read(known);
                match limit {
                    Some(limit) if text.len() as u64 > limit => Err(
                        crate::workspace::runner::too_large(Some(text.len() as u64), limit),
                    ),
                    _ => Ok(text.as_bytes().to_vec()),
                }
            }
            None => {
                self.0.note_read(normalize(path));
                crate::workspace::runner::read_referenced(path, limit)
            }
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        match self.0.buffer_text(path) {
            Some((known, _)) => {
                self.0.note_read(known);
                true
            }
            None => {
                self.0.note_read(normalize(path));
                path.is_file()
            }
        }
    }
}

impl EditorWorkspace<'_> {
    /// The build context of the checked Dockerfile and where it comes from: the directory the
    /// config declares, else its own. Its ignore file is read from the editor's buffer when
    /// open, else from the disk; both candidate ignore files count among the check's reads, so
    /// creating, editing or deleting either checks the document again.
    fn find_context(
        &self,
    ) -> Option<(
        Arc<crate::semantic::build_context::BuildContext>,
        crate::semantic::build_context::ContextOrigin,
    )> {
        use crate::semantic::build_context::ContextOrigin;
        let (path, _) = self.document?;
        if path.is_relative() {
            return None;
        }
        let path = normalize(path);
        let (dir, origin) = match &self.declared_context {
            Some((dir, config)) => (dir.clone(), ContextOrigin::Config(config.clone())),
            None => (path.parent()?.to_path_buf(), ContextOrigin::OwnDirectory),
        };
        if !dir.is_dir() {
            return None;
        }
        let mut beside = path.file_name()?.to_os_string();
        beside.push(".dockerignore");
        let candidates = [path.with_file_name(beside), dir.join(".dockerignore")];
        let mut ignore = None;
        for candidate in candidates {
            self.note_read(candidate.clone());
            if ignore.is_some() {
                continue;
            }
            if let Some(file) = self.open_buffer(&candidate) {
                ignore = Some((candidate, Some(file.text.to_string())));
            } else if std::fs::symlink_metadata(&candidate).is_ok_and(|m| m.is_file()) {
                let limit = crate::workspace::build_context::MAX_IGNORE_FILE;
                let text = crate::workspace::runner::read_referenced(&candidate, Some(limit))
                    .ok()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
                ignore = Some((candidate, text));
            }
        }
        let (ignore_file, ignore_text) = match ignore {
            Some((file, text)) => (Some(file), text),
            None => (None, None),
        };
        Some((
            self.contexts.listing(&dir, ignore_file, ignore_text),
            origin,
        ))
    }

    /// [`EditorWorkspace::find_context`] for the checked document only, once per check.
    fn context_of(
        &self,
        path: &Path,
    ) -> Option<&(
        Arc<crate::semantic::build_context::BuildContext>,
        crate::semantic::build_context::ContextOrigin,
    )> {
        let (this, _) = self.document?;
        if normalize(this) != normalize(path) {
            return None;
        }
        self.context.get_or_init(|| self.find_context()).as_ref()
    }
}

impl Workspace for EditorWorkspace<'_> {
    fn build_context(
        &self,
        path: &Path,
    ) -> Option<Arc<crate::semantic::build_context::BuildContext>> {
        self.context_of(path)
            .map(|(listing, _)| Arc::clone(listing))
    }

    fn build_context_origin(&self, path: &Path) -> crate::semantic::build_context::ContextOrigin {
        self.context_of(path).map_or(
            crate::semantic::build_context::ContextOrigin::OwnDirectory,
            |(_, origin)| origin.clone(),
        )
    }

    fn sources_elsewhere(
        &self,
        path: &Path,
        sources: &[&str],
    ) -> Option<crate::semantic::build_context::SourcesElsewhere> {
        use crate::workspace::build_context::Markers;
        if path.is_relative() {
            return None;
        }
        crate::workspace::build_context::sources_elsewhere(
            &normalize(path),
            sources,
            &|dir: &Path| Markers::read(dir, &config::FILE_NAMES),
            config::FILE_NAMES[0],
        )
    }

    fn runs_shellcheck(&self) -> bool {
        self.shellcheck.is_some()
    }

    fn shellcheck(
        &self,
        scripts: &[&str],
    ) -> Option<Vec<Option<Arc<crate::linter::shellcheck::Outcome>>>> {
        let shellcheck = self.shellcheck?;
        if self.wait_for_shellcheck {
            return Some(shellcheck.check(scripts).into_iter().map(Some).collect());
        }
        let cached = shellcheck.cached(scripts);
        if cached.iter().any(Option::is_none) {
            self.shellcheck_missing
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Some(cached)
    }

    fn compose_project(&self, path: &Path) -> Option<crate::linter::project::ComposeProjectOf> {
        use crate::workspace::compose_project as projects;
        if FileKind::from_path(path) != Some(FileKind::Compose) || path.is_relative() {
            return None;
        }
        let file = normalize(path);
        let mut loader = projects::FsLoader::with_files(ProjectBuffers(self), self.max_file_size);
        let spec = projects::spec_for_check(&file, &mut loader)?;
        let project = Arc::new(projects::load(&spec, &mut loader));
        Some(projects::checked_in(&spec, project, file, Vec::new()))
    }

    fn read(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let open = self.open_buffer(path);
        self.reads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(open.map_or_else(|| normalize(path), |file| file.path.clone()));
        match open {
            Some(file) => {
                let kind =
                    FileKind::from_path(&file.path).unwrap_or_else(|| FileKind::sniff(&file.text));
                Some(Arc::new(SourceFile::new(
                    normalize(&file.path),
                    &*file.text,
                    kind,
                )))
            }
            None => self.files.read(path),
        }
    }

    fn dockerfile(&self, path: &Path) -> Option<Arc<ParsedDockerfile>> {
        let source = self.read(path)?;
        let mut parsed = self
            .parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Several services often build the same Dockerfile: parse it once per check.
        if let Some(done) = parsed.iter().find(|p| p.source.path == source.path) {
            return Some(Arc::clone(done));
        }
        let done = Arc::new(ParsedDockerfile::parse(source));
        parsed.push(Arc::clone(&done));
        Some(done)
    }

    fn refusal(&self, path: &Path) -> Option<String> {
        self.files.refusal(path)
    }

    fn loaded_dockerfile(&self, path: &Path) -> Option<Arc<ParsedDockerfile>> {
        self.this
            .clone()
            .filter(|parsed| parsed.source.path == path)
    }
}

/// Where suppression comments go in one file.
struct Anchors<'a> {
    text: &'a str,
    /// The parsed Dockerfile (`None` for compose files).
    dockerfile: Option<&'a Dockerfile>,
}

impl Anchors<'_> {
    /// The start of the line holding `offset`.
    fn line_start(&self, offset: usize) -> usize {
        let offset = crate::syntax::span::floor_char_boundary(self.text, offset);
        self.text
            .get(..offset)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1)
    }

    /// Above the instruction holding `offset` (Dockerfile), or above the line holding it with
    /// that line's indentation (compose: the directive then covers the key or item there).
    fn line_suppression(&self, offset: usize) -> Option<Insertion> {
        let anchor = self
            .dockerfile
            .and_then(|d| {
                d.instructions
                    .iter()
                    .find(|i| i.span.start <= offset && offset < i.span.end.max(i.span.start + 1))
            })
            .map_or(offset, |instruction| instruction.span.start);
        let line_start = self.line_start(anchor);
        let line = self.text.get(line_start..)?;
        let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
        Some(Insertion {
            offset: line_start,
            indent: line.get(..indent_len)?.to_string(),
        })
    }

    /// After the parser directives (they must stay first), else at the top (after a BOM).
    fn file_suppression(&self) -> usize {
        let after_directives = self
            .dockerfile
            .and_then(|d| d.directives.last())
            .map(|directive| {
                self.text
                    .get(directive.span.end..)
                    .and_then(|rest| rest.find('\n'))
                    .map_or(self.text.len(), |i| directive.span.end + i + 1)
            });
        after_directives.unwrap_or(if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        })
    }
}

/// The rule named at `offset` in a config file: an item of `select`, `extend-select` or
/// `ignore`, or a key of `rules`, at the top level or in an `overrides` entry. Built-in rules by
/// code or name, the policy rules of `catalogue` (those of the configs in effect) by code.
fn rule_in_config(
    text: &str,
    offset: usize,
    catalogue: &Catalogue,
) -> Option<(usize, usize, RuleRef)> {
    let yaml = crate::syntax::yaml::parse(text);
    let root = yaml.documents.first()?;
    let overrides = root
        .get("overrides")
        .and_then(|o| o.as_sequence())
        .unwrap_or_default();
    // The mappings that hold rule lists: the top level and every override.
    let mut names: Vec<&crate::syntax::yaml::Node> = Vec::new();
    for settings in std::iter::once(root).chain(overrides) {
        for key in ["select", "extend-select", "ignore"] {
            match settings.get(key) {
                Some(node) => match node.as_sequence() {
                    Some(items) => names.extend(items),
                    None => names.push(node),
                },
                None => continue,
            }
        }
        if let Some(entries) = settings.get("rules").and_then(|r| r.as_mapping()) {
            names.extend(entries.iter().map(|entry| &entry.key));
        }
    }
    let node = names
        .into_iter()
        .find(|node| node.span.start <= offset && offset <= node.span.end)?;
    let word = node.as_str()?.trim();
    let rule = rules::find(word)
        .map(RuleRef::Builtin)
        .or_else(|| catalogue.policy_rule(word).cloned())?;
    Some((node.span.start, node.span.end, rule))
}

/// The rule named at `offset` inside a `# plimsoll ignore=…` / `ignore-file=…` or
/// `# hadolint ignore=…` / `global ignore=…` comment, with the span of its name.
fn rule_in_suppression(text: &str, offset: usize) -> Option<(usize, usize, RuleRef)> {
    let offset = crate::syntax::span::floor_char_boundary(text, offset);
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |i| offset + i);
    let line = text.get(line_start..line_end)?;
    let hash = line.find('#')?;
    let comment = line.get(hash + 1..)?.trim_start();
    let lower = comment.to_ascii_lowercase();
    let hadolint = lower.starts_with("hadolint");
    if !(lower.starts_with("plimsoll") || hadolint) {
        return None;
    }
    // The code list: after the `=` of `ignore=` / `ignore-file=`, before any `--` reason.
    let equals = comment.find("ignore")? + comment.get(comment.find("ignore")?..)?.find('=')?;
    let list_start = line_start + (line.len() - comment.len()) + equals + 1;
    let list_end = text
        .get(list_start..line_end)?
        .find("--")
        .map_or(line_end, |i| list_start + i);
    if offset < list_start || offset > list_end {
        return None;
    }
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let before = text.get(list_start..offset)?;
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_name(*c))
        .map_or(list_start, |(i, c)| list_start + i + c.len_utf8());
    let after = text.get(offset..list_end)?;
    let end = after
        .char_indices()
        .find(|(_, c)| !is_name(*c))
        .map_or(list_end, |(i, _)| offset + i);
    let word = text.get(start..end)?;
    if word.is_empty() {
        return None;
    }
    let rule = if hadolint {
        let id = format!("hadolint:{word}");
        rules::all()
            .iter()
            .copied()
            .find(|rule| rule.related.iter().any(|r| r.eq_ignore_ascii_case(&id)))?
    } else {
        rules::find(word)?
    };
    Some((start, end, RuleRef::Builtin(rule)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(path: &'a str, text: &'a str, language_id: Option<&'a str>) -> Document<'a> {
        Document {
            path: Some(Path::new(path)),
            text,
            language_id,
            open: &[],
        }
    }

    #[test]
    fn documents_are_ours_by_name_or_language_id() {
        let linter = EditorLinter::new(Path::new("/nonexistent-plimsoll-test"));
        let yaml = "services:\n  web:\n    image: nginx:latest\n";
        let checked = |path, text, language_id| linter.check(&doc(path, text, language_id));
        assert!(checked("/x/values.yaml", yaml, Some("yaml")).is_none());
        assert!(checked("/x/.plimsoll.yaml", "select: [all]\n", Some("yaml")).is_none());
        assert!(checked("/x/stack.yml", yaml, Some("dockercompose")).is_some());
        assert!(checked("/x/compose.yaml", yaml, Some("yaml")).is_some());
        assert!(checked("/x/build.docker", "FROM a\n", Some("dockerfile")).is_some());
        assert!(checked("/x/notes.txt", "FROM a\n", Some("plaintext")).is_none());
        assert!(checked("/x/values.yaml", yaml, Some("dockerfile")).is_none());
    }

    #[test]
    fn suppressions_go_above_the_instruction_with_its_indentation() {
        let text = "# syntax=docker/dockerfile:1\nFROM a\n  RUN apt install \\\n    curl\n";
        let parsed = crate::syntax::dockerfile::parse(text);
        let anchors = Anchors {
            text,
            dockerfile: Some(&parsed),
        };
        let curl = text.find("curl").unwrap();
        let run = text.find("  RUN").unwrap();
        assert_eq!(
            anchors.line_suppression(curl),
            Some(Insertion {
                offset: run,
                indent: "  ".into()
            })
        );
        assert_eq!(anchors.file_suppression(), text.find("FROM").unwrap());
    }

    #[test]
    fn hover_finds_rules_in_config_rule_lists_only() {
        let text = "select: [DF002, 'root-user']\nignore: DF003\nrules:\n  latest-tag: {severity: error}\n\
                    overrides:\n  - files: ['DF002/**']\n    ignore: [DF004]\nfail-level: DF002\n";
        let at = |needle: &str| text.find(needle).unwrap() + 1;
        let none = Catalogue::default();
        let (start, end, rule) = rule_in_config(text, at("DF002"), &none).unwrap();
        assert_eq!((&text[start..end], rule.code()), ("DF002", "DF002"));
        let (start, end, rule) = rule_in_config(text, at("root-user"), &none).unwrap();
        assert_eq!(
            (&text[start..end], rule.name()),
            ("'root-user'", "root-user")
        );
        assert_eq!(
            rule_in_config(text, at("DF003"), &none).unwrap().2.code(),
            "DF003"
        );
        assert_eq!(
            rule_in_config(text, at("latest-tag"), &none)
                .unwrap()
                .2
                .code(),
            "DF002"
        );
        assert_eq!(
            rule_in_config(text, at("DF004"), &none).unwrap().2.code(),
            "DF004"
        );
        // Globs and other keys are not rule names.
        assert!(rule_in_config(text, at("DF002/**"), &none).is_none());
        assert!(rule_in_config(text, text.rfind("DF002").unwrap(), &none).is_none());
        assert!(rule_in_config(text, at("severity"), &none).is_none());
        assert!(rule_in_config("select: [", 8, &none).is_none());
    }

    #[test]
    fn hover_finds_codes_in_suppression_comments_only() {
        let text = "# plimsoll ignore=DF002, root-user -- why DF003\n# hadolint ignore=DL3007\nFROM a # DF002\n";
        let at = |needle: &str| text.find(needle).unwrap() + 1;
        let (start, end, rule) = rule_in_suppression(text, at("DF002")).unwrap();
        assert_eq!((&text[start..end], rule.code()), ("DF002", "DF002"));
        let (_, _, rule) = rule_in_suppression(text, at("root-user")).unwrap();
        assert_eq!(rule.name(), "root-user");
        assert!(rule_in_suppression(text, at("DF003")).is_none());
        let (_, _, rule) = rule_in_suppression(text, at("DL3007")).unwrap();
        assert_eq!(rule.name(), "latest-tag");
        assert!(rule_in_suppression(text, text.rfind("DF002").unwrap()).is_none());
    }
}
