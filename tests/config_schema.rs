//! docs/plimsoll.schema.json is generated from the code (config keys and rule declarations);
//! this test fails when it is stale. Regenerate with
//! `PLIMSOLL_UPDATE_DOCS=1 cargo test --test config_schema`.

use std::path::PathBuf;

use plimsoll::linter::rules;
use plimsoll::workspace::config::schema::{
    json_schema, json_schema_text, policy_json_schema, policy_json_schema_text,
};
use plimsoll::workspace::config::{OVERRIDE_KEYS, TOP_LEVEL_KEYS};

#[test]
fn committed_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/plimsoll.schema.json");
    let generated = json_schema_text();
    if std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/plimsoll.schema.json is stale; regenerate it with \
         `PLIMSOLL_UPDATE_DOCS=1 cargo test --test config_schema`"
    );
}

#[test]
fn committed_policy_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/plimsoll-policy.schema.json");
    let generated = policy_json_schema_text();
    if std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/plimsoll-policy.schema.json is stale; regenerate it with \
         `PLIMSOLL_UPDATE_DOCS=1 cargo test --test config_schema`"
    );
}

#[test]
fn the_policy_schema_knows_every_template_and_key() {
    let schema = policy_json_schema();
    let rule = &schema["definitions"]["rule"];
    let templates = rule["properties"]["template"]["enum"].as_array().unwrap();
    for name in [
        "image",
        "compose-field",
        "dockerfile-instruction",
        "run-command",
    ] {
        assert!(templates.iter().any(|t| t == name), "{name}");
    }
    assert!(templates.iter().any(|t| t == "builtin:root-user"));
    assert!(!templates.iter().any(|t| t == "builtin:parse-error"));
    let cases = rule["allOf"].as_array().unwrap();
    let image = cases
        .iter()
        .find(|c| c["if"]["properties"]["template"]["const"] == "image")
        .unwrap();
    assert_eq!(
        image["then"]["properties"]["options"]["properties"]["require-digest"]["type"],
        "boolean"
    );
    for key in ["code", "name", "summary", "category", "template"] {
        assert!(
            rule["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == key)
        );
    }
}

#[test]
fn every_key_and_rule_has_a_typed_schema() {
    let schema = json_schema();
    for (key, _) in TOP_LEVEL_KEYS {
        let property = &schema["properties"][key];
        assert!(
            property.get("type").is_some() || property.get("$ref").is_some(),
            "top-level key `{key}` has no type in the schema: {property}"
        );
        assert!(property["description"].is_string(), "{key}");
    }
    for (key, _) in OVERRIDE_KEYS {
        assert!(
            schema["definitions"]["override"]["properties"][key].is_object(),
            "{key}"
        );
    }
    let rule_keys = &schema["definitions"]["rules"]["properties"];
    for rule in rules::all() {
        for key in [rule.code, rule.name] {
            assert_eq!(
                rule_keys[key]["$ref"],
                format!("#/definitions/rule-{}", rule.code),
                "{key}"
            );
        }
        let definition = &schema["definitions"][format!("rule-{}", rule.code)];
        for option in rule.options {
            assert!(
                definition["properties"]["options"]["properties"][option.name].is_object(),
                "{}: option {} missing",
                rule.code,
                option.name
            );
        }
    }
    // Built-in selectors are enumerated; policy rules' codes and names match a pattern.
    let selectors = schema["definitions"]["selector"]["anyOf"][0]["enum"]
        .as_array()
        .unwrap();
    for selector in ["all", "DF", "DC00", "latest-tag", "secrets", "PL001"] {
        assert!(selectors.iter().any(|s| s == selector), "{selector}");
    }
}

/// The example config in docs/configuration.md is valid.
#[test]
fn the_documented_example_config_is_valid() {
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    let mut blocks = 0;
    let mut rest = docs.as_str();
    // The directories the examples name (`build-contexts` contexts must exist).
    let repo = tempfile::tempdir().unwrap();
    for dir in ["docker", "services"] {
        std::fs::create_dir(repo.path().join(dir)).unwrap();
    }
    while let Some(start) = rest.find("```yaml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").unwrap();
        let text = &body[..end];
        let path = repo.path().join(".plimsoll.yaml");
        if let Err(errors) = plimsoll::workspace::config::parse(&path, text) {
            panic!(
                "docs/configuration.md example is invalid:\n{}\n{text}",
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert!(blocks > 0, "docs/configuration.md has yaml examples");
}
