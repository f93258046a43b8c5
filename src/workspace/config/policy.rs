//! Policy files (`*.yaml` in `.plimsoll/policies/` and the config's `policies:` directories):
//! read with the config reader (same spanned YAML tree, same error and type helpers) into
//! [`PolicyRule`]s, each a shared [`RuleRef::Policy`] whose check instantiates a template.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, OptionValue, Rule, Target};
use crate::linter::rule::{PolicyRuleDecl, RuleRef};
use crate::linter::rules;
use crate::policies::template::{
    CommandPattern, Condition, ImagePolicy, InstructionTarget, PolicyExample, PolicyRule, Template,
    TemplateCheck, parse_comparison,
};
use crate::syntax::dockerfile::Keyword;
use crate::syntax::source::{FileKind, SourceFile};
use crate::syntax::span::Span;
use crate::syntax::yaml::{self, Node};
use crate::workspace::runner::read_config_text;

use super::ConfigError;
use super::parse::Reader;
use crate::linter::selection::closest;

/// The policy directory looked for next to every config file.
pub const DEFAULT_DIR: &str = ".plimsoll/policies";
/// The first component of [`DEFAULT_DIR`]: a directory without it has no policy directory.
pub const DEFAULT_DIR_PARENT: &str = ".plimsoll";

/// The top-level keys of a policy file.
pub const FILE_KEYS: &[(&str, &str)] = &[("rules", "The rules this policy file declares")];

/// The keys of one policy rule.
pub const POLICY_RULE_KEYS: &[(&str, &str)] = &[
    (
        "code",
        "Stable code: letters then digits (`ORG001`); `DF`, `DC` and `PL` are reserved",
    ),
    ("name", "Readable kebab-case name, unique across all rules"),
    ("summary", "One line: what the rule flags"),
    ("category", "The rule's category"),
    ("severity", "The severity of its findings"),
    (
        "message",
        "The finding message; `{placeholders}` are filled from the match",
    ),
    ("docs", "Markdown shown by `plimsoll rule CODE`"),
    (
        "enabled",
        "Whether the rule runs without being selected (default true)",
    ),
    (
        "template",
        "The check: `builtin:<rule>`, `compose-field`, `dockerfile-instruction`, `run-command` or `image`",
    ),
    ("options", "The template's options"),
    (
        "examples",
        "`bad` and `good` examples, run by `plimsoll test`",
    ),
];

/// The general templates (besides `builtin:<rule>`), with their option keys.
pub const TEMPLATES: &[(&str, &[(&str, &str)])] = &[
    (
        "compose-field",
        &[
            (
                "path",
                "Keys from each service down, dot-separated: `deploy.resources.limits.memory`",
            ),
            ("absent", "`true`: the field must not be set"),
            ("present", "`true`: the field must be set"),
            ("equals", "The field must have this value"),
            ("one-of", "The field must have one of these values"),
            ("matches", "The field must match this regex"),
            (
                "compare",
                "A numeric or size comparison the field must meet: `<= 2g`, `> 0.5`",
            ),
            (
                "allow-absent",
                "A service without the field passes (default false)",
            ),
        ],
    ),
    (
        "dockerfile-instruction",
        &[
            ("mode", "`required` (default) or `forbidden`"),
            ("scope", "`final-stage` (default) or `every-stage`"),
            (
                "instruction",
                "An instruction keyword (`HEALTHCHECK`); with `flag`, the instructions the flag is about",
            ),
            ("flag", "A flag such as `--platform`"),
            ("label", "A LABEL key"),
            (
                "value",
                "A regex the LABEL value must match (required) or that forbids it",
            ),
        ],
    ),
    (
        "run-command",
        &[
            ("mode", "`forbidden` (default) or `required`"),
            (
                "program",
                "The command name (`curl`), as seen through sudo, env and similar wrappers",
            ),
            ("subcommand", "The first non-flag argument (`install`)"),
            ("flags", "Any of these flags (`-k`, `--insecure`)"),
            ("argument", "A regex some argument must match"),
        ],
    ),
    (
        "image",
        &[
            (
                "allowed",
                "Reference patterns allowed (`registry.acme.internal/*`, `*.acme.internal`); empty allows all",
            ),
            ("denied", "Reference patterns denied"),
            ("tag", "A regex the tag must match (no tag is `latest`)"),
            ("require-digest", "References must be pinned by digest"),
        ],
    ),
];

const EXAMPLE_KEYS: &[(&str, &str)] = &[
    ("bad", "Examples that must produce a finding"),
    ("good", "Examples that must produce none"),
];

const EXAMPLE_ITEM_KEYS: &[(&str, &str)] = &[
    ("kind", "`dockerfile` or `compose` (inferred when left out)"),
    ("text", "The file's content"),
];

