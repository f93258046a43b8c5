//! One `.plimsoll.yaml` as text → [`ConfigFile`], read with the project's spanned YAML tree so
//! every problem (unknown key, unknown rule, bad option value, wrong type) is a [`ConfigError`]
//! at the exact place it is written. All the errors of a file are collected, not just the first.

use std::path::{Path, PathBuf};

use crate::linter::diagnostic::Severity;
use crate::linter::rule::RuleRef;
use crate::linter::rule::{OptionKind, OptionValue};
use crate::linter::rules;
use crate::linter::selection::{self, Selection, closest, unknown_selector};
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::Span;
use crate::syntax::yaml::{self, Entry, Node, Scalar, ScalarStyle};

use super::glob::{PathMatcher, PatternError};
use super::policy::PolicyCache;
use super::{ComposeProject, DeclaredContext};
use super::{ConfigError, ConfigFile, Override, RuleSetting};
use crate::workspace::shellcheck::Switch;

/// The top-level keys, with one line each for the JSON Schema and the docs.
pub const TOP_LEVEL_KEYS: &[(&str, &str)] = &[
    (
        "extends",
        "Another config file (relative to this one) whose settings this file builds on",
    ),
    (
        "select",
        "Run exactly these rules: codes, names, categories, code prefixes or `all`",
    ),
    (
        "extend-select",
        "Run these rules in addition to the selected ones",
    ),
    ("ignore", "Do not run these rules"),
    (
        "rules",
        "Per-rule settings by rule code, name, category, code prefix or `all`: `severity` and `options`",
    ),
    (
        "overrides",
        "Settings for the files that match glob patterns (relative to this file)",
    ),
    (
        "fail-level",
        "Exit with 1 when a finding has this severity or a higher one",
    ),
    (
        "include",
        "Extra file-name globs per kind (`dockerfile`, `compose`) to lint when walking directories",
    ),
    (
        "exclude",
        "Paths (globs relative to this file) never linted when walking directories",
    ),
    (
        "strict",
        "Inline suppressions must give a reason (`# plimsoll ignore=RULE -- reason`)",
    ),
    (
        "policies",
        "Directories (relative to this file) of policy files declaring organisation rules",
    ),
    (
        "non-root-images",
        "Base images (`name[:tag]` patterns, `*` matches anything) known to run as a non-root \
         user, added to the built-in table `root-user` and `service-image-runs-as-root` use",
    ),
    (
        "shellcheck",
        "Run ShellCheck on RUN scripts: `auto` (when it is installed), `on` (required) or `off`",
    ),
    (
        "compose",
        "Compose projects: `projects:` lists projects whose files are not found the way `docker compose` finds them",
    ),
    (
        "build-contexts",
        "The build context of Dockerfiles built from another directory (`docker build -f docker/app.Dockerfile .`): \
         entries of `dockerfile:` globs and a `context:` directory, relative to this file",
    ),
];

/// The keys of one `build-contexts:` entry.
pub const BUILD_CONTEXT_KEYS: &[(&str, &str)] = &[
    (
        "dockerfile",
        "The Dockerfiles built from this context: a glob or a list of globs, relative to this config file",
    ),
    (
        "context",
        "The directory they are built from (the `PATH` of `docker build`), relative to this config file",
    ),
];

/// The keys of `compose:`.
pub const COMPOSE_KEYS: &[(&str, &str)] = &[(
    "projects",
    "Compose projects, each checked as `docker compose -f FILE … --env-file FILE` would load it",
)];

/// The keys of one `compose: projects:` entry.
pub const COMPOSE_PROJECT_KEYS: &[(&str, &str)] = &[
    (
        "files",
        "The project's compose files in order, relative to this config file (as `docker compose -f`)",
    ),
    (
        "project-directory",
        "The project directory (default: the first file's directory)",
    ),
    (
        "env-file",
        "The env file the project's variables come from instead of the project directory's `.env`",
    ),
];

/// The keys of one `overrides:` entry.
pub const OVERRIDE_KEYS: &[(&str, &str)] = &[
    (
        "files",
        "Globs (relative to the config file) of the files this override applies to",
    ),
    ("select", "Run exactly these rules on the matching files"),
    (
        "extend-select",
        "Also run these rules on the matching files",
    ),
    ("ignore", "Do not run these rules on the matching files"),
    (
        "rules",
        "Per-rule `severity` and `options` for the matching files",
    ),
];

