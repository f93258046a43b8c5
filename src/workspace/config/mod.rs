//! Configuration: `.plimsoll.yaml` files, found by walking up from each linted file, chained with
//! `extends:`, and resolved into the [`Settings`] the engine runs with for that file.
//!
//! The CLI and the language server share this module: it reads config files but never prints;
//! problems come back as [`ConfigError`]s with a file, a line and a column.
//!
//! Precedence, lowest first: the rules' defaults; each config file of the `extends` chain, base
//! first (top-level `select`/`extend-select`/`ignore` and `rules`); then the `overrides` whose
//! `files` match, in the same order; then the command line.

mod glob;
mod parse;
pub(crate) mod policy;
pub mod schema;

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use glob::PathMatcher;
pub use parse::{INCLUDE_KINDS, OVERRIDE_KEYS, RULE_KEYS, TOP_LEVEL_KEYS, parse};

use crate::linter::catalogue::Catalogue;
use crate::linter::diagnostic::Severity;
use crate::linter::rule::RuleRef;
use crate::linter::rule::{OptionValue, RuleOptions};
use crate::linter::selection::{Selection, Settings};
use crate::semantic::NonRootImages;
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::{Position, Span};
use crate::workspace::listing::{self, Listings};
use crate::workspace::results::FileError;
use crate::workspace::shellcheck::Switch;

/// The names a config file may have, in order of preference.
pub const FILE_NAMES: [&str; 2] = [".plimsoll.yaml", ".plimsoll.yml"];

/// The listings of `dirs` (absolute, normalized) and of the directories above them that the
/// config lookup ([`Resolver::chain_for`]) goes on to: up to one holding a config file or
/// `.git`, where it stops, or the root. Read a level at a time, on the current rayon pool when
/// `parallel`; directories `known` holds are not read again. With them, the lookup for files
/// named one by one asks no name of the disk.
pub fn list_lookup_dirs(mut dirs: Vec<PathBuf>, known: &Listings, parallel: bool) -> Listings {
    let mut all = Listings::default();
    let mut seen: foldhash::HashSet<PathBuf> = dirs.iter().cloned().collect();
    while !dirs.is_empty() {
        let level = listing::read_listings(&dirs, parallel);
        let mut above = Vec::new();
        for dir in &dirs {
            let Some(listing) = level.listing(dir) else {
                continue;
            };
            let stops = FILE_NAMES
                .iter()
                .chain(&[".git"])
                .any(|name| listing.get(std::ffi::OsStr::new(name)).is_some());
            if let Some(parent) = dir.parent().filter(|_| !stops)
                && known.listing(parent).is_none()
                && seen.insert(parent.to_path_buf())
            {
                above.push(parent.to_path_buf());
            }
        }
        all.extend(level);
        dirs = above;
    }
    all
}

/// The severity at or above which a run fails when nothing configures it.
pub const DEFAULT_FAIL_LEVEL: Severity = Severity::Info;

/// A problem in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// Where in the file, when the problem is in its content.
    pub span: Option<Span>,
    pub position: Option<Position>,
    pub message: String,
}

impl ConfigError {
    fn at(source: &SourceFile, span: Span, message: String) -> Self {
        Self {
            path: source.path.clone(),
            span: Some(span),
            position: Some(source.position(span.start)),
            message,
        }
    }

    fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            span: None,
            position: None,
            message: message.into(),
        }
    }

    /// As a per-file error, for display: `path:line:col: message`.
    pub fn to_file_error(&self) -> FileError {
        FileError {
            path: self.path.clone(),
            message: self.message.clone(),
            position: self.position,
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_file_error().located_message())
    }
}

/// One config file as written and validated (its `extends` not applied).
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// Its directory: relative paths and globs in it are relative to this.
    pub dir: PathBuf,
    /// The file it extends (absolute) and where that is written.
    pub extends: Option<(PathBuf, Span)>,
    pub selection: Selection,
    pub rules: Vec<RuleSetting>,
    pub overrides: Vec<Override>,
    pub fail_level: Option<Severity>,
    pub include: Vec<(FileKind, PathMatcher)>,
    pub exclude: Option<PathMatcher>,
    pub strict: Option<bool>,
    /// `shellcheck:`: whether ShellCheck runs.
    pub shellcheck: Option<Switch>,
    /// `non-root-images:` patterns: base images that run as a non-root user.
    pub non_root_images: Vec<String>,
    /// Policy directories (absolute) from the `policies:` key.
    pub policies: Vec<PathBuf>,
    /// The rules declared by the policy files (`.plimsoll/policies/` next to this file and the
    /// `policies:` directories).
    pub policy_rules: Vec<crate::policies::template::PolicyRule>,
    /// `compose: projects:`.
    pub compose_projects: Vec<ComposeProject>,
    /// `build-contexts:`, in the order written.
    pub build_contexts: Vec<DeclaredContext>,
}

