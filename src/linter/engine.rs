//! The engine: parse one source file, run the enabled rules on it, return sorted findings.
//! No I/O and no output format here; the CLI and the language server both call [`check`].
//! Which rules run ([`Settings`]) is decided in [`crate::linter::selection`].

use crate::linter::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::linter::project::{ComposeProjectOf, NoWorkspace, Workspace};
use crate::linter::rule::RuleRef;
use crate::linter::rule::{
    Check, ComposeContext, DockerfileContext, Emitter, RuleOptions, ShellCache,
};
use crate::linter::rules;
pub use crate::linter::selection::{Selection, Settings};
use crate::linter::shellcheck;
use crate::linter::suppress;
use crate::syntax::compose;
use crate::syntax::dockerfile;
use crate::syntax::source::{FileKind, SourceFile};

/// Parse `source` and run the enabled rules on it. Findings are sorted by position, then code.
/// Cross-file rules see no other files (see [`check_in`]).
pub fn check(source: &SourceFile, settings: &Settings) -> Vec<Finding> {
    check_in(source, settings, &NoWorkspace)
}

/// [`check`] with other files of the project available through `workspace`: compose rules read
/// the Dockerfiles that services build. When the workspace already holds a parse of this very
/// file (same path and text), it is reused instead of parsing again.
///
/// A rule that panics makes the whole check panic (after the other rules ran), so the caller's
/// per-file recovery reports the file as failed; see [`check_isolated`] to keep the rest.
pub fn check_in(
    source: &SourceFile,
    settings: &Settings,
    workspace: &dyn Workspace,
) -> Vec<Finding> {
    let checked = check_isolated(source, settings, workspace);
    if let Some(failure) = checked.failures.into_iter().next() {
        std::panic::resume_unwind(failure.payload);
    }
    checked.findings
}

/// The result of [`check_isolated`].
pub struct Isolated {
    /// The findings of every rule that completed (suppressions and overrides applied, sorted).
    pub findings: Vec<Finding>,
    /// The rules that panicked; their findings are missing from `findings`.
    pub failures: Vec<RuleFailure>,
}

/// A rule that panicked while checking a file.
pub struct RuleFailure {
    pub code: String,
    pub name: String,
    /// The panic's message, when it has one.
    pub message: String,
    payload: Box<dyn std::any::Any + Send>,
}

impl std::fmt::Debug for RuleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleFailure")
            .field("code", &self.code)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// Run one rule, catching a panic in it: a bug in one rule must not cost the others' findings
/// (the editor keeps showing them; the CLI still fails the file, see [`check_in`]).
fn run_rule(
    rule: &RuleRef,
    failures: &mut Vec<RuleFailure>,
    run: impl FnOnce(&mut Emitter),
) -> Vec<Finding> {
    let mut emitter = Emitter::new(rule);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fault_injection(rule);
        run(&mut emitter);
    }));
    match outcome {
        Ok(()) => emitter.into_findings(),
        Err(payload) => {
            let message = panic_message(&*payload);
            failures.push(RuleFailure {
                code: rule.code().to_string(),
                name: rule.name().to_string(),
                message,
                payload,
            });
            Vec::new()
        }
    }
}