/// Load every policy file in `dirs` (missing directories are skipped). Errors are appended to
/// `errors`; rules of a file with errors are dropped.
pub fn load_dirs<'d>(
    cache: &mut PolicyCache,
    dirs: impl Iterator<Item = &'d Path>,
    errors: &mut Vec<ConfigError>,
) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut seen_dirs: Vec<&Path> = Vec::new();
    for dir in dirs {
        if seen_dirs.contains(&dir) {
            continue;
        }
        seen_dirs.push(dir);
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<std::path::PathBuf> =
            entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        let has_ext = |path: &Path, exts: &[&str]| {
            path.extension()
                .is_some_and(|e| exts.iter().any(|ext| e == *ext))
        };
        // A policy file that is not a regular file in this tree (a FIFO, a link out of the
        // repository) is never opened; it is an error here, for `.rego` files too.
        let mut refused = Vec::new();
        for path in paths.iter().filter(|p| !p.is_dir()) {
            if has_ext(path, &["yaml", "yml", "rego"])
                && let Err(reason) = crate::workspace::runner::check_referenced(path)
            {
                errors.push(ConfigError::file(
                    path,
                    format!("cannot read policy file: {reason}"),
                ));
                refused.push(path.clone());
            }
        }
        let files: Vec<_> = paths
            .into_iter()
            .filter(|p| has_ext(p, &["yaml", "yml"]) && p.is_file() && !refused.contains(p))
            .collect();
        for path in files {
            match crate::workspace::runner::read_config_text(&path, false) {
                Ok(text) => {
                    let rules = parse_file_cached(&mut cache.files, &path, text, &out, errors);
                    out.extend(rules);
                }
                Err(reason) => errors.push(ConfigError::file(
                    &path,
                    format!("cannot read policy file: {reason}"),
                )),
            }
        }
        // The directory's `.rego` files, compiled together. Their errors are findings on the
        // policy files (PL002), not config errors: the other rules still run.
        let taken: Vec<(&str, &str)> = out.iter().map(|p| (p.rule.code(), p.rule.name())).collect();
        let files = rego_files(dir);
        if let Some((_, rules)) =
            crate::policies::rego::load_dir(&mut cache.rego, dir, files, &taken)
        {
            out.extend(rules);
        }
    }
    out
}

/// The `.rego` files of `dir`, sorted (none when it cannot be read).
pub fn rego_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rego"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = read_config_text(&path, false).ok()?;
            Some((path, text))
        })
        .collect()
}

/// Policy files already turned into rules, by path and content: a long-running process (the
/// language server) reloading an unchanged file reuses its rules instead of parsing it again.
type Cache = std::collections::HashMap<(std::path::PathBuf, String), CachedFile>;

/// The rules of one policy file, and whether a config loaded since the last sweep used them.
#[derive(Debug)]
struct CachedFile {
    rules: Vec<PolicyRule>,
    used: bool,
}

/// The policies a run or an editor session loaded (policy files turned into rules, compiled
/// Rego sets), owned by its config resolver and carried over when the language server reloads
/// its configs.
#[derive(Debug, Default)]
pub struct PolicyCache {
    files: Cache,
    pub rego: crate::policies::rego::SetCache,
}

impl PolicyCache {
    /// Drop what no config loaded since the last sweep used, and start counting again: called
    /// when the language server reloads its configs, so a day of policy edits keeps only the
    /// policies of the configs in effect (what a reload may reuse), never every version.
    pub(crate) fn sweep(&mut self) {
        self.files.retain(|_, file| std::mem::take(&mut file.used));
        self.rego.sweep();
    }
}

/// [`parse_file`], reusing the rules of an unchanged file that parsed cleanly before (when they
/// still do not clash with `known`).
fn parse_file_cached(
    cache: &mut Cache,
    path: &Path,
    text: String,
    known: &[PolicyRule],
    errors: &mut Vec<ConfigError>,
) -> Vec<PolicyRule> {
    let key = (path.to_path_buf(), text);
    let clashes = |rules: &[PolicyRule]| {
        rules.iter().any(|rule| {
            known.iter().any(|k| {
                k.rule.code().eq_ignore_ascii_case(rule.rule.code())
                    || k.rule.name() == rule.rule.name()
            })
        })
    };
    if let Some(file) = cache.get_mut(&key)
        && !clashes(&file.rules)
    {
        file.used = true;
        return file.rules.clone();
    }
    let before = errors.len();
    let rules = parse_file(path, &key.1, known, errors);
    if errors.len() == before {
        let file = CachedFile {
            rules: rules.clone(),
            used: true,
        };
        cache.insert(key, file);
    }
    rules
}

/// Parse one policy file; `known` are the policy rules loaded before it (for uniqueness).
pub fn parse_file(
    path: &Path,
    text: &str,
    known: &[PolicyRule],
    errors: &mut Vec<ConfigError>,
) -> Vec<PolicyRule> {
    let source = SourceFile::new(path, text, FileKind::Compose);
    let mut reader = Reader {
        source: &source,
        dir: path.parent().unwrap_or(Path::new("/")).to_path_buf(),
        errors: Vec::new(),
        policies: Vec::new(),
    };
    let mut out: Vec<PolicyRule> = Vec::new();
    let tree = yaml::parse(text);
    for error in &tree.errors {
        reader.error(error.span, format!("invalid YAML: {}", error.message));
    }
    for duplicate in &tree.duplicate_keys {
        reader.error(
            duplicate.duplicate,
            format!("duplicate key `{}`", super::parse::excerpt(&duplicate.key)),
        );
    }
    if let Some(root) = tree.documents.first().filter(|r| !r.is_null())
        && let Some(entries) = reader.mapping(root, "a policy file")
    {
        for entry in entries {
            if reader.key(entry, FILE_KEYS, "policy file key").is_none() || entry.value.is_null() {
                continue;
            }
            let Some(items) = entry.value.as_sequence() else {
                reader.error(entry.value.span, "`rules` must be a list of rules");
                continue;
            };
            for item in items {
                let mut taken: Vec<(&str, &str)> = known
                    .iter()
                    .chain(&out)
                    .map(|p| (p.rule.code(), p.rule.name()))
                    .collect();
                taken.extend(rules::all().iter().map(|r| (r.code, r.name)));
                if let Some(rule) = policy_rule(&mut reader, item, &taken) {
                    out.push(rule);
                }
            }
        }
    }
    if reader.errors.is_empty() {
        out
    } else {
        reader.errors.sort_by_key(|e| e.span.map(|s| s.start));
        super::parse::cap_errors(&mut reader.errors);
        errors.append(&mut reader.errors);
        Vec::new()
    }
}