/// One `build-contexts:` entry: the Dockerfiles its globs match are built from `context`.
#[derive(Clone, Debug)]
pub struct DeclaredContext {
    /// Globs relative to the config file's directory.
    pub dockerfiles: PathMatcher,
    /// The context directory (absolute, normalized).
    pub context: PathBuf,
    /// The config file that declares it (absolute).
    pub config: PathBuf,
}

/// A compose project declared in a config file (absolute, normalized paths).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComposeProject {
    pub files: Vec<PathBuf>,
    pub project_directory: Option<PathBuf>,
    pub env_file: Option<PathBuf>,
}

/// One entry of `rules:`: the rules its key selects, and what it sets for them.
#[derive(Clone, Debug)]
pub struct RuleSetting {
    pub rules: Vec<RuleRef>,
    /// ShellCheck codes the key names (`SC2086`, `SC`), which no rule declaration stands for.
    pub shellcheck: Option<String>,
    pub severity: Option<Severity>,
    /// Validated option values (only when the key names a single rule).
    pub options: Vec<(String, OptionValue)>,
}

/// One entry of `overrides:`.
#[derive(Clone, Debug)]
pub struct Override {
    pub files: PathMatcher,
    pub selection: Selection,
    pub rules: Vec<RuleSetting>,
}

/// A config file with the files it extends: `files[0]` is the furthest base, the last is the
/// file that was found (or given with `--config`).
#[derive(Clone, Debug)]
pub struct Chain {
    pub files: Vec<ConfigFile>,
}

impl Chain {
    /// The file that was found or given.
    pub fn path(&self) -> &Path {
        self.files
            .last()
            .map_or(Path::new(""), |f| f.path.as_path())
    }

    /// `true` when an `exclude` pattern of the chain matches `path` (absolute).
    pub fn excludes(&self, path: &Path) -> bool {
        self.files
            .iter()
            .filter_map(|f| f.exclude.as_ref())
            .any(|m| m.matches(path))
    }

    /// The kind an `include` pattern gives `path` (absolute), if any.
    pub fn included_kind(&self, path: &Path) -> Option<FileKind> {
        self.files
            .iter()
            .rev()
            .flat_map(|f| f.include.iter())
            .find(|(_, m)| m.matches(path))
            .map(|(kind, _)| *kind)
    }

    /// The compose projects the chain's files declare.
    pub fn compose_projects(&self) -> impl Iterator<Item = &ComposeProject> {
        self.files.iter().flat_map(|f| f.compose_projects.iter())
    }

    /// The build context the chain declares for the Dockerfile at `path` (absolute, normalized):
    /// the first matching `build-contexts` entry of the nearest file that has one.
    pub fn build_context_for(&self, path: &Path) -> Option<&DeclaredContext> {
        self.files
            .iter()
            .rev()
            .flat_map(|f| f.build_contexts.iter())
            .find(|declared| declared.dockerfiles.matches(path))
    }

    /// Policy directories of the whole chain.
    pub fn policies(&self) -> impl Iterator<Item = &Path> {
        self.files
            .iter()
            .flat_map(|f| f.policies.iter().map(PathBuf::as_path))
    }

    /// The policy rules of the whole chain, base first. A code declared twice (a directory
    /// listed by a file and by its base) counts once: the nearer file's rule wins.
    pub fn policy_rules(&self) -> impl Iterator<Item = &crate::policies::template::PolicyRule> {
        let mut seen: Vec<&str> = Vec::new();
        let mut rules: Vec<&crate::policies::template::PolicyRule> = Vec::new();
        for rule in self
            .files
            .iter()
            .rev()
            .flat_map(|f| f.policy_rules.iter().rev())
        {
            if !seen.contains(&rule.rule.code()) {
                seen.push(rule.rule.code());
                rules.push(rule);
            }
        }
        rules.reverse();
        rules.into_iter()
    }
}

