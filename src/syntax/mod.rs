//! The syntax layer: sources and spans, and the trees parsed from them (the YAML tree, the
//! Dockerfile parser with its shell analysis and variable expansion, the compose model, image
//! references). It imports no other layer.

pub mod compose;
pub mod dockerfile;
pub mod dockerignore;
pub mod excerpt;
pub mod image;
pub mod source;
pub mod span;
pub mod yaml;
