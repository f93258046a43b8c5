//! DF048 legacy-key-value-format: `ENV key value` or `LABEL key value` instead of `key=value`.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;
use crate::syntax::span::Span;

pub static LEGACY_KEY_VALUE_FORMAT: Rule = Rule {
    code: "DF048",
    name: "legacy-key-value-format",
    summary: "ENV or LABEL uses the legacy `key value` form instead of `key=value`",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Style,
    fix: FixAvailability::Sometimes,
    related: &["buildkit:LegacyKeyValueFormat"],
    docs: include_str!("legacy_key_value_format.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let (keyword, pairs) = match &instruction.command {
            Command::Env(pairs) => ("ENV", pairs),
            Command::Label(pairs) => ("LABEL", pairs),
            _ => continue,
        };
        for pair in pairs {
            let Some(value) = &pair.value else { continue };
            let after_key = source.get(pair.key.span.end..).unwrap_or("");
            if after_key.starts_with('=') || value.span.start < pair.key.span.end {
                continue;
            }
            let gap = Span::new(pair.key.span.end, value.span.start);
            let key = &pair.key.value;
            let written = value.span.text(source);
            let finding = out.report(
                pair.key.span.cover(value.span),
                format!("legacy `{keyword} {key} value` form; write `{keyword} {key}=value`"),
            );
            finding.with_help(
                "the `key value` form sets one variable per instruction and is ambiguous with spaces",
            );
            // Rewrite only when the value's text is plain: quotes or escapes in it would need
            // re-quoting that could change the value.
            let plain = !written.contains(['"', '\'', '\\', '\n']);
            if !plain || gap.text(source).contains('\n') {
                continue;
            }
            let edits = if written.contains(char::is_whitespace) {
                vec![
                    Edit {
                        span: gap,
                        replacement: "=\"".into(),
                    },
                    Edit {
                        span: Span::empty(value.span.end),
                        replacement: "\"".into(),
                    },
                ]
            } else {
                vec![Edit {
                    span: gap,
                    replacement: "=".into(),
                }]
            };
            finding.with_fix(Fix {
                message: format!("write `{key}=…`"),
                applicability: Applicability::Safe,
                edits,
            });
        }
    }
}
