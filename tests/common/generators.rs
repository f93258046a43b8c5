//! proptest generators of Dockerfile-like and compose-like text: instruction keywords (known,
//! lower-case, unknown), flags, continuations (with comment and blank lines inside), heredocs,
//! quotes, variables, JSON forms, parser directives, BOM, CRLF and unicode. Shared by the
//! property tests and the differential test against parse-dockerfile.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Few cases by default so `cargo test` stays quick in debug builds.
pub fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    Config {
        cases,
        // Failures are reported in the test output; no regression files next to the tests.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// A word as it may appear in an argument: plain, quoted, variables, unicode, operators.
pub fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9._/-]{0,8}",
        1 => Just("apt-get".to_string()),
        1 => Just("install".to_string()),
        1 => Just("-y".to_string()),
        1 => Just("curl -fsSL https://x.example/i.sh | sh".to_string()),
        1 => Just("&&".to_string()),
        1 => Just("|".to_string()),
        1 => Just(";".to_string()),
        1 => Just("$HOME".to_string()),
        1 => Just("${VAR:-def}".to_string()),
        1 => Just("$(id -u)".to_string()),
        1 => Just("`date`".to_string()),
        1 => Just("\"a b\"".to_string()),
        1 => Just("'c d'".to_string()),
        1 => Just("\"unterminated".to_string()),
        1 => Just("é".to_string()),
        1 => Just("日本語".to_string()),
        1 => Just("🦀".to_string()),
        1 => Just("a=b".to_string()),
        1 => Just("KEY=\"v w\"".to_string()),
        1 => Just("[\"sh\", \"-c\", \"echo hi\"]".to_string()),
        1 => Just("[\"broken\",".to_string()),
        1 => Just("sudo".to_string()),
        1 => Just("alpine:latest".to_string()),
        1 => Just("ubuntu@sha256:abc".to_string()),
        1 => Just("8080/tcp".to_string()),
        1 => Just("\\".to_string()),
        1 => Just("#".to_string()),
        1 => "\\PC{0,3}",
    ]
}

pub fn flag() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("--mount=type=cache,target=/root/.cache".to_string()),
        Just("--mount=type=secret,id=x".to_string()),
        Just("--from=build".to_string()),
        Just("--platform=$BUILDPLATFORM".to_string()),
        Just("--chown=1:1".to_string()),
        Just("--chmod=755".to_string()),
        Just("--network=none".to_string()),
        Just("--interval=5s".to_string()),
        Just("--link".to_string()),
        Just("--".to_string()),
        Just("--=x".to_string()),
        Just("--security=insecure".to_string()),
    ]
}

pub fn keyword() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "FROM",
        "RUN",
        "CMD",
        "ENTRYPOINT",
        "COPY",
        "ADD",
        "ENV",
        "ARG",
        "LABEL",
        "USER",
        "WORKDIR",
        "EXPOSE",
        "VOLUME",
        "SHELL",
        "HEALTHCHECK",
        "ONBUILD",
        "STOPSIGNAL",
        "MAINTAINER",
        "from",
        "Run",
        "BOGUS",
    ]);
    known.prop_map(str::to_string)
}

/// Glue between words: mostly a space, sometimes a continuation or a tab.
pub fn glue() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        8 => Just(" "),
        1 => Just(" \\\n  "),
        1 => Just(" \\\n# a comment in a continuation\n  "),
        1 => Just("\t"),
        1 => Just(" \\\n\n  "),
    ]
}

pub fn instruction() -> impl Strategy<Value = String> {
    (
        keyword(),
        prop::collection::vec(flag(), 0..2),
        prop::collection::vec((glue(), word()), 0..6),
    )
        .prop_map(|(keyword, flags, words)| {
            let mut line = keyword;
            for flag in flags {
                line.push(' ');
                line.push_str(&flag);
            }
            for (glue, word) in words {
                line.push_str(glue);
                line.push_str(&word);
            }
            line
        })
}

