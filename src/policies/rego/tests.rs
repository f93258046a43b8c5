//! Rego policies end to end through the engine: inputs, results, metadata, exceptions, budgets
//! and hostile policies.

use std::path::Path;

use super::compile::deterministic_intn;
use super::rules::default_code;
use super::*;
use crate::linter::diagnostic::Category;
use crate::linter::engine::{self, Selection, Settings};
use crate::linter::rule::RuleRef;
use crate::syntax::source::{FileKind, SourceFile};
use crate::workspace::config::policy::rego_files;

/// A fresh directory holding `files` (name, text).
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

thread_local! {
    /// The sets this test loaded (each test runs on a thread of its own).
    static SETS: std::cell::RefCell<SetCache> = std::cell::RefCell::new(SetCache::default());
}

/// `code line:col message` of the findings of the set's rules on `text`.
fn run(dir: &Path, kind: FileKind, text: &str) -> Vec<String> {
    let (_, rules) = SETS
        .with(|sets| load_dir(&mut sets.borrow_mut(), dir, rego_files(dir), &[]))
        .expect("a rego set");
    let rules: Vec<RuleRef> = rules.iter().map(|p| p.rule.clone()).collect();
    let settings = Settings::with_policies(
        &rules,
        &[Selection {
            select: Some(rules.iter().map(|r| r.code().to_string()).collect()),
            ..Selection::default()
        }],
    );
    let source = SourceFile::new("f", text, kind);
    engine::check(&source, &settings)
        .into_iter()
        .map(|f| {
            let at = source.position(f.span.start);
            format!(
                "{} {}:{} {} {}",
                f.code, at.line, at.column, f.severity, f.message
            )
        })
        .collect()
}

fn problems_of(dir: &Path) -> Vec<String> {
    SETS.with(|sets| sets.borrow().problems(Some(&[dir.to_path_buf()])))
        .into_iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}",
                p.path.file_name().unwrap().to_string_lossy(),
                p.line,
                p.column,
                p.message
            )
        })
        .collect()
}

const ORG: &str = r#"# METADATA
# title: Images do not run as root
# description: The final USER must not be root.
# custom:
#   code: ACME100
#   severity: warning
#   category: privilege
#   related: [cis:4.1]
package acme.nonroot

import rego.v1

deny contains result if {
    some instr in input.instructions
    instr.keyword == "USER"
    instr.arguments[0] in {"root", "0"}
    result := {"msg": sprintf("USER %s runs as root", [instr.arguments[0]]), "location": instr.location}
}

warn contains "no HEALTHCHECK" if {
    not any_healthcheck
}

any_healthcheck if {
    some instr in input.instructions
    instr.keyword == "HEALTHCHECK"
}
"#;

#[test]
fn plimsoll_input_results_are_located() {
    let dir = dir_with(&[("org.rego", ORG)]);
    let found = run(dir.path(), FileKind::Dockerfile, "FROM a\nUSER root\n");
    assert_eq!(
        found,
        [
            "ACME100 1:1 warning no HEALTHCHECK",
            "ACME100 2:1 warning USER root runs as root",
        ]
    );
    let (_, rules) = load_dir(
        &mut SetCache::default(),
        dir.path(),
        rego_files(dir.path()),
        &[],
    )
    .unwrap();
    let rule = rules[0].rule.clone();
    assert_eq!(rule.name(), "images-do-not-run-as-root");
    assert_eq!(rule.category(), Category::Privilege);
    assert_eq!(rule.related(), ["cis:4.1"]);
    assert!(rule.docs().contains("The final USER must not be root."));
}

const CONFTEST: &str = r#"package main

deny[msg] {
    input[0][i].Cmd == "user"
    val := input[0][i].Value
    val[0] == "root"
    msg := sprintf("line %d: do not run as root", [input[0][i].StartLine])
}

violation[{"msg": msg, "line": line}] {
    some i
    input[0][i].Cmd == "from"
    endswith(input[0][i].Value[0], ":latest")
    msg := "latest tag"
    line := input[0][i].StartLine
}

