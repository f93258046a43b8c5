//! What a rule is: a static declaration (code, name, metadata, docs) plus one check function.
//!
//! Built-in rules live in `rules/`, one `.rs` and one `.md` per rule, and are listed once in
//! `rules/mod.rs`. The same declaration feeds `plimsoll rules`, `plimsoll rule NAME`, the docs,
//! SARIF rule metadata and LSP hovers.

mod reference;

pub use reference::{PolicyRuleDecl, RuleCode, RuleRef};

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use crate::linter::diagnostic::{Category, Finding, Severity};
use crate::linter::project::{ParsedDockerfile, Workspace, normalize};
use crate::semantic::NonRootImages;
use crate::syntax::compose::{ComposeFile, Service};
use crate::syntax::dockerfile::shell::{self, ShellScript, SimpleCommand};
use crate::syntax::dockerfile::{Command, Dockerfile, Instruction, ShellOrExec};
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::Span;

/// Which files a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Dockerfile,
    Compose,
    /// Both kinds (reserved rules such as `parse-error`).
    Any,
}

/// Whether a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// How settled a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Stable,
    Preview,
}

/// What a Dockerfile rule sees.
pub struct DockerfileContext<'a> {
    pub source: &'a SourceFile,
    pub dockerfile: &'a Dockerfile,
    /// The running rule's options (configured values over the declared defaults).
    pub options: &'a RuleOptions,
    /// Shell analyses of the RUN instructions, shared by every rule run on this file; use
    /// [`DockerfileContext::shell`] and [`DockerfileContext::heredoc_shells`].
    pub shells: &'a ShellCache,
    /// Every simple command the file's RUNs run (`rules::run_commands`), collected once per
    /// file from `shells`: about seventeen rules read it.
    pub run_commands: &'a RunCommands<'a>,
    /// Who base images run as (the built-in table and the config's `non-root-images`).
    pub non_root_images: &'a NonRootImages,
    /// Other files of the project: the Dockerfile's build context
    /// ([`DockerfileContext::build_context`]); may hold none.
    pub workspace: &'a dyn Workspace,
}

/// The simple commands of a file's RUNs, borrowed from its [`ShellCache`] (no copies).
pub type RunCommands<'a> = OnceLock<Vec<&'a SimpleCommand>>;

/// The shell analyses of one Dockerfile's RUN instructions, each computed on first use. About
/// fifteen rules read the commands of every RUN; analysing each RUN once per file instead of
/// once per rule is what this is for.
#[derive(Debug, Default)]
pub struct ShellCache {
    /// Per instruction: the analysis of its RUN (or `ONBUILD RUN`): shell-form text, or the
    /// exec form's words.
    runs: Vec<OnceLock<Option<ShellScript>>>,
    /// Per instruction: one analysis per heredoc, of the body as written in the source.
    heredocs: Vec<OnceLock<Vec<ShellScript>>>,
    /// The address of each ONBUILD trigger, with the index of its ONBUILD instruction, built on
    /// the first lookup of a trigger: a search per lookup made the RUN rules quadratic in the
    /// number of `ONBUILD RUN`s (scripts/rule-scaling.sh).
    triggers: OnceLock<HashMap<usize, usize>>,
    /// The Dockerfile's build context listing, asked of the workspace once for the five
    /// context rules.
    build_context: OnceLock<Option<Arc<crate::semantic::build_context::BuildContext>>>,
    /// What several rules derive from the file alike, by type ([`DockerfileContext::memo`]).
    memos: Mutex<Vec<Arc<dyn Any + Send + Sync>>>,
}

impl ShellCache {
    /// An empty cache for a Dockerfile with `instructions` top-level instructions.
    pub fn new(instructions: usize) -> Self {
        Self {
            runs: (0..instructions).map(|_| OnceLock::new()).collect(),
            heredocs: (0..instructions).map(|_| OnceLock::new()).collect(),
            triggers: OnceLock::new(),
            build_context: OnceLock::new(),
            memos: Mutex::default(),
        }
    }
}

