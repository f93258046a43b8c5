//! Meta-tests for the project's own rule conventions (in the spirit of clippy's): every rule is
//! declared once with only what differs from `Rule::DEFAULTS`, registered (the registry in
//! rules/mod.rs is generated from rules/*.rs), documented with the fixed headings, exemplified,
//! fixtured and snapshotted (a page may say where it parts from a peer in `## Differences from
//! <peer>` sections after `## Use instead`), and docs/rules.md is generated from the declarations. Each failure
//! names exactly what is missing; `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta` writes
//! the registry and docs/rules.md.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use plimsoll::linter::rule::{Check, Rule, Target};
use plimsoll::linter::rules;

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
    "tally",
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
        let all_headings: Vec<&str> = rule
            .docs
            .lines()
            .filter_map(|line| line.strip_prefix("## "))
            .map(str::trim)
            .collect();
        // Optional `## Differences from <peer>` sections, right after `## Use instead`, say
        // where the rule deliberately parts from a peer's check (for a migrating user).
        let mut headings = Vec::new();
        for heading in &all_headings {
            match heading.strip_prefix("Differences from ") {
                Some(peer) => {
                    if !RELATED_PREFIXES.contains(&peer) {
                        failures.push(format!(
                            "rules/{stem}.md: `## {heading}` names no known peer ({RELATED_PREFIXES:?})"
                        ));
                    }
                    if headings.last() != Some(&"Use instead") {
                        failures.push(format!(
                            "rules/{stem}.md: `## {heading}` must follow `## Use instead` (or another difference section)"
                        ));
                    }
                }
                None => headings.push(*heading),
            }
        }
        if headings != HEADINGS {
            failures.push(format!(
                "rules/{stem}.md: headings are {all_headings:?}, expected exactly {HEADINGS:?} in that order (with optional `Differences from <peer>` sections after `Use instead`)"
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
                // `context`, `dockerignore` and `config` blocks describe the build context the next block runs
                // in (tests/rule_docs.rs).
                for fence in fences.iter().filter(|fence| {
                    *fence != language
                        && !matches!(fence.as_str(), "context" | "dockerignore" | "config")
                }) {
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
        let snapshot = format!("tests/snapshots/fixtures__{}.snap", rule.name);
        if has_files && !root().join(&snapshot).is_file() {
            failures.push(format!(
                "{snapshot} is missing ({}): record it with \
                 `INSTA_UPDATE=always cargo test --test rule_fixtures` and review it",
                rule.code
            ));
        }
    }
    fail_if_any("rules without fixtures", failures);
}

/// A rule declaration, read from the text of `rules/<stem>.rs`.
struct Declaration {
    stem: String,
    /// 1-based line of `pub static NAME: Rule = Rule {`.
    line: usize,
    /// The static: `LATEST_TAG`.
    ident: String,
    code: Option<String>,
    /// The lines between `Rule {` and the closing `};`.
    body: Vec<String>,
}

const REGISTRY_BEGIN: &str = "// BEGIN GENERATED REGISTRY\n";
const REGISTRY_END: &str = "// END GENERATED REGISTRY\n";
const UPDATE_COMMAND: &str = "PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta";

/// The stems of `rules/*.rs` (but `mod`), sorted, with their text.
fn rule_sources() -> Vec<(String, String)> {
    let mut sources: Vec<(String, String)> = fs::read_dir(root().join("rules"))
        .expect("rules/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| {
            let stem = path.file_stem()?.to_str()?.to_string();
            let text = fs::read_to_string(&path).ok()?;
            (stem != "mod").then_some((stem, text))
        })
        .collect();
    sources.sort();
    sources
}

/// The rule declarations of one file, and the problems of their shape.
fn declarations(stem: &str, text: &str) -> (Vec<Declaration>, Vec<String>) {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if !line.contains(": Rule = Rule {") {
            continue;
        }
        let ident = line
            .strip_prefix("pub static ")
            .and_then(|rest| rest.strip_suffix(": Rule = Rule {"))
            .filter(|ident| !ident.is_empty() && !ident.contains(' '));
        let Some(ident) = ident else {
            failures.push(format!(
                "rules/{stem}.rs:{}: declare a rule as `pub static NAME: Rule = Rule {{` at the \
                 start of a line, so the registry finds it",
                index + 1
            ));
            continue;
        };
        let body: Vec<String> = lines[index + 1..]
            .iter()
            .take_while(|line| **line != "};")
            .map(|line| (*line).to_string())
            .collect();
        found.push(Declaration {
            stem: stem.to_string(),
            line: index + 1,
            ident: ident.to_string(),
            code: declared_code(&body.join("\n")),
            body,
        });
    }
    if found.len() > 1 {
        failures.push(format!(
            "rules/{stem}.rs declares {} rules: one rule per file",
            found.len()
        ));
    }
    (found, failures)
}