exception[rules] {
    input[0][_].Cmd == "label"
    rules := ["nothing"]
}
"#;

#[test]
fn conftest_policies_run_unchanged() {
    let dir = dir_with(&[("docker.rego", CONFTEST)]);
    let found = run(
        dir.path(),
        FileKind::Dockerfile,
        "FROM a:latest\nUSER root\n",
    );
    let code = default_code("main");
    assert_eq!(
        found,
        [
            format!("{code} 1:1 error latest tag"),
            format!("{code} 2:1 error line 2: do not run as root"),
        ]
    );
    assert!(problems_of(dir.path()).is_empty());
}

#[test]
fn exceptions_drop_named_result_rules() {
    let policy = "package main\nimport rego.v1\n\ndeny_root contains \"root\" if { true }\n\
                  deny contains \"plain\" if { true }\n\
                  exception contains rules if { input.services.x; rules := [\"root\"] }\n";
    let dir = dir_with(&[("c.rego", policy)]);
    let code = default_code("main");
    assert_eq!(
        run(dir.path(), FileKind::Compose, "services:\n  x: {}\n"),
        [format!("{code} 1:1 error plain")]
    );
    assert_eq!(
        run(dir.path(), FileKind::Compose, "services:\n  y: {}\n").len(),
        2
    );
}

#[test]
fn compose_paths_point_at_keys() {
    let policy = r#"package acme.compose
import rego.v1

deny contains {"msg": sprintf("service %s has no memory limit", [name]), "path": ["services", name]} if {
    some name, service in input.services
    not service.deploy.resources.limits.memory
}

deny contains {"msg": "privileged", "path": sprintf("services.%s.privileged", [name])} if {
    some name, service in input.services
    service.privileged == true
}
"#;
    let dir = dir_with(&[("c.rego", policy)]);
    let text = "services:\n  web:\n    image: a\n    privileged: true\n    deploy: {resources: {limits: {memory: 1g}}}\n  db:\n    image: b\n";
    let code = default_code("acme.compose");
    assert_eq!(
        run(dir.path(), FileKind::Compose, text),
        [
            format!("{code} 4:5 error privileged"),
            format!("{code} 6:3 error service db has no memory limit"),
        ]
    );
}

#[test]
fn a_policy_that_does_not_compile_is_a_problem_on_its_file() {
    let dir = dir_with(&[(
        "bad.rego",
        "package x\nimport rego.v1\n\ndeny contains msg if {\n    msg := \n}\n",
    )]);
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        [] as [&str; 0]
    );
    let problems = problems_of(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("bad.rego:"), "{problems:?}");
    assert!(
        problems[0].contains("policy does not compile"),
        "{problems:?}"
    );
}

#[test]
fn network_calls_are_not_available() {
    let policy = "package x\nimport rego.v1\n\ndeny contains msg if {\n    resp := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9/\"})\n    msg := resp.body\n}\n";
    let dir = dir_with(&[("net.rego", policy)]);
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        [] as [&str; 0]
    );
    let problems = problems_of(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("net.rego:5:"), "{problems:?}");
    assert!(problems[0].contains("http.send"), "{problems:?}");
}

#[test]
fn recursion_is_rejected() {
    let policy =
        "package x\nimport rego.v1\n\na if { b }\nb if { a }\ndeny contains \"x\" if { a }\n";
    let dir = dir_with(&[("rec.rego", policy)]);
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        [] as [&str; 0]
    );
    let problems = problems_of(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("rec.rego:4:1: "), "{problems:?}");
    assert!(problems[0].contains("cyclic evaluation"), "{problems:?}");
}

