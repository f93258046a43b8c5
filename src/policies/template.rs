//! Policy rules at run time: the checks of the templates a policy file instantiates
//! (`builtin:<rule>`, `compose-field`, `dockerfile-instruction`, `run-command`, `image`).
//! Policy files are read and validated in `workspace::config::policy`; this module only runs them.
//!
//! A policy rule is a [`RuleRef::Policy`], created when its config is loaded, whose check is a
//! [`TemplateCheck`], which implements the linter's [`PolicyCheck`] trait.

use std::path::PathBuf;

use regex::Regex;

use crate::linter::rule::RuleRef;
use crate::linter::rule::{ComposeContext, DockerfileContext, Emitter, PolicyCheck, Rule, Target};
use crate::linter::rules;
use crate::syntax::dockerfile::{Command, Keyword};
use crate::syntax::image::ImageRef;
use crate::syntax::source::FileKind;
use crate::syntax::span::Span;
use crate::syntax::yaml::Node;

/// The check of one policy rule: its template with options, and its message.
#[derive(Debug)]
pub struct TemplateCheck {
    /// The policy's `message`, with `{placeholders}`; `None` keeps the template's own message.
    pub message: Option<String>,
    pub template: Template,
}

/// A template instantiated with validated options.
#[derive(Debug)]
pub enum Template {
    /// A built-in rule's check under the policy's code (options come through the settings).
    Builtin(&'static Rule),
    ComposeField {
        /// Keys from the service down: `deploy.resources.limits.memory`.
        path: Vec<String>,
        condition: Condition,
        /// A service without the field passes (conditions other than `absent`/`present`).
        allow_absent: bool,
    },
    DockerfileInstruction {
        required: bool,
        every_stage: bool,
        what: InstructionTarget,
    },
    RunCommand {
        required: bool,
        pattern: CommandPattern,
    },
    Image(ImagePolicy),
}

/// What a `dockerfile-instruction` policy looks for.
#[derive(Debug)]
pub enum InstructionTarget {
    Keyword(Keyword),
    /// A flag (`platform`, without dashes) on instructions of `keyword` (any when `None`).
    Flag {
        keyword: Option<Keyword>,
        flag: String,
    },
    /// A LABEL key, with a value regex.
    Label {
        key: String,
        value: Option<Regex>,
    },
}

/// A shell command pattern of a `run-command` policy.
#[derive(Debug)]
pub struct CommandPattern {
    pub program: String,
    pub subcommand: Option<String>,
    /// Any of these flags (`-k`, `--insecure`); empty: no flag condition.
    pub flags: Vec<String>,
    pub argument: Option<Regex>,
}

/// An `image` policy: an allow-list and a deny-list of reference patterns, a tag regex, digests.
#[derive(Debug, Default)]
pub struct ImagePolicy {
    pub allowed: Vec<String>,
    pub denied: Vec<String>,
    pub tag: Option<Regex>,
    pub require_digest: bool,
}

/// The condition every service must meet on a `compose-field` path.
#[derive(Debug)]
pub enum Condition {
    Absent,
    Present,
    Equals(String),
    OneOf(Vec<String>),
    Matches(Regex),
    Compare(Comparison, f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Equal => "==",
            Comparison::NotEqual => "!=",
        }
    }

    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Equal => left == right,
            Comparison::NotEqual => left != right,
        }
    }
}

/// `<= 2g` → (`<=`, 2 GiB in bytes); `> 0.5` → (`>`, 0.5).
pub fn parse_comparison(text: &str) -> Option<(Comparison, f64)> {
    let text = text.trim();
    let ops = [
        ("<=", Comparison::LessOrEqual),
        (">=", Comparison::GreaterOrEqual),
        ("==", Comparison::Equal),
        ("!=", Comparison::NotEqual),
        ("<", Comparison::Less),
        (">", Comparison::Greater),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(word, op)| text.strip_prefix(word).map(|rest| (*op, rest)))?;
    Some((op, parse_quantity(rest)?))
}

/// A number with an optional size unit (`b`, `k`, `m`, `g`, `t`, optionally followed by `b`
/// or `ib`, any case): `512m` → 536870912, `0.5` → 0.5. Units are powers of 1024, as in Compose.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b').filter(|u| !u.is_empty()))
        .unwrap_or(unit);
    let factor = match unit {
        "" | "b" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    number.is_finite().then_some(number * factor)
}

