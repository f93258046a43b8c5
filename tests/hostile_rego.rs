//! Hostile Rego policies, end to end through the binary (issue 13, items 2 and 4): a recursive
//! function, nested `strings.replace_n`, a comprehension over `numbers.range(1, 1e8)` and
//! `rand.intn`, each in a policy directory beside a good Dockerfile. Each run happens under an
//! address-space limit the unguarded attacks blow through (they reach 2–10 GB), so a run that
//! completes there with its findings shows the memory bound; `timeout` guards against a hang.
//! Expected: exit 1 (findings), a PL002 finding on the policy file, the Dockerfile's built-in
//! findings and the other policies' findings present; `plimsoll test` likewise bounded.
#![cfg(unix)]

mod common;

use std::path::Path;

use common::{plimsoll_limited, stderr, stdout, tree};

/// The address space a whole run may use (KiB): the parent (its arena reservation, the debug
/// binary, threads) plus one sandbox worker of at most 1 GiB.
const RUN_ADDRESS_SPACE_KIB: u64 = 3 << 20;

/// `plimsoll ARGS…` in `dir` under `ulimit -v` [`RUN_ADDRESS_SPACE_KIB`], killed by
/// `timeout` if it hangs (a guard, not a timing assertion).
fn bounded(dir: &Path, args: &[&str]) -> std::process::Output {
    plimsoll_limited(dir, &format!("ulimit -v {RUN_ADDRESS_SPACE_KIB}"), args)
}

/// A policy package that always reports, to show the other policies still run.
const GOOD_POLICY: &str =
    "package good\nimport rego.v1\n\ndeny contains \"good policy ran\" if { input.kind }\n";

/// A tree with a good Dockerfile, `hostile` as `.plimsoll/policies/p.rego` and
/// [`GOOD_POLICY`] in another policy directory (a directory whose policies do not compile is
/// left out whole, as OPA does).
fn with_policy(hostile: &str) -> tempfile::TempDir {
    tree(&[
        (".plimsoll.yaml", "strict: false\npolicies: [more]\n"),
        ("more/good.rego", GOOD_POLICY),
        (".plimsoll/policies/p.rego", hostile),
        ("Dockerfile", "FROM alpine:latest\n"),
    ])
}

/// `plimsoll check --format compact .`, bounded.
fn check(dir: &Path) -> std::process::Output {
    bounded(dir, &["check", "--format", "compact", "."])
}

/// Exit 1, a PL002 on the hostile policy whose message contains `reason`, and the Dockerfile
/// still checked by the built-in rules and the good policy.
fn assert_stopped_and_others_reported(output: &std::process::Output, reason: &str) {
    let out = stdout(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{out}\nstderr:\n{}",
        stderr(output)
    );
    let problem = out
        .lines()
        .find(|l| l.starts_with(".plimsoll/policies/p.rego:") && l.contains("PL002"))
        .unwrap_or_else(|| panic!("no PL002 on the policy file:\n{out}"));
    assert!(problem.contains(reason), "{problem}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("Dockerfile:1:13:") && l.contains("DF002/latest-tag")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("Dockerfile:") && l.contains("good policy ran")),
        "{out}"
    );
    assert_eq!(stderr(output), "");
}

const RECURSIVE: &str = "package rec\nimport rego.v1\n\nf(x) := y if { y := f(x) }\n\n\
                         deny contains msg if { msg := sprintf(\"%v\", [f(1)]) }\n\n\
                         test_rec if { f(1) == 1 }\n";

#[test]
fn a_recursive_function_is_a_policy_error_not_a_crash() {
    let dir = with_policy(RECURSIVE);
    let output = check(dir.path());
    assert_stopped_and_others_reported(&output, "recursion is not allowed");
    assert!(
        stdout(&output).starts_with(
            ".plimsoll/policies/p.rego:4:21: error[PL002/policy-error] policy does not compile: \
             recursion is not allowed: `data.rec.f` calls `data.rec.f`\n"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
fn nested_replace_n_is_stopped_within_the_memory_budget() {
    let big = "a".repeat(100);
    let policy = format!(
        "package rep\nimport rego.v1\n\np := {{\"a\": \"{big}\"}}\n\n\
         deny contains msg if {{\n    s := strings.replace_n(p, strings.replace_n(p, \
         strings.replace_n(p, strings.replace_n(p, strings.replace_n(p, \"aaaa\")))))\n    \
         msg := sprintf(\"%d\", [count(s)])\n}}\n"
    );
    let dir = with_policy(&policy);
    assert_stopped_and_others_reported(&check(dir.path()), "was stopped");
}

#[test]
fn a_comprehension_over_a_huge_range_is_stopped_within_the_memory_budget() {
    let dir = with_policy(
        "package rng\nimport rego.v1\n\ndeny contains msg if {\n    \
         xs := [x | some x in numbers.range(1, 1e8)]\n    msg := sprintf(\"%d\", [count(xs)])\n}\n",
    );
    assert_stopped_and_others_reported(&check(dir.path()), "was stopped");
}

#[test]
fn rand_intn_gives_the_same_findings_on_every_run() {
    let dir = with_policy(
        "package rnd\nimport rego.v1\n\ndeny contains msg if {\n    \
         msg := sprintf(\"n=%d\", [rand.intn(input.path, 1000000)])\n}\n",
    );
    let args = ["check", "--format", "json", "."];
    let first = bounded(dir.path(), &args);
    let second = bounded(dir.path(), &args);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(text.contains("\"message\": \"n="), "{text}");
    assert_eq!(text, stdout(&second));
}

#[test]
fn plimsoll_test_reports_hostile_tests_as_failures_and_runs_the_others() {
    let dir = tree(&[
        (".plimsoll.yaml", "strict: false\npolicies: [more]\n"),
        ("more/p.rego", RECURSIVE),
        (
            ".plimsoll/policies/range_test.rego",
            "package rng\nimport rego.v1\n\n\
             test_range if { count([x | some x in numbers.range(1, 1e8)]) > 0 }\n\n\
             test_fine if { 1 + 1 == 2 }\n",
        ),
    ]);
    let output = bounded(dir.path(), &["test", "."]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{}", stderr(&output));
    let failure = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("FAIL data.{name} ")))
            .unwrap_or_else(|| panic!("{name} not failed:\n{out}"))
            .to_string()
    };
    assert!(
        out.lines()
            .any(|l| l.starts_with("FAIL more/p.rego:4:21: ")
                && l.contains("recursion is not allowed")),
        "{out}"
    );
    assert!(
        failure("rec.test_rec").contains("does not compile"),
        "{out}"
    );
    assert!(failure("rng.test_range").contains("stopped"), "{out}");
    assert!(!out.contains("test_fine"), "{out}");
    assert!(out.ends_with("3 Rego tests: 3 failed\n"), "{out}");
}
