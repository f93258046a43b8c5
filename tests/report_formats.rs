//! The report formats end to end through the binary: several `--format x=FILE` at once,
//! `--output`, `--summary`, the GitHub job summary and paths rebased onto the GitHub workspace.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

/// A tree with a Dockerfile that has a parse error and a `latest` tag, and a clean compose file.
fn tree() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("Dockerfile"),
        "FROM alpine:latest\nRUNN echo hi\nUSER 10001\n",
    )
    .unwrap();
    dir
}

fn plimsoll(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
    command.env("PLIMSOLL_SHELLCHECK", "");
    command
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn several_formats_at_once_with_a_summary() {
    let dir = tree();
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--format",
            "sarif=out.sarif",
            "--format=github",
            "--format",
            "junit=app/../junit.xml",
            "--summary",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(
            "::error file=app/Dockerfile,line=2,endLine=2,col=1,endColumn=5,title=PL000 parse-error::"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("::warning file=app/Dockerfile,line=1,endLine=1,col=13,endColumn=19,title=DF002 latest-tag::"),
        "{stdout}"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("plimsoll: checked 1 file in "),
        "{stderr}"
    );
    assert!(
        stderr.contains("  2 findings in 1 file: 1 error, 1 warning, 0 info, 0 style\n"),
        "{stderr}"
    );
    assert!(stderr.contains("  DF002 latest-tag   1\n"), "{stderr}");

    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let ids: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DF002", "PL000"]);
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        junit.contains(r#"<testsuites name="plimsoll" tests="2" failures="2" errors="0">"#),
        "{junit}"
    );
}

#[test]
fn output_takes_the_format_without_a_file() {
    let dir = tree();
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--format",
            "checkstyle",
            "--output",
            "report.xml",
            "--format",
            "gitlab=cq.json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let checkstyle = std::fs::read_to_string(dir.path().join("report.xml")).unwrap();
    assert!(
        checkstyle.contains(r#"<file name="app/Dockerfile">"#),
        "{checkstyle}"
    );
    let gitlab: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("cq.json")).unwrap())
            .unwrap();
    assert_eq!(gitlab.as_array().unwrap().len(), 2);
}

#[test]
fn two_formats_on_stdout_are_refused() {
    let dir = tree();
    let output = plimsoll(
        dir.path(),
        &["check", "--format", "json", "--format", "sarif"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("several formats would be written to the same place"));
    let output = plimsoll(dir.path(), &["check", "--format", "yaml"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("unknown format `yaml` (expected one of text, compact, json, sarif, github, checkstyle, junit, gitlab, rdjson)"), "{}", text(&output.stderr));
}

#[test]
fn github_job_summary_and_workspace_relative_paths() {
    let dir = tree();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let app = dir.path().join("app");
    let output = plimsoll(
        &app,
        &[
            "check",
            "--format",
            "github",
            "--format",
            "sarif=../out.sarif",
        ],
        &[
            ("GITHUB_ACTIONS", Path::new("true")),
            ("GITHUB_WORKSPACE", dir.path()),
            ("GITHUB_STEP_SUMMARY", &summary),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    // Run from app/, reported relative to the workspace root, as annotations need.
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("::error file=app/Dockerfile,line=2,"),
        "{stdout}"
    );
    let sarif = std::fs::read_to_string(dir.path().join("out.sarif")).unwrap();
    assert!(sarif.contains(r#""uri": "app/Dockerfile""#), "{sarif}");
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("earlier step\n### plimsoll\n"),
        "{written}"
    );
    assert!(written.contains("| error | [PL000 parse-error](https://plimsoll.dev/rules/parse-error) | `app/Dockerfile:2:1` |"), "{written}");
}
