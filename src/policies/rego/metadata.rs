//! What a `.rego` file declares, by a light scan: its package, rule heads, `# METADATA` blocks.

use std::path::{Path, PathBuf};

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::Target;

use super::InputFormat;

/// The kinds of result rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ResultKind {
    Deny,
    Warn,
}

/// One `.rego` file of a set.
#[derive(Debug)]
pub struct RegoFile {
    pub path: PathBuf,
    pub text: String,
    pub package: String,
    /// 1-based line of the `package` line.
    pub package_line: usize,
    pub(super) rules: Vec<RuleHead>,
    /// `# METADATA` blocks with the 1-based line they are attached to (the next non-comment
    /// line) and whether they are package-scoped.
    pub(super) metadata: Vec<Metadata>,
}

/// A rule head at the start of a line: its name and 1-based line.
#[derive(Clone, Debug)]
pub(super) struct RuleHead {
    pub(super) name: String,
    pub(super) line: usize,
}

/// What a `# METADATA` block says.
#[derive(Clone, Debug, Default)]
pub(super) struct Metadata {
    /// The line the block applies to (the next non-comment line).
    pub(super) line: usize,
    pub(super) package_scope: bool,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) code: Option<String>,
    pub(super) name: Option<String>,
    pub(super) severity: Option<Severity>,
    pub(super) category: Option<Category>,
    pub(super) related: Vec<String>,
    pub(super) input: Option<InputFormat>,
    /// `dockerfile`, `compose` or both (the default).
    pub(super) kinds: Option<Target>,
}

/// The identifier at the start of `line` (rule heads start at column 1), if any.
pub(super) fn head_name(line: &str) -> Option<&str> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let name = &line[..end];
    let keyword = matches!(
        name,
        "" | "package" | "import" | "default" | "not" | "some" | "every" | "if" | "else"
    );
    (!keyword && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(name)
}

/// `deny`, `deny_x`, `violation`, `violation_x` → Deny; `warn`, `warn_x` → Warn.
pub(super) fn result_kind(name: &str) -> Option<ResultKind> {
    let is = |prefix: &str| {
        name == prefix
            || name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('_') && rest.len() > 1)
    };
    if is("deny") || is("violation") {
        Some(ResultKind::Deny)
    } else if is("warn") {
        Some(ResultKind::Warn)
    } else {
        None
    }
}

/// conftest's name of a result rule for `exception`: `deny_foo` → `foo`, `deny` → ``.
pub(super) fn exception_name(name: &str) -> &str {
    name.split_once('_').map_or("", |(_, rest)| rest)
}

impl RegoFile {
    /// Read the package, rule heads and `# METADATA` blocks of a `.rego` file (a light scan:
    /// regorus does the real parsing).
    pub(super) fn scan(path: &Path, text: &str) -> RegoFile {
        let mut package = String::new();
        let mut package_line = 1;
        let mut rules = Vec::new();
        let mut metadata = Vec::new();
        let mut block: Option<String> = None;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let trimmed = line.trim_start();
            if let Some(comment) = trimmed.strip_prefix('#') {
                if comment.trim() == "METADATA" {
                    block = Some(String::new());
                } else if let Some(text) = block.as_mut() {
                    text.push_str(comment.strip_prefix(' ').unwrap_or(comment));
                    text.push('\n');
                }
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            let is_package = trimmed.starts_with("package ");
            if let Some(yaml) = block.take() {
                metadata.push(Metadata::parse(&yaml, number, is_package));
            }
            if is_package && package.is_empty() {
                package = trimmed["package ".len()..]
                    .split('#')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                package_line = number;
                continue;
            }
            if line.starts_with(char::is_whitespace) {
                continue;
            }
            if let Some(name) = head_name(line)
                && !rules.iter().any(|r: &RuleHead| r.name == name)
            {
                rules.push(RuleHead {
                    name: name.to_string(),
                    line: number,
                });
            }
        }
        RegoFile {
            path: path.to_path_buf(),
            text: text.to_string(),
            package,
            package_line,
            rules,
            metadata,
        }
    }

    /// The `input_format := "conftest"` value of the file, if it declares one.
    pub(super) fn declared_input(&self) -> Option<InputFormat> {
        self.text.lines().find_map(|line| {
            let rest = line.strip_prefix("input_format")?;
            let value = rest.trim_start().strip_prefix(":=").or_else(|| {
                rest.trim_start()
                    .strip_prefix('=')
                    .filter(|r| !r.starts_with('='))
            })?;
            match value.trim().trim_matches('"') {
                "conftest" => Some(InputFormat::Conftest),
                "plimsoll" => Some(InputFormat::Plimsoll),
                _ => None,
            }
        })
    }
}

impl Metadata {
    pub(super) fn parse(yaml_text: &str, line: usize, before_package: bool) -> Metadata {
        let mut out = Metadata {
            line,
            package_scope: before_package,
            ..Metadata::default()
        };
        let tree = crate::syntax::yaml::parse(yaml_text);
        let Some(root) = tree.documents.first() else {
            return out;
        };
        let text = |node: Option<&crate::syntax::yaml::Node>| {
            node.and_then(|n| n.as_str()).map(str::to_string)
        };
        out.title = text(root.get("title"));
        out.description = text(root.get("description"));
        if let Some(scope) = text(root.get("scope")) {
            out.package_scope = scope == "package" || scope == "subpackages";
        }
        let related = |node: &crate::syntax::yaml::Node| -> Vec<String> {
            node.as_sequence()
                .unwrap_or(&[])
                .iter()
                .filter_map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .or_else(|| text(item.get("ref")))
                })
                .collect()
        };
        if let Some(node) = root.get("related_resources") {
            out.related = related(node);
        }
        if let Some(custom) = root.get("custom") {
            out.code = text(custom.get("code")).map(|c| c.to_ascii_uppercase());
            out.name = text(custom.get("name"));
            out.severity = text(custom.get("severity")).and_then(|s| {
                [
                    Severity::Style,
                    Severity::Info,
                    Severity::Warning,
                    Severity::Error,
                ]
                .into_iter()
                .find(|v| v.as_str() == s.to_ascii_lowercase())
            });
            out.category = text(custom.get("category")).and_then(|c| Category::parse(&c));
            if let Some(node) = custom.get("related") {
                out.related.extend(related(node));
            }
            out.input = match text(custom.get("input")).as_deref() {
                Some("conftest") => Some(InputFormat::Conftest),
                Some("plimsoll") => Some(InputFormat::Plimsoll),
                _ => None,
            };
            out.kinds = match text(custom.get("kinds").or_else(|| custom.get("kind"))).as_deref() {
                Some("dockerfile") => Some(Target::Dockerfile),
                Some("compose") => Some(Target::Compose),
                _ => None,
            };
        }
        out
    }
}
