//! `plimsoll check --diff-base REF`: only the findings on lines a change added or changed, in a
//! git repository the test builds (a base commit with findings, then a change).

mod common;

use std::path::Path;
use std::process::Command;

use common::{plimsoll, stdout, tree};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

const BASE_DOCKERFILE: &str = "FROM alpine:latest\nRUN apk add curl\nUSER 10001\n";
const BASE_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    mem_limit: 256m\n  db:\n    image: postgres:16\n    mem_limit: 256m\n";

/// A repository whose `main` has findings (a latest tag, an apk cache), and a branch that
/// adds a new finding, edits a line next to an old one, renames a file, deletes one and
/// changes a compose service.
fn repository() -> tempfile::TempDir {
    let dir = tree(&[
        ("Dockerfile", BASE_DOCKERFILE),
        ("old/Dockerfile", "FROM alpine:latest\nUSER 10001\n"),
        ("gone/Dockerfile", "FROM alpine:latest\nUSER 10001\n"),
        ("compose.yaml", BASE_COMPOSE),
    ]);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    git(dir.path(), &["checkout", "-q", "-b", "change"]);
    // Edit next to the old finding (line 2) and add a new one: a second latest tag.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:latest\nRUN apk add curl\nRUN echo hi\nFROM nginx:latest AS web\nUSER 10001\n",
    )
    .unwrap();
    git(dir.path(), &["mv", "old/Dockerfile", "old/app.Dockerfile"]);
    git(dir.path(), &["rm", "-q", "gone/Dockerfile"]);
    // The db service loses its memory limit: a "missing" finding at its key.
    std::fs::write(
        dir.path().join("compose.yaml"),
        BASE_COMPOSE.replace(
            "    image: postgres:16\n    mem_limit: 256m\n",
            "    image: postgres:16\n",
        ),
    )
    .unwrap();
    git(dir.path(), &["commit", "-q", "-am", "change"]);
    dir
}

use common::check_compact as compact;

#[test]
fn only_findings_on_changed_lines_are_reported() {
    let dir = repository();
    let select = ["--select", "DF002,DF010,DC053,DC002"];
    let (_, all, _) = compact(dir.path(), &select);
    assert!(all.len() > 2, "{all:?}");
    let mut args = select.to_vec();
    args.extend(["--diff-base", "main", "."]);
    let (code, found, _) = compact(dir.path(), &args);
    assert_eq!(code, Some(1));
    assert_eq!(
        found,
        ["Dockerfile:4:12 DF002", "compose.yaml:5:3 DC053"],
        "{all:?}"
    );
    // The summary says what was left out.
    let out = plimsoll(
        dir.path(),
        &[
            "check",
            "--select",
            "DF002,DF010,DC053",
            "--diff-base",
            "main",
            ".",
        ],
    );
    assert!(
        stdout(&out).contains("older than the change not shown"),
        "{}",
        stdout(&out)
    );
    // Every format gets the same findings.
    let out = plimsoll(
        dir.path(),
        &[
            "check",
            "--select",
            "DF002,DF010,DC053",
            "--diff-base",
            "main",
            "--format",
            "json",
            ".",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);
    assert_eq!(json["summary"]["findings"], 2);
    let older = json["summary"]["older_than_change"].as_u64().unwrap();
    assert!(older >= 2, "{}", json["summary"]);
}

/// A service that an override changes is "changed" in the file that defines it: the
/// override drops `cap_drop: [ALL]` from `web`, so the base's `web` reports what it now
/// lacks; `db`, untouched, reports nothing.
#[test]
fn an_override_that_changes_a_service_reports_it_in_its_base() {
    let base = "services:\n  web:\n    image: nginx:1.27\n  db:\n    image: postgres:16\n";
    let dir = tree(&[
        ("compose.yaml", base),
        (
            "compose.override.yaml",
            "services:\n  web:\n    cap_drop: [ALL]\n  db:\n    cap_drop: [ALL]\n",
        ),
    ]);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    std::fs::write(
        dir.path().join("compose.override.yaml"),
        "services:\n  web:\n    cap_add: [NET_ADMIN]\n  db:\n    cap_drop: [ALL]\n",
    )
    .unwrap();
    let select = ["--select", "DC012,DC002", "--diff-base", "HEAD", "."];
    let (_, found, _) = compact(dir.path(), &select);
    assert_eq!(found, ["compose.yaml:2:3 DC012"], "{found:?}");
    // Without the change, nothing is new.
    git(dir.path(), &["checkout", "-q", "--", "."]);
    let (code, found, _) = compact(dir.path(), &select);
    assert_eq!((code, found), (Some(0), Vec::<String>::new()));
}

#[test]
fn uncommitted_and_untracked_changes_count() {
    let dir = repository();
    std::fs::write(
        dir.path().join("new.Dockerfile"),
        "FROM redis:latest\nUSER 1\n",
    )
    .unwrap();
    let (_, found, _) = compact(
        dir.path(),
        &["--select", "DF002", "--diff-base", "HEAD", "."],
    );
    assert_eq!(found, ["new.Dockerfile:1:12 DF002"]);
}

#[test]
fn no_repository_or_an_unknown_ref_is_a_usage_error() {
    let dir = repository();
    let (code, _, err) = compact(dir.path(), &["--diff-base", "nope", "."]);
    assert_eq!(code, Some(2));
    assert!(err.contains("`nope` names no commit"), "{err}");
    let plain = tree(&[("Dockerfile", "FROM alpine:latest\n")]);
    let (code, _, err) = compact(plain.path(), &["--diff-base", "main", "."]);
    assert_eq!(code, Some(2));
    assert!(err.contains("needs a git repository"), "{err}");
}
