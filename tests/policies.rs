//! Policies as code end to end: the `plimsoll` binary on temporary trees with policy files in
//! `.plimsoll/policies/` (each template's bad and good cases, errors with file:line:col and
//! exit 2, selection, severity overrides, suppressions, baselines, `plimsoll test`,
//! `plimsoll rules` / `plimsoll rule`), and the shipped `examples/policies/`.

mod common;

use common::{plimsoll, stderr, stdout, tree};

use std::path::Path;

use tempfile::TempDir;

/// `path:line:col code` of every policy (ORG/ACME) finding, from `check --format compact`.
fn policy_findings(dir: &Path, args: &[&str]) -> (Vec<String>, Option<i32>) {
    let mut all = vec!["check", "--format", "compact", "--quiet"];
    all.extend_from_slice(args);
    let output = plimsoll(dir, &all);
    let text = stdout(&output);
    let found = text
        .lines()
        .filter(|line| line.contains("[ORG") || line.contains("[ACME"))
        .map(|line| {
            let (location, rest) = line.split_once(": ").unwrap();
            let code = rest
                .split_once('[')
                .and_then(|(_, r)| r.split_once('/'))
                .map(|(c, _)| c)
                .unwrap();
            format!("{location} {code}")
        })
        .collect();
    (found, output.status.code())
}

const DIGEST: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

const TEMPLATES: &str = r#"rules:
  - code: ORG001
    name: internal-only
    summary: Internal registry only
    category: provenance
    template: image
    options: {allowed: ["registry.acme.internal/*"]}
  - code: ORG002
    name: digests
    summary: Digests required
    category: reproducibility
    template: image
    options: {require-digest: true, tag: '^\d'}
  - code: ORG003
    name: memory-at-most-2g
    summary: Memory limit at most 2g
    category: resources
    message: "{service} {path}={value}: {problem}"
    template: compose-field
    options: {path: deploy.resources.limits.memory, compare: "<= 2g"}
  - code: ORG004
    name: json-logging
    summary: json-file logging
    category: correctness
    template: compose-field
    options: {path: logging.driver, one-of: [json-file, local], allow-absent: true}
  - code: ORG005
    name: no-privileged-key
    summary: privileged is not written at all
    category: privilege
    template: compose-field
    options: {path: privileged, absent: true}
  - code: ORG006
    name: healthcheck-required
    summary: HEALTHCHECK in the final stage
    category: correctness
    template: dockerfile-instruction
    options: {instruction: HEALTHCHECK}
  - code: ORG007
    name: no-platform-flag
    summary: FROM without --platform
    category: correctness
    template: dockerfile-instruction
    options: {mode: forbidden, scope: every-stage, instruction: FROM, flag: --platform}
  - code: ORG008
    name: source-label
    summary: OCI source label
    category: correctness
    template: dockerfile-instruction
    options: {label: org.opencontainers.image.source, value: "^https://"}
  - code: ORG009
    name: no-apk-upgrade
    summary: no apk upgrade
    category: reproducibility
    template: run-command
    options: {program: apk, subcommand: upgrade}
  - code: ORG010
    name: no-insecure-curl
    summary: curl -k
    category: provenance
    template: run-command
    options: {program: curl, flags: ["-k", "--insecure"], argument: '^http'}
  - code: ORG011
    name: no-root
    summary: non-root
    category: privilege
    template: builtin:root-user
"#;

fn template_tree() -> TempDir {
    let dockerfile = format!(
        "FROM --platform=linux/amd64 alpine:3.20 AS build\n\
         RUN apk upgrade && sudo curl -fsSLk https://x.example/t -o /t\n\
         FROM registry.acme.internal/base/alpine:3.20@{DIGEST}\n\
         LABEL org.opencontainers.image.source=git@github.com:acme/app.git\n\
         USER 10001\n"
    );
    let compose = format!(
        "services:\n  api:\n    image: registry.acme.internal/api:1.0@{DIGEST}\n    \
         logging: {{driver: syslog}}\n    deploy: {{resources: {{limits: {{memory: 4g}}}}}}\n  \
         web:\n    image: nginx:latest\n    privileged: false\n    \
         deploy: {{resources: {{limits: {{memory: 512m}}}}}}\n"
    );
    tree(&[
        (".plimsoll.yaml", "ignore: [DF, DC]\n"),
        (".plimsoll/policies/org.yaml", TEMPLATES),
        ("Dockerfile", &dockerfile),
        ("compose.yaml", &compose),
    ])
}

