//! DC037 build-and-image: a compose service has `build:` and `image:` and no `pull_policy` that
//! makes Compose build, so Compose first tries to pull the image by that name.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::span::Span;
use crate::syntax::yaml::Node;

use super::support::report_in_service;

pub static BUILD_AND_IMAGE: Rule = Rule {
    code: "DC037",
    name: "build-and-image",
    summary: "A service has `build:` and `image:`, and Compose pulls the image before building",
    target: Target::Compose,
    category: Category::Provenance,
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    related: &["dclint:no-build-and-image", "nist-800-190:3.1.5"],
    docs: include_str!("build_and_image.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
    for service in &context.compose.services {
        let (Some(image), Some(build)) = (&service.image, &service.build) else {
            continue;
        };
        let policy = service
            .node
            .get("pull_policy")
            .and_then(Node::as_str)
            .map(str::trim);
        if matches!(policy, Some("build" | "never")) {
            continue;
        }
        let message = match policy {
            Some(policy) => format!(
                "service `{}` builds `{}` but `pull_policy: {policy}` pulls it from a registry",
                service.name.value, image.value
            ),
            None => format!(
                "service `{}` builds `{}` but Compose first tries to pull it from a registry",
                service.name.value, image.value
            ),
        };
        let fix = match policy {
            None => insert_pull_policy(text, image.key_span, image.span),
            Some(_) => None,
        };
        let finding = report_in_service(out, service, image.span, message);
        finding
            .with_label(build.key_span, "built from here")
            .with_help(
                "add `pull_policy: build` to always build from source, or drop `build:` if the \
                 image is meant to come from the registry",
            );
        if let Some(fix) = fix {
            finding.with_fix(fix);
        }
    }
}

/// A `pull_policy: build` line after the `image:` line, at the same indentation, when `image:`
/// is a block-mapping entry on a line of its own.
fn insert_pull_policy(text: &str, key: Span, value: Span) -> Option<Fix> {
    let line_start = text.get(..key.start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = text.get(line_start..key.start)?;
    if !indent.bytes().all(|b| b == b' ') || text.get(key.start..value.end)?.contains('\n') {
        return None;
    }
    let line_end = end_of_line(text, value.end)?;
    Some(Fix {
        message: "add `pull_policy: build`".into(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: Span::empty(line_end),
            replacement: format!("{indent}pull_policy: build\n"),
        }],
    })
}

/// The offset just after the line break that ends the line holding `offset`; `None` on the
/// last line without a break (the fix would need one first).
fn end_of_line(text: &str, offset: usize) -> Option<usize> {
    text.get(offset..)?.find('\n').map(|i| offset + i + 1)
}
