//! The `sarif` format: SARIF 2.1.0, one run for all files, for GitHub code scanning
//! (`github/codeql-action/upload-sarif`) and other SARIF viewers. docs/output-formats.md says
//! which fields are filled and how.
//!
//! Conventions: artifact URIs are relative paths with the `%SRCROOT%` base (absolute paths become
//! `file://` URIs); lines and columns are 1-based, columns in UTF-16 code units (declared in
//! `run.columnKind`), end columns exclusive; `partialFingerprints["plimsoll/v1"]` does not
//! depend on line numbers.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::{Columns, Options, Results, fingerprints, portable_path, region};
use crate::linter::catalogue::Catalogue;
use crate::linter::catalogue::rule_page;
use crate::linter::diagnostic::{Category, Fix, Severity};
use crate::linter::rule::RuleRef;
use crate::linter::rules;
use crate::syntax::source::SourceFile;
use crate::syntax::span::{Position, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT_KEY: &str = "plimsoll/v1";

pub(super) fn write(
    results: &Results,
    options: Options<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(results, options))?;
    writeln!(out)
}

fn log(results: &Results, options: Options) -> Value {
    let mut catalogue = Descriptors::new(options.catalogue);
    let mut sarif_results = Vec::new();
    for file in &results.files {
        let prints = fingerprints(file);
        for (finding, print) in file.findings.iter().zip(prints) {
            let index = catalogue.index_of(&finding.code, &finding.name);
            let mut result = json!({
                "ruleId": finding.code,
                "ruleIndex": index,
                "level": level(finding.severity),
                "message": { "text": message_text(&finding.message, finding.help.as_deref()) },
                "locations": [{
                    "physicalLocation": physical_location(&file.source, finding.span),
                }],
                "partialFingerprints": { FINGERPRINT_KEY: print },
            });
            if !finding.labels.is_empty() {
                result["relatedLocations"] = finding
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(id, label)| {
                        json!({
                            "id": id,
                            // A label may point into another file (the Dockerfile a compose
                            // service builds): locate it in that file.
                            "physicalLocation": physical_location(
                                label.other_file().unwrap_or(&file.source),
                                label.span,
                            ),
                            "message": { "text": label.message },
                        })
                    })
                    .collect();
            }
            if let Some(fix) = finding
                .fix
                .as_ref()
                .and_then(|fix| sarif_fix(&file.source, fix))
            {
                result["fixes"] = json!([fix]);
            }
            sarif_results.push(result);
        }
    }
    let notifications: Vec<Value> = results
        .errors
        .iter()
        .map(|error| {
            let mut physical = json!({ "artifactLocation": artifact_location(&error.path) });
            if let Some(Position { line, column }) = error.position {
                physical["region"] = json!({ "startLine": line, "startColumn": column });
            }
            json!({
                "level": "error",
                "message": { "text": error.message },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": results.errors.is_empty(),
        "exitCode": options.exit_code,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "plimsoll",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": crate::SITE_URL,
                    "rules": catalogue.rules,
                }
            },
            "invocations": [invocation],
            "columnKind": "utf16CodeUnits",
            "results": sarif_results,
        }]
    })
}

/// `tool.driver.rules`: every built-in rule, in code order (so code scanning knows them all,
/// also those that found nothing), then any other code a finding carries.
struct Descriptors<'a> {
    catalogue: Option<&'a Catalogue>,
    rules: Vec<Value>,
    index: HashMap<String, usize>,
}

impl<'a> Descriptors<'a> {
    fn new(catalogue: Option<&'a Catalogue>) -> Self {
        let mut descriptors = Descriptors {
            catalogue,
            rules: Vec::new(),
            index: HashMap::new(),
        };
        for &rule in rules::all() {
            descriptors
                .index
                .insert(rule.code.to_string(), descriptors.rules.len());
            descriptors.rules.push(descriptor(&RuleRef::Builtin(rule)));
        }
        descriptors
    }

    fn index_of(&mut self, code: &str, name: &str) -> usize {
        if let Some(&index) = self.index.get(code) {
            return index;
        }
        let index = self.rules.len();
        self.index.insert(code.to_string(), index);
        // A policy rule (described from its policy file like a built-in rule), or the rule of
        // policy problems or stale pins.
        if let Some(rule) = self
            .catalogue
            .and_then(|catalogue| catalogue.describe(code))
        {
            self.rules.push(descriptor(&rule));
            return index;
        }
        self.rules.push(json!({
            "id": code,
            "name": name,
            "shortDescription": { "text": name },
        }));
        index
    }
}