/// What the command line says, on top of any config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliOverrides {
    /// `--select`, `--extend-select`, `--ignore` (an empty layer changes nothing).
    pub selection: Selection,
    pub fail_level: Option<Severity>,
    /// `--shellcheck`.
    pub shellcheck: Option<Switch>,
}

/// How config files are found.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// `--config PATH`: use this file for every linted file, no discovery.
    pub config: Option<PathBuf>,
    /// `--isolated`: no config at all.
    pub isolated: bool,
}

/// Everything resolved for one linted file.
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub settings: Settings,
    pub fail_level: Severity,
    /// Whether ShellCheck runs on this file (`--shellcheck`, else the config's `shellcheck:`).
    pub shellcheck: Switch,
    /// The config file that applies (the one found, not its bases).
    pub config: Option<PathBuf>,
}

/// Finds, loads and caches config files. Errors are collected (once per config file) in
/// [`Resolver::errors`]; a file whose config has errors resolves to no config.
#[derive(Debug)]
pub struct Resolver {
    options: ResolveOptions,
    cwd: PathBuf,
    /// Directory → the config found from it (walking up).
    /// Keyed by the path's bytes: hashing a `Path` goes component by component, several times
    /// slower, and these paths are normalized already.
    by_dir: HashMap<std::ffi::OsString, Option<Arc<Chain>>>,
    /// Config path → its loaded chain (`None` when it has errors).
    loaded: HashMap<PathBuf, Option<Arc<Chain>>>,
    /// The `--config` chain.
    explicit: Option<Arc<Chain>>,
    errors: Vec<ConfigError>,
    /// Things a user should know that are not errors (a policy directory that is not read).
    notes: Vec<String>,
    /// The policies loaded so far (policy files turned into rules, compiled Rego sets).
    policy_cache: policy::PolicyCache,
    /// Settings already resolved, for the command line they were resolved with: every file with
    /// the same config chain and the same matching `overrides:` gets the same settings, so a tree
    /// of thousands of files resolves a handful (resolving is selector matching over every rule).
    resolved: Option<(CliOverrides, HashMap<SettingsKey, Arc<FileSettings>>)>,
    /// The directories a walk read ([`Resolver::use_listings`]): configs and repository roots
    /// in them are looked up there instead of on disk.
    listings: Option<Arc<Listings>>,
    /// The chain of each directory as [`Resolver::chain_for`] was given it (not normalized).
    by_given_dir: HashMap<std::ffi::OsString, Option<Arc<Chain>>>,
}

/// What a file's settings depend on besides the command line: its config chain (by identity,
/// which is stable because a resolver never drops a chain it loaded; `0` for none) and the
/// `overrides:` entries that match it (config file index, entry index).
type SettingsKey = (usize, Vec<(usize, usize)>);

impl Resolver {
    /// A resolver for paths relative to `cwd`. A `--config` file is loaded at once.
    pub fn new(options: ResolveOptions, cwd: &Path) -> Self {
        Self::with_policy_cache(options, cwd, policy::PolicyCache::default())
    }

    /// A resolver that starts from the policies another one loaded (the language server
    /// reloading its configs: unchanged policies are not compiled again).
    pub(crate) fn with_policy_cache(
        options: ResolveOptions,
        cwd: &Path,
        policy_cache: policy::PolicyCache,
    ) -> Self {
        let mut resolver = Self {
            options,
            cwd: normalize(cwd),
            by_dir: HashMap::new(),
            loaded: HashMap::new(),
            explicit: None,
            errors: Vec::new(),
            notes: Vec::new(),
            policy_cache,
            resolved: None,
            listings: None,
            by_given_dir: HashMap::new(),
        };
        if !resolver.options.isolated
            && let Some(path) = resolver.options.config.clone()
        {
            let path = resolver.absolute(&path);
            resolver.explicit = resolver.load(&path);
        }
        resolver
    }