/// The RUN an instruction runs: itself, or the instruction an `ONBUILD` wraps.
fn run_instruction(instruction: &Instruction) -> &Instruction {
    match &instruction.command {
        Command::Onbuild(inner) => inner,
        _ => instruction,
    }
}

impl<'a> DockerfileContext<'a> {
    /// The value of type `T` that `make` derives from this file, made once per file for all the
    /// rules that ask (`T` names what it is: each rule module's own type). Two rules asking at
    /// once on different threads may both make it; one is kept.
    pub fn memo<T: Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let lock = || {
            self.shells
                .memos
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let known = |memos: &[Arc<dyn Any + Send + Sync>]| {
            memos
                .iter()
                .find_map(|memo| Arc::clone(memo).downcast::<T>().ok())
        };
        if let Some(found) = known(&lock()) {
            return found;
        }
        let made = Arc::new(make());
        let mut memos = lock();
        if let Some(found) = known(&memos) {
            return found;
        }
        memos.push(made.clone());
        made
    }

    /// The listing of this Dockerfile's build context, when the workspace lists contexts.
    pub fn build_context(&self) -> Option<Arc<crate::semantic::build_context::BuildContext>> {
        self.shells
            .build_context
            .get_or_init(|| self.workspace.build_context(&self.source.path))
            .clone()
    }

    /// The index of `instruction` in the Dockerfile's top-level instructions, when it is one of
    /// them, or of the `ONBUILD` whose trigger it is (the key of [`DockerfileContext::shell`],
    /// as in [`crate::semantic::Effective::index`]).
    pub fn instruction_index(&self, instruction: &Instruction) -> Option<usize> {
        let instructions = &self.dockerfile.instructions;
        let size = std::mem::size_of::<Instruction>().max(1);
        let base = instructions.as_ptr() as usize;
        let address = std::ptr::from_ref(instruction) as usize;
        // The address says where it would be; only an identical element proves it is there.
        let top_level = address
            .checked_sub(base)
            .map(|offset| offset / size)
            .filter(|&index| {
                instructions
                    .get(index)
                    .is_some_and(|candidate| std::ptr::eq(candidate, instruction))
            });
        top_level.or_else(|| {
            // A trigger lives in its ONBUILD's box; only triggers get this far in practice.
            let triggers = self.shells.triggers.get_or_init(|| {
                let triggers = instructions
                    .iter()
                    .enumerate()
                    .filter_map(|(index, onbuild)| {
                        Some((std::ptr::from_ref(onbuild.trigger()?) as usize, index))
                    });
                triggers.collect()
            });
            triggers.get(&address).copied()
        })
    }

    /// The shell analysis of instruction `index` when it is a RUN (or `ONBUILD RUN`),
    /// computed once per file: the shell form's text, or the exec form's words as one command
    /// (with the script of `["sh", "-c", "…"]`; see [`shell::analyze_exec`]).
    pub fn shell(&self, index: usize) -> Option<&'a ShellScript> {
        let instruction = self.dockerfile.instructions.get(index)?;
        self.shells
            .runs
            .get(index)?
            .get_or_init(|| match &run_instruction(instruction).command {
                Command::Run(ShellOrExec::Shell(text)) => Some(shell::analyze(text)),
                Command::Run(ShellOrExec::Exec(words)) => {
                    let words = words.iter().map(|word| shell::Word {
                        span: word.span,
                        raw: self.source.slice(word.span).to_owned(),
                        value: word.value.clone(),
                    });
                    Some(shell::analyze_exec(words.collect()))
                }
                _ => None,
            })
            .as_ref()
    }

    /// The shell analyses of instruction `index`'s heredoc bodies (of the instruction an
    /// `ONBUILD` wraps), one per heredoc in order, whether or not a shell runs them: callers
    /// decide with [`ShellScript::runs_heredoc_as_shell`]. Spans are source offsets.
    pub fn heredoc_shells(&self, index: usize) -> &'a [ShellScript] {
        let Some(instruction) = self.dockerfile.instructions.get(index) else {
            return &[];
        };
        let Some(slot) = self.shells.heredocs.get(index) else {
            return &[];
        };
        slot.get_or_init(|| {
            run_instruction(instruction)
                .heredocs
                .iter()
                .map(|heredoc| {
                    // The body as written (tabs of `<<-` included, which the shell ignores as
                    // blanks), so spans map one to one.
                    let body = self.source.slice(heredoc.body.span);
                    shell::analyze_str(body, heredoc.body.span.start)
                })
                .collect()
        })
    }
}

