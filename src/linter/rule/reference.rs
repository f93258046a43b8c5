//! A rule in effect: a built-in `static` declaration, or a policy rule shared by reference count.

use std::sync::Arc;

use super::{FixAvailability, PolicyCheck, Rule, RuleOption, Status, Target};
use crate::linter::diagnostic::{Category, Finding, Severity};
use crate::syntax::span::Span;

/// A policy rule (from a YAML policy file or a Rego package): a [`Rule`]'s fields as owned
/// values, and the check the policy layer built for it.
pub struct PolicyRuleDecl {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub target: Target,
    pub category: Category,
    pub severity: Severity,
    pub default_enabled: bool,
    pub related: Vec<String>,
    pub docs: String,
    /// The options it accepts: those of the built-in rule a `builtin:` template runs.
    pub options: &'static [RuleOption],
    pub check: Box<dyn PolicyCheck>,
}

impl std::fmt::Debug for PolicyRuleDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyRuleDecl")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A built-in rule or a policy rule, cheap to clone; what settings, the engine, suppressions,
/// reporters and the language server hold.
#[derive(Clone, Debug)]
pub enum RuleRef {
    Builtin(&'static Rule),
    Policy(Arc<PolicyRuleDecl>),
}

impl From<&'static Rule> for RuleRef {
    fn from(rule: &'static Rule) -> Self {
        RuleRef::Builtin(rule)
    }
}

impl From<PolicyRuleDecl> for RuleRef {
    fn from(rule: PolicyRuleDecl) -> Self {
        RuleRef::Policy(Arc::new(rule))
    }
}

/// What identifies a rule in settings (severities and options are kept by code).
pub trait RuleCode {
    fn code(&self) -> &str;
}

impl<T: RuleCode + ?Sized> RuleCode for &T {
    fn code(&self) -> &str {
        (**self).code()
    }
}

impl RuleCode for Rule {
    fn code(&self) -> &str {
        self.code
    }
}

impl RuleCode for RuleRef {
    fn code(&self) -> &str {
        RuleRef::code(self)
    }
}

impl RuleRef {
    pub fn code(&self) -> &str {
        match self {
            RuleRef::Builtin(rule) => rule.code,
            RuleRef::Policy(rule) => &rule.code,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            RuleRef::Builtin(rule) => rule.name,
            RuleRef::Policy(rule) => &rule.name,
        }
    }

    pub fn summary(&self) -> &str {
        match self {
            RuleRef::Builtin(rule) => rule.summary,
            RuleRef::Policy(rule) => &rule.summary,
        }
    }

    pub fn target(&self) -> Target {
        match self {
            RuleRef::Builtin(rule) => rule.target,
            RuleRef::Policy(rule) => rule.target,
        }
    }

    pub fn category(&self) -> Category {
        match self {
            RuleRef::Builtin(rule) => rule.category,
            RuleRef::Policy(rule) => rule.category,
        }
    }

    /// The default severity of its findings.
    pub fn severity(&self) -> Severity {
        match self {
            RuleRef::Builtin(rule) => rule.severity,
            RuleRef::Policy(rule) => rule.severity,
        }
    }

    pub fn default_enabled(&self) -> bool {
        match self {
            RuleRef::Builtin(rule) => rule.default_enabled,
            RuleRef::Policy(rule) => rule.default_enabled,
        }
    }

    /// Policy rules offer no fixes.
    pub fn fix(&self) -> FixAvailability {
        match self {
            RuleRef::Builtin(rule) => rule.fix,
            RuleRef::Policy(_) => FixAvailability::None,
        }
    }

    pub fn status(&self) -> Status {
        match self {
            RuleRef::Builtin(rule) => rule.status,
            RuleRef::Policy(_) => Status::Stable,
        }
    }

    /// The version that introduced a built-in rule; `policy` for a policy rule.
    pub fn since(&self) -> &str {
        match self {
            RuleRef::Builtin(rule) => rule.since,
            RuleRef::Policy(_) => "policy",
        }
    }

    /// Ids of the same check elsewhere (`hadolint:DL3007`, `cis:4.1`).
    pub fn related(&self) -> Vec<&str> {
        match self {
            RuleRef::Builtin(rule) => rule.related.to_vec(),
            RuleRef::Policy(rule) => rule.related.iter().map(String::as_str).collect(),
        }
    }

    /// The rule's docs page (markdown).
    pub fn docs(&self) -> &str {
        match self {
            RuleRef::Builtin(rule) => rule.docs,
            RuleRef::Policy(rule) => &rule.docs,
        }
    }

    pub fn options(&self) -> &'static [RuleOption] {
        match self {
            RuleRef::Builtin(rule) => rule.options,
            RuleRef::Policy(rule) => rule.options,
        }
    }

    pub fn is_policy(&self) -> bool {
        matches!(self, RuleRef::Policy(_))
    }

    /// The same rule: the same declaration, or the same shared policy rule.
    pub fn same_as(&self, other: &RuleRef) -> bool {
        match (self, other) {
            (RuleRef::Builtin(a), RuleRef::Builtin(b)) => std::ptr::eq(*a, *b),
            (RuleRef::Policy(a), RuleRef::Policy(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// A finding of this rule, with the rule's default severity.
    pub fn finding(&self, span: Span, message: impl Into<String>) -> Finding {
        match self {
            RuleRef::Builtin(rule) => rule.finding(span, message),
            RuleRef::Policy(rule) => Finding {
                code: rule.code.clone().into(),
                name: rule.name.clone().into(),
                category: rule.category,
                severity: rule.severity,
                message: crate::syntax::excerpt::cap_message(message.into()),
                span,
                help: None,
                labels: Vec::new(),
                fix: None,
            },
        }
    }
}