fn is_code(code: &str) -> bool {
    let letters = code.chars().take_while(char::is_ascii_alphabetic).count();
    letters > 0
        && letters < code.len()
        && code
            .get(letters..)
            .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
}

fn is_kebab(name: &str) -> bool {
    name.split('-').all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    }) && name.starts_with(|c: char| c.is_ascii_lowercase())
}

/// One entry of `rules:`.
fn policy_rule(reader: &mut Reader<'_>, item: &Node, taken: &[(&str, &str)]) -> Option<PolicyRule> {
    let entries = reader.mapping(item, "a policy rule")?;
    let before = reader.errors.len();
    let mut code = None;
    let mut name = None;
    let mut summary = None;
    let mut category = None;
    let mut severity = Severity::Warning;
    let mut message = None;
    let mut docs = String::new();
    let mut enabled = true;
    let mut template: Option<(String, Span)> = None;
    let mut options: Option<&Node> = None;
    let mut examples: Option<&Node> = None;
    for entry in entries {
        let Some(key) = reader.key(entry, POLICY_RULE_KEYS, "policy rule key") else {
            continue;
        };
        let value = &entry.value;
        match key {
            "code" => {
                if let Some(text) = reader.string(value) {
                    let upper = text.to_ascii_uppercase();
                    if !is_code(&text) {
                        reader.error(
                            value.span,
                            format!(
                                "rule code `{text}` must be letters then digits, like `ORG001`"
                            ),
                        );
                    } else if ["DF", "DC", "PL"].iter().any(|p| upper.starts_with(p)) {
                        reader.error(
                            value.span,
                            format!(
                                "rule code `{text}`: the prefixes `DF`, `DC` and `PL` are reserved \
                                 for built-in rules; use your own (`ORG001`)"
                            ),
                        );
                    } else if taken.iter().any(|(c, _)| c.eq_ignore_ascii_case(&text)) {
                        reader.error(value.span, format!("duplicate rule code `{text}`"));
                    } else {
                        code = Some(text);
                    }
                }
            }
            "name" => {
                if let Some(text) = reader.string(value) {
                    if !is_kebab(&text) {
                        reader.error(
                            value.span,
                            format!(
                                "rule name `{text}` must be kebab-case (`internal-registry-only`)"
                            ),
                        );
                    } else if taken.iter().any(|(_, n)| *n == text) {
                        reader.error(
                            value.span,
                            format!("rule name `{text}` is already taken by another rule"),
                        );
                    } else {
                        name = Some(text);
                    }
                }
            }
            "summary" => summary = reader.string(value),
            "category" => {
                let text = value.as_str().unwrap_or("");
                match Category::parse(text) {
                    Some(c) => category = Some(c),
                    None => {
                        let mut message = format!(
                            "unknown category `{text}` (expected one of {})",
                            Category::ALL
                                .iter()
                                .map(|c| format!("`{}`", c.as_str()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        if let Some(close) = closest(text, Category::ALL.iter().map(|c| c.as_str()))
                        {
                            message.push_str(&format!("; did you mean `{close}`?"));
                        }
                        reader.error(value.span, message);
                    }
                }
            }
            "severity" => {
                if let Some(s) = reader.severity(value) {
                    severity = s;
                }
            }
            "message" => message = reader.string(value).map(|m| (m, value.span)),
            "docs" => docs = reader.string(value).unwrap_or_default(),
            "enabled" => enabled = reader.boolean(value).unwrap_or(true),
            "template" => template = reader.string(value).map(|t| (t, value.span)),
            "options" => options = Some(value).filter(|v| !v.is_null()),
            "examples" => examples = Some(value).filter(|v| !v.is_null()),
            _ => {}
        }
    }
    for (present, key) in [
        (code.is_some(), "code"),
        (name.is_some(), "name"),
        (summary.is_some(), "summary"),
        (category.is_some(), "category"),
        (template.is_some(), "template"),
    ] {
        let written = entries.iter().any(|e| e.key.as_str() == Some(key));
        if !present && !written {
            reader.error(item.span, format!("a policy rule needs `{key}:`"));
        }
    }
    let (template_name, template_span) = template?;
    let template = self_template(reader, &template_name, template_span, options);
    if let (Some(check), Some((text, span))) = (&template, &message) {
        check_placeholders(reader, check, text, *span);
    }
    let message = message.map(|(text, _)| text);
    let examples = examples
        .map(|node| read_examples(reader, node, template.as_ref().map(TemplateCheck::target)))
        .unwrap_or_default();
    if reader.errors.len() > before {
        return None;
    }
    let (code, name, summary, category, check) = (code?, name?, summary?, category?, template?);
    let line = reader.source.position(item.span.start).line;
    let builtin_options = match &check.template {
        Template::Builtin(rule) => rule.options,
        _ => &[],
    };
    let policy_options = match (&check.template, options) {
        (Template::Builtin(rule), Some(node)) => builtin_option_values(reader, rule, node),
        _ => Vec::new(),
    };
    let target = check.target();
    let mut full_docs = format!("# {name}\n\n{summary}\n");
    if !docs.is_empty() {
        full_docs.push('\n');
        full_docs.push_str(docs.trim_end());
        full_docs.push('\n');
    }
    full_docs.push_str(&format!(
        "\nPolicy rule declared in `{}` (line {line}), template `{template_name}`.\n",
        reader.source.path.display()
    ));
    let rule = RuleRef::from(PolicyRuleDecl {
        code: code.to_ascii_uppercase(),
        name,
        summary,
        target,
        category,
        severity,
        default_enabled: enabled,
        related: Vec::new(),
        docs: full_docs,
        options: builtin_options,
        check: Box::new(TemplateCheck {
            message,
            template: check.template,
        }),
    });
    Some(PolicyRule {
        rule,
        options: policy_options,
        path: reader.source.path.clone(),
        line,
        examples,
    })
}

/// The template `name` with its options.
fn self_template(
    reader: &mut Reader<'_>,
    name: &str,
    span: Span,
    options: Option<&Node>,
) -> Option<TemplateCheck> {
    let template = if let Some(builtin) = name.strip_prefix("builtin:") {
        let Some(rule) = rules::find(builtin).filter(|r| !matches!(r.check, Check::Engine)) else {
            let mut message = format!("unknown built-in rule `{builtin}` in `template`");
            let candidates = rules::all().iter().map(|r| r.name);
            if let Some(close) = closest(builtin, candidates) {
                message.push_str(&format!("; did you mean `builtin:{close}`?"));
            }
            reader.error(span, message);
            return None;
        };
        // Options are validated (and kept) by the caller against the rule's declaration.
        Template::Builtin(rule)
    } else {
        let Some((_, keys)) = TEMPLATES.iter().find(|(t, _)| *t == name) else {
            let mut message = format!(
                "unknown template `{name}` (expected `builtin:<rule>`, {})",
                TEMPLATES
                    .iter()
                    .map(|(t, _)| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(close) = closest(name, TEMPLATES.iter().map(|(t, _)| *t)) {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            reader.error(span, message);
            return None;
        };
        let Some(node) = options else {
            reader.error(span, format!("template `{name}` needs `options:`"));
            return None;
        };
        let entries = reader.mapping(node, "`options`")?;
        let mut values: Vec<(&'static str, &Node)> = Vec::new();
        for entry in entries {
            if let Some(key) = reader.key(entry, keys, &format!("option of template `{name}`")) {
                values.push((key, &entry.value));
            }
        }
        match name {
            "compose-field" => compose_field(reader, node.span, &values)?,
            "dockerfile-instruction" => dockerfile_instruction(reader, node.span, &values)?,
            "run-command" => run_command(reader, node.span, &values)?,
            _ => image(reader, &values)?,
        }
    };
    Some(TemplateCheck {
        message: None,
        template,
    })
}

/// The `{placeholders}` a template fills in messages (`{message}` is always its own message).
fn placeholders(template: &Template) -> &'static [&'static str] {
    match template {
        Template::Builtin(_) => &["message"],
        Template::ComposeField { .. } => &["message", "service", "path", "value", "problem"],
        Template::DockerfileInstruction { .. } => {
            &["message", "stage", "instruction", "flag", "label"]
        }
        Template::RunCommand { .. } => &["message", "program", "command"],
        Template::Image(_) => &["message", "image", "problem", "service"],
    }
}

/// Every `{word}` of `message` must be a placeholder its template fills.
fn check_placeholders(reader: &mut Reader<'_>, check: &TemplateCheck, message: &str, span: Span) {
    let known = placeholders(&check.template);
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let word = &after[..close];
        let is_word = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if is_word && !known.contains(&word) {
            let mut text = format!(
                "unknown placeholder `{{{word}}}` in `message` (this template fills {})",
                known
                    .iter()
                    .map(|k| format!("`{{{k}}}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(close) = closest(word, known.iter().copied()) {
                text.push_str(&format!("; did you mean `{{{close}}}`?"));
            }
            reader.error(span, text);
        }
        rest = &after[close + 1..];
    }
}

fn get<'n>(values: &[(&str, &'n Node)], key: &str) -> Option<&'n Node> {
    values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn regex(reader: &mut Reader<'_>, node: &Node) -> Option<Regex> {
    let text = reader.string(node)?;
    match Regex::new(&text) {
        Ok(regex) => Some(regex),
        Err(err) => {
            let detail = err.to_string();
            let last = detail.lines().last().unwrap_or("").trim().to_string();
            reader.error(node.span, format!("invalid regex `{text}`: {last}"));
            None
        }
    }
}

fn choice(reader: &mut Reader<'_>, node: Option<&Node>, choices: &[&str]) -> Option<String> {
    let Some(node) = node else {
        return choices.first().map(|c| (*c).to_string());
    };
    let text = node.as_str().unwrap_or("");
    if choices.contains(&text) {
        return Some(text.to_string());
    }
    let mut message = format!(
        "expected one of {}",
        choices
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(close) = closest(text, choices.iter().copied()) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    reader.error(node.span, message);
    None
}

fn compose_field(
    reader: &mut Reader<'_>,
    span: Span,
    values: &[(&str, &Node)],
) -> Option<Template> {
    let Some(path_node) = get(values, "path") else {
        reader.error(span, "template `compose-field` needs `path`");
        return None;
    };
    let path_text = reader.string(path_node)?;
    let path: Vec<String> = path_text.split('.').map(str::to_string).collect();
    if path.iter().any(|p| p.trim().is_empty()) {
        reader.error(path_node.span, format!("invalid path `{path_text}`"));
        return None;
    }
    let conditions: Vec<(&str, &Node)> = values
        .iter()
        .copied()
        .filter(|(k, _)| {
            [
                "absent", "present", "equals", "one-of", "matches", "compare",
            ]
            .contains(k)
        })
        .collect();
    let [(key, node)] = conditions.as_slice() else {
        reader.error(
            span,
            "template `compose-field` needs exactly one condition: `absent`, `present`, \
             `equals`, `one-of`, `matches` or `compare`",
        );
        return None;
    };
    let condition = match *key {
        "absent" | "present" => {
            if reader.boolean(node) != Some(true) {
                reader.error(node.span, format!("write `{key}: true`"));
                return None;
            }
            if *key == "absent" {
                Condition::Absent
            } else {
                Condition::Present
            }
        }
        "equals" => Condition::Equals(
            node.as_scalar()
                .map(|s| s.value.clone())
                .unwrap_or_default(),
        ),
        "one-of" => Condition::OneOf(reader.strings(node).into_iter().map(|(s, _)| s).collect()),
        "matches" => Condition::Matches(regex(reader, node)?),
        _ => {
            let text = reader.string(node)?;
            let Some((op, n)) = parse_comparison(&text) else {
                reader.error(
                    node.span,
                    format!(
                        "invalid comparison `{text}` (expected an operator `<`, `<=`, `>`, `>=`, \
                         `==` or `!=` and a number with an optional size unit: `<= 2g`)"
                    ),
                );
                return None;
            };
            Condition::Compare(op, n)
        }
    };
    let allow_absent = match get(values, "allow-absent") {
        Some(node) => reader.boolean(node)?,
        None => false,
    };
    Some(Template::ComposeField {
        path,
        condition,
        allow_absent,
    })
}

fn keyword(reader: &mut Reader<'_>, node: &Node) -> Option<Keyword> {
    let text = reader.string(node)?;
    match Keyword::parse(&text) {
        Some(k) => Some(k),
        None => {
            let mut message = format!("unknown instruction `{text}`");
            if let Some(close) = closest(&text, Keyword::ALL.iter().map(|k| k.as_str())) {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            reader.error(node.span, message);
            None
        }
    }
}

fn dockerfile_instruction(
    reader: &mut Reader<'_>,
    span: Span,
    values: &[(&str, &Node)],
) -> Option<Template> {
    let required = choice(reader, get(values, "mode"), &["required", "forbidden"])? == "required";
    let every_stage = choice(
        reader,
        get(values, "scope"),
        &["final-stage", "every-stage"],
    )? == "every-stage";
    let instruction = match get(values, "instruction") {
        Some(node) => Some(keyword(reader, node)?),
        None => None,
    };
    let what = if let Some(node) = get(values, "flag") {
        let flag = reader.string(node)?;
        InstructionTarget::Flag {
            keyword: instruction,
            flag: flag.trim_start_matches('-').to_string(),
        }
    } else if let Some(node) = get(values, "label") {
        let key = reader.string(node)?;
        let value = match get(values, "value") {
            Some(node) => Some(regex(reader, node)?),
            None => None,
        };
        InstructionTarget::Label { key, value }
    } else if let Some(keyword) = instruction {
        InstructionTarget::Keyword(keyword)
    } else {
        reader.error(
            span,
            "template `dockerfile-instruction` needs `instruction`, `flag` or `label`",
        );
        return None;
    };
    Some(Template::DockerfileInstruction {
        required,
        every_stage,
        what,
    })
}

fn run_command(reader: &mut Reader<'_>, span: Span, values: &[(&str, &Node)]) -> Option<Template> {
    let required = choice(reader, get(values, "mode"), &["forbidden", "required"])? == "required";
    let Some(program) = get(values, "program") else {
        reader.error(span, "template `run-command` needs `program`");
        return None;
    };
    let program = reader.string(program)?;
    let subcommand = match get(values, "subcommand") {
        Some(node) => Some(reader.string(node)?),
        None => None,
    };
    let flags = match get(values, "flags") {
        Some(node) => {
            let flags = reader.strings(node);
            for (flag, span) in &flags {
                if !flag.starts_with('-') || flag.len() < 2 || flag.starts_with("---") {
                    reader.error(
                        *span,
                        format!("flag `{flag}` must be written `-x` or `--long`"),
                    );
                }
            }
            flags.into_iter().map(|(f, _)| f).collect()
        }
        None => Vec::new(),
    };
    let argument = match get(values, "argument") {
        Some(node) => Some(regex(reader, node)?),
        None => None,
    };
    Some(Template::RunCommand {
        required,
        pattern: CommandPattern {
            program,
            subcommand,
            flags,
            argument,
        },
    })
}

fn image(reader: &mut Reader<'_>, values: &[(&str, &Node)]) -> Option<Template> {
    let mut policy = ImagePolicy::default();
    if let Some(node) = get(values, "allowed") {
        policy.allowed = reader.strings(node).into_iter().map(|(s, _)| s).collect();
    }
    if let Some(node) = get(values, "denied") {
        policy.denied = reader.strings(node).into_iter().map(|(s, _)| s).collect();
    }
    if let Some(node) = get(values, "tag") {
        policy.tag = Some(regex(reader, node)?);
    }
    if let Some(node) = get(values, "require-digest") {
        policy.require_digest = reader.boolean(node)?;
    }
    Some(Template::Image(policy))
}

/// The options of a `builtin:` policy, validated against the built-in rule's declaration.
fn builtin_option_values(
    reader: &mut Reader<'_>,
    rule: &Rule,
    node: &Node,
) -> Vec<(String, OptionValue)> {
    let mut out = Vec::new();
    let Some(entries) = reader.mapping(node, "`options`") else {
        return out;
    };
    for entry in entries {
        let known: Vec<(&'static str, &str)> = rule
            .options
            .iter()
            .map(|o| (o.name, o.description))
            .collect();
        if known.is_empty() {
            reader.error(
                entry.key.span,
                format!("rule `{}` ({}) takes no options", rule.name, rule.code),
            );
            break;
        }
        let Some(name) = reader.key(entry, &known, &format!("option of rule `{}`", rule.name))
        else {
            continue;
        };
        let Some(option) = rule.options.iter().find(|o| o.name == name) else {
            continue;
        };
        match reader.option_value(&option.kind, &entry.value) {
            Some(value) => out.push((name.to_string(), value)),
            None => reader.error(
                entry.value.span,
                format!(
                    "option `{name}` of rule `{}` must be {}",
                    rule.name,
                    option.kind.describe()
                ),
            ),
        }
    }
    out
}

/// `examples: {bad: [...], good: [...]}`; each example a string or `{kind, text}`.
fn read_examples(
    reader: &mut Reader<'_>,
    node: &Node,
    target: Option<Target>,
) -> Vec<PolicyExample> {
    let mut out = Vec::new();
    let Some(entries) = reader.mapping(node, "`examples`") else {
        return out;
    };
    for entry in entries {
        let Some(key) = reader.key(entry, EXAMPLE_KEYS, "examples key") else {
            continue;
        };
        if entry.value.is_null() {
            continue;
        }
        let Some(items) = entry.value.as_sequence() else {
            reader.error(
                entry.value.span,
                format!("`{key}` must be a list of examples"),
            );
            continue;
        };
        for item in items {
            let (text, kind, span) = if let Some(text) = item.as_str() {
                (text.to_string(), None, item.span)
            } else if let Some(fields) = reader.mapping(item, "an example") {
                let mut text = None;
                let mut kind = None;
                for field in fields {
                    match reader.key(field, EXAMPLE_ITEM_KEYS, "example key") {
                        Some("text") => text = reader.string(&field.value),
                        Some("kind") => {
                            kind = choice(reader, Some(&field.value), &["dockerfile", "compose"])
                                .map(|k| {
                                    if k == "compose" {
                                        FileKind::Compose
                                    } else {
                                        FileKind::Dockerfile
                                    }
                                });
                        }
                        _ => {}
                    }
                }
                let Some(text) = text else {
                    reader.error(item.span, "an example needs `text:`");
                    continue;
                };
                (text, kind, item.span)
            } else {
                continue;
            };
            let kind = kind.unwrap_or(match target {
                Some(Target::Compose) => FileKind::Compose,
                Some(Target::Dockerfile) => FileKind::Dockerfile,
                _ if text
                    .lines()
                    .any(|l| l.trim_start().starts_with("services:")) =>
                {
                    FileKind::Compose
                }
                _ => FileKind::Dockerfile,
            });
            out.push(PolicyExample {
                bad: key == "bad",
                kind,
                text,
                line: reader.source.position(span.start).line,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_dir_starts_with_its_parent() {
        let mut parts = std::path::Path::new(DEFAULT_DIR).iter();
        assert_eq!(parts.next(), Some(std::ffi::OsStr::new(DEFAULT_DIR_PARENT)));
    }

    #[test]
    fn a_sweep_drops_the_policies_no_config_used_since_the_last_one() {
        let dir = tempfile::tempdir().unwrap();
        let write = |n: usize| {
            let rule = format!(
                "rules:\n  - {{code: ORG{n}, name: org-{n}, summary: s, category: provenance, \
                 template: image, options: {{require-digest: true}}}}\n"
            );
            std::fs::write(dir.path().join("org.yaml"), rule).unwrap();
            let rego = format!("package org{n}\n\ndeny contains \"no\" if {{ false }}\n");
            std::fs::write(dir.path().join("org.rego"), rego).unwrap();
        };
        let load = |cache: &mut PolicyCache| {
            let mut errors = Vec::new();
            let rules = load_dirs(cache, std::iter::once(dir.path()), &mut errors);
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(rules.len(), 2);
        };
        let sizes = |cache: &PolicyCache| (cache.files.len(), cache.rego.len());
        let mut cache = PolicyCache::default();
        write(1);
        load(&mut cache);
        cache.sweep();
        assert_eq!(sizes(&cache), (1, 1), "used since the last sweep: kept");
        write(2);
        load(&mut cache);
        assert_eq!(sizes(&cache), (2, 2));
        cache.sweep();
        assert_eq!(
            sizes(&cache),
            (1, 1),
            "the first version was not used: dropped"
        );
        cache.sweep();
        assert_eq!(sizes(&cache), (0, 0));
    }

    fn errors(text: &str) -> Vec<String> {
        let mut errors = Vec::new();
        let rules = parse_file(Path::new("/p/org.yaml"), text, &[], &mut errors);
        assert!(errors.is_empty() || rules.is_empty());
        errors
            .iter()
            .map(|e| {
                let p = e.position.expect("policy errors have a position");
                format!("{}:{}: {}", p.line, p.column, e.message)
            })
            .collect()
    }

    const HEAD: &str =
        "rules:\n  - code: ORG001\n    name: x-rule\n    summary: s\n    category: provenance\n";

    #[test]
    fn a_valid_policy_file_gives_rules() {
        let text = format!(
            "{HEAD}    template: image\n    options: {{allowed: ['registry.acme.internal/*']}}\n    \
             examples:\n      bad: ['FROM alpine:3.20']\n      good:\n        - kind: compose\n          \
             text: \"services:\\n  a:\\n    image: registry.acme.internal/a:1\\n\"\n"
        );
        let mut errors = Vec::new();
        let rules = parse_file(Path::new("/p/org.yaml"), &text, &[], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].rule.code(), "ORG001");
        assert_eq!(rules[0].rule.target(), Target::Any);
        assert_eq!(rules[0].line, 2);
        assert_eq!(rules[0].examples.len(), 2);
        assert_eq!(rules[0].examples[0].kind, FileKind::Dockerfile);
        assert_eq!(rules[0].examples[1].kind, FileKind::Compose);
    }

    #[test]
    fn policy_errors_say_where() {
        assert_eq!(
            errors(&format!("{HEAD}    templat: image\n")),
            [
                "2:5: a policy rule needs `template:`",
                "6:5: unknown policy rule key `templat`; did you mean `template`?"
            ]
        );
        assert_eq!(
            errors(&format!("{HEAD}    template: imag\n")),
            [
                "6:15: unknown template `imag` (expected `builtin:<rule>`, `compose-field`, \
              `dockerfile-instruction`, `run-command`, `image`); did you mean `image`?"
            ]
        );
        assert_eq!(
            errors(&format!(
                "{HEAD}    template: run-command\n    options: {{program: curl, argument: '(['}}\n"
            ))[0]
                .split(':')
                .take(3)
                .collect::<Vec<_>>()
                .join(":"),
            "7:40: invalid regex `([`"
        );
        let text = HEAD.replace("ORG001", "DF999") + "    template: image\n    options: {}\n";
        assert!(errors(&text)[0].starts_with("2:11: rule code `DF999`: the prefixes"));
        let text = HEAD.replace("x-rule", "latest-tag") + "    template: image\n    options: {}\n";
        assert_eq!(
            errors(&text),
            ["3:11: rule name `latest-tag` is already taken by another rule"]
        );
        let text = format!(
            "{HEAD}    template: builtin:unpinned-apt-package\n    options: {{strictt: true}}\n"
        );
        let found = errors(&text);
        assert!(
            found[0].starts_with("7:15: rule `unpinned-apt-package` (DF010) takes no options"),
            "{found:?}"
        );
        let text = format!(
            "{HEAD}    message: 'bad {{imagee}}'\n    template: image\n    options: {{}}\n"
        );
        assert_eq!(
            errors(&text),
            [
                "6:14: unknown placeholder `{imagee}` in `message` (this template fills `{message}`, \
              `{image}`, `{problem}`, `{service}`); did you mean `{image}`?"
            ]
        );
        let text = format!(
            "{HEAD}    template: compose-field\n    options: {{path: a.b, compare: 'about 2g'}}\n"
        );
        assert!(errors(&text)[0].starts_with("7:35: invalid comparison `about 2g`"));
    }

    /// The messages of `policy`'s findings (one rule, `template` + `options` given) on `text`.
    fn findings(rule: &str, kind: FileKind, text: &str) -> Vec<String> {
        let policy = format!("{HEAD}{rule}");
        let mut errors = Vec::new();
        let rules = parse_file(Path::new("/p/org.yaml"), &policy, &[], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let rule = rules[0].rule.clone();
        let settings = crate::linter::selection::Settings::with_policies(
            &[rule],
            &[crate::linter::selection::Selection {
                select: Some(vec!["ORG001".into()]),
                ..Default::default()
            }],
        );
        let source = SourceFile::new("f", text, kind);
        crate::linter::engine::check(&source, &settings)
            .into_iter()
            .filter(|f| f.code == "ORG001")
            .map(|f| {
                let at = source.position(f.span.start);
                format!("{}:{} {}", at.line, at.column, f.message)
            })
            .collect()
    }

    const DF: FileKind = FileKind::Dockerfile;
    const DC: FileKind = FileKind::Compose;

    #[test]
    fn compose_field_conditions() {
        let rule =
            "    template: compose-field\n    options: {path: logging.driver, one-of: [local]}\n";
        let text = "services:\n  a:\n    logging: {driver: syslog}\n  b:\n    logging: {driver: local}\n  c: {}\n";
        assert_eq!(
            findings(rule, DC, text),
            [
                "3:23 service `a`: `logging.driver` must be one of `local`",
                "6:3 service `c`: `logging.driver` is not set",
            ]
        );
        let rule = "    message: '{service}/{value}: {problem}'\n    template: compose-field\n    \
                    options: {path: cpus, compare: '> 0.5', allow-absent: true}\n";
        let text = "services:\n  a: {cpus: '0.25'}\n  b: {cpus: 1}\n  c: {}\n";
        assert_eq!(findings(rule, DC, text), ["2:13 a/0.25: must be > 0.5"]);
        let rule = "    template: compose-field\n    options: {path: user, matches: '^[0-9]+$'}\n";
        let text = "services:\n  a: {user: root}\n  b: {user: '1000'}\n";
        assert_eq!(
            findings(rule, DC, text),
            ["2:13 service `a`: `user` must match `^[0-9]+$`"]
        );
        let rule = "    template: compose-field\n    options: {path: network_mode, absent: true}\n";
        let text = "services:\n  a: {network_mode: host}\n  b: {}\n";
        assert_eq!(
            findings(rule, DC, text),
            ["2:21 service `a`: `network_mode` is set, but must not be"]
        );
        let rule = "    template: compose-field\n    options: {path: restart, equals: always}\n";
        assert_eq!(
            findings(rule, DC, "services:\n  a: {restart: always}\n"),
            [] as [&str; 0]
        );
        assert_eq!(
            findings(rule, DF, "FROM a\n"),
            [] as [&str; 0],
            "compose only"
        );
    }

    #[test]
    fn dockerfile_instruction_targets() {
        let rule = "    template: dockerfile-instruction\n    options: {instruction: HEALTHCHECK, scope: every-stage}\n";
        let text = "FROM a AS build\nFROM b\nHEALTHCHECK CMD true\n";
        assert_eq!(
            findings(rule, DF, text),
            ["1:1 stage `build` has no HEALTHCHECK instruction"]
        );
        let rule = "    template: dockerfile-instruction\n    options: {mode: forbidden, instruction: ADD}\n";
        let text = "FROM a AS build\nADD x /\nFROM b\nADD y /\n";
        assert_eq!(findings(rule, DF, text), ["4:1 ADD is not allowed here"]);
        let rule = "    template: dockerfile-instruction\n    options: {instruction: COPY, flag: --chown}\n";
        let text = "FROM a\nCOPY --chown=1 a /\nCOPY b /\n";
        assert_eq!(findings(rule, DF, text), ["3:1 COPY must use `--chown`"]);
        let rule = "    template: dockerfile-instruction\n    options: {mode: forbidden, label: maintainer}\n";
        let text = "FROM a\nLABEL maintainer=me version=1\n";
        assert_eq!(
            findings(rule, DF, text),
            ["2:7 label `maintainer` is not allowed"]
        );
    }

    #[test]
    fn run_command_patterns() {
        let rule = "    template: run-command\n    options: {program: apt-get, subcommand: dist-upgrade}\n";
        let text =
            "FROM a\nRUN apt-get update && sudo apt-get -y dist-upgrade\nRUN apt-get install x\n";
        assert_eq!(
            findings(rule, DF, text),
            ["2:23 `apt-get` is not allowed in RUN"]
        );
        let rule = "    message: 'no {command}'\n    template: run-command\n    \
                    options: {program: pip, argument: '^--index-url'}\n";
        let text = "FROM a\nRUN pip install --index-url=http://x y\nRUN pip install z\n";
        assert_eq!(
            findings(rule, DF, text),
            ["2:5 no pip install --index-url=http://x y"]
        );
        let rule = "    template: run-command\n    options: {mode: required, program: cosign, flags: [--key]}\n";
        assert_eq!(
            findings(rule, DF, "FROM a\nRUN cosign verify img\n"),
            ["1:1 no RUN runs `cosign`"]
        );
        assert!(findings(rule, DF, "FROM a\nRUN cosign verify --key k img\n").is_empty());
    }

    #[test]
    fn image_lists_and_builtin_templates() {
        let rule =
            "    template: image\n    options: {denied: ['docker.io/library/*'], tag: '^[0-9]'}\n";
        let text = "FROM ubuntu:22.04\nFROM ghcr.io/acme/a:latest\nFROM ghcr.io/acme/b:1.2\n";
        assert_eq!(
            findings(rule, DF, text),
            [
                "1:6 image `ubuntu:22.04` is denied (`docker.io/library/*`)",
                "2:6 image `ghcr.io/acme/a:latest` has tag `latest`, which must match `^[0-9]`",
            ]
        );
        let text = "services:\n  a: {image: 'ubuntu:22.04'}\n  b: {image: x, build: .}\n";
        assert_eq!(
            findings(rule, DC, text),
            ["2:14 service `a`: image `ubuntu:22.04` is denied (`docker.io/library/*`)"]
        );
        let rule = "    message: 'ORG: {message}'\n    template: builtin:latest-tag\n";
        let found = findings(rule, DF, "FROM a:latest\n");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("1:8 ORG: base image `a:latest`"),
            "{found:?}"
        );
    }

    #[test]
    fn a_policy_finding_is_suppressed_by_its_code() {
        let rule = "    template: dockerfile-instruction\n    options: {mode: forbidden, instruction: ADD}\n";
        let text = "FROM a\n# plimsoll ignore=ORG001 -- vendored tarball\nADD x.tar /\nADD y /\n";
        assert_eq!(findings(rule, DF, text), ["4:1 ADD is not allowed here"]);
    }

    #[test]
    fn duplicate_codes_across_rules() {
        let rule = "  - code: ORG001\n    name: NAME\n    summary: s\n    category: provenance\n    \
                    template: image\n    options: {}\n";
        let text = format!(
            "rules:\n{}{}",
            rule.replace("NAME", "a"),
            rule.replace("NAME", "b")
        );
        assert_eq!(errors(&text), ["8:11: duplicate rule code `ORG001`"]);
    }
}