/// The message a panic was raised with (`panic!("…")`), or "unknown panic".
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Debug builds only: `PLIMSOLL_TEST_PANIC_RULE=DF002` makes that rule panic, so the tests of
/// the binary (CLI and language server) can prove that a failing rule is contained.
fn fault_injection(rule: &RuleRef) {
    #[cfg(debug_assertions)]
    {
        static CODE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        let code = CODE.get_or_init(|| std::env::var("PLIMSOLL_TEST_PANIC_RULE").ok());
        if code.as_deref() == Some(rule.code()) {
            panic!(
                "injected failure in {} (PLIMSOLL_TEST_PANIC_RULE)",
                rule.code()
            );
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = rule;
}

/// [`check_in`], with each rule's panic caught and reported beside the other rules' findings.
pub fn check_isolated(
    source: &SourceFile,
    settings: &Settings,
    workspace: &dyn Workspace,
) -> Isolated {
    check_with(source, settings, workspace, None)
}

/// [`check_isolated`], with the built-in rules of this one file spread over `pool`'s threads:
/// for the language server, which checks one document at a time and would leave the other
/// cores idle (the CLI spreads files instead). Findings are the same, in the same order.
/// Policy rules still run on the calling thread (their engines are cached per thread).
pub fn check_isolated_parallel(
    source: &SourceFile,
    settings: &Settings,
    workspace: &dyn Workspace,
    pool: &rayon::ThreadPool,
) -> Isolated {
    check_with(source, settings, workspace, Some(pool))
}

/// Run every enabled rule through `run`, on `pool` when given (policy rules always here).
/// Findings come back in rule order either way.
fn run_rules(
    enabled: &[RuleRef],
    pool: Option<&rayon::ThreadPool>,
    failures: &mut Vec<RuleFailure>,
    run: &(dyn Fn(&RuleRef, &mut Emitter) + Sync),
) -> Vec<Finding> {
    let Some(pool) = pool else {
        return enabled
            .iter()
            .flat_map(|rule| run_rule(rule, failures, |emitter| run(rule, emitter)))
            .collect();
    };
    use rayon::prelude::*;
    let (policies, built_in): (Vec<&RuleRef>, Vec<&RuleRef>) =
        enabled.iter().partition(|rule| rule.is_policy());
    let results: Vec<(Vec<Finding>, Vec<RuleFailure>)> = pool.install(|| {
        built_in
            .par_iter()
            .map(|rule| {
                let mut failed = Vec::new();
                let found = run_rule(rule, &mut failed, |emitter| run(rule, emitter));
                (found, failed)
            })
            .collect()
    });
    let mut findings = Vec::new();
    for (found, failed) in results {
        findings.extend(found);
        failures.extend(failed);
    }
    for rule in policies {
        findings.extend(run_rule(rule, failures, |emitter| run(rule, emitter)));
    }
    findings
}

/// `rule`'s options in `settings`: a rule that declares none has none (resolving options goes
/// by the declarations), so most rules skip the search by code, per rule and file.
fn options_of<'s>(settings: &'s Settings, rule: &RuleRef) -> &'s RuleOptions {
    static NONE: RuleOptions = RuleOptions::EMPTY;
    if rule.options().is_empty() {
        &NONE
    } else {
        settings.options_for(rule)
    }
}