/// Every rule declaration under rules/, and the problems of their shape.
fn all_declarations() -> (Vec<Declaration>, Vec<String>) {
    let mut all = Vec::new();
    let mut failures = Vec::new();
    for (stem, text) in rule_sources() {
        let (found, problems) = declarations(&stem, &text);
        all.extend(found);
        failures.extend(problems);
    }
    (all, failures)
}

/// The registry block of rules/mod.rs, generated from the files under rules/: every file is a
/// module, every rule is re-exported and listed in `ALL` (the reserved `parse-error` first, then
/// in code order).
fn generated_registry() -> (String, Vec<String>) {
    let (mut declared, mut failures) = all_declarations();
    for declaration in &declared {
        if declaration.code.is_none() {
            failures.push(format!(
                "rules/{}.rs:{}: `{}` has no `code: \"…\"`",
                declaration.stem, declaration.line, declaration.ident
            ));
        }
    }
    let mut by_code: BTreeMap<&str, &str> = BTreeMap::new();
    for declaration in &declared {
        if let Some(code) = declaration.code.as_deref()
            && let Some(other) = by_code.insert(code, &declaration.stem)
        {
            failures.push(format!(
                "code {code} is declared in both rules/{other}.rs and rules/{}.rs",
                declaration.stem
            ));
        }
    }
    declared.sort_by(|a, b| {
        let key = |d: &Declaration| {
            let code = d.code.clone().unwrap_or_default();
            (code != rules::PARSE_ERROR.code, code, d.ident.clone())
        };
        key(a).cmp(&key(b))
    });
    let mut out = String::from(REGISTRY_BEGIN);
    out.push_str(&format!(
        "// Generated from rules/*.rs by `{UPDATE_COMMAND}`;\n\
         // do not edit by hand. Every file is a module; every `pub static NAME: Rule` is\n\
         // re-exported and listed in `ALL`, the reserved `parse-error` first, then in code order.\n\n"
    ));
    for (stem, _) in rule_sources() {
        out.push_str(&format!("mod {stem};\n"));
    }
    out.push('\n');
    let mut by_stem: Vec<&Declaration> = declared.iter().collect();
    by_stem.sort_by(|a, b| a.stem.cmp(&b.stem));
    for declaration in by_stem {
        out.push_str(&format!(
            "pub use {}::{};\n",
            declaration.stem, declaration.ident
        ));
    }
    out.push_str("\nstatic ALL: &[&Rule] = &[\n");
    for declaration in &declared {
        out.push_str(&format!("    &{},\n", declaration.ident));
    }
    out.push_str("];\n");
    out.push_str(REGISTRY_END);
    (out, failures)
}

/// The registry in rules/mod.rs (its `mod` lines, re-exports and `ALL`) is what the files under
/// rules/ declare: adding a rule is its `.rs`, its `.md` and its fixtures, then
/// `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta` writes the registry (and docs/rules.md).
#[test]
fn registry_is_generated_from_the_rule_files() {
    let path = root().join("rules/mod.rs");
    let text = fs::read_to_string(&path).expect("rules/mod.rs exists");
    let (generated, mut failures) = generated_registry();
    let block = text.find(REGISTRY_BEGIN).and_then(|start| {
        let end = start + text[start..].find(REGISTRY_END)? + REGISTRY_END.len();
        Some((start, end))
    });
    let Some((start, end)) = block else {
        panic!("rules/mod.rs: the lines `{REGISTRY_BEGIN}` … `{REGISTRY_END}` are missing");
    };
    let current = &text[start..end];
    if current != generated && failures.is_empty() {
        if std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some() {
            fs::write(
                &path,
                format!("{}{generated}{}", &text[..start], &text[end..]),
            )
            .expect("write rules/mod.rs");
            panic!(
                "rules/mod.rs: the registry was regenerated; run `{UPDATE_COMMAND}` again so the \
                 new registry compiles and docs/rules.md is generated from it"
            );
        }
        let wanted: BTreeSet<&str> = generated.lines().collect();
        let present: BTreeSet<&str> = current.lines().collect();
        for line in wanted.difference(&present) {
            failures.push(format!(
                "rules/mod.rs: the registry lacks `{}`",
                line.trim()
            ));
        }
        for line in present.difference(&wanted) {
            failures.push(format!(
                "rules/mod.rs: the registry has `{}`, which rules/ does not declare",
                line.trim()
            ));
        }
        if failures.is_empty() {
            failures.push("rules/mod.rs: the registry is out of order".into());
        }
        failures.push(format!("regenerate it with `{UPDATE_COMMAND}`"));
    }
    fail_if_any("the rule registry is not generated from rules/", failures);
}

