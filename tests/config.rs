//! Configuration, inline suppressions and baselines end to end: the `plimsoll` binary on real
//! temporary trees (discovery of `.plimsoll.yaml`, `extends`, `--config`, `--isolated`,
//! precedence, overrides, include/exclude, every kind of config error with file:line:col and
//! exit 2, suppressions ours and hadolint's, baseline round trips).

mod common;

use common::{plimsoll, stderr, stdout, tree};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// `path → [codes]` from `check --format compact` run in `dir` with `args`.
fn codes(dir: &Path, args: &[&str]) -> (BTreeMap<String, Vec<String>>, i32) {
    let mut all = vec!["check", "--format", "compact", "--quiet"];
    all.extend_from_slice(args);
    let output = plimsoll(dir, &all);
    assert_ne!(
        output.status.code(),
        Some(2),
        "unexpected error: {}{}",
        stdout(&output),
        stderr(&output)
    );
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout(&output).lines() {
        let path = line.split(':').next().unwrap().to_string();
        let code = line
            .split('[')
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("not a compact line: {line}"))
            .to_string();
        map.entry(path).or_default().push(code);
    }
    (map, output.status.code().unwrap())
}

fn expect(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(path, codes)| {
            (
                path.to_string(),
                codes.iter().map(|c| c.to_string()).collect(),
            )
        })
        .collect()
}

/// Draws DF002 latest-tag, DF003 unpinned-digest and DF004 root-user.
const LATEST: &str = "FROM alpine:latest\n";

/// The config errors of a run that must fail with exit 2.
fn config_errors(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let output = plimsoll(dir, &all);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stdout(&output).is_empty(),
        "nothing is linted: {}",
        stdout(&output)
    );
    stderr(&output)
}

#[test]
fn nearest_config_wins_and_discovery_stops_at_the_repository_root() {
    let dir = tree(&[
        // Outside the repository: never read (it would be an error).
        (".plimsoll.yaml", "this is: [not valid\n"),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/.plimsoll.yaml", "select: [DF002]\n"),
        ("repo/Dockerfile", LATEST),
        ("repo/other/Dockerfile", LATEST),
        ("repo/sub/.plimsoll.yml", "select: [DF003]\n"),
        ("repo/sub/Dockerfile", LATEST),
        ("repo/sub/deeper/Dockerfile", LATEST),
        ("bare/.git/HEAD", ""),
        ("bare/Dockerfile", LATEST),
    ]);
    let (found, _) = codes(&dir.path().join("repo"), &[]);
    assert_eq!(
        found,
        expect(&[
            ("Dockerfile", &["DF002"]),
            ("other/Dockerfile", &["DF002"]),
            ("sub/Dockerfile", &["DF003"]),
            ("sub/deeper/Dockerfile", &["DF003"]),
        ])
    );
    // A repository without a config gets the defaults, not the broken file above it.
    let (found, _) = codes(&dir.path().join("bare"), &[]);
    assert_eq!(found, expect(&[("Dockerfile", &["DF004", "DF002"])]));
}

#[test]
fn extends_builds_on_the_base_and_a_cycle_is_an_error() {
    let dir = tree(&[
        (".git/HEAD", ""),
        (
            ".plimsoll.yaml",
            "select: [DF002, DF004]\nrules:\n  DF002: {severity: error}\n",
        ),
        (
            "svc/.plimsoll.yaml",
            "extends: ../.plimsoll.yaml\nextend-select: [DF003]\nignore: [root-user]\n",
        ),
        ("svc/Dockerfile", LATEST),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "compact", "svc"]);
    let text = stdout(&output);
    assert!(text.contains("error[DF002/latest-tag]"), "{text}");
    assert!(text.contains("info[DF003/unpinned-digest]"), "{text}");
    assert!(!text.contains("DF004"), "{text}");

    std::fs::write(
        dir.path().join(".plimsoll.yaml"),
        "# base\nextends: svc/.plimsoll.yaml\n",
    )
    .unwrap();
    let errors = config_errors(dir.path(), &["svc"]);
    assert!(
        errors.contains(".plimsoll.yaml:2:10: `extends` cycle: svc/.plimsoll.yaml -> .plimsoll.yaml -> svc/.plimsoll.yaml"),
        "{errors}"
    );

    std::fs::write(dir.path().join(".plimsoll.yaml"), "extends: nowhere.yaml\n").unwrap();
    let errors = config_errors(dir.path(), &["svc"]);
    assert!(
        errors.contains(
            ".plimsoll.yaml:1:10: cannot read config file `nowhere.yaml`: no such file or directory"
        ),
        "{errors}"
    );
}

