//! Meta-tests for the project's own rule conventions (in the spirit of clippy's): every rule is
//! declared once, registered, documented with the fixed headings, exemplified and fixtured, and
//! docs/rules.md is generated from the declarations. Each failure names exactly what is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use plimsoll::rule::{Check, Rule, Target};
use plimsoll::rules;

const HEADINGS: [&str; 7] = [
    "What it does",
    "Why is this bad",
    "Example",
    "Use instead",
    "Fix safety",
    "Options",
    "References",
];

/// Prefixes allowed in `related` ids.
const RELATED_PREFIXES: &[&str] = &[
    "hadolint",
    "buildkit",
    "kics",
    "checkov",
    "trivy",
    "dclint",
    "compose-lint",
    "semgrep",
    "scout",
    "dockle",
    "cis",
    "nist-800-190",
    "cwe",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `latest-tag` → `latest_tag`: the stem of the rule's `.rs` and `.md` files.
fn file_stem(rule: &Rule) -> String {
    rule.name.replace('-', "_")
}

fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && name.as_bytes()[0].is_ascii_lowercase()
}

fn fail_if_any(what: &str, failures: Vec<String>) {
    assert!(failures.is_empty(), "{what}:\n{}", failures.join("\n"));
}

#[test]
fn codes_and_names_are_unique() {
    let mut failures = Vec::new();
    let mut codes: BTreeMap<&str, &str> = BTreeMap::new();
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for rule in rules::all() {
        if let Some(other) = codes.insert(rule.code, rule.name) {
            failures.push(format!(
                "code {} is used by both `{other}` and `{}`",
                rule.code, rule.name
            ));
        }
        if let Some(other) = names.insert(rule.name, rule.code) {
            failures.push(format!(
                "name `{}` is used by both {other} and {}",
                rule.name, rule.code
            ));
        }
    }
    fail_if_any("rule codes and names must be unique", failures);
}

#[test]
fn declarations_follow_conventions() {
    let mut failures = Vec::new();
    for rule in rules::all() {
        let prefix = match rule.target {
            Target::Dockerfile => "DF",
            Target::Compose => "DC",
            Target::Any => "PL",
        };
        let digits = rule.code.get(2..).unwrap_or("");
        if !rule.code.starts_with(prefix)
            || digits.len() != 3
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            failures.push(format!(
                "{} (`{}`): a {:?} rule's code is `{prefix}` and three digits",
                rule.code, rule.name, rule.target
            ));
        }
        let check_matches_target = matches!(
            (rule.check, rule.target),
            (Check::Engine, _)
                | (Check::Dockerfile(_), Target::Dockerfile)
                | (Check::Compose(_), Target::Compose)
        );
        if !check_matches_target {
            failures.push(format!(
                "{} (`{}`): its check function does not match its target {:?}",
                rule.code, rule.name, rule.target
            ));
        }
        if !is_kebab_case(rule.name) {
            failures.push(format!(
                "{}: name `{}` is not kebab-case",
                rule.code, rule.name
            ));
        }
        if rule.summary.trim().is_empty() {
            failures.push(format!("{} (`{}`): empty summary", rule.code, rule.name));
        }
        if rule.summary.ends_with('.') || rule.summary.contains('\n') {
            failures.push(format!(
                "{} (`{}`): the summary is one line without a final period",
                rule.code, rule.name
            ));
        }
        for id in rule.related {
            let known = id.split_once(':').is_some_and(|(prefix, rest)| {
                RELATED_PREFIXES.contains(&prefix) && !rest.is_empty()
            });
            if !known {
                failures.push(format!(
                    "{} (`{}`): related id `{id}` is not `<tool>:<id>` with a known tool ({})",
                    rule.code,
                    rule.name,
                    RELATED_PREFIXES.join(", ")
                ));
            }
        }
    }
    // The registry lists rules in code order (the reserved `parse-error` first).
    let codes: Vec<&str> = rules::all()
        .iter()
        .filter(|rule| rule.code != rules::PARSE_ERROR.code)
        .map(|rule| rule.code)
        .collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    if codes != sorted {
        failures.push(format!(
            "rules/mod.rs: list `ALL` in code order (after PL000): {}",
            sorted.join(", ")
        ));
    }
    fail_if_any("rule declarations break the conventions", failures);
}

