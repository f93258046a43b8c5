//! A differential test of the `.dockerignore` matcher and the context walk against an
//! independent implementation: the Docker SDK for Python's
//! `docker.utils.build.exclude_paths(root, patterns, dockerfile)`. Generated trees and pattern
//! sets must send the same regular files.
//!
//! Runs only when `PLIMSOLL_DOCKERIGNORE_ORACLE` names the python of a venv with `docker`
//! installed (`python3 scripts/dockerignore-oracle.py --setup` makes one and prints its path);
//! skipped otherwise. The generator avoids the forms where docker-py is known to differ from
//! BuildKit (rules/copy_ignored_source.md lists them): `**` before the end of a pattern, and
//! exceptions with wildcards inside an excluded directory.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use plimsoll::syntax::dockerignore::DockerIgnore;
use plimsoll::workspace::build_context::list_with;

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const FILES: &[&str] = &[
    "a.txt",
    "b.md",
    ".env",
    "src/main.go",
    "src/lib/util.go",
    "src/lib/.env",
    "docs/README.md",
    "docs/public/index.md",
    "docs/private/notes.md",
    "node_modules/x/index.js",
    "keep/me.txt",
    "keep/not.log",
    "app.log",
    "logs/2024/a.log",
    "logs/keep.log",
    "x/y/z/deep.txt",
];

/// Exclusion patterns: every form the two implementations agree on.
const EXCLUDES: &[&str] = &[
    "*.md",
    "*.log",
    "src",
    "src/",
    "/docs",
    "./docs/private",
    "docs/*",
    "docs/*/index.md",
    "**",
    "logs/**",
    "node_modules",
    "?.txt",
    "[ab].txt",
    "[a-b].md",
    ".env",
    "src/lib",
    "x/../a.txt",
    "x/y",
    "*/*.go",
    "keep",
    "logs/20??",
    "docs//public/",
];

/// Exceptions: literal paths (docker-py only descends into an excluded directory for an
/// exception that starts with its path).
const EXCEPTIONS: &[&str] = &[
    "!docs/public",
    "!README.md",
    "!docs/README.md",
    "!logs/keep.log",
    "!keep/me.txt",
    "!src/main.go",
    "!a.txt",
    "!x/y/z",
    "!node_modules/x/index.js",
];

fn build_tree(root: &Path) {
    for file in FILES {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "x").unwrap();
    }
}

fn plimsoll_sends(root: &Path, patterns: &[String]) -> Vec<String> {
    let ignore = DockerIgnore::from_patterns(patterns.iter().map(String::as_str));
    let context = list_with(root, None, ignore, 1_000_000, 64);
    let mut files: Vec<String> = context.sent_root().iter().map(|e| e.path.clone()).collect();
    files.sort();
    files
}

#[test]
fn the_docker_sdk_sends_the_same_files() {
    let Ok(python) = std::env::var("PLIMSOLL_DOCKERIGNORE_ORACLE") else {
        eprintln!("skipped: set PLIMSOLL_DOCKERIGNORE_ORACLE (scripts/dockerignore-oracle.py)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    build_tree(dir.path());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut cases: Vec<Vec<String>> = Vec::new();
    for _ in 0..400 {
        let count = 1 + rng.next() % 4;
        let mut patterns = Vec::new();
        for _ in 0..count {
            if !patterns.is_empty() && rng.next().is_multiple_of(3) {
                patterns.push(rng.pick(EXCEPTIONS).to_string());
            } else {
                patterns.push(rng.pick(EXCLUDES).to_string());
            }
        }
        cases.push(patterns);
    }
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|patterns| serde_json::json!({"root": dir.path(), "patterns": patterns}))
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dockerignore-oracle.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the oracle failed");
    let theirs: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();
    let mut failures = Vec::new();
    for (patterns, docker) in cases.iter().zip(&theirs) {
        let ours = plimsoll_sends(dir.path(), patterns);
        if &ours != docker {
            failures.push(format!(
                "{patterns:?}:\n  docker-py {docker:?}\n  plimsoll  {ours:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