#[test]
fn config_flag_replaces_discovery_and_isolated_ignores_all_config() {
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll.yaml", "select: [DF002]\n"),
        ("ci/strict.yaml", "select: [DF004]\n"),
        ("broken/.plimsoll.yaml", "selct: [DF002]\n"),
        ("broken/Dockerfile", LATEST),
        ("Dockerfile", LATEST),
    ]);
    let (found, _) = codes(dir.path(), &["--config", "ci/strict.yaml"]);
    assert_eq!(
        found,
        expect(&[
            ("Dockerfile", &["DF004"]),
            ("broken/Dockerfile", &["DF004"])
        ])
    );
    let (found, _) = codes(dir.path(), &["--isolated"]);
    assert_eq!(
        found,
        expect(&[
            ("Dockerfile", &["DF004", "DF002"]),
            ("broken/Dockerfile", &["DF004", "DF002"]),
        ])
    );
    let errors = config_errors(dir.path(), &["--config", "missing.yaml"]);
    assert!(
        errors.contains("missing.yaml: cannot read config file `missing.yaml`: no such file"),
        "{errors}"
    );
}

#[test]
fn the_command_line_wins_over_the_config() {
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll.yaml", "select: [DF002]\nfail-level: error\n"),
        ("Dockerfile", LATEST),
    ]);
    // fail-level: error, and DF002 is a warning.
    let (found, code) = codes(dir.path(), &[]);
    assert_eq!(found, expect(&[("Dockerfile", &["DF002"])]));
    assert_eq!(code, 0);
    let (_, code) = codes(dir.path(), &["--fail-level", "warning"]);
    assert_eq!(code, 1);
    let (found, _) = codes(dir.path(), &["--select", "DF004"]);
    assert_eq!(found, expect(&[("Dockerfile", &["DF004"])]));
    let (found, _) = codes(
        dir.path(),
        &["--extend-select", "DF003", "--ignore", "DF002"],
    );
    assert_eq!(found, expect(&[("Dockerfile", &["DF003"])]));
}

#[test]
fn overrides_apply_by_glob_after_the_top_level() {
    let config = "\
select: [DF002, DF004]
rules:
  provenance: {severity: error}
overrides:
  - files: [\"legacy/**\", \"*.old.Dockerfile\"]
    ignore: [DF004]
    rules:
      latest-tag: {severity: info}
  - files: [tools]
    select: [DF003]
";
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll.yaml", config),
        ("Dockerfile", LATEST),
        ("legacy/a/Dockerfile", LATEST),
        ("app/x.old.Dockerfile", LATEST),
        ("tools/Dockerfile", LATEST),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "compact", "--quiet"]);
    let text = stdout(&output);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split(" base").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "Dockerfile:1:1: warning[DF004/root-user] the final stage sets no USER: it runs as the",
            "Dockerfile:1:13: error[DF002/latest-tag]",
            "app/x.old.Dockerfile:1:13: info[DF002/latest-tag]",
            "legacy/a/Dockerfile:1:13: info[DF002/latest-tag]",
            "tools/Dockerfile:1:6: error[DF003/unpinned-digest]",
        ]
    );
}

