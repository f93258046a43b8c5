//! The surfaces: the command line and the language-server adapter (the protocol itself is the
//! `plimsoll-lsp` crate). Only these write to stdout and stderr.

pub mod cli;
pub mod lsp;
mod values;