pub fn heredoc() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["RUN", "COPY", "RUN --mount=type=cache,target=/x"]),
        prop::sample::select(vec!["<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"", "3<<EOF"]),
        prop::collection::vec(word(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(keyword, marker, body, terminated)| {
            let target = if keyword == "COPY" { " /dst" } else { "" };
            let mut text = format!("{keyword} {marker}{target}\n");
            for line in body {
                text.push('\t');
                text.push_str(&line);
                text.push('\n');
            }
            if terminated {
                text.push_str("EOF");
            }
            text
        })
}

/// A line of a Dockerfile: an instruction, a heredoc, a comment or blank.
pub fn dockerfile_line() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => instruction(),
        1 => heredoc(),
        1 => Just("# a comment".to_string()),
        1 => Just("# plimsoll ignore=DF001 -- reason".to_string()),
        1 => Just("# plimsoll nonsense".to_string()),
        1 => Just("# hadolint ignore=DL3008".to_string()),
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
    ]
}

/// A Dockerfile-like text, optionally with parser directives, a BOM and CRLF line ends.
pub fn dockerfile_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "",
            "# syntax=docker/dockerfile:1\n",
            "# escape=`\n",
            "\u{feff}",
            "# check=skip=all\n",
        ]),
        prop::collection::vec(dockerfile_line(), 0..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(head, lines, crlf, final_newline)| {
            let mut text = head.to_string();
            text.push_str("FROM alpine:3.19 AS base\n");
            let end = if crlf { "\r\n" } else { "\n" };
            text.push_str(&lines.join(end));
            if final_newline {
                text.push_str(end);
            }
            text
        })
}

/// A Dockerfile-like text with LF line ends and no parser directives (so a comment can be
/// inserted above any instruction without changing how the rest is read).
pub fn plain_dockerfile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![8 => instruction(), 1 => heredoc(), 1 => Just(String::new())],
        0..10,
    )
    .prop_map(|lines| {
        let mut text = "FROM ubuntu\n".to_string();
        text.push_str(&lines.join("\n"));
        text.push('\n');
        text
    })
}

/// A compose-like YAML text: services with common keys, anchors, aliases, flow collections,
/// quotes, unicode, and some shape errors.
pub fn compose_text() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("nginx".to_string()),
        Just("nginx:latest".to_string()),
        Just("\"quoted: value\"".to_string()),
        Just("'single'".to_string()),
        Just("[a, b, {c: d}]".to_string()),
        Just("{x: 1, y: [2, 3]}".to_string()),
        Just("*base".to_string()),
        Just("&anchor v".to_string()),
        Just("|\n      block\n      text".to_string()),
        Just(">-\n      folded".to_string()),
        Just("yes".to_string()),
        Just("~".to_string()),
        Just("é🦀".to_string()),
        Just("[unclosed".to_string()),
        Just("\"8080:80\"".to_string()),
        "[a-z0-9:/._-]{0,10}",
    ];
    let key = prop::sample::select(vec![
        "image",
        "build",
        "ports",
        "environment",
        "user",
        "privileged",
        "volumes",
        "command",
        "restart",
        "container_name",
        "network_mode",
        "cap_add",
        "<<",
        "image",
    ]);
    let entry = (key, value, any::<bool>()).prop_map(|(key, value, as_list)| {
        if as_list {
            format!("    {key}:\n      - {value}\n")
        } else {
            format!("    {key}: {value}\n")
        }
    });
    let service = (
        "[a-z][a-z0-9_-]{0,6}",
        prop::collection::vec(entry, 0..5),
        any::<bool>(),
    )
        .prop_map(|(name, entries, suppressed)| {
            let mut text = String::new();
            if suppressed {
                text.push_str("  # plimsoll ignore=DC001 -- reason\n");
            }
            text.push_str(&format!("  {name}:\n"));
            for entry in entries {
                text.push_str(&entry);
            }
            text
        });
    (
        prop::sample::select(vec![
            "",
            "version: \"3.8\"\n",
            "x-base: &base\n  image: redis\n",
        ]),
        prop::collection::vec(service, 0..4),
        prop::sample::select(vec!["", "volumes:\n  data: {}\n", "networks: [bad]\n"]),
    )
        .prop_map(|(head, services, tail)| format!("{head}services:\n{}{tail}", services.concat()))
}