#[test]
fn include_and_exclude_shape_directory_walks() {
    let dir = tree(&[
        (".git/HEAD", ""),
        (
            ".plimsoll.yaml",
            "include:\n  dockerfile: [\"*.docker\"]\n  compose: [\"stack*.yml\"]\nexclude: [vendor, \"/gen/*.Dockerfile\"]\n",
        ),
        ("app.docker", LATEST),
        (
            "deploy/stack-prod.yml",
            "services:\n  web:\n    image: nginx:latest\n",
        ),
        ("vendor/x/Dockerfile", LATEST),
        ("gen/a.Dockerfile", LATEST),
        ("gen/sub/a.Dockerfile", LATEST),
    ]);
    let (found, _) = codes(dir.path(), &["--select", "DF002,DC002"]);
    assert_eq!(
        found,
        expect(&[
            ("app.docker", &["DF002"]),
            ("deploy/stack-prod.yml", &["DC002"]),
            ("gen/sub/a.Dockerfile", &["DF002"]),
        ])
    );
    // Named explicitly, an excluded file is linted, unless --force-exclude (pre-commit).
    let (found, _) = codes(dir.path(), &["--select", "DF002", "vendor/x/Dockerfile"]);
    assert_eq!(found, expect(&[("vendor/x/Dockerfile", &["DF002"])]));
    let (found, _) = codes(
        dir.path(),
        &[
            "--select",
            "DF002",
            "--force-exclude",
            "vendor/x/Dockerfile",
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

/// Each config problem is reported at its file:line:col, all of them at once, with exit 2.
/// `non-root-images` extends the table of base images known to run unprivileged, through the
/// `extends` chain, for both the Dockerfile rule and the compose rule that follows `build:`.
#[test]
fn non_root_images_extend_the_table_through_extends() {
    let dockerfile = "FROM registry.example.com/base/python:3.12\nCOPY app.py /app.py\n";
    let compose = "services:\n  app:\n    build: .\n    mem_limit: 256m\n";
    let dir = tree(&[
        (".git/HEAD", ""),
        (
            ".plimsoll.yaml",
            "non-root-images: [\"registry.example.com/base/*\"]\n",
        ),
        (
            "svc/.plimsoll.yaml",
            "extends: ../.plimsoll.yaml\nnon-root-images: [acme/app]\n",
        ),
        ("svc/Dockerfile", dockerfile),
        ("svc/compose.yaml", compose),
        ("other/Dockerfile", "FROM acme/app:2.0\n"),
        ("bare/Dockerfile", dockerfile),
        (
            "bare/.plimsoll.yaml",
            "select: [root-user, service-image-runs-as-root]\n",
        ),
        ("bare/compose.yaml", compose),
    ]);
    let select = ["--select", "root-user,service-image-runs-as-root"];
    let (found, _) = codes(&dir.path().join("svc"), &select);
    assert_eq!(found, expect(&[]));
    // The subtree's own entry does not reach a file outside it.
    let (found, _) = codes(&dir.path().join("other"), &select);
    assert_eq!(found, expect(&[("Dockerfile", &["DF004"])]));
    let (found, _) = codes(&dir.path().join("bare"), &[]);
    assert_eq!(
        found,
        expect(&[("Dockerfile", &["DF004"]), ("compose.yaml", &["DC048"])])
    );

    std::fs::write(
        dir.path().join(".plimsoll.yaml"),
        "non-root-images: [\" \", \"a b\", ok/image]\n",
    )
    .unwrap();
    let errors = config_errors(&dir.path().join("svc"), &[]);
    assert!(
        errors.contains(".plimsoll.yaml:1:19: expected a string"),
        "{errors}"
    );
    assert!(
        errors.contains("image pattern `a b`: an image pattern has no spaces"),
        "{errors}"
    );
}

#[test]
fn config_errors_point_at_the_problem() {
    let config = "\
fail-levl: error
select: [DF002, latest-tg]
ignore: DF004
rules:
  DF004: {severity: loud}
  DF002:
    options: {x: 1}
  provenance:
    options: {x: 1}
  PL001:
    options:
      hadolint: maybe
      hadolnt: true
    colour: red
overrides:
  - ignore: [DF002]
  - files: [\"a[\"]
include:
  dockerfiles: [\"*.d\"]
strict: yes
";
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll.yaml", config),
        ("Dockerfile", LATEST),
    ]);
    let errors = config_errors(dir.path(), &[]);
    let expected = [
        ".plimsoll.yaml:1:1: unknown top-level key `fail-levl`; did you mean `fail-level`?",
        ".plimsoll.yaml:2:17: unknown rule `latest-tg` (expected a rule code, name, category, code prefix or `all`); did you mean `latest-tag`?",
        ".plimsoll.yaml:3:9: expected a list of strings (`[a, b]`)",
        ".plimsoll.yaml:5:21: unknown severity `loud` (expected `style`, `info`, `warning` or `error`)",
        ".plimsoll.yaml:7:15: rule `latest-tag` (DF002) takes no options",
        ".plimsoll.yaml:8:3: `options` need a single rule, but `provenance` names",
        ".plimsoll.yaml:12:17: option `hadolint` of rule `unused-suppression` must be a boolean",
        ".plimsoll.yaml:13:7: unknown option `hadolnt` for rule `unused-suppression` (it takes `hadolint`, `buildkit`); did you mean `hadolint`?",
        ".plimsoll.yaml:14:5: unknown rule setting `colour` (expected one of `severity`, `options`)",
        ".plimsoll.yaml:16:5: an override needs `files:`",
        ".plimsoll.yaml:17:13: invalid glob `a[`",
        ".plimsoll.yaml:19:3: unknown file kind `dockerfiles` in `include` (expected `dockerfile` or `compose`); did you mean `dockerfile`?",
        ".plimsoll.yaml:20:9: expected `true` or `false`",
    ];
    for line in expected {
        assert!(
            errors.contains(&format!("plimsoll: error: {line}")),
            "missing `{line}` in:\n{errors}"
        );
    }
    assert_eq!(errors.lines().count(), expected.len(), "{errors}");
}

#[test]
fn yaml_problems_in_a_config_are_errors_too() {
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll.yaml", "select: [DF002]\nselect: [DF003]\n"),
        ("Dockerfile", LATEST),
    ]);
    let errors = config_errors(dir.path(), &[]);
    assert!(
        errors.contains(".plimsoll.yaml:2:1: duplicate key `select`"),
        "{errors}"
    );
    std::fs::write(dir.path().join(".plimsoll.yaml"), "select: [DF002\n").unwrap();
    let errors = config_errors(dir.path(), &[]);
    assert!(errors.contains(".plimsoll.yaml:"), "{errors}");
    assert!(errors.contains("invalid YAML"), "{errors}");
    std::fs::write(dir.path().join(".plimsoll.yaml"), "- DF002\n").unwrap();
    let errors = config_errors(dir.path(), &[]);
    assert!(
        errors.contains(".plimsoll.yaml:1:1: the config file must be a mapping (`key: value`)"),
        "{errors}"
    );
    std::fs::write(dir.path().join(".plimsoll.yml"), "").unwrap();
    std::fs::write(dir.path().join(".plimsoll.yaml"), "").unwrap();
    let errors = config_errors(dir.path(), &[]);
    assert!(
        errors.contains(".plimsoll.yml: two config files in one directory"),
        "{errors}"
    );
}

#[test]
fn an_empty_config_changes_nothing() {
    let dir = tree(&[
        (".git/HEAD", ""),
        (".plimsoll.yaml", "# nothing yet\n"),
        ("Dockerfile", LATEST),
    ]);
    let (found, _) = codes(dir.path(), &[]);
    assert_eq!(found, expect(&[("Dockerfile", &["DF004", "DF002"])]));
}

#[test]
fn stdin_uses_the_config_of_its_file_name() {
    let dir = tree(&[
        (".git/HEAD", ""),
        ("svc/.plimsoll.yaml", "select: [DF004]\n"),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .args([
            "check",
            "--format",
            "compact",
            "--stdin-filename",
            "svc/Dockerfile",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(LATEST.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = stdout(&output);
    assert!(text.contains("[DF004/root-user]"), "{text}");
    assert!(!text.contains("DF002"), "{text}");
}

#[test]
fn suppressions_cover_the_next_instruction_or_the_file() {
    let dockerfile = "\
# plimsoll ignore=latest-tag -- the base is rebuilt nightly
# (another comment between is fine)
FROM alpine:latest AS build
RUN echo hi

FROM alpine:latest
# plimsoll ignore=DF002
RUN echo not a FROM

# hadolint ignore=DL3007
FROM debian:latest AS three
# plimsoll ignore-file=unpinned-digest,DF004
";
    let dir = tree(&[("Dockerfile", dockerfile)]);
    let output = plimsoll(
        dir.path(),
        &["check", "--format", "compact", "--quiet", "--isolated"],
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("Dockerfile:6:13: warning[DF002/latest-tag]"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("Dockerfile:7:19: warning[PL001/unused-suppression] unused suppression: no `DF002` finding here"),
        "{text}"
    );
}

#[test]
fn suppressions_in_compose_cover_the_key_subtree() {
    let compose = "\
services:
  # plimsoll ignore=DC002 -- dev only
  web:
    image: nginx:latest
  api:
    # plimsoll ignore=service-latest-tag
    image: api:latest
    environment:
      # plimsoll ignore=DC002,DC9
      - A=1
  db:
    image: postgres:latest
";
    let dir = tree(&[("compose.yaml", compose)]);
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--format",
            "compact",
            "--quiet",
            "--isolated",
            "--select",
            "DC002,PL001",
        ],
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(
            "compose.yaml:9:25: warning[PL001/unused-suppression] unused suppression: no `DC002`"
        ),
        "{text}"
    );
    assert!(lines[1].starts_with("compose.yaml:9:31: warning[PL001/unused-suppression] suppression of an unknown rule `DC9`"), "{text}");
    assert!(lines[2].starts_with("compose.yaml:12:"), "{text}");
    assert!(lines[2].contains("[DC002/service-latest-tag]"), "{text}");
}

#[test]
fn buildkit_check_directives_and_hadolint_pragma_variants_are_honoured() {
    // `# check=` as BuildKit reads it: the parser directive skips for the file and makes the
    // BuildKit checks errors; a `# check=skip=` comment above an instruction skips there only.
    let dockerfile = "\
# check=skip=JSONArgsRecommended;error=true
FROM alpine:3.20 AS one
CMD echo hi
from alpine:3.20 AS two
# check=skip=StageNameCasing
FROM alpine:3.20 AS Three
FROM alpine:3.20 AS Four
# hadolint stage ignore = DL3007
FROM alpine:latest
RUN true
FROM alpine:latest
# hadolint global ignore = DL3006 , DL3027 # a comment of hadolint's
FROM alpine
";
    let dir = tree(&[("Dockerfile", dockerfile)]);
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--format",
            "compact",
            "--quiet",
            "--isolated",
            "--select",
            "DF001,DF002,DF043,DF050,DF051",
        ],
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Dockerfile:4:1: error[DF050/inconsistent-instruction-casing] `from` should be `FROM`: the file writes instructions in upper case",
            "Dockerfile:4:18: error[DF050/inconsistent-instruction-casing] `AS` should be `as`, in the same case as `from`",
            "Dockerfile:7:21: error[DF043/stage-name-casing] stage name `Four` should be lower-case",
            "Dockerfile:11:13: warning[DF002/latest-tag] base image `alpine:latest` uses the `latest` tag",
        ],
        "{text}"
    );

    // `skip=all` skips every rule with a BuildKit check id, and nothing else; a value BuildKit
    // refuses (`error=maybe`) changes nothing.
    let dir = tree(&[
        (
            "a/Dockerfile",
            "# check=skip=all\nFROM alpine:latest\nCMD echo hi\n",
        ),
        (
            "b/Dockerfile",
            "# check=error=maybe\nFROM alpine:3.20\nCMD echo hi\n",
        ),
    ]);
    let (found, _) = codes(dir.path(), &["--isolated", "--select", "DF002,DF051"]);
    assert_eq!(
        found,
        expect(&[("a/Dockerfile", &["DF002"]), ("b/Dockerfile", &["DF051"])])
    );
}

#[test]
fn unused_buildkit_skips_are_opt_in() {
    let dockerfile = "# check=skip=JSONArgsRecommended,NoSuchCheck\nFROM alpine:3.20\n";
    let dir = tree(&[("Dockerfile", dockerfile)]);
    let (found, _) = codes(dir.path(), &["--isolated", "--select", "DF051,PL001"]);
    assert!(found.is_empty(), "{found:?}");
    let dir = tree(&[
        (".git/HEAD", ""),
        ("Dockerfile", dockerfile),
        (
            ".plimsoll.yaml",
            "select: [DF051, PL001]\nrules:\n  PL001:\n    options: {buildkit: true}\n",
        ),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "compact", "--quiet"]);
    let text = stdout(&output);
    assert_eq!(
        text.trim(),
        "Dockerfile:1:14: warning[PL001/unused-suppression] unused suppression: no `JSONArgsRecommended` finding here",
    );
}

#[test]
fn strict_requires_reasons_and_unused_hadolint_pragmas_are_opt_in() {
    let dockerfile = "\
# hadolint ignore=DL3007
FROM alpine:3.20
# plimsoll ignore=root-user
# plimsoll ignroe=DF004
USER root
";
    let dir = tree(&[
        (".git/HEAD", ""),
        ("Dockerfile", dockerfile),
        (
            ".plimsoll.yaml",
            "strict: true\nselect: [DF002, DF004, PL001]\nrules:\n  PL001:\n    options: {hadolint: true}\n",
        ),
    ]);
    let output = plimsoll(dir.path(), &["check", "--format", "compact", "--quiet"]);
    let text = stdout(&output);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split(" warning").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "Dockerfile:1:1:",
            "Dockerfile:1:19:",
            "Dockerfile:3:1:",
            "Dockerfile:4:1:"
        ],
        "{text}"
    );
    assert!(text.contains("suppression without a reason"), "{text}");
    assert!(text.contains("no `DL3007` finding here"), "{text}");
    assert!(text.contains("is not a directive"), "{text}");
}

