//! DC029 yaml11-boolean: a plain `yes`/`no`/`on`/`off`/`y`/`n` value, which YAML 1.1 reads as a
//! boolean and YAML 1.2 as a string.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::yaml::{Node, Value};

pub static YAML11_BOOLEAN: Rule = Rule {
    code: "DC029",
    name: "yaml11-boolean",
    summary: "A plain `yes`, `no`, `on` or `off` value, a boolean in YAML 1.1 and a string in YAML 1.2",
    target: Target::Compose,
    category: Category::Style,
    severity: Severity::Style,
    fix: FixAvailability::Sometimes,
    docs: include_str!("yaml11_boolean.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// Keys whose value Compose reads as a boolean.
const BOOLEAN_KEYS: &[&str] = &[
    "privileged",
    "read_only",
    "tty",
    "stdin_open",
    "init",
    "oom_kill_disable",
    "external",
    "attachable",
    "internal",
    "enable_ipv6",
    "enable_ipv4",
    "disable",
    "required",
    "restart",
    "create_host_path",
    "nocopy",
    "no_cache",
    "pull",
    "ignore",
];

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let Some(root) = context.compose.root() else {
        return;
    };
    // (node, key it is the value of): walked with an explicit stack.
    let mut stack: Vec<(&Node, Option<&str>)> = vec![(root, None)];
    while let Some((node, key)) = stack.pop() {
        // A node copied in by an alias or `<<` is checked where it is written.
        if node.origin.is_some() {
            continue;
        }
        match &node.value {
            Value::Mapping(entries) => {
                for entry in entries.iter().rev() {
                    stack.push((&entry.value, entry.key.as_str()));
                }
            }
            Value::Sequence(items) => {
                for item in items.iter().rev() {
                    stack.push((item, None));
                }
            }
            Value::Scalar(scalar) => {
                let Some(meaning) = scalar.yaml11_bool() else {
                    continue;
                };
                // `restart: "no"` is a policy name, not a boolean.
                let is_boolean = key.is_some_and(|key| BOOLEAN_KEYS.contains(&key))
                    && !(key == Some("restart") && scalar.value.eq_ignore_ascii_case("no"));
                let written = node.span.text(&context.source.text) == scalar.value;
                let (replacement, message) = if is_boolean {
                    (meaning.to_string(), format!("write `{meaning}` instead"))
                } else {
                    (
                        format!("\"{}\"", scalar.value),
                        "quote the value".to_string(),
                    )
                };
                let finding = out.report(
                    node.span,
                    format!(
                        "`{}` is the boolean {meaning} in YAML 1.1 but a string in YAML 1.2",
                        scalar.value
                    ),
                );
                finding.with_help(if is_boolean {
                    "write `true` or `false`"
                } else {
                    "quote the value if it is text, or write `true`/`false` if it is a boolean"
                });
                if written {
                    finding.with_fix(Fix {
                        message,
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            span: node.span,
                            replacement,
                        }],
                    });
                }
            }
        }
    }
}
