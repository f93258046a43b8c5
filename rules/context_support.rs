//! What the build-context rules share: the COPY and ADD sources that come from the build
//! context (no `--from`, no URL, no heredoc, no variable) with the instruction's `--parents`
//! and `--exclude`, and whether the context the run found looks like the one the Dockerfile is
//! built with.

use std::rc::Rc;

use crate::semantic::build_context::{BuildContext, CopyFlags, Resolved};
use crate::syntax::dockerfile::{Command, Dockerfile, Instruction};
use crate::syntax::dockerignore::{DockerIgnore, clean_relative};
use crate::syntax::span::Spanned;

/// A COPY or ADD source read from the build context.
pub(crate) struct ContextSource<'a> {
    /// `COPY` or `ADD`.
    pub keyword: &'static str,
    pub instruction: &'a Instruction,
    pub source: &'a Spanned<String>,
    /// The instruction's `--parents` and `--exclude` (shared by its sources).
    pub flags: Rc<CopyFlags>,
    /// Whether `flags.exclude` holds every `--exclude` of the instruction: `false` when one has
    /// a variable, no value or a pattern BuildKit refuses, so what it leaves out is unknown.
    pub excludes_known: bool,
}

/// `--parents` as BuildKit reads a boolean flag: bare or `=true` is on, `=false` off (any case).
fn parents_flag(instruction: &Instruction) -> bool {
    instruction.flag("parents").is_some_and(|flag| {
        flag.value
            .as_ref()
            .is_none_or(|value| value.value.eq_ignore_ascii_case("true"))
    })
}

/// The `--exclude` patterns of an instruction, or `None` when they cannot be known.
fn excludes(instruction: &Instruction) -> Option<DockerIgnore> {
    let mut patterns = Vec::new();
    for flag in instruction.flags_named("exclude") {
        let value = flag.value.as_ref()?;
        if value.value.contains('$') {
            return None;
        }
        patterns.push(value.value.as_str());
    }
    DockerIgnore::from_copy_excludes(patterns).ok()
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
        let exclude = excludes(instruction);
        let flags = Rc::new(CopyFlags {
            // ADD has no `--parents` (BuildKit refuses the flag there).
            parents: keyword == "COPY" && parents_flag(instruction),
            exclude: exclude.clone().unwrap_or_default(),
        });
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
                flags: Rc::clone(&flags),
                excludes_known: exclude.is_some(),
            });
        }
    }
    sources
}

impl ContextSource<'_> {
    /// Where this source leads in `context`.
    pub fn resolve<'c>(&self, context: &'c BuildContext) -> Resolved<'c> {
        context.resolve_with(&self.source.value, &self.flags)
    }

    /// Whether the source is the whole context (`.`, `./`, `/`).
    pub fn is_root(&self) -> bool {
        clean_relative(&self.source.value) == "."
    }
}

/// Whether the context found is plausibly the one the Dockerfile is built with: at least one
/// source other than `.` (a path or a glob) exists in it. When none does, the Dockerfile is most
/// likely built from another directory (`docker build -f … .`), and findings about missing
/// sources would all be wrong.
pub(crate) fn context_is_plausible(context: &BuildContext, sources: &[ContextSource<'_>]) -> bool {
    sources.iter().any(|s| {
        !s.is_root()
            && matches!(
                s.resolve(context),
                Resolved::Found(_) | Resolved::Excluded(_)
            )
    })
}
