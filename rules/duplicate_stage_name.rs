//! DF041 duplicate-stage-name: two stages share a name (compared case-insensitively).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::span::Spanned;

pub static DUPLICATE_STAGE_NAME: Rule = Rule {
    code: "DF041",
    name: "duplicate-stage-name",
    summary: "Two build stages have the same name",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    related: &[
        "hadolint:DL3024",
        "buildkit:DuplicateStageName",
        "kics:f2daed12",
        "checkov:CKV_DOCKER_11",
        "trivy:DS-0012",
    ],
    docs: include_str!("duplicate_stage_name.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    // The first use of each name, lower-cased: linear in the number of stages.
    let mut seen: HashMap<String, &Spanned<String>> = HashMap::new();
    for stage in &context.dockerfile.stages {
        let Some(name) = &stage.name else { continue };
        let first = match seen.entry(name.value.to_ascii_lowercase()) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(name);
                None
            }
        };
        if let Some(first) = first {
            out.report(
                name.span,
                format!("stage name `{}` is already used by an earlier stage", name.value),
            )
            .with_label(first.span, "first used here")
            .with_help("give each stage its own name; `--from` and `FROM <stage>` can only reach one of them");
        }
    }
}
