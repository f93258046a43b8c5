//! The directory walk (src/workspace/discover/walk.rs) against the `ignore` crate's walker, the
//! oracle it replaced: on generated trees with generated `.gitignore`, `.ignore` and
//! `.git/info/exclude` files (in the walked directories and above them), both must find the
//! same files.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use plimsoll::syntax::source::FileKind;
use plimsoll::workspace::discover;
use proptest::prelude::*;

const DIRS: &[&str] = &["a", "b", "build", ".hid", "node_modules", "sub"];
const FILES: &[&str] = &[
    "Dockerfile",
    "x.txt",
    "compose.yaml",
    "app.Dockerfile",
    ".env",
    "build",
];
const LINES: &[&str] = &[
    "*.txt",
    "build/",
    "build",
    "/a",
    "a/",
    "!x.txt",
    "!/a/x.txt",
    "b",
    "**/sub/Dockerfile",
    "Dockerfile",
    "!Dockerfile",
    "a/*",
    "!a/b",
    "*.yaml",
    "!compose.yaml",
    ".hid",
    "sub/",
    "/sub/*.txt",
    "*",
    "!*/",
    "!b/",
    "# a comment",
    "\\!x.txt",
    "app.*",
    "[ab]/Dockerfile",
    "**/b/**",
];

/// What to put where: each entry is (directory path inside the tree, what).
#[derive(Clone, Debug)]
enum Item {
    File(Vec<usize>, usize),
    Ignore(Vec<usize>, bool, Vec<usize>),
}

fn dir_path(indices: &[usize]) -> PathBuf {
    indices.iter().map(|&i| DIRS[i]).collect()
}

fn item() -> impl Strategy<Value = Item> {
    let dir = prop::collection::vec(0..DIRS.len(), 0..3);
    prop_oneof![
        3 => (dir.clone(), 0..FILES.len()).prop_map(|(d, f)| Item::File(d, f)),
        1 => (dir, any::<bool>(), prop::collection::vec(0..LINES.len(), 1..5))
            .prop_map(|(d, git, lines)| Item::Ignore(d, git, lines)),
    ]
}

/// The tree: a parent directory (ignore files there apply from above) holding `walked/`.
fn build(
    items: &[Item],
    above: &[usize],
    exclude: &[usize],
    git_in_walked: bool,
) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let walked = tmp.path().join("walked");
    fs::create_dir_all(&walked).unwrap();
    let lines = |indices: &[usize]| {
        indices
            .iter()
            .map(|&i| format!("{}\n", LINES[i]))
            .collect::<String>()
    };
    if !above.is_empty() {
        fs::write(tmp.path().join(".gitignore"), lines(above)).unwrap();
    }
    if git_in_walked {
        fs::create_dir_all(walked.join(".git/info")).unwrap();
        fs::write(walked.join(".git/info/exclude"), lines(exclude)).unwrap();
    }
    for item in items {
        match item {
            Item::File(dir, file) => {
                // A name already taken by the other kind (`build` as a file and a directory)
                // keeps what it is.
                let dir = walked.join(dir_path(dir));
                let path = dir.join(FILES[*file]);
                if fs::create_dir_all(&dir).is_ok() && !path.is_dir() {
                    fs::write(path, "FROM scratch\n").unwrap();
                }
            }
            Item::Ignore(dir, git, indices) => {
                let dir = walked.join(dir_path(dir));
                let name = if *git { ".gitignore" } else { ".ignore" };
                if fs::create_dir_all(&dir).is_ok() {
                    fs::write(dir.join(name), lines(indices)).unwrap();
                }
            }
        }
    }
    tmp
}

fn ours(root: &Path) -> BTreeSet<PathBuf> {
    discover::walk(&[root.to_path_buf()], None)
        .classify(&mut |_, _| Some(FileKind::Dockerfile))
        .files
        .into_iter()
        .map(|c| c.path)
        .collect()
}

fn oracle(root: &Path) -> BTreeSet<PathBuf> {
    // The directories plimsoll never walks are its choice, not the ignore rules': the oracle
    // skips the same ones.
    let skipped = discover::SKIPPED_DIRS;
    ignore::WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .hidden(false)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && skipped.iter().any(|skip| entry.file_name() == *skip))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(|entry| entry.into_path())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PLIMSOLL_WALK_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
    ))]
    #[test]
    fn the_walk_finds_what_the_ignore_crate_finds(
        items in prop::collection::vec(item(), 1..25),
        above in prop::collection::vec(0..LINES.len(), 0..3),
        exclude in prop::collection::vec(0..LINES.len(), 0..3),
        git_in_walked in any::<bool>(),
    ) {
        let tmp = build(&items, &above, &exclude, git_in_walked);
        let root = tmp.path().join("walked");
        prop_assert_eq!(ours(&root), oracle(&root));
    }
}