#[test]
fn recursive_functions_are_rejected_at_compile_time() {
    let direct = "package x\nimport rego.v1\n\nf(n) := y if { y := f(n) }\ndeny contains \"x\" if { f(1) }\n";
    let dir = dir_with(&[("f.rego", direct)]);
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        [] as [&str; 0]
    );
    assert_eq!(
        problems_of(dir.path()),
        [
            "f.rego:4:21: policy does not compile: recursion is not allowed: `data.x.f` calls \
          `data.x.f`"
        ]
    );
    // Through another package, by an import alias and by a `data.` path.
    let lib = "package lib\nimport rego.v1\nimport data.x as other\n\n\
               even(n) if { n == 0 }\neven(n) if { n > 0; other.odd(n - 1) }\n";
    let x = "package x\nimport rego.v1\n\nodd(n) if { n > 0; data.lib.even(n - 1) }\n\
             deny contains \"x\" if { odd(3) }\n";
    let dir = dir_with(&[("lib.rego", lib), ("x.rego", x)]);
    assert!(run(dir.path(), FileKind::Dockerfile, "FROM a\n").is_empty());
    assert_eq!(
        problems_of(dir.path()),
        [
            "x.rego:4:20: policy does not compile: recursion is not allowed: `data.lib.even` \
          calls `data.x.odd` calls `data.lib.even`"
        ]
    );
}

#[test]
fn functions_calling_functions_without_a_cycle_are_fine() {
    // `f(x)` in a comment and a string, a builtin and a function of the same name elsewhere.
    let policy = "package x\nimport rego.v1\n\n# f(x) := f(x)\ng(n) := concat(\"\", [\"f(\", h(n)])\n\
                  h(n) := sprintf(\"%d)\", [n])\nf(n) := g(n)\ndeny contains f(1) if { true }\n";
    let dir = dir_with(&[("ok.rego", policy)]);
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        ["RG7271 1:1 error f(1)"]
    );
    assert!(problems_of(dir.path()).is_empty());
}

#[test]
fn rand_intn_is_a_function_of_its_arguments() {
    let policy = "package x\nimport rego.v1\n\ndeny contains sprintf(\"%d %d %d\", [rand.intn(\"a\", 1000000), rand.intn(\"b\", 1000000), rand.intn(\"a\", 0)]) if { true }\n";
    let dir = dir_with(&[("rand.rego", policy)]);
    let first = run(dir.path(), FileKind::Dockerfile, "FROM a\n");
    let numbers: Vec<u64> = first[0]
        .rsplit("error ")
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(numbers.len(), 3);
    assert_ne!(numbers[0], numbers[1]);
    assert!(numbers[0] < 1_000_000 && numbers[1] < 1_000_000);
    assert_eq!(numbers[2], 0);
    assert_eq!(
        numbers[0],
        match deterministic_intn("a", Some(&regorus::Value::from(1_000_000u64))) {
            regorus::Value::Number(n) => n.as_u64().unwrap(),
            other => panic!("{other:?}"),
        }
    );
}

#[cfg(unix)]
#[test]
fn a_worker_that_hangs_is_stopped_and_one_that_dies_says_why() {
    let load = sandbox::Load {
        dir: PathBuf::from("policies"),
        files: Vec::new(),
    };
    let request = sandbox::Request::Test {
        package: "p".to_string(),
        name: "test_p".to_string(),
    };
    // Stand-ins: answer the load, read the request, then misbehave.
    let cases = [
        ("exec sleep 600", "no result within 2000 ms"),
        (
            "echo 'memory allocation of 2147483648 bytes failed' >&2; kill -ABRT $$",
            "out of memory (budget 1024 MiB)",
        ),
        (
            "echo \"thread 'main' has overflowed its stack\" >&2; kill -SEGV $$",
            "stack overflow (unbounded recursion?)",
        ),
        ("exit 3", "the policy sandbox crashed (exit status: 3)"),
    ];
    for (misbehave, why) in cases {
        let script = format!("read load; echo '\"Ready\"'; read request; {misbehave}");
        let mut worker =
            sandbox::Worker::start(Path::new("/bin/sh"), &["-c", &script], &load).unwrap();
        assert_eq!(worker.request(&request).err().as_deref(), Some(why));
    }
}

