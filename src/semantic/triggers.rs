//! ONBUILD triggers as the instructions they run: [`effective_instructions`] walks a
//! Dockerfile's top-level instructions with each `ONBUILD X` replaced by its trigger `X`.
//!
//! The principle rules follow (docs/dockerfile-coverage.md, "ONBUILD triggers"):
//! - A rule about an instruction's **own text or arguments** (ADD vs COPY, a URL without a
//!   checksum, a secret file copied, a relative WORKDIR, an invalid port, a label key, the legacy
//!   `ENV key value` form, a shell-form CMD, an unknown flag, the commands a RUN runs) judges the
//!   trigger too: `ONBUILD ADD http://…` runs in every build `FROM` this image, and is as wrong
//!   there as it would be here. Such rules iterate [`effective_instructions`].
//! - A rule about the **state of this image or stage** (the final user, a missing HEALTHCHECK,
//!   several CMDs in a stage, consecutive RUNs, stage names, FROM and base images, variables in
//!   scope, `COPY --from` a stage) does not count triggers: a trigger changes the child's image,
//!   not this one, and runs in the child's scope (its stages, its ARGs, its WORKDIR).
//!
//! A trigger keeps the spans of its own text (the `ADD …` after `ONBUILD `), so findings and
//! fixes point at and edit the trigger's bytes. Its `stage` is the stage of the ONBUILD.

use crate::syntax::dockerfile::{Dockerfile, Instruction, Stage};

/// One instruction a Dockerfile runs: a top-level instruction, or the trigger of an ONBUILD.
#[derive(Clone, Copy, Debug)]
pub struct Effective<'a> {
    /// The index in [`Dockerfile::instructions`] of the top-level instruction (the ONBUILD,
    /// for a trigger): the key of per-instruction data such as the shell in force or the
    /// linter's shell analyses, which cover triggers under their ONBUILD's index.
    pub index: usize,
    /// The instruction as it runs: the trigger for an ONBUILD, otherwise the instruction itself.
    pub instruction: &'a Instruction,
    /// `true` when `instruction` is an ONBUILD's trigger, run by the builds based on this image.
    pub is_trigger: bool,
}

/// Every instruction the file runs, in order, each `ONBUILD X` given as its trigger `X` (the
/// ONBUILD itself is not yielded; `ONBUILD` with an invalid trigger yields that trigger, whose
/// command is `Command::Invalid`).
pub fn effective_instructions(dockerfile: &Dockerfile) -> impl Iterator<Item = Effective<'_>> {
    effective(0, &dockerfile.instructions)
}

/// [`effective_instructions`] of one stage (its FROM included).
pub fn effective_stage_instructions<'a>(
    dockerfile: &'a Dockerfile,
    stage: &Stage,
) -> impl Iterator<Item = Effective<'a>> {
    effective(
        stage.instructions.start,
        dockerfile.stage_instructions(stage),
    )
}

fn effective(first: usize, instructions: &[Instruction]) -> impl Iterator<Item = Effective<'_>> {
    instructions
        .iter()
        .enumerate()
        .map(move |(offset, instruction)| Effective {
            index: first + offset,
            instruction: instruction.trigger_or_self(),
            is_trigger: instruction.trigger().is_some(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::dockerfile::{Command, Keyword, parse};

    #[test]
    fn triggers_replace_their_onbuild_and_keep_their_own_spans() {
        let text = "FROM alpine\nONBUILD ADD --chmod=644 http://x/y /z\nRUN a\n\
                    FROM alpine AS b\nONBUILD RUN <<EOF\necho hi\nEOF\n";
        let dockerfile = parse(text);
        let all: Vec<_> = effective_instructions(&dockerfile).collect();
        let keywords: Vec<_> = all.iter().map(|e| e.instruction.keyword).collect();
        assert_eq!(
            keywords,
            [
                Keyword::From,
                Keyword::Add,
                Keyword::Run,
                Keyword::From,
                Keyword::Run
            ]
        );
        assert_eq!(
            all.iter().map(|e| e.is_trigger).collect::<Vec<_>>(),
            [false, true, false, false, true]
        );
        assert_eq!(
            all.iter().map(|e| e.index).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
        let add = all[1].instruction;
        assert_eq!(add.span.text(text), "ADD --chmod=644 http://x/y /z");
        assert_eq!(add.keyword_span.text(text), "ADD");
        assert_eq!(add.flags[0].span.text(text), "--chmod=644");
        assert_eq!(add.args_span.text(text), "http://x/y /z");
        let Command::Add(copy) = &add.command else {
            panic!("not ADD: {:?}", add.command);
        };
        assert_eq!(copy.sources[0].span.text(text), "http://x/y");
        assert_eq!(copy.destination.as_ref().unwrap().span.text(text), "/z");
        assert_eq!(add.stage, Some(0));
        // A trigger with a heredoc owns it, and its span reaches the terminator.
        let run = all[4].instruction;
        assert_eq!(run.span.text(text), "RUN <<EOF\necho hi\nEOF");
        assert_eq!(run.heredocs[0].body.span.text(text), "echo hi\n");
        assert_eq!(run.stage, Some(1));
        let stage: Vec<_> = effective_stage_instructions(&dockerfile, &dockerfile.stages[1])
            .map(|e| (e.index, e.is_trigger))
            .collect();
        assert_eq!(stage, [(3, false), (4, true)]);
    }
}
