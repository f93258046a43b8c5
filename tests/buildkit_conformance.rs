//! Conformance with BuildKit's own parser tests: every `testfiles/<case>/Dockerfile` under
//! ../shared/conformance/buildkit-parser is parsed and dumped in BuildKit's `Node.Dump` format,
//! then compared line by line with the `result` file beside it; every `testfiles-negative`
//! case must produce at least one error. Without ../shared the tests print a note and pass
//! (they fail instead when `PLIMSOLL_REQUIRE_SHARED=1`, as in CI).

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plimsoll::syntax::dockerfile::{
    Command, Dockerfile, Healthcheck, Instruction, ShellOrExec, parse,
};
use plimsoll::syntax::span::Span;

fn conformance_dir() -> Option<PathBuf> {
    common::shared("conformance/buildkit-parser")
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The logical text of a source span as BuildKit's line joining produces it: continuation
/// escapes removed, comment and blank lines inside the continuation dropped.
fn logical(text: &str, span: Span, escape: char) -> String {
    let slice = span.text(text);
    let mut out = String::new();
    let mut first = true;
    for line in slice.split('\n') {
        let line = line.trim_end_matches('\r');
        if !first {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
        }
        first = false;
        let stripped = line.trim_end_matches([' ', '\t']);
        match stripped.strip_suffix(escape) {
            Some(before) if !before.ends_with(escape) => out.push_str(before),
            _ => out.push_str(line),
        }
    }
    out
}

fn dump_instruction(df: &Dockerfile, text: &str, ins: &Instruction) -> String {
    let mut s = ins.keyword.as_str().to_lowercase();
    if !ins.flags.is_empty() {
        let flags: Vec<String> = ins
            .flags
            .iter()
            .map(|f| {
                let word = match &f.value {
                    Some(v) => format!("--{}={}", f.name.value, v.value),
                    None => format!("--{}", f.name.value),
                };
                go_quote(&word)
            })
            .collect();
        let _ = write!(s, " [{}]", flags.join(" "));
    }
    let mut args: Vec<String> = Vec::new();
    let shell_or_exec = |args: &mut Vec<String>, form: &ShellOrExec| match form {
        ShellOrExec::Exec(items) => args.extend(items.iter().map(|i| i.value.clone())),
        ShellOrExec::Shell(t) => {
            if !t.value.is_empty() {
                args.push(t.value.clone());
            }
        }
    };
    match &ins.command {
        Command::From(from) => {
            args.push(from.image.value.clone());
            if let Some(alias) = &from.alias {
                let between = Span::new(from.image.span.end, alias.span.start);
                args.push(logical(text, between, df.escape).trim().to_string());
                args.push(alias.value.clone());
            }
        }
        Command::Run(f) | Command::Cmd(f) | Command::Entrypoint(f) => shell_or_exec(&mut args, f),
        Command::Shell(items) | Command::Expose(items) | Command::Volume(items) => {
            args.extend(items.iter().map(|i| i.value.clone()))
        }
        Command::Copy(c) | Command::Add(c) => {
            args.extend(c.sources.iter().map(|i| i.value.clone()));
            args.extend(c.destination.iter().map(|i| i.value.clone()));
        }
        Command::Env(pairs) | Command::Label(pairs) => {
            for kv in pairs {
                args.push(kv.key.value.clone());
                let value = kv
                    .value
                    .as_ref()
                    .map_or(String::new(), |v| logical(text, v.span, df.escape));
                args.push(value);
                let eq = text.as_bytes().get(kv.key.span.end) == Some(&b'=');
                args.push(if eq { "=" } else { "" }.to_string());
            }
        }
        Command::Arg(pairs) => {
            for kv in pairs {
                args.push(logical(text, kv.span, df.escape));
            }
        }
        Command::User(u) => {
            let mut v = u.user.value.clone();
            if let Some(g) = &u.group {
                v.push(':');
                v.push_str(&g.value);
            }
            args.push(v);
        }
        Command::Workdir(v) | Command::Stopsignal(v) | Command::Maintainer(v) => {
            args.push(v.value.clone())
        }
        Command::Healthcheck(Healthcheck::None) => {
            args.push(logical(text, ins.args_span, df.escape))
        }
        Command::Healthcheck(Healthcheck::Cmd { cmd_span, command }) => {
            args.push(cmd_span.text(text).to_string());
            shell_or_exec(&mut args, command);
        }
        Command::Onbuild(inner) => {
            return format!("{s} ({})", dump_instruction(df, text, inner));
        }
        Command::Invalid => {}
    }
    for a in args {
        s.push(' ');
        s.push_str(&go_quote(&a));
    }
    s
}

fn dump(df: &Dockerfile, text: &str) -> Vec<String> {
    df.instructions
        .iter()
        .map(|i| format!("({})", dump_instruction(df, text, i)))
        .collect()
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    cases.sort();
    cases
}

#[test]
fn positive_cases_match_buildkit_dumps() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let mut matched = 0;
    let mut failures = Vec::new();
    let all = cases(&root.join("testfiles"));
    for case in &all {
        let Ok(text) = std::fs::read_to_string(case.join("Dockerfile")) else {
            continue;
        };
        let Ok(expected) = std::fs::read_to_string(case.join("result")) else {
            continue;
        };
        let df = parse(&text);
        let got = dump(&df, &text);
        let want: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
        if got.iter().map(String::as_str).eq(want.iter().copied()) {
            matched += 1;
        } else {
            let mut diff = String::new();
            for i in 0..got.len().max(want.len()) {
                let g = got.get(i).map_or("<none>", String::as_str);
                let w = want.get(i).copied().unwrap_or("<none>");
                if g != w {
                    let _ = writeln!(diff, "  line {i}:\n    got:  {g}\n    want: {w}");
                }
            }
            failures.push(format!("{}:\n{diff}", case.display()));
        }
    }
    eprintln!(
        "buildkit conformance: {matched}/{} positive cases match",
        all.len()
    );
    assert!(all.len() >= 30, "expected the ~33 BuildKit cases");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

#[test]
fn negative_cases_have_errors() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let all = cases(&root.join("testfiles-negative"));
    assert!(!all.is_empty());
    for case in all {
        let text = std::fs::read_to_string(case.join("Dockerfile")).unwrap_or_default();
        let df = parse(&text);
        assert!(!df.errors.is_empty(), "{} must be rejected", case.display());
    }
}

