//! Rego policies: the `.rego` files of a policy directory, compiled once with regorus into a
//! [`RegoSet`] and evaluated per checked file. Each package with `deny`/`violation`/`warn`
//! rules becomes one policy [`Rule`] (plus one per result rule that carries its own `# METADATA`
//! code), so selection, severities, suppressions, baselines and every output format treat Rego
//! findings like any other. docs/rego.md is the user-facing description.
//!
//! Policies are data, not programs with powers: regorus is built without its `http`, `net`,
//! `time`, `uuid`, `yaml`, `jsonschema` and `opa-runtime` builtins (an `http.send` call is an
//! unknown function, hence a compile error), policies read no files (only the `.rego` files of
//! the directory are loaded, and regorus has no file builtins), `rand.intn` is deterministic,
//! recursive functions do not compile ([`recursion`]), and each evaluation has a wall-clock
//! budget ([`TIME_BUDGET`]) and an output budget ([`MAX_RESULTS`], [`MAX_OUTPUT`]) and runs in a
//! sandbox process with its own memory limit and deadline ([`sandbox`]).
//! A policy that cannot be compiled, or whose evaluation fails, runs over budget or kills its
//! sandbox, produces a `PL002 policy-error` finding on the policy file, never a crash; other
//! rules still run.

pub mod input;
mod recursion;
pub mod sandbox;
pub mod worker;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value as Json;

use crate::diagnostic::{Category, Finding, Severity};
use crate::policy::PolicyRule;
use crate::rule::{
    Check, ComposeContext, DockerfileContext, Emitter, FixAvailability, PolicyCheck, Rule, Status,
    Target,
};
use crate::rule_ref::{PolicyRuleDecl, RuleRef};
use crate::source::{FileKind, SourceFile};
use crate::span::Span;

/// Wall-clock budget of one evaluation of one policy rule on one file.
pub const TIME_BUDGET: Duration = Duration::from_millis(500);
/// At most this many results of one result rule on one file are reported.
pub const MAX_RESULTS: usize = 1000;
/// At most this many bytes of results (as JSON) of one result rule on one file are read.
pub const MAX_OUTPUT: usize = 1 << 20;
/// Longer messages are cut at this many characters.
pub const MAX_MESSAGE: usize = 2000;

/// The findings of policy errors: a `.rego` file that does not compile, an evaluation that
/// fails or runs over budget. Located on the policy file.
pub static POLICY_ERROR: Rule = Rule {
    code: "PL002",
    name: "policy-error",
    summary: "A Rego policy cannot be compiled, or its evaluation failed or ran over budget",
    target: Target::Any,
    category: Category::Correctness,
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    status: Status::Preview,
    since: "0.1.0",
    related: &[],
    docs: "# policy-error (PL002)\n\n## What it does\nReports a Rego policy (a `.rego` file in a \
           policy directory) that cannot be compiled, or whose evaluation on a file failed or \
           ran over its time, memory or output budget. The finding is located on the policy \
           file.\n\n\
           ## Why is this bad\nA broken policy checks nothing: its findings are missing until \
           it is fixed.\n\n## Options\nNone. This rule cannot be disabled.\n",
    options: &[],
    check: Check::Engine,
};

/// Which input shape a package evaluates against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// plimsoll's model (docs/rego.md).
    Plimsoll,
    /// conftest's Dockerfile shape (`input[0][i].Cmd`); compose files are the document either way.
    Conftest,
}

/// The kinds of result rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResultKind {
    Deny,
    Warn,
}

/// One `.rego` file of a set.
#[derive(Debug)]
pub struct RegoFile {
    pub path: PathBuf,
    pub text: String,
    pub package: String,
    /// 1-based line of the `package` line.
    pub package_line: usize,
    rules: Vec<RuleHead>,
    /// `# METADATA` blocks with the 1-based line they are attached to (the next non-comment
    /// line) and whether they are package-scoped.
    metadata: Vec<Metadata>,
}

/// A rule head at the start of a line: its name and 1-based line.
#[derive(Clone, Debug)]
struct RuleHead {
    name: String,
    line: usize,
}

/// What a `# METADATA` block says.
#[derive(Clone, Debug, Default)]
struct Metadata {
    /// The line the block applies to (the next non-comment line).
    line: usize,
    package_scope: bool,
    title: Option<String>,
    description: Option<String>,
    code: Option<String>,
    name: Option<String>,
    severity: Option<Severity>,
    category: Option<Category>,
    related: Vec<String>,
    input: Option<InputFormat>,
    /// `dockerfile`, `compose` or both (the default).
    kinds: Option<Target>,
}

/// One `.rego` test rule (`test_*`).
#[derive(Clone, Debug)]
pub struct RegoTest {
    pub path: PathBuf,
    pub line: usize,
    pub package: String,
    pub name: String,
}

/// A problem of a policy: a finding of [`POLICY_ERROR`] on a policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line and column in the policy file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The `.rego` files of one policy directory, compiled together (packages may span files and
/// import each other, as in conftest).
pub struct RegoSet {
    pub dir: PathBuf,
    pub files: Vec<RegoFile>,
    /// The compiled engine; `None` when the set does not compile.
    base: Option<regorus::Engine>,
    /// Engines ready for evaluation, cloned from `base` (an evaluation needs `&mut Engine`).
    pool: Mutex<Vec<regorus::Engine>>,
    /// Idle sandbox workers loaded with this set (when the sandbox is enabled).
    workers: Mutex<Vec<sandbox::Worker>>,
    problems: Mutex<Vec<Problem>>,
}