#[test]
fn docs_have_the_fixed_shape() {
    let mut failures = Vec::new();
    for rule in rules::all() {
        let stem = file_stem(rule);
        let title = format!("# {} ({})", rule.name, rule.code);
        if rule.docs.lines().next() != Some(title.as_str()) {
            failures.push(format!("rules/{stem}.md: first line must be `{title}`"));
        }
        let headings: Vec<&str> = rule
            .docs
            .lines()
            .filter_map(|line| line.strip_prefix("## "))
            .map(str::trim)
            .collect();
        if headings != HEADINGS {
            failures.push(format!(
                "rules/{stem}.md: headings are {headings:?}, expected exactly {HEADINGS:?} in that order"
            ));
        }
        let on_disk = root().join("rules").join(format!("{stem}.md"));
        match fs::read_to_string(&on_disk) {
            Ok(text) if text == rule.docs => {}
            Ok(_) => failures.push(format!(
                "rules/{stem}.md is not the file `{}` includes as its docs",
                rule.code
            )),
            Err(_) => failures.push(format!("rules/{stem}.md is missing for `{}`", rule.name)),
        }
        let language = match rule.target {
            Target::Dockerfile => Some("dockerfile"),
            Target::Compose => Some("yaml"),
            Target::Any => None,
        };
        for section in ["Example", "Use instead"] {
            let fences = fenced_languages(rule.docs, section);
            if fences.is_empty() {
                failures.push(format!(
                    "rules/{stem}.md: no code block under `## {section}`"
                ));
            }
            if let Some(language) = language {
                for fence in fences.iter().filter(|fence| *fence != language) {
                    failures.push(format!(
                        "rules/{stem}.md: a block under `## {section}` is ```{fence}, expected ```{language}"
                    ));
                }
            }
        }
    }
    fail_if_any("rule docs do not have the fixed shape", failures);
}

/// The language tags of the fenced blocks under `## {section}`.
fn fenced_languages(docs: &str, section: &str) -> Vec<String> {
    let mut languages = Vec::new();
    let mut in_section = false;
    let mut in_block = false;
    for line in docs.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("```") {
            if !in_block && in_section {
                languages.push(rest.trim().to_string());
            }
            in_block = !in_block;
            continue;
        }
        if !in_block && let Some(title) = line.strip_prefix("## ") {
            in_section = title.trim() == section;
        }
    }
    languages
}

#[test]
fn every_checked_rule_has_fixtures() {
    let mut failures = Vec::new();
    for rule in rules::all() {
        if matches!(rule.check, Check::Engine) {
            continue;
        }
        let dir = root().join("tests/fixtures/rules").join(rule.name);
        let has_files = fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).any(|e| e.path().is_file()))
            .unwrap_or(false);
        if !has_files {
            failures.push(format!(
                "tests/fixtures/rules/{}/ is missing or empty ({})",
                rule.name, rule.code
            ));
        }
    }
    fail_if_any("rules without fixtures", failures);
}

/// Every `rules/*.rs` is mounted with a `mod` line; every file that declares a `Rule` is listed in
/// `ALL`; every `rules/*.md` belongs to a rule.
#[test]
fn every_rule_file_is_registered() {
    let mut failures = Vec::new();
    let dir = root().join("rules");
    let registry = fs::read_to_string(dir.join("mod.rs")).expect("rules/mod.rs exists");
    let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("rules/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let doc_stems: Vec<String> = rules::all().iter().map(|rule| file_stem(rule)).collect();
    for path in &entries {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("rs") if stem != "mod" => {
                if !registry
                    .lines()
                    .any(|line| line.trim() == format!("mod {stem};"))
                {
                    failures.push(format!(
                        "rules/mod.rs: add `mod {stem};` for rules/{stem}.rs"
                    ));
                }
                let text = fs::read_to_string(path).unwrap_or_default();
                if text.contains(": Rule = Rule {") {
                    let code = declared_code(&text);
                    let registered = code
                        .as_deref()
                        .and_then(rules::find)
                        .is_some_and(|rule| file_stem(rule) == stem);
                    if !registered {
                        failures.push(format!(
                            "rules/{stem}.rs declares rule {} but it is not in `ALL` in rules/mod.rs \
                             (or its name does not match the file name)",
                            code.as_deref().unwrap_or("<no code>")
                        ));
                    }
                }
            }
            Some("md") if !doc_stems.iter().any(|s| s == stem) => {
                failures.push(format!("rules/{stem}.md belongs to no registered rule"));
            }
            _ => {}
        }
    }
    fail_if_any("rule files are not registered", failures);
}

