//! What the build-context rules share: the COPY and ADD sources that come from the build
//! context (no `--from`, no URL, no heredoc, no variable), and whether the context the run
//! found looks like the one the Dockerfile is built with.

use crate::semantic::build_context::{BuildContext, Resolved};
use crate::syntax::dockerfile::{Command, Dockerfile, Instruction};
use crate::syntax::span::Spanned;

/// A COPY or ADD source read from the build context.
pub(crate) struct ContextSource<'a> {
    /// `COPY` or `ADD`.
    pub keyword: &'static str,
    pub instruction: &'a Instruction,
    pub source: &'a Spanned<String>,
}

/// The context sources of the Dockerfile's own instructions, in order. ONBUILD triggers are
/// left out: they run in another build, with another context.
pub(crate) fn context_sources(dockerfile: &Dockerfile) -> Vec<ContextSource<'_>> {
    let mut sources = Vec::new();
    for instruction in &dockerfile.instructions {
        let (keyword, copy) = match &instruction.command {
            Command::Copy(copy) => ("COPY", copy),
            Command::Add(copy) => ("ADD", copy),
            _ => continue,
        };
        if instruction.flag("from").is_some() {
            continue;
        }
        for source in &copy.sources {
            let value = &source.value;
            let remote = value.contains("://") || value.starts_with("git@");
            if remote
                || value.starts_with("<<")
                || value.contains('$')
                || value.contains(['"', '\''])
                || value.is_empty()
            {
                continue;
            }
            sources.push(ContextSource {
                keyword,
                instruction,
                source,
            });
        }
    }
    sources
}

/// Whether the context found is plausibly the one the Dockerfile is built with: at least one
/// source other than `.` (a path or a glob) exists in it. When none does, the Dockerfile is most
/// likely built from another directory (`docker build -f … .`), and findings about missing
/// sources would all be wrong.
pub(crate) fn context_is_plausible(context: &BuildContext, sources: &[ContextSource<'_>]) -> bool {
    sources.iter().any(|s| {
        crate::syntax::dockerignore::clean_relative(&s.source.value) != "."
            && matches!(
                context.resolve(&s.source.value),
                Resolved::Found(_) | Resolved::Excluded(_)
            )
    })
}