impl std::fmt::Debug for RegoSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoSet")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// The check of one Rego policy rule: which result rules of which package it evaluates.
#[derive(Debug)]
pub struct RegoCheck {
    pub set: Arc<RegoSet>,
    pub package: String,
    /// Result rules (`deny`, `deny_root`, `warn`…) reported under this rule.
    results: Vec<(String, ResultKind)>,
    /// The package has an `exception` rule.
    exception: bool,
    pub input: InputFormat,
    pub kinds: Target,
    /// The file and 1-based line where the rule is declared (for problems).
    pub path: PathBuf,
    pub line: usize,
    /// Set after an evaluation ran over budget: the rule is not evaluated again in this process.
    disabled: AtomicBool,
}

/// The identifier at the start of `line` (rule heads start at column 1), if any.
fn head_name(line: &str) -> Option<&str> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let name = &line[..end];
    let keyword = matches!(
        name,
        "" | "package" | "import" | "default" | "not" | "some" | "every" | "if" | "else"
    );
    (!keyword && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(name)
}

/// `deny`, `deny_x`, `violation`, `violation_x` → Deny; `warn`, `warn_x` → Warn.
fn result_kind(name: &str) -> Option<ResultKind> {
    let is = |prefix: &str| {
        name == prefix
            || name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('_') && rest.len() > 1)
    };
    if is("deny") || is("violation") {
        Some(ResultKind::Deny)
    } else if is("warn") {
        Some(ResultKind::Warn)
    } else {
        None
    }
}

/// conftest's name of a result rule for `exception`: `deny_foo` → `foo`, `deny` → ``.
fn exception_name(name: &str) -> &str {
    name.split_once('_').map_or("", |(_, rest)| rest)
}

impl RegoFile {
    /// Read the package, rule heads and `# METADATA` blocks of a `.rego` file (a light scan:
    /// regorus does the real parsing).
    fn scan(path: &Path, text: &str) -> RegoFile {
        let mut package = String::new();
        let mut package_line = 1;
        let mut rules = Vec::new();
        let mut metadata = Vec::new();
        let mut block: Option<String> = None;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let trimmed = line.trim_start();
            if let Some(comment) = trimmed.strip_prefix('#') {
                if comment.trim() == "METADATA" {
                    block = Some(String::new());
                } else if let Some(text) = block.as_mut() {
                    text.push_str(comment.strip_prefix(' ').unwrap_or(comment));
                    text.push('\n');
                }
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            let is_package = trimmed.starts_with("package ");
            if let Some(yaml) = block.take() {
                metadata.push(Metadata::parse(&yaml, number, is_package));
            }
            if is_package && package.is_empty() {
                package = trimmed["package ".len()..]
                    .split('#')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                package_line = number;
                continue;
            }
            if line.starts_with(char::is_whitespace) {
                continue;
            }
            if let Some(name) = head_name(line)
                && !rules.iter().any(|r: &RuleHead| r.name == name)
            {
                rules.push(RuleHead {
                    name: name.to_string(),
                    line: number,
                });
            }
        }
        RegoFile {
            path: path.to_path_buf(),
            text: text.to_string(),
            package,
            package_line,
            rules,
            metadata,
        }
    }

    /// The `input_format := "conftest"` value of the file, if it declares one.
    fn declared_input(&self) -> Option<InputFormat> {
        self.text.lines().find_map(|line| {
            let rest = line.strip_prefix("input_format")?;
            let value = rest.trim_start().strip_prefix(":=").or_else(|| {
                rest.trim_start()
                    .strip_prefix('=')
                    .filter(|r| !r.starts_with('='))
            })?;
            match value.trim().trim_matches('"') {
                "conftest" => Some(InputFormat::Conftest),
                "plimsoll" => Some(InputFormat::Plimsoll),
                _ => None,
            }
        })
    }
}

impl Metadata {
    fn parse(yaml_text: &str, line: usize, before_package: bool) -> Metadata {
        let mut out = Metadata {
            line,
            package_scope: before_package,
            ..Metadata::default()
        };
        let tree = crate::yaml::parse(yaml_text);
        let Some(root) = tree.documents.first() else {
            return out;
        };
        let text =
            |node: Option<&crate::yaml::Node>| node.and_then(|n| n.as_str()).map(str::to_string);
        out.title = text(root.get("title"));
        out.description = text(root.get("description"));
        if let Some(scope) = text(root.get("scope")) {
            out.package_scope = scope == "package" || scope == "subpackages";
        }
        let related = |node: &crate::yaml::Node| -> Vec<String> {
            node.as_sequence()
                .unwrap_or(&[])
                .iter()
                .filter_map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .or_else(|| text(item.get("ref")))
                })
                .collect()
        };
        if let Some(node) = root.get("related_resources") {
            out.related = related(node);
        }
        if let Some(custom) = root.get("custom") {
            out.code = text(custom.get("code")).map(|c| c.to_ascii_uppercase());
            out.name = text(custom.get("name"));
            out.severity = text(custom.get("severity")).and_then(|s| {
                [
                    Severity::Style,
                    Severity::Info,
                    Severity::Warning,
                    Severity::Error,
                ]
                .into_iter()
                .find(|v| v.as_str() == s.to_ascii_lowercase())
            });
            out.category = text(custom.get("category")).and_then(|c| Category::parse(&c));
            if let Some(node) = custom.get("related") {
                out.related.extend(related(node));
            }
            out.input = match text(custom.get("input")).as_deref() {
                Some("conftest") => Some(InputFormat::Conftest),
                Some("plimsoll") => Some(InputFormat::Plimsoll),
                _ => None,
            };
            out.kinds = match text(custom.get("kinds").or_else(|| custom.get("kind"))).as_deref() {
                Some("dockerfile") => Some(Target::Dockerfile),
                Some("compose") => Some(Target::Compose),
                _ => None,
            };
        }
        out
    }
}