#[test]
fn every_template_reports_bad_and_passes_good() {
    let dir = template_tree();
    let (found, code) = policy_findings(dir.path(), &[]);
    assert_eq!(
        found,
        [
            "Dockerfile:1:6 ORG007",
            "Dockerfile:1:29 ORG001",
            "Dockerfile:1:29 ORG002",
            "Dockerfile:2:5 ORG009",
            "Dockerfile:2:20 ORG010",
            "Dockerfile:3:1 ORG006",
            "Dockerfile:4:39 ORG008",
            "compose.yaml:4:23 ORG004",
            "compose.yaml:5:43 ORG003",
            "compose.yaml:7:12 ORG001",
            "compose.yaml:7:12 ORG002",
            "compose.yaml:8:17 ORG005",
        ],
    );
    assert_eq!(code, Some(1));
    // ORG011 (non-root through the built-in root-user) is quiet: the final stage has USER.
    let output = plimsoll(
        dir.path(),
        &["check", "--format", "compact", "--quiet", "compose.yaml"],
    );
    let text = stdout(&output);
    assert!(
        text.contains(
            "compose.yaml:5:43: warning[ORG003/memory-at-most-2g] api deploy.resources.limits.memory=4g: must be <= 2g"
        ),
        "{text}"
    );
    assert!(!text.contains("[ORG003/memory-at-most-2g] web"), "{text}");
}

#[test]
fn builtin_template_runs_under_the_policy_code() {
    let dir = tree(&[
        (".plimsoll.yaml", "ignore: [DF]\n"),
        (".plimsoll/policies/org.yaml", TEMPLATES),
        ("Dockerfile", "FROM registry.acme.internal/a:1\n"),
    ]);
    let (found, _) = policy_findings(dir.path(), &["--select", "ORG011"]);
    assert_eq!(found, ["Dockerfile:1:1 ORG011"]);
}

