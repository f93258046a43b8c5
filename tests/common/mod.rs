//! Helpers shared by the integration tests (each test crate includes this with `mod common;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/<relative>` beside the repository, if it is there. The suite must pass on a fresh
/// clone without it, so callers skip (with a note) when this is `None`.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("note: {} is absent; skipped", path.display());
        None
    }
}

/// Every file below `root`, sorted; walked with an explicit stack.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