/// The keys of one `rules:` entry.
pub const RULE_KEYS: &[(&str, &str)] = &[
    ("severity", "The severity of this rule's findings"),
    (
        "options",
        "The rule's options (see `plimsoll rule NAME`); only for a single rule",
    ),
];

/// The kinds `include:` accepts.
pub const INCLUDE_KINDS: &[FileKind] = &[FileKind::Dockerfile, FileKind::Compose];

/// Parse the config file at `path` (an absolute path; `text` is its content).
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, Vec<ConfigError>> {
    parse_with_policies(path, text, &mut PolicyCache::default())
}

/// [`parse`], loading the config's policies through `policy_cache`.
pub fn parse_with_policies(
    path: &Path,
    text: &str,
    policy_cache: &mut PolicyCache,
) -> Result<ConfigFile, Vec<ConfigError>> {
    let source = SourceFile::new(path, text, FileKind::Compose);
    let mut reader = Reader {
        source: &source,
        dir: path.parent().unwrap_or(Path::new("/")).to_path_buf(),
        errors: Vec::new(),
        policies: Vec::new(),
    };
    let config = reader.file(policy_cache);
    if reader.errors.is_empty() {
        Ok(config)
    } else {
        reader.errors.sort_by_key(|e| e.span.map(|s| s.start));
        cap_errors(&mut reader.errors);
        Err(reader.errors)
    }
}

/// The most problems reported for one config or policy file: a file that is not a config at
/// all (a key, `/etc/passwd`) would otherwise have each of its lines quoted back.
pub const MAX_ERRORS_PER_FILE: usize = 20;

/// The most characters of the file's own text quoted in one message.
pub const MAX_EXCERPT_CHARS: usize = crate::syntax::excerpt::FILE_TEXT_CHARS;

/// Keep the first [`MAX_ERRORS_PER_FILE`] of `errors` (sorted by position), and say how many
/// more there were.
pub(super) fn cap_errors(errors: &mut Vec<ConfigError>) {
    if errors.len() <= MAX_ERRORS_PER_FILE {
        return;
    }
    let more = errors.len() - MAX_ERRORS_PER_FILE;
    errors.truncate(MAX_ERRORS_PER_FILE);
    if let Some(last) = errors.last() {
        let note = ConfigError {
            message: format!("{more} more problems in this file are not shown"),
            ..last.clone()
        };
        errors.push(note);
    }
}

/// `text` as quoted in a message: at most [`MAX_EXCERPT_CHARS`] characters of its first line.
pub fn excerpt(text: &str) -> String {
    crate::syntax::excerpt::first_line(text, MAX_EXCERPT_CHARS)
}

pub(super) struct Reader<'a> {
    pub(super) source: &'a SourceFile,
    pub(super) dir: PathBuf,
    pub(super) errors: Vec<ConfigError>,
    /// Policy rules declared by this config's policy files (selectable like built-in rules).
    pub(super) policies: Vec<RuleRef>,
}

