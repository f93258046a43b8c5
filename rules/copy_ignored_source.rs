//! DF079 copy-ignored-source: a COPY or ADD source that `.dockerignore` keeps out of the build
//! context, so the build copies nothing or fails (BuildKit's CopyIgnoredFile).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::build_context::Resolved;
use crate::syntax::excerpt::excerpt;

use super::context_support::context_sources;

pub static COPY_IGNORED_SOURCE: Rule = Rule {
    code: "DF079",
    name: "copy-ignored-source",
    summary: "COPY or ADD names a source that .dockerignore excludes from the build context",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["buildkit:CopyIgnoredFile"],
    docs: include_str!("copy_ignored_source.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let Some(build) = context.build_context() else {
        return;
    };
    for copy in context_sources(context.dockerfile) {
        let Resolved::Excluded(pattern) = copy.resolve(&build) else {
            continue;
        };
        let ignore = build.ignore_name();
        out.report(
            copy.source.span,
            format!(
                "{} source `{}` is excluded from the build context by {ignore} line {} (`{}`): \
                 the builder never receives it, so the build fails or copies nothing",
                copy.keyword,
                excerpt(&copy.source.value),
                pattern.line,
                excerpt(&pattern.text),
            ),
        )
        .with_help(format!(
            "remove or narrow line {} of {ignore}, add an exception after it (`!{}`), or drop \
             the source from the {}",
            pattern.line,
            excerpt(crate::syntax::dockerignore::clean_relative(&copy.source.value).as_str()),
            copy.keyword,
        ));
    }
}
