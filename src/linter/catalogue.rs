//! The rules in effect for a run or an editor session (built-in, policy, policy problems): a value.

use crate::linter::diagnostic::{Category, Finding, Severity};
use crate::linter::rule::RuleRef;
use crate::linter::rule::{Check, Rule, Status, Target};
use crate::linter::rules;
use crate::syntax::source::SourceFile;

/// The findings of policy errors: a `.rego` file that does not compile, an evaluation that
/// fails or runs over budget. Located on the policy file.
pub static POLICY_ERROR: Rule = Rule {
    code: "PL002",
    name: "policy-error",
    summary: "A Rego policy cannot be compiled, or its evaluation failed or ran over budget",
    target: Target::Any,
    category: Category::Correctness,
    severity: Severity::Error,
    status: Status::Preview,
    docs: "# policy-error (PL002)\n\n## What it does\nReports a Rego policy (a `.rego` file in a \
           policy directory) that cannot be compiled, or whose evaluation on a file failed or \
           ran over its time, memory or output budget. The finding is located on the policy \
           file.\n\n\
           ## Why is this bad\nA broken policy checks nothing: its findings are missing until \
           it is fixed.\n\n## Options\nNone. This rule cannot be disabled.\n",
    check: Check::Engine,
    ..Rule::DEFAULTS
};

/// The findings of `plimsoll pin --check`: a reference pinned to a digest that its tag no longer
/// points to. Only that command emits them (it asks the registry); `plimsoll check` never does.
pub static STALE_DIGEST_PIN: Rule = Rule {
    code: "PL003",
    name: "stale-digest-pin",
    summary: "An image pinned by digest whose tag now points to another digest",
    target: Target::Any,
    category: Category::Provenance,
    severity: Severity::Warning,
    status: Status::Preview,
    docs: include_str!("stale_digest_pin.md"),
    check: Check::Engine,
    ..Rule::DEFAULTS
};

/// The built-in rules, each with a page on the docs site: the engine's, then the rules of findings
/// that other parts report (policy problems, `plimsoll pin --check`).
pub fn documented_rules() -> impl Iterator<Item = &'static Rule> {
    rules::all()
        .iter()
        .copied()
        .chain([&POLICY_ERROR, &STALE_DIGEST_PIN])
}

/// The address of the page of the built-in rule called `name` on the docs site
/// (`https://plimsoll.dev/rules/latest-tag`); `None` for any other name: a policy rule is
/// documented in its policy file, not on the site.
pub fn rule_page(name: &str) -> Option<String> {
    documented_rules()
        .any(|rule| rule.name == name)
        .then(|| format!("{}/rules/{name}", crate::SITE_URL))
}

/// What a run's reporters and the language server describe rules from. Built where configs are
/// resolved ([`crate::workspace::config::Resolver::catalogue`]); dropping it drops the policy rules it
/// alone still held.
#[derive(Debug, Default)]
pub struct Catalogue {
    /// The policy rules in effect, each once, in the order met. When two share a code, the
    /// last one is the one described.
    policy_rules: Vec<RuleRef>,
    /// The policy files with problems (Rego that does not compile or failed on some file),
    /// each with its `PL002` findings.
    problems: Vec<(SourceFile, Vec<Finding>)>,
}

impl Catalogue {
    /// `policy_rules` (each kept once) and the `problems` of policies.
    pub fn new(
        policy_rules: impl IntoIterator<Item = RuleRef>,
        problems: Vec<(SourceFile, Vec<Finding>)>,
    ) -> Self {
        let mut kept: Vec<RuleRef> = Vec::new();
        for rule in policy_rules {
            if !kept.iter().any(|known| known.same_as(&rule)) {
                kept.push(rule);
            }
        }
        Self {
            policy_rules: kept,
            problems,
        }
    }

    /// Every rule: the built-in ones, then the policy rules.
    pub fn rules(&self) -> impl Iterator<Item = RuleRef> + '_ {
        rules::all()
            .iter()
            .map(|&rule| RuleRef::Builtin(rule))
            .chain(self.policy_rules.iter().cloned())
    }

    /// The policy rule with exactly this `code` (the last one when two share it).
    pub fn policy_rule(&self, code: &str) -> Option<&RuleRef> {
        self.policy_rules
            .iter()
            .rev()
            .find(|rule| rule.code() == code)
    }

    /// The rule a report describes for the findings of `code` besides the built-in rules: the
    /// rule of policy problems, or a policy rule.
    pub fn describe(&self, code: &str) -> Option<RuleRef> {
        if code == POLICY_ERROR.code {
            return Some(RuleRef::Builtin(&POLICY_ERROR));
        }
        if code == STALE_DIGEST_PIN.code {
            return Some(RuleRef::Builtin(&STALE_DIGEST_PIN));
        }
        self.policy_rule(code).cloned()
    }

    /// The policy files with problems, each with its findings.
    pub fn problems(&self) -> &[(SourceFile, Vec<Finding>)] {
        &self.problems
    }

    /// Take the problems out (to report them among the checked files).
    pub fn take_problems(&mut self) -> Vec<(SourceFile, Vec<Finding>)> {
        std::mem::take(&mut self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_have_a_page_and_policy_rules_none() {
        assert_eq!(
            rule_page("latest-tag").as_deref(),
            Some("https://plimsoll.dev/rules/latest-tag")
        );
        assert_eq!(
            rule_page("policy-error").as_deref(),
            Some("https://plimsoll.dev/rules/policy-error")
        );
        assert!(rule_page("stale-digest-pin").is_some());
        // A code is no name, and a policy rule's name has no page.
        assert_eq!(rule_page("DF002"), None);
        assert_eq!(rule_page("internal-registry-only"), None);
        let documented: Vec<&str> = documented_rules().map(|rule| rule.code).collect();
        assert_eq!(documented.len(), rules::all().len() + 2);
        assert!(documented.contains(&"PL002") && documented.contains(&"PL003"));
    }
}
