//! Property tests: on generated Dockerfile-like and compose-like text (keywords, flags,
//! continuations, heredocs, quotes, unicode) and on arbitrary strings, parsing never panics,
//! every span lies inside the text on char boundaries, every output format renders, and an
//! inline suppression removes exactly the findings it names in the instruction it covers.
//! `PROPTEST_CASES=N` runs more cases than the quick default.

mod common;

use common::generators::{compose_text, config, dockerfile_text, plain_dockerfile_text};
use common::invariants::spans_ok;
use plimsoll::linter::engine::{self, Settings};
use plimsoll::report::{self, Format};
use plimsoll::syntax::dockerfile::{self, shell};
use plimsoll::syntax::{compose, yaml};
use plimsoll::workspace::results::{FileResult, Results};
use plimsoll::{FileKind, SourceFile};
use proptest::prelude::*;

fn all_rules() -> Settings {
    Settings::from_selectors(&["all".to_string()], &[], &[])
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn check_dockerfile_spans(text: &str) -> Result<(), TestCaseError> {
    let df = dockerfile::parse(text);
    spans_ok(text, &df).map_err(TestCaseError::fail)?;
    for ins in &df.instructions {
        if let dockerfile::Command::Run(dockerfile::ShellOrExec::Shell(t)) = &ins.command {
            spans_ok(text, &shell::analyze(t)).map_err(TestCaseError::fail)?;
        }
        for heredoc in &ins.heredocs {
            let body = heredoc.body.span.text(text);
            spans_ok(text, &shell::analyze_str(body, heredoc.body.span.start))
                .map_err(TestCaseError::fail)?;
        }
    }
    Ok(())
}

fn check_yaml_spans(text: &str) -> Result<(), TestCaseError> {
    spans_ok(text, &yaml::parse(text)).map_err(TestCaseError::fail)?;
    spans_ok(text, &compose::parse(text)).map_err(TestCaseError::fail)?;
    Ok(())
}

/// Check `text` with every rule and render every format; findings' spans must be valid.
fn check_and_render(text: &str, kind: FileKind) -> Result<(), TestCaseError> {
    let source = SourceFile::new("dir/Dockerfile", text, kind);
    let findings = engine::check(&source, &all_rules());
    spans_ok(text, &findings).map_err(TestCaseError::fail)?;
    let results = Results {
        files: vec![FileResult { source, findings }],
        errors: Vec::new(),
        skipped: Vec::new(),
        fixed: Vec::new(),
        older: 0,
    };
    for format in Format::ALL {
        let mut out = Vec::new();
        report::write(format, &results, report::Options::default(), &mut out)
            .map_err(|e| TestCaseError::fail(format!("{}: {e}", format.name())))?;
        let out = String::from_utf8(out)
            .map_err(|e| TestCaseError::fail(format!("{}: not UTF-8: {e}", format.name())))?;
        if format.is_json() {
            serde_json::from_str::<serde_json::Value>(&out)
                .map_err(|e| TestCaseError::fail(format!("{}: not JSON: {e}", format.name())))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn dockerfile_parse_keeps_spans_in_bounds(text in dockerfile_text()) {
        check_dockerfile_spans(&text)?;
    }

    #[test]
    fn arbitrary_text_parses_without_panic(text in "\\PC{0,80}|[\\x00-\\x7f]{0,80}") {
        check_dockerfile_spans(&text)?;
        check_yaml_spans(&text)?;
        spans_ok(&text, &shell::analyze_str(&text, 0)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn compose_parse_keeps_spans_in_bounds(text in compose_text()) {
        check_yaml_spans(&text)?;
    }

    #[test]
    fn every_format_renders_dockerfiles(text in dockerfile_text()) {
        check_and_render(&text, FileKind::Dockerfile)?;
    }

    #[test]
    fn every_format_renders_compose_files(text in compose_text()) {
        check_and_render(&text, FileKind::Compose)?;
    }

    #[test]
    fn suppressing_a_line_removes_exactly_its_findings(
        text in plain_dockerfile_text(),
        pick in any::<prop::sample::Index>(),
    ) {
        suppression_removes_exactly(&text, pick)?;
    }
}

/// Insert `# plimsoll ignore=CODE` on the line above the instruction holding one finding: the
/// findings of CODE whose start lies in that instruction go away (the documented scope: a
/// directive above an instruction covers all of it), every other finding stays, moved by the
/// inserted line.
fn suppression_removes_exactly(text: &str, pick: prop::sample::Index) -> Result<(), TestCaseError> {
    let settings = all_rules();
    let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
    let before = engine::check(&source, &settings);
    let df = dockerfile::parse(text);
    // Findings inside a top-level instruction; parse errors are not suppressible text.
    let candidates: Vec<_> = before
        .iter()
        .filter_map(|f| {
            let ins = df
                .instructions
                .iter()
                .find(|i| i.span.start <= f.span.start && f.span.start <= i.span.end)?;
            Some((f, ins.span))
        })
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let (target, scope) = candidates[pick.index(candidates.len())];
    let line_start = text[..scope.start].rfind('\n').map_or(0, |i| i + 1);
    let directive = format!("# plimsoll ignore={}\n", target.code);
    let edited = format!("{}{directive}{}", &text[..line_start], &text[line_start..]);
    let shift = directive.len();
    let after = engine::check(
        &SourceFile::new("Dockerfile", edited.as_str(), FileKind::Dockerfile),
        &settings,
    );
    let moved = |start: usize| {
        if start >= line_start {
            start + shift
        } else {
            start
        }
    };
    let mut expected: Vec<(String, usize, usize)> = before
        .iter()
        .filter(|f| {
            !(f.code == target.code && scope.start <= f.span.start && f.span.start <= scope.end)
        })
        .map(|f| (f.code.to_string(), moved(f.span.start), moved(f.span.end)))
        .collect();
    let mut actual: Vec<(String, usize, usize)> = after
        .iter()
        .map(|f| (f.code.to_string(), f.span.start, f.span.end))
        .collect();
    expected.sort();
    actual.sort();
    prop_assert_eq!(
        actual,
        expected,
        "suppressing {} at {:?} in {:?}",
        target.code,
        target.span,
        text
    );
    Ok(())
}

/// Inputs that once broke an invariant (found by the fuzzers or the generated tests), kept in
/// tests/fixtures/fuzz: each is checked as both kinds with every rule and rendered in every
/// format, with every span checked.
#[test]
fn fuzz_regressions_hold() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let files = common::files_under(&dir);
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        // Crash inputs may be any bytes; the pipeline only ever sees decoded text.
        let text = String::from_utf8_lossy(&bytes);
        for kind in [FileKind::Dockerfile, FileKind::Compose] {
            if let Err(e) = check_and_render(&text, kind) {
                panic!("{}: {e:?}", file.display());
            }
        }
        if let Err(e) = check_dockerfile_spans(&text).and(check_yaml_spans(&text)) {
            panic!("{}: {e:?}", file.display());
        }
    }
}
