//! Compiling a directory's `.rego` files into a [`RegoSet`] with plimsoll's limits; running its tests.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value as Json;

use super::metadata::RegoFile;
use super::{Problem, TIME_BUDGET, recursion, sandbox};

/// One `.rego` test rule (`test_*`).
#[derive(Clone, Debug)]
pub struct RegoTest {
    pub path: PathBuf,
    pub line: usize,
    pub package: String,
    pub name: String,
}

/// The `.rego` files of one policy directory, compiled together (packages may span files and
/// import each other, as in conftest).
pub struct RegoSet {
    pub dir: PathBuf,
    pub files: Vec<RegoFile>,
    /// The compiled engine; `None` when the set does not compile.
    pub(super) base: Option<regorus::Engine>,
    /// Engines ready for evaluation, cloned from `base` (an evaluation needs `&mut Engine`).
    pub(super) pool: Mutex<Vec<regorus::Engine>>,
    /// Idle sandbox workers loaded with this set (when the sandbox is enabled).
    pub(super) workers: Mutex<Vec<sandbox::Worker>>,
    pub(super) problems: Mutex<Vec<Problem>>,
}

impl std::fmt::Debug for RegoSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoSet")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// `path:line:col` and the message of a regorus error (`--> file:L:C` … `error: message`).
pub(super) fn parse_error(error: &str, fallback: &Path) -> (PathBuf, usize, usize, String) {
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

pub(super) fn timer() -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig {
        limit: TIME_BUDGET,
        check_interval: NonZeroU32::new(32).unwrap_or(NonZeroU32::MIN),
    }
}

/// The first recursive function of a compiled `engine`, as a compile problem (OPA rejects
/// recursion at compile time; see [`recursion`]).
pub(super) fn recursion_problem(engine: &regorus::Engine) -> Option<Problem> {
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
pub(super) fn new_engine() -> regorus::Engine {
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
pub(super) fn deterministic_intn(seed: &str, n: Option<&regorus::Value>) -> regorus::Value {
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
    pub(super) fn compile(dir: &Path, files: Vec<(PathBuf, String)>) -> RegoSet {
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

    pub(super) fn record(&self, problem: Problem) {
        if let Ok(mut problems) = self.problems.lock()
            && !problems.contains(&problem)
            && problems.len() < 100
        {
            problems.push(problem);
        }
    }

    /// Run `f` with an engine of the pool (cloned from the compiled one when the pool is empty).
    pub(super) fn with_engine<T>(&self, f: impl FnOnce(&mut regorus::Engine) -> T) -> Option<T> {
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
    pub(super) fn in_worker(
        &self,
        exe: &Path,
        request: &sandbox::Request,
    ) -> Result<sandbox::Reply, String> {
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
    pub(super) fn run_test_here(&self, test: &RegoTest) -> Result<(), String> {
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
