//! The inputs Rego policies see, built from arbitrary bytes: the text as a Dockerfile (plimsoll's
//! shape, as JSON and as the regorus value the engine hands over, and conftest's shape) and as a
//! compose file (each YAML document as plain JSON). No panic; each input serialises to JSON that
//! parses back to the same value, its size is bounded by a fixed multiple of the text (plus a
//! fixed allowance for YAML aliases), and the JSON paths a policy could name map back to spans
//! inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::policies::rego::input::{self, Step};
use plimsoll::syntax::{dockerfile, yaml};
use plimsoll::{FileKind, SourceFile};
use plimsoll_fuzz::span_ok;
use serde_json::Value;

/// Input bytes → at most this many JSON bytes per byte, plus [`SLACK`]. Every instruction is
/// written twice (in `instructions` and its stage's list) with keys and a location around it,
/// and a control character is escaped to six bytes; a super-linear input is far above this.
const BYTES_PER_BYTE: usize = 256;
const SLACK: usize = 4096;
/// What YAML alias expansion may add to a compose document at most: the parser bounds the
/// nodes aliases copy (100,000), and should bound the bytes they copy too.
const ALIAS_ALLOWANCE: usize = 16 << 20;

/// At most this many JSON paths of one input are mapped back to spans.
const MAX_PATHS: usize = 2000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let bound = BYTES_PER_BYTE * text.len() + SLACK;

    let source = SourceFile::new("fuzz/Dockerfile", text, FileKind::Dockerfile);
    let parsed = dockerfile::parse(text);
    let plimsoll_shape = input::dockerfile(&source, &parsed);
    round_trip("dockerfile", &plimsoll_shape, bound);
    // The regorus value the engine evaluates against is the same document.
    let value = input::dockerfile_value(&source, &parsed);
    let json = match value.to_json_str() {
        Ok(json) => json,
        Err(err) => panic!("dockerfile_value does not serialise: {err}"),
    };
    match serde_json::from_str::<Value>(&json) {
        Ok(back) => assert!(
            back == plimsoll_shape,
            "dockerfile_value differs from dockerfile"
        ),
        Err(err) => panic!("dockerfile_value is not JSON: {err}"),
    }
    let conftest_shape = input::conftest_dockerfile(&source, &parsed);
    round_trip("conftest_dockerfile", &conftest_shape, bound);
    for (shape, value) in [
        ("dockerfile", &plimsoll_shape),
        ("conftest", &conftest_shape),
    ] {
        for path in paths(value) {
            if let Some(span) = input::dockerfile_span(&parsed, &path)
                && let Err(problem) = span_ok(text, span.start, span.end)
            {
                panic!("{shape} path {path:?}: {problem}");
            }
        }
    }

    let tree = yaml::parse(text);
    for root in &tree.documents {
        let document = input::compose_document(root);
        round_trip("compose_document", &document, bound + ALIAS_ALLOWANCE);
        for path in paths(&document) {
            if let Some(span) = input::compose_span(root, &path)
                && let Err(problem) = span_ok(text, span.start, span.end)
            {
                panic!("compose path {path:?}: {problem}");
            }
        }
    }
});

/// `value` as JSON text: within `bound` bytes, and parsed back to the same value.
fn round_trip(what: &str, value: &Value, bound: usize) {
    let json = match serde_json::to_string(value) {
        Ok(json) => json,
        Err(err) => panic!("{what} does not serialise: {err}"),
    };
    assert!(
        json.len() <= bound,
        "{what} input is {} bytes, more than {bound}",
        json.len()
    );
    match serde_json::from_str::<Value>(&json) {
        Ok(back) => assert!(same(&back, value), "{what} changes through JSON"),
        Err(err) => panic!("{what} is not JSON: {err}"),
    }
}

/// `a` and `b` are the same JSON, numbers within a rounding step (serde_json's default float
/// parser may be one unit in the last place off). Iterative: documents nest 64 levels deep.
fn same(a: &Value, b: &Value) -> bool {
    let mut pairs = vec![(a, b)];
    while let Some(pair) = pairs.pop() {
        match pair {
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                pairs.extend(x.iter().zip(y))
            }
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                for (key, item) in x {
                    match y.get(key) {
                        Some(other) => pairs.push((item, other)),
                        None => return false,
                    }
                }
            }
            (Value::Number(x), Value::Number(y)) => {
                if x != y {
                    let (Some(x), Some(y)) = (x.as_f64(), y.as_f64()) else {
                        return false;
                    };
                    if (x - y).abs() > 4.0 * f64::EPSILON * x.abs().max(y.abs()) {
                        return false;
                    }
                }
            }
            (x, y) => {
                if x != y {
                    return false;
                }
            }
        }
    }
    true
}

/// The paths to the nodes of `value` (keys and indices, as a policy's result names them), breadth
/// first, at most [`MAX_PATHS`].
fn paths(value: &Value) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([(Vec::new(), value)]);
    while let Some((path, node)) = queue.pop_front() {
        if out.len() >= MAX_PATHS {
            break;
        }
        let children: Vec<(Step, &Value)> = match node {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (Step::Index(i), item))
                .collect(),
            Value::Object(map) => map
                .iter()
                .map(|(key, item)| (Step::Key(key.clone()), item))
                .collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            if out.len() + queue.len() >= MAX_PATHS {
                break;
            }
            let mut longer = path.clone();
            longer.push(step);
            queue.push_back((longer, child));
        }
        out.push(path);
    }
    out
}