/// A rule's `reportingDescriptor`.
fn descriptor(rule: &RuleRef) -> Value {
    let mut properties = json!({
        "tags": tags(rule),
        "precision": "high",
    });
    if is_security(rule.category()) {
        properties["security-severity"] = json!(security_severity(rule.severity()));
    }
    let mut descriptor = json!({
        "id": rule.code(),
        "name": rule.name(),
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": full_description(rule) },
        "help": { "text": rule.docs(), "markdown": rule.docs() },
        "defaultConfiguration": {
            "level": level(rule.severity()),
            "enabled": rule.default_enabled(),
        },
        "properties": properties,
    });
    // A policy rule's docs are its policy file's: no page on the site.
    if let Some(page) = rule_page(rule.name()) {
        descriptor["helpUri"] = json!(page);
    }
    descriptor
}

/// Tags: the category, `security` for security categories (GitHub files those under security),
/// and the related CIS, NIST SP 800-190 and CWE ids; CWE in GitHub's `external/cwe/cwe-N` form.
fn tags(rule: &RuleRef) -> Vec<String> {
    let mut tags = vec![rule.category().as_str().to_string()];
    if is_security(rule.category()) {
        tags.push("security".to_string());
    }
    for id in rule.related() {
        if let Some(number) = id.strip_prefix("cwe:") {
            tags.push(format!("external/cwe/cwe-{number}"));
        } else if id.starts_with("cis:") || id.starts_with("nist-800-190:") {
            tags.push(id.to_string());
        }
    }
    tags
}

fn is_security(category: Category) -> bool {
    matches!(
        category,
        Category::Provenance
            | Category::Privilege
            | Category::Secrets
            | Category::Isolation
            | Category::Network
    )
}

/// GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, else low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "3.0",
        Severity::Style => "1.0",
    }
}

