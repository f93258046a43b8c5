//! Rego policies end to end: the `plimsoll` binary on the shipped `examples/policies/rego/`
//! (organisation policy with unit tests, conftest-style policies run unchanged) and on
//! temporary trees with broken and hostile policies: located findings in json and sarif,
//! `plimsoll test` running Rego tests, PL002 on the policy file while the other rules run.

mod common;

use common::{plimsoll, stderr, stdout, tree};

use std::path::Path;

use serde_json::Value;

fn json_of(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = plimsoll(dir, &all);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", stderr(&output)))
}

/// `path:line:col code` of the findings whose code starts with one of `prefixes`.
fn located(json: &Value, prefixes: &[&str]) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let code = f["code"].as_str().unwrap();
            prefixes.iter().any(|p| code.starts_with(p))
        })
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f["path"].as_str().unwrap(),
                f["start"]["line"],
                f["start"]["column"],
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}

fn example() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/policies/rego"
    ))
}

#[test]
fn the_shipped_rego_policies_give_located_findings_in_json() {
    let json = json_of(example(), &["app"]);
    assert_eq!(
        located(&json, &["ORG", "RG"]),
        [
            "app/Dockerfile:1:1 ORG101",
            "app/Dockerfile:2:1 RG7336",
            "app/Dockerfile:6:1 ORG102",
            "app/Dockerfile:6:1 RG7336",
            "app/Dockerfile:9:1 ORG103",
            "app/compose.yaml:1:1 RG7336",
            "app/compose.yaml:1:1 RG7336",
            "app/compose.yaml:8:3 ORG104",
            "app/compose.yaml:9:5 ORG101",
        ]
    );
    let root = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "ORG103")
        .unwrap();
    assert_eq!(root["name"], "images-do-not-run-as-root");
    assert_eq!(root["severity"], "error");
    assert_eq!(root["category"], "privilege");
    assert_eq!(root["message"], "the image runs as `root`");
    assert_eq!(root["end"]["line"], 9);
    assert_eq!(root["end"]["column"], 10);
    // conftest's `warn` is a warning, `deny` an error.
    let conftest: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RG7336" && f["path"] == "app/Dockerfile")
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(conftest, ["error", "warning"]);
}

#[test]
fn sarif_has_rego_results_and_their_rule_metadata() {
    let output = plimsoll(example(), &["check", "--format", "sarif", "app/Dockerfile"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &sarif["runs"][0];
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ORG103")
        .expect("ORG103 result");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 9);
    assert_eq!(region["startColumn"], 1);
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ORG103")
        .expect("ORG103 described");
    assert_eq!(
        rule["shortDescription"]["text"],
        "Images do not run as root"
    );
}

#[test]
fn plimsoll_test_runs_the_rego_unit_tests() {
    let output = plimsoll(example(), &["test", ".", "--select", "ORG"]);
    assert_eq!(
        stdout(&output),
        "0 examples of 4 rules (4 policy rules), 7 Rego tests: all passed\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    let dir = tree(&[
        (".plimsoll.yaml", "strict: false\n"),
        (
            ".plimsoll/policies/p.rego",
            "package p\nimport rego.v1\n\ndeny contains \"x\" if { input.x }\n",
        ),
        (
            ".plimsoll/policies/p_test.rego",
            "package p\nimport rego.v1\n\ntest_ok if { count(deny) == 1 with input as {\"x\": true} }\n\ntest_bad if { count(deny) == 2 with input as {\"x\": true} }\n",
        ),
    ]);
    let output = plimsoll(dir.path(), &["test", ".", "--select", "p"]);
    let text = stdout(&output);
    assert!(
        text.contains("FAIL data.p.test_bad (.plimsoll/policies/p_test.rego:6): undefined"),
        "{text}"
    );
    assert!(text.ends_with("2 Rego tests: 1 failed\n"), "{text}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_broken_policy_is_a_located_finding_and_other_rules_still_run() {
    let dir = tree(&[
        (".plimsoll.yaml", "strict: false\n"),
        (
            ".plimsoll/policies/broken.rego",
            "package broken\nimport rego.v1\n\ndeny contains msg if {\n    msg := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9\"}).body\n}\n",
        ),
        ("Dockerfile", "FROM alpine:latest\n"),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "json"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        located(&json, &["PL002", "DF002"]),
        [
            ".plimsoll/policies/broken.rego:5:21 PL002",
            "Dockerfile:1:13 DF002",
        ]
    );
    let problem = &json["findings"][0];
    assert!(
        problem["message"].as_str().unwrap().contains("http.send"),
        "{problem}"
    );
    assert_eq!(output.status.code(), Some(1));
}
