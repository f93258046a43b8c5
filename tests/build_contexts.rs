//! The build-context rules end to end, through the binary, on trees built here (a `.git` marks
//! each tree as a repository root): bulky directories with the size sent (DF082), sources that
//! only exist above the Dockerfile (DF083) and the `build-contexts` config key that declares
//! the context, `COPY --exclude` and `--parents` for the other context rules, and config errors.

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;

/// A repository root holding `files` (`(path, text)`), with a `.git` directory.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = common::tree(files);
    fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir
}

/// A file of `size` bytes (sparse: nothing is written), parents created.
fn sized(root: &Path, path: &str, size: u64) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::File::create(&path).unwrap().set_len(size).unwrap();
}

/// `plimsoll check --format json --select SELECT ARGS…` in `dir`: exit code and findings as
/// `(path:line:col code, message, help)`.
fn check(dir: &Path, select: &str, args: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut all = vec!["check", "--format", "json", "--select", select];
    all.extend_from_slice(args);
    let out = common::plimsoll(dir, &all);
    let code = out.status.code().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", common::stderr(&out)));
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                format!(
                    "{}:{}:{} {}",
                    f["path"].as_str().unwrap(),
                    f["start"]["line"],
                    f["start"]["column"],
                    f["code"].as_str().unwrap()
                ),
                f["message"].as_str().unwrap_or_default().to_string(),
                f["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (code, findings)
}

fn places(findings: &[(String, String, String)]) -> Vec<&str> {
    findings
        .iter()
        .map(|(place, _, _)| place.as_str())
        .collect()
}

#[test]
fn bulky_directories_are_reported_with_the_size_sent() {
    let dir = repo(&[
        ("Cargo.toml", "[package]\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("web/package.json", "{}\n"),
        (
            "Dockerfile",
            "FROM rust:1.90\nWORKDIR /src\nCOPY . .\nRUN cargo build\n",
        ),
        (".venv/pyvenv.cfg", "home = /usr/bin\n"),
        // `build` is only Gradle's output beside a Gradle build file: here it is a source.
        ("build/config.yaml", "a: 1\n"),
    ]);
    let root = dir.path();
    sized(root, ".git/objects/pack/pack-1.pack", 3 << 20);
    sized(root, "target/debug/app", 5 << 20);
    sized(root, "web/node_modules/react/index.js", 1536);
    sized(root, "web/node_modules/react/node_modules/x/index.js", 512);
    sized(root, ".venv/lib/python3.12/site.py", 2048);
    let (code, findings) = check(root, "DF082", &["Dockerfile"]);
    assert_eq!(code, 1);
    assert_eq!(places(&findings), ["Dockerfile:3:6 DF082"], "{findings:#?}");
    let (_, message, help) = &findings[0];
    // Largest first, the outermost `node_modules` only, sizes from the walk.
    assert!(
        message.starts_with(
            "COPY `.` sends `target` (Cargo build output, 5.0 MiB in 1 file), `.git` \
             (version-control history, 3.0 MiB in 1 file), `.venv` (a Python virtual \
             environment, 2.0 KiB in 2 files) and 1 more from the build context: 8.0 MiB of \
             the 8.0 MiB it copies"
        ),
        "{message}"
    );
    assert!(
        help.contains("add `/target`, `/.git`, `/.venv`, `/web/node_modules` to .dockerignore"),
        "{help}"
    );

    // What .dockerignore keeps out is not sent; the rest still is.
    fs::write(
        root.join(".dockerignore"),
        "target\n.git\n**/node_modules\n",
    )
    .unwrap();
    let (_, findings) = check(root, "DF082", &["Dockerfile"]);
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0]
            .1
            .starts_with("COPY `.` sends `.venv` (a Python virtual environment"),
        "{}",
        findings[0].1
    );
    fs::write(
        root.join(".dockerignore"),
        "target\n.git\n**/node_modules\n.venv\n",
    )
    .unwrap();
    let (code, findings) = check(root, "DF082", &["Dockerfile"]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:#?}");
}

#[test]
fn wanted_directories_and_excludes_are_not_reported() {
    let dir = repo(&[
        ("pom.xml", "<project/>\n"),
        ("src/App.java", "class App {}\n"),
        // The build stamps its version from the repository: `.git` is needed.
        (
            "Dockerfile",
            "FROM maven:3.9 AS build\nWORKDIR /src\nCOPY . .\n\
             RUN mvn -Drevision=$(git describe --tags) package\n\
             FROM eclipse-temurin:21-jre\nCOPY --from=build /src/target/app.jar /app.jar\n",
        ),
        // A source in target/ asks for it.
        (
            "prebuilt.Dockerfile",
            "FROM eclipse-temurin:21-jre\nCOPY target/app.jar /app.jar\nCOPY . /src\n",
        ),
        (
            "excluded.Dockerfile",
            "FROM eclipse-temurin:21-jre\nCOPY --exclude=target --exclude=.git . /src\n",
        ),
        (
            "parents.Dockerfile",
            "FROM eclipse-temurin:21-jre\nCOPY --parents ./**/*.java /src/\n\
             COPY --parents ./**/*.jar /out/\n",
        ),
    ]);
    let root = dir.path();
    sized(root, ".git/objects/pack/pack-1.pack", 4096);
    sized(root, "target/app.jar", 4096);
    let (_, findings) = check(root, "DF082", &["."]);
    // Dockerfile: target (beside pom.xml) only; prebuilt: .git only; excluded: nothing;
    // parents: `**/*.java` copies no bulky file, `**/*.jar` reaches into target/.
    assert_eq!(
        places(&findings),
        [
            "Dockerfile:3:6 DF082",
            "parents.Dockerfile:3:16 DF082",
            "prebuilt.Dockerfile:3:6 DF082"
        ],
        "{findings:#?}"
    );
    assert!(findings[0].1.contains("`target` (Maven build output"));
    assert!(!findings[0].1.contains(".git"));
    assert!(findings[2].1.contains("`.git` (version-control history"));
    assert!(!findings[2].1.contains("target"));
}

#[test]
fn the_dockerfile_specific_ignore_file_is_the_one_named() {
    let dir = repo(&[
        ("docker/api.Dockerfile", "FROM node:22\nCOPY . /app\n"),
        ("docker/api.Dockerfile.dockerignore", "*.md\n"),
        ("index.js", "\n"),
        (
            ".plimsoll.yaml",
            "build-contexts:\n  - dockerfile: docker/api.Dockerfile\n    context: .\n",
        ),
    ]);
    sized(dir.path(), "node_modules/a/index.js", 100);
    let (_, findings) = check(dir.path(), "DF082", &["docker/api.Dockerfile"]);
    assert_eq!(places(&findings), ["docker/api.Dockerfile:2:6 DF082"]);
    assert!(
        findings[0].2.contains("to api.Dockerfile.dockerignore"),
        "{}",
        findings[0].2
    );
}

/// A Dockerfile in `docker/` whose sources are at the repository root.
fn built_from_the_root() -> tempfile::TempDir {
    repo(&[
        ("package.json", "{}\n"),
        ("src/index.js", "\n"),
        (".env", "TOKEN=x\n"),
        (
            "docker/app.Dockerfile",
            "FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nCOPY src/ ./src/\nCOPY . .\n",
        ),
        ("README.md", "\n"),
    ])
}

/// The Dockerfile of [`built_from_the_root`] with a typo in a source (line 5).
const WITH_A_TYPO: &str = "FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nCOPY src/ ./src/\nCOPY READMEE.md ./\nCOPY . .\n";

#[test]
fn sources_above_the_dockerfile_say_how_to_declare_the_context() {
    let dir = built_from_the_root();
    let root = dir.path();
    let (_, findings) = check(root, "DF079,DF080,DF081,DF083", &["docker/app.Dockerfile"]);
    // One finding, at the first source; DF080 does not report the sources too.
    assert_eq!(
        places(&findings),
        ["docker/app.Dockerfile:3:6 DF083"],
        "{findings:#?}"
    );
    let (_, message, help) = &findings[0];
    assert!(
        message.contains("none of the 2 COPY and ADD sources"),
        "{message}"
    );
    assert!(message.contains("`..` (the repository root)"), "{message}");
    assert!(
        message.contains("`docker build -f docker/app.Dockerfile .`"),
        "{message}"
    );
    assert!(
        help.contains(
            "add `build-contexts: [{dockerfile: docker/app.Dockerfile, context: .}]` to \
             `../.plimsoll.yaml`"
        ),
        "{help}"
    );
    assert!(
        help.contains("`build: {context: ., dockerfile: docker/app.Dockerfile}`"),
        "{help}"
    );
    // A source that is nowhere: no directory holds them all, nothing is suggested (and DF080
    // stays silent: it cannot tell a wrong context from a wrong path).
    fs::write(root.join("docker/app.Dockerfile"), WITH_A_TYPO).unwrap();
    let (_, findings) = check(root, "DF080,DF083", &["docker/app.Dockerfile"]);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_config_key_declares_the_context_the_rules_then_read() {
    let dir = built_from_the_root();
    let root = dir.path();
    fs::write(
        root.join(".plimsoll.yaml"),
        "build-contexts:\n  - dockerfile: docker/app.Dockerfile\n    context: .\n",
    )
    .unwrap();
    fs::write(root.join("docker/app.Dockerfile"), WITH_A_TYPO).unwrap();
    let (code, findings) = check(root, "DF079,DF080,DF081,DF083", &["docker/app.Dockerfile"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&findings),
        [
            "docker/app.Dockerfile:5:6 DF080",
            "docker/app.Dockerfile:6:6 DF081"
        ],
        "{findings:#?}"
    );
    assert_eq!(findings[0].2, "did you mean `README.md`?");
    assert!(findings[1].1.contains("`.env` (a dotenv file)"));

    // A glob, in a list, from a config in a subdirectory: the nearest config's entry wins.
    fs::write(
        root.join(".plimsoll.yaml"),
        "build-contexts:\n  - dockerfile: [other/*, \"docker/*.Dockerfile\"]\n    context: .\n",
    )
    .unwrap();
    fs::write(
        root.join("docker/.plimsoll.yaml"),
        "build-contexts:\n  - dockerfile: app.Dockerfile\n    context: .\n",
    )
    .unwrap();
    let (_, findings) = check(root, "DF080,DF083", &["docker/app.Dockerfile"]);
    // Declared as docker/ itself: nothing is found there, and nothing is suggested.
    assert!(findings.is_empty(), "{findings:#?}");
    fs::remove_file(root.join("docker/.plimsoll.yaml")).unwrap();
    let (_, findings) = check(root, "DF080,DF083", &["docker/app.Dockerfile"]);
    assert_eq!(places(&findings), ["docker/app.Dockerfile:5:6 DF080"]);
}

#[test]
fn a_compose_service_declares_the_context_too() {
    let dir = built_from_the_root();
    let root = dir.path();
    fs::write(
        root.join("compose.yaml"),
        "services:\n  app:\n    build:\n      context: .\n      dockerfile: docker/app.Dockerfile\n",
    )
    .unwrap();
    fs::write(root.join("docker/app.Dockerfile"), WITH_A_TYPO).unwrap();
    let (_, findings) = check(root, "DF080,DF083", &["."]);
    assert_eq!(
        places(&findings),
        ["docker/app.Dockerfile:5:6 DF080"],
        "{findings:#?}"
    );
}

#[test]
fn build_context_config_errors_exit_2_and_point_at_the_problem() {
    let dir = built_from_the_root();
    let root = dir.path();
    let cases: &[(&str, &str)] = &[
        (
            "build-contexts:\n  - dockerfile: docker/app.Dockerfile\n    contxt: .\n",
            "unknown build context key `contxt`; did you mean `context`?",
        ),
        (
            "build-contexts:\n  - dockerfile: docker/app.Dockerfile\n    context: nowhere\n",
            "build context directory `nowhere` does not exist",
        ),
        (
            "build-contexts:\n  - dockerfile: docker/api.Dockerfile\n    context: .\n",
            "Dockerfile `docker/api.Dockerfile` does not exist",
        ),
        (
            "build-contexts:\n  - dockerfile: docker/app.Dockerfile\n",
            "a build context needs `dockerfile:`",
        ),
        (
            "build-contexts: {dockerfile: x, context: .}\n",
            "`build-contexts` must be a list of mappings",
        ),
        (
            "build-context:\n  - dockerfile: x\n",
            "unknown top-level key `build-context`; did you mean `build-contexts`?",
        ),
        (
            "build-contexts:\n  - dockerfile: \"docker/[.Dockerfile\"\n    context: .\n",
            "invalid glob",
        ),
    ];
    for (config, expected) in cases {
        fs::write(root.join(".plimsoll.yaml"), config).unwrap();
        let out = common::plimsoll(root, &["check", "docker/app.Dockerfile"]);
        let stderr = common::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{config}: {stderr}");
        assert!(stderr.contains(expected), "{config}: {stderr}");
        assert!(stderr.contains(".plimsoll.yaml:"), "{config}: {stderr}");
    }
}

#[test]
fn excludes_and_parents_reach_the_other_context_rules() {
    let dir = repo(&[
        (".env", "TOKEN=x\n"),
        ("keys/id_rsa", "k\n"),
        ("app/main.py", "\n"),
        ("app/lib/util.py", "\n"),
        ("config/app.yaml", "\n"),
        (".dockerignore", "config\n"),
        (
            "Dockerfile",
            "FROM python:3.13-slim\n\
             COPY --exclude=.env --exclude=keys . /clean/\n\
             COPY --exclude=**/id_rsa . /partly/\n\
             COPY --parents app/**/*.py /src/\n\
             COPY --parents ./app/./lib/util.py /src/\n\
             COPY --parents ./app/./lib/utl.py /src/\n\
             COPY --parents ./config/./app.yaml /etc/\n\
             COPY app/**/lib/*.py /flat/\n\
             COPY --parents app/**/lib/*.py /tree/\n",
        ),
    ]);
    let (_, findings) = check(dir.path(), "DF079,DF080,DF081", &["Dockerfile"]);
    assert_eq!(
        places(&findings),
        [
            "Dockerfile:3:26 DF081",
            "Dockerfile:6:16 DF080",
            "Dockerfile:7:16 DF079",
            "Dockerfile:8:6 DF080",
        ],
        "{findings:#?}"
    );
    assert!(
        findings[0].1.contains("`.env` (a dotenv file)"),
        "{}",
        findings[0].1
    );
    assert!(!findings[0].1.contains("id_rsa"), "{}", findings[0].1);
    assert_eq!(findings[1].2, "did you mean `app/lib/util.py`?");
    // Without --parents `**` is two stars of one name: `app/*/lib/*.py` matches nothing (and
    // is the COPY's only source); with it, `**` may be no directory at all.
    assert!(
        findings[3].1.contains("matches nothing"),
        "{}",
        findings[3].1
    );
}

/// Files named one by one (pre-commit, `xargs`) get the findings a walk of their tree gives
/// them: their directories are listed up front and the config lookup and the build contexts
/// answer from those listings (on workers from 64 directories on, on the main thread below).
#[test]
fn named_files_are_judged_as_the_walk_judges_them() {
    for count in [3, 70] {
        // A config at the repository root for the directories without their own: the lookup
        // goes up through listed directories to it.
        let mut files: Vec<(String, String)> = vec![
            ("index.js".into(), "\n".into()),
            (".plimsoll.yaml".into(), "ignore: [DF004]\n".into()),
        ];
        for n in 0..count {
            let dir = format!("svc{n}");
            files.push((
                format!("{dir}/Dockerfile"),
                "FROM node:22\nCOPY secret.env notes.md /app/\nRUN cd /app && npm ci\n".into(),
            ));
            files.push((format!("{dir}/secret.env"), "A=1\n".into()));
            files.push((format!("{dir}/notes.md"), "\n".into()));
            if n % 3 == 0 {
                files.push((format!("{dir}/.dockerignore"), "*.md\n".into()));
            }
            if n % 4 == 0 {
                files.push((format!("{dir}/.plimsoll.yaml"), "ignore: [DF003]\n".into()));
            }
            if n % 5 == 0 {
                files.push((format!("{dir}/Dockerfile.dockerignore"), "*.env\n".into()));
            }
        }
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let dir = repo(&borrowed);
        // Default rules: a config's `ignore` holds (a `--select` on the command line wins).
        let run = |args: &[&str]| {
            let mut all = vec!["check", "--format", "json"];
            all.extend_from_slice(args);
            let out = common::plimsoll(dir.path(), &all);
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            let findings: Vec<String> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    format!(
                        "{}:{} {} {}",
                        f["path"], f["start"]["line"], f["code"], f["message"]
                    )
                })
                .collect();
            (out.status.code(), findings)
        };
        let walked = run(&["."]);
        let named: Vec<String> = (0..count).map(|n| format!("svc{n}/Dockerfile")).collect();
        let named: Vec<&str> = named.iter().map(String::as_str).collect();
        assert_eq!(run(&named), walked, "{count} directories");
        let has = |dir: &str, code: &str| {
            walked
                .1
                .iter()
                .any(|f| f.starts_with(&format!("\"{dir}/")) && f.contains(code))
        };
        // The ignore files and the configs beside the Dockerfiles, and the root's config where
        // no nearer one is (`svc1` has none of its own; `svc0`'s own does not ignore DF004).
        assert!(has("svc0", "DF079") && !has("svc4", "DF079") && !has("svc1", "DF079"));
        assert!(has("svc0", "DF004") && !has("svc1", "DF004"));
    }
}