#[test]
fn a_worktree_exclude_file_is_read_from_the_common_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let common = tmp.path().join("main.git");
    let private = common.join("worktrees/wt");
    fs::create_dir_all(common.join("info")).unwrap();
    fs::create_dir_all(&private).unwrap();
    fs::write(common.join("info/exclude"), "secret/\n").unwrap();
    fs::write(private.join("commondir"), "../..\n").unwrap();
    let root = tmp.path().join("wt");
    fs::create_dir_all(root.join("secret")).unwrap();
    fs::write(
        root.join(".git"),
        format!("gitdir: {}\n", private.display()),
    )
    .unwrap();
    fs::write(root.join("secret/Dockerfile"), "FROM scratch\n").unwrap();
    fs::write(root.join("Dockerfile"), "FROM scratch\n").unwrap();
    let found = ours(&root);
    assert_eq!(found, oracle(&root));
    assert_eq!(
        found,
        BTreeSet::from([root.join(".git"), root.join("Dockerfile")])
    );
}

#[test]
fn the_ignore_files_above_a_linked_root_are_those_above_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real/walked");
    fs::create_dir_all(real.join("secret")).unwrap();
    fs::write(
        tmp.path().join("real/.gitignore"),
        "/walked/secret/\n/walked/*.txt\n!keep.txt\n",
    )
    .unwrap();
    fs::write(real.join("secret/Dockerfile"), "FROM scratch\n").unwrap();
    fs::write(real.join("Dockerfile"), "FROM scratch\n").unwrap();
    fs::write(real.join("x.txt"), "").unwrap();
    fs::write(real.join("keep.txt"), "").unwrap();
    fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
    let link = tmp.path().join("elsewhere/link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let found = ours(&link);
    assert_eq!(found, oracle(&link));
    assert_eq!(
        found,
        BTreeSet::from([link.join("Dockerfile"), link.join("keep.txt")])
    );
}

#[test]
fn trees_deeper_and_wider_than_the_directories_kept_open_are_walked_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("walked");
    let kept = plimsoll::workspace::listing::MAX_KEPT_OPEN;
    // A chain of directories twice as deep as the walk keeps open, a file every tenth level.
    let mut dir = root.clone();
    let mut expected = 0;
    for level in 0..kept * 2 + 10 {
        dir = dir.join(format!("d{level}"));
        fs::create_dir_all(&dir).unwrap();
        if level % 10 == 0 {
            fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
            expected += 1;
        }
    }
    // And a directory with more subdirectories than that, a file in each.
    for index in 0..kept * 2 {
        let sub = root.join("wide").join(format!("w{index}"));
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join("Dockerfile"), "FROM scratch\n").unwrap();
        expected += 1;
    }
    let found = ours(&root);
    assert_eq!(found.len(), expected);
    assert_eq!(found, oracle(&root));
}

/// Under a limit of 200 (and of 64) open files, a walk of a chain of directories deeper than
/// that still reads every directory: it keeps at most `MAX_KEPT_OPEN` of them open, at most a
/// quarter of the limit.
#[cfg(target_os = "linux")]
#[test]
fn a_deep_walk_stays_under_the_open_file_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = tmp.path().join("walked");
    for level in 0..300 {
        dir = dir.join(format!("d{level}"));
    }
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    for limit in [200, 64] {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -n {limit} && exec \"$0\" check --threads 2 --format json walked"
            ))
            .arg(env!("CARGO_BIN_EXE_plimsoll"))
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("error"), "{stderr}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["summary"]["files_checked"], 1, "{stderr}");
    }
}

/// The walk reads every walked Dockerfile and compose file on its way, with the bytes on
/// disk, and nothing else: not ignored files.
#[cfg(unix)]
#[test]
fn the_walk_reads_the_walked_dockerfiles_on_its_way() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("walked");
    fs::create_dir_all(root.join("app/nested")).unwrap();
    fs::create_dir_all(root.join("ignored")).unwrap();
    fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    fs::write(root.join("Dockerfile"), "FROM a\n").unwrap();
    fs::write(root.join("app/nested/web.Dockerfile"), "FROM b\n").unwrap();
    fs::write(root.join("app/compose.yaml"), "services: {}\n").unwrap();
    fs::write(root.join("ignored/Dockerfile"), "FROM c\n").unwrap();
    let walked = discover::walk_reading(std::slice::from_ref(&root), None, Some(1 << 20));
    let mut read: Vec<(PathBuf, Vec<u8>)> = walked
        .read
        .iter()
        .map(|(path, bytes)| (PathBuf::from(path), bytes.clone()))
        .collect();
    read.sort();
    assert_eq!(
        read,
        [
            (root.join("Dockerfile"), b"FROM a\n".to_vec()),
            (root.join("app/nested/web.Dockerfile"), b"FROM b\n".to_vec()),
        ]
    );
    // Compose files by absolute path, when the walked directory is reached without links
    // (planning reads them only inside their tree).
    let compose: Vec<_> = walked.read_compose.keys().map(PathBuf::from).collect();
    if fs::canonicalize(&root).unwrap() == root {
        assert_eq!(compose, [root.join("app/compose.yaml")]);
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&root, &link).unwrap();
        let through_link = discover::walk_reading(&[link], None, Some(1 << 20));
        assert!(through_link.read_compose.is_empty());
        assert_eq!(through_link.read.len(), 2);
    }
    // Without a limit to read up to, nothing is read ahead.
    let plain = discover::walk(&[root], None);
    assert!(plain.read.is_empty() && plain.read_compose.is_empty());
}
