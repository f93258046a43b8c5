//! Invariants every model and finding must hold on any input, shared by the property tests
//! (`tests/properties.rs`) and the fuzz targets (`fuzz/`, which include this file by path).
//! Spans are found generically: any serialized object with exactly the integer keys `start`
//! and `end` is a span, so a field added to a model later is checked without touching this.
//! The one exception is `Stage::instructions`, a range of instruction indices, not bytes.
#![allow(dead_code)]

use serde::Serialize;
use serde_json::Value;

/// Every span inside `value` (serialized) lies within `text` and on char boundaries.
/// Objects carrying a `path` (a label pointing into another file) are skipped.
pub fn spans_ok<T: Serialize>(text: &str, value: &T) -> Result<usize, String> {
    let json = serde_json::to_value(value).map_err(|e| format!("cannot serialize: {e}"))?;
    let mut checked = 0;
    // Explicit stack: the trees can be deep (YAML nesting up to the parser's limit).
    let mut stack = vec![&json];
    while let Some(node) = stack.pop() {
        match node {
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                if map.get("path").is_some_and(|p| p.is_string()) {
                    continue;
                }
                if let Some(Value::Object(range)) = map.get("instructions") {
                    // A stage: its `instructions` are indices; its other fields are spans.
                    let others = map.iter().filter(|(key, _)| *key != "instructions");
                    stack.extend(others.map(|(_, value)| value));
                    stack.extend(range.values().filter(|v| !v.is_u64()));
                    continue;
                }
                if let (2, Some(start), Some(end)) = (
                    map.len(),
                    map.get("start").and_then(Value::as_u64),
                    map.get("end").and_then(Value::as_u64),
                ) {
                    let (start, end) = (start as usize, end as usize);
                    span_ok(text, start, end)?;
                    checked += 1;
                    continue;
                }
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    Ok(checked)
}

/// One span: ordered, inside `text`, both ends on char boundaries.
pub fn span_ok(text: &str, start: usize, end: usize) -> Result<(), String> {
    if start > end {
        return Err(format!("span {start}..{end} is reversed"));
    }
    if end > text.len() {
        return Err(format!(
            "span {start}..{end} ends past the text ({})",
            text.len()
        ));
    }
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return Err(format!("span {start}..{end} is not on char boundaries"));
    }
    Ok(())
}
