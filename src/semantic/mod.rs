//! The semantic layer: what the syntax trees mean across instructions and stages (the stage
//! graph, the shell in force, Windows images, the user in force and who base images run as,
//! ONBUILD triggers as the instructions they run) and what looks like a secret. It reads only
//! the syntax layer; rules read the model through it instead of walking the FROM chain
//! themselves.
//!
//! ONBUILD: a rule about an instruction's own text or arguments judges the instruction an
//! `ONBUILD` trigger runs as well (it runs in every child build), through
//! [`effective_instructions`]; a rule about the state of this image or stage (final user,
//! HEALTHCHECK, CMD count, stage names, base images, variables in scope) does not count
//! triggers. The details are in [`triggers`].

pub mod build_context;
pub mod compose;
pub mod image_users;
pub mod pins;
pub mod secrets;
pub mod shell;
pub mod stages;
pub mod triggers;
pub mod user;

pub use image_users::{ImageUser, NonRootImages};
pub use shell::{
    SH_FAMILY, ShellInForce, Shells, is_posix_shell, is_powershell_or_cmd, is_sh_family,
    shell_program,
};
pub use stages::{
    StageForest, StageNames, ancestors, is_windows_base, is_windows_image, reaches_image,
    windows_stages,
};
pub use triggers::{Effective, effective_instructions, effective_stage_instructions};
pub use user::{StageUser, stage_user};
