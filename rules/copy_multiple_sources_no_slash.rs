//! DF045 copy-multiple-sources-no-slash: COPY or ADD with several sources into a destination
//! that does not end in `/`.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;
use crate::syntax::dockerfile::flags::flag_value_error;
use crate::syntax::excerpt::excerpt;
use crate::syntax::span::Span;

pub static COPY_MULTIPLE_SOURCES_NO_SLASH: Rule = Rule {
    code: "DF045",
    name: "copy-multiple-sources-no-slash",
    summary: "COPY or ADD with several sources needs a destination ending in `/`",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    fix: FixAvailability::Always,
    related: &["hadolint:DL3021", "kics:6db6e0c2", "trivy:DS-0011"],
    docs: include_str!("copy_multiple_sources_no_slash.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let (keyword, copy) = match &instruction.command {
            Command::Copy(copy) => ("COPY", copy),
            Command::Add(copy) => ("ADD", copy),
            _ => continue,
        };
        let Some(destination) = &copy.destination else {
            continue;
        };
        // `COPY --from build /a /b`: BuildKit stops at the flag ("missing a value on flag:
        // from", unknown-instruction-flag); `build` is no source.
        if instruction
            .flags
            .iter()
            .any(|flag| flag_value_error(instruction.keyword, flag).is_some())
        {
            continue;
        }
        // The shell form keeps quotes in the value (`"${DIR}/"`); BuildKit removes them.
        let value = copy.path(destination);
        // A destination that ends in a variable may well end in `/` once expanded; `.` and
        // `..` are directories by definition.
        let ends_in_variable = value.ends_with('}')
            || value
                .rsplit('$')
                .next()
                .is_some_and(|tail| value.contains('$') && !tail.contains('/'));
        if copy.sources.len() < 2
            || value.ends_with('/')
            || value.ends_with('\\')
            || matches!(value, "." | "..")
            || ends_in_variable
        {
            continue;
        }
        let written = context.source.slice(destination.span);
        let value = excerpt(value);
        let insert_at = if written.len() >= 2 && (written.ends_with('"') || written.ends_with('\''))
        {
            destination.span.end - 1
        } else {
            destination.span.end
        };
        out.report(
            destination.span,
            format!(
                "{keyword} has {} sources, so the destination `{value}` must be a directory ending in `/`",
                copy.sources.len()
            ),
        )
        .with_help(format!("write `{value}/`"))
        .with_fix(Fix {
            message: "add a trailing `/`".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: Span::empty(insert_at),
                replacement: "/".into(),
            }],
        });
    }
}
