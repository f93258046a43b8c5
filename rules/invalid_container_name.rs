//! DC042 invalid-container-name: a `container_name` the engine rejects.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{report_in_service, with_compose_defaults};

pub static INVALID_CONTAINER_NAME: Rule = Rule {
    code: "DC042",
    name: "invalid-container-name",
    summary: "A `container_name` the engine rejects (not `[a-zA-Z0-9][a-zA-Z0-9_.-]+`)",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &["dclint:service-container-name-regex"],
    docs: include_str!("invalid_container_name.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// The engine's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
fn is_valid(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.len() >= 2
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(field) = &service.container_name else {
            continue;
        };
        let Some(name) = with_compose_defaults(&field.value) else {
            continue;
        };
        if is_valid(&name) {
            continue;
        }
        report_in_service(
            out,
            service,
            field.span,
            format!(
                "service `{}` has container name `{name}`, which the engine rejects",
                service.name.value
            ),
        )
        .with_help(
            "start with a letter or digit and use only letters, digits, `_`, `.` and `-` (at \
             least two characters)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn names() {
        for name in ["db", "my_app.web-1", "0x"] {
            assert!(is_valid(name), "{name}");
        }
        for name in ["", "a", "_db", "-db", "my app", "db/1", "café"] {
            assert!(!is_valid(name), "{name}");
        }
    }
}