/// What a compose rule sees.
pub struct ComposeContext<'a> {
    pub source: &'a SourceFile,
    pub compose: &'a ComposeFile,
    /// The running rule's options (configured values over the declared defaults).
    pub options: &'a RuleOptions,
    /// Other files of the project (the Dockerfiles services build); may hold none.
    pub workspace: &'a dyn Workspace,
    /// The merged compose project this file belongs to, when the workspace loads projects.
    pub project: Option<&'a crate::linter::project::ComposeProjectOf>,
    /// Who base images run as (the built-in table and the config's `non-root-images`).
    pub non_root_images: &'a NonRootImages,
}

/// The Dockerfile a compose service builds, and the stage it builds.
#[derive(Clone, Debug)]
pub struct BuiltDockerfile {
    /// The Dockerfile, parsed. For `dockerfile_inline:` its source is the inline text (with the
    /// compose file's path), so its spans are not offsets into any file.
    pub file: Arc<ParsedDockerfile>,
    /// `false` for a file of the workspace, `true` for `dockerfile_inline:`.
    pub inline: bool,
    /// The span of the `dockerfile_inline:` value in the compose file (inline only).
    pub inline_span: Option<Span>,
    /// Index into the Dockerfile's stages of the stage that is built: `build.target`, or the
    /// last stage.
    pub stage: usize,
}