/// `path:line:col` and the message of a regorus error (`--> file:L:C` … `error: message`).
fn parse_error(error: &str, fallback: &Path) -> (PathBuf, usize, usize, String) {
    let mut path = fallback.to_path_buf();
    let (mut line, mut column) = (1, 1);
    if let Some(at) = error.find("--> ") {
        let rest = &error[at + 4..];
        let location = rest.lines().next().unwrap_or("");
        let mut parts = location.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.trim().parse().ok());
        let ln = parts.next().and_then(|l| l.trim().parse().ok());
        if let (Some(l), Some(c), Some(file)) = (ln, col, parts.next()) {
            line = l;
            column = c;
            path = PathBuf::from(file);
        }
    }
    let message = error
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(error)
        .trim()
        .to_string();
    (path, line, column, message)
}

fn timer() -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig {
        limit: TIME_BUDGET,
        check_interval: NonZeroU32::new(32).unwrap_or(NonZeroU32::MIN),
    }
}

/// The first recursive function of a compiled `engine`, as a compile problem (OPA rejects
/// recursion at compile time; see [`recursion`]).
fn recursion_problem(engine: &regorus::Engine) -> Option<Problem> {
    let ast = engine.get_ast_as_json().ok()?;
    // serde_json's nesting limit (128) stops a very deep AST: the sandbox still holds then.
    let ast: Json = serde_json::from_str(&ast).ok()?;
    let cycle = recursion::cycles(&ast).into_iter().next()?;
    Some(Problem {
        path: PathBuf::from(&cycle.file),
        line: cycle.line,
        column: cycle.column,
        message: format!(
            "policy does not compile: recursion is not allowed: {}",
            cycle
                .functions
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(" calls ")
        ),
    })
}

/// A fresh engine with plimsoll's limits and builtins.
fn new_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_execution_timer_config(timer());
    // Extensions are looked up before builtins: this replaces regorus' random `rand.intn`.
    // (`as_string` gives the closure its error type, regorus' `anyhow::Error`.)
    let intn = |args: Vec<regorus::Value>| {
        let seed = args.first().unwrap_or(&regorus::Value::Undefined);
        seed.as_string()
            .map(|seed| deterministic_intn(seed, args.get(1)))
    };
    let _ = engine.add_extension("rand.intn".to_string(), 2, Box::new(intn));
    engine
}

/// `rand.intn(seed, n)` made deterministic (same input, same findings): a number in `0..n`
/// derived from `seed` and `n`, as stable as OPA's is within one query; `0` for `n == 0`,
/// undefined when `n` is not a natural number.
fn deterministic_intn(seed: &str, n: Option<&regorus::Value>) -> regorus::Value {
    let Some(n) = n.and_then(|n| n.as_u64().ok()) else {
        return regorus::Value::Undefined;
    };
    if n == 0 {
        return regorus::Value::from(0u64);
    }
    // FNV-1a of the seed and the bound.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.bytes().chain(n.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    regorus::Value::from(hash % n)
}

impl RegoSet {
    /// Compile `files` (path, text) of `dir`. Problems are recorded in the set.
    fn compile(dir: &Path, files: Vec<(PathBuf, String)>) -> RegoSet {
        let files: Vec<RegoFile> = files
            .iter()
            .map(|(path, text)| RegoFile::scan(path, text))
            .collect();
        let mut problems = Vec::new();
        let mut engine = new_engine();
        let mut ok = true;
        for file in &files {
            // v1 first (the default); a file that only parses as v0 is loaded as v0.
            let name = file.path.display().to_string();
            if let Err(v1) = engine.add_policy(name.clone(), file.text.clone()) {
                let mut v0 = new_engine();
                v0.set_rego_v0(true);
                let v0_ok = v0.add_policy(name.clone(), file.text.clone()).is_ok();
                if v0_ok {
                    engine.set_rego_v0(true);
                    if engine.add_policy(name, file.text.clone()).is_ok() {
                        engine.set_rego_v0(false);
                        continue;
                    }
                    engine.set_rego_v0(false);
                }
                let (path, line, column, message) = parse_error(&v1.to_string(), &file.path);
                problems.push(Problem {
                    path,
                    line,
                    column,
                    message: format!("policy does not compile: {message}"),
                });
                ok = false;
            }
        }
        if ok && let Err(error) = engine.eval_query("true".to_string(), false) {
            let fallback = files.first().map_or(dir, |f| f.path.as_path());
            let (path, line, column, message) = parse_error(&error.to_string(), fallback);
            problems.push(Problem {
                path,
                line,
                column,
                message: format!("policy does not compile: {message}"),
            });
            ok = false;
        }
        if ok && let Some(problem) = recursion_problem(&engine) {
            problems.push(problem);
            ok = false;
        }
        RegoSet {
            dir: dir.to_path_buf(),
            files,
            base: ok.then_some(engine),
            pool: Mutex::new(Vec::new()),
            workers: Mutex::new(Vec::new()),
            problems: Mutex::new(problems),
        }
    }

