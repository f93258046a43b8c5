//! The JSON Schema of `.plimsoll.yaml`, built from the same tables the config reader uses (key
//! names and descriptions) and from the rule declarations (codes, names, options), so editors
//! with a YAML language server complete and validate config files. Committed as
//! `docs/plimsoll.schema.json`; `tests/config_schema.rs` checks it is current.

use serde_json::{Map, Value, json};

use crate::linter::diagnostic::Category;
use crate::linter::rule::{OptionKind, Rule};
use crate::linter::rules;

use super::parse::{
    BUILD_CONTEXT_KEYS, COMPOSE_KEYS, COMPOSE_PROJECT_KEYS, INCLUDE_KINDS, OVERRIDE_KEYS,
    RULE_KEYS, TOP_LEVEL_KEYS,
};
use super::policy::{FILE_KEYS, POLICY_RULE_KEYS, TEMPLATES};

/// `compose:`, from the reader's key tables.
fn compose_schema() -> Value {
    let mut project = Map::new();
    for (key, description) in COMPOSE_PROJECT_KEYS {
        let mut schema = match *key {
            "files" => json!({ "type": "array", "items": { "type": "string" }, "minItems": 1 }),
            _ => json!({ "type": "string" }),
        };
        describe(&mut schema, description);
        project.insert((*key).to_string(), schema);
    }
    let mut compose = Map::new();
    for (key, description) in COMPOSE_KEYS {
        let mut schema = json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": project.clone(),
                "required": ["files"],
                "additionalProperties": false,
            },
        });
        describe(&mut schema, description);
        compose.insert((*key).to_string(), schema);
    }
    json!({ "type": "object", "properties": compose, "additionalProperties": false })
}

/// `build-contexts:`, from the reader's key table.
fn build_contexts_schema() -> Value {
    let mut entry = Map::new();
    for (key, description) in BUILD_CONTEXT_KEYS {
        let mut schema = match *key {
            "dockerfile" => json!({
                "anyOf": [
                    { "type": "string" },
                    { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                ]
            }),
            _ => json!({ "type": "string" }),
        };
        describe(&mut schema, description);
        entry.insert((*key).to_string(), schema);
    }
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "properties": entry,
            "required": ["dockerfile", "context"],
            "additionalProperties": false,
        },
    })
}

