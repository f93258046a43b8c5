//! Which Dockerfile rules judge the instruction an `ONBUILD` trigger runs, and which do not, so
//! the choice is explicit (the principle is in `src/semantic/triggers.rs` and
//! docs/dockerfile-coverage.md).
//!
//! A probe, not a grep: each Dockerfile rule runs on its docs' failing examples; every finding
//! that falls in an instruction that may be a trigger (not FROM, ONBUILD or MAINTAINER, not an
//! ARG before the first FROM) is probed by writing `ONBUILD ` in front of that instruction. The
//! rule sees triggers when the same finding comes back, moved by those eight bytes. A rule that
//! does not must be in [`NOT_SEEING`] with its reason; one that does must not be. A rule whose
//! examples give nothing to probe must be in one of the lists ([`NOT_SEEING`] or
//! [`SEEING_UNPROBED`]), so a new rule cannot slip through either way.

use std::collections::BTreeMap;

use plimsoll::linter::engine::{self, Settings};
use plimsoll::linter::rule::{Rule, Target};
use plimsoll::linter::rules;
use plimsoll::syntax::dockerfile::{Keyword, parse};
use plimsoll::{FileKind, Finding, SourceFile, Span};

/// Rules about the state of this image or stage, or about FROM: a trigger changes the child's
/// image and runs in the child's scope, so these rules do not count it.
const NOT_SEEING: &[(&str, &str)] = &[
    (
        "secret-in-build-context",
        "a trigger's COPY reads the child build's context, not this one",
    ),
    (
        "copy-ignored-source",
        "a trigger's COPY reads the child build's context, not this one",
    ),
    (
        "copy-source-not-found",
        "a trigger's COPY reads the child build's context, not this one",
    ),
    (
        "bulky-build-context",
        "a trigger's COPY reads the child build's context, not this one",
    ),
    (
        "build-context-elsewhere",
        "a trigger's COPY reads the child build's context, not this one",
    ),
    ("untagged-image", "judges FROM, which cannot be a trigger"),
    ("latest-tag", "judges FROM, which cannot be a trigger"),
    ("unpinned-digest", "judges FROM, which cannot be a trigger"),
    (
        "untrusted-base-image",
        "judges FROM, which cannot be a trigger",
    ),
    (
        "redundant-target-platform",
        "judges FROM, which cannot be a trigger",
    ),
    (
        "from-platform-constant",
        "judges FROM, which cannot be a trigger",
    ),
    (
        "invalid-default-arg-in-from",
        "judges FROM and the ARGs before it",
    ),
    ("duplicate-stage-name", "stage names of this file"),
    ("reserved-stage-name", "stage names of this file"),
    ("stage-name-casing", "stage names of this file"),
    (
        "root-user",
        "the user this image ends with; ONBUILD USER sets the child's",
    ),
    (
        "healthcheck-missing",
        "whether this image has a HEALTHCHECK",
    ),
    (
        "multiple-healthchecks",
        "how many HEALTHCHECKs this stage has",
    ),
    (
        "multiple-cmd-entrypoint",
        "how many CMDs and ENTRYPOINTs this stage has",
    ),
    ("consecutive-run", "the layers of this stage"),
    (
        "copy-from-invalid-stage",
        "a trigger's `--from` names a stage of the child's Dockerfile",
    ),
    (
        "copy-whole-filesystem",
        "whether `--from` is a stage of this file, which a trigger's is not",
    ),
    (
        "undefined-variable",
        "a trigger expands variables in the child's scope (its ARGs and ENVs)",
    ),
    (
        "maintainer-deprecated",
        "`ONBUILD MAINTAINER` is already a parse error, as in BuildKit",
    ),
];

/// Rules that see triggers although their examples give nothing to probe.
const SEEING_UNPROBED: &[(&str, &str)] = &[(
    "shellcheck",
    "its findings come from ShellCheck, which this test does not run; `ONBUILD RUN` scripts are \
     checked (src/linter/shellcheck.rs)",
)];