    /// The catalogue of a run or a check: the policy rules `settings` know (each once) and the
    /// problems of the Rego policies of `dirs` (of every policy loaded when `None`), read now
    /// (evaluation errors are recorded while checking).
    pub fn catalogue<'s>(
        &self,
        settings: impl IntoIterator<Item = &'s Settings>,
        dirs: Option<&[PathBuf]>,
    ) -> Catalogue {
        let policy_rules = settings
            .into_iter()
            .flat_map(|settings| settings.policies().iter().cloned());
        let sets = &self.policy_cache.rego;
        let problems = match dirs {
            Some([]) => Vec::new(),
            _ => sets.problem_results(&sets.problems(dirs), &|path| {
                crate::workspace::runner::read_config_text(path, false).ok()
            }),
        };
        Catalogue::new(policy_rules, problems)
    }

    /// Take the policies loaded so far, leaving none.
    pub(crate) fn take_policy_cache(&mut self) -> policy::PolicyCache {
        std::mem::take(&mut self.policy_cache)
    }

    /// The `--config` file, absolute.
    fn named_config(&self) -> Option<PathBuf> {
        let path = self.options.config.as_ref()?;
        Some(normalize(&self.absolute(path)))
    }

    /// Every config error met so far, in the order met.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// Notes met so far (each once): a `.plimsoll/policies/` directory that is not loaded, or
    /// one that holds no policy file.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// `path` relative to the working directory when below it, for messages.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Record errors, with paths shown relative to the working directory when below it.
    fn push_errors(&mut self, errors: impl IntoIterator<Item = ConfigError>) {
        for mut error in errors {
            if let Ok(relative) = error.path.strip_prefix(&self.cwd) {
                error.path = relative.to_path_buf();
            }
            if !self.errors.contains(&error) {
                self.errors.push(error);
            }
        }
    }

    /// Answer questions about the directories in `listings` from them (a run's walk read them
    /// all; asking the filesystem again would be one failing `stat` per name and directory).
    pub fn use_listings(&mut self, listings: Arc<Listings>) {
        // About one chain per walked directory is looked up and remembered: room made once.
        self.by_dir.reserve(listings.dir_count());
        self.by_given_dir.reserve(listings.dir_count());
        self.listings = Some(listings);
    }

    /// `path` made absolute against the working directory, `.` and `..` resolved lexically.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        crate::linter::project::join_normalized(&self.cwd, path)
    }

    /// The config chain that applies to the file at `path` (relative to the working directory
    /// or absolute), if any.
    pub fn chain_for(&mut self, path: &Path) -> Option<Arc<Chain>> {
        if self.options.isolated {
            return None;
        }
        if self.options.config.is_some() {
            return self.explicit.clone();
        }
        // A run asks for every file several times, and most files share their directory with
        // others: remembered by the directory as written (no normalizing; a path ending in
        // `..` is not in the directory it is written in, so it is not remembered).
        let given = listing::parent_and_name(path).map(|(dir, _)| dir.as_os_str());
        if let Some(chain) = given.and_then(|given| self.by_given_dir.get(given)) {
            return chain.clone();
        }
        let absolute = self.absolute(path);
        let dir = absolute.parent().unwrap_or(&absolute);
        let chain = self.chain_for_dir(dir);
        if let Some(given) = given {
            self.by_given_dir
                .insert(given.to_os_string(), chain.clone());
        }
        chain
    }

    /// The nearest config walking up from `dir`, stopping after a repository root (a directory
    /// holding `.git`) or at the filesystem root. Without a config file, a `.plimsoll/policies/`
    /// at the repository root (or, outside a repository, in the working directory) applies on
    /// its own, as if an empty `.plimsoll.yaml` sat beside it.
    fn chain_for_dir(&mut self, dir: &Path) -> Option<Arc<Chain>> {
        let mut visited = Vec::new();
        let mut found = None;
        let mut current = Some(dir);
        let mut root = None;
        let listings = self.listings.clone();
        while let Some(dir) = current {
            if let Some(cached) = self.by_dir.get(dir.as_os_str()) {
                found = cached.clone();
                root = Some(None);
                break;
            }
            // One lookup of the directory's listing for every name asked of it.
            let names = listing::InDir::new(listings.as_deref(), dir);
            // Whether a policy directory may be here (asked in full below only then).
            visited.push((dir.to_path_buf(), names.exists(policy::DEFAULT_DIR_PARENT)));
            if let Some(path) = self.config_in(dir, &names) {
                found = self.load(&path);
                root = Some(None);
                break;
            }
            if names.exists(".git") {
                root = Some(Some(dir.to_path_buf()));
                break;
            }
            current = listing::parent_and_name(dir).map(|(parent, _)| parent);
        }
        let root = match root {
            Some(root) => root,
            // No repository: the tree being checked is the working directory.
            None => visited
                .iter()
                .any(|(dir, _)| *dir == self.cwd)
                .then(|| self.cwd.clone()),
        };
        if let Some(root) = root
            && listing::is_dir(self.listings.as_deref(), &root.join(policy::DEFAULT_DIR))
        {
            found = self.load_policies_only(&root);
        }
        // A policy directory passed on the way up is read by nothing: say so.
        for (dir, _) in visited.iter().filter(|(_, maybe_policies)| *maybe_policies) {
            let policies = dir.join(policy::DEFAULT_DIR);
            let loaded = found.as_ref().is_some_and(|chain| {
                chain
                    .files
                    .iter()
                    .any(|f| f.dir.join(policy::DEFAULT_DIR) == policies)
            });
            if !loaded && listing::is_dir(self.listings.as_deref(), &policies) {
                let shown = self.shown(&policies);
                self.note(format!(
                    "`{shown}/` is not loaded: policy directories are read beside a \
                     `.plimsoll.yaml` or at the repository root; add a `.plimsoll.yaml` in `{}` \
                     or name the directory in the nearest config's `policies:`",
                    self.shown(dir)
                ));
            }
        }
        for (dir, _) in visited {
            self.by_dir.insert(dir.into_os_string(), found.clone());
        }
        found
    }

    /// The chain of a directory with `.plimsoll/policies/` and no config file: the policies
    /// with every other setting at its default.
    fn load_policies_only(&mut self, root: &Path) -> Option<Arc<Chain>> {
        let key = root.join(policy::DEFAULT_DIR);
        if let Some(cached) = self.loaded.get(&key) {
            return cached.clone();
        }
        let chain =
            match parse::parse_with_policies(&root.join(FILE_NAMES[0]), "", &mut self.policy_cache)
            {
                Ok(mut file) => {
                    file.path = key.clone();
                    if file.policy_rules.is_empty() {
                        let shown = self.shown(&key);
                        self.note(format!(
                            "`{shown}/` holds no policy file (`*.yaml`), so no policy is loaded"
                        ));
                    }
                    Some(Arc::new(Chain { files: vec![file] }))
                }
                Err(errors) => {
                    self.push_errors(errors);
                    None
                }
            };
        self.loaded.insert(key, chain.clone());
        chain
    }

    /// The config file in `dir`, if there is one (two is an error: which would win is unclear).
    fn config_in(&mut self, dir: &Path, names: &listing::InDir<'_>) -> Option<PathBuf> {
        let present: Vec<PathBuf> = FILE_NAMES
            .iter()
            .filter(|name| names.is_file(name))
            .map(|name| dir.join(name))
            .collect();
        if let [first, second, ..] = present.as_slice() {
            let error = ConfigError::file(
                second,
                format!(
                    "two config files in one directory; remove one (`{}` is used)",
                    first.file_name().unwrap_or_default().to_string_lossy()
                ),
            );
            self.push_errors([error]);
        }
        present.into_iter().next()
    }

    /// The compose projects declared by every config loaded so far (and `--config`'s), once
    /// each, in a stable order.
    pub fn compose_projects(&self) -> Vec<ComposeProject> {
        let mut chains: Vec<&Arc<Chain>> = self.loaded.values().flatten().collect();
        chains.extend(self.explicit.iter());
        chains.sort_by(|a, b| a.path().cmp(b.path()));
        let mut projects: Vec<ComposeProject> = Vec::new();
        for project in chains
            .into_iter()
            .flat_map(|chain| chain.compose_projects())
        {
            if !projects.contains(project) {
                projects.push(project.clone());
            }
        }
        projects
    }

    /// Load `path` and the files it extends (iteratively; a cycle is an error).
    fn load(&mut self, path: &Path) -> Option<Arc<Chain>> {
        if let Some(cached) = self.loaded.get(path) {
            return cached.clone();
        }
        let mut files: Vec<ConfigFile> = Vec::new();
        let mut next = Some((path.to_path_buf(), None::<(PathBuf, Span, Position)>));
        let mut ok = true;
        while let Some((current, referenced_from)) = next.take() {
            let current = normalize(&current);
            if files.iter().any(|f| f.path == current) {
                if let Some((from, span, position)) = referenced_from {
                    let mut cycle: Vec<String> =
                        files.iter().map(|f| self.shown(&f.path)).collect();
                    cycle.push(self.shown(&current));
                    self.push_errors([ConfigError {
                        path: from,
                        span: Some(span),
                        position: Some(position),
                        message: format!("`extends` cycle: {}", cycle.join(" -> ")),
                    }]);
                }
                ok = false;
                break;
            }
            // `--config` is read as named (even a FIFO, bounded); a config found by walking
            // up or named by `extends` must be a regular file inside its repository.
            let named = Some(&current) == self.named_config().as_ref();
            let read = crate::workspace::runner::read_config_text(&current, named);
            let text = match read {
                Ok(text) => text,
                Err(reason) => {
                    let message = format!(
                        "cannot read config file `{}`: {reason}",
                        self.shown(&current),
                    );
                    let error = match referenced_from {
                        Some((from, span, position)) => ConfigError {
                            path: from,
                            span: Some(span),
                            position: Some(position),
                            message,
                        },
                        None => ConfigError::file(&current, message),
                    };
                    self.push_errors([error]);
                    ok = false;
                    break;
                }
            };
            match parse::parse_with_policies(&current, &text, &mut self.policy_cache) {
                Ok(file) => {
                    if let Some((base, span)) = &file.extends {
                        let source = SourceFile::new(&current, text, FileKind::Compose);
                        next = Some((
                            base.clone(),
                            Some((current.clone(), *span, source.position(span.start))),
                        ));
                    }
                    files.push(file);
                }
                Err(errors) => {
                    let errors = match referenced_from {
                        // A file outside the repository of the config that names it may be
                        // anything (`extends: /etc/shadow` in a pull request): its problems
                        // are counted at the reference, none of its text is quoted.
                        Some((from, span, position)) if outside_repository(&current, &from) => {
                            vec![ConfigError {
                                path: from,
                                span: Some(span),
                                position: Some(position),
                                message: format!(
                                    "`{}` is not a valid plimsoll config ({} problem{}; not shown \
                                     because the file lies outside the repository)",
                                    self.shown(&current),
                                    errors.len(),
                                    if errors.len() == 1 { "" } else { "s" }
                                ),
                            }]
                        }
                        _ => errors,
                    };
                    self.push_errors(errors);
                    ok = false;
                    break;
                }
            }
        }
        let chain = ok.then(|| {
            files.reverse();
            Arc::new(Chain { files })
        });
        self.loaded.insert(path.to_path_buf(), chain.clone());
        chain
    }

    /// Everything the engine needs for the file at `path`: the chain's settings for it, with
    /// the command line on top.
    /// Files that resolve alike share one value.
    pub fn settings_for(&mut self, path: &Path, cli: &CliOverrides) -> Arc<FileSettings> {
        let chain = self.chain_for(path);
        let absolute = self.absolute(path);
        let chain = chain.as_deref();
        let matching = matching_overrides(chain, &absolute);
        let key = (
            chain.map_or(0, |c| std::ptr::from_ref(c) as usize),
            matching,
        );
        let memo = match &mut self.resolved {
            Some((resolved_cli, memo)) if resolved_cli == cli => memo,
            slot => &mut slot.insert((cli.clone(), HashMap::new())).1,
        };
        if let Some(settings) = memo.get(&key) {
            return settings.clone();
        }
        let settings = Arc::new(resolve_matching(chain, &key.1, cli));
        memo.insert(key, Arc::clone(&settings));
        settings
    }
}

