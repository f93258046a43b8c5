//! The `plimsoll` binary end to end, on real temporary trees: discovery, stdin, exit codes,
//! per-file errors, rule lookups and the shape of each output format.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// A temporary tree with these files (parent directories created as needed).
fn tree(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

fn plimsoll(dir: &Path, args: &[&str]) -> Output {
    plimsoll_with_stdin(dir, args, b"")
}

fn plimsoll_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", stdout(output)))
}

/// `(path, kind)` of every checked file, from the JSON report.
fn checked_files(output: &Output) -> Vec<(String, String)> {
    json(output)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap().to_string(),
                file["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn sorted_keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(path, kind)| (path.to_string(), kind.to_string()))
        .collect()
}

// Files that every rule finds clean (a digest, a non-root USER; resource limits).
const FROM: &[u8] = b"FROM alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d\nUSER 10001\n";
const COMPOSE: &[u8] = b"services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits: {memory: 256M, cpus: \"0.5\", pids: 100}\n";

#[test]
fn discovery_recognises_names_and_honours_ignores() {
    let dir = tree(&[
        ("Dockerfile", FROM),
        ("api/api.Dockerfile", FROM),
        ("api/Containerfile", FROM),
        ("deploy/docker-compose.prod.yml", COMPOSE),
        ("compose.yaml", COMPOSE),
        ("values.yaml", COMPOSE),
        ("README.md", b"# hi\n"),
        (".gitignore", b"build/\n*.generated.Dockerfile\n"),
        ("build/Dockerfile", FROM),
        ("x.generated.Dockerfile", FROM),
        ("node_modules/pkg/Dockerfile", FROM),
        (".git/Dockerfile", FROM),
        (".devcontainer/Dockerfile", FROM),
        (".venv/lib/Dockerfile", FROM),
        ("sub/.ignore", b"skip.Dockerfile\n"),
        ("sub/skip.Dockerfile", FROM),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        checked_files(&output),
        pairs(&[
            (".devcontainer/Dockerfile", "dockerfile"),
            ("Dockerfile", "dockerfile"),
            ("api/Containerfile", "dockerfile"),
            ("api/api.Dockerfile", "dockerfile"),
            ("compose.yaml", "compose"),
            ("deploy/docker-compose.prod.yml", "compose"),
        ])
    );
}

#[test]
fn explicit_files_are_checked_whatever_their_name() {
    let dir = tree(&[
        ("stack.yml", COMPOSE),
        ("build.txt", FROM),
        ("Dockerfile", FROM),
        ("values.yaml", COMPOSE),
    ]);
    // Named twice (once through the directory): checked once.
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--format=json",
            "stack.yml",
            "./build.txt",
            ".",
            "Dockerfile",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        checked_files(&output),
        pairs(&[
            ("Dockerfile", "dockerfile"),
            ("build.txt", "dockerfile"),
            ("stack.yml", "compose"),
        ])
    );

    let output = plimsoll(
        dir.path(),
        &["check", "--format=json", "--kind", "compose", "Dockerfile"],
    );
    assert_eq!(checked_files(&output), pairs(&[("Dockerfile", "compose")]));
}

#[test]
fn a_v1_compose_file_named_explicitly_is_compose_and_its_services_are_checked() {
    let v1: &[u8] = b"web:\n  image: example/web:1.4\n  volumes:\n    - /:/host\n    - /var/run/docker.sock:/var/run/docker.sock\n";
    let dir = tree(&[
        ("old.yml", v1),
        ("notes.yaml", b"FROM alpine\n"),
        ("old", v1),
    ]);
    let output = plimsoll(
        dir.path(),
        &["check", "--format=json", "old.yml", "notes.yaml", "old"],
    );
    assert_eq!(
        checked_files(&output),
        pairs(&[
            ("notes.yaml", "compose"),
            ("old", "compose"),
            ("old.yml", "compose")
        ])
    );
    let report: Value = json(&output);
    let names = |path: &str| -> Vec<String> {
        let mut names: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"].as_str() == Some(path))
            .map(|f| f["name"].as_str().unwrap().to_string())
            .filter(|name| {
                [
                    "compose-v1-format",
                    "service-sensitive-mount",
                    "service-docker-socket",
                ]
                .contains(&name.as_str())
            })
            .collect();
        names.sort();
        names
    };
    let expected = [
        "compose-v1-format",
        "service-docker-socket",
        "service-sensitive-mount",
    ];
    assert_eq!(names("old.yml"), expected);
    assert_eq!(names("old"), expected);
}

#[test]
fn stdin_is_checked_with_its_display_name() {
    let dir = tree(&[("Dockerfile", FROM)]);
    let output = plimsoll_with_stdin(dir.path(), &["check", "--format=json", "-"], COMPOSE);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(checked_files(&output), pairs(&[("<stdin>", "compose")]));

    let output = plimsoll_with_stdin(
        dir.path(),
        &[
            "check",
            "--format=json",
            "--stdin-filename",
            "web/Dockerfile",
        ],
        b"services:\n",
    );
    assert_eq!(
        checked_files(&output),
        pairs(&[("web/Dockerfile", "dockerfile")])
    );

    let output = plimsoll_with_stdin(
        dir.path(),
        &["check", "--format=json", "-", "Dockerfile"],
        FROM,
    );
    assert_eq!(
        checked_files(&output),
        pairs(&[("<stdin>", "dockerfile"), ("Dockerfile", "dockerfile")])
    );
}

#[test]
fn clean_files_exit_zero_with_a_summary() {
    let dir = tree(&[("Dockerfile", FROM), ("compose.yaml", COMPOSE)]);
    let output = plimsoll(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "All checked: 2 files, no findings.\n");
    assert_eq!(stderr(&output), "");

    let quiet = plimsoll(dir.path(), &["check", "-q", "--threads", "1"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stdout(&quiet), "");
}

#[test]
fn findings_exit_one_in_every_format() {
    let dir = tree(&[
        ("Dockerfile", b"FROM alpine:3.20\nRUNN x\nUSER 10001\n"),
        ("ok/Dockerfile", FROM),
    ]);

    let text = plimsoll(dir.path(), &["check"]);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(out.starts_with("error[PL000/parse-error]: "), "{out}");
    assert!(out.contains(" --> Dockerfile:2:1"), "{out}");
    assert!(out.contains("2 | RUNN x"), "{out}");
    assert!(out.ends_with("in 1 file.\n"), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no colour without a terminal: {out}"
    );

    let compact = plimsoll(dir.path(), &["check", "--format", "compact"]);
    assert_eq!(compact.status.code(), Some(1));
    let out = stdout(&compact);
    assert!(
        out.starts_with("Dockerfile:2:1: error[PL000/parse-error] "),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");

    let report = json(&plimsoll(dir.path(), &["check", "--format", "json"]));
    let finding = &report["findings"][0];
    assert_eq!(finding["path"], "Dockerfile");
    assert_eq!(finding["code"], "PL000");
    assert_eq!(finding["name"], "parse-error");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["start"]["line"], 2);
    assert_eq!(finding["start"]["column"], 1);
    assert_eq!(finding["span"]["start"], 17);
    assert_eq!(report["summary"]["findings"], 1);

    let coloured = plimsoll(dir.path(), &["check", "--color", "always"]);
    assert!(stdout(&coloured).contains('\u{1b}'));
    let mut no_color = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
    no_color.env("PLIMSOLL_SHELLCHECK", "");
    no_color
        .args(["check", "--color", "auto"])
        .current_dir(dir.path());
    let out = no_color.env("NO_COLOR", "1").output().unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\u{1b}'));

    // Parse errors cannot be switched off, and are errors at every fail level.
    let ignored = plimsoll(
        dir.path(),
        &["check", "--ignore", "parse-error", "--fail-level", "error"],
    );
    assert_eq!(ignored.status.code(), Some(1));
}

#[test]
fn unreadable_files_exit_two_and_the_others_are_still_checked() {
    let dir = tree(&[
        ("good/Dockerfile", FROM),
        ("bad/Dockerfile", b"FROM alpine\nRUN echo \xff\n"),
        ("dir/Dockerfile/keep", b""),
    ]);
    let output = plimsoll(
        dir.path(),
        &["check", "--format=json", ".", "dir/Dockerfile", "missing"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "plimsoll: error: bad/Dockerfile:2:10: stream did not contain valid UTF-8\n\
         plimsoll: error: dir/Dockerfile: is a directory, not a file\n\
         plimsoll: error: missing: no such file or directory\n"
    );
    assert_eq!(
        checked_files(&output),
        pairs(&[("good/Dockerfile", "dockerfile")])
    );
    let report = json(&output);
    assert_eq!(report["summary"]["errors"], 3);
    assert_eq!(report["errors"][0]["path"], "bad/Dockerfile");
    assert_eq!(report["errors"][0]["start"]["line"], 2);
    assert_eq!(report["errors"][0]["start"]["column"], 10);
    assert_eq!(report["errors"][1]["start"], Value::Null);

    let text = plimsoll(dir.path(), &["check", "good", "bad"]);
    assert_eq!(text.status.code(), Some(2));
    assert_eq!(
        stdout(&text),
        "No findings in 1 file; 1 file could not be read.\n"
    );
}

#[test]
fn selectors_are_validated() {
    let dir = tree(&[("Dockerfile", FROM)]);
    for args in [
        &["check", "--select", "parse-error,DC000"][..],
        &["check", "--select", "all", "--ignore", "DC"],
        &["check", "--extend-select", "correctness", "--ignore=PL0"],
        &["check", "--select", "PL000, DC000,", "--ignore", ""],
    ] {
        let output = plimsoll(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = plimsoll(dir.path(), &["check", "--select", "parse-eror"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "plimsoll: error: unknown rule selector `parse-eror` in --select (expected a rule code, \
         name, category, code prefix or `all`); did you mean `parse-error`?\n"
    );
    assert_eq!(
        stdout(&output),
        "",
        "nothing is checked after a usage error"
    );
    let output = plimsoll(dir.path(), &["check", "--ignore", "PL000,nonsense"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`nonsense` in --ignore"));
}

#[test]
fn usage_errors_exit_two() {
    let dir = tree(&[]);
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--fail-level", "fatal"],
        &["frobnicate"],
    ] {
        let output = plimsoll(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("error:"), "{args:?}");
    }
}

#[test]
fn output_goes_to_a_file_when_asked() {
    let dir = tree(&[("Dockerfile", FROM)]);
    let output = plimsoll(dir.path(), &["check", "--format=json", "-o", "report.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["files_checked"], 1);

    let output = plimsoll(dir.path(), &["check", "-o", "no/such/dir/report.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "plimsoll: error: no/such/dir/report.txt: cannot write the report: no such file or \
         directory\n"
    );
}

#[test]
fn json_has_the_documented_shape() {
    let dir = tree(&[("Dockerfile", FROM)]);
    let report = json(&plimsoll(dir.path(), &["check", "--format", "json"]));
    let keys = sorted_keys(&report);
    assert_eq!(
        keys,
        [
            "errors", "files", "findings", "skipped", "summary", "version"
        ]
    );
    assert_eq!(report["version"], 1);
    assert_eq!(report["skipped"], Value::Array(Vec::new()));
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    assert_eq!(report["summary"]["files_checked"], 1);
    assert_eq!(report["summary"]["by_severity"]["error"], 0);
}

#[test]
fn compact_and_text_outputs_without_findings() {
    let dir = tree(&[("Dockerfile", FROM)]);
    let compact = plimsoll(dir.path(), &["check", "--format", "compact"]);
    assert_eq!(compact.status.code(), Some(0));
    assert_eq!(stdout(&compact), "");
    let empty = tree(&[("README.md", b"hi\n")]);
    let text = plimsoll(empty.path(), &["check", "--color=always"]);
    assert_eq!(stdout(&text), "No Dockerfile or compose file found.\n");
}

#[test]
fn rules_are_listed() {
    let dir = tree(&[]);
    let output = plimsoll(dir.path(), &["rules"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let mut lines = out.lines();
    assert!(lines.next().unwrap().starts_with("CODE "));
    assert!(
        out.lines()
            .any(|line| line.starts_with("PL000  parse-error ")
                && line.contains(" correctness ")
                && line.contains(" error ")),
        "{out}"
    );

    let output = plimsoll(dir.path(), &["rules", "--format", "json"]);
    let rules = json(&output);
    let parse_error = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["code"] == "PL000")
        .unwrap();
    let keys = sorted_keys(parse_error);
    assert_eq!(
        keys,
        [
            "category",
            "code",
            "default_enabled",
            "fix",
            "name",
            "options",
            "related",
            "severity",
            "since",
            "status",
            "summary",
            "target"
        ]
    );
    assert_eq!(parse_error["name"], "parse-error");
    assert_eq!(parse_error["target"], "any");
    assert_eq!(parse_error["default_enabled"], true);
    assert_eq!(parse_error["options"], serde_json::json!([]));
    let unused = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["code"] == "PL001")
        .unwrap();
    assert_eq!(unused["options"][0]["name"], "hadolint");
    assert_eq!(unused["options"][0]["type"], "boolean");
    assert_eq!(unused["options"][0]["default"], false);
}

#[test]
fn one_rule_is_explained() {
    let dir = tree(&[]);
    for name in ["parse-error", "PL000", "pl000"] {
        let output = plimsoll(dir.path(), &["rule", name]);
        assert_eq!(output.status.code(), Some(0), "{name}");
        let out = stdout(&output);
        assert!(
            out.starts_with("PL000 parse-error · Dockerfile and compose · correctness · error"),
            "{out}"
        );
        assert!(out.contains("## What it does"), "{out}");
    }
    let output = plimsoll(dir.path(), &["rule", "parse-eror"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "plimsoll: error: unknown rule `parse-eror`; did you mean `parse-error`? \
         (`plimsoll rules` lists them all)\n"
    );
}

/// `--version` names the version (release builds from git add the commit in parentheses),
/// `completions` prints a script per shell that knows the subcommands and their options, and
/// `manpages` writes one page per command.
#[test]
fn version_completions_and_man_pages() {
    let dir = tree(&[]);
    let out = plimsoll(dir.path(), &["--version"]);
    let version = stdout(&out);
    assert!(
        version.starts_with(&format!("plimsoll {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = plimsoll(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(
            script.contains("diff-base") && script.contains("pin"),
            "{shell}"
        );
    }
    let out = plimsoll(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let out = plimsoll(dir.path(), &["manpages", "man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "plimsoll",
        "plimsoll-check",
        "plimsoll-pin",
        "plimsoll-compose",
        "plimsoll-lsp",
    ] {
        let text = std::fs::read_to_string(dir.path().join(format!("man/{page}.1"))).unwrap();
        assert!(
            text.contains(&format!(".TH {}", page.to_uppercase())),
            "{page}"
        );
    }
    let check = std::fs::read_to_string(dir.path().join("man/plimsoll-check.1")).unwrap();
    assert!(check.contains("\\fBplimsoll check\\fR") && check.contains("unsafe\\-fixes"));
}
