//! The workspace layer: everything that reads or writes files. Config discovery and resolution
//! (with the policy files it names), file discovery, the runner that reads and checks each file,
//! the baseline, and atomic writes; and the registry client of `plimsoll pin`, the only code that
//! touches the network.

pub mod atomic_write;
pub mod baseline;
pub mod build_context;
pub mod changes;
pub mod compose_project;
pub mod config;
pub mod discover;
pub mod listing;
pub mod registry;
pub mod results;
pub mod runner;
pub mod shellcheck;
