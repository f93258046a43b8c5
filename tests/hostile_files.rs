//! Hostile files and paths, end to end through the binary: symbolic links out of the tree,
//! FIFOs and devices where a config, a policy or a compose build names a file, and `--config` /
//! `--baseline` pointing at endless input. Each run is beside a good Dockerfile that must still be
//! checked, and no byte of a file outside the tree may reach any output format. Every run goes
//! through a child-process watchdog, so a hang fails the test instead of stalling the suite.

mod common;

#[path = "common/lsp_frames.rs"]
mod lsp_frames;

use std::path::Path;
use std::process::{Command, Output};

use common::{plimsoll_timed, stderr, stdout};
use serde_json::{Value, json};

/// Written into every file outside the tree: it must never appear in any output.
const MARKER: &str = "OUTSIDE-SECRET-7f3a9c";

/// A good Dockerfile with one known finding (`latest-tag`), checked in every run.
const GOOD: &str = "FROM alpine:latest\n";

/// The formats whose output is searched for the marker.
const FORMATS: &[&str] = &["text", "json", "sarif", "github", "compact"];

/// A temporary directory holding `repo/` (a repository: it has `.git`) with `repo/good/Dockerfile`
/// and `outside/secret` (beside the repository, holding the marker in a form each kind of file
/// would quote back: a YAML key, a Dockerfile instruction).
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("repo/.git")).unwrap();
    std::fs::create_dir_all(root.join("repo/good")).unwrap();
    std::fs::create_dir_all(root.join("outside")).unwrap();
    std::fs::write(root.join("repo/good/Dockerfile"), GOOD).unwrap();
    let secret = format!("{MARKER}: 1\n{MARKER} line two\nFROM {MARKER}\n");
    std::fs::write(root.join("outside/secret"), secret).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn symlink(target: &str, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `plimsoll check --format FORMAT ARGS…` in `dir`, for every format of [`FORMATS`]; asserts
/// that the marker appears in none of them (stdout or stderr) and returns the outputs.
fn check_every_format(dir: &Path, args: &[&str]) -> Vec<(&'static str, Output)> {
    FORMATS
        .iter()
        .map(|&format| {
            let mut all = vec!["check", "--format", format];
            all.extend_from_slice(args);
            let output = plimsoll_timed(dir, &all, None);
            let everything = format!("{}{}", stdout(&output), stderr(&output));
            assert!(
                !everything.contains(MARKER),
                "{format}: a file outside the tree reached the output:\n{everything}"
            );
            (format, output)
        })
        .collect()
}

/// The output of `format` among `outputs`.
fn output_of<'a>(outputs: &'a [(&str, Output)], format: &str) -> &'a Output {
    &outputs.iter().find(|(f, _)| *f == format).unwrap().1
}

/// The good file was checked: its `latest-tag` finding is in the compact report.
fn assert_good_checked(outputs: &[(&str, Output)]) {
    let out = stdout(output_of(outputs, "compact"));
    assert!(
        out.lines()
            .any(|l| l.starts_with("good/Dockerfile:1:13:") && l.contains("latest-tag")),
        "good/Dockerfile not checked:\n{out}"
    );
}

/// A config error stopped every run of `outputs`: nothing was reported on stdout but for
/// the report's empty frame (no findings), and the error is on stderr.
fn assert_config_error(outputs: &[(&str, Output)]) {
    for (format, output) in outputs {
        assert!(
            !stdout(output).contains("latest-tag"),
            "{format}: checked despite a config error"
        );
        assert!(stderr(output).contains("plimsoll: error:"), "{format}");
    }
}

/// Every run of `outputs` ended with `code`.
fn assert_exit(outputs: &[(&str, Output)], code: i32) {
    for (format, output) in outputs {
        assert_eq!(
            output.status.code(),
            Some(code),
            "{format}: {}",
            stderr(output)
        );
    }
}