fn check_with(
    source: &SourceFile,
    settings: &Settings,
    workspace: &dyn Workspace,
    pool: Option<&rayon::ThreadPool>,
) -> Isolated {
    let mut failures = Vec::new();
    let mut findings = Vec::new();
    let mut buildkit_checks = suppress::BuildkitChecks::default();
    let mut shellcheck_ran = false;
    let directives = match source.kind {
        FileKind::Dockerfile => {
            let shared = workspace
                .loaded_dockerfile(&source.path)
                .filter(|parsed| parsed.source.text == source.text);
            let parsed_here;
            let dockerfile = match &shared {
                Some(parsed) => &parsed.dockerfile,
                None => {
                    parsed_here = dockerfile::parse(&source.text);
                    &parsed_here
                }
            };
            for error in &dockerfile.errors {
                findings.push(rules::PARSE_ERROR.finding(error.span, error.message.clone()));
            }
            let no_options = RuleOptions::EMPTY;
            let shells = ShellCache::new(dockerfile.instructions.len());
            let run_commands = std::sync::OnceLock::new();
            if let Some(pool) = pool {
                // Analyse every RUN up front, spread over the threads: rules would otherwise
                // meet in the same per-instruction slots and wait for one another.
                let warm = DockerfileContext {
                    source,
                    dockerfile,
                    options: &no_options,
                    shells: &shells,
                    run_commands: &run_commands,
                    non_root_images: &settings.non_root_images,
                    workspace,
                };
                use rayon::prelude::*;
                pool.install(|| {
                    (0..dockerfile.instructions.len())
                        .into_par_iter()
                        .for_each(|index| {
                            warm.shell(index);
                            warm.heredoc_shells(index);
                        });
                });
            }
            let run = |rule: &RuleRef, emitter: &mut Emitter| {
                let context = DockerfileContext {
                    source,
                    dockerfile,
                    options: options_of(settings, rule),
                    shells: &shells,
                    run_commands: &run_commands,
                    non_root_images: &settings.non_root_images,
                    workspace,
                };
                match rule {
                    RuleRef::Builtin(builtin) => {
                        if let Check::Dockerfile(check) = builtin.check {
                            check(&context, emitter);
                        }
                    }
                    RuleRef::Policy(policy) => {
                        if policy.check.applies_to(FileKind::Dockerfile) {
                            policy.check.check_dockerfile(&context, emitter);
                        }
                    }
                }
            };
            findings.extend(run_rules(settings.enabled(), pool, &mut failures, &run));
            shellcheck_ran = run_shellcheck(source, dockerfile, settings, workspace, &mut findings);
            buildkit_checks = suppress::BuildkitChecks::of(dockerfile);
            suppress::dockerfile_directives(&source.text, dockerfile)
        }
        FileKind::Compose => {
            let (env, env_problems) = project_env(source, workspace);
            let compose = compose::parse_with_env(&source.text, &env);
            findings.extend(env_problems);
            for error in &compose.yaml.errors {
                findings.push(rules::PARSE_ERROR.finding(error.span, error.message.clone()));
            }
            for error in &compose.errors {
                findings.push(rules::PARSE_ERROR.finding(error.span, error.message.clone()));
            }
            if settings.is_enabled(&rules::DUPLICATE_KEY) {
                for duplicate in &compose.yaml.duplicate_keys {
                    let mut finding = rules::DUPLICATE_KEY.finding(
                        duplicate.duplicate,
                        format!(
                            "duplicate key `{}`; this value replaces the earlier one",
                            duplicate.key
                        ),
                    );
                    finding
                        .with_label(duplicate.first, "first defined here")
                        .with_help("remove one of the two keys");
                    finding.fix = identical_duplicate_fix(&source.text, duplicate);
                    findings.push(finding);
                }
            }
            // A build that names a FIFO, a device or a link out of the repository is an
            // error at that reference (the file itself is never opened).
            let project = workspace.compose_project(&source.path);
            findings.extend(project_problems(project.as_ref(), &findings));
            let context = ComposeContext {
                source,
                compose: &compose,
                options: &RuleOptions::EMPTY,
                workspace,
                project: project.as_ref(),
                non_root_images: &settings.non_root_images,
            };
            for service in &compose.services {
                if let Some((span, message)) = context.refused_build(service) {
                    findings.push(rules::PARSE_ERROR.finding(span, message));
                }
                if let Some((dir, dockerfile)) = context.build_context_of(service) {
                    workspace.note_build_context(&dockerfile, &dir);
                }
            }
            let run = |rule: &RuleRef, emitter: &mut Emitter| {
                let context = ComposeContext {
                    source,
                    compose: &compose,
                    options: options_of(settings, rule),
                    workspace,
                    project: project.as_ref(),
                    non_root_images: &settings.non_root_images,
                };
                match rule {
                    RuleRef::Builtin(builtin) => {
                        if let Check::Compose(check) = builtin.check {
                            check(&context, emitter);
                        }
                    }
                    RuleRef::Policy(policy) => {
                        if policy.check.applies_to(FileKind::Compose) {
                            policy.check.check_compose(&context, emitter);
                        }
                    }
                }
            };
            findings.extend(run_rules(settings.enabled(), pool, &mut failures, &run));
            suppress::compose_directives(&source.text, &compose.yaml)
        }
    };
    suppress::apply(
        &mut findings,
        &directives,
        settings,
        &source.text,
        shellcheck_ran,
    );
    if !failures.is_empty() {
        // A rule that did not finish may have needed a suppression that now looks unused.
        findings.retain(|finding| finding.code != rules::UNUSED_SUPPRESSION.code);
    }
    for finding in &mut findings {
        if let Some(severity) = settings.severity_for_code(&finding.code) {
            finding.severity = severity;
        }
        // `# check=error=true`: BuildKit fails the build on these checks, whatever the config.
        if buildkit_checks.escalates(&finding.code) {
            finding.severity = Severity::Error;
        }
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.code).cmp(&(b.span.start, b.span.end, &b.code))
    });
    Isolated { findings, failures }
}

