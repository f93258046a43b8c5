//! Spanned YAML tree → typed compose model.

use super::ComposeFile;

/// Parse compose text into the model. Never panics.
pub fn parse(text: &str) -> ComposeFile {
    ComposeFile {
        yaml: crate::yaml::parse(text),
        ..ComposeFile::default()
    }
}