/// The fields every declaration sets: `Rule::DEFAULTS` holds placeholders for them.
const REQUIRED_FIELDS: [&str; 8] = [
    "code", "name", "summary", "target", "category", "severity", "docs", "check",
];

/// The fields `Rule::DEFAULTS` fills, with their default values as written.
const DEFAULT_FIELDS: [(&str, &str); 6] = [
    ("default_enabled", "true"),
    ("fix", "FixAvailability::None"),
    ("status", "Status::Stable"),
    ("since", "\"0.1.0\""),
    ("related", "&[]"),
    ("options", "&[]"),
];

/// Each declaration sets the required fields and only those others that differ from
/// `Rule::DEFAULTS`, which it ends with.
#[test]
fn declarations_spell_out_only_what_differs() {
    let (declared, mut failures) = all_declarations();
    for declaration in &declared {
        let place = format!("rules/{}.rs:{}", declaration.stem, declaration.line);
        let fields: Vec<(&str, &str)> = declaration
            .body
            .iter()
            .filter(|line| !line.starts_with("     "))
            .filter_map(|line| line.strip_prefix("    ")?.split_once(": "))
            .map(|(field, value)| (field, value.trim_end_matches(',')))
            .collect();
        for required in REQUIRED_FIELDS {
            if !fields.iter().any(|(field, _)| *field == required) {
                failures.push(format!(
                    "{place}: `{}` does not set `{required}` (Rule::DEFAULTS only holds a placeholder)",
                    declaration.ident
                ));
            }
        }
        for (field, value) in &fields {
            if DEFAULT_FIELDS.contains(&(*field, *value)) {
                failures.push(format!(
                    "{place}: `{}` sets `{field}: {value}`, the default: remove the line",
                    declaration.ident
                ));
            }
        }
        if declaration.body.last().map(|line| line.trim()) != Some("..Rule::DEFAULTS") {
            failures.push(format!(
                "{place}: end `{}` with `..Rule::DEFAULTS`",
                declaration.ident
            ));
        }
    }
    fail_if_any(
        "rule declarations repeat defaults or leave out required fields",
        failures,
    );
}

/// Each rule lives in the file named after it; every `rules/*.md` belongs to a rule.
#[test]
fn rule_files_are_named_after_their_rule() {
    let mut failures = Vec::new();
    let (declared, _) = all_declarations();
    for declaration in &declared {
        // An unregistered or code-less declaration is reported by the registry test.
        let Some(rule) = declaration.code.as_deref().and_then(rules::find) else {
            continue;
        };
        if file_stem(rule) != declaration.stem {
            failures.push(format!(
                "rules/{}.rs declares `{}` ({}): name the file rules/{}.rs",
                declaration.stem,
                rule.name,
                rule.code,
                file_stem(rule)
            ));
        }
    }
    let doc_stems: BTreeSet<String> = rules::all().iter().map(|rule| file_stem(rule)).collect();
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("rules"))
        .expect("rules/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    for path in docs {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if !doc_stems.contains(stem) {
            failures.push(format!("rules/{stem}.md belongs to no registered rule"));
        }
    }
    fail_if_any("rule files are not named after their rule", failures);
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

/// The first segment after every `super::` and `crate::linter::rules::` in `text` (each name of a
/// `super::{a, b::c}` group), with its 1-based line. Comments are skipped.
fn module_paths(text: &str) -> Vec<(usize, String)> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    for prefix in ["super::", "crate::linter::rules::"] {
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
                let x = crate::linter::rules::latest_tag::check;\n";
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
    if committed == generated {
        return;
    }
    // Name the rules whose row is missing or stale, and the rows no rule generates.
    let mut failures = Vec::new();
    let rows: BTreeSet<&str> = committed.lines().collect();
    for rule in rules::all() {
        let prefix = format!("| {} | [{}]", rule.code, rule.name);
        let row = generated.lines().find(|line| line.starts_with(&prefix));
        if row.is_some_and(|row| !rows.contains(row)) {
            let what = if rows.iter().any(|line| line.starts_with(&prefix)) {
                "a stale row"
            } else {
                "no row"
            };
            failures.push(format!(
                "docs/rules.md has {what} for `{}` ({})",
                rule.name, rule.code
            ));
        }
    }
    let wanted: BTreeSet<&str> = generated.lines().collect();
    for row in rows.difference(&wanted) {
        let known = rules::all()
            .iter()
            .any(|rule| row.starts_with(&format!("| {} | [{}]", rule.code, rule.name)));
        if !known {
            failures.push(format!(
                "docs/rules.md has `{row}`, which no rule generates"
            ));
        }
    }
    if failures.is_empty() {
        failures.push("docs/rules.md differs from its generated text".into());
    }
    failures.push(format!("regenerate it with `{UPDATE_COMMAND}`"));
    fail_if_any("docs/rules.md is stale", failures);
}