/// The `## Example` code blocks of a rule's docs written as Dockerfiles.
fn failing_examples(docs: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut in_section = false;
    let mut open: Option<String> = None;
    for line in docs.lines() {
        if let Some(body) = open.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(open.take().unwrap_or_default());
            } else {
                body.push_str(line);
                body.push('\n');
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            in_section = title.trim() == "Example";
            continue;
        }
        if in_section
            && let Some(language) = line.trim_start().strip_prefix("```")
            && matches!(language.trim(), "dockerfile" | "Dockerfile")
        {
            open = Some(String::new());
        }
    }
    blocks
}

fn findings(rule: &Rule, text: &str) -> Vec<Finding> {
    let source = SourceFile::new("Dockerfile", text.to_string(), FileKind::Dockerfile);
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    engine::check(&source, &settings)
        .into_iter()
        .filter(|finding| finding.code == rule.code)
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// A probed finding came back on the trigger.
    Sees,
    /// Every probed finding went away.
    Ignores,
    /// No finding of the examples falls in an instruction that may be a trigger.
    Unprobed,
}

fn probe(rule: &Rule) -> Verdict {
    const PREFIX: &str = "ONBUILD ";
    let mut probed = false;
    for example in failing_examples(rule.docs) {
        let dockerfile = parse(&example);
        for finding in findings(rule, &example) {
            let Some(instruction) = dockerfile.instructions.iter().find(|instruction| {
                instruction.span.start <= finding.span.start
                    && finding.span.end <= instruction.span.end
            }) else {
                continue;
            };
            let wrappable = instruction.stage.is_some()
                && !matches!(
                    instruction.keyword,
                    Keyword::From | Keyword::Onbuild | Keyword::Maintainer
                );
            if !wrappable {
                continue;
            }
            probed = true;
            let at = instruction.span.start;
            let wrapped = format!("{}{PREFIX}{}", &example[..at], &example[at..]);
            let moved = Span {
                start: finding.span.start + PREFIX.len(),
                end: finding.span.end + PREFIX.len(),
            };
            if findings(rule, &wrapped).iter().any(|f| f.span == moved) {
                return Verdict::Sees;
            }
        }
    }
    if probed {
        Verdict::Ignores
    } else {
        Verdict::Unprobed
    }
}

#[test]
fn every_dockerfile_rule_declares_whether_it_sees_onbuild_triggers() {
    let not_seeing: BTreeMap<&str, &str> = NOT_SEEING.iter().copied().collect();
    let unprobed: BTreeMap<&str, &str> = SEEING_UNPROBED.iter().copied().collect();
    let mut problems = Vec::new();
    let mut table = String::new();
    for rule in rules::all()
        .iter()
        .filter(|rule| rule.target == Target::Dockerfile)
    {
        let name = rule.name;
        let verdict = probe(rule);
        table.push_str(&format!("{name}: {verdict:?}\n"));
        match verdict {
            Verdict::Sees if not_seeing.contains_key(name) => problems.push(format!(
                "{name} sees ONBUILD triggers but is listed in NOT_SEEING"
            )),
            Verdict::Sees if unprobed.contains_key(name) => problems.push(format!(
                "{name} is now probed (it sees triggers): remove it from SEEING_UNPROBED"
            )),
            Verdict::Ignores if !not_seeing.contains_key(name) => problems.push(format!(
                "{name} does not see ONBUILD triggers: convert it to \
                 `semantic::effective_instructions`, or list it in NOT_SEEING with the reason"
            )),
            Verdict::Ignores if unprobed.contains_key(name) => {
                problems.push(format!(
                    "{name} does not see triggers but is in SEEING_UNPROBED"
                ));
            }
            Verdict::Unprobed if !not_seeing.contains_key(name) && !unprobed.contains_key(name) => {
                problems.push(format!(
                    "{name}: its examples give no instruction to wrap in ONBUILD; list it in \
                     NOT_SEEING or SEEING_UNPROBED"
                ));
            }
            _ => {}
        }
    }
    for name in not_seeing.keys().chain(unprobed.keys()) {
        if !rules::all().iter().any(|rule| rule.name == *name) {
            problems.push(format!("{name} is listed but is no rule"));
        }
    }
    assert!(problems.is_empty(), "{}\n\n{table}", problems.join("\n"));
}
