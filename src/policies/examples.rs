//! The bad and good examples of rules, run as checks: each code block under `## Example` in a
//! rule's docs must draw at least one finding of that rule, each block under `## Use instead`
//! none, and neither may fail to parse. `plimsoll test` runs them for every rule, so a team can
//! check in its own CI that the rules behave as their docs say, and that its own policies do
//! (the `bad`/`good` examples of each policy rule). Nothing here prints.

use std::path::PathBuf;

use crate::linter::engine::{self, Selection, Settings};
use crate::linter::rule::RuleRef;
use crate::linter::rule::{Rule, RuleOptions};
use crate::linter::rules::PARSE_ERROR;
use crate::policies::template::PolicyRule;
use crate::syntax::source::{FileKind, SourceFile};

/// Which section an example comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `## Example`: the rule must report something.
    Finding,
    /// `## Use instead`: the rule must report nothing.
    Clean,
}

/// One fenced code block of a rule's docs.
#[derive(Clone, Debug)]
pub struct Example {
    pub expect: Expect,
    /// 1-based, within its section.
    pub index: usize,
    /// The fence's language (`dockerfile`, `yaml`).
    pub language: String,
    pub text: String,
}

/// The examples of `docs`, in order. An example that needs a build context (a `context`,
/// `dockerignore` or `config` block before it, as the build-context rules' docs have) is left
/// out: it needs
/// files on disk, and tests/rule_docs.rs runs it in a temporary tree.
pub fn examples(docs: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut section = None;
    let mut open: Option<Example> = None;
    let mut counts = [0usize; 2];
    let mut needs_files = false;
    for line in docs.lines() {
        if let Some(example) = open.as_mut() {
            if line.trim_start().starts_with("```") {
                let example = open.take().expect("an example is open");
                if matches!(
                    example.language.as_str(),
                    "context" | "dockerignore" | "config"
                ) {
                    needs_files = true;
                } else if std::mem::take(&mut needs_files) {
                    // Run by tests/rule_docs.rs in a tree built from the blocks before it.
                } else {
                    out.push(example);
                }
            } else {
                example.text.push_str(line);
                example.text.push('\n');
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            section = match title.trim() {
                "Example" => Some(Expect::Finding),
                "Use instead" => Some(Expect::Clean),
                _ => None,
            };
            continue;
        }
        if let (Some(expect), Some(language)) = (section, line.trim_start().strip_prefix("```")) {
            let count = &mut counts[usize::from(expect == Expect::Clean)];
            *count += 1;
            open = Some(Example {
                expect,
                index: *count,
                language: language.trim().to_string(),
                text: String::new(),
            });
        }
    }
    out
}

/// Run one example of `rule` with only that rule selected. `Err` says what went wrong.
pub fn run(rule: &'static Rule, example: &Example) -> Result<(), String> {
    // The `shellcheck` family's findings come from the ShellCheck process, which this layer
    // does not start: tests/rule_docs.rs runs its examples with ShellCheck.
    if rule.code == crate::linter::rules::SHELLCHECK.code {
        return Ok(());
    }
    let kind = match example.language.as_str() {
        "dockerfile" | "Dockerfile" => FileKind::Dockerfile,
        "yaml" | "yml" => FileKind::Compose,
        other => return Err(format!("code block with unknown language `{other}`")),
    };
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    judge(
        &RuleRef::Builtin(rule),
        kind,
        &example.text,
        example.expect,
        &settings,
    )
}

/// Check `text` with `settings` (which select only `rule`) and judge it against `expect`.
fn judge(
    rule: &RuleRef,
    kind: FileKind,
    text: &str,
    expect: Expect,
    settings: &Settings,
) -> Result<(), String> {
    let source = SourceFile::new("example", text, kind);
    let findings = engine::check(&source, settings);
    let parse_errors: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == PARSE_ERROR.code && rule.code() != PARSE_ERROR.code)
        .map(|f| f.message.as_str())
        .collect();
    if !parse_errors.is_empty() {
        return Err(format!("does not parse: {}", parse_errors.join("; ")));
    }
    let count = findings.iter().filter(|f| f.code == rule.code()).count();
    match expect {
        Expect::Finding if count == 0 => {
            Err(format!("expected a `{}` finding, got none", rule.name()))
        }
        Expect::Clean if count > 0 => Err(format!(
            "expected no `{}` finding, got {count}",
            rule.name()
        )),
        _ => Ok(()),
    }
}

