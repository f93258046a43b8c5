//! Hostile Dockerfiles, end to end through the binary (issue 13, items 1, 6 and 8): ARG
//! expansion bombs, values quoted in messages, and a BOM before the first line. Each run checks a
//! good file beside the hostile one and asserts that its findings are still reported.

mod common;

use std::path::Path;
use std::process::Output;

use common::{plimsoll_limited, plimsoll_timed, stderr, stdout, tree};
use plimsoll::syntax::excerpt::EXCERPT_CHARS;
use serde_json::Value;

/// A good Dockerfile with one known finding (`latest-tag` at 1:13).
const GOOD: &str = "FROM alpine:latest\n";

/// Virtual memory the binary may use in the bounded runs (KiB for `ulimit -v`): 1 GiB. Before the
/// expansion budget, the 30-line bomb asked for several GiB and aborted.
const MEMORY_LIMIT_KIB: u32 = 1024 * 1024;

/// `ARG a0=<seed>` then `depth` lines each doubling the previous ARG.
fn doubling_args(seed: &str, depth: usize) -> String {
    let mut text = format!("ARG a0={seed}\n");
    for i in 1..=depth {
        text.push_str(&format!("ARG a{i}=${{a{p}}}${{a{p}}}\n", p = i - 1));
    }
    text
}

/// `plimsoll ARGS…` in `dir` under `ulimit -v` (a shell execs the binary), with the hang guard of
/// the other hostile tests.
fn plimsoll_bounded(dir: &Path, args: &[&str]) -> Output {
    let output = plimsoll_limited(dir, &format!("ulimit -v {MEMORY_LIMIT_KIB}"), args);
    // `timeout` reports a child killed by a signal as 128 + the signal.
    assert!(
        output.status.code().is_some_and(|code| code <= 2),
        "killed or failed under a {MEMORY_LIMIT_KIB} KiB memory limit: {output:?}"
    );
    output
}

/// The findings of a JSON report as `(path, code, message)`.
fn json_findings(output: &Output) -> Vec<(String, String, String)> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}; stderr: {}", stderr(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let field = |name: &str| f[name].as_str().unwrap_or_default().to_string();
            (field("path"), field("code"), field("message"))
        })
        .collect()
}

/// Exit 1, nothing on stderr, the good file's `latest-tag` reported, and no message longer than
/// `max_chars`, in the JSON report of `output`.
fn assert_checked_with_short_messages(output: &Output, max_chars: usize) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert_eq!(stderr(output), "");
    let findings = json_findings(output);
    assert!(
        findings
            .iter()
            .any(|(path, code, _)| path == "good/Dockerfile" && code == "DF002"),
        "good/Dockerfile not checked: {findings:?}"
    );
    for (path, code, message) in &findings {
        assert!(
            message.chars().count() <= max_chars,
            "{path} {code}: message of {} chars: {}…",
            message.chars().count(),
            message.chars().take(200).collect::<String>()
        );
    }
}

#[test]
fn thirty_line_expansion_bomb_is_bounded_and_reported() {
    let mut bomb = doubling_args("xxxxxxxx", 30);
    bomb.push_str("FROM alpine:$a30\nRUN echo hi\n");
    assert!(bomb.len() < 1000, "the bomb is {} bytes", bomb.len());
    let dir = tree(&[("good/Dockerfile", GOOD), ("bomb/Dockerfile", &bomb)]);
    let output = plimsoll_bounded(
        dir.path(),
        &["check", "--format", "json", "--select", "all", "."],
    );
    assert_checked_with_short_messages(&output, 200);
    let findings = json_findings(&output);
    // 8 × 2^13 bytes is 64 KiB, the last value that fits: `a14` is the first one past it, and
    // the one finding about the expansion; later ARGs built on it are unknown like it.
    let too_large: Vec<_> = findings
        .iter()
        .filter(|(_, code, message)| code == "PL000" && message.contains("KiB"))
        .collect();
    assert_eq!(
        too_large,
        [&(
            "bomb/Dockerfile".to_string(),
            "PL000".to_string(),
            "ARG `a14` expands to more than 64 KiB; plimsoll treats its value as unknown"
                .to_string()
        )]
    );
    // The rest of the file is still checked: the final stage's user is judged.
    assert!(
        findings
            .iter()
            .any(|(path, code, _)| path == "bomb/Dockerfile" && code == "DF004"),
        "{findings:?}"
    );
}

