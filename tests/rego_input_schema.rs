//! docs/plimsoll-rego-input.schema.json describes the inputs Rego policies get: generated
//! inputs (plimsoll's Dockerfile model, conftest's shape, compose documents) must validate, and
//! a wrong one must not.

mod common;

use std::path::PathBuf;

use plimsoll::policies::rego::input;
use plimsoll::syntax::source::{FileKind, SourceFile};
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/plimsoll-rego-input.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

const DOCKERFILES: &[&str] = &[
    "FROM alpine:3.20\n",
    "# syntax=docker/dockerfile:1\nARG BASE=alpine\nFROM ${BASE} AS build\nCOPY --from=x --chmod=644 a b /dst/\nRUN --mount=type=cache,target=/root/.cache \\\n    apk add curl\nENV A=1 B=\"two words\"\nLABEL org.opencontainers.image.source=x\nUSER 1000:1000\nEXPOSE 80 443/udp\nVOLUME [\"/data\"]\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\nONBUILD RUN make\nSHELL [\"/bin/bash\", \"-c\"]\nWORKDIR /app\nSTOPSIGNAL SIGTERM\nCMD [\"app\"]\nENTRYPOINT exec app\n",
    "FROM scratch\nRUN <<EOF\nset -e\necho hi\nEOF\nMAINTAINER me\nFROMM broken\n",
];

#[test]
fn generated_dockerfile_inputs_validate() {
    let validator = validator();
    let mut dockerfiles: Vec<String> = DOCKERFILES.iter().map(|s| s.to_string()).collect();
    // Every Dockerfile of the shared corpus, when it is there.
    if let Some(corpus) = common::shared("corpus/dockerfiles") {
        for path in common::files_under(&corpus) {
            if let Ok(text) = std::fs::read_to_string(path) {
                dockerfiles.push(text);
            }
        }
    }
    for text in &dockerfiles {
        let source = SourceFile::new("Dockerfile", text.as_str(), FileKind::Dockerfile);
        let parsed = plimsoll::syntax::dockerfile::parse(text);
        for value in [
            input::dockerfile(&source, &parsed),
            input::conftest_dockerfile(&source, &parsed),
        ] {
            let problems = errors(&validator, &value);
            assert!(problems.is_empty(), "{problems:#?}\n{text}");
        }
    }
}

#[test]
fn compose_documents_validate_and_wrong_inputs_do_not() {
    let validator = validator();
    let text = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n    deploy: {resources: {limits: {memory: 1g}}}\n";
    let tree = plimsoll::syntax::yaml::parse(text);
    let value = input::compose_document(&tree.documents[0]);
    assert!(errors(&validator, &value).is_empty());
    if let Some(corpus) = common::shared("corpus/compose") {
        for path in common::files_under(&corpus) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let tree = plimsoll::syntax::yaml::parse(&text);
            if let Some(root) = tree.documents.first().filter(|r| r.as_mapping().is_some()) {
                let value = input::compose_document(root);
                let problems = errors(&validator, &value);
                assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
            }
        }
    }
    let source = SourceFile::new("Dockerfile", "FROM a\n", FileKind::Dockerfile);
    let parsed = plimsoll::syntax::dockerfile::parse("FROM a\n");
    let mut wrong = input::dockerfile(&source, &parsed);
    wrong["instructions"][0]["location"] = json!({"line": 1});
    assert!(!errors(&validator, &wrong).is_empty());
    let mut wrong = input::conftest_dockerfile(&source, &parsed);
    wrong[0][0]["StartLine"] = json!("1");
    assert!(!errors(&validator, &wrong).is_empty());
}
