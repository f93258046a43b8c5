//! DF083 build-context-elsewhere: no COPY or ADD source exists beside the Dockerfile, but every
//! one exists in a directory above it (up to the repository root): the Dockerfile is built
//! from there (`docker build -f docker/app.Dockerfile .`), and the run should be told so.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::build_context::{ContextOrigin, Resolved};
use crate::syntax::excerpt::excerpt;

use super::context_support::{context_is_plausible, context_sources};

pub static BUILD_CONTEXT_ELSEWHERE: Rule = Rule {
    code: "DF083",
    name: "build-context-elsewhere",
    summary: "No COPY or ADD source is beside the Dockerfile but all are in a directory above it: \
              declare that directory as its build context",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Info,
    docs: include_str!("build_context_elsewhere.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let Some(build) = context.build_context() else {
        return;
    };
    // A declared context (compose, config) is the user's word; a partial listing proves nothing.
    if build.truncated.is_some()
        || context.workspace.build_context_origin(&context.source.path)
            != ContextOrigin::OwnDirectory
    {
        return;
    }
    let sources = context_sources(context.dockerfile);
    let named: Vec<_> = sources.iter().filter(|s| !s.is_root()).collect();
    let Some(first) = named.first() else {
        return;
    };
    if context_is_plausible(&build, &sources)
        || !named
            .iter()
            .all(|s| matches!(s.resolve(&build), Resolved::Missing))
    {
        return;
    }
    let mut written: Vec<&str> = named.iter().map(|s| s.source.value.as_str()).collect();
    written.dedup();
    let Some(found) = context
        .workspace
        .sources_elsewhere(&context.source.path, &written)
    else {
        return;
    };
    let which = if found.repository_root {
        " (the repository root)"
    } else {
        ""
    };
    let (none_here, all_there) = match named.as_slice() {
        [only] => (
            format!(
                "the {} source `{}` is not in the Dockerfile's directory",
                only.keyword,
                excerpt(&only.source.value)
            ),
            "it is",
        ),
        all => (
            format!(
                "none of the {} COPY and ADD sources is in the Dockerfile's directory",
                all.len()
            ),
            "all are",
        ),
    };
    out.report(
        first.source.span,
        format!(
            "{none_here}, but {all_there} in `{}`{which}: the Dockerfile is most likely built \
             from there (`docker build -f {} .`), so its sources are not checked",
            excerpt(&found.dir),
            excerpt(&found.dockerfile_from_dir),
        ),
    )
    .with_help(format!(
        "declare the build context: add `build-contexts: [{{dockerfile: {}, context: {}}}]` to \
         `{}`, or build it from a compose service there (`build: {{context: ., dockerfile: {}}}`)",
        excerpt(&found.entry_dockerfile),
        excerpt(&found.entry_context),
        excerpt(&found.config_file),
        excerpt(&found.dockerfile_from_dir),
    ));
}