    /// `true` when the set compiled.
    pub fn compiled(&self) -> bool {
        self.base.is_some()
    }

    /// The problems recorded so far (compile errors, failed evaluations).
    pub fn problems(&self) -> Vec<Problem> {
        self.problems.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn record(&self, problem: Problem) {
        if let Ok(mut problems) = self.problems.lock()
            && !problems.contains(&problem)
            && problems.len() < 100
        {
            problems.push(problem);
        }
    }

    /// Run `f` with an engine of the pool (cloned from the compiled one when the pool is empty).
    fn with_engine<T>(&self, f: impl FnOnce(&mut regorus::Engine) -> T) -> Option<T> {
        let base = self.base.as_ref()?;
        let pooled = self.pool.lock().ok().and_then(|mut pool| pool.pop());
        let mut engine = pooled.unwrap_or_else(|| base.clone());
        let out = f(&mut engine);
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(engine);
        }
        Some(out)
    }

    /// The `test_*` rules of the set.
    pub fn tests(&self) -> Vec<RegoTest> {
        self.files
            .iter()
            .flat_map(|file| {
                file.rules
                    .iter()
                    .filter(|r| r.name.starts_with("test_"))
                    .map(|r| RegoTest {
                        path: file.path.clone(),
                        line: r.line,
                        package: file.package.clone(),
                        name: r.name.clone(),
                    })
            })
            .collect()
    }

    /// Run `request` in a sandbox worker of this set (one from the pool, or a new one); the
    /// worker goes back to the pool unless it died. `Err` says how it died.
    fn in_worker(&self, exe: &Path, request: &sandbox::Request) -> Result<sandbox::Reply, String> {
        let idle = self.workers.lock().ok().and_then(|mut idle| idle.pop());
        let mut worker = match idle {
            Some(worker) => worker,
            None => {
                let load = sandbox::Load {
                    dir: self.dir.clone(),
                    files: self
                        .files
                        .iter()
                        .map(|f| (f.path.clone(), f.text.clone()))
                        .collect(),
                };
                sandbox::Worker::start(exe, &[sandbox::WORKER_ARG], &load)?
            }
        };
        let reply = worker.request(request)?;
        if let Ok(mut idle) = self.workers.lock() {
            idle.push(worker);
        }
        Ok(reply)
    }

    /// Run one test rule: `Ok` when it is defined and true. In the sandbox when it is enabled.
    pub fn run_test(&self, test: &RegoTest) -> Result<(), String> {
        let Some(exe) = sandbox::executable() else {
            return self.run_test_here(test);
        };
        if !self.compiled() {
            return Err("the policy directory does not compile".to_string());
        }
        let request = sandbox::Request::Test {
            package: test.package.clone(),
            name: test.name.clone(),
        };
        match self.in_worker(exe, &request) {
            Ok(sandbox::Reply::Test(outcome)) => outcome,
            Ok(_) => Err("the policy sandbox answered out of turn".to_string()),
            Err(death) => Err(format!("stopped: {death}")),
        }
    }

    /// Run one test rule in this process.
    fn run_test_here(&self, test: &RegoTest) -> Result<(), String> {
        if !self.compiled() {
            return Err("the policy directory does not compile".to_string());
        }
        let query = format!("data.{}.{}", test.package, test.name);
        let outcome = self
            .with_engine(|engine| {
                engine.set_input(regorus::Value::new_object());
                engine.eval_rule(query)
            })
            .ok_or_else(|| "the policy directory does not compile".to_string())?;
        match outcome {
            Ok(regorus::Value::Bool(true)) => Ok(()),
            Ok(regorus::Value::Undefined) => Err("undefined (a condition did not hold)".into()),
            Ok(other) => Err(format!(
                "expected true, got {}",
                other.to_json_str().unwrap_or_default()
            )),
            Err(error) => Err(parse_error(&error.to_string(), &test.path).3),
        }
    }
}

type SetKey = (PathBuf, Vec<(PathBuf, String)>);
type Loaded = (Arc<RegoSet>, Vec<PolicyRule>);

/// A loaded set, and whether a config loaded since the last sweep used it.
struct CachedSet {
    loaded: Loaded,
    used: bool,
}

/// The Rego sets a run or an editor session loaded, owned by its config resolver: one compile
/// for an unchanged directory (a config loaded twice, or the language server reloading it), and
/// the current set of each directory, whose problems are reported.
#[derive(Default)]
pub struct SetCache {
    /// Loaded sets by directory and content.
    loaded: HashMap<SetKey, CachedSet>,
    /// The current set of each directory loaded, newest last.
    current: Vec<Arc<RegoSet>>,
}

impl std::fmt::Debug for SetCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCache")
            .field("loaded", &self.loaded.len())
            .field("current", &self.current.len())
            .finish()
    }
}

/// The `.rego` files of `dir`, sorted (none when it cannot be read).
fn rego_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rego"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = crate::runner::read_config_text(&path, false).ok()?;
            Some((path, text))
        })
        .collect()
}

