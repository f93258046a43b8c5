//! Dockerfiles: the syntax tree, the BuildKit-faithful parser, and shell analysis of RUN.

pub mod ast;
pub mod expansion;
pub mod flags;
mod lexer;
mod parser;
pub mod shell;

pub use ast::*;
pub use parser::parse;
