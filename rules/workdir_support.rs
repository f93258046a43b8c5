//! Helpers of the rules about the working directory (`workdir-relative`,
//! `copy-relative-destination`): whether a path is absolute, and whether WORKDIR has been set
//! before an instruction, following `FROM <stage>`. Not a rule itself (it declares no `Rule`).

use crate::semantic::ancestors;
use crate::syntax::dockerfile::{Command, Dockerfile, Stage};

/// Whether a path is absolute on Linux or Windows, or starts with a variable (unknown here).
pub(crate) fn is_absolute_or_unknown(path: &str) -> bool {
    let path = path.trim_matches(['"', '\'']);
    let bytes = path.as_bytes();
    path.starts_with(['/', '$', '\\'])
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// Whether a stage, or a stage it is built on through `FROM <stage>`, sets WORKDIR before the
/// instruction at `before`.
pub(crate) fn workdir_set(dockerfile: &Dockerfile, stage: &Stage, before: usize) -> bool {
    ancestors(dockerfile, stage).any(|current| {
        // In the stage itself, only the instructions before `before`; in a base, all of them.
        let end = if current.index == stage.index {
            before.min(current.instructions.end)
        } else {
            current.instructions.end
        };
        dockerfile
            .instructions
            .get(current.instructions.start..end)
            .is_some_and(|instructions| {
                instructions
                    .iter()
                    .any(|instruction| matches!(instruction.command, Command::Workdir(_)))
            })
    })
}
