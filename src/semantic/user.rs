//! The user in force: the last USER of a stage or, without one, of the stages it is built on.

use crate::syntax::dockerfile::{Command, Dockerfile, Stage, User};

use super::stages::ancestors;

/// Who a stage runs as, from its last USER or, without one, the stages it is built on.
pub enum StageUser<'a> {
    /// No USER in the stage nor in the stages it is built on through `FROM <stage>`; `base` is
    /// the stage where that chain ends (its base image decides the user).
    Unset { base: &'a Stage },
    /// The last USER in force, written in `stage`.
    Set { stage: &'a Stage, user: &'a User },
}

/// The user the stage at `index` runs as.
pub fn stage_user(dockerfile: &Dockerfile, index: usize) -> Option<StageUser<'_>> {
    let mut base = dockerfile.stages.get(index)?;
    for stage in ancestors(dockerfile, base) {
        base = stage;
        let last_user = dockerfile
            .stage_instructions(stage)
            .iter()
            .rev()
            .find_map(|instruction| match &instruction.command {
                Command::User(user) => Some(user),
                _ => None,
            });
        if let Some(user) = last_user {
            return Some(StageUser::Set { stage, user });
        }
    }
    Some(StageUser::Unset { base })
}