#[test]
fn values_under_the_bound_are_quoted_as_short_excerpts() {
    // `a12` is 8 × 2^12 = 32 KiB of `a`: a valid untagged image name once expanded, under the
    // expansion bound. Every rule that quotes the resolved reference quotes an excerpt.
    let mut text = doubling_args("aaaaaaaa", 12);
    text.push_str("FROM ${a12}\nFROM ${a12}:LATEST\n");
    let dir = tree(&[("good/Dockerfile", GOOD), ("long/Dockerfile", &text)]);
    let output = plimsoll_bounded(
        dir.path(),
        &["check", "--format", "json", "--select", "all", "."],
    );
    assert_checked_with_short_messages(&output, 400);
    let findings = json_findings(&output);
    let quoting: Vec<_> = findings
        .iter()
        .filter(|(path, _, message)| path == "long/Dockerfile" && message.contains("aaaa…"))
        .map(|(_, code, _)| code.as_str())
        .collect();
    // untagged-image (DF001) and unpinned-digest (DF003) quote the resolved reference, and
    // invalid-default-arg-in-from (DF075) the expansion (a name over 255 characters is invalid).
    for code in ["DF001", "DF003", "DF075"] {
        assert!(quoting.contains(&code), "{code} missing: {findings:?}");
    }
}

#[test]
fn many_values_each_under_the_bound_exhaust_the_file_budget() {
    // Every value stays under 64 KiB, yet 2,000 copies of a 48 KiB value would be 96 MiB of
    // copying: the file's budget (1 MiB plus 8 times its size) stops it.
    let mut text = doubling_args("xxxxxxxxxxxx", 12);
    for i in 0..2000 {
        text.push_str(&format!("ARG c{i}=$a12\n"));
    }
    text.push_str("FROM alpine:3.20\nUSER 10001\n");
    let dir = tree(&[("good/Dockerfile", GOOD), ("many/Dockerfile", &text)]);
    let output = plimsoll_bounded(
        dir.path(),
        &["check", "--format", "json", "--select", "all", "."],
    );
    assert_checked_with_short_messages(&output, 300);
    let budget: Vec<_> = json_findings(&output)
        .into_iter()
        .filter(|(_, code, message)| code == "PL000" && message.contains("budget"))
        .collect();
    // Reported once, at the ARG where the budget ran out (the 25th copy or so); every later copy
    // is unknown as well.
    assert_eq!(budget.len(), 1, "{budget:?}");
    assert!(budget[0].2.starts_with("ARG `c"), "{budget:?}");
    assert!(budget[0].2.contains("every later expansion is unknown too"));
}

#[test]
fn long_written_values_are_quoted_as_short_excerpts() {
    // 50,000-character values that rules quote (EXPOSE, WORKDIR, a COPY destination, an unknown
    // instruction, a parse error's word): each message quotes an excerpt.
    let long = "v".repeat(50_000);
    let text = format!(
        "FROM alpine:3.20\nEXPOSE 80/{long}\nWORKDIR {long}\nCOPY a b {long}\n\
         ENV {long}\n{long} x\nRUN cd /{long}\n"
    );
    let dir = tree(&[("good/Dockerfile", GOOD), ("long/Dockerfile", &text)]);
    let output = plimsoll_timed(
        dir.path(),
        &["check", "--format", "json", "--select", "all", "."],
        None,
    );
    assert_checked_with_short_messages(&output, 300);
    let findings = json_findings(&output);
    let quoting = findings
        .iter()
        .filter(|(path, _, message)| path == "long/Dockerfile" && message.contains("vvvv…"))
        .count();
    assert!(quoting >= 5, "{}", stdout(&output));
    let too_much = "v".repeat(EXCERPT_CHARS + 1);
    assert!(findings.iter().all(|(_, _, m)| !m.contains(&too_much)));
}

