//! Edits that compose rules' fixes share: adding a key to a service, adding an item to a list
//! the service writes itself. Not a rule itself (it declares no `Rule`).
//!
//! Every edit keeps the file's own style: a new key goes on a line of its own after the
//! service's last entry, at the indentation of its other keys; a new list item follows the
//! list's own form (block `- item` at the items' indentation, or `, item` inside `[…]`). Nothing
//! is offered where the text is not what the model read: a service or list merged in through a
//! YAML anchor (an edit there would change every service that uses it, and a key added beside a
//! merged one would replace it), a flow-style service mapping, or a line that holds more than
//! the value.

use crate::linter::diagnostic::Edit;
use crate::syntax::compose::Service;
use crate::syntax::span::{Span, Spanned};
use crate::syntax::yaml::Value;

/// Add `line` (a one-line `key: value`) as the last entry of `service`'s mapping.
pub(crate) fn append_service_entry(text: &str, service: &Service, line: &str) -> Option<Edit> {
    let node = &service.node;
    if node.origin.is_some() || !matches!(node.value, Value::Mapping(_)) {
        return None;
    }
    let indent = block_indent(text, node.span.start)?;
    Some(insert_line_after(
        text,
        node.span.end,
        &format!("{indent}{line}"),
    ))
}

/// Add `item` (written as it should appear, quotes included) to the list under `key` of
/// `service`, when the service writes that list itself, as a block or flow sequence.
pub(crate) fn append_list_item(
    text: &str,
    service: &Service,
    key: &str,
    item: &str,
) -> Option<Edit> {
    let node = &service.node;
    if node.origin.is_some() {
        return None;
    }
    let entry = node.entry(key)?;
    let list = &entry.value;
    if entry.key.origin.is_some() || list.origin.is_some() || !written_inside(service, list.span) {
        return None;
    }
    let Value::Sequence(items) = &list.value else {
        return None;
    };
    if text.get(list.span.start..)?.starts_with('[') {
        // Flow: after the last item (a trailing comma stays after the new one), or inside `[]`.
        return Some(match items.last() {
            Some(last) => Edit {
                span: Span::empty(last.span.end),
                replacement: format!(", {item}"),
            },
            None => Edit {
                span: Span::empty(list.span.start + 1),
                replacement: item.to_string(),
            },
        });
    }
    let indent = block_indent(text, list.span.start)?;
    Some(insert_line_after(
        text,
        list.span.end,
        &format!("{indent}- {item}"),
    ))
}

/// Whether `span` lies inside the service's own mapping and in none of the parts merged into
/// it (an anchor defined inside the service and merged again is not worth the edge case).
pub(crate) fn written_inside(service: &Service, span: Span) -> bool {
    service.node.span.start <= span.start
        && span.end <= service.node.span.end
        && !service
            .merged
            .iter()
            .any(|(merged, _)| merged.start <= span.start && span.end <= merged.end)
}

/// The spaces before `offset` on its line, when nothing else stands there (a block
/// collection's first key or `-`). `None` for `- key: …` items and flow collections.
fn block_indent(text: &str, offset: usize) -> Option<&str> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = text.get(line_start..offset)?;
    let first = text.get(offset..)?.chars().next()?;
    (indent.bytes().all(|b| b == b' ') && first != '{' && first != '[').then_some(indent)
}

/// An insertion of `line` on a new line after the line that holds `offset` (after its comment,
/// if any). On a last line without a line break, the break goes first.
fn insert_line_after(text: &str, offset: usize, line: &str) -> Edit {
    match text.get(offset..).and_then(|rest| rest.find('\n')) {
        Some(i) => Edit {
            span: Span::empty(offset + i + 1),
            replacement: format!("{line}\n"),
        },
        None => Edit {
            span: Span::empty(text.len()),
            replacement: format!("\n{line}\n"),
        },
    }
}

/// An edit replacing `range` (byte offsets into `scalar.value`) of a scalar, when the scalar is
/// written in the service itself, plain or quoted, exactly as its value reads (no escapes, no
/// interpolation), so the offsets hold in the text too.
pub(crate) fn replace_in_scalar(
    text: &str,
    service: &Service,
    scalar: &Spanned<String>,
    range: std::ops::Range<usize>,
    replacement: &str,
) -> Option<Edit> {
    if !written_inside(service, scalar.span) {
        return None;
    }
    let written = scalar.span.text(text);
    let quoted = written.len() >= 2
        && (written.starts_with('"') && written.ends_with('"')
            || written.starts_with('\'') && written.ends_with('\''));
    let (inner, start) = if quoted {
        (&written[1..written.len() - 1], scalar.span.start + 1)
    } else {
        (written, scalar.span.start)
    };
    if inner != scalar.value || scalar.value.get(range.clone()).is_none() {
        return None;
    }
    Some(Edit {
        span: Span::new(start + range.start, start + range.end),
        replacement: replacement.to_string(),
    })
}