/// The `overrides:` entries of `chain` that match the file at `absolute`, as (config file index,
/// entry index).
fn matching_overrides(chain: Option<&Chain>, absolute: &Path) -> Vec<(usize, usize)> {
    let files: &[ConfigFile] = chain.map_or(&[], |c| c.files.as_slice());
    files
        .iter()
        .enumerate()
        .flat_map(|(file, f)| {
            f.overrides
                .iter()
                .enumerate()
                .map(move |(at, o)| (file, at, o))
        })
        .filter(|(_, _, o)| o.files.matches(absolute))
        .map(|(file, at, _)| (file, at))
        .collect()
}

/// The settings `chain` (or none) gives the file at `absolute`, with `cli` on top.
pub fn resolve(chain: Option<&Chain>, absolute: &Path, cli: &CliOverrides) -> FileSettings {
    resolve_matching(chain, &matching_overrides(chain, absolute), cli)
}

/// The settings of a file of `chain` matched by the `overrides:` entries `matching`.
fn resolve_matching(
    chain: Option<&Chain>,
    matching: &[(usize, usize)],
    cli: &CliOverrides,
) -> FileSettings {
    let files: &[ConfigFile] = chain.map_or(&[], |c| c.files.as_slice());
    let matching: Vec<&Override> = matching
        .iter()
        .filter_map(|&(file, at)| files.get(file)?.overrides.get(at))
        .collect();
    let mut layers: Vec<Selection> = files.iter().map(|f| f.selection.clone()).collect();
    layers.extend(matching.iter().map(|o| o.selection.clone()));
    layers.push(cli.selection.clone());
    let policies: Vec<&crate::policies::template::PolicyRule> = chain
        .map(|c| c.policy_rules().collect())
        .unwrap_or_default();
    let policy_rules: Vec<RuleRef> = policies.iter().map(|p| p.rule.clone()).collect();
    let mut settings = Settings::with_policies(&policy_rules, &layers);

    let rule_settings: Vec<&RuleSetting> = files
        .iter()
        .flat_map(|f| f.rules.iter())
        .chain(matching.iter().flat_map(|o| o.rules.iter()))
        .collect();
    for setting in &rule_settings {
        if let Some(severity) = setting.severity {
            for rule in &setting.rules {
                settings.set_severity(rule, severity);
            }
            if let Some(codes) = &setting.shellcheck {
                settings.set_shellcheck_severity(codes, severity);
            }
        }
    }
    let builtins = crate::linter::rules::all()
        .iter()
        .map(|&rule| RuleRef::Builtin(rule));
    for rule in builtins.chain(policy_rules) {
        if rule.options().is_empty() {
            continue;
        }
        // A `builtin:` policy's own options come first, the config's `rules:` on top.
        let declared = policies
            .iter()
            .filter(|p| p.rule.code() == rule.code())
            .flat_map(|p| p.options.iter().map(|(n, v)| (n.as_str(), v)));
        let configured: Vec<(&str, &OptionValue)> = declared
            .chain(
                rule_settings
                    .iter()
                    .filter(|s| s.rules.len() == 1 && s.rules[0].code() == rule.code())
                    .flat_map(|s| s.options.iter().map(|(n, v)| (n.as_str(), v))),
            )
            .collect();
        if !configured.is_empty() {
            settings.set_options(&rule, RuleOptions::resolve(rule.options(), configured));
        }
    }
    settings.strict = files.iter().rev().find_map(|f| f.strict).unwrap_or(false);
    // Every file of the chain adds to the table: a base's images stay known in its subtrees.
    settings.non_root_images = NonRootImages::new(
        files
            .iter()
            .flat_map(|f| f.non_root_images.iter().cloned())
            .collect(),
    );
    let fail_level = cli
        .fail_level
        .or_else(|| files.iter().rev().find_map(|f| f.fail_level))
        .unwrap_or(DEFAULT_FAIL_LEVEL);
    let shellcheck = cli
        .shellcheck
        .or_else(|| files.iter().rev().find_map(|f| f.shellcheck))
        .unwrap_or_default();
    settings.shellcheck = shellcheck != Switch::Off;
    FileSettings {
        settings,
        fail_level,
        shellcheck,
        config: chain.map(|c| c.path().to_path_buf()),
    }
}

