//! DF072 invalid-label-key: a LABEL key outside Docker's key format or in a reserved namespace.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;

pub static INVALID_LABEL_KEY: Rule = Rule {
    code: "DF072",
    name: "invalid-label-key",
    summary: "A LABEL key does not follow Docker's key format or uses a namespace Docker reserves",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Style,
    default_enabled: false,
    related: &["hadolint:DL3048"],
    docs: include_str!("invalid_label_key.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Namespaces Docker keeps for its own labels.
const RESERVED: [&str; 3] = ["com.docker.", "io.docker.", "org.dockerproject."];

/// Why `key` breaks the format, or `None` when it is fine.
fn problem(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    if RESERVED.iter().any(|prefix| lower.starts_with(prefix)) {
        return Some("uses a namespace Docker reserves for its own labels");
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Some("may only contain lower-case letters, digits, `.` and `-`");
    }
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    if !edge_ok(key.as_bytes().first()) || !edge_ok(key.as_bytes().last()) {
        return Some("must start and end with a letter or digit");
    }
    let separator = |b: &u8| *b == b'.' || *b == b'-';
    if key
        .as_bytes()
        .windows(2)
        .any(|pair| pair.iter().all(separator))
    {
        return Some("must not have two separators (`.`, `-`) in a row");
    }
    None
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let Command::Label(pairs) = &instruction.command else {
            continue;
        };
        for pair in pairs {
            // The parser keeps quotes on LABEL keys; BuildKit removes them.
            let raw = pair.key.value.as_str();
            let key = ['"', '\'']
                .iter()
                .find_map(|q| raw.strip_prefix(*q).and_then(|k| k.strip_suffix(*q)))
                .unwrap_or(raw);
            // A key built from a variable is only known at build time.
            if key.contains('$') {
                continue;
            }
            if let Some(problem) = problem(key) {
                out.report(pair.key.span, format!("label key `{key}` {problem}"))
                    .with_help("use a reverse-DNS key of lower-case words, such as `org.opencontainers.image.version`");
            }
        }
    }
}
