//! The linter layer: what a rule is, the built-in rules' registry, rule selection, inline
//! suppressions, and the engine that runs the enabled rules on one parsed file. It reads the
//! syntax and semantic layers and does no file I/O: the other files a check may look at come
//! through the [`project::Workspace`] trait, which the workspace layer implements.

pub mod catalogue;
pub mod diagnostic;
pub mod engine;
pub mod fix;
pub mod project;
pub mod rule;
pub mod selection;
pub mod shellcheck;
pub mod suppress;

// The built-in rules live at the top of the repository, code and prose side by side.
#[path = "../../rules/mod.rs"]
pub mod rules;
