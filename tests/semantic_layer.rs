//! The semantic layer sits on the syntax layer and nothing else: `src/semantic` may name only
//! the syntax modules (`dockerfile`, `image`, `span`, `source`), and the syntax modules never
//! name `semantic`. Read from the source text, like the rule meta-tests.

use std::fs;
use std::path::{Path, PathBuf};

const SYNTAX: &[&str] = &["dockerfile", "image", "span", "source"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The modules a file names as `crate::module`.
fn crate_modules(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(at, _)| {
            text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn the_semantic_layer_reads_only_the_syntax_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for file in rust_files(&src.join("semantic")) {
        let text = fs::read_to_string(&file).unwrap();
        for module in crate_modules(&text) {
            if module != "semantic" && !SYNTAX.contains(&module.as_str()) {
                wrong.push(format!("{} names crate::{module}", file.display()));
            }
        }
    }
    let mut syntax_files = rust_files(&src.join("dockerfile"));
    syntax_files.extend(["image.rs", "span.rs", "source.rs"].map(|name| src.join(name)));
    for file in syntax_files {
        let text = fs::read_to_string(&file).unwrap();
        if crate_modules(&text)
            .iter()
            .any(|module| module == "semantic")
        {
            wrong.push(format!("{} (syntax) names crate::semantic", file.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer order:\n{}",
        wrong.join("\n")
    );
}