/// `*` matches any run of characters (including `/`); everything else literally, ignoring case.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let text = text.to_ascii_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl TemplateCheck {
    /// The kind of files the check looks at.
    pub fn target(&self) -> Target {
        match &self.template {
            Template::Builtin(rule) => rule.target,
            Template::ComposeField { .. } => Target::Compose,
            Template::DockerfileInstruction { .. } | Template::RunCommand { .. } => {
                Target::Dockerfile
            }
            Template::Image(_) => Target::Any,
        }
    }

    fn applies_to_kind(&self, kind: FileKind) -> bool {
        match self.target() {
            Target::Any => true,
            Target::Dockerfile => kind == FileKind::Dockerfile,
            Target::Compose => kind == FileKind::Compose,
        }
    }

    /// `message` with `{name}` placeholders filled from `vars` (unknown ones stay as written).
    fn message(&self, default: String, vars: &[(&str, &str)]) -> String {
        let Some(template) = &self.message else {
            return default;
        };
        let mut out = template.clone();
        for (name, value) in vars.iter().chain([&("message", default.as_str())]) {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

impl PolicyCheck for TemplateCheck {
    fn applies_to(&self, kind: FileKind) -> bool {
        self.applies_to_kind(kind)
    }

    fn check_dockerfile(&self, context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
        run_dockerfile(self, context, out);
    }

    fn check_compose(&self, context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
        run_compose(self, context, out);
    }
}

/// Run a policy check on a Dockerfile.
fn run_dockerfile(check: &TemplateCheck, context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    match &check.template {
        Template::Builtin(rule) => {
            if let crate::linter::rule::Check::Dockerfile(f) = rule.check {
                let mut inner = Emitter::new(out.rule());
                f(context, &mut inner);
                for mut finding in inner.into_findings() {
                    finding.message = check.message(finding.message, &[]);
                    let (span, message) = (finding.span, finding.message.clone());
                    *out.report(span, message) = finding;
                }
            }
        }
        Template::DockerfileInstruction {
            required,
            every_stage,
            what,
        } => instruction(check, context, out, *required, *every_stage, what),
        Template::RunCommand { required, pattern } => {
            run_command(check, context, out, *required, pattern);
        }
        Template::Image(policy) => {
            for base in rules::base_images(context.dockerfile) {
                let text = base.resolved_from_args.unwrap_or(&base.raw.value);
                if let Some(problem) = policy.judge(base.image) {
                    let message = check.message(
                        format!("image `{text}` {problem}"),
                        &[("image", text), ("problem", &problem)],
                    );
                    out.report(base.raw.span, message);
                }
            }
        }
        Template::ComposeField { .. } => {}
    }
}

/// Run a policy check on a compose file.
fn run_compose(check: &TemplateCheck, context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    match &check.template {
        Template::Builtin(rule) => {
            if let crate::linter::rule::Check::Compose(f) = rule.check {
                let mut inner = Emitter::new(out.rule());
                f(context, &mut inner);
                for mut finding in inner.into_findings() {
                    finding.message = check.message(finding.message, &[]);
                    let (span, message) = (finding.span, finding.message.clone());
                    *out.report(span, message) = finding;
                }
            }
        }
        Template::ComposeField {
            path,
            condition,
            allow_absent,
        } => {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            let dotted = path.join(".");
            for service in &context.compose.services {
                let name = service.name.value.as_str();
                let value = service.node.path(&keys);
                let problem = field_problem(value, condition, *allow_absent);
                if let Some(problem) = problem {
                    let span = value.map_or(service.name.span, |v| v.span);
                    let shown = value.and_then(Node::as_str).unwrap_or("");
                    let message = check.message(
                        format!("service `{name}`: `{dotted}` {problem}"),
                        &[
                            ("service", name),
                            ("path", &dotted),
                            ("value", shown),
                            ("problem", &problem),
                        ],
                    );
                    rules::report_in_service(out, service, span, message);
                }
            }
        }
        Template::Image(policy) => {
            for service in &context.compose.services {
                // With `build:`, `image:` names the built image, not one pulled.
                let Some(field) = service.image.as_ref().filter(|_| service.build.is_none()) else {
                    continue;
                };
                let Some((image, _)) = rules::compose_image(&field.value) else {
                    continue;
                };
                if let Some(problem) = policy.judge(&image) {
                    let message = check.message(
                        format!(
                            "service `{}`: image `{}` {problem}",
                            service.name.value, field.value
                        ),
                        &[
                            ("service", &service.name.value),
                            ("image", &field.value),
                            ("problem", &problem),
                        ],
                    );
                    rules::report_in_service(out, service, field.span, message);
                }
            }
        }
        Template::DockerfileInstruction { .. } | Template::RunCommand { .. } => {}
    }
}

/// Why `value` fails `condition`, or `None` when it meets it.
fn field_problem(
    value: Option<&Node>,
    condition: &Condition,
    allow_absent: bool,
) -> Option<String> {
    let text = value.and_then(|v| v.as_scalar()).map(|s| s.value.as_str());
    match condition {
        Condition::Absent => value
            .filter(|v| !v.is_null())
            .map(|_| "is set, but must not be".to_string()),
        Condition::Present => match value {
            Some(v) if !v.is_null() => None,
            _ => Some("is not set".to_string()),
        },
        _ if value.is_none_or(Node::is_null) => (!allow_absent).then(|| "is not set".to_string()),
        Condition::Equals(expected) => {
            (text != Some(expected.as_str())).then(|| format!("must be `{expected}`"))
        }
        Condition::OneOf(choices) => {
            (!text.is_some_and(|t| choices.iter().any(|c| c == t))).then(|| {
                format!(
                    "must be one of {}",
                    choices
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
        Condition::Matches(regex) => (!text.is_some_and(|t| regex.is_match(t)))
            .then(|| format!("must match `{}`", regex.as_str())),
        Condition::Compare(op, limit) => {
            let holds = text
                .and_then(parse_quantity)
                .is_some_and(|n| op.holds(n, *limit));
            (!holds).then(|| format!("must be {} {}", op.as_str(), show_quantity(*limit)))
        }
    }
}

/// A quantity for messages: sizes in the largest whole unit (`2g`), others as numbers.
fn show_quantity(n: f64) -> String {
    for (unit, factor) in [
        ("g", 1024f64.powi(3)),
        ("m", 1024f64.powi(2)),
        ("k", 1024.0),
    ] {
        if n >= factor && (n / factor).fract() == 0.0 {
            return format!("{}{unit}", n / factor);
        }
    }
    format!("{n}")
}

impl ImagePolicy {
    /// What is wrong with `image`, or `None` when the policy allows it.
    pub fn judge(&self, image: &ImageRef) -> Option<String> {
        let registry = image.registry.as_deref().unwrap_or("docker.io");
        let full = format!("{registry}/{}", image.repository);
        let hit = |pattern: &String| {
            if pattern.contains('/') {
                wildcard_match(pattern, &full)
                    || (image.registry.is_none()
                        && wildcard_match(
                            pattern,
                            &format!("docker.io/library/{}", image.repository),
                        ))
            } else {
                wildcard_match(pattern, registry)
            }
        };
        if let Some(pattern) = self.denied.iter().find(|p| hit(p)) {
            return Some(format!("is denied (`{pattern}`)"));
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(hit) {
            return Some(format!(
                "is not on the allow-list ({})",
                self.allowed
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(regex) = &self.tag {
            let tag = image.tag.as_deref().unwrap_or("latest");
            if !regex.is_match(tag) {
                return Some(format!(
                    "has tag `{tag}`, which must match `{}`",
                    regex.as_str()
                ));
            }
        }
        if self.require_digest && image.digest.is_none() {
            return Some("is not pinned by digest (`@sha256:…`)".to_string());
        }
        None
    }
}

fn instruction(
    check: &TemplateCheck,
    context: &DockerfileContext<'_>,
    out: &mut Emitter<'_>,
    required: bool,
    every_stage: bool,
    what: &InstructionTarget,
) {
    let dockerfile = context.dockerfile;
    let stages: Vec<_> = if every_stage {
        dockerfile.stages.iter().collect()
    } else {
        dockerfile.stages.last().into_iter().collect()
    };
    for stage in stages {
        let instructions: Vec<_> = dockerfile
            .instructions
            .get(stage.instructions.clone())
            .unwrap_or_default()
            .iter()
            .collect();
        let from_span = dockerfile
            .instructions
            .get(stage.from)
            .map_or(Span::new(0, 0), |i| i.keyword_span);
        let stage_name = stage
            .name
            .as_ref()
            .map_or_else(|| stage.index.to_string(), |n| n.value.clone());
        let stage_shown = match &stage.name {
            Some(name) => format!("stage `{}`", name.value),
            None if stage.index + 1 == dockerfile.stages.len() => "the final stage".to_string(),
            None => format!("stage {}", stage.index),
        };
        match what {
            InstructionTarget::Keyword(keyword) => {
                let found: Vec<_> = instructions
                    .iter()
                    .filter(|i| i.keyword == *keyword)
                    .collect();
                let word = keyword.as_str();
                if required && found.is_empty() {
                    let message = check.message(
                        format!("{stage_shown} has no {word} instruction"),
                        &[("stage", &stage_name), ("instruction", word)],
                    );
                    out.report(from_span, message);
                }
                if !required {
                    for i in found {
                        let message = check.message(
                            format!("{word} is not allowed here"),
                            &[("stage", &stage_name), ("instruction", word)],
                        );
                        out.report(i.keyword_span, message);
                    }
                }
            }
            InstructionTarget::Flag { keyword, flag } => {
                for i in instructions
                    .iter()
                    .filter(|i| keyword.is_none_or(|k| i.keyword == k))
                {
                    let word = i.keyword.as_str();
                    match (i.flag(flag), required) {
                        (Some(found), false) => {
                            let message = check.message(
                                format!("{word} must not use `--{flag}`"),
                                &[
                                    ("stage", &stage_name),
                                    ("instruction", word),
                                    ("flag", flag),
                                ],
                            );
                            out.report(found.span, message);
                        }
                        (None, true) => {
                            let message = check.message(
                                format!("{word} must use `--{flag}`"),
                                &[
                                    ("stage", &stage_name),
                                    ("instruction", word),
                                    ("flag", flag),
                                ],
                            );
                            out.report(i.keyword_span, message);
                        }
                        _ => {}
                    }
                }
            }
            InstructionTarget::Label { key, value } => {
                let labels: Vec<_> = instructions
                    .iter()
                    .filter_map(|i| match &i.command {
                        Command::Label(pairs) => Some(pairs.iter()),
                        _ => None,
                    })
                    .flatten()
                    .filter(|pair| pair.key.value == *key)
                    .collect();
                let value_ok = |pair: &&crate::syntax::dockerfile::KeyValue| {
                    value.as_ref().is_none_or(|regex| {
                        regex.is_match(pair.value.as_ref().map_or("", |v| v.value.as_str()))
                    })
                };
                if required {
                    if labels.is_empty() {
                        let message = check.message(
                            format!("{stage_shown} has no label `{key}`"),
                            &[("stage", &stage_name), ("label", key)],
                        );
                        out.report(from_span, message);
                    } else if let Some(regex) = value
                        && let Some(last) = labels.last().filter(|p| !value_ok(p))
                    {
                        let span = last.value.as_ref().map_or(last.key.span, |v| v.span);
                        let message = check.message(
                            format!("label `{key}` must match `{}`", regex.as_str()),
                            &[("stage", &stage_name), ("label", key)],
                        );
                        out.report(span, message);
                    }
                } else {
                    for pair in labels.iter().filter(|p| value_ok(p)) {
                        let message = check.message(
                            format!("label `{key}` is not allowed"),
                            &[("stage", &stage_name), ("label", key)],
                        );
                        out.report(pair.key.span, message);
                    }
                }
            }
        }
    }
}

fn run_command(
    check: &TemplateCheck,
    context: &DockerfileContext<'_>,
    out: &mut Emitter<'_>,
    required: bool,
    pattern: &CommandPattern,
) {
    let commands = rules::run_commands(context);
    let matching: Vec<_> = commands.iter().filter(|c| pattern.matches(c)).collect();
    let program = pattern.program.as_str();
    if required {
        if matching.is_empty()
            && let Some(last) = context.dockerfile.stages.last()
            && let Some(from) = context.dockerfile.instructions.get(last.from)
        {
            let message =
                check.message(format!("no RUN runs `{program}`"), &[("program", program)]);
            out.report(from.keyword_span, message);
        }
        return;
    }
    for command in matching {
        let shown = context
            .source
            .text
            .get(command.span.start..command.span.end)
            .unwrap_or(program)
            .to_string();
        let message = check.message(
            format!("`{program}` is not allowed in RUN"),
            &[("program", program), ("command", &shown)],
        );
        out.report(command.span, message);
    }
}

impl CommandPattern {
    pub fn matches(&self, command: &crate::syntax::dockerfile::shell::SimpleCommand) -> bool {
        let view = command.effective();
        if view.program() != Some(self.program.as_str()) {
            return false;
        }
        if let Some(sub) = &self.subcommand
            && view.subcommand().map(|w| w.value.as_str()) != Some(sub.as_str())
        {
            return false;
        }
        if !self.flags.is_empty()
            && !self.flags.iter().any(|flag| match flag.strip_prefix("--") {
                Some(long) => view.has_long_flag(long),
                None => flag
                    .strip_prefix('-')
                    .and_then(|s| s.chars().next())
                    .is_some_and(|c| view.has_short_flag(c)),
            })
        {
            return false;
        }
        if let Some(regex) = &self.argument
            && !view.args.iter().any(|word| regex.is_match(&word.value))
        {
            return false;
        }
        true
    }
}

/// Where a policy rule was declared, and its examples (for `plimsoll test`).
#[derive(Clone, Debug)]
pub struct PolicyRule {
    pub rule: RuleRef,
    /// Options of a `builtin:` template, validated against the built-in rule's declaration.
    pub options: Vec<(String, crate::linter::rule::OptionValue)>,
    pub path: PathBuf,
    /// 1-based line of the rule's entry in the policy file.
    pub line: usize,
    pub examples: Vec<PolicyExample>,
}

/// One bad or good example of a policy rule.
#[derive(Clone, Debug)]
pub struct PolicyExample {
    /// `true`: must produce a finding of the rule; `false`: must produce none.
    pub bad: bool,
    pub kind: FileKind,
    pub text: String,
    /// 1-based line of the example in the policy file.
    pub line: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_comparisons() {
        assert_eq!(parse_quantity("2g"), Some(2.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_quantity("512MB"), Some(512.0 * 1024.0 * 1024.0));
        assert_eq!(parse_quantity("0.5"), Some(0.5));
        assert_eq!(parse_quantity("2x"), None);
        assert_eq!(
            parse_comparison("<= 2g"),
            Some((Comparison::LessOrEqual, 2.0 * 1024.0 * 1024.0 * 1024.0))
        );
        assert_eq!(parse_comparison("> 0.5"), Some((Comparison::Greater, 0.5)));
        assert_eq!(parse_comparison("2g"), None);
        assert_eq!(show_quantity(2.0 * 1024.0 * 1024.0 * 1024.0), "2g");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "registry.acme.internal/*",
            "registry.acme.internal/a/b"
        ));
        assert!(!wildcard_match(
            "registry.acme.internal/*",
            "docker.io/library/alpine"
        ));
        assert!(wildcard_match("*.acme.internal", "registry.acme.internal"));
        assert!(!wildcard_match("*.acme.internal", "acme.internal.evil.com"));
        assert!(wildcard_match("a*b*c", "aXbYc"));
        assert!(!wildcard_match("a*a", "a"));
    }

    #[test]
    fn image_policy_judges_references() {
        let policy = ImagePolicy {
            allowed: vec!["registry.acme.internal/*".into()],
            require_digest: true,
            ..ImagePolicy::default()
        };
        let alpine = ImageRef::parse("alpine:3.20").unwrap();
        assert!(policy.judge(&alpine).unwrap().contains("allow-list"));
        let internal = ImageRef::parse("registry.acme.internal/base/alpine:3.20").unwrap();
        assert!(policy.judge(&internal).unwrap().contains("digest"));
        let pinned = ImageRef::parse(&format!(
            "registry.acme.internal/base/alpine:3.20@sha256:{}",
            "a".repeat(64)
        ))
        .unwrap();
        assert_eq!(policy.judge(&pinned), None);
        let deny = ImagePolicy {
            denied: vec!["docker.io/library/*".into()],
            ..ImagePolicy::default()
        };
        assert!(deny.judge(&alpine).unwrap().contains("denied"));
    }
}
