//! `plimsoll check --fix`, `--unsafe-fixes` and `--diff` on real files: what is written, what is
//! kept (line endings, byte-order mark, permissions), what is left alone (suppressed findings,
//! the baseline's), and that a second run has nothing left to do.

mod common;

use std::path::Path;

use common::{plimsoll, stderr, stdout, tree};

const DOCKERFILE: &str = "from alpine:3.20\nRUN apt update && apt install -y curl\nENV A b\n";
const FIXED: &str = "FROM alpine:3.20\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nENV A=b\n";
const COMPOSE: &str = "version: \"3\"\nservices:\n  web:\n    image: nginx:1.27\n";

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn fix_writes_the_safe_fixes_and_a_second_run_finds_nothing_to_do() {
    let dir = tree(&[("Dockerfile", DOCKERFILE), ("compose.yaml", COMPOSE)]);
    let out = plimsoll(dir.path(), &["check", "--fix", "--quiet", "."]);
    assert_eq!(read(dir.path(), "Dockerfile"), FIXED);
    assert_eq!(
        read(dir.path(), "compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n"
    );
    // What remains is reported (not what was fixed), and decides the exit code.
    let text = stdout(&out);
    assert!(!text.contains("DF050") && !text.contains("DF048"), "{text}");
    let again = plimsoll(dir.path(), &["check", "--fix", "."]);
    assert!(
        stderr(&again).contains("Fixed 0 findings in 0 files."),
        "{}",
        stderr(&again)
    );
    assert_eq!(read(dir.path(), "Dockerfile"), FIXED);
}

#[test]
fn diff_prints_what_fix_would_change_and_writes_nothing() {
    let dir = tree(&[("Dockerfile", DOCKERFILE)]);
    let out = plimsoll(dir.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout(&out);
    assert!(
        diff.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{diff}"
    );
    assert!(diff.contains("\n-from alpine:3.20\n"), "{diff}");
    assert!(diff.contains("\n+FROM alpine:3.20\n"), "{diff}");
    assert!(
        stderr(&out).contains("Would fix 5 findings in 1 file."),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(dir.path(), "Dockerfile"), DOCKERFILE);
    let clean = tree(&[("Dockerfile", FIXED)]);
    let out = plimsoll(clean.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn unsafe_fixes_only_on_request() {
    let text = "FROM alpine:3.20\nMAINTAINER me@example.org\n";
    let dir = tree(&[("Dockerfile", text)]);
    let out = plimsoll(dir.path(), &["check", "--fix", "--select", "DF049", "."]);
    assert_eq!(read(dir.path(), "Dockerfile"), text);
    assert!(
        stderr(&out).contains("1 more fix available with `--unsafe-fixes`."),
        "{}",
        stderr(&out)
    );
    plimsoll(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "--select", "DF049", "."],
    );
    let fixed = read(dir.path(), "Dockerfile");
    assert!(
        !fixed.contains("MAINTAINER") && fixed.contains("LABEL"),
        "{fixed}"
    );
}

#[test]
fn line_endings_byte_order_mark_and_permissions_are_kept() {
    let crlf = format!("\u{feff}{}", DOCKERFILE.replace('\n', "\r\n"));
    let dir = tree(&[("Dockerfile", &crlf)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join("Dockerfile");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    plimsoll(dir.path(), &["check", "--fix", "."]);
    let fixed = read(dir.path(), "Dockerfile");
    assert_eq!(fixed, format!("\u{feff}{}", FIXED.replace('\n', "\r\n")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("Dockerfile"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn suppressed_and_baselined_findings_are_not_fixed() {
    let text = "FROM alpine:3.20\n# plimsoll ignore=apt-instead-of-apt-get\nRUN apt update && rm -rf /var/lib/apt/lists/*\nENV A b\n";
    let dir = tree(&[("Dockerfile", text)]);
    let out = plimsoll(
        dir.path(),
        &[
            "check",
            "--write-baseline",
            "base.json",
            "--select",
            "DF048",
            ".",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    plimsoll(
        dir.path(),
        &["check", "--fix", "--baseline", "base.json", "."],
    );
    assert_eq!(read(dir.path(), "Dockerfile"), text);
}

#[test]
fn unused_suppressions_are_removed_and_used_ones_kept() {
    let text = "FROM alpine:3.20\n\
                # plimsoll ignore=latest-tag -- pinned by the release pipeline\n\
                RUN apk add --no-cache curl\n\
                # plimsoll ignore=DF002, apt-instead-of-apt-get, DF001\n\
                RUN apt update && rm -rf /var/lib/apt/lists/*\n\
                # plimsoll ignore=latest-tag, DF9\n\
                RUN true\n";
    let compose = "services:\n  web:\n    # plimsoll ignore=DC002\n    image: nginx:1.27\n";
    let dir = tree(&[("Dockerfile", text), ("compose.yaml", compose)]);
    plimsoll(dir.path(), &["check", "--fix", "."]);
    // A comment that suppresses nothing goes with its line; an unused code leaves the list;
    // an unknown code is the user's to correct, so the directive stays.
    assert_eq!(
        read(dir.path(), "Dockerfile"),
        "FROM alpine:3.20\n\
         RUN apk add --no-cache curl\n\
         # plimsoll ignore=apt-instead-of-apt-get\n\
         RUN apt update && rm -rf /var/lib/apt/lists/*\n\
         # plimsoll ignore=DF9\n\
         RUN true\n"
    );
    assert_eq!(
        read(dir.path(), "compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n"
    );
}

#[test]
fn fix_on_stdin_prints_the_fixed_text_and_reports_on_stderr() {
    let dir = tree(&[]);
    let out = common::plimsoll_timed(
        dir.path(),
        &["check", "--fix", "--stdin-filename", "Dockerfile", "-"],
        Some(DOCKERFILE.as_bytes()),
    );
    assert_eq!(stdout(&out), FIXED);
    assert!(
        stderr(&out).contains("Fixed 5 findings in 1 file."),
        "{}",
        stderr(&out)
    );
}