#[test]
fn selection_severity_and_suppression_work_for_policy_rules() {
    let dir = tree(&[
        (
            ".plimsoll.yaml",
            "ignore: [DF, DC, ORG002]\nrules:\n  internal-only: {severity: error}\n",
        ),
        (".plimsoll/policies/org.yaml", TEMPLATES),
        (
            "Dockerfile",
            "# plimsoll ignore=ORG006 -- healthchecks come from the orchestrator\n\
             FROM alpine:3.20\n\
             USER 1\n",
        ),
        ("other/Dockerfile", "FROM alpine:3.20\nUSER 1\n"),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "compact", "--quiet"]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines
            .iter()
            .map(|l| l.split(']').next().unwrap())
            .collect::<Vec<_>>(),
        [
            "Dockerfile:2:1: warning[ORG008/source-label",
            "Dockerfile:2:6: error[ORG001/internal-only",
            "other/Dockerfile:1:1: warning[ORG006/healthcheck-required",
            "other/Dockerfile:1:1: warning[ORG008/source-label",
            "other/Dockerfile:1:6: error[ORG001/internal-only",
        ],
        "{text}"
    );
    // The command line selects policy rules too.
    let (found, _) = policy_findings(dir.path(), &["--select", "ORG006", "other"]);
    assert_eq!(found, ["other/Dockerfile:1:1 ORG006"]);
    let output = plimsoll(dir.path(), &["check", "--select", "ORG999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("ORG999"), "{}", stderr(&output));
    // A baseline records policy findings like any other.
    let output = plimsoll(dir.path(), &["check", "--write-baseline", "b.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (found, code) = policy_findings(dir.path(), &["--baseline", "b.json"]);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, Some(0));
}

#[test]
fn policy_errors_are_located_and_exit_2() {
    let bad = "rules:\n  - code: DF900\n    name: Bad_Name\n    summary: s\n    category: provenanse\n    \
               template: run-command\n    options: {programm: curl}\n";
    let dir = tree(&[
        (".plimsoll/policies/org.yaml", bad),
        (".plimsoll.yaml", "select: [all]\n"),
        ("Dockerfile", "FROM alpine\n"),
    ]);
    let output = plimsoll(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    for expected in [
        ".plimsoll/policies/org.yaml:2:11: rule code `DF900`: the prefixes `DF`, `DC` and `PL` are reserved",
        ".plimsoll/policies/org.yaml:3:11: rule name `Bad_Name` must be kebab-case",
        ".plimsoll/policies/org.yaml:5:15: unknown category `provenanse`",
        "did you mean `provenance`?",
        ".plimsoll/policies/org.yaml:7:15: unknown option of template `run-command` `programm`; did you mean `program`?",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }
    // `plimsoll test` and `plimsoll rules` stop on the same errors.
    assert_eq!(plimsoll(dir.path(), &["test"]).status.code(), Some(2));
    assert_eq!(plimsoll(dir.path(), &["rules"]).status.code(), Some(2));
}

#[test]
fn policies_at_the_repository_root_load_without_a_config_file() {
    let policy = "rules:\n  - code: ORG001\n    name: no-apk-upgrade\n    summary: no apk upgrade\n    \
                  category: reproducibility\n    template: run-command\n    \
                  options: {program: apk, subcommand: upgrade}\n";
    let dockerfile = "FROM alpine:3.20\nRUN apk upgrade\n";
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll/policies/org.yaml", policy),
        ("svc/Dockerfile", dockerfile),
    ]);
    let (found, _) = policy_findings(dir.path(), &["svc"]);
    assert_eq!(found, ["svc/Dockerfile:2:5 ORG001"]);
    // Outside a repository, the checked tree is the working directory.
    let dir = tree(&[
        (".plimsoll/policies/org.yaml", policy),
        ("Dockerfile", dockerfile),
    ]);
    let (found, _) = policy_findings(dir.path(), &[]);
    assert_eq!(found, ["Dockerfile:2:5 ORG001"]);
    // `--isolated` still reads nothing.
    let (found, _) = policy_findings(dir.path(), &["--isolated"]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_policies_directory_nothing_reads_is_reported() {
    let policy = "rules: []\n";
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll/policies/README.md", "policies go here\n"),
        ("svc/.plimsoll/policies/org.yaml", policy),
        ("svc/Dockerfile", "FROM alpine:3.20\n"),
    ]);
    let output = plimsoll(dir.path(), &["check", "--quiet", "svc"]);
    let err = stderr(&output);
    assert!(
        err.contains(
            "plimsoll: note: `svc/.plimsoll/policies/` is not loaded: policy directories are read \
             beside a `.plimsoll.yaml` or at the repository root"
        ),
        "{err}"
    );
    assert!(
        err.contains("plimsoll: note: `.plimsoll/policies/` holds no policy file (`*.yaml`)"),
        "{err}"
    );
}

#[test]
fn a_missing_policies_directory_is_an_error() {
    let dir = tree(&[
        (".plimsoll.yaml", "policies: [org-policies]\n"),
        ("Dockerfile", "FROM alpine\n"),
    ]);
    let output = plimsoll(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(".plimsoll.yaml:1:12: policy directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn configured_policy_directories_are_read() {
    let dir = tree(&[
        (".plimsoll.yaml", "policies: [shared/policies]\n"),
        ("shared/policies/org.yml", TEMPLATES),
        ("Dockerfile", "FROM alpine:3.20\nUSER 1\n"),
    ]);
    let (found, _) = policy_findings(dir.path(), &["--select", "internal-only"]);
    assert_eq!(found, ["Dockerfile:1:6 ORG001"]);
}

#[test]
fn plimsoll_test_passes_and_fails_with_the_policy_line() {
    let passing = "rules:\n  - code: ACME1\n    name: no-wget\n    summary: s\n    category: provenance\n    \
                   template: run-command\n    options: {program: wget}\n    examples:\n      \
                   bad: ['FROM a\n\n        RUN wget x']\n      good: ['FROM a\n\n        RUN curl x']\n";
    let dir = tree(&[
        (".plimsoll.yaml", ""),
        (".plimsoll/policies/acme.yaml", passing),
    ]);
    let output = plimsoll(dir.path(), &["test", "--select", "ACME1"]);
    assert_eq!(
        stdout(&output),
        "2 examples of 1 rule (1 policy rule): all passed\n"
    );
    assert_eq!(output.status.code(), Some(0));

    let failing = passing.replace("RUN curl x", "RUN wget y");
    let dir = tree(&[
        (".plimsoll.yaml", ""),
        (".plimsoll/policies/acme.yaml", &failing),
    ]);
    let output = plimsoll(dir.path(), &["test", "--select", "ACME"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL ACME1 no-wget (")
            && text.contains("FAIL ACME1 no-wget (.plimsoll/policies/acme.yaml:12: good example): expected no `no-wget` finding, got 1"),
        "{text}"
    );
    // From another directory, DIR names where the config is found.
    let output = plimsoll(
        dir.path().parent().unwrap(),
        &["test", "--select", "ACME1", dir.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn rules_lists_policy_rules_and_rule_shows_their_docs() {
    let dir = template_tree();
    let text = stdout(&plimsoll(dir.path(), &["rules"]));
    let codes: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("ORG"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let expected: Vec<String> = (1..=11).map(|n| format!("ORG{n:03}")).collect();
    assert_eq!(codes, expected, "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("ORG003") && l.contains("memory-at-most-2g")),
        "{text}"
    );
    let output = plimsoll(dir.path(), &["rule", "ORG008"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.starts_with(
            "ORG008 source-label · Dockerfile · correctness · warning · enabled by default · \
             no fix · policy rule\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("# source-label\n\nOCI source label\n"),
        "{text}"
    );
    // Elsewhere the policy rules are unknown.
    let elsewhere = tree(&[]);
    assert_eq!(
        plimsoll(elsewhere.path(), &["rule", "ORG008"])
            .status
            .code(),
        Some(2)
    );
    let config = dir.path().join(".plimsoll.yaml");
    let output = plimsoll(
        elsewhere.path(),
        &["rule", "ORG008", "--config", config.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_shipped_organisation_policy_tests_clean_and_flags_the_example_app() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = plimsoll(root, &["test", "examples/policies", "--select", "ORG"]);
    assert_eq!(
        stdout(&output),
        "17 examples of 7 rules (7 policy rules): all passed\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    // Only the app: examples/policies/rego/ has its own (Rego) organisation policy.
    let (found, code) = policy_findings(root, &["examples/policies/app"]);
    assert_eq!(
        found,
        [
            "examples/policies/app/Dockerfile:2:6 ORG001",
            "examples/policies/app/Dockerfile:2:6 ORG002",
            "examples/policies/app/Dockerfile:9:1 ORG006",
            "examples/policies/app/Dockerfile:9:1 ORG004",
            "examples/policies/app/Dockerfile:9:6 ORG002",
            "examples/policies/app/compose.yaml:8:19 ORG003",
            "examples/policies/app/compose.yaml:10:12 ORG001",
        ]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn sarif_describes_policy_rules_from_their_policy_file() {
    let dir = template_tree();
    let output = plimsoll(dir.path(), &["check", "--format", "sarif", "compose.yaml"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "ORG003")
        .expect("ORG003 described");
    assert_eq!(rule["name"], "memory-at-most-2g");
    assert_eq!(rule["shortDescription"]["text"], "Memory limit at most 2g");
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("# memory-at-most-2g")
    );
    assert!(rule.get("helpUri").is_none());
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ORG003")
        .unwrap();
    assert_eq!(result["level"], "warning");
}

#[test]
fn policy_rules_link_to_no_page_of_the_site() {
    // The site has pages for built-in rules only: reviewdog's code and the job summary name a
    // policy rule without a link.
    let dir = template_tree();
    let output = plimsoll(dir.path(), &["check", "--format", "rdjson", "compose.yaml"]);
    let rdjson: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = rdjson["diagnostics"].as_array().unwrap();
    let policy = diagnostics
        .iter()
        .find(|d| d["code"]["value"] == "ORG003")
        .expect("an ORG003 finding");
    assert!(policy["code"].get("url").is_none(), "{policy}");
    let summary = dir.path().join("summary.md");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(["check", "--format", "github", "compose.yaml"])
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(
        summary.contains("| ORG003 memory-at-most-2g |"),
        "{summary}"
    );
}

#[test]
fn a_config_that_extends_another_selects_its_policy_rules() {
    let dir = tree(&[
        (".plimsoll.yaml", "ignore: [DF, DC, ORG]\n"),
        (".plimsoll/policies/org.yaml", TEMPLATES),
        (
            "svc/.plimsoll.yaml",
            "extends: ../.plimsoll.yaml\nextend-select: [internal-only]\nrules:\n  ORG001: {severity: error}\n",
        ),
        ("svc/Dockerfile", "FROM alpine:3.20\nUSER 1\n"),
        ("Dockerfile", "FROM alpine:3.20\nUSER 1\n"),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "compact", "--quiet"]);
    assert_eq!(
        stdout(&output),
        "svc/Dockerfile:1:6: error[ORG001/internal-only] image `alpine:3.20` is not on the \
         allow-list (`registry.acme.internal/*`)\n",
        "{}",
        stderr(&output)
    );
}