impl ComposeContext<'_> {
    /// Whether a "missing" finding on `service` is settled by the merged project: the service
    /// is first defined in another file (this one is an override), or the merged service has
    /// one of `keys` (from an override, an `extends` base, an included file).
    pub fn settled_by_project(&self, service: &Service, keys: &[&[&str]]) -> bool {
        self.project
            .is_some_and(|p| p.settles(&service.name.value, keys))
    }

    /// [`Self::settled_by_project`] with the merged service (its mapping) judged by `settled`:
    /// for rules that need a value, not only a key (`cap_drop` holding `ALL`).
    pub fn settled_by_project_when(
        &self,
        service: &Service,
        settled: impl FnOnce(&crate::semantic::compose::Node) -> bool,
    ) -> bool {
        self.project
            .is_some_and(|p| p.settles_when(&service.name.value, settled))
    }

    /// The Dockerfile `service` builds: `build.dockerfile` (default `Dockerfile`) in
    /// `build.context` (default `.`), both relative to the compose file's directory, or
    /// `build.dockerfile_inline`. `None` when the service does not build, the context is remote
    /// (a Git or HTTP URL) or holds a variable, the file cannot be read, or `build.target`
    /// names no stage.
    pub fn built_dockerfile(&self, service: &Service) -> Option<BuiltDockerfile> {
        let build = &service.build.as_ref()?.value;
        let (file, inline, inline_span) = if let Some(inline) = &build.dockerfile_inline {
            let source = SourceFile::new(
                self.source.path.clone(),
                inline.value.clone(),
                FileKind::Dockerfile,
            );
            let parsed = ParsedDockerfile::parse(Arc::new(source));
            (Arc::new(parsed), true, Some(inline.span))
        } else {
            let path = self.build_path(
                build.context.as_ref().map_or(".", |c| c.value.as_str()),
                build
                    .dockerfile
                    .as_ref()
                    .map_or("Dockerfile", |d| d.value.as_str()),
            )?;
            (self.workspace.dockerfile(&path)?, false, None)
        };
        let stages = &file.dockerfile.stages;
        let stage = match &build.target {
            Some(target) => {
                stages
                    .iter()
                    .find(|stage| {
                        stage
                            .name
                            .as_ref()
                            .is_some_and(|name| name.value.eq_ignore_ascii_case(&target.value))
                    })?
                    .index
            }
            None => stages.last()?.index,
        };
        Some(BuiltDockerfile {
            file,
            inline,
            inline_span,
            stage,
        })
    }

    /// Where `service` names a Dockerfile the workspace refused to read (a FIFO, a device, a
    /// symbolic link out of the repository), and why: the `build.dockerfile` value, or the
    /// `build` key when the default `Dockerfile` is meant.
    pub fn refused_build(&self, service: &Service) -> Option<(Span, String)> {
        let field = service.build.as_ref()?;
        let build = &field.value;
        if build.dockerfile_inline.is_some() {
            return None;
        }
        let dockerfile = build.dockerfile.as_ref();
        let path = self.build_path(
            build.context.as_ref().map_or(".", |c| c.value.as_str()),
            dockerfile.map_or("Dockerfile", |d| d.value.as_str()),
        )?;
        if self.workspace.dockerfile(&path).is_some() {
            return None;
        }
        let reason = self.workspace.refusal(&path)?;
        let span = dockerfile.map_or(field.key_span, |d| d.span);
        Some((
            span,
            format!("cannot read the Dockerfile `{}`: {reason}", path.display()),
        ))
    }

    /// The build context directory and Dockerfile path of `service`'s local build (`None`
    /// for no build, an inline Dockerfile, or a remote or variable context).
    pub fn build_context_of(&self, service: &Service) -> Option<(PathBuf, PathBuf)> {
        let build = &service.build.as_ref()?.value;
        if build.dockerfile_inline.is_some() {
            return None;
        }
        let context = build.context.as_ref().map_or(".", |c| c.value.as_str());
        let dockerfile = self.build_path(
            context,
            build
                .dockerfile
                .as_ref()
                .map_or("Dockerfile", |d| d.value.as_str()),
        )?;
        let dir = self.source.path.parent().unwrap_or(Path::new(""));
        Some((normalize(&dir.join(context)), dockerfile))
    }

    /// The path of a local build's Dockerfile, or `None` for a remote or variable context.
    fn build_path(&self, context: &str, dockerfile: &str) -> Option<PathBuf> {
        let remote = context.contains("://")
            || context.starts_with("git@")
            || context.starts_with("github.com/")
            || context.contains(".git#")
            || context.ends_with(".git");
        if remote || context.contains('$') || dockerfile.contains('$') || dockerfile.is_empty() {
            return None;
        }
        let dir = self.source.path.parent().unwrap_or(Path::new(""));
        Some(normalize(&dir.join(context).join(dockerfile)))
    }
}

/// One option a rule accepts (`rules: { NAME: { options: { … } } }` in the configuration).
/// Declared in the rule's `static`; the config loader validates names and types against it and
/// the JSON Schema of the config file is generated from it.
#[derive(Clone, Copy, Debug)]
pub struct RuleOption {
    /// kebab-case, as written in the config file.
    pub name: &'static str,
    /// The type, with the default value used when the config does not set the option.
    pub kind: OptionKind,
    /// One line, for the docs and the schema.
    pub description: &'static str,
}

/// The type of a rule option, carrying its default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OptionKind {
    Bool(bool),
    /// A whole number between `min` and `max` (inclusive).
    Integer {
        default: i64,
        min: i64,
        max: i64,
    },
    String(&'static str),
    /// A list of strings (registries, user names, label keys).
    StringList(&'static [&'static str]),
    /// One of a fixed set of words.
    Choice {
        default: &'static str,
        choices: &'static [&'static str],
    },
    /// A mapping of free names (label keys) to one of a fixed set of words (their types).
    ChoiceMap {
        default: &'static [(&'static str, &'static str)],
        choices: &'static [&'static str],
    },
}