/// ShellCheck's findings on the file's RUN scripts, through the workspace (which runs it, or
/// cannot). `true` when ShellCheck ran on every script: a suppression of an `SC` code can only
/// be judged unused then (the language server's first answer may lack some scripts' outcomes).
fn run_shellcheck(
    source: &SourceFile,
    dockerfile: &dockerfile::Dockerfile,
    settings: &Settings,
    workspace: &dyn Workspace,
    findings: &mut Vec<Finding>,
) -> bool {
    if !settings.shellcheck
        || !settings.is_enabled(&rules::SHELLCHECK)
        || !workspace.runs_shellcheck()
    {
        return false;
    }
    let scripts = shellcheck::scripts(source, dockerfile);
    let texts: Vec<&str> = scripts.iter().map(|s| s.text.as_str()).collect();
    let Some(outcomes) = workspace.shellcheck(&texts) else {
        return false;
    };
    let complete = outcomes.iter().all(Option::is_some);
    let outcomes: Vec<Option<&shellcheck::Outcome>> =
        outcomes.iter().map(|o| o.as_deref()).collect();
    findings.extend(shellcheck::findings(&scripts, &outcomes, settings));
    complete
}

/// The name of the env file Compose reads from the project directory.
const ENV_FILE: &str = ".env";

/// The problems of the project a compose file belongs to (a missing `extends` or `include`
/// target, a cycle, a service defined twice through `include`) that lie in this file, as
/// `parse-error` findings at the reference: Compose refuses the project. The file's own parse
/// errors, already among `reported`, are not repeated.
fn project_problems(project: Option<&ComposeProjectOf>, reported: &[Finding]) -> Vec<Finding> {
    let Some(of) = project else {
        return Vec::new();
    };
    of.project
        .problems
        .iter()
        .filter(|problem| {
            of.project
                .files
                .get(problem.loc.file)
                .is_some_and(|file| file.path == of.path)
        })
        .filter(|problem| {
            !reported
                .iter()
                .any(|f| f.span == problem.loc.span && f.message == problem.message)
        })
        .map(|problem| rules::PARSE_ERROR.finding(problem.loc.span, problem.message.clone()))
        .collect()
}

/// The variables of the compose file's project: the env files the workspace names for it
/// (by default `.env` in its directory, Compose's default project directory), read through the
/// workspace (bounded, and an editor's unsaved buffer first); a later file's value wins.
/// Problems in an env file are `parse-error` findings at the start of the compose file, since
/// Compose refuses the project. A missing `.env` is no problem; a missing named env file is.
fn project_env(
    source: &SourceFile,
    workspace: &dyn Workspace,
) -> (compose::interpolate::Environment, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut env = compose::interpolate::Environment::default();
    let at_start = crate::syntax::span::Span::empty(0);
    for (path, shown) in workspace.compose_env_files(&source.path) {
        let Some(file) = workspace.read(&path) else {
            if let Some(reason) = workspace.refusal(&path) {
                findings.push(rules::PARSE_ERROR.finding(
                    at_start,
                    format!("cannot read `{shown}` of the project: {reason}"),
                ));
            } else if path.file_name().is_some_and(|name| name != ENV_FILE) {
                findings.push(rules::PARSE_ERROR.finding(
                    at_start,
                    format!("the env file `{shown}` of the project does not exist"),
                ));
            }
            continue;
        };
        let parsed = compose::dotenv::parse(&file.text, &shown);
        for error in &parsed.errors {
            findings.push(rules::PARSE_ERROR.finding(
                at_start,
                format!(
                    "`{shown}` of the project, line {}:{}: {}; Compose refuses to load the project",
                    error.line, error.column, error.message
                ),
            ));
        }
        if env.is_empty() {
            env = parsed.env;
        } else {
            env.file = parsed.env.file.clone();
            for (name, variable) in parsed.env.iter() {
                env.set(name, variable.clone());
            }
        }
    }
    (env, findings)
}

