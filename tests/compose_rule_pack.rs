//! What the fixture snapshots of the compose rule pack do not show: severities that depend on
//! what a rule finds, and fixes that, applied, leave a file that parses and draws no more
//! findings of their rule.

use plimsoll::linter::engine::{self, Settings};
use plimsoll::{FileKind, Severity, SourceFile};

fn severities(rule: &str, text: &str) -> Vec<Severity> {
    let source = SourceFile::new("compose.yaml", text.to_string(), FileKind::Compose);
    let settings = Settings::from_selectors(&[rule.to_string()], &[], &[]);
    engine::check(&source, &settings)
        .into_iter()
        .filter(|finding| finding.name == rule)
        .map(|finding| finding.severity)
        .collect()
}

/// `:ro` stops writes to the socket file, not API calls through it: the same full control of
/// the engine, so the same severity.
#[test]
fn docker_socket_read_only_is_still_an_error() {
    let text = "services:\n  a:\n    image: x:1\n    volumes:\n      - /var/run/docker.sock:/s\n      - /var/run/docker.sock:/t:ro\n";
    assert_eq!(
        severities("service-docker-socket", text),
        [Severity::Error, Severity::Error]
    );
}

#[test]
fn writable_root_equivalent_mount_is_an_error() {
    let text = "services:\n  a:\n    image: x:1\n    volumes:\n      - /etc:/h\n      - /etc:/r:ro\n      - /home:/home\n";
    assert_eq!(
        severities("service-sensitive-mount", text),
        [Severity::Error, Severity::Warning, Severity::Warning]
    );
}

#[test]
fn capability_tiers() {
    let text = "services:\n  a:\n    image: x:1\n    cap_add: [SYS_ADMIN, NET_ADMIN, SYS_NICE]\n";
    assert_eq!(
        severities("service-dangerous-capability", text),
        [Severity::Error, Severity::Warning, Severity::Info]
    );
}

/// Apply every fix of `rule` once (edits from the end so offsets stay valid) and return the
/// new text.
fn apply_fixes(rule: &str, text: &str) -> String {
    let source = SourceFile::new("compose.yaml", text.to_string(), FileKind::Compose);
    let settings = Settings::from_selectors(&[rule.to_string()], &[], &[]);
    let mut edits: Vec<_> = engine::check(&source, &settings)
        .into_iter()
        .filter(|finding| finding.name == rule)
        .filter_map(|finding| finding.fix)
        .flat_map(|fix| fix.edits)
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.span.start..edit.span.end, &edit.replacement);
    }
    out
}

/// After the fixes the file parses cleanly and the rule finds nothing more.
fn assert_fixes_converge(rule: &str, text: &str, expected: &str) {
    let fixed = apply_fixes(rule, text);
    assert_eq!(fixed, expected);
    let source = SourceFile::new("compose.yaml", fixed.clone(), FileKind::Compose);
    let settings = Settings::from_selectors(&[rule.to_string()], &[], &[]);
    let left: Vec<_> = engine::check(&source, &settings)
        .into_iter()
        .map(|finding| finding.message)
        .collect();
    assert!(left.is_empty(), "after fixing:\n{fixed}\nstill: {left:?}");
}

#[test]
fn fixes_converge() {
    assert_fixes_converge(
        "obsolete-version",
        "version: '3' # old\nservices:\n  a:\n    image: x:1\n",
        "services:\n  a:\n    image: x:1\n",
    );
    assert_fixes_converge(
        "unquoted-port",
        "services:\n  a:\n    image: x:1\n    ports:\n      - 22:22\n      - 2222:22\n",
        "services:\n  a:\n    image: x:1\n    ports:\n      - \"22:22\"\n      - \"2222:22\"\n",
    );
    assert_fixes_converge(
        "yaml11-boolean",
        "services:\n  a:\n    image: x:1\n    tty: yes\n    restart: no\n    environment:\n      X: off\n",
        "services:\n  a:\n    image: x:1\n    tty: true\n    restart: \"no\"\n    environment:\n      X: \"off\"\n",
    );
    assert_fixes_converge(
        "port-all-interfaces",
        "services:\n  a:\n    image: x:1\n    ports:\n      - \"8080:80\"\n      - 0.0.0.0:9000:9000\n      - \"3000\"\n",
        "services:\n  a:\n    image: x:1\n    ports:\n      - \"127.0.0.1:8080:80\"\n      - 127.0.0.1:9000:9000\n      - \"127.0.0.1::3000\"\n",
    );
    assert_fixes_converge(
        "build-and-image",
        "services:\n  a:\n    build: .\n    image: x:dev\n",
        "services:\n  a:\n    build: .\n    image: x:dev\n    pull_policy: build\n",
    );
}

#[test]
fn network_mode_conflicts() {
    let text = "services:\n  a:\n    image: x:1\n    network_mode: host\n    ports: [\"80:80\"]\n    networks: [n]\n  b:\n    image: x:1\n    network_mode: service:a\n    ports: [\"81:81\"]\nnetworks:\n  n:\n";
    assert_eq!(
        severities("network-mode-conflict", text),
        [Severity::Warning, Severity::Error, Severity::Error]
    );
}
