//! Findings of the compose rule pack whose severity depends on what they find: the fixture
//! snapshots do not show severities, so these pin them.

use plimsoll::engine::{self, Settings};
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

#[test]
fn docker_socket_read_only_is_a_warning() {
    let text = "services:\n  a:\n    image: x:1\n    volumes:\n      - /var/run/docker.sock:/s\n      - /var/run/docker.sock:/t:ro\n";
    assert_eq!(
        severities("service-docker-socket", text),
        [Severity::Error, Severity::Warning]
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