/// The "What it does" section of the rule's docs as one paragraph, else the summary.
fn full_description(rule: &RuleRef) -> String {
    let section = rule
        .docs()
        .split("\n## ")
        .find_map(|part| part.strip_prefix("What it does"))
        .map(|body| body.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    if section.is_empty() {
        rule.summary().to_string()
    } else {
        section
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

fn message_text(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{message}\nhelp: {help}"),
        None => message.to_string(),
    }
}

fn physical_location(source: &SourceFile, span: Span) -> Value {
    json!({
        "artifactLocation": artifact_location(&source.path),
        "region": sarif_region(source, span),
    })
}

fn sarif_region(source: &SourceFile, span: Span) -> Value {
    let (start, end) = region(source, span, Columns::Utf16);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn sarif_fix(source: &SourceFile, fix: &Fix) -> Option<Value> {
    if fix.edits.is_empty() {
        return None;
    }
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|edit| {
            json!({
                "deletedRegion": sarif_region(source, edit.span),
                "insertedContent": { "text": edit.replacement },
            })
        })
        .collect();
    Some(json!({
        "description": { "text": fix.message },
        "artifactChanges": [{
            "artifactLocation": artifact_location(&source.path),
            "replacements": replacements,
        }],
    }))
}

/// A relative path against `%SRCROOT%` (the repository root for code scanning), or a `file://`
/// URI for an absolute path.
fn artifact_location(path: &Path) -> Value {
    let portable = portable_path(path);
    if path.is_absolute() {
        let rooted = if portable.starts_with('/') {
            portable
        } else {
            format!("/{portable}")
        };
        json!({ "uri": format!("file://{}", percent_encode(&rooted)) })
    } else {
        json!({ "uri": percent_encode(&portable), "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encode everything but unreserved characters, `/` and the sub-delimiters that are safe
/// in a path (a `:` is encoded: in a relative reference it would read as a scheme).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Format, render_to_string, sample_results};

    #[test]
    fn snapshot() {
        let options = Options {
            exit_code: 2,
            ..Options::default()
        };
        let out = render_to_string(Format::Sarif, &sample_results(), options);
        // The rule catalogue is long and covered by its own test; keep the snapshot readable.
        let mut value: Value = serde_json::from_str(&out).unwrap();
        let rules = value["runs"][0]["tool"]["driver"]["rules"].take();
        assert_eq!(rules.as_array().unwrap().len(), rules::all().len());
        // Indexes move as rules are added; `rule_metadata_comes_from_the_declaration` checks them.
        for result in value["runs"][0]["results"].as_array_mut().unwrap() {
            let index = result.as_object_mut().unwrap().remove("ruleIndex");
            assert!(index.is_some_and(|index| index.is_u64()));
        }
        insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn rule_metadata_comes_from_the_declaration() {
        let value = log(&sample_results(), Options::default());
        let rules = &value["runs"][0]["tool"]["driver"]["rules"];
        let index = rules::all()
            .iter()
            .position(|rule| rule.code == "DF002")
            .unwrap();
        let latest = &rules[index];
        assert_eq!(latest["id"], "DF002");
        assert_eq!(latest["name"], "latest-tag");
        assert_eq!(latest["helpUri"], "https://plimsoll.dev/rules/latest-tag");
        assert_eq!(latest["defaultConfiguration"]["level"], "warning");
        assert!(
            latest["help"]["markdown"]
                .as_str()
                .unwrap()
                .starts_with("# latest-tag (DF002)")
        );
        assert!(
            !latest["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .contains('\n')
        );
        let tags: Vec<&str> = latest["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tag| tag.as_str().unwrap())
            .collect();
        assert_eq!(
            tags,
            ["provenance", "security", "cis:4.2", "nist-800-190:3.1.5"]
        );
        // Each result points at its rule.
        for result in value["runs"][0]["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
    }

    /// The official SARIF 2.1.0 schema, as shipped in the `serde-sarif` crate's source (found
    /// through `cargo metadata`), with the one broken regex of the published file repaired
    /// (a stray `]` in `run.language`, see ../shared/reference/integration.md section 4.1).
    fn schema() -> Value {
        // Only this platform's packages: all of them could mean downloads.
        let rustc = std::process::Command::new("rustc")
            .arg("-vV")
            .output()
            .expect("rustc runs");
        let host = String::from_utf8_lossy(&rustc.stdout)
            .lines()
            .find_map(|line| line.strip_prefix("host: ").map(str::to_string))
            .expect("rustc names its host");
        let output = std::process::Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--locked", "--offline"])
            .args(["--filter-platform", &host])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
        let manifest = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|package| package["name"] == "serde-sarif")
            .expect("serde-sarif is a dev-dependency")["manifest_path"]
            .as_str()
            .unwrap()
            .to_string();
        let path = Path::new(&manifest).with_file_name("src/schema.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let broken = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
        assert!(text.contains(broken), "the schema changed: drop the repair");
        serde_json::from_str(&text.replace(broken, "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$")).unwrap()
    }

    fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
        validator
            .iter_errors(document)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect()
    }

    /// The real rules on the example projects in examples/ (every rule enabled).
    fn examples() -> Results {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let discovery = crate::workspace::discover::discover(&[root], None);
        let settings =
            crate::linter::engine::Settings::from_selectors(&["all".to_string()], &[], &[]);
        let results = crate::workspace::runner::run(
            &discovery.files,
            None,
            crate::workspace::runner::RunOptions::default(),
            |source, workspace| crate::linter::engine::check_in(source, &settings, workspace),
        )
        .unwrap();
        assert!(results.finding_count() > 10, "the examples have findings");
        results
    }

    #[test]
    fn valid_against_the_official_schema() {
        let schema = schema();
        assert_eq!(
            schema["$id"],
            "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
        );
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let empty = Results::default();
        for (results, exit_code) in [(sample_results(), 2), (empty, 0), (examples(), 1)] {
            let options = Options {
                exit_code,
                ..Options::default()
            };
            let out = render_to_string(Format::Sarif, &results, options);
            let document: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(schema_errors(&validator, &document), Vec::<String>::new());
            // And it reads back as typed SARIF.
            let typed: serde_sarif::sarif::Sarif = serde_json::from_str(&out).unwrap();
            assert_eq!(typed.runs.len(), 1);
        }
        // The validator does catch mistakes.
        let mut broken = log(&sample_results(), Options::default());
        broken["runs"][0]["results"][0]["level"] = json!("fatal");
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            json!(0);
        assert_eq!(schema_errors(&validator, &broken).len(), 2);
    }

    #[test]
    fn uris() {
        assert_eq!(
            artifact_location(Path::new("deploy/compose, prod.yaml")),
            json!({"uri": "deploy/compose,%20prod.yaml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location(Path::new("a:b/é#?.yml"))["uri"],
            "a%3Ab/%C3%A9%23%3F.yml"
        );
        if cfg!(unix) {
            assert_eq!(
                artifact_location(Path::new("/src/Dockerfile")),
                json!({"uri": "file:///src/Dockerfile"})
            );
        }
    }
}
