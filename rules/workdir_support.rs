//! Helpers of the rules about the working directory (`workdir-relative`,
//! `copy-relative-destination`): whether a path is absolute, and whether WORKDIR has been set
//! before an instruction, following `FROM <stage>`. Not a rule itself (it declares no `Rule`).

use crate::dockerfile::{BaseKind, Command, Dockerfile, Stage};

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
    let mut current = stage;
    let mut limit = before;
    // Stage references point backwards; the count bounds the walk whatever the model says.
    for _ in 0..=dockerfile.stages.len() {
        let range = current.instructions.start..limit.min(current.instructions.end);
        if let Some(instructions) = dockerfile.instructions.get(range)
            && instructions
                .iter()
                .any(|instruction| matches!(instruction.command, Command::Workdir(_)))
        {
            return true;
        }
        match current.base.kind {
            BaseKind::Stage { index } if index < current.index => {
                match dockerfile.stages.get(index) {
                    Some(base) => {
                        current = base;
                        limit = base.instructions.end;
                    }
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}