/// The findings of a JSON report as `(path, code, line, column)` of their start.
fn json_positions(output: &Output) -> Vec<(String, String, u64, u64)> {
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_bom_does_not_shift_columns_on_the_first_line() {
    // The same files with and without a BOM give the same positions, in every format.
    let dockerfile = "FROM alpine:latest\n";
    let compose = "{services: {web: {image: \"nginx:latest\"}}}\n";
    let bom = |text: &str| format!("\u{feff}{text}");
    let dir = tree(&[
        ("plain/Dockerfile", dockerfile),
        ("plain/compose.yaml", compose),
        ("bom/Dockerfile", &bom(dockerfile)),
        ("bom/compose.yaml", &bom(compose)),
    ]);
    let run = |format: &str| {
        let output = plimsoll_timed(dir.path(), &["check", "--format", format, "."], None);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        output
    };
    let positions = json_positions(&run("json"));
    let of = |dir: &str| -> Vec<_> {
        positions
            .iter()
            .filter(|(path, ..)| path.starts_with(dir))
            .map(|(path, code, line, column)| {
                (
                    path.trim_start_matches(dir).to_string(),
                    code.clone(),
                    *line,
                    *column,
                )
            })
            .collect()
    };
    assert_eq!(of("bom/"), of("plain/"));
    // `latest` starts at column 13 of `FROM alpine:latest`, and at 33 in the compose line.
    assert!(of("bom/").contains(&("Dockerfile".into(), "DF002".into(), 1, 13)));
    assert!(of("bom/").contains(&("compose.yaml".into(), "DC002".into(), 1, 33)));

    // Text: the same location, and a code frame without the BOM, the caret under `latest`.
    let text = stdout(&run("text"));
    assert!(text.contains("--> bom/Dockerfile:1:13"), "{text}");
    assert!(!text.contains('\u{feff}'), "{text:?}");
    let frame: Vec<&str> = text
        .split("--> bom/Dockerfile:1:13")
        .nth(1)
        .unwrap()
        .lines()
        .take(4)
        .collect();
    let code_line = frame.iter().find(|l| l.starts_with("1 |")).unwrap();
    let caret_line = frame.iter().find(|l| l.contains('^')).unwrap();
    assert_eq!(code_line.find("latest"), caret_line.find('^'), "{frame:#?}");

    // SARIF counts UTF-16 columns.
    let sarif: Value = serde_json::from_slice(&run("sarif").stdout).unwrap();
    let regions: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "DF002")
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                location["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(regions.len(), 2, "{regions:?}");
    assert!(
        regions.iter().all(|(_, column)| *column == 13),
        "{regions:?}"
    );
}

/// A heredoc body on which brush-parser 0.4's tokenizer panics (found by the `shell` fuzz
/// target): the run goes on silently, the shell check gives no verdict, and the good file beside
/// it is still reported.
#[test]
fn a_shell_parser_panic_costs_no_finding_and_prints_nothing() {
    let dir = tree(&[
        (
            "hostile/Dockerfile",
            "FROM alpine:3.20\nRUN <<EOF\n<<M ${\n}\nEOF\nUSER 10001\n",
        ),
        ("good/Dockerfile", GOOD),
    ]);
    let output = plimsoll_timed(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "nothing on stderr");
    let findings = json_findings(&output);
    assert!(
        findings
            .iter()
            .any(|(path, code, _)| path.ends_with("good/Dockerfile") && code == "DF002"),
        "{findings:?}"
    );
    assert!(
        !findings
            .iter()
            .any(|(path, _, _)| path.ends_with("hostile/Dockerfile")),
        "{findings:?}"
    );
}

/// A word of many `[` each followed by a `\` (found by the `shell` fuzz target): brush-parser's
/// backtracking doubled with each one, so 60 of them would take years. The run ends under the
/// hang guard, and the good file beside it is reported.
#[test]
fn a_word_of_many_brackets_does_not_hang_the_shell_check() {
    let run = format!(
        "FROM alpine:3.20\nRUN {}a\nUSER 10001\n",
        "t[\\O".repeat(60)
    );
    let dir = tree(&[
        ("hostile/Dockerfile", run.as_str()),
        ("good/Dockerfile", GOOD),
    ]);
    let output = plimsoll_timed(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let findings = json_findings(&output);
    assert!(
        findings
            .iter()
            .any(|(path, code, _)| path.ends_with("good/Dockerfile") && code == "DF002"),
        "{findings:?}"
    );
}

/// One finding on an install of thousands of packages keeps at most 32 labels, so every report
/// (the text report draws each label in the code frame) stays small and quick.
#[test]
fn a_finding_on_thousands_of_packages_keeps_few_labels() {
    let packages: Vec<String> = (0..3000).map(|i| format!("pkg{i}")).collect();
    let text = format!(
        "FROM fedora:40\nRUN dnf install -y {}\n",
        packages.join(" ")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    for format in ["json", "text"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .current_dir(dir.path())
            .args([
                "check",
                "--select",
                "DF013",
                "--format",
                format,
                "Dockerfile",
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}");
        if format == "json" {
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let labels = report["findings"][0]["labels"].as_array().unwrap().len();
            assert_eq!(labels, 32);
        } else {
            assert!(
                output.stdout.len() < 64 * 1024,
                "{} bytes",
                output.stdout.len()
            );
        }
    }
}