/// Load (or reuse) the Rego set of `dir` and its policy rules. `taken` are codes and names
/// already used; a Rego rule clashing with one is left out with a problem.
pub fn load_dir(
    cache: &mut SetCache,
    dir: &Path,
    taken: &[(&str, &str)],
) -> Option<(Arc<RegoSet>, Vec<PolicyRule>)> {
    let files = rego_files(dir);
    if files.is_empty() {
        return None;
    }
    let key = (dir.to_path_buf(), files);
    if let Some(cached) = cache.loaded.get_mut(&key) {
        let (set, rules) = &cached.loaded;
        let clash = rules.iter().any(|p| {
            taken.iter().any(|(code, name)| {
                code.eq_ignore_ascii_case(p.rule.code()) || *name == p.rule.name()
            })
        });
        if !clash {
            cached.used = true;
            let loaded = (Arc::clone(set), rules.clone());
            make_current(cache, &loaded.0);
            return Some(loaded);
        }
    }
    let set = Arc::new(RegoSet::compile(dir, key.1.clone()));
    let rules = policy_rules(&set, taken);
    make_current(cache, &set);
    let cached = CachedSet {
        loaded: (Arc::clone(&set), rules.clone()),
        used: true,
    };
    cache.loaded.insert(key, cached);
    Some((set, rules))
}

/// Record `set` as its directory's current set (the one whose problems are reported). The
/// sets it replaces stop their idle sandbox workers (the language server reloads a directory
/// on every change of a `.rego` file).
fn make_current(cache: &mut SetCache, set: &Arc<RegoSet>) {
    for old in &cache.current {
        if old.dir == set.dir
            && !Arc::ptr_eq(old, set)
            && let Ok(mut workers) = old.workers.lock()
        {
            workers.clear();
        }
    }
    cache.current.retain(|s| s.dir != set.dir);
    cache.current.push(Arc::clone(set));
}

impl SetCache {
    /// How many loaded sets are kept.
    pub fn len(&self) -> usize {
        self.loaded.len()
    }

    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty()
    }

    /// Drop the sets no config loaded since the last sweep used (their idle sandbox workers
    /// stop with them), and start counting again.
    pub fn sweep(&mut self) {
        self.loaded
            .retain(|_, cached| std::mem::take(&mut cached.used));
        let kept: Vec<&Arc<RegoSet>> = self.loaded.values().map(|c| &c.loaded.0).collect();
        self.current
            .retain(|set| kept.iter().any(|k| Arc::ptr_eq(k, set)));
    }

    /// The problems of every current set whose directory is in `dirs` (all when `dirs` is
    /// `None`), grouped by policy file.
    pub fn problems(&self, dirs: Option<&[PathBuf]>) -> Vec<Problem> {
        let mut out: Vec<Problem> = Vec::new();
        for set in &self.current {
            if dirs.is_some_and(|dirs| !dirs.iter().any(|d| *d == set.dir)) {
                continue;
            }
            for problem in set.problems() {
                if !out.contains(&problem) {
                    out.push(problem);
                }
            }
        }
        out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        out
    }

    /// The problems as findings of [`POLICY_ERROR`], one entry per policy file: the file (its text
    /// read from the set, so spans are exact) and its findings.
    pub fn problem_results(&self, problems: &[Problem]) -> Vec<(SourceFile, Vec<Finding>)> {
        let mut out: Vec<(SourceFile, Vec<Finding>)> = Vec::new();
        let sets = &self.current;
        for problem in problems {
            if !out.iter().any(|(source, _)| source.path == problem.path) {
                let text = sets
                    .iter()
                    .flat_map(|s| s.files.iter())
                    .find(|f| f.path == problem.path)
                    .map(|f| f.text.clone())
                    .or_else(|| crate::runner::read_config_text(&problem.path, false).ok())
                    .unwrap_or_default();
                // Policy files are neither kind; `Compose` only picks YAML-style comment handling.
                out.push((
                    SourceFile::new(problem.path.clone(), text, FileKind::Compose),
                    Vec::new(),
                ));
            }
            let Some((source, findings)) = out
                .iter_mut()
                .find(|(source, _)| source.path == problem.path)
            else {
                continue;
            };
            let span = line_span(source, problem.line, Some(problem.column), None);
            findings.push(POLICY_ERROR.finding(span, problem.message.clone()));
        }
        out
    }
}

