//! The shape of src/ stays true: each layer imports only the layers before it, and no two
//! modules import each other, directly or around a loop. Read from the source text (every
//! `crate::layer::module` path outside comments and `#[cfg(test)]` code, and `super::module`
//! between sibling files), like the rule meta-tests read the rule files. Test code may wire
//! layers together (a rule's unit test parsing a config), so it is not read.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first (docs/architecture.md).
const LAYERS: &[&str] = &[
    "syntax",
    "semantic",
    "linter",
    "policies",
    "workspace",
    "report",
    "surfaces",
];

/// A module: its layer and the module under it (`linter::engine`; `None` for a layer's
/// mod.rs).
type Module = (String, Option<String>);

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module a file belongs to: `src/<layer>/<module>[.rs|/…]`; the built-in rules under rules/
/// are the linter's `rules` module. `None` for the crate root (lib.rs, main.rs).
fn module_of(root: &Path, file: &Path) -> Option<Module> {
    let relative = file.strip_prefix(root).unwrap();
    let parts: Vec<&str> = relative.iter().map(|p| p.to_str().unwrap()).collect();
    match parts.as_slice() {
        ["rules", ..] => Some(("linter".into(), Some("rules".into()))),
        ["src", _] => None,
        ["src", layer, "mod.rs"] => Some(((*layer).into(), None)),
        ["src", layer, module, ..] => Some((
            (*layer).into(),
            Some(module.trim_end_matches(".rs").to_owned()),
        )),
        _ => None,
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` items (each skipped to
/// the brace that closes it, or to its `;`).
fn code(text: &str) -> String {
    let without_comments: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut kept = String::new();
    let mut rest = without_comments.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let item = &rest[at..];
        let end = match (item.find('{'), item.find(';')) {
            (Some(open), semicolon) if semicolon.is_none_or(|s| open < s) => {
                let mut depth = 0usize;
                item[open..]
                    .char_indices()
                    .find_map(|(i, c)| {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        (depth == 0).then_some(open + i + 1)
                    })
                    .unwrap_or(item.len())
            }
            (_, Some(semicolon)) => semicolon + 1,
            _ => item.len(),
        };
        rest = &item[end..];
    }
    kept.push_str(rest);
    kept
}

/// The identifier paths that follow `prefix` in `code`: `crate::linter::rule::Rule` gives
/// `["linter", "rule", "Rule"]`.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    code.match_indices(prefix)
        .filter(|(at, _)| {
            // A whole word: not `mycrate::`.
            !code[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            code[at + prefix.len()..]
                .split("::")
                .map(|segment| {
                    let end = segment
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(segment.len());
                    &segment[..end]
                })
                .take_while(|segment| !segment.is_empty())
                .take(2)
                .collect()
        })
        .collect()
}

/// Every module's imports of other modules.
fn imports() -> BTreeMap<Module, BTreeMap<Module, PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = rust_files(&root.join("src"));
    files.extend(rust_files(&root.join("rules")));
    let mut graph: BTreeMap<Module, BTreeMap<Module, PathBuf>> = BTreeMap::new();
    for file in files {
        // A `tests.rs` is a `#[cfg(test)] mod tests;` of its folder.
        if file.ends_with("tests.rs") {
            continue;
        }
        let Some(from) = module_of(root, &file) else {
            continue;
        };
        let code = code(&fs::read_to_string(&file).unwrap());
        let mut targets: Vec<Module> = paths_after(&code, "crate::")
            .into_iter()
            .filter_map(|path| {
                let layer = (*path.first()?).to_owned();
                rank(&layer)?;
                Some((layer, path.get(1).map(|m| (*m).to_owned())))
            })
            .collect();
        // `super::x` in a file directly under a layer names a sibling module.
        let depth = file.strip_prefix(root).unwrap().iter().count();
        if depth == 3 && from.1.is_some() && !file.ends_with("mod.rs") {
            targets.extend(
                paths_after(&code, "super::")
                    .into_iter()
                    .filter_map(|path| {
                        path.first()
                            .map(|m| (from.0.clone(), Some((*m).to_owned())))
                    }),
            );
        }
        let entry = graph.entry(from.clone()).or_default();
        for target in targets {
            if target.0 == from.0 && (target.1.is_none() || target.1 == from.1) {
                continue;
            }
            let shown = file.strip_prefix(root).unwrap().to_path_buf();
            entry.entry(target).or_insert_with(|| shown.clone());
        }
    }
    graph
}

#[test]
fn each_layer_imports_only_the_layers_before_it() {
    let mut wrong = Vec::new();
    for (from, targets) in imports() {
        for (target, file) in targets {
            if rank(&target.0) > rank(&from.0) {
                wrong.push(format!(
                    "{} ({}) imports crate::{} (a later layer)",
                    file.display(),
                    from.0,
                    target.0
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the layer order is {}:\n{}",
        LAYERS.join(" → "),
        wrong.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other() {
    let graph = imports();
    let name = |m: &Module| match &m.1 {
        Some(module) => format!("{}::{module}", m.0),
        None => m.0.clone(),
    };
    let edges: BTreeMap<Module, BTreeSet<Module>> = graph
        .iter()
        .map(|(from, targets)| (from.clone(), targets.keys().cloned().collect()))
        .collect();
    // A loop is a path back to where it started: depth-first from each module.
    let mut loops = BTreeSet::new();
    for start in edges.keys() {
        let mut stack: Vec<(Module, Vec<Module>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut cycle: Vec<String> = path.iter().map(name).collect();
                    let least = cycle.iter().enumerate().min_by_key(|(_, n)| *n).unwrap().0;
                    cycle.rotate_left(least);
                    loops.insert(cycle.join(" → "));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(
        loops.is_empty(),
        "modules importing each other around a loop:\n{}",
        loops.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_reader_sees_imports() {
    // The parsing the two tests rely on, on a known text.
    let code = code(
        "use crate::linter::rule::Rule; // crate::surfaces::cli\n#[cfg(test)]\nuse crate::report;",
    );
    assert_eq!(paths_after(&code, "crate::"), [vec!["linter", "rule"]]);
    assert_eq!(
        paths_after("mycrate::x super::engine::run", "super::"),
        [vec!["engine", "run"]]
    );
    let root = Path::new("/r");
    assert_eq!(
        module_of(root, Path::new("/r/src/syntax/dockerfile/parser.rs")),
        Some(("syntax".into(), Some("dockerfile".into())))
    );
    assert_eq!(
        module_of(root, Path::new("/r/rules/latest_tag.rs")),
        Some(("linter".into(), Some("rules".into())))
    );
    assert_eq!(module_of(root, Path::new("/r/src/lib.rs")), None);
}