/// `true` when any finding is at or above `fail_level`.
pub fn fails(findings: &[Finding], fail_level: Severity) -> bool {
    findings.iter().any(|f| f.severity >= fail_level)
}

/// The fix of a duplicate key (`duplicate-key`) whose two entries are written alike, each on a
/// line of its own: the later line removed. Both give the same value, so nothing changes but
/// that Compose, which refuses a repeated key, loads the file. Entries that differ are left to
/// the author.
fn identical_duplicate_fix(
    source: &str,
    duplicate: &crate::syntax::yaml::DuplicateKey,
) -> Option<Fix> {
    use crate::syntax::span::Span;
    // The entry's text from its key to the end of its line, and that line.
    let entry = |key: Span, value: Span| -> Option<(&str, Span)> {
        let line_start = source.get(..key.start)?.rfind('\n').map_or(0, |i| i + 1);
        let line_end = source
            .get(key.start..)?
            .find('\n')
            .map_or(source.len(), |i| key.start + i);
        if value.start < key.end || value.end > line_end {
            return None;
        }
        let text = source.get(key.start..line_end)?.trim_end();
        Some((text, Span::new(line_start, line_end)))
    };
    let (first, _) = entry(duplicate.first, duplicate.first_value)?;
    let (later, line) = entry(duplicate.duplicate, duplicate.duplicate_value)?;
    let indent = source.get(line.start..duplicate.duplicate.start)?;
    if first != later || !indent.trim().is_empty() {
        return None;
    }
    Some(Fix {
        message: "remove the repeated entry, which gives the same value".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span: Span::new(line.start, (line.end + 1).min(source.len())),
            replacement: String::new(),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::diagnostic::Category;
    use crate::linter::rule::{DockerfileContext, FixAvailability, Rule, Status, Target};

    #[test]
    fn a_rule_without_declared_options_has_none_to_look_up() {
        let settings = Settings::from_selectors(&["all".to_string()], &[], &[]);
        for rule in settings.enabled() {
            assert_eq!(
                options_of(&settings, rule),
                settings.options_for(rule),
                "{}",
                rule.code()
            );
        }
    }

    fn explode(_: &DockerfileContext<'_>, _: &mut Emitter) {
        panic!("rule bug");
    }

    /// The text after `duplicate-key`'s fixes, or `None` when its findings have none.
    fn duplicate_key_fixed(text: &str) -> Option<String> {
        let source = SourceFile::new("compose.yaml", text.to_string(), FileKind::Compose);
        let settings = Settings::from_selectors(&["DC000".to_string()], &[], &[]);
        let findings = check(&source, &settings);
        assert!(!findings.is_empty(), "no duplicate in {text:?}");
        let refs: Vec<&Finding> = findings.iter().collect();
        crate::linter::fix::apply_once(text, &refs, false).map(|(fixed, _)| fixed)
    }

    #[test]
    fn a_duplicate_written_alike_is_removed_and_others_are_left() {
        let same = "services:\n  db:\n    environment:\n      A: \"1\" # x\n      A: \"1\" # x\n";
        assert_eq!(
            duplicate_key_fixed(same).as_deref(),
            Some("services:\n  db:\n    environment:\n      A: \"1\" # x\n")
        );
        let crlf = same.replace('\n', "\r\n");
        assert_eq!(
            duplicate_key_fixed(&crlf),
            Some("services:\r\n  db:\r\n    environment:\r\n      A: \"1\" # x\r\n".into())
        );
        // The first entry may open a sequence item; the last line may lack its line break.
        let item = "x-list:\n  - a: 1\n    a: 1";
        assert_eq!(
            duplicate_key_fixed(item).as_deref(),
            Some("x-list:\n  - a: 1\n")
        );
        for left in [
            "services:\n  web:\n    read_only: true\n    read_only: false\n",
            "services:\n  web:\n    read_only: true\n    read_only: !!bool true\n",
            "x: {a: 1, a: 1}\n",
            "x:\n  a: |\n    t\n  a: |\n    t\n",
        ] {
            assert_eq!(duplicate_key_fixed(left), None, "{left:?}");
        }
    }

    static EXPLODING: Rule = Rule {
        code: "XX999",
        name: "exploding",
        summary: "panics",
        target: Target::Dockerfile,
        category: Category::Correctness,
        severity: Severity::Error,
        default_enabled: true,
        fix: FixAvailability::None,
        status: Status::Stable,
        since: "0.0.0",
        related: &[],
        docs: "",
        options: &[],
        check: Check::Dockerfile(explode),
    };

    #[test]
    fn parallel_rules_find_the_same_in_the_same_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let all = Settings::from_selectors(&["all".to_owned()], &[], &[]);
        let cases = [
            (
                "Dockerfile",
                FileKind::Dockerfile,
                "FROM ubuntu:latest\nRUN apt-get update && apt-get install curl && curl -k https://x | sh\n\
                 RUN sudo chmod u+s /bin/x; cd /tmp\nADD https://example.com/a.tgz /\nEXPOSE 22\n\
                 FROM ubuntu:latest AS b\nCOPY --from=bb /a /b\nENV PASSWORD=hunter2\n",
            ),
            (
                "compose.yaml",
                FileKind::Compose,
                "services:\n  web:\n    image: nginx:latest\n    privileged: true\n    \
                 volumes: [/var/run/docker.sock:/var/run/docker.sock]\n    network_mode: host\n  \
                 db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: hunter2\n",
            ),
        ];
        for (path, kind, text) in cases {
            let source = SourceFile::new(path, text, kind);
            let serial = check_isolated(&source, &all, &NoWorkspace).findings;
            assert!(serial.len() > 5, "{path}: {serial:?}");
            for _ in 0..5 {
                let parallel = check_isolated_parallel(&source, &all, &NoWorkspace, &pool);
                assert!(parallel.failures.is_empty());
                assert_eq!(parallel.findings, serial, "{path}");
            }
        }
    }

    #[test]
    fn a_panicking_rule_costs_only_its_own_findings() {
        let text = "# plimsoll ignore=DF002\nFROM ubuntu:latest\nFROM alpine:latest\n";
        let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let settings = Settings::with_policies(&[RuleRef::Builtin(&EXPLODING)], &[]);
        let checked = check_isolated(&source, &settings, &NoWorkspace);
        assert_eq!(checked.failures.len(), 1);
        assert_eq!(checked.failures[0].code, "XX999");
        assert_eq!(checked.failures[0].message, "rule bug");
        let codes: Vec<&str> = checked.findings.iter().map(|f| &*f.code).collect();
        assert!(codes.contains(&"DF002"), "{codes:?}");
        // The suppression is used; nothing may call it unused because a rule failed.
        assert!(
            !codes.contains(&rules::UNUSED_SUPPRESSION.code),
            "{codes:?}"
        );
        // `check_in` still fails the file as a whole.
        let whole = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_in(&source, &settings, &NoWorkspace)
        }));
        assert!(whole.is_err());
    }
}