/// `.` and `..` removed lexically (symbolic links are not resolved).
pub use crate::linter::project::normalize;

/// `true` when `path` (resolved) lies outside the repository of `referrer` (see
/// [`crate::workspace::runner::tree_of`]).
fn outside_repository(path: &Path, referrer: &Path) -> bool {
    let tree = crate::workspace::runner::tree_of(referrer);
    let tree = std::fs::canonicalize(&tree).unwrap_or(tree);
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    !resolved.starts_with(&tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::rules;

    fn chain(texts: &[(&str, &str)]) -> Chain {
        Chain {
            files: texts
                .iter()
                .map(|(path, text)| parse(Path::new(path), text).unwrap())
                .collect(),
        }
    }

    #[test]
    fn files_sharing_a_chain_and_overrides_share_resolved_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join(".plimsoll.yaml"),
            "select: [DF002, DF004]\noverrides:\n  - files: [legacy]\n    ignore: [DF004]\n",
        )
        .unwrap();
        let mut resolver = Resolver::new(ResolveOptions::default(), dir.path());
        let codes = |settings: &FileSettings| -> Vec<String> {
            let enabled = settings.settings.enabled().iter();
            enabled.map(|r| r.code().to_owned()).collect()
        };
        let cli = CliOverrides::default();
        let a = codes(&resolver.settings_for(Path::new("a/Dockerfile"), &cli));
        let b = codes(&resolver.settings_for(Path::new("b/Dockerfile"), &cli));
        let old = codes(&resolver.settings_for(Path::new("legacy/Dockerfile"), &cli));
        assert_eq!(a, ["PL000", "DF002", "DF004"]);
        assert_eq!(a, b);
        assert_eq!(
            old,
            ["PL000", "DF002"],
            "the override's own settings, not a's"
        );
        assert_eq!(
            resolver.resolved.as_ref().unwrap().1.len(),
            2,
            "two keys resolved"
        );
        let narrower = CliOverrides {
            selection: Selection {
                ignore: vec!["DF002".into()],
                ..Selection::default()
            },
            fail_level: None,
            shellcheck: None,
        };
        let a = codes(&resolver.settings_for(Path::new("a/Dockerfile"), &narrower));
        assert_eq!(a, ["PL000", "DF004"], "another command line resolves again");
    }

    #[test]
    fn a_directory_written_alike_is_remembered_but_not_one_ending_in_dot_dot() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join(".plimsoll.yaml"), "select: [DF002]\n").unwrap();
        std::fs::write(dir.path().join("a/b/.plimsoll.yaml"), "select: [DF004]\n").unwrap();
        let mut resolver = Resolver::new(ResolveOptions::default(), dir.path());
        let config = |resolver: &mut Resolver, path: &str| {
            let chain = resolver.chain_for(Path::new(path)).unwrap();
            let found = chain.path().strip_prefix(dir.path()).unwrap().to_path_buf();
            found.to_string_lossy().replace('\\', "/")
        };
        assert_eq!(
            config(&mut resolver, "a/b/Dockerfile"),
            "a/b/.plimsoll.yaml"
        );
        // `a/b/..` is `a`, though written in `a/b`: it must not set what `a/b` resolves to.
        assert_eq!(config(&mut resolver, "a/b/.."), ".plimsoll.yaml");
        assert_eq!(
            config(&mut resolver, "a/b/compose.yaml"),
            "a/b/.plimsoll.yaml"
        );
        assert_eq!(config(&mut resolver, "a/Dockerfile"), ".plimsoll.yaml");
        assert_eq!(config(&mut resolver, "a/./b/x"), "a/b/.plimsoll.yaml");
        assert_eq!(config(&mut resolver, "a/b/../Dockerfile"), ".plimsoll.yaml");
    }

    #[test]
    fn layers_overrides_and_the_command_line_resolve_in_order() {
        let chain = chain(&[
            (
                "/r/.plimsoll.yaml",
                "select: [DF002, DF004]\nrules:\n  provenance: {severity: error}\n",
            ),
            (
                "/r/svc/.plimsoll.yaml",
                "extend-select: [DF003]\nignore: [DF004]\noverrides:\n  - files: [legacy]\n    \
                 ignore: [DF002]\n    rules:\n      PL001: {options: {hadolint: true}}\n",
            ),
        ]);
        let cli = CliOverrides::default();
        let top = resolve(Some(&chain), Path::new("/r/svc/Dockerfile"), &cli);
        let codes: Vec<&str> = top.settings.enabled().iter().map(|r| r.code()).collect();
        assert_eq!(codes, ["PL000", "DF002", "DF003"]);
        assert_eq!(
            top.settings.severity_of(&rules::LATEST_TAG),
            Severity::Error
        );
        assert_eq!(
            top.settings.severity_of(&rules::ROOT_USER),
            Severity::Warning
        );
        assert!(
            !top.settings
                .options_for(&rules::UNUSED_SUPPRESSION)
                .bool("hadolint")
        );
        assert_eq!(top.fail_level, DEFAULT_FAIL_LEVEL);

        let legacy = resolve(Some(&chain), Path::new("/r/svc/legacy/Dockerfile"), &cli);
        let codes: Vec<&str> = legacy.settings.enabled().iter().map(|r| r.code()).collect();
        assert_eq!(codes, ["PL000", "DF003"]);
        assert!(
            legacy
                .settings
                .options_for(&rules::UNUSED_SUPPRESSION)
                .bool("hadolint")
        );

        let cli = CliOverrides {
            selection: Selection {
                select: Some(vec!["DF004".into()]),
                ..Selection::default()
            },
            fail_level: Some(Severity::Error),
            shellcheck: None,
        };
        let forced = resolve(Some(&chain), Path::new("/r/svc/legacy/Dockerfile"), &cli);
        let codes: Vec<&str> = forced.settings.enabled().iter().map(|r| r.code()).collect();
        assert_eq!(codes, ["PL000", "DF004"]);
        assert_eq!(forced.fail_level, Severity::Error);
    }

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
    }
}