/// One failing example.
#[derive(Clone, Debug)]
pub struct Failure {
    pub rule: &'static Rule,
    /// `Example 1`, `Use instead 2`, or `docs` when a section has no example.
    pub example: String,
    pub message: String,
}

/// Run every example of every rule in `rules`; the number of examples run and the failures.
pub fn run_all(rules: &[&'static Rule]) -> (usize, Vec<Failure>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    for &rule in rules {
        let examples = examples(rule.docs);
        // Examples in a build context need files: tests/rule_docs.rs runs those.
        let needs_files = rule.docs.contains("```context");
        for expect in [Expect::Finding, Expect::Clean] {
            if !needs_files && !examples.iter().any(|e| e.expect == expect) {
                failures.push(Failure {
                    rule,
                    example: "docs".into(),
                    message: format!("no code block under `## {}`", section_name(expect)),
                });
            }
        }
        for example in &examples {
            ran += 1;
            if let Err(message) = run(rule, example) {
                failures.push(Failure {
                    rule,
                    example: format!("{} {}", section_name(example.expect), example.index),
                    message,
                });
            }
        }
    }
    (ran, failures)
}

/// One failing example of a policy rule.
#[derive(Clone, Debug)]
pub struct PolicyFailure {
    pub rule: RuleRef,
    /// The policy file and the 1-based line of the example (or of the rule).
    pub path: PathBuf,
    pub line: usize,
    /// `bad example`, `good example`.
    pub example: &'static str,
    pub message: String,
}

/// Run the `bad` and `good` examples of every policy rule, each with only that rule selected
/// and its own options; the number of examples run and the failures.
pub fn run_policies<'p>(
    policies: impl IntoIterator<Item = &'p PolicyRule>,
) -> (usize, Vec<PolicyFailure>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    for policy in policies {
        let rule = &policy.rule;
        let mut settings = Settings::with_policies(
            std::slice::from_ref(rule),
            &[Selection {
                select: Some(vec![rule.code().to_string()]),
                ..Selection::default()
            }],
        );
        if !policy.options.is_empty() {
            let configured = policy.options.iter().map(|(n, v)| (n.as_str(), v));
            settings.set_options(rule, RuleOptions::resolve(rule.options(), configured));
        }
        for example in &policy.examples {
            ran += 1;
            let expect = if example.bad {
                Expect::Finding
            } else {
                Expect::Clean
            };
            if let Err(message) = judge(rule, example.kind, &example.text, expect, &settings) {
                failures.push(PolicyFailure {
                    rule: rule.clone(),
                    path: policy.path.clone(),
                    line: example.line,
                    example: if example.bad {
                        "bad example"
                    } else {
                        "good example"
                    },
                    message,
                });
            }
        }
    }
    (ran, failures)
}

fn section_name(expect: Expect) -> &'static str {
    match expect {
        Expect::Finding => "Example",
        Expect::Clean => "Use instead",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::rules;

    #[test]
    fn examples_come_from_their_sections() {
        let docs = "# x\n## Example\n```dockerfile\nFROM a:latest\n```\n## Fix safety\n```dockerfile\nignored\n```\n## Use instead\n```yaml\nk: v\n```\n";
        let found = examples(docs);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].expect, Expect::Finding);
        assert_eq!(found[0].text, "FROM a:latest\n");
        assert_eq!(found[1].expect, Expect::Clean);
        assert_eq!(found[1].language, "yaml");
    }

    #[test]
    fn a_wrong_example_fails_with_a_reason() {
        let rule = &rules::LATEST_TAG;
        let bad_example_that_is_clean = Example {
            expect: Expect::Finding,
            index: 1,
            language: "dockerfile".into(),
            text: "FROM alpine:3.20\n".into(),
        };
        assert_eq!(
            run(rule, &bad_example_that_is_clean).unwrap_err(),
            "expected a `latest-tag` finding, got none"
        );
        let broken = Example {
            expect: Expect::Clean,
            index: 1,
            language: "dockerfile".into(),
            text: "FROMM alpine\n".into(),
        };
        assert!(
            run(rule, &broken)
                .unwrap_err()
                .starts_with("does not parse")
        );
    }

    #[test]
    fn every_built_in_rule_passes_its_examples() {
        let (ran, failures) = run_all(rules::all());
        // The build-context rules' examples need files (tests/rule_docs.rs runs them).
        let in_memory = rules::all()
            .iter()
            .filter(|rule| !rule.docs.contains("```context"))
            .count();
        assert!(ran >= 2 * in_memory);
        assert!(failures.is_empty(), "{failures:?}");
    }
}