#[test]
fn a_walked_symlink_out_of_the_checked_directory_is_skipped_and_never_read() {
    let dir = setup();
    let repo = dir.path().join("repo");
    symlink("../../outside/secret", &repo.join("evil/Dockerfile"));
    // A link that stays inside the checked directory is linted as before.
    symlink("../good/Dockerfile", &repo.join("alias/Dockerfile"));
    let outputs = check_every_format(&repo, &["."]);
    // Skipping is not an error: the exit code is the findings' (1), not 2.
    assert_exit(&outputs, 1);
    assert_good_checked(&outputs);
    let compact = stdout(output_of(&outputs, "compact"));
    assert!(compact.contains("alias/Dockerfile:1:13:"), "{compact}");
    for (format, output) in &outputs {
        assert!(
            stderr(output).contains(
                "plimsoll: skipped evil/Dockerfile: symlink to a file outside the checked directory\n"
            ),
            "{format}: {}",
            stderr(output)
        );
    }
    let json: Value = serde_json::from_str(&stdout(output_of(&outputs, "json"))).unwrap();
    assert_eq!(
        json["skipped"],
        json!([{
            "path": "evil/Dockerfile",
            "reason": "symlink to a file outside the checked directory"
        }])
    );
    assert_eq!(json["errors"], json!([]));
    let checked: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(checked, ["alias/Dockerfile", "good/Dockerfile"]);

    // Outside the directory being checked, even inside the repository, is outside.
    let output = plimsoll_timed(&repo, &["check", "--format", "json", "alias"], None);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["skipped"][0]["path"], "alias/Dockerfile");
    assert_eq!(json["files"], json!([]));
}

#[test]
fn a_path_named_on_the_command_line_is_read_as_named() {
    let dir = setup();
    let repo = dir.path().join("repo");
    symlink("../good/Dockerfile", &repo.join("named/Dockerfile"));
    std::fs::remove_dir_all(repo.join(".git")).unwrap();
    // Named, a link is followed wherever it points (here, outside `named/`).
    let output = plimsoll_timed(
        &repo,
        &["check", "--format", "json", "named/Dockerfile"],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "named/Dockerfile");
    assert_eq!(json["skipped"], json!([]));
}

#[test]
fn a_symlinked_extends_target_out_of_the_repository_is_refused_at_the_reference() {
    let dir = setup();
    let repo = dir.path().join("repo");
    write(&repo.join(".plimsoll.yaml"), "extends: base.yaml\n");
    symlink("../outside/secret", &repo.join("base.yaml"));
    let outputs = check_every_format(&repo, &["."]);
    assert_exit(&outputs, 2);
    // A config error ends the run before any file is checked (as every config error does).
    assert_config_error(&outputs);
    assert!(
        stderr(output_of(&outputs, "compact")).contains(
            ".plimsoll.yaml:1:10: cannot read config file `base.yaml`: \
             symlink to a file outside the repository, not read"
        ),
        "{}",
        stderr(output_of(&outputs, "compact"))
    );
}

