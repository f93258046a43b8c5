//! Evaluating a Rego policy rule on a checked file (input converted once per file, in the sandbox).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value as Json;

use crate::linter::diagnostic::Severity;
use crate::linter::rule::{ComposeContext, DockerfileContext, Emitter, PolicyCheck, Target};
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::Span;

use super::compile::{RegoSet, parse_error};
use super::metadata::{ResultKind, exception_name};
use super::results::outcomes;
use super::{InputFormat, MAX_OUTPUT, Problem, TIME_BUDGET, input, sandbox};

/// The check of one Rego policy rule: which result rules of which package it evaluates.
#[derive(Debug)]
pub struct RegoCheck {
    pub set: Arc<RegoSet>,
    pub package: String,
    /// Result rules (`deny`, `deny_root`, `warn`…) reported under this rule.
    pub(super) results: Vec<(String, ResultKind)>,
    /// The package has an `exception` rule.
    pub(super) exception: bool,
    pub input: InputFormat,
    pub kinds: Target,
    /// The file and 1-based line where the rule is declared (for problems).
    pub path: PathBuf,
    pub line: usize,
    /// Set after an evaluation ran over budget: the rule is not evaluated again in this process.
    pub(super) disabled: AtomicBool,
}

/// The converted inputs of the file being checked, per thread and input format: every Rego
/// rule of a run evaluates the same file in a row, so each conversion is done once per file.
pub(super) type CachedInput = (PathBuf, String, InputFormat, regorus::Value);
thread_local! {
    static INPUT: std::cell::RefCell<Vec<CachedInput>> = const { std::cell::RefCell::new(Vec::new()) };
}

pub(super) fn cached_input(
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
    pub(super) fn run(
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
pub(super) enum Failure {
    /// The policy raised an error or ran over regorus' timer (regorus' message).
    Policy(String),
    /// The sandbox worker died: out of memory, stack overflow, stopped at the deadline.
    Sandbox(String),
}

/// Evaluate the result rules `names` of `package` on `input` (skipping those the package's
/// `exception` rule excepts when `exception`): each evaluated rule's index and value.
pub(super) fn evaluate(
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
pub(super) fn exceptions(value: &regorus::Value) -> Vec<String> {
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
pub(super) fn run_dockerfile(
    check: &RegoCheck,
    context: &DockerfileContext<'_>,
    out: &mut Emitter<'_>,
) {
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
pub(super) fn run_compose(check: &RegoCheck, context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
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