impl OptionKind {
    /// The type as a word, for error messages: `a boolean`, `a list of strings`.
    pub fn describe(&self) -> String {
        match self {
            OptionKind::Bool(_) => "a boolean".into(),
            OptionKind::Integer { min, max, .. } => format!("a whole number from {min} to {max}"),
            OptionKind::String(_) => "a string".into(),
            OptionKind::StringList(_) => "a list of strings".into(),
            OptionKind::Choice { choices, .. } => format!(
                "one of {}",
                choices
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            OptionKind::ChoiceMap { choices, .. } => format!(
                "a mapping of names to one of {}",
                choices
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The type as one word: `boolean`, `integer`, `string`, `string-list`, `choice`,
    /// `choice-map`.
    pub fn type_name(&self) -> &'static str {
        match self {
            OptionKind::Bool(_) => "boolean",
            OptionKind::Integer { .. } => "integer",
            OptionKind::String(_) => "string",
            OptionKind::StringList(_) => "string-list",
            OptionKind::Choice { .. } => "choice",
            OptionKind::ChoiceMap { .. } => "choice-map",
        }
    }

    /// The declared default as a value.
    pub fn default_value(&self) -> OptionValue {
        match *self {
            OptionKind::Bool(b) => OptionValue::Bool(b),
            OptionKind::Integer { default, .. } => OptionValue::Integer(default),
            OptionKind::String(s) => OptionValue::String(s.to_string()),
            OptionKind::StringList(list) => {
                OptionValue::List(list.iter().map(|s| (*s).to_string()).collect())
            }
            OptionKind::Choice { default, .. } => OptionValue::String(default.to_string()),
            OptionKind::ChoiceMap { default, .. } => OptionValue::Map(
                default
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                    .collect(),
            ),
        }
    }
}

/// A configured (or default) option value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OptionValue {
    Bool(bool),
    Integer(i64),
    String(String),
    List(Vec<String>),
    /// A mapping of names to words (a `choice-map` option), ordered by name.
    Map(BTreeMap<String, String>),
}

/// The options of one rule for one file: every declared option, configured or defaulted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    values: Vec<(&'static str, OptionValue)>,
}

impl RuleOptions {
    /// No options (a rule that declares none).
    pub const EMPTY: RuleOptions = RuleOptions { values: Vec::new() };

    /// The declared defaults of `declared`, with `configured` values (already validated) on top.
    pub fn resolve<'v>(
        declared: &'static [RuleOption],
        configured: impl IntoIterator<Item = (&'v str, &'v OptionValue)> + Clone,
    ) -> Self {
        let values = declared
            .iter()
            .map(|option| {
                let value = configured
                    .clone()
                    .into_iter()
                    .filter(|(name, _)| *name == option.name)
                    .last()
                    .map_or_else(|| option.kind.default_value(), |(_, v)| v.clone());
                (option.name, value)
            })
            .collect();
        Self { values }
    }