#[test]
fn symlinked_policy_files_out_of_the_repository_are_refused() {
    let dir = setup();
    let repo = dir.path().join("repo");
    // Policy files are loaded for a config: an empty one.
    write(&repo.join(".plimsoll.yaml"), "# policies only\n");
    let policies = repo.join(".plimsoll/policies");
    symlink("../../../outside/secret", &policies.join("leak.yaml"));
    symlink("../../../outside/secret", &policies.join("leak.rego"));
    mkfifo(&policies.join("pipe.yaml"));
    let outputs = check_every_format(&repo, &["good"]);
    assert_exit(&outputs, 2);
    // A config error ends the run before any file is checked (as every config error does).
    assert_config_error(&outputs);
    let err = stderr(output_of(&outputs, "compact"));
    for expected in [
        "leak.rego: cannot read policy file: symlink to a file outside the repository, not read",
        "leak.yaml: cannot read policy file: symlink to a file outside the repository, not read",
        "pipe.yaml: cannot read policy file: is a FIFO, not a regular file",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn a_config_that_is_not_a_config_is_not_echoed_back() {
    let dir = setup();
    let repo = dir.path().join("repo");
    // Inside the repository (so it is read): 40 lines, each an unknown key.
    let long_key = "k".repeat(200);
    let text: String = (0..40).map(|i| format!("{long_key}{i}: x\n")).collect();
    write(&repo.join("base.yaml"), &text);
    write(&repo.join(".plimsoll.yaml"), "extends: base.yaml\n");
    let output = plimsoll_timed(&repo, &["check", "--format", "compact", "good"], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    let problems: Vec<&str> = err.lines().filter(|l| l.contains("base.yaml:")).collect();
    // Twenty problems and a line saying how many more there were.
    assert_eq!(problems.len(), 21, "{err}");
    assert!(
        problems[20].ends_with("20 more problems in this file are not shown"),
        "{err}"
    );
    for line in &problems {
        assert!(!line.contains(&"k".repeat(61)), "quoted too much: {line}");
    }
}

#[test]
fn extends_naming_a_plain_path_outside_the_repository_quotes_none_of_it() {
    // No link: `extends: ../outside/secret` says plainly what it reads, so it is read; but a file
    // outside the repository that is not a config has none of its text shown.
    let dir = setup();
    let repo = dir.path().join("repo");
    write(&repo.join(".plimsoll.yaml"), "extends: ../outside/secret\n");
    let outputs = check_every_format(&repo, &["good"]);
    assert_exit(&outputs, 2);
    let err = stderr(output_of(&outputs, "compact"));
    assert!(
        err.contains(".plimsoll.yaml:1:10: `")
            && err.contains("outside/secret` is not a valid plimsoll config (1 problem; not shown"),
        "{err}"
    );
    for (format, output) in &outputs {
        assert!(
            !stdout(output).contains(MARKER) && !stderr(output).contains(MARKER),
            "{format}: the outside file's text was shown"
        );
    }
}

#[test]
fn extends_naming_a_device_or_a_fifo_is_an_error_at_the_reference_not_a_hang() {
    let dir = setup();
    let repo = dir.path().join("repo");
    mkfifo(&repo.join("pipe.yaml"));
    for (target, reason) in [
        ("/dev/zero", "is a device, not a regular file"),
        ("pipe.yaml", "is a FIFO, not a regular file"),
    ] {
        write(
            &repo.join(".plimsoll.yaml"),
            &format!("extends: {target}\n"),
        );
        let outputs = check_every_format(&repo, &["good"]);
        assert_exit(&outputs, 2);
        // A config error ends the run before any file is checked (as every config error does).
        assert_config_error(&outputs);
        let expected = format!(".plimsoll.yaml:1:10: cannot read config file `{target}`: {reason}");
        assert!(
            stderr(output_of(&outputs, "compact")).contains(&expected),
            "{}",
            stderr(output_of(&outputs, "compact"))
        );
        // `plimsoll rules` loads the same config: it finishes too.
        let rules = plimsoll_timed(&repo, &["rules"], None);
        assert!(rules.status.code().is_some_and(|c| c <= 2), "{rules:?}");
    }
}

#[test]
fn config_and_baseline_named_on_the_command_line_are_read_bounded() {
    let dir = setup();
    let repo = dir.path().join("repo");
    for (option, message) in [
        (
            "--config",
            "/dev/zero: cannot read config file `/dev/zero`: more than the 8 MiB limit \
             (config and policy files are limited to this size)",
        ),
        (
            "--baseline",
            "/dev/zero: more than the 8 MiB limit (raise it with --max-file-size)",
        ),
    ] {
        let output = plimsoll_timed(&repo, &["check", option, "/dev/zero", "good"], None);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    // A smaller `--max-file-size` bounds the baseline too.
    let output = plimsoll_timed(
        &repo,
        &[
            "check",
            "--max-file-size",
            "1000",
            "--baseline",
            "/dev/zero",
            "good",
        ],
        None,
    );
    assert!(
        stderr(&output).contains("more than the 1000 bytes limit"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_fifo_named_with_config_is_read_like_any_named_file() {
    let dir = setup();
    let repo = dir.path().join("repo");
    let fifo = repo.join("config.fifo");
    mkfifo(&fifo);
    // The writer blocks until plimsoll opens the FIFO; it then writes a config and closes.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "select: [latest-tag]\n"))
    };
    let output = plimsoll_timed(
        &repo,
        &[
            "check",
            "--format",
            "compact",
            "--config",
            "config.fifo",
            "good",
        ],
        None,
    );
    writer.join().unwrap().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("good/Dockerfile:1:13:"), "{out}");
    // Only the selected rule ran: the config was read.
    assert!(out.lines().all(|l| l.contains("latest-tag")), "{out}");
}

#[test]
fn a_compose_build_naming_a_fifo_a_device_or_a_link_out_is_an_error_at_the_reference() {
    let dir = setup();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("app")).unwrap();
    mkfifo(&repo.join("app/pipe"));
    symlink("../../outside/secret", &repo.join("app/Leak.dockerfile"));
    let compose = "\
services:
  fifo:
    build:
      context: .
      dockerfile: pipe
  device:
    build:
      context: /dev
      dockerfile: zero
  leak:
    build:
      context: .
      dockerfile: Leak.dockerfile
";
    write(&repo.join("app/compose.yaml"), compose);
    let outputs = check_every_format(&repo, &["--select", "PL000,DF002", "."]);
    // PL000 findings are errors: exit 1, every file checked.
    assert_exit(&outputs, 1);
    assert_good_checked(&outputs);
    let compact = stdout(output_of(&outputs, "compact"));
    for expected in [
        "app/compose.yaml:5:19: error[PL000/parse-error] cannot read the Dockerfile `app/pipe`: \
         is a FIFO, not a regular file",
        "app/compose.yaml:9:19: error[PL000/parse-error] cannot read the Dockerfile `/dev/zero`: \
         is a device, not a regular file",
        "app/compose.yaml:13:19: error[PL000/parse-error] cannot read the Dockerfile \
         `app/Leak.dockerfile`: symlink to a file outside the repository, not read",
    ] {
        assert!(
            compact.contains(expected),
            "missing {expected:?} in:\n{compact}"
        );
    }
}

/// Send one request or notification to the language server.
fn send(stdin: &mut std::process::ChildStdin, message: Value) {
    lsp_frames::write_frame(stdin, &message.to_string());
}

/// Start `plimsoll lsp` in `repo`, open `good/Dockerfile` and wait until both its findings and
/// a problem on `.plimsoll.yaml` are published; returns that problem's message.
fn lsp_config_problem(repo: &Path) -> String {
    let dockerfile = repo.join("good/Dockerfile");
    let uri = format!("file://{}", dockerfile.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .arg("lsp")
        .current_dir(repo)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let incoming = lsp_frames::read_messages(child.stdout.take().unwrap());
    let deadline = std::time::Instant::now() + common::CHILD_TIMEOUT;
    let next = || {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let message = incoming.recv_timeout(left);
        if message.is_err() {
            // The watchdog: a server that never answers fails the test, and is not left behind.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
        }
        message.expect("the server stopped answering")
    };
    let root = format!("file://{}", repo.display());
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
               "params": {"processId": null, "rootUri": root, "capabilities": {}}}),
    );
    // The handshake first: notifications are only taken once `initialize` is answered.
    while next()["id"] != 1 {}
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
               "params": {"textDocument": {"uri": uri, "languageId": "dockerfile",
                                           "version": 1, "text": GOOD}}}),
    );
    let mut config_problem = None;
    let mut document_checked = false;
    while config_problem.is_none() || !document_checked {
        let message = next();
        // A request from the server (a registration) is answered, as an editor would.
        if message.get("method").is_some() && message.get("id").is_some() {
            let id = message["id"].clone();
            send(
                &mut stdin,
                json!({"jsonrpc": "2.0", "id": id, "result": null}),
            );
            continue;
        }
        if message["method"] != "textDocument/publishDiagnostics" {
            continue;
        }
        let params = &message["params"];
        let published = params["uri"].as_str().unwrap_or_default();
        let diagnostics = params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if published.ends_with("/.plimsoll.yaml") && !diagnostics.is_empty() {
            config_problem = diagnostics[0]["message"].as_str().map(str::to_string);
        } else if published == uri && diagnostics.iter().any(|d| d["code"] == "DF002") {
            document_checked = true;
        }
    }
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let _ = child.wait();
    config_problem.unwrap()
}

#[test]
fn the_language_server_reports_a_fifo_or_device_extends_and_keeps_publishing() {
    let dir = setup();
    let repo = dir.path().join("repo");
    mkfifo(&repo.join("pipe.yaml"));
    for (target, reason) in [
        ("pipe.yaml", "is a FIFO, not a regular file"),
        ("/dev/zero", "is a device, not a regular file"),
    ] {
        write(
            &repo.join(".plimsoll.yaml"),
            &format!("extends: {target}\n"),
        );
        let message = lsp_config_problem(&repo);
        assert_eq!(
            message,
            format!("cannot read config file `{target}`: {reason}")
        );
    }
}
