//! DC036 obsolete-version: the top-level `version:` of a compose file, which Compose ignores.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::span::Span;

pub static OBSOLETE_VERSION: Rule = Rule {
    code: "DC036",
    name: "obsolete-version",
    summary: "The top-level `version:` is obsolete and ignored by Compose",
    target: Target::Compose,
    category: Category::Style,
    severity: Severity::Style,
    fix: FixAvailability::Sometimes,
    related: &["dclint:no-version-field"],
    docs: include_str!("obsolete_version.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let Some(version) = &context.compose.version else {
        return;
    };
    let text = context.source.text.as_str();
    let fix = delete_lines(text, version.key_span.start, version.span.end);
    let finding = out.report(
        version.key_span,
        format!(
            "`version: {}` is obsolete; Compose ignores it and warns",
            version.value
        ),
    );
    finding.with_help("delete the line: Compose reads every file with the latest specification");
    if let Some(span) = fix {
        finding.with_fix(Fix {
            message: "delete the `version:` line".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span,
                replacement: String::new(),
            }],
        });
    }
}

/// The whole lines from `start` to `end` with their line break, when nothing else is written
/// on them (only the `version` entry and an optional comment).
fn delete_lines(text: &str, start: usize, end: usize) -> Option<Span> {
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    if !text.get(line_start..start)?.trim().is_empty() {
        return None;
    }
    let rest = text.get(end..)?;
    let line_end = rest.find('\n').map_or(text.len(), |i| end + i + 1);
    let tail = text.get(end..line_end)?.trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    // The value is on one line (a block scalar here would be odd, and is left alone).
    if text.get(start..end)?.contains('\n') {
        return None;
    }
    Some(Span::new(line_start, line_end))
}