/// A rule file never imports another rule file, so any one rule can be deleted alone: what rules
/// share lives in a helper module under rules/ that declares no rule (`support`, `build_support`,
/// …) or in the model under src/.
#[test]
fn no_rule_imports_another_rule() {
    let rule_stems: BTreeSet<String> = rules::all().iter().map(|rule| file_stem(rule)).collect();
    let mut failures = Vec::new();
    for stem in &rule_stems {
        let Ok(text) = fs::read_to_string(root().join("rules").join(format!("{stem}.rs"))) else {
            // A missing file is reported by `every_rule_file_is_registered`.
            continue;
        };
        for (line, module) in module_paths(&text) {
            if module != *stem && rule_stems.contains(&module) {
                failures.push(format!(
                    "rules/{stem}.rs:{line} imports the rule module `{module}`: move what they \
                     share to a helper module (rules/support.rs, rules/build_support.rs, a new \
                     one under rules/) or to the model under src/"
                ));
            }
        }
    }
    fail_if_any("rule files import other rule files", failures);
}

/// The first segment after every `super::` and `crate::rules::` in `text` (each name of a
/// `super::{a, b::c}` group), with its 1-based line. Comments are skipped.
fn module_paths(text: &str) -> Vec<(usize, String)> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    for prefix in ["super::", "crate::rules::"] {
        for (at, _) in code.match_indices(prefix) {
            let line = code[..at].matches('\n').count() + 1;
            let rest = code[at + prefix.len()..].trim_start();
            match rest.strip_prefix('{') {
                Some(group) => {
                    let group = group.split('}').next().unwrap_or_default();
                    for item in group.split(',') {
                        let name = item.trim().split("::").next().unwrap_or_default();
                        let name = name.split_whitespace().next().unwrap_or_default();
                        if !name.is_empty() {
                            found.push((line, name.to_string()));
                        }
                    }
                }
                None => {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push((line, name));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn module_paths_name_every_imported_module() {
    let text = "use super::support::part_span;\n\
                use super::{build_support::closest, workdir_relative};\n\
                // use super::commented_out::x;\n\
                let x = crate::rules::latest_tag::check;\n";
    let names: Vec<(usize, String)> = module_paths(text);
    let names: Vec<(usize, &str)> = names.iter().map(|(l, n)| (*l, n.as_str())).collect();
    assert_eq!(
        names,
        [
            (1, "support"),
            (2, "build_support"),
            (2, "workdir_relative"),
            (4, "latest_tag"),
        ]
    );
}

/// The `code: "…"` of a rule declaration.
fn declared_code(text: &str) -> Option<String> {
    let start = text.find("code: \"")? + "code: \"".len();
    let rest = text.get(start..)?;
    Some(rest.get(..rest.find('"')?)?.to_string())
}

/// The rule index, generated from the declarations.
fn rules_index() -> String {
    let mut sorted: Vec<&Rule> = rules::all().to_vec();
    sorted.sort_by_key(|rule| rule.code);
    let mut out = String::from(
        "# Rules\n\n\
         <!-- Generated from the rule declarations in rules/*.rs; do not edit by hand.\n     \
         Regenerate with `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta`. -->\n\n\
         | Code | Name | Category | Severity | Default | Summary |\n\
         |---|---|---|---|---|---|\n",
    );
    for rule in sorted {
        out.push_str(&format!(
            "| {} | [{}](../rules/{}.md) | {} | {} | {} | {} |\n",
            rule.code,
            rule.name,
            file_stem(rule),
            rule.category,
            rule.severity,
            if rule.default_enabled { "on" } else { "off" },
            rule.summary.replace('|', "\\|"),
        ));
    }
    out
}

#[test]
fn rules_index_is_up_to_date() {
    let path: &Path = &root().join("docs/rules.md");
    let generated = rules_index();
    if std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some() {
        fs::create_dir_all(path.parent().expect("docs/ has a parent")).expect("create docs/");
        fs::write(path, &generated).expect("write docs/rules.md");
        return;
    }
    let committed = fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta`"
    );
}
