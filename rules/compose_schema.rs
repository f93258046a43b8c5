//! DC051 compose-schema: keys the Compose Specification does not define, and values of the
//! wrong shape (a mapping where a string or list is required, …), which Compose rejects.

use std::collections::HashSet;

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::compose::schema::{Object, Shape, TOP_LEVEL};
use crate::syntax::span::Span;
use crate::syntax::yaml::{Node, Value};

pub static COMPOSE_SCHEMA: Rule = Rule {
    code: "DC051",
    name: "compose-schema",
    summary: "Unknown key or wrong value type in a compose file (Compose rejects the file)",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    related: &["dclint:invalid-schema"],
    docs: include_str!("compose_schema.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    // A v1 file is reported once, by compose-v1-format.
    if context.compose.v1_format.is_some() {
        return;
    }
    let Some(root) = context.compose.root() else {
        return;
    };
    let mut walker = Walker {
        out,
        source: &context.source.text,
        seen: HashSet::new(),
    };
    walker.object(root, &TOP_LEVEL, "");
}

/// The key nearest to `input` if it is a likely typo (Levenshtein, ignoring ASCII case: at
/// most a third of the key's length).
fn closest(input: &str, keys: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let input = input.to_ascii_lowercase();
    keys.map(|key| (strsim::levenshtein(&input, &key.to_ascii_lowercase()), key))
        .filter(|&(distance, key)| distance <= (key.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, key)| key)
}

struct Walker<'a, 'b> {
    out: &'a mut Emitter<'b>,
    source: &'a str,
    /// Problems already reported, by span and message: a value copied in by an alias or a
    /// merge into several services is reported once.
    seen: HashSet<(Span, String)>,
}

/// What kind of node this is, for messages.
fn describe(node: &Node) -> &'static str {
    match &node.value {
        Value::Scalar(_) => "a scalar",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
    }
}

fn expected(shape: Shape) -> String {
    match shape {
        Shape::Any => "anything".into(),
        Shape::Scalar => "a string, number or boolean".into(),
        Shape::Enum(values) => {
            let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!("one of {}", values.join(", "))
        }
        Shape::List(_) => "a list".into(),
        Shape::Object(_) | Shape::Dict(_) => "a mapping".into(),
        Shape::OneOf(shapes) => {
            let mut names: Vec<String> = Vec::new();
            for shape in shapes {
                let name = expected(*shape);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            names.join(" or ")
        }
    }
}

fn fits(node: &Node, shape: Shape) -> bool {
    match shape {
        Shape::Any => true,
        Shape::Scalar => matches!(node.value, Value::Scalar(_)),
        Shape::Enum(values) => node.as_str().is_some_and(|value| values.contains(&value)),
        Shape::List(_) => matches!(node.value, Value::Sequence(_)),
        Shape::Object(_) | Shape::Dict(_) => matches!(node.value, Value::Mapping(_)),
        Shape::OneOf(shapes) => shapes.iter().any(|shape| fits(node, *shape)),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Walker<'_, '_> {
    fn report(&mut self, span: Span, message: String, help: Option<String>) {
        self.report_fixed(span, message, help, None);
    }

    fn report_fixed(
        &mut self,
        span: Span,
        message: String,
        help: Option<String>,
        fix: Option<Fix>,
    ) {
        if !self.seen.insert((span, message.clone())) {
            return;
        }
        let finding = self.out.report(span, message);
        let finding = match help {
            Some(help) => finding.with_help(help),
            None => finding,
        };
        if let Some(fix) = fix {
            finding.with_fix(fix);
        }
    }

    fn value(&mut self, node: &Node, shape: Shape, path: &str) {
        // An empty value (`key:`) is null, which Compose reads as unset; `!reset` empties a
        // value whatever it is written as.
        if node.is_null() || node.tag.as_deref() == Some("!reset") {
            return;
        }
        if !fits(node, shape) {
            let span = node.origin.unwrap_or(node.span);
            self.report(
                span,
                match (shape, node.as_str()) {
                    (Shape::Enum(_), Some(value)) => {
                        format!("`{path}` must be {}, found `{value}`", expected(shape))
                    }
                    _ => format!(
                        "`{path}` must be {}, found {}",
                        expected(shape),
                        describe(node)
                    ),
                },
                None,
            );
            return;
        }
        match shape {
            Shape::Any | Shape::Scalar | Shape::Enum(_) => {}
            Shape::List(item) => {
                for (index, child) in node.as_sequence().unwrap_or_default().iter().enumerate() {
                    self.value(child, *item, &format!("{path}[{index}]"));
                }
            }
            Shape::Object(object) => self.object(node, object, path),
            Shape::Dict(value) => {
                for entry in node.as_mapping().unwrap_or_default() {
                    let name = entry.key.as_str().unwrap_or_default();
                    self.value(&entry.value, *value, &join(path, name));
                }
            }
            Shape::OneOf(shapes) => {
                if let Some(shape) = shapes.iter().find(|shape| fits(node, **shape)) {
                    self.value(node, *shape, path);
                }
            }
        }
    }

    fn object(&mut self, node: &Node, object: &Object, path: &str) {
        let Some(entries) = node.as_mapping() else {
            return;
        };
        for entry in entries {
            let Some(key) = entry.key.as_scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            if object.extensions && key.starts_with("x-") {
                continue;
            }
            match object.get(key) {
                // Compose refuses an empty `services:`, though it reads other empty keys as
                // unset.
                Some(_) if path.is_empty() && key == "services" && entry.value.is_null() => {
                    let span = entry.value.span;
                    self.report(
                        span,
                        "`services` must be a mapping, found null".into(),
                        None,
                    );
                }
                Some(shape) => self.value(&entry.value, shape, &join(path, key)),
                None => {
                    let span = entry.key.origin.unwrap_or(entry.key.span);
                    let at = if path.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in `{path}`")
                    };
                    let mut message = format!("unknown key `{key}` {at}");
                    let close = closest(key, object.names());
                    if let Some(close) = close {
                        message.push_str(&format!("; did you mean `{close}`?"));
                    }
                    // The key renamed where it is written, plain, when its value fits the
                    // suggested key and the mapping does not have that key already.
                    let fix = close.filter(|close| {
                        object
                            .get(close)
                            .is_some_and(|shape| entry.value.is_null() || fits(&entry.value, shape))
                            && entry.key.origin.is_none()
                            && entry.key.span.text(self.source) == key
                            && !entries
                                .iter()
                                .any(|other| other.key.as_str() == Some(close))
                    });
                    let fix = fix.map(|close| Fix {
                        message: format!("rename `{key}` to `{close}`"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            span: entry.key.span,
                            replacement: close.to_string(),
                        }],
                    });
                    self.report_fixed(
                        span,
                        message,
                        Some(
                            "Compose rejects keys its specification does not define; prefix \
                             your own keys with `x-`"
                                .to_string(),
                        ),
                        fix,
                    );
                }
            }
        }
    }
}
