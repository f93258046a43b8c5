//! The inputs Rego policies see, as JSON: plimsoll's Dockerfile model, conftest's Dockerfile
//! shape, and a compose file as the plain document; plus the reverse mapping from a JSON path a
//! policy names back to a span of the file. The shapes are documented in docs/rego.md and
//! described by docs/plimsoll-rego-input.schema.json.

use serde_json::{Map, Value, json};

use crate::syntax::dockerfile::{Command, Dockerfile, Instruction, ShellOrExec};
use crate::syntax::source::SourceFile;
use crate::syntax::span::Span;
use crate::syntax::yaml::{self, Node};

/// Compose documents nested deeper than this become `null` below it: policies read a few
/// levels of a service, and the regorus value conversion is recursive.
pub const MAX_DEPTH: usize = 64;

/// `{"line": L, "column": C}` (1-based, columns in characters) of `offset`.
fn point(source: &SourceFile, offset: usize) -> Value {
    let at = source.position(offset);
    json!({ "line": at.line, "column": at.column })
}

/// `{"start": …, "end": …}` of `span`.
pub fn location(source: &SourceFile, span: Span) -> Value {
    json!({ "start": point(source, span.start), "end": point(source, span.end) })
}

/// The arguments of an instruction as conftest's parser lists them (`Value`): exec-form items,
/// the shell text, `key`/`value` pairs flattened, otherwise the words of the argument text.
/// The `bool` is `true` for the JSON (exec) form.
fn arguments(source: &SourceFile, instruction: &Instruction) -> (Vec<String>, bool) {
    let words = || {
        source
            .slice(instruction.args_span)
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let strings = |items: &[crate::syntax::span::Spanned<String>]| {
        items.iter().map(|s| s.value.clone()).collect::<Vec<_>>()
    };
    match &instruction.command {
        Command::Run(form) | Command::Cmd(form) | Command::Entrypoint(form) => match form {
            ShellOrExec::Exec(items) => (strings(items), true),
            ShellOrExec::Shell(text) => (vec![text.value.clone()], false),
        },
        Command::Shell(items) => (strings(items), true),
        Command::Env(pairs) | Command::Label(pairs) => (
            pairs
                .iter()
                .flat_map(|p| {
                    [
                        p.key.value.clone(),
                        p.value
                            .as_ref()
                            .map(|v| v.value.clone())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
            false,
        ),
        Command::Arg(pairs) => (
            pairs
                .iter()
                .map(|p| match &p.value {
                    Some(v) => format!("{}={}", p.key.value, v.value),
                    None => p.key.value.clone(),
                })
                .collect(),
            false,
        ),
        Command::Copy(copy) | Command::Add(copy) => (
            copy.sources
                .iter()
                .chain(&copy.destination)
                .map(|s| s.value.clone())
                .collect(),
            copy.json,
        ),
        Command::User(user) => (
            vec![match &user.group {
                Some(group) => format!("{}:{}", user.user.value, group.value),
                None => user.user.value.clone(),
            }],
            false,
        ),
        Command::Workdir(v) | Command::Stopsignal(v) | Command::Maintainer(v) => {
            (vec![v.value.clone()], false)
        }
        Command::Expose(items) | Command::Volume(items) => (strings(items), false),
        Command::Onbuild(inner) => arguments(source, inner),
        Command::From(_) | Command::Healthcheck(_) | Command::Invalid => (words(), false),
    }
}

/// The flags of an instruction as written (`--from=build`).
fn flags(source: &SourceFile, instruction: &Instruction) -> Vec<String> {
    instruction
        .flags
        .iter()
        .map(|f| source.slice(f.span).to_string())
        .collect()
}

/// [`dockerfile`] built as a regorus value directly: each instruction is converted once and
/// shared (reference-counted) between `instructions` and its stage's list.
pub fn dockerfile_value(source: &SourceFile, dockerfile: &Dockerfile) -> regorus::Value {
    let json = self::dockerfile(source, dockerfile);
    let instructions: Vec<regorus::Value> = json["instructions"]
        .as_array()
        .map(|items| items.iter().cloned().map(regorus::Value::from).collect())
        .unwrap_or_default();
    let stages: Vec<regorus::Value> = dockerfile
        .stages
        .iter()
        .map(|stage| {
            let mut map = std::collections::BTreeMap::new();
            map.insert(
                regorus::Value::from("index"),
                regorus::Value::from(stage.index),
            );
            map.insert(
                regorus::Value::from("name"),
                stage.name.as_ref().map_or(regorus::Value::Null, |n| {
                    regorus::Value::from(n.value.as_str())
                }),
            );
            map.insert(
                regorus::Value::from("base"),
                regorus::Value::from(stage.base.raw.value.as_str()),
            );
            map.insert(
                regorus::Value::from("instructions"),
                regorus::Value::from(
                    instructions
                        .get(stage.instructions.clone())
                        .unwrap_or_default()
                        .to_vec(),
                ),
            );
            regorus::Value::from(map)
        })
        .collect();
    let mut map = std::collections::BTreeMap::new();
    map.insert(
        regorus::Value::from("path"),
        regorus::Value::from(source.path.display().to_string()),
    );
    map.insert(
        regorus::Value::from("kind"),
        regorus::Value::from("dockerfile"),
    );
    map.insert(regorus::Value::from("stages"), regorus::Value::from(stages));
    map.insert(
        regorus::Value::from("instructions"),
        regorus::Value::from(instructions),
    );
    regorus::Value::from(map)
}

/// plimsoll's Dockerfile input: `{path, stages: [{index, name, base, instructions: […]}],
/// instructions: […]}`, each instruction with its keyword, flags, arguments, original text,
/// stage and location.
pub fn dockerfile(source: &SourceFile, dockerfile: &Dockerfile) -> Value {
    let instructions: Vec<Value> = dockerfile
        .instructions
        .iter()
        .enumerate()
        .map(|(index, instruction)| {
            let (args, json_form) = arguments(source, instruction);
            let flags: Vec<Value> = instruction
                .flags
                .iter()
                .map(|f| {
                    json!({
                        "name": f.name.value,
                        "value": f.value.as_ref().map(|v| v.value.clone()),
                        "original": source.slice(f.span),
                        "location": location(source, f.span),
                    })
                })
                .collect();
            let mut object = json!({
                "index": index,
                "keyword": instruction.keyword.as_str(),
                "flags": flags,
                "arguments": args,
                "json": json_form,
                "original": source.slice(instruction.span),
                "stage": instruction.stage,
                "location": location(source, instruction.span),
            });
            if let Command::Onbuild(inner) = &instruction.command
                && let Some(map) = object.as_object_mut()
            {
                map.insert("subcommand".into(), json!(inner.keyword.as_str()));
            }
            object
        })
        .collect();
    let stages: Vec<Value> = dockerfile
        .stages
        .iter()
        .map(|stage| {
            json!({
                "index": stage.index,
                "name": stage.name.as_ref().map(|n| n.value.clone()),
                "base": stage.base.raw.value,
                "instructions": instructions
                    .get(stage.instructions.clone())
                    .unwrap_or_default(),
            })
        })
        .collect();
    json!({
        "path": source.path.display().to_string(),
        "kind": "dockerfile",
        "stages": stages,
        "instructions": instructions,
    })
}

/// conftest's Dockerfile input: `[[{Cmd, Flags, Value, Original, JSON, SubCmd, Stage,
/// StartLine, EndLine}, …]]` (the outer list holds one document).
pub fn conftest_dockerfile(source: &SourceFile, dockerfile: &Dockerfile) -> Value {
    let commands: Vec<Value> = dockerfile
        .instructions
        .iter()
        .map(|instruction| {
            let (args, json_form) = arguments(source, instruction);
            let sub = match &instruction.command {
                Command::Onbuild(inner) => inner.keyword.as_str().to_ascii_lowercase(),
                _ => String::new(),
            };
            json!({
                "Cmd": instruction.keyword.as_str().to_ascii_lowercase(),
                "SubCmd": sub,
                "JSON": json_form,
                "Original": source.slice(instruction.span),
                "StartLine": source.position(instruction.span.start).line,
                "EndLine": source.position(instruction.span.end.saturating_sub(1).max(instruction.span.start)).line,
                "Flags": flags(source, instruction),
                "Value": args,
                "Stage": instruction.stage.unwrap_or(0),
            })
        })
        .collect();
    json!([commands])
}

/// A plain YAML scalar as JSON, with the YAML 1.2 core schema (`null`, booleans, numbers);
/// quoted and block scalars stay strings.
fn scalar(node: &Node) -> Value {
    let Some(s) = node.as_scalar() else {
        return Value::Null;
    };
    if s.style != yaml::ScalarStyle::Plain {
        return Value::String(s.value.clone());
    }
    if s.is_null() {
        return Value::Null;
    }
    match s.value.as_str() {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let numeric = s
        .value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && s.value.chars().any(|c| c.is_ascii_digit());
    if numeric {
        if let Ok(n) = s.value.parse::<i64>() {
            return json!(n);
        }
        if let Ok(f) = s.value.parse::<f64>()
            && let Some(n) = serde_json::Number::from_f64(f)
        {
            return Value::Number(n);
        }
    }
    Value::String(s.value.clone())
}

/// A key of a mapping as a JSON object key.
fn key_text(node: &Node) -> String {
    match node.as_scalar() {
        Some(s) => s.value.clone(),
        None => String::new(),
    }
}

/// A compose document as plain JSON (what `docker compose config` and conftest users write
/// against). Iterative; nodes deeper than [`MAX_DEPTH`] become `null`.
pub fn compose_document(root: &Node) -> Value {
    enum Frame<'a> {
        Seq(std::slice::Iter<'a, Node>, Vec<Value>),
        Map(
            std::slice::Iter<'a, yaml::Entry>,
            Map<String, Value>,
            String,
        ),
    }
    fn open(node: &Node) -> Option<Frame<'_>> {
        match &node.value {
            yaml::Value::Sequence(items) => Some(Frame::Seq(items.iter(), Vec::new())),
            yaml::Value::Mapping(entries) => {
                Some(Frame::Map(entries.iter(), Map::new(), String::new()))
            }
            yaml::Value::Scalar(_) => None,
        }
    }
    let Some(first) = open(root) else {
        return scalar(root);
    };
    let mut stack = vec![first];
    loop {
        // The next child of the innermost open collection, or that collection finished.
        let next = match stack.last_mut() {
            None => return Value::Null,
            Some(Frame::Seq(items, _)) => items.next(),
            Some(Frame::Map(entries, _, key)) => entries.next().map(|entry| {
                *key = key_text(&entry.key);
                &entry.value
            }),
        };
        let done = match next {
            Some(child) => {
                if stack.len() < MAX_DEPTH
                    && let Some(frame) = open(child)
                {
                    stack.push(frame);
                    continue;
                }
                if matches!(child.value, yaml::Value::Scalar(_)) {
                    scalar(child)
                } else {
                    Value::Null
                }
            }
            None => match stack.pop() {
                Some(Frame::Seq(_, items)) => {
                    let value = Value::Array(items);
                    if stack.is_empty() {
                        return value;
                    }
                    value
                }
                Some(Frame::Map(_, map, _)) => {
                    let value = Value::Object(map);
                    if stack.is_empty() {
                        return value;
                    }
                    value
                }
                None => return Value::Null,
            },
        };
        match stack.last_mut() {
            Some(Frame::Seq(_, items)) => items.push(done),
            Some(Frame::Map(_, map, key)) => {
                map.insert(std::mem::take(key), done);
            }
            None => return done,
        }
    }
}

/// One step of a JSON path a policy gives: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A result's `path`: a list of keys and indices, or a dotted string (`services.web.image`,
/// `services.web.ports.0`).
pub fn parse_path(value: &Value) -> Vec<Step> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(Step::Key(s.clone())),
                Value::Number(n) => n
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(Step::Index),
                _ => None,
            })
            .collect(),
        Value::String(text) => text
            .split('.')
            .filter(|part| !part.is_empty())
            .map(|part| match part.parse::<usize>() {
                Ok(n) => Step::Index(n),
                Err(_) => Step::Key(part.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The span a compose path points at: the key of the last mapping step (so the finding sits on
/// `image:`), the item of a last sequence step; as far as the path resolves.
pub fn compose_span(root: &Node, path: &[Step]) -> Option<Span> {
    let mut node = root;
    let mut span = None;
    for step in path {
        match (step, &node.value) {
            (Step::Key(key), yaml::Value::Mapping(entries)) => {
                let entry = entries.iter().rev().find(|e| e.key.as_str() == Some(key))?;
                span = Some(entry.key.span);
                node = &entry.value;
            }
            (Step::Index(i), yaml::Value::Sequence(items)) => {
                node = items.get(*i)?;
                span = Some(node.span);
            }
            (Step::Index(i), yaml::Value::Mapping(entries)) => {
                // A numeric key written in YAML (`0:`) reads as an index in a dotted path.
                let entry = entries
                    .iter()
                    .rev()
                    .find(|e| e.key.as_str() == Some(i.to_string().as_str()))?;
                span = Some(entry.key.span);
                node = &entry.value;
            }
            _ => break,
        }
    }
    span
}

/// The span a Dockerfile path points at: `instructions.N` (or `stages.S.instructions.N`,
/// `N` in conftest's shape, with an optional leading document index) is instruction N;
/// `…flags.M` its flag M.
pub fn dockerfile_span(dockerfile: &Dockerfile, path: &[Step]) -> Option<Span> {
    let mut rest = path;
    let mut offset = 0;
    if let [Step::Key(k), Step::Index(s), tail @ ..] = rest
        && k == "stages"
    {
        offset = dockerfile.stages.get(*s)?.instructions.start;
        rest = tail;
    }
    let index = match rest {
        [Step::Key(k), Step::Index(i), tail @ ..] if k == "instructions" => {
            rest = tail;
            *i
        }
        [Step::Index(_), Step::Index(i), tail @ ..] => {
            rest = tail;
            *i
        }
        [Step::Index(i), tail @ ..] => {
            rest = tail;
            *i
        }
        _ => return None,
    };
    let instruction = dockerfile.instructions.get(offset.checked_add(index)?)?;
    if let [Step::Key(k), Step::Index(f), ..] = rest
        && (k == "flags" || k == "Flags")
        && let Some(flag) = instruction.flags.get(*f)
    {
        return Some(flag.span);
    }
    Some(instruction.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::source::FileKind;

    #[test]
    fn compose_documents_become_plain_json() {
        let text = "services:\n  web:\n    image: nginx\n    ports: ['80:80', 8080]\n    \
                    read_only: true\n    cpus: 0.5\n    x: ~\n    q: '1'\n";
        let tree = yaml::parse(text);
        let doc = compose_document(&tree.documents[0]);
        assert_eq!(
            doc,
            json!({"services": {"web": {"image": "nginx", "ports": ["80:80", 8080],
                "read_only": true, "cpus": 0.5, "x": null, "q": "1"}}})
        );
        let path = parse_path(&json!("services.web.ports.1"));
        let span = compose_span(&tree.documents[0], &path).unwrap();
        assert_eq!(&text[span.start..span.end], "8080");
        let span = compose_span(
            &tree.documents[0],
            &parse_path(&json!(["services", "web", "image"])),
        )
        .unwrap();
        assert_eq!(&text[span.start..span.end], "image");
    }

    #[test]
    fn deep_documents_are_cut() {
        let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let tree = yaml::parse(&text);
        let doc = compose_document(&tree.documents[0]);
        let mut depth = 0;
        let mut value = &doc;
        while let Value::Array(items) = value {
            depth += 1;
            value = &items[0];
        }
        assert_eq!(depth, MAX_DEPTH);
        assert_eq!(*value, Value::Null);
    }

    #[test]
    fn dockerfile_inputs() {
        let text =
            "FROM alpine:3.20 AS build\nCOPY --from=x a b /\nUSER root:root\nRUN [\"a\", \"b\"]\n";
        let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let parsed = crate::syntax::dockerfile::parse(text);
        let input = dockerfile(&source, &parsed);
        assert_eq!(input["instructions"][1]["keyword"], "COPY");
        assert_eq!(
            input["instructions"][1]["arguments"],
            json!(["a", "b", "/"])
        );
        assert_eq!(input["instructions"][1]["flags"][0]["name"], "from");
        assert_eq!(
            input["instructions"][1]["location"],
            json!({"start": {"line": 2, "column": 1}, "end": {"line": 2, "column": 20}})
        );
        assert_eq!(input["stages"][0]["name"], "build");
        let value = dockerfile_value(&source, &parsed);
        assert_eq!(
            serde_json::from_str::<Value>(&value.to_json_str().unwrap()).unwrap(),
            input
        );
        assert_eq!(
            input["stages"][0]["instructions"][2]["arguments"],
            json!(["root:root"])
        );
        let conftest = conftest_dockerfile(&source, &parsed);
        assert_eq!(conftest[0][0]["Cmd"], "from");
        assert_eq!(
            conftest[0][0]["Value"],
            json!(["alpine:3.20", "AS", "build"])
        );
        assert_eq!(conftest[0][1]["Flags"], json!(["--from=x"]));
        assert_eq!(conftest[0][3]["JSON"], true);
        assert_eq!(conftest[0][3]["StartLine"], 4);
        let span = dockerfile_span(&parsed, &parse_path(&json!([0, 2]))).unwrap();
        assert_eq!(&text[span.start..span.end], "USER root:root");
        let span = dockerfile_span(&parsed, &parse_path(&json!("instructions.1.flags.0"))).unwrap();
        assert_eq!(&text[span.start..span.end], "--from=x");
    }
}