impl Reader<'_> {
    pub(super) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors
            .push(ConfigError::at(self.source, span, message.into()));
    }

    fn file(&mut self, policy_cache: &mut PolicyCache) -> ConfigFile {
        let mut config = ConfigFile {
            path: self.source.path.clone(),
            dir: self.dir.clone(),
            ..ConfigFile::default()
        };
        let tree = yaml::parse(&self.source.text);
        for error in &tree.errors {
            self.error(error.span, format!("invalid YAML: {}", error.message));
        }
        for duplicate in &tree.duplicate_keys {
            self.error(
                duplicate.duplicate,
                format!("duplicate key `{}`", excerpt(&duplicate.key)),
            );
        }
        if let Some(second) = tree.documents.get(1) {
            self.error(
                second.span,
                "a config file holds one YAML document, this is a second one",
            );
        }
        let root = tree.documents.first();
        // Policy files first: `select`, `ignore` and `rules` may name the rules they declare.
        let mut dirs = vec![(self.dir.join(super::policy::DEFAULT_DIR), None)];
        if let Some(value) = root
            .and_then(|r| r.get("policies"))
            .filter(|v| !v.is_null())
        {
            for (text, span) in self.strings(value) {
                let dir = self.dir.join(text);
                if !dir.is_dir() {
                    self.error(
                        span,
                        format!("policy directory `{}` does not exist", dir.display()),
                    );
                }
                config.policies.push(dir.clone());
                dirs.push((dir, Some(span)));
            }
        }
        config.policy_rules = super::policy::load_dirs(
            policy_cache,
            dirs.iter().map(|(dir, _)| dir.as_path()),
            &mut self.errors,
        );
        self.policies = config.policy_rules.iter().map(|p| p.rule.clone()).collect();
        // The policy rules of the files this one extends are selectable here too (they run
        // wherever this config applies). Their errors are reported when those files load.
        let inherited = super::policy::load_dirs(
            policy_cache,
            inherited_policy_dirs(&self.dir, root)
                .iter()
                .map(PathBuf::as_path),
            &mut Vec::new(),
        );
        self.policies
            .extend(inherited.iter().map(|p| p.rule.clone()));
        let Some(root) = root else {
            return config;
        };
        if root.is_null() {
            return config;
        }
        let Some(entries) = self.mapping(root, "the config file") else {
            return config;
        };
        for entry in entries {
            let Some(key) = self.key(entry, TOP_LEVEL_KEYS, "top-level key") else {
                continue;
            };
            let value = &entry.value;
            // `key:` with nothing after it (every item commented out) is the key left out.
            if value.is_null() {
                continue;
            }
            match key {
                "extends" => {
                    if let Some(text) = self.string(value) {
                        config.extends = Some((self.dir.join(text), value.span));
                    }
                }
                "select" => config.selection.select = Some(self.selectors(value)),
                "extend-select" => config.selection.extend_select = self.selectors(value),
                "ignore" => config.selection.ignore = self.selectors(value),
                "rules" => config.rules = self.rules(value),
                "overrides" => config.overrides = self.overrides(value),
                "fail-level" => config.fail_level = self.severity(value),
                "include" => config.include = self.include(value),
                "exclude" => {
                    config.exclude = self.globs(value);
                }
                "strict" => config.strict = self.boolean(value),
                "shellcheck" => config.shellcheck = self.shellcheck_switch(value),
                "compose" => config.compose_projects = self.compose(value),
                "build-contexts" => config.build_contexts = self.build_contexts(value),
                "non-root-images" => config.non_root_images = self.image_patterns(value),
                // Read before the other keys (above).
                "policies" => {}
                _ => {}
            }
        }
        config
    }

    /// The entry's key, if it is one of `known` (else an error with a suggestion).
    pub(super) fn key(
        &mut self,
        entry: &Entry,
        known: &[(&'static str, &str)],
        what: &str,
    ) -> Option<&'static str> {
        let Some(key) = entry.key.as_str() else {
            self.error(entry.key.span, format!("expected a {what} (a string)"));
            return None;
        };
        if let Some((name, _)) = known.iter().find(|(name, _)| *name == key) {
            return Some(name);
        }
        let mut message = format!("unknown {what} `{}`", excerpt(key));
        match closest(key, known.iter().map(|(name, _)| *name)) {
            Some(close) => message.push_str(&format!("; did you mean `{close}`?")),
            None => message.push_str(&format!(
                " (expected one of {})",
                known
                    .iter()
                    .map(|(name, _)| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
        self.error(entry.key.span, message);
        None
    }

    pub(super) fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Entry]> {
        match node.as_mapping() {
            Some(entries) => Some(entries),
            None => {
                self.error(
                    node.span,
                    format!("{what} must be a mapping (`key: value`)"),
                );
                None
            }
        }
    }

    /// A non-empty scalar.
    pub(super) fn string(&mut self, node: &Node) -> Option<String> {
        match node.as_str() {
            Some(text) if !text.trim().is_empty() => Some(text.to_string()),
            _ => {
                self.error(node.span, "expected a string");
                None
            }
        }
    }

    /// `auto`, `on` or `off` (also `true` and `false`).
    fn shellcheck_switch(&mut self, node: &Node) -> Option<Switch> {
        let text = node.as_str().map(str::to_string).or_else(|| {
            node.as_scalar()
                .and_then(Scalar::as_bool)
                .map(|b| if b { "on" } else { "off" }.to_string())
        });
        match text.as_deref().and_then(Switch::parse) {
            Some(switch) => Some(switch),
            None => {
                self.error(node.span, "expected `auto`, `on` or `off`");
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, node: &Node) -> Option<bool> {
        match node.as_scalar().and_then(Scalar::as_bool) {
            Some(b) => Some(b),
            None => {
                self.error(node.span, "expected `true` or `false`");
                None
            }
        }
    }

    /// A list of non-empty strings with their spans.
    pub(super) fn strings(&mut self, node: &Node) -> Vec<(String, Span)> {
        let Some(items) = node.as_sequence() else {
            self.error(node.span, "expected a list of strings (`[a, b]`)");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(text) = self.string(item) {
                out.push((text, item.span));
            }
        }
        out
    }

    /// The `non-root-images:` patterns; a pattern that cannot match an image is an error.
    fn image_patterns(&mut self, node: &Node) -> Vec<String> {
        let mut out = Vec::new();
        for (text, span) in self.strings(node) {
            match crate::semantic::image_users::pattern_problem(&text) {
                Some(problem) => self.error(
                    span,
                    format!("image pattern `{}`: {problem}", excerpt(&text)),
                ),
                None => out.push(text.trim().to_string()),
            }
        }
        out
    }

    fn selectors(&mut self, node: &Node) -> Vec<String> {
        let mut out = Vec::new();
        for (text, span) in self.strings(node) {
            let selector = text.trim().to_string();
            if selection::is_known_selector(&selector)
                || self
                    .policies
                    .iter()
                    .any(|rule| selection::matches_selector(rule, &selector))
            {
                out.push(selector);
            } else {
                self.error(span, unknown_selector(&selector));
            }
        }
        out
    }

    pub(super) fn severity(&mut self, node: &Node) -> Option<Severity> {
        let Some(text) = node.as_str() else {
            self.error(
                node.span,
                "expected a severity: `style`, `info`, `warning` or `error`",
            );
            return None;
        };
        let all = [
            Severity::Style,
            Severity::Info,
            Severity::Warning,
            Severity::Error,
        ];
        if let Some(severity) = all.into_iter().find(|s| s.as_str() == text) {
            return Some(severity);
        }
        let mut message = format!(
            "unknown severity `{}` (expected `style`, `info`, `warning` or `error`)",
            excerpt(text)
        );
        if let Some(close) = closest(text, all.iter().map(|s| s.as_str())) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        self.error(node.span, message);
        None
    }

    fn globs(&mut self, node: &Node) -> Option<PathMatcher> {
        let patterns = self.strings(node);
        match PathMatcher::new(&self.dir, patterns.iter().map(|(p, s)| (p.as_str(), *s))) {
            Ok(matcher) => Some(matcher),
            Err(errors) => {
                for PatternError { span, message } in errors {
                    self.error(span, message);
                }
                None
            }
        }
    }

    fn include(&mut self, node: &Node) -> Vec<(FileKind, PathMatcher)> {
        let mut out = Vec::new();
        let Some(entries) = self.mapping(node, "`include`") else {
            return out;
        };
        for entry in entries {
            let Some(name) = entry.key.as_str() else {
                self.error(entry.key.span, "expected a file kind");
                continue;
            };
            let Some(kind) = INCLUDE_KINDS.iter().copied().find(|k| k.as_str() == name) else {
                let mut message = format!(
                    "unknown file kind `{}` in `include` (expected `dockerfile` or `compose`)",
                    excerpt(name)
                );
                if let Some(close) = closest(name, INCLUDE_KINDS.iter().map(|k| k.as_str())) {
                    message.push_str(&format!("; did you mean `{close}`?"));
                }
                self.error(entry.key.span, message);
                continue;
            };
            if let Some(matcher) = self.globs(&entry.value) {
                out.push((kind, matcher));
            }
        }
        out
    }

    fn rules(&mut self, node: &Node) -> Vec<RuleSetting> {
        let mut out = Vec::new();
        let Some(entries) = self.mapping(node, "`rules`") else {
            return out;
        };
        for entry in entries {
            let Some(selector) = entry.key.as_str() else {
                self.error(entry.key.span, "expected a rule code or name");
                continue;
            };
            let selected: Vec<RuleRef> = rules::all()
                .iter()
                .map(|&rule| RuleRef::Builtin(rule))
                .chain(self.policies.iter().cloned())
                .filter(|rule| selection::matches_selector(rule, selector))
                .collect();
            let shellcheck = (selected.is_empty() && selection::is_known_selector(selector))
                .then(|| selector.to_string());
            if selected.is_empty() && shellcheck.is_none() {
                self.error(entry.key.span, unknown_selector(selector));
            }
            let mut setting = RuleSetting {
                shellcheck,
                rules: selected,
                severity: None,
                options: Vec::new(),
            };
            if entry.value.is_null() {
                continue;
            }
            let Some(fields) = self.mapping(&entry.value, "a rule's settings") else {
                continue;
            };
            for field in fields {
                let key = self.key(field, RULE_KEYS, "rule setting");
                if field.value.is_null() {
                    continue;
                }
                match key {
                    Some("severity") => setting.severity = self.severity(&field.value),
                    Some("options") if setting.rules.is_empty() => {}
                    Some("options") => {
                        setting.options = self.options(selector, &entry.key, &setting, field);
                    }
                    _ => {}
                }
            }
            if !setting.rules.is_empty() {
                out.push(setting);
            }
        }
        out
    }

    fn options(
        &mut self,
        selector: &str,
        key: &Node,
        setting: &RuleSetting,
        field: &Entry,
    ) -> Vec<(String, OptionValue)> {
        let mut out = Vec::new();
        // Options belong to one rule: a category or prefix would give one option many meanings.
        let policy = self
            .policies
            .iter()
            .find(|rule| rule.code().eq_ignore_ascii_case(selector) || rule.name() == selector)
            .cloned();
        let rule = match rules::find(selector).map(RuleRef::Builtin).or(policy) {
            Some(rule) if setting.rules.len() == 1 => rule,
            _ => {
                self.error(
                    key.span,
                    format!(
                        "`options` need a single rule, but `{selector}` names {} rules; \
                         write one entry per rule code or name",
                        setting.rules.len()
                    ),
                );
                return out;
            }
        };
        let Some(entries) = self.mapping(&field.value, "`options`") else {
            return out;
        };
        for entry in entries {
            let Some(name) = entry.key.as_str() else {
                self.error(entry.key.span, "expected an option name");
                continue;
            };
            let Some(option) = rule.options().iter().find(|o| o.name == name) else {
                let message = if rule.options().is_empty() {
                    format!("rule `{}` ({}) takes no options", rule.name(), rule.code())
                } else {
                    let mut message = format!(
                        "unknown option `{}` for rule `{}` (it takes {})",
                        excerpt(name),
                        rule.name(),
                        rule.options()
                            .iter()
                            .map(|o| format!("`{}`", o.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    if let Some(close) = closest(name, rule.options().iter().map(|o| o.name)) {
                        message.push_str(&format!("; did you mean `{close}`?"));
                    }
                    message
                };
                self.error(entry.key.span, message);
                continue;
            };
            if let Some(value) = self.option_value(&option.kind, &entry.value) {
                out.push((option.name.to_string(), value));
            } else {
                let message = format!(
                    "option `{name}` of rule `{}` must be {}",
                    rule.name(),
                    option.kind.describe()
                );
                self.error(entry.value.span, message);
            }
        }
        out
    }

    /// The value of an option of type `kind`, or `None` when it has another type.
    pub(super) fn option_value(&mut self, kind: &OptionKind, node: &Node) -> Option<OptionValue> {
        match *kind {
            OptionKind::Bool(_) => node
                .as_scalar()
                .and_then(Scalar::as_bool)
                .map(OptionValue::Bool),
            OptionKind::Integer { min, max, .. } => {
                let scalar = node.as_scalar()?;
                if scalar.style != ScalarStyle::Plain {
                    return None;
                }
                let n: i64 = scalar.value.parse().ok()?;
                (min..=max).contains(&n).then_some(OptionValue::Integer(n))
            }
            OptionKind::String(_) => {
                let scalar = node.as_scalar().filter(|s| !s.is_null())?;
                Some(OptionValue::String(scalar.value.clone()))
            }
            OptionKind::StringList(_) => {
                let items = node.as_sequence()?;
                items
                    .iter()
                    .map(|item| {
                        item.as_scalar()
                            .filter(|s| !s.is_null())
                            .map(|s| s.value.clone())
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(OptionValue::List)
            }
            OptionKind::Choice { choices, .. } => {
                let text = node.as_str()?;
                choices
                    .contains(&text)
                    .then(|| OptionValue::String(text.to_string()))
            }
            OptionKind::ChoiceMap { choices, .. } => {
                let entries = node.as_mapping()?;
                entries
                    .iter()
                    .map(|entry| {
                        let name = entry.key.as_str().filter(|k| !k.is_empty())?;
                        let word = entry.value.as_str()?;
                        choices
                            .contains(&word)
                            .then(|| (name.to_string(), word.to_string()))
                    })
                    .collect::<Option<_>>()
                    .map(OptionValue::Map)
            }
        }
    }

    /// `compose:` (`projects:` only).
    fn compose(&mut self, node: &Node) -> Vec<ComposeProject> {
        let mut out = Vec::new();
        let Some(entries) = self.mapping(node, "`compose`") else {
            return out;
        };
        for entry in entries {
            if self.key(entry, COMPOSE_KEYS, "`compose` key") != Some("projects")
                || entry.value.is_null()
            {
                continue;
            }
            let Some(items) = entry.value.as_sequence() else {
                self.error(
                    entry.value.span,
                    "`projects` must be a list of mappings, each with `files:`",
                );
                continue;
            };
            for item in items {
                if let Some(project) = self.compose_project(item) {
                    out.push(project);
                }
            }
        }
        out
    }

    /// One `compose: projects:` entry; its paths must exist.
    fn compose_project(&mut self, item: &Node) -> Option<ComposeProject> {
        let entries = self.mapping(item, "a compose project")?;
        let mut project = ComposeProject::default();
        let existing = |reader: &mut Self, text: String, span: Span, dir: bool| {
            let path = super::normalize(&reader.dir.join(&text));
            let found = if dir { path.is_dir() } else { path.is_file() };
            if !found {
                let what = if dir { "directory" } else { "file" };
                reader.error(
                    span,
                    format!("compose project {what} `{text}` does not exist"),
                );
            }
            path
        };
        for entry in entries {
            let key = self.key(entry, COMPOSE_PROJECT_KEYS, "compose project key");
            if entry.value.is_null() {
                continue;
            }
            match key {
                Some("files") => {
                    for (text, span) in self.strings(&entry.value) {
                        let path = existing(self, text, span, false);
                        project.files.push(path);
                    }
                }
                Some("project-directory") => {
                    if let Some(text) = self.string(&entry.value) {
                        let path = existing(self, text, entry.value.span, true);
                        project.project_directory = Some(path);
                    }
                }
                Some("env-file") => {
                    if let Some(text) = self.string(&entry.value) {
                        let path = existing(self, text, entry.value.span, false);
                        project.env_file = Some(path);
                    }
                }
                _ => {}
            }
        }
        if project.files.is_empty() {
            self.error(
                item.span,
                "a compose project needs `files:` (its compose files, in order)",
            );
            return None;
        }
        Some(project)
    }

    /// `build-contexts:`: a list of `{dockerfile, context}`; the context must be a directory,
    /// and a Dockerfile named by a plain path (no wildcard, with a `/`) must exist.
    fn build_contexts(&mut self, node: &Node) -> Vec<DeclaredContext> {
        let mut out = Vec::new();
        let Some(items) = node.as_sequence() else {
            self.error(
                node.span,
                "`build-contexts` must be a list of mappings, each with `dockerfile:` and `context:`",
            );
            return out;
        };
        for item in items {
            let Some(entries) = self.mapping(item, "a build context") else {
                continue;
            };
            let (mut dockerfiles, mut context) = (None, None);
            for entry in entries {
                let key = self.key(entry, BUILD_CONTEXT_KEYS, "build context key");
                if entry.value.is_null() {
                    continue;
                }
                match key {
                    Some("dockerfile") => {
                        let patterns = match entry.value.as_sequence() {
                            Some(_) => self.strings(&entry.value),
                            None => self
                                .string(&entry.value)
                                .map(|text| vec![(text, entry.value.span)])
                                .unwrap_or_default(),
                        };
                        for (pattern, span) in &patterns {
                            let plain = pattern.trim().trim_start_matches("./");
                            let literal = !plain.contains(['*', '?', '[', '{', '\\']);
                            if literal
                                && plain.trim_matches('/').contains('/')
                                && !super::normalize(&self.dir.join(plain.trim_start_matches('/')))
                                    .exists()
                            {
                                self.error(
                                    *span,
                                    format!("Dockerfile `{}` does not exist", excerpt(pattern)),
                                );
                            }
                        }
                        match PathMatcher::new(
                            &self.dir,
                            patterns.iter().map(|(p, s)| (p.as_str(), *s)),
                        ) {
                            Ok(matcher) if !matcher.is_empty() => dockerfiles = Some(matcher),
                            Ok(_) => {}
                            Err(errors) => {
                                for PatternError { span, message } in errors {
                                    self.error(span, message);
                                }
                            }
                        }
                    }
                    Some("context") => {
                        if let Some(text) = self.string(&entry.value) {
                            let path = super::normalize(&self.dir.join(&text));
                            if path.is_dir() {
                                context = Some(path);
                            } else {
                                self.error(
                                    entry.value.span,
                                    format!(
                                        "build context directory `{}` does not exist",
                                        excerpt(&text)
                                    ),
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
            let has = |name: &str| {
                entries
                    .iter()
                    .any(|e| e.key.as_str() == Some(name) && !e.value.is_null())
            };
            match (dockerfiles, context) {
                (Some(dockerfiles), Some(context)) => out.push(DeclaredContext {
                    dockerfiles,
                    context,
                    config: self.source.path.clone(),
                }),
                // A value that was wrong is already an error.
                _ if has("dockerfile") && has("context") => {}
                _ => self.error(
                    item.span,
                    "a build context needs `dockerfile:` (globs of the Dockerfiles) and \
                     `context:` (the directory they are built from)",
                ),
            }
        }
        out
    }

    fn overrides(&mut self, node: &Node) -> Vec<Override> {
        let mut out = Vec::new();
        let Some(items) = node.as_sequence() else {
            self.error(
                node.span,
                "`overrides` must be a list of mappings, each with `files:`",
            );
            return out;
        };
        for item in items {
            let Some(entries) = self.mapping(item, "an override") else {
                continue;
            };
            let mut files = None;
            let mut selection = Selection::default();
            let mut rules = Vec::new();
            for entry in entries {
                let key = self.key(entry, OVERRIDE_KEYS, "override key");
                if entry.value.is_null() {
                    continue;
                }
                match key {
                    Some("files") => files = self.globs(&entry.value),
                    Some("select") => selection.select = Some(self.selectors(&entry.value)),
                    Some("extend-select") => selection.extend_select = self.selectors(&entry.value),
                    Some("ignore") => selection.ignore = self.selectors(&entry.value),
                    Some("rules") => rules = self.rules(&entry.value),
                    _ => {}
                }
            }
            let has_files_key = entries
                .iter()
                .any(|e| e.key.as_str() == Some("files") && !e.value.is_null());
            match files {
                Some(files) if !files.is_empty() => out.push(Override {
                    files,
                    selection,
                    rules,
                }),
                // A bad `files:` was reported already.
                _ if has_files_key => {}
                _ => self.error(
                    item.span,
                    "an override needs `files:` (globs of the files it applies to)",
                ),
            }
        }
        out
    }
}

/// The policy directories of the `extends` chain above a config file (whose directory is `dir`
/// and whose root node is `root`): each base's `.plimsoll/policies/` and `policies:` entries.
/// Unreadable bases and cycles end the walk (their errors come from loading the chain).
fn inherited_policy_dirs(dir: &Path, root: Option<&Node>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let mut visited: Vec<PathBuf> = Vec::new();
    let mut next = root
        .and_then(|r| r.get("extends"))
        .and_then(Node::as_str)
        .map(|text| super::normalize(&dir.join(text)));
    while let Some(path) = next.take() {
        if visited.contains(&path) {
            break;
        }
        visited.push(path.clone());
        let Ok(text) = crate::workspace::runner::read_config_text(&path, false) else {
            break;
        };
        let tree = yaml::parse(&text);
        let base_dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        dirs.push(base_dir.join(super::policy::DEFAULT_DIR));
        let Some(base) = tree.documents.first() else {
            break;
        };
        for item in base
            .get("policies")
            .and_then(Node::as_sequence)
            .unwrap_or_default()
        {
            if let Some(text) = item.as_str() {
                dirs.push(base_dir.join(text));
            }
        }
        next = base
            .get("extends")
            .and_then(Node::as_str)
            .map(|text| super::normalize(&base_dir.join(text)));
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(kind: OptionKind, yaml_text: &str) -> Option<OptionValue> {
        let source = SourceFile::new("/c/.plimsoll.yaml", "", FileKind::Compose);
        let mut reader = Reader {
            source: &source,
            dir: PathBuf::from("/c"),
            errors: Vec::new(),
            policies: Vec::new(),
        };
        let tree = yaml::parse(yaml_text);
        reader.option_value(&kind, &tree.documents[0])
    }

    #[test]
    fn option_values_are_typed() {
        let int = OptionKind::Integer {
            default: 2,
            min: 1,
            max: 10,
        };
        assert_eq!(value(int, "7"), Some(OptionValue::Integer(7)));
        assert_eq!(value(int, "11"), None, "out of range");
        assert_eq!(value(int, "'7'"), None, "quoted is a string");
        assert_eq!(
            value(OptionKind::Bool(false), "true"),
            Some(OptionValue::Bool(true))
        );
        assert_eq!(value(OptionKind::Bool(false), "yes"), None);
        let list = OptionKind::StringList(&[]);
        assert_eq!(
            value(list, "[a, 'b c']"),
            Some(OptionValue::List(vec!["a".into(), "b c".into()]))
        );
        assert_eq!(value(list, "a"), None);
        assert_eq!(value(list, "[a, [b]]"), None);
        let choice = OptionKind::Choice {
            default: "x",
            choices: &["x", "y"],
        };
        assert_eq!(value(choice, "y"), Some(OptionValue::String("y".into())));
        assert_eq!(value(choice, "z"), None);
        assert_eq!(value(OptionKind::String(""), "~"), None);
        let map = OptionKind::ChoiceMap {
            default: &[],
            choices: &["url", "text"],
        };
        assert_eq!(
            value(map, "{org.example.url: url, b: text}"),
            Some(OptionValue::Map(
                [("b", "text"), ("org.example.url", "url")]
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            ))
        );
        assert_eq!(value(map, "{a: uri}"), None, "not one of the choices");
        assert_eq!(value(map, "[a]"), None);
        assert_eq!(value(map, "{a: [url]}"), None);
        assert_eq!(value(map, "{}"), Some(OptionValue::Map(Default::default())));
    }

    #[test]
    fn keys_left_empty_are_keys_left_out() {
        let text = "select:\nrules:\n  # latest-tag: {severity: error}\nexclude:\n";
        let config = parse(Path::new("/r/.plimsoll.yaml"), text).unwrap();
        assert_eq!(config.selection.select, None);
        assert!(config.rules.is_empty());
        let errors = parse(Path::new("/r/.plimsoll.yaml"), "overrides:\n  - files:\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("an override needs `files:`"));
        assert_eq!(errors[0].position.unwrap().line, 2);
        let errors = parse(Path::new("/r/.plimsoll.yaml"), "fail-level: [error]\n").unwrap_err();
        assert_eq!(
            errors[0].message,
            "expected a severity: `style`, `info`, `warning` or `error`"
        );
    }

    #[test]
    fn a_config_file_reads_every_key() {
        let text = "\
extends: base.yaml
select: [DF]
extend-select: [DC002]
ignore: [root-user]
rules:
  PL001: {severity: error, options: {hadolint: true}}
overrides:
  - files: [a/**]
    select: [DF002]
fail-level: warning
include: {compose: [\"stack.yml\"]}
exclude: [vendor]
strict: true
";
        let config = parse(Path::new("/repo/.plimsoll.yaml"), text).unwrap();
        assert_eq!(
            config.extends.as_ref().unwrap().0,
            Path::new("/repo/base.yaml")
        );
        assert_eq!(config.selection.select, Some(vec!["DF".to_string()]));
        assert_eq!(config.selection.extend_select, ["DC002"]);
        assert_eq!(config.selection.ignore, ["root-user"]);
        assert_eq!(config.rules[0].rules[0].code(), "PL001");
        assert_eq!(config.rules[0].severity, Some(Severity::Error));
        assert_eq!(
            config.rules[0].options,
            [("hadolint".to_string(), OptionValue::Bool(true))]
        );
        assert!(
            config.overrides[0]
                .files
                .matches(Path::new("/repo/a/b/Dockerfile"))
        );
        assert_eq!(config.fail_level, Some(Severity::Warning));
        assert_eq!(config.include[0].0, FileKind::Compose);
        assert!(config.exclude.unwrap().matches(Path::new("/repo/vendor/x")));
        assert_eq!(config.strict, Some(true));
        assert!(config.policies.is_empty());
    }

    #[test]
    fn policy_directories_are_read_and_their_rules_selectable() {
        let dir = std::env::temp_dir().join(format!("plimsoll-parse-{}", std::process::id()));
        let policies = dir.join("org");
        std::fs::create_dir_all(&policies).unwrap();
        std::fs::write(
            policies.join("a.yaml"),
            "rules:\n  - {code: ACME7, name: acme-seven, summary: s, category: provenance, \
             template: image, options: {require-digest: true}}\n",
        )
        .unwrap();
        let text =
            "select: [ACME7]\nrules:\n  acme-seven: {severity: error}\npolicies: [org, gone]\n";
        let errors = parse(&dir.join(".plimsoll.yaml"), text).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.starts_with("policy directory"));
        assert_eq!(errors[0].position.unwrap().line, 4);
        let text = text.replace(", gone", "");
        let config = parse(&dir.join(".plimsoll.yaml"), &text).unwrap();
        assert_eq!(config.policies, [policies]);
        assert_eq!(config.policy_rules.len(), 1);
        assert_eq!(config.selection.select, Some(vec!["ACME7".to_string()]));
        assert_eq!(config.rules[0].rules[0].code(), "ACME7");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
