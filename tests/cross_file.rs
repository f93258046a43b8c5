//! Cross-file checks end to end: a compose service checked with the Dockerfile it builds, through
//! the CLI (runner workspace, text and JSON reporters) and through the library (`check_in`).

mod common;

use common::{plimsoll, tree};

use std::path::Path;
use std::sync::Arc;

use plimsoll::linter::engine::{self, Settings};
use plimsoll::linter::project::{MemoryWorkspace, Workspace};
use plimsoll::workspace::runner::FsWorkspace;
use plimsoll::{FileKind, SourceFile};

const COMPOSE: &str =
    "services:\n  api:\n    build: ./api\n  api-user:\n    build: ./api\n    user: \"10001\"\n";
const DOCKERFILE: &str = "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER root\n";

#[test]
fn json_labels_in_other_files_carry_their_path_and_positions() {
    let dir = tree(&[("compose.yaml", COMPOSE), ("api/Dockerfile", DOCKERFILE)]);
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--select",
            "DC048",
            "--format",
            "json",
            "compose.yaml",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    let finding = &findings[0];
    assert_eq!(finding["code"], "DC048");
    assert_eq!(finding["path"], "compose.yaml");
    assert_eq!(
        finding["start"],
        serde_json::json!({"line": 3, "column": 5})
    );
    let label = &finding["labels"][0];
    assert_eq!(label["path"], "api/Dockerfile");
    assert_eq!(label["start"], serde_json::json!({"line": 3, "column": 6}));
    assert_eq!(label["end"], serde_json::json!({"line": 3, "column": 10}));
    assert_eq!(label["span"], serde_json::json!({"start": 50, "end": 54}));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn text_shows_a_code_frame_of_the_other_file() {
    let dir = tree(&[("compose.yaml", COMPOSE), ("api/Dockerfile", DOCKERFILE)]);
    let output = plimsoll(
        dir.path(),
        &["check", "--select", "DC048,DF004", "--color", "never"],
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("--> compose.yaml:3:5"), "{text}");
    assert!(text.contains("::: api/Dockerfile:3:6"), "{text}");
    assert!(text.contains("USER root"), "{text}");
    // DF004 reports the Dockerfile itself in the same run: both findings, one per audience.
    assert!(text.contains("DF004/root-user"), "{text}");
    assert!(text.contains("Found 2 findings"), "{text}");
}

#[test]
fn a_shared_dockerfile_is_parsed_once_and_reused_by_the_engine() {
    let dir = tree(&[("compose.yaml", COMPOSE), ("api/Dockerfile", DOCKERFILE)]);
    let workspace = FsWorkspace::new();
    let compose_path = dir.path().join("compose.yaml");
    let compose = SourceFile::new(&compose_path, COMPOSE, FileKind::Compose);
    let settings = Settings::from_selectors(&["DC048".into()], &[], &[]);
    let findings = engine::check_in(&compose, &settings, &workspace);
    assert_eq!(findings.len(), 1);
    let path = dir.path().join("api/./Dockerfile");
    let first = workspace.loaded_dockerfile(&path).expect("parsed by DC048");
    let again = workspace
        .dockerfile(&dir.path().join("api/Dockerfile"))
        .unwrap();
    assert!(Arc::ptr_eq(&first, &again), "the parse is cached");
    assert!(workspace.loaded_source(&path).is_some());
}

#[test]
fn library_callers_supply_their_own_workspace() {
    let compose = SourceFile::new("stack/compose.yaml", COMPOSE, FileKind::Compose);
    let settings = Settings::from_selectors(&["DC048".into()], &[], &[]);
    // Without a workspace the Dockerfile is unknown and the rule stays silent.
    assert!(engine::check(&compose, &settings).is_empty());
    let workspace = MemoryWorkspace::new().with_dockerfile("stack/api/Dockerfile", DOCKERFILE);
    let findings = engine::check_in(&compose, &settings, &workspace);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].labels[0].path.as_deref(),
        Some(Path::new("stack/api/Dockerfile"))
    );
    // A non-root Dockerfile: silent.
    let workspace = MemoryWorkspace::new()
        .with_dockerfile("stack/api/Dockerfile", "FROM alpine:3.20\nUSER 10001\n");
    assert!(engine::check_in(&compose, &settings, &workspace).is_empty());
}

#[test]
fn sarif_related_locations_point_into_the_other_file() {
    let dir = tree(&[("compose.yaml", COMPOSE), ("api/Dockerfile", DOCKERFILE)]);
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--select",
            "DC048",
            "--format",
            "sarif",
            "compose.yaml",
        ],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let main = &result["locations"][0]["physicalLocation"];
    assert_eq!(main["artifactLocation"]["uri"], "compose.yaml");
    let related = &result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "api/Dockerfile");
    assert_eq!(related["region"]["startLine"], 3);
    assert_eq!(related["region"]["startColumn"], 6);
}