    pub fn get(&self, name: &str) -> Option<&OptionValue> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// A boolean option (`false` when undeclared).
    pub fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), Some(OptionValue::Bool(true)))
    }

    /// An integer option (`None` when undeclared).
    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(OptionValue::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    /// A string or choice option (`""` when undeclared).
    pub fn string(&self, name: &str) -> &str {
        match self.get(name) {
            Some(OptionValue::String(s)) => s,
            _ => "",
        }
    }

    /// A list option (empty when undeclared).
    pub fn list(&self, name: &str) -> &[String] {
        match self.get(name) {
            Some(OptionValue::List(list)) => list,
            _ => &[],
        }
    }

    /// A mapping option (empty when undeclared).
    pub fn map(&self, name: &str) -> &BTreeMap<String, String> {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        match self.get(name) {
            Some(OptionValue::Map(map)) => map,
            _ => &EMPTY,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &OptionValue)> {
        self.values.iter().map(|(n, v)| (*n, v))
    }
}

/// The check function of a rule.
#[derive(Clone, Copy)]
pub enum Check {
    Dockerfile(fn(&DockerfileContext<'_>, &mut Emitter<'_>)),
    Compose(fn(&ComposeContext<'_>, &mut Emitter<'_>)),
    /// Findings of this rule are produced by the engine itself (parse errors, duplicate keys).
    Engine,
}

/// The check of a policy rule (a YAML template, a Rego package): what the policy layer
/// implements so the engine runs policy rules without knowing policy types. A policy rule is a
/// [`RuleRef::Policy`](crate::linter::rule::RuleRef::Policy) that owns its check.
pub trait PolicyCheck: Send + Sync {
    /// Whether the check looks at files of `kind`.
    fn applies_to(&self, kind: FileKind) -> bool;
    /// Run the check on a Dockerfile.
    fn check_dockerfile(&self, context: &DockerfileContext<'_>, out: &mut Emitter<'_>);
    /// Run the check on a compose file.
    fn check_compose(&self, context: &ComposeContext<'_>, out: &mut Emitter<'_>);
}

/// A built-in rule, declared once as a `static`.
pub struct Rule {
    /// Stable code: `DF###` for Dockerfile rules, `DC###` for compose rules.
    pub code: &'static str,
    /// Readable kebab-case name, unique across all rules.
    pub name: &'static str,
    /// One line: what the rule flags.
    pub summary: &'static str,
    pub target: Target,
    pub category: Category,
    pub severity: Severity,
    /// Whether the rule runs without being selected explicitly.
    pub default_enabled: bool,
    pub fix: FixAvailability,
    pub status: Status,
    /// The version that introduced the rule.
    pub since: &'static str,
    /// Ids of the same check elsewhere: `hadolint:DL3007`, `buildkit:SecretsUsedInArgOrEnv`,
    /// `kics:<uuid prefix>`, `checkov:CKV_DOCKER_7`, `cis:4.1`, `nist-800-190:3.1.5`, `cwe:798`.
    pub related: &'static [&'static str],
    /// The rule's docs page (markdown with fixed headings), via `include_str!`.
    pub docs: &'static str,
    /// The options the rule accepts in the configuration (`&[]` for none).
    pub options: &'static [RuleOption],
    pub check: Check,
}

impl Rule {
    /// The base of every declaration, used with struct update syntax (`..Rule::DEFAULTS`), so a
    /// rule spells out only what differs: introduced in 0.1.0, stable, on by default, no fix, no
    /// options, no related ids. `code`, `name`, `summary`, `target`, `category`, `severity`,
    /// `docs` and `check` are placeholders here that every rule sets (`tests/rules_meta.rs`
    /// fails naming a declaration that leaves one out).
    pub const DEFAULTS: Rule = Rule {
        code: "",
        name: "",
        summary: "",
        target: Target::Any,
        category: Category::Correctness,
        severity: Severity::Warning,
        default_enabled: true,
        fix: FixAvailability::None,
        status: Status::Stable,
        since: "0.1.0",
        related: &[],
        docs: "",
        options: &[],
        check: Check::Engine,
    };

    /// A finding of this rule, with the rule's default severity.
    pub fn finding(&self, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            code: self.code.into(),
            name: self.name.into(),
            category: self.category,
            severity: self.severity,
            message: crate::syntax::excerpt::cap_message(message.into()),
            span,
            help: None,
            labels: Vec::new(),
            fix: None,
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Collects the findings of one rule on one file.
pub struct Emitter<'r> {
    rule: &'r RuleRef,
    findings: Vec<Finding>,
}

impl<'r> Emitter<'r> {
    pub fn new(rule: &'r RuleRef) -> Self {
        Self {
            rule,
            findings: Vec::new(),
        }
    }

    pub fn rule(&self) -> &'r RuleRef {
        self.rule
    }

    /// Report a finding at `span`; the returned finding can take help, labels and a fix.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.findings.push(self.rule.finding(span, message));
        self.findings.last_mut().expect("just pushed")
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
