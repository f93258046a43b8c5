//! The engine: parse one source file, run the enabled rules on it, return sorted findings.
//! No I/O and no output format here; the CLI and the language server both call [`check`].

use crate::compose;
use crate::diagnostic::{Finding, Severity};
use crate::dockerfile;
use crate::rule::{Check, ComposeContext, DockerfileContext, Emitter, Rule};
use crate::rules;
use crate::source::{FileKind, SourceFile};

/// Which rules run, and at what severity.
#[derive(Clone, Debug)]
pub struct Settings {
    enabled: Vec<&'static Rule>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: rules::all()
                .iter()
                .copied()
                .filter(|rule| rule.default_enabled)
                .collect(),
        }
    }
}

/// A selector names rules: a code (`DF001`), a name (`latest-tag`), a category (`secrets`),
/// a code prefix (`DF`, `DC0`) or `all`.
pub fn matches_selector(rule: &Rule, selector: &str) -> bool {
    selector.eq_ignore_ascii_case("all")
        || rule.code.eq_ignore_ascii_case(selector)
        || rule.name == selector
        || rule.category.as_str() == selector
        || (selector.len() < rule.code.len()
            && selector.chars().all(|c| c.is_ascii_alphanumeric())
            && rule
                .code
                .get(..selector.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector)))
}

/// `true` when `selector` names at least one rule.
pub fn is_known_selector(selector: &str) -> bool {
    rules::all()
        .iter()
        .any(|rule| matches_selector(rule, selector))
}

impl Settings {
    /// Settings that run exactly the rules `select` names (all defaults when `select` is empty),
    /// plus `extend_select`, minus `ignore`.
    pub fn from_selectors(select: &[String], extend_select: &[String], ignore: &[String]) -> Self {
        let mut enabled: Vec<&'static Rule> = rules::all()
            .iter()
            .copied()
            .filter(|rule| {
                let chosen = if select.is_empty() {
                    rule.default_enabled
                } else {
                    select.iter().any(|s| matches_selector(rule, s))
                };
                (chosen || extend_select.iter().any(|s| matches_selector(rule, s)))
                    && !ignore.iter().any(|s| matches_selector(rule, s))
            })
            .collect();
        // The reserved rules always run: a file that cannot be read must say so.
        for rule in rules::all() {
            if matches!(rule.check, Check::Engine)
                && rule.code == rules::PARSE_ERROR.code
                && !enabled.iter().any(|r| r.code == rule.code)
            {
                enabled.push(rule);
            }
        }
        Self { enabled }
    }

    pub fn enabled(&self) -> &[&'static Rule] {
        &self.enabled
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.enabled.iter().any(|r| r.code == rule.code)
    }
}

/// Parse `source` and run the enabled rules on it. Findings are sorted by position, then code.
pub fn check(source: &SourceFile, settings: &Settings) -> Vec<Finding> {
    let mut findings = Vec::new();
    match source.kind {
        FileKind::Dockerfile => {
            let dockerfile = dockerfile::parse(&source.text);
            for error in &dockerfile.errors {
                findings.push(rules::PARSE_ERROR.finding(error.span, error.message.clone()));
            }
            let context = DockerfileContext {
                source,
                dockerfile: &dockerfile,
            };
            for rule in settings.enabled() {
                if let Check::Dockerfile(check) = rule.check {
                    let mut emitter = Emitter::new(rule);
                    check(&context, &mut emitter);
                    findings.extend(emitter.into_findings());
                }
            }
        }
        FileKind::Compose => {
            let compose = compose::parse(&source.text);
            for error in &compose.yaml.errors {
                findings.push(rules::PARSE_ERROR.finding(error.span, error.message.clone()));
            }
            for error in &compose.errors {
                findings.push(rules::PARSE_ERROR.finding(error.span, error.message.clone()));
            }
            if settings.is_enabled(&rules::DUPLICATE_KEY) {
                for duplicate in &compose.yaml.duplicate_keys {
                    let mut finding = rules::DUPLICATE_KEY.finding(
                        duplicate.duplicate,
                        format!(
                            "duplicate key `{}`; this value replaces the earlier one",
                            duplicate.key
                        ),
                    );
                    finding
                        .with_label(duplicate.first, "first defined here")
                        .with_help("remove one of the two keys");
                    findings.push(finding);
                }
            }
            let context = ComposeContext {
                source,
                compose: &compose,
            };
            for rule in settings.enabled() {
                if let Check::Compose(check) = rule.check {
                    let mut emitter = Emitter::new(rule);
                    check(&context, &mut emitter);
                    findings.extend(emitter.into_findings());
                }
            }
        }
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.code).cmp(&(b.span.start, b.span.end, &b.code))
    });
    findings
}

/// `true` when any finding is at or above `fail_level`.
pub fn fails(findings: &[Finding], fail_level: Severity) -> bool {
    findings.iter().any(|f| f.severity >= fail_level)
}
