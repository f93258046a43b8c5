//! The semantic layer: what the syntax trees mean across instructions and stages (the stage
//! graph, the shell in force, Windows images, the user in force) and what looks like a secret.
//! It reads only the syntax layer; rules read the model through it instead of walking the FROM
//! chain themselves.

pub mod secrets;
pub mod shell;
pub mod stages;
pub mod user;

pub use shell::{
    SH_FAMILY, ShellInForce, Shells, is_posix_shell, is_powershell_or_cmd, is_sh_family,
    shell_program,
};
pub use stages::{StageForest, StageNames, ancestors, is_windows_image, reaches_image};
pub use user::{StageUser, stage_user};