/// The schema as a JSON value.
pub fn json_schema() -> Value {
    let mut properties = Map::new();
    for (key, description) in TOP_LEVEL_KEYS {
        let mut schema = match *key {
            "extends" => json!({ "type": "string" }),
            "select" | "extend-select" | "ignore" => json!({ "$ref": "#/definitions/selectors" }),
            "rules" => json!({ "$ref": "#/definitions/rules" }),
            "overrides" => {
                json!({ "type": "array", "items": { "$ref": "#/definitions/override" } })
            }
            "fail-level" => json!({ "$ref": "#/definitions/severity" }),
            "include" => {
                let kinds: Map<String, Value> = INCLUDE_KINDS
                    .iter()
                    .map(|kind| {
                        (
                            kind.as_str().to_string(),
                            json!({ "$ref": "#/definitions/globs" }),
                        )
                    })
                    .collect();
                json!({ "type": "object", "properties": kinds, "additionalProperties": false })
            }
            "exclude" => json!({ "$ref": "#/definitions/globs" }),
            "strict" => json!({ "type": "boolean", "default": false }),
            "shellcheck" => {
                json!({ "type": "string", "enum": ["auto", "on", "off"], "default": "auto" })
            }
            "policies" => json!({ "type": "array", "items": { "type": "string" } }),
            "compose" => compose_schema(),
            "build-contexts" => build_contexts_schema(),
            "non-root-images" => json!({
                "type": "array",
                "items": { "type": "string", "pattern": "^[^\\s@]+$" }
            }),
            // A key without a schema here fails the schema test, naming it.
            _ => json!({}),
        };
        describe(&mut schema, description);
        properties.insert((*key).to_string(), schema);
    }

    let mut override_properties = Map::new();
    for (key, description) in OVERRIDE_KEYS {
        let mut schema = match *key {
            "files" => json!({ "$ref": "#/definitions/globs" }),
            "rules" => json!({ "$ref": "#/definitions/rules" }),
            _ => json!({ "$ref": "#/definitions/selectors" }),
        };
        describe(&mut schema, description);
        override_properties.insert((*key).to_string(), schema);
    }

    let mut definitions = Map::new();
    definitions.insert(
        "severity".into(),
        json!({ "enum": ["style", "info", "warning", "error"] }),
    );
    definitions.insert(
        "selectors".into(),
        json!({ "type": "array", "items": { "$ref": "#/definitions/selector" } }),
    );
    definitions.insert(
        "selector".into(),
        json!({
            "description": "A rule code, name, category, code prefix or `all`",
            "anyOf": [
                { "enum": selectors() },
                {
                    "description": "A policy rule's code, code prefix or name",
                    "type": "string",
                    "pattern": "^([A-Za-z]+[0-9]*|[a-z][a-z0-9]*(-[a-z0-9]+)*)$",
                },
            ],
        }),
    );
    definitions.insert(
        "globs".into(),
        json!({ "type": "array", "items": { "type": "string" } }),
    );
    definitions.insert(
        "override".into(),
        json!({
            "type": "object",
            "properties": override_properties,
            "required": ["files"],
            "additionalProperties": false,
        }),
    );
    let mut group = json!({
        "type": "object",
        "properties": { "severity": { "$ref": "#/definitions/severity" } },
        "additionalProperties": false,
    });
    describe(
        &mut group,
        "Settings for every rule a category, code prefix or `all` selects (severity only)",
    );
    definitions.insert("rule-group".into(), group);

    let mut rule_properties = Map::new();
    for rule in rules::all() {
        let reference = format!("#/definitions/rule-{}", rule.code);
        definitions.insert(format!("rule-{}", rule.code), rule_schema(rule));
        for key in [rule.code, rule.name] {
            rule_properties.insert(key.to_string(), json!({ "$ref": reference }));
        }
    }
    definitions.insert(
        "rules".into(),
        json!({
            "type": "object",
            "properties": rule_properties,
            "propertyNames": { "$ref": "#/definitions/selector" },
            "additionalProperties": { "$ref": "#/definitions/rule-group" },
        }),
    );

    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": format!("{}/schemas/plimsoll.schema.json", crate::SITE_URL),
        "title": "plimsoll configuration (.plimsoll.yaml)",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "definitions": definitions,
    })
}

/// The schema as committed: pretty JSON with a final newline.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of policy files (`.plimsoll/policies/*.yaml`), from the same tables the
/// policy reader uses. Committed as `docs/plimsoll-policy.schema.json`.
pub fn policy_json_schema() -> Value {
    let mut definitions = Map::new();
    let mut rule_properties = Map::new();
    let general: Vec<&str> = TEMPLATES.iter().map(|(name, _)| *name).collect();
    let builtins: Vec<String> = rules::all()
        .iter()
        .filter(|rule| !matches!(rule.check, crate::linter::rule::Check::Engine))
        .map(|rule| format!("builtin:{}", rule.name))
        .collect();
    for (key, description) in POLICY_RULE_KEYS {
        let mut schema = match *key {
            "code" => {
                json!({ "type": "string", "pattern": "^(?![DdPp][FfCcLl][0-9])[A-Za-z]+[0-9]+$" })
            }
            "name" => json!({ "type": "string", "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$" }),
            "category" => {
                json!({ "enum": Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() })
            }
            "severity" => json!({ "enum": ["style", "info", "warning", "error"] }),
            "enabled" => json!({ "type": "boolean", "default": true }),
            "template" => {
                json!({ "enum": general.iter().map(|t| (*t).to_string()).chain(builtins.iter().cloned()).collect::<Vec<_>>() })
            }
            "options" => json!({ "type": "object" }),
            "examples" => json!({
                "type": "object",
                "properties": {
                    "bad": { "type": "array", "items": { "$ref": "#/definitions/example" } },
                    "good": { "type": "array", "items": { "$ref": "#/definitions/example" } },
                },
                "additionalProperties": false,
            }),
            _ => json!({ "type": "string" }),
        };
        describe(&mut schema, description);
        rule_properties.insert((*key).to_string(), schema);
    }
    // Each general template's options, chosen by the `template` value.
    let mut cases = Vec::new();
    for (template, keys) in TEMPLATES {
        let mut options = Map::new();
        for (key, description) in *keys {
            let mut schema = match *key {
                "absent" | "present" | "allow-absent" | "require-digest" => {
                    json!({ "type": "boolean" })
                }
                "one-of" | "flags" | "allowed" | "denied" => {
                    json!({ "type": "array", "items": { "type": "string" } })
                }
                "mode" if *template == "run-command" => {
                    json!({ "enum": ["forbidden", "required"] })
                }
                "mode" => json!({ "enum": ["required", "forbidden"] }),
                "scope" => json!({ "enum": ["final-stage", "every-stage"] }),
                _ => json!({ "type": "string" }),
            };
            describe(&mut schema, description);
            options.insert((*key).to_string(), schema);
        }
        cases.push(json!({
            "if": { "properties": { "template": { "const": template } } },
            "then": {
                "properties": {
                    "options": {
                        "type": "object",
                        "properties": options,
                        "additionalProperties": false,
                    }
                }
            },
        }));
    }
    definitions.insert(
        "rule".into(),
        json!({
            "type": "object",
            "properties": rule_properties,
            "required": ["code", "name", "summary", "category", "template"],
            "additionalProperties": false,
            "allOf": cases,
        }),
    );
    definitions.insert(
        "example".into(),
        json!({
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "kind": { "enum": ["dockerfile", "compose"] },
                        "text": { "type": "string" },
                    },
                    "required": ["text"],
                    "additionalProperties": false,
                },
            ],
        }),
    );
    let mut properties = Map::new();
    for (key, description) in FILE_KEYS {
        let mut schema = json!({ "type": "array", "items": { "$ref": "#/definitions/rule" } });
        describe(&mut schema, description);
        properties.insert((*key).to_string(), schema);
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": format!("{}/schemas/plimsoll-policy.schema.json", crate::SITE_URL),
        "title": "plimsoll policy file (.plimsoll/policies/*.yaml)",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "definitions": definitions,
    })
}