#[test]
fn baseline_round_trip_through_the_binary() {
    let dir = tree(&[
        ("app/Dockerfile", "FROM alpine:latest\nFROM debian:latest\n"),
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:latest\n",
        ),
    ]);
    let args = ["--isolated", "--select", "DF002,DC002"];
    let (before, code) = codes(dir.path(), &args);
    assert_eq!(before.values().map(Vec::len).sum::<usize>(), 3);
    assert_eq!(code, 1);

    let mut write = args.to_vec();
    write.extend(["--write-baseline", "ci/baseline.json"]);
    std::fs::create_dir_all(dir.path().join("ci")).unwrap();
    let (found, code) = codes(dir.path(), &write);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, 0);
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("ci/baseline.json")).unwrap())
            .unwrap();
    assert_eq!(recorded["version"], 1);
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 3);
    // Paths are relative to the baseline file.
    assert_eq!(recorded["findings"][0]["path"], "../app/Dockerfile");

    // Unrelated edits move the findings; one new finding appears.
    std::fs::write(
        dir.path().join("app/Dockerfile"),
        "# moved down\nFROM alpine:latest\n\nFROM debian:latest\nFROM busybox:latest\n",
    )
    .unwrap();
    let mut read = args.to_vec();
    read.extend(["--baseline", "ci/baseline.json"]);
    let (found, code) = codes(dir.path(), &read);
    assert_eq!(found, expect(&[("app/Dockerfile", &["DF002"])]));
    assert_eq!(code, 1);
    let output = plimsoll(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "compact",
            "--baseline",
            "ci/baseline.json",
            "--select",
            "DF002",
            "app",
        ],
    );
    assert!(
        stdout(&output).starts_with("app/Dockerfile:5:14:"),
        "{}",
        stdout(&output)
    );

    // From another directory, the same baseline still matches.
    let (found, _) = codes(
        &dir.path().join("app"),
        &[
            "--isolated",
            "--select",
            "DF002",
            "--baseline",
            "../ci/baseline.json",
        ],
    );
    assert_eq!(found, expect(&[("Dockerfile", &["DF002"])]));

    std::fs::write(dir.path().join("ci/baseline.json"), "{").unwrap();
    let output = plimsoll(dir.path(), &["check", "--baseline", "ci/baseline.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("ci/baseline.json: invalid baseline"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_suppression_covers_every_line_of_a_multi_line_instruction() {
    let dockerfile = "\
FROM alpine:3.20
# plimsoll ignore=secret-in-arg-env -- a test fixture, not a real token
ENV A=1 \\
    API_TOKEN=abc123
ENV B=1 \\
    # plimsoll ignore=DF005 -- inside the continuation
    DB_PASSWORD=hunter2
ENV C=1 \\
    GH_TOKEN=abc
USER 1000
";
    let dir = tree(&[("Dockerfile", dockerfile)]);
    let output = plimsoll(
        dir.path(),
        &["check", "--isolated", "--format", "compact", "--quiet"],
    );
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("Dockerfile:9:5: warning[DF005/secret-in-arg-env] ENV `GH_TOKEN`"),
        "{text}"
    );
}

#[test]
fn a_suppression_followed_by_a_blank_line_covers_nothing_and_says_so() {
    let dir = tree(&[(
        "Dockerfile",
        "# plimsoll ignore=latest-tag -- stray\n\nFROM alpine:latest\nUSER 1000\n",
    )]);
    let output = plimsoll(
        dir.path(),
        &["check", "--isolated", "--format", "compact", "--quiet"],
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(
            "Dockerfile:1:1: warning[PL001/unused-suppression] suppression covers nothing"
        ),
        "{text}"
    );
    assert!(
        lines[1].starts_with("Dockerfile:3:13: warning[DF002/latest-tag]"),
        "{text}"
    );
}

#[test]
fn plimsoll_test_runs_the_rules_doc_examples() {
    let dir = tree(&[]);
    let output = plimsoll(dir.path(), &["test"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.trim_end().ends_with("all passed"), "{text}");
    let output = plimsoll(dir.path(), &["test", "--select", "latest-tag"]);
    assert_eq!(stdout(&output), "2 examples of 1 rule: all passed\n");
    let output = plimsoll(dir.path(), &["test", "policies"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`policies` is not a directory"));
}
