//! DF080 copy-source-not-found: a COPY or ADD source that is not in the build context, so the
//! build fails with "not found".

use std::collections::HashMap;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::build_context::{BuildContext, Resolved};
use crate::syntax::dockerignore::{clean_relative, has_wildcard};
use crate::syntax::excerpt::excerpt;

use super::build_support::closest;
use super::context_support::{context_is_plausible, context_sources};

pub static COPY_SOURCE_NOT_FOUND: Rule = Rule {
    code: "DF080",
    name: "copy-source-not-found",
    summary: "COPY or ADD names a source that is not in the build context",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    docs: include_str!("copy_source_not_found.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// A path of the context close to `source`: a sibling (same directory) one or two edits away.
fn suggestion<'c>(context: &'c BuildContext, source: &str) -> Option<&'c str> {
    let (parent, _) = source.rsplit_once('/').unwrap_or((".", source));
    let siblings = context
        .under(parent)
        .iter()
        .map(|entry| entry.path.as_str())
        .filter(|path| path.matches('/').count() == source.matches('/').count())
        .filter(|path| {
            context
                .entry(path)
                .is_some_and(|entry| entry.excluded.is_none())
        });
    closest(source, siblings)
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let Some(build) = context.build_context() else {
        return;
    };
    let sources = context_sources(context.dockerfile);
    if let (Some(first), Some(why)) = (sources.first(), &build.truncated) {
        let finding = out.report(
            first.source.span,
            format!("COPY and ADD sources are not checked: {why}"),
        );
        finding.severity = Severity::Info;
        finding.with_help(
            "list bulky directories in .dockerignore (they are then not walked), or check \
             this Dockerfile with its real build context",
        );
        return;
    }
    // Nothing found here: the Dockerfile is built from elsewhere (build-context-elsewhere
    // says where, when it can tell), and every source would be reported.
    if !context_is_plausible(&build, &sources) {
        return;
    }
    let missing: Vec<bool> = sources
        .iter()
        .map(|copy| matches!(copy.resolve(&build), Resolved::Missing))
        .collect();
    // Per instruction (by its span): whether every source is a wildcard that matches nothing.
    let mut copies_nothing: HashMap<usize, bool> = HashMap::new();
    for (copy, &gone) in sources.iter().zip(&missing) {
        let empty_glob = gone && has_wildcard(&clean_relative(&copy.source.value));
        *copies_nothing
            .entry(copy.instruction.span.start)
            .or_insert(true) &= empty_glob;
    }
    for (index, copy) in sources.iter().enumerate() {
        if !missing[index] {
            continue;
        }
        let cleaned = clean_relative(&copy.source.value);
        let finding = if has_wildcard(&cleaned) {
            // BuildKit copies nothing for a wildcard that matches nothing and goes on
            // (`COPY package.json yarn.lock* ./` copies a lock file when there is one): only
            // an instruction all of whose sources are such wildcards is reported.
            if !copies_nothing
                .get(&copy.instruction.span.start)
                .copied()
                .unwrap_or(false)
            {
                continue;
            }
            out.report(
                copy.source.span,
                format!(
                    "{} source `{}` matches nothing in the build context: BuildKit copies \
                     nothing, the classic builder fails with \"no source files were specified\"",
                    copy.keyword,
                    excerpt(&copy.source.value),
                ),
            )
        } else {
            out.report(
                copy.source.span,
                format!(
                    "{} source `{}` is not in the build context: the build fails with \"not found\"",
                    copy.keyword,
                    excerpt(&copy.source.value),
                ),
            )
        };
        match suggestion(&build, &cleaned) {
            Some(near) => finding.with_help(format!("did you mean `{}`?", excerpt(near))),
            None => finding.with_help(
                "check the path (it is relative to the build context, not to the Dockerfile), \
                 or create the file before building",
            ),
        };
    }
}
