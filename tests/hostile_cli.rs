//! Hostile input, round two (issue 13, items 7 and 9), end to end through the binary: report and
//! baseline writes that fail leave the previous file whole and name the path, one output file
//! named twice is a usage error, file names that are not UTF-8 are checked, UTF-16 files are
//! named as such, and `--threads` cannot start a thread per request. Each case runs beside a
//! good file whose findings must still come out. (The language server's items are in
//! tests/lsp.rs.)

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Output;

use common::{plimsoll_timed, stderr, stdout, tree};

/// A Dockerfile with two findings (DF002 latest-tag, DF004 root-user).
const FLAGGED: &str = "FROM ubuntu:latest\nRUN apt-get install curl\n";

/// Six flagged Dockerfiles: a JSON report or baseline of them is several KiB.
fn flagged_tree() -> tempfile::TempDir {
    let files: Vec<(String, &str)> = (1..=6)
        .map(|i| (format!("app{i}/Dockerfile"), FLAGGED))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    tree(&files)
}

/// Run the binary under `sh` with `limits` (`ulimit` options) in force. SIGXFSZ is ignored,
/// as it stays across `exec`: a write past `ulimit -f` then fails with EFBIG, as a full disk
/// fails a write, and the process goes on to handle the error. Root is bound by these limits.
fn plimsoll_limited(dir: &Path, limits: &str, args: &[&str]) -> Output {
    common::plimsoll_limited(dir, &format!("ulimit {limits}; trap '' XFSZ"), args)
}

/// The names in `dir`, sorted (a temporary file left behind would show here).
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_report_write_that_fails_keeps_the_old_report_and_names_it() {
    let dir = flagged_tree();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "the previous good report").unwrap();
    // 1 block of file size: the JSON report of six files cannot be written. Standard output is
    // a pipe, which the limit does not touch.
    let output = plimsoll_limited(
        dir.path(),
        "-f 1",
        &[
            "check",
            "--format",
            "compact",
            "--format",
            "json=report.json",
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("report.json: cannot write the report: file too large"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "the previous good report"
    );
    // No temporary file left beside it.
    let mut expected: Vec<String> = (1..=6).map(|i| format!("app{i}")).collect();
    expected.push("report.json".to_string());
    assert_eq!(names_in(dir.path()), expected);
    // The report to standard output, written first, has every file's findings.
    let out = stdout(&output);
    for i in 1..=6 {
        assert!(out.contains(&format!("app{i}/Dockerfile:1:13")), "{out}");
    }
}

#[test]
fn a_baseline_write_that_fails_keeps_the_old_baseline() {
    let dir = flagged_tree();
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, "the previous baseline").unwrap();
    let output = plimsoll_limited(
        dir.path(),
        "-f 1",
        &["check", "--write-baseline", "baseline.json"],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("baseline.json: cannot write the baseline: file too large"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&baseline).unwrap(),
        "the previous baseline"
    );
    assert!(
        !names_in(dir.path())
            .iter()
            .any(|name| name.contains(".tmp"))
    );
}

