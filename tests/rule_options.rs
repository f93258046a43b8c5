//! Rule options set through `.plimsoll.yaml`, end to end: `trusted-registries` of
//! untrusted-base-image (DF038) and untrusted-registry (DC040).

use std::fs;
use std::process::Command;

fn compact(files: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        fs::write(dir.path().join(path), text).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .args(["check", "--format", "compact", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const DOCKERFILE: &str = "FROM registry.corp.example/base:1 AS a\nFROM eu.gcr.io/p/b:1 AS b\nFROM ghcr.io/x/c:1\nUSER 10001\n";
const COMPOSE: &str =
    "services:\n  a:\n    image: registry.corp.example/a:1\n  b:\n    image: ghcr.io/x/b:1\n";

#[test]
fn trusted_registries_from_the_config_file() {
    let config = "select: [DF038, DC040]\nrules:\n  untrusted-base-image:\n    options:\n      trusted-registries: [registry.corp.example, \"*.gcr.io\"]\n  untrusted-registry:\n    options:\n      trusted-registries: [registry.corp.example]\n";
    let (out, err) = compact(&[
        (".plimsoll.yaml", config),
        ("Dockerfile", DOCKERFILE),
        ("compose.yaml", COMPOSE),
    ]);
    assert!(err.is_empty(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("Dockerfile:3:6: warning[DF038/untrusted-base-image]"),
        "{out}"
    );
    assert!(lines[0].contains("`ghcr.io`"), "{out}");
    assert!(
        lines[1].starts_with("compose.yaml:5:12: warning[DC040/untrusted-registry]"),
        "{out}"
    );
}

#[test]
fn default_list_when_the_option_is_not_set() {
    let (out, _) = compact(&[
        (".plimsoll.yaml", "select: [DF038]\n"),
        ("Dockerfile", DOCKERFILE),
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("Dockerfile:1:6: warning[DF038/untrusted-base-image]"),
        "{out}"
    );
}

#[test]
fn a_wrongly_typed_option_is_a_config_error() {
    let config = "select: [DF038]\nrules:\n  untrusted-base-image:\n    options:\n      trusted-registries: ghcr.io\n";
    let (out, err) = compact(&[(".plimsoll.yaml", config), ("Dockerfile", DOCKERFILE)]);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("trusted-registries"), "{err}");
}
