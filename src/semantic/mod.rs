//! The semantic layer for Dockerfiles: what the syntax tree means across instructions and
//! stages (the stage graph, the shell in force, Windows images, the user in force). It reads
//! only the syntax layer (`dockerfile`, `image`, `span`, `source`); rules read the model
//! through it instead of walking the FROM chain themselves.

pub mod shell;
pub mod stages;
pub mod user;

pub use shell::{
    SH_FAMILY, ShellInForce, Shells, is_posix_shell, is_powershell_or_cmd, is_sh_family,
    shell_program,
};
pub use stages::{StageForest, StageNames, ancestors, is_windows_image, reaches_image};
pub use user::{StageUser, stage_user};