#[test]
fn a_good_write_replaces_the_report_whole() {
    let dir = flagged_tree();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "the previous good report").unwrap();
    let output = plimsoll_timed(dir.path(), &["check", "--format", "json=report.json"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert!(json.is_object(), "{json}");
    assert!(
        !names_in(dir.path())
            .iter()
            .any(|name| name.contains(".tmp"))
    );
}

#[test]
fn unwritable_output_paths_are_named_and_exit_2() {
    let dir = tree(&[("Dockerfile", FLAGGED), ("notes.txt", "a regular file\n")]);
    // An existing directory where the report should go: left as it is.
    std::fs::create_dir(dir.path().join("out.sarif")).unwrap();
    // A path below a regular file: no directory can be created there, root or not.
    for (spec, named) in [
        (
            "sarif=out.sarif",
            "out.sarif: cannot write the report: is a directory",
        ),
        (
            "json=notes.txt/report.json",
            "notes.txt/report.json: cannot write the report: not a directory",
        ),
    ] {
        let output = plimsoll_timed(
            dir.path(),
            &["check", "--format", "text", "--format", spec],
            None,
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{spec}: {err}");
        assert!(err.contains(named), "{spec}: {err}");
        assert!(stdout(&output).contains("Dockerfile:1:13"), "{spec}");
    }
    assert!(dir.path().join("out.sarif").is_dir());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "a regular file\n"
    );
}

#[test]
fn a_device_as_output_is_written_not_replaced() {
    // As root, a rename over /dev/null would replace the device with a file.
    let dir = tree(&[("Dockerfile", FLAGGED)]);
    let output = plimsoll_timed(dir.path(), &["check", "--format", "json=/dev/null"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null became a regular file");
}

#[test]
fn the_same_output_file_twice_is_a_usage_error() {
    let dir = tree(&[("Dockerfile", FLAGGED)]);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let cases: [&[&str]; 4] = [
        &["--format", "json=out.json", "--format", "sarif=out.json"],
        &[
            "--output",
            "out.json",
            "--format",
            "json",
            "--format",
            "sarif=out.json",
        ],
        &[
            "--format",
            "json=out.json",
            "--format",
            "sarif=./sub/../out.json",
        ],
        &["--format", "json=out.json", "--write-baseline", "out.json"],
    ];
    for case in cases {
        let args: Vec<&str> = std::iter::once("check")
            .chain(case.iter().copied())
            .collect();
        let output = plimsoll_timed(dir.path(), &args, None);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{case:?}: {err}");
        assert!(err.contains("name the same output file"), "{case:?}: {err}");
        assert!(
            !dir.path().join("out.json").exists(),
            "{case:?}: written anyway"
        );
    }
}

#[test]
fn file_names_that_are_not_utf8_are_checked() {
    let dir = tree(&[("good/Dockerfile", FLAGGED)]);
    // `Dockerfile.café` in Latin-1, and a directory named with an invalid byte.
    let latin1 = dir.path().join(OsStr::from_bytes(b"Dockerfile.caf\xe9"));
    std::fs::write(&latin1, FLAGGED).unwrap();
    let odd_dir = dir.path().join(OsStr::from_bytes(b"d\xff"));
    std::fs::create_dir(&odd_dir).unwrap();
    std::fs::write(odd_dir.join("Dockerfile"), FLAGGED).unwrap();
    let output = plimsoll_timed(dir.path(), &["check", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut paths: Vec<String> = json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings list in {json:#}"))
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_string))
        .collect();
    paths.sort();
    paths.dedup();
    // Shown lossily: the invalid byte becomes U+FFFD.
    assert_eq!(
        paths,
        [
            "Dockerfile.caf\u{fffd}",
            "d\u{fffd}/Dockerfile",
            "good/Dockerfile"
        ]
    );
}

#[test]
fn utf16_files_are_named_with_the_fix_and_the_others_still_checked() {
    let dir = tree(&[("good/Dockerfile", FLAGGED)]);
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(FLAGGED.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::create_dir(dir.path().join("wide")).unwrap();
    std::fs::write(dir.path().join("wide/Dockerfile"), &bytes).unwrap();
    // Without a byte-order mark, big endian.
    let bare: Vec<u8> = FLAGGED.encode_utf16().flat_map(u16::to_be_bytes).collect();
    std::fs::create_dir(dir.path().join("bare")).unwrap();
    std::fs::write(dir.path().join("bare/Dockerfile"), &bare).unwrap();
    let output = plimsoll_timed(dir.path(), &["check", "--format", "compact"], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for path in ["wide/Dockerfile", "bare/Dockerfile"] {
        assert!(
            err.contains(&format!(
                "{path}: UTF-16 encoded; plimsoll reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`"
            )),
            "{err}"
        );
    }
    assert!(!err.contains("binary"), "{err}");
    assert!(stdout(&output).contains("good/Dockerfile:1:13"));
}

#[test]
fn a_huge_thread_count_starts_a_bounded_pool() {
    // 100,000 threads of 8 MiB stacks need 800 GB of address space: under a 2 GB limit the
    // run fails to start its pool unless the pool is capped (here: one file, one thread).
    let dir = tree(&[("Dockerfile", FLAGGED)]);
    let output = plimsoll_limited(
        dir.path(),
        "-v 2000000",
        &["check", "--format", "compact", "--threads", "100000"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("Dockerfile:1:13"));
}