/// A missing ../shared path is a skip, or a failure under `PLIMSOLL_REQUIRE_SHARED=1` (CI).
#[test]
fn a_missing_shared_path_skips_or_fails_as_required() {
    let required = std::env::var(common::REQUIRE_SHARED).as_deref() == Ok("1");
    let looked_up = std::panic::catch_unwind(|| common::shared("no-such-directory"));
    match looked_up {
        Ok(found) => assert!(!required && found.is_none()),
        Err(_) => assert!(required, "a skip fails only when required"),
    }
}

#[test]
fn go_quote_matches_go() {
    assert_eq!(go_quote("a\"b\\\u{0}"), "\"a\\\"b\\\\\\x00\"");
    assert_eq!(logical("a \\\n# c\n\n  b", Span::new(0, 12), '\\'), "a   b");
}

/// Corpus files BuildKit's instruction layer rejects that buildkit-rejects.txt does not list
/// (checked against moby/buildkit `instructions/parse.go`): `parseHealthcheck` fails on a bare
/// `HEALTHCHECK`, `HEALTHCHECK CMD` without a command and unknown types; `parseBuildStageName`
/// fails on `FROM` without an image and `FROM x AS` (two arguments).
const LIST_OMISSIONS: &[&str] = &[
    "corpus/dockerfiles/moby__buildkit/frontend/dockerfile/parser/testfiles/health/Dockerfile",
    "corpus/dockerfiles/openshift__imagebuilder/dockerfile/parser/testfiles/health/Dockerfile",
    "corpus/dockerfiles/openshift__imagebuilder/dockerclient/testdata/Dockerfile.badhealthcheck",
    "corpus/dockerfiles/docker__docker-language-server/testdata/completion/Dockerfile",
];

/// Every corpus Dockerfile BuildKit accepts must parse without errors; the ones it rejects
/// are listed in ../shared/conformance/buildkit-rejects.txt.
#[test]
fn corpus_sweep_only_rejects_have_errors() {
    let (Some(corpus), Some(rejects)) = (
        common::shared("corpus/dockerfiles"),
        common::shared("conformance/buildkit-rejects.txt"),
    ) else {
        return;
    };
    // File names in buildkit-rejects.txt are relative to ../shared.
    let shared = corpus
        .ancestors()
        .nth(2)
        .expect("../shared/corpus/dockerfiles");
    let rejects = std::fs::read_to_string(rejects).expect("buildkit-rejects.txt is readable");
    let rejects: std::collections::HashSet<&str> = rejects.lines().map(str::trim).collect();
    let files = common::files_under(&corpus);
    let mut with_errors = Vec::new();
    let mut unexpected = Vec::new();
    let mut parsed = 0;
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let df = parse(&text);
        parsed += 1;
        let rel = file
            .strip_prefix(shared)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !df.errors.is_empty() {
            with_errors.push(rel.clone());
            if !rejects.contains(rel.as_str()) && !LIST_OMISSIONS.contains(&rel.as_str()) {
                let first = &df.errors[0];
                unexpected.push(format!(
                    "{rel}: {} at {:?} `{}`",
                    first.message,
                    first.span,
                    first.span.text(&text)
                ));
            }
        }
    }
    eprintln!(
        "corpus sweep: {parsed} files, {} with errors ({} listed as BuildKit rejects), {} unexpected",
        with_errors.len(),
        with_errors
            .iter()
            .filter(|f| rejects.contains(f.as_str()))
            .count(),
        unexpected.len()
    );
    for f in &with_errors {
        eprintln!("  error: {f}");
    }
    assert!(parsed > 0);
    assert!(
        unexpected.is_empty(),
        "unexpected errors:\n{}",
        unexpected.join("\n")
    );
}