/// The policy rules of a compiled (or not) set: one per package with result rules, plus one
/// per result rule with its own `custom.code`.
fn policy_rules(set: &Arc<RegoSet>, taken: &[(&str, &str)]) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut packages: Vec<&str> = Vec::new();
    for file in &set.files {
        if !packages.contains(&file.package.as_str()) && !file.package.is_empty() {
            packages.push(&file.package);
        }
    }
    for package in packages {
        let files: Vec<&RegoFile> = set.files.iter().filter(|f| f.package == package).collect();
        let package_meta = files
            .iter()
            .flat_map(|f| f.metadata.iter())
            .find(|m| m.package_scope)
            .cloned()
            .unwrap_or_default();
        let exception = files
            .iter()
            .any(|f| f.rules.iter().any(|r| r.name == "exception"));
        let input = package_meta
            .input
            .or_else(|| files.iter().find_map(|f| f.declared_input()))
            .unwrap_or(if package == "main" || package.starts_with("main.") {
                InputFormat::Conftest
            } else {
                InputFormat::Plimsoll
            });
        // Result rules, each with the rule-scoped METADATA just above it (if any).
        let mut grouped: Vec<Group> = Vec::new();
        for file in &files {
            for head in &file.rules {
                let Some(kind) = result_kind(&head.name) else {
                    continue;
                };
                // A rule defined in several files of the package is evaluated once.
                if grouped
                    .iter()
                    .any(|g| g.1.iter().any(|(name, _)| *name == head.name))
                {
                    continue;
                }
                let own = file
                    .metadata
                    .iter()
                    .find(|m| !m.package_scope && m.line == head.line && m.code.is_some())
                    .cloned();
                match own {
                    Some(meta) => {
                        if let Some(group) = grouped.iter_mut().find(|g| {
                            g.0.as_ref().and_then(|m| m.code.as_ref()) == meta.code.as_ref()
                        }) {
                            group.1.push((head.name.clone(), kind));
                        } else {
                            grouped.push((
                                Some(meta),
                                vec![(head.name.clone(), kind)],
                                file.path.clone(),
                                head.line,
                            ));
                        }
                    }
                    None => {
                        if let Some(group) = grouped.iter_mut().find(|g| g.0.is_none()) {
                            group.1.push((head.name.clone(), kind));
                        } else {
                            grouped.push((
                                None,
                                vec![(head.name.clone(), kind)],
                                file.path.clone(),
                                file.package_line,
                            ));
                        }
                    }
                }
            }
        }
        for (own, results, path, line) in grouped {
            let first = results.first().map_or("", |(name, _)| name.as_str());
            let name_default = match &own {
                Some(_) => format!("rego-{}-{}", kebab(package), kebab(first)),
                None => format!("rego-{}", kebab(package)),
            };
            let meta = own.unwrap_or_else(|| package_meta.clone());
            let code = meta.code.clone().unwrap_or_else(|| default_code(package));
            let name = meta
                .name
                .clone()
                .or_else(|| meta.title.as_deref().map(kebab))
                .filter(|n| !n.is_empty())
                .unwrap_or(name_default);
            let clash = taken
                .iter()
                .copied()
                .chain(out.iter().map(|p| (p.rule.code(), p.rule.name())))
                .chain(crate::rules::all().iter().map(|r| (r.code, r.name)))
                .find(|(c, n)| c.eq_ignore_ascii_case(&code) || *n == name);
            if let Some((c, n)) = clash {
                set.record(Problem {
                    path: path.clone(),
                    line,
                    column: 1,
                    message: format!(
                        "policy rule `{code}` ({name}) clashes with rule `{c}` ({n}); give it \
                         another `custom.code`/`custom.name` in its `# METADATA`"
                    ),
                });
                continue;
            }
            let summary = meta
                .title
                .clone()
                .unwrap_or_else(|| format!("Rego policy `{package}`"));
            let mut docs = format!("# {name}\n\n{summary}\n");
            if let Some(description) = &meta.description {
                docs.push('\n');
                docs.push_str(description.trim_end());
                docs.push('\n');
            }
            docs.push_str(&format!(
                "\nRego policy `data.{package}` declared in `{}` (line {line}); result rules: {}.\n",
                path.display(),
                results
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let kinds = meta.kinds.or(package_meta.kinds).unwrap_or(Target::Any);
            let check = RegoCheck {
                set: Arc::clone(set),
                package: package.to_string(),
                results,
                exception,
                input,
                kinds,
                path: path.clone(),
                line,
                disabled: AtomicBool::new(false),
            };
            let rule = RuleRef::from(PolicyRuleDecl {
                code,
                name,
                summary,
                target: kinds,
                category: meta
                    .category
                    .or(package_meta.category)
                    .unwrap_or(Category::Correctness),
                severity: meta
                    .severity
                    .or(package_meta.severity)
                    .unwrap_or(Severity::Error),
                default_enabled: true,
                related: meta.related.clone(),
                docs,
                options: &[],
                check: Box::new(check),
            });
            out.push(PolicyRule {
                rule,
                options: Vec::new(),
                path,
                line,
                examples: Vec::new(),
            });
        }
    }
    out
}

/// Result rules reported under one policy rule: their own METADATA (none: the package's), the
/// rules, and where the group is declared.
type Group = (Option<Metadata>, Vec<(String, ResultKind)>, PathBuf, usize);

/// `acme.docker_rules` → `acme-docker-rules`.
fn kebab(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The code of a package without `custom.code`: `RG` and four digits from a hash of the
/// package path (stable across runs and machines).
fn default_code(package: &str) -> String {
    // FNV-1a: small, stable, no dependency.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in package.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("RG{:04}", hash % 10_000)
}

/// The span of line `line` (1-based): from `column` (1-based, characters) to `end_column` or
/// the end of the line's text; the file start when the line does not exist.
fn line_span(
    source: &SourceFile,
    line: usize,
    column: Option<usize>,
    end: Option<(usize, usize)>,
) -> Span {
    let index = source.line_index();
    if line == 0 || line > index.line_count() {
        return Span::new(0, 0);
    }
    let offset_of = |line: usize, column: Option<usize>| -> usize {
        let start = index.line_start(line - 1);
        let text = source.text.get(start..).unwrap_or("");
        let line_text = text.split('\n').next().unwrap_or("");
        match column {
            Some(c) if c > 1 => {
                start
                    + line_text
                        .char_indices()
                        .nth(c - 1)
                        .map_or(line_text.len(), |(i, _)| i)
            }
            Some(_) => start,
            None => start + (line_text.len() - line_text.trim_start().len()),
        }
    };
    let start = offset_of(line, column);
    let end = match end {
        Some((l, c)) if l >= line && l <= index.line_count() => offset_of(l, Some(c)),
        _ => {
            let line_start = index.line_start(line - 1);
            let text = source.text.get(line_start..).unwrap_or("");
            let line_text = text.split('\n').next().unwrap_or("");
            line_start + line_text.trim_end().len()
        }
    };
    Span::new(start, end.max(start))
}

/// One result of a result rule, read from the policy's output.
struct Outcome {
    message: String,
    span: Span,
    code: Option<String>,
}

/// Where a result points: `location` (`{start: {line, column}, end: …}` or `{line, column}`),
/// `line`, `path`, else the file start.
fn result_span(
    source: &SourceFile,
    object: &serde_json::Map<String, Json>,
    path_span: &dyn Fn(&[input::Step]) -> Option<Span>,
) -> Span {
    let number = |v: Option<&Json>| {
        v.and_then(Json::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    if let Some(whole) = object.get("location")
        && let Some(location) = whole.as_object()
    {
        let (start, end) = match (location.get("start"), location.get("end")) {
            (Some(start), end) => (Some(start), end),
            _ => (Some(whole), None),
        };
        if let Some(line) = number(start.and_then(|s| s.get("line"))) {
            let column = number(start.and_then(|s| s.get("column")));
            let end = end.and_then(|e| Some((number(e.get("line"))?, number(e.get("column"))?)));
            return line_span(source, line, column, end);
        }
    }
    if let Some(line) = number(object.get("line")) {
        return line_span(source, line, None, None);
    }
    if let Some(path) = object.get("path") {
        let steps = input::parse_path(path);
        if let Some(span) = path_span(&steps) {
            return span;
        }
    }
    Span::new(0, 0)
}

/// The results of a result rule's value (a set or array of strings or objects).
fn outcomes(
    source: &SourceFile,
    value: &Json,
    path_span: &dyn Fn(&[input::Step]) -> Option<Span>,
) -> Vec<Outcome> {
    let items: Vec<&Json> = match value {
        Json::Array(items) => items.iter().collect(),
        Json::Null => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .take(MAX_RESULTS)
        .filter_map(|item| match item {
            Json::String(text) => Some(Outcome {
                message: cut(text),
                span: leading_line(text)
                    .map_or(Span::new(0, 0), |line| line_span(source, line, None, None)),
                code: None,
            }),
            Json::Object(object) => {
                let message = object
                    .get("msg")
                    .or_else(|| object.get("message"))
                    .and_then(Json::as_str)?;
                Some(Outcome {
                    message: cut(message),
                    span: result_span(source, object, path_span),
                    code: object
                        .get("code")
                        .and_then(Json::as_str)
                        .map(str::to_string),
                })
            }
            _ => None,
        })
        .collect()
}

/// `N` of a message that starts with `line N:` (a common conftest convention for Dockerfile
/// policies, which have no other way to say where).
fn leading_line(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("line ")?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    if !rest[digits..].starts_with(':') {
        return None;
    }
    rest[..digits].parse().ok()
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The converted inputs of the file being checked, per thread and input format: every Rego
/// rule of a run evaluates the same file in a row, so each conversion is done once per file.
type CachedInput = (PathBuf, String, InputFormat, regorus::Value);
thread_local! {
    static INPUT: std::cell::RefCell<Vec<CachedInput>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn cached_input(
    source: &SourceFile,
    format: InputFormat,
    build: impl FnOnce() -> regorus::Value,
) -> regorus::Value {
    let hit = INPUT.with(|cell| {
        cell.borrow()
            .iter()
            .find(|(path, text, f, _)| *f == format && *path == source.path && *text == source.text)
            .map(|(_, _, _, value)| value.clone())
    });
    if let Some(value) = hit {
        return value;
    }
    let value = build();
    INPUT.with(|cell| {
        let mut cache = cell.borrow_mut();
        // Another file: drop what was kept for the previous one.
        cache.retain(|(path, text, _, _)| *path == source.path && *text == source.text);
        cache.push((
            source.path.clone(),
            source.text.clone(),
            format,
            value.clone(),
        ));
    });
    value
}

impl RegoCheck {
    /// Evaluate the result rules on `input` and report what they return.
    fn run(
        &self,
        source: &SourceFile,
        input: regorus::Value,
        path_span: &dyn Fn(&[input::Step]) -> Option<Span>,
        out: &mut Emitter<'_>,
    ) {
        // A set that does not compile is reported once, as such.
        if self.disabled.load(Ordering::Relaxed) || !self.set.compiled() {
            return;
        }
        let package = &self.package;
        let names: Vec<String> = self.results.iter().map(|(name, _)| name.clone()).collect();
        let evaluated = match sandbox::executable() {
            Some(exe) => {
                let request = sandbox::Request::Eval {
                    package: package.clone(),
                    results: names,
                    exception: self.exception,
                    input,
                };
                match self.set.in_worker(exe, &request) {
                    Ok(sandbox::Reply::Eval(outcome)) => outcome.map_err(Failure::Policy),
                    Ok(_) => Err(Failure::Sandbox("answered out of turn".to_string())),
                    Err(death) => Err(Failure::Sandbox(death)),
                }
            }
            None => {
                let Some(evaluated) = self
                    .set
                    .with_engine(|engine| evaluate(engine, package, &names, self.exception, input))
                else {
                    return;
                };
                evaluated.map_err(Failure::Policy)
            }
        };
        match evaluated {
            Ok(values) => {
                for (index, value) in values {
                    let Some((_, kind)) = self.results.get(index) else {
                        continue;
                    };
                    let kind = *kind;
                    for outcome in outcomes(source, &value, path_span) {
                        let finding = out.report(outcome.span, outcome.message);
                        if kind == ResultKind::Warn && finding.severity > Severity::Warning {
                            finding.severity = Severity::Warning;
                        }
                        if let Some(code) = outcome.code {
                            finding.help = Some(format!("policy code: {code}"));
                        }
                    }
                }
            }
            Err(Failure::Sandbox(death)) => {
                // A dead worker: the same policy would kill the next one.
                self.disabled.store(true, Ordering::Relaxed);
                self.set.record(Problem {
                    path: self.path.clone(),
                    line: self.line,
                    column: 1,
                    message: format!(
                        "policy `data.{package}` was stopped on `{}`: {death}; it is not \
                         evaluated again in this run",
                        source.path.display()
                    ),
                });
            }
            Err(Failure::Policy(error)) => {
                let over_time = error.contains("time limit") || error.contains("exceeded");
                let (path, line, column, message) = parse_error(&error, &self.path);
                let message = if over_time {
                    self.disabled.store(true, Ordering::Relaxed);
                    format!(
                        "policy `data.{package}` ran over its time budget of {} ms on `{}` and \
                         is not evaluated again in this run ({message})",
                        TIME_BUDGET.as_millis(),
                        source.path.display()
                    )
                } else {
                    format!(
                        "policy `data.{package}` failed on `{}`: {message}",
                        source.path.display()
                    )
                };
                self.set.record(Problem {
                    path,
                    line,
                    column,
                    message,
                });
            }
        }
    }
}

/// Why an evaluation gave no results.
enum Failure {
    /// The policy raised an error or ran over regorus' timer (regorus' message).
    Policy(String),
    /// The sandbox worker died: out of memory, stack overflow, stopped at the deadline.
    Sandbox(String),
}

/// Evaluate the result rules `names` of `package` on `input` (skipping those the package's
/// `exception` rule excepts when `exception`): each evaluated rule's index and value.
fn evaluate(
    engine: &mut regorus::Engine,
    package: &str,
    names: &[String],
    exception: bool,
    input: regorus::Value,
) -> Result<Vec<(usize, Json)>, String> {
    engine.set_input(input);
    let excepted: Vec<String> = if exception {
        match engine.eval_rule(format!("data.{package}.exception")) {
            Ok(value) => exceptions(&value),
            Err(error) => return Err(error.to_string()),
        }
    } else {
        Vec::new()
    };
    let mut values = Vec::new();
    for (index, name) in names.iter().enumerate() {
        if excepted.iter().any(|e| e == exception_name(name)) {
            continue;
        }
        let value = engine
            .eval_rule(format!("data.{package}.{name}"))
            .map_err(|e| e.to_string())?;
        let json = value.to_json_str().unwrap_or_default();
        if json.len() > MAX_OUTPUT {
            return Err(format!(
                "`{name}` returned {} bytes of results, over the output budget of {} bytes",
                json.len(),
                MAX_OUTPUT
            ));
        }
        values.push((
            index,
            serde_json::from_str::<Json>(&json).unwrap_or(Json::Null),
        ));
    }
    Ok(values)
}

/// The names an `exception` value excepts: a set of strings or of arrays of strings.
fn exceptions(value: &regorus::Value) -> Vec<String> {
    let json: Json = value
        .to_json_str()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Json::Null);
    let mut out = Vec::new();
    if let Json::Array(items) = json {
        for item in items {
            match item {
                Json::String(s) => out.push(s),
                Json::Array(inner) => {
                    out.extend(
                        inner
                            .into_iter()
                            .filter_map(|v| v.as_str().map(str::to_string)),
                    );
                }
                _ => {}
            }
        }
    }
    out
}

impl PolicyCheck for RegoCheck {
    fn applies_to(&self, kind: FileKind) -> bool {
        match self.kinds {
            Target::Any => true,
            Target::Dockerfile => kind == FileKind::Dockerfile,
            Target::Compose => kind == FileKind::Compose,
        }
    }

    fn check_dockerfile(&self, context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
        run_dockerfile(self, context, out);
    }

    fn check_compose(&self, context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
        run_compose(self, context, out);
    }
}

/// Run a Rego policy rule on a Dockerfile.
fn run_dockerfile(check: &RegoCheck, context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source;
    let dockerfile = context.dockerfile;
    let value = cached_input(source, check.input, || match check.input {
        InputFormat::Plimsoll => input::dockerfile_value(source, dockerfile),
        InputFormat::Conftest => {
            regorus::Value::from(input::conftest_dockerfile(source, dockerfile))
        }
    });
    let path_span = |steps: &[input::Step]| input::dockerfile_span(dockerfile, steps);
    check.run(source, value, &path_span, out);
}

/// Run a Rego policy rule on a compose file.
fn run_compose(check: &RegoCheck, context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source;
    let Some(root) = context.compose.yaml.documents.first() else {
        return;
    };
    // Compose input is the document in both formats.
    let value = cached_input(source, InputFormat::Plimsoll, || {
        regorus::Value::from(input::compose_document(root))
    });
    let path_span = |steps: &[input::Step]| input::compose_span(root, steps);
    check.run(source, value, &path_span, out);
}

#[cfg(test)]
mod tests;