/// The policy schema as committed: pretty JSON with a final newline.
pub fn policy_json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&policy_json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

fn describe(schema: &mut Value, description: &str) {
    if let Some(object) = schema.as_object_mut() {
        object.insert("description".into(), Value::String(description.into()));
    }
}

/// Every selector: codes, names, categories, code prefixes and `all`.
fn selectors() -> Vec<String> {
    let mut out: Vec<String> = vec!["all".into()];
    out.extend(Category::ALL.iter().map(|c| c.as_str().to_string()));
    let mut prefixes = Vec::new();
    for rule in rules::all() {
        out.push(rule.code.to_string());
        out.push(rule.name.to_string());
        for end in 1..rule.code.len() {
            if let Some(prefix) = rule.code.get(..end) {
                prefixes.push(prefix.to_string());
            }
        }
    }
    prefixes.sort();
    prefixes.dedup();
    out.extend(prefixes);
    out
}

fn rule_schema(rule: &Rule) -> Value {
    let mut properties = Map::new();
    for (key, description) in RULE_KEYS {
        match *key {
            "severity" => {
                properties.insert(
                    "severity".into(),
                    json!({
                        "$ref": "#/definitions/severity",
                        "description": format!("{description} (default `{}`)", rule.severity),
                    }),
                );
            }
            "options" if !rule.options.is_empty() => {
                let mut options = Map::new();
                for option in rule.options {
                    let mut schema = option_schema(&option.kind);
                    describe(&mut schema, option.description);
                    options.insert(option.name.to_string(), schema);
                }
                properties.insert(
                    "options".into(),
                    json!({
                        "type": "object",
                        "description": description,
                        "properties": options,
                        "additionalProperties": false,
                    }),
                );
            }
            _ => {}
        }
    }
    json!({
        "type": "object",
        "description": format!("{} ({}): {}", rule.name, rule.code, rule.summary),
        "properties": properties,
        "additionalProperties": false,
    })
}

fn option_schema(kind: &OptionKind) -> Value {
    match *kind {
        OptionKind::Bool(default) => json!({ "type": "boolean", "default": default }),
        OptionKind::Integer { default, min, max } => json!({
            "type": "integer", "default": default, "minimum": min, "maximum": max,
        }),
        OptionKind::String(default) => json!({ "type": "string", "default": default }),
        OptionKind::StringList(default) => json!({
            "type": "array", "items": { "type": "string" }, "default": default,
        }),
        OptionKind::Choice { default, choices } => json!({ "enum": choices, "default": default }),
        OptionKind::ChoiceMap { default, choices } => json!({
            "type": "object",
            "additionalProperties": { "enum": choices },
            "default": default.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
        }),
    }
}