#[test]
fn long_evaluations_run_out_of_time() {
    let policy = "package x\nimport rego.v1\n\ndeny contains \"slow\" if {\n    count([x | some x in numbers.range(1, 2000); some y in numbers.range(1, 2000); x == y + 3000]) == 0\n    count([x | some x in numbers.range(1, 2000); some y in numbers.range(1, 2000); x == y + 3000]) == 1\n}\n";
    let dir = dir_with(&[("slow.rego", policy)]);
    let started = std::time::Instant::now();
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        [] as [&str; 0]
    );
    assert!(
        started.elapsed() < TIME_BUDGET * 4,
        "{:?}",
        started.elapsed()
    );
    let problems = problems_of(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("time budget"), "{problems:?}");
    // Disabled for the rest of the run: a second file costs nothing and adds no problem.
    let started = std::time::Instant::now();
    run(dir.path(), FileKind::Dockerfile, "FROM b\n");
    assert!(started.elapsed() < TIME_BUDGET / 2);
    assert_eq!(problems_of(dir.path()).len(), 1);
}

#[test]
fn huge_output_is_cut() {
    let policy = "package x\nimport rego.v1\n\ndeny contains sprintf(\"%d\", [n]) if { some n in numbers.range(1, 1500) }\n";
    let dir = dir_with(&[("many.rego", policy)]);
    let found = run(dir.path(), FileKind::Dockerfile, "FROM a\n");
    assert_eq!(found.len(), MAX_RESULTS);
    // About 1.2 MB in one message, in few iterations (cheap even on a loaded machine).
    let policy = format!(
        "package y\nimport rego.v1\n\ndeny contains concat(\"\", [s | some n in numbers.range(1, 1300); s := \"{}\"]) if {{ true }}\n",
        "x".repeat(900)
    );
    let dir = dir_with(&[("big.rego", &policy)]);
    assert_eq!(
        run(dir.path(), FileKind::Dockerfile, "FROM a\n"),
        [] as [&str; 0]
    );
    let problems = problems_of(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("output budget"), "{problems:?}");
}

#[test]
fn rego_unit_tests_run() {
    let tests = "package acme.nonroot\nimport rego.v1\n\ntest_root_denied if {\n    count(deny) == 1 with input as {\"instructions\": [{\"keyword\": \"USER\", \"arguments\": [\"root\"], \"location\": {}}]}\n}\n\ntest_wrong if {\n    count(deny) == 5 with input as {\"instructions\": []}\n}\n";
    let dir = dir_with(&[("org.rego", ORG), ("org_test.rego", tests)]);
    let (set, _) = load_dir(
        &mut SetCache::default(),
        dir.path(),
        rego_files(dir.path()),
        &[],
    )
    .unwrap();
    let found: Vec<(String, bool)> = set
        .tests()
        .iter()
        .map(|t| (t.name.clone(), set.run_test(t).is_ok()))
        .collect();
    assert_eq!(
        found,
        [
            ("test_root_denied".to_string(), true),
            ("test_wrong".to_string(), false)
        ]
    );
}

#[test]
fn odd_result_shapes_do_not_panic() {
    let policy = r#"package odd
import rego.v1

deny contains {"msg": "a", "path": [0, 18446744073709551615]} if { true }
deny contains {"msg": "b", "location": {"line": 99, "column": 5}} if { true }
deny contains {"msg": "c", "location": {"start": {"line": 1, "column": 999}, "end": {"line": 0, "column": 0}}} if { true }
deny contains {"msg": "d", "line": -3} if { true }
deny contains {"no": "msg"} if { true }
deny contains 42 if { true }
deny contains "line 1: é" if { true }
"#;
    let dir = dir_with(&[("odd.rego", policy)]);
    let code = default_code("odd");
    let mut found = run(dir.path(), FileKind::Dockerfile, "FROM é\n");
    found.sort();
    assert_eq!(
        found,
        [
            format!("{code} 1:1 error a"),
            format!("{code} 1:1 error b"),
            format!("{code} 1:1 error d"),
            format!("{code} 1:1 error line 1: é"),
            format!("{code} 1:7 error c"),
        ]
    );
}
