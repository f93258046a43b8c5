//! Compose projects: `plimsoll compose config` on the fixture projects of
//! tests/fixtures/compose-projects (override, extends in the same file and in another, a chain,
//! include in short and long form, COMPOSE_FILE from .env, `!reset`/`!override`), checked on
//! its own and against Docker Compose itself (`docker-compose config --format json
//! --no-interpolate`, through scripts/compose-projects-diff.py, which documents the
//! normalisations) when the oracle is installed.

mod common;

use std::path::{Path, PathBuf};

use common::{plimsoll, stderr, stdout, tree};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose-projects")
}

fn config(dir: &Path) -> serde_json::Value {
    let out = plimsoll(dir, &["compose", "config"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn override_merges_by_compose_rules() {
    let c = config(&fixtures().join("override"));
    let web = &c["services"]["web"];
    // Ports by identity: the repeated 8080:80 once, the new one added.
    assert_eq!(web["ports"].as_array().unwrap().len(), 3);
    // Volumes by target: the override's source wins at the base's place.
    let volumes = web["volumes"].as_array().unwrap();
    assert_eq!(volumes.len(), 3);
    assert!(volumes[0]["source"].as_str().unwrap().ends_with("/other"));
    assert_eq!(web["environment"]["LEVEL"], "debug");
    assert_eq!(web["environment"]["MODE"], "prod");
    assert_eq!(
        web["cap_add"],
        serde_json::json!(["NET_BIND_SERVICE", "SYS_PTRACE"])
    );
    assert_eq!(
        web["healthcheck"]["test"],
        serde_json::json!(["CMD-SHELL", "true"])
    );
    assert_eq!(web["deploy"]["resources"]["limits"]["memory"], "1G");
    assert_eq!(web["deploy"]["resources"]["limits"]["pids"], "200");
    let worker = &c["services"]["worker"];
    assert!(
        worker["build"]["context"]
            .as_str()
            .unwrap()
            .ends_with("/worker")
    );
    assert_eq!(worker["build"]["dockerfile"], "Dockerfile.dev");
    assert_eq!(worker["privileged"], true);
}

#[test]
fn extends_inherits_in_the_same_file_in_another_and_through_a_chain() {
    let c = config(&fixtures().join("extends-same"));
    assert_eq!(c["services"]["app"]["mem_limit"], "128m");
    assert_eq!(c["services"]["app"]["environment"]["A"], "1");
    assert_eq!(c["services"]["app2"]["mem_limit"], "64m");
    let c = config(&fixtures().join("extends-file"));
    let app = &c["services"]["app"];
    assert_eq!(app["privileged"], true);
    // Paths of the extended file resolve against its own directory.
    assert!(
        app["volumes"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("extends-file/common/data")
    );
    let c = config(&fixtures().join("chain"));
    assert_eq!(
        c["services"]["c"]["cap_add"],
        serde_json::json!(["CHOWN", "SETUID", "KILL"])
    );
    assert_eq!(c["services"]["c"]["pids_limit"], "50");
}

#[test]
fn include_and_compose_file_and_reset() {
    let c = config(&fixtures().join("include-short"));
    assert!(
        c["services"]["db"]["volumes"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("include-short/db/pgdata")
    );
    assert!(c["volumes"]["dbvol"].is_object());
    let c = config(&fixtures().join("include-long"));
    assert!(
        c["services"]["cache"]["volumes"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("include-long/lib/redis.conf")
    );
    let c = config(&fixtures().join("compose-file-env"));
    assert_eq!(c["services"]["svc"]["user"], "1000");
    let c = config(&fixtures().join("reset"));
    let app = &c["services"]["app"];
    assert!(app.get("ports").is_none() && app.get("environment").is_none());
    assert_eq!(app["cap_add"], serde_json::json!(["SYS_TIME"]));
}

#[test]
fn problems_are_reported_at_the_reference_with_exit_2() {
    let dir = tree(&[
        (
            "compose.yaml",
            "include:\n  - missing.yaml\nservices:\n  a:\n    extends: b\n  b:\n    extends: a\n  c:\n    extends: {file: nope.yml, service: x}\n  d:\n    extends: zzz\n",
        ),
        ("inc/compose.yaml", "services:\n  x:\n    image: y\n"),
    ]);
    let out = plimsoll(dir.path(), &["compose", "config"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("compose.yaml:2:5:"), "{err}");
    assert!(err.contains("compose.yaml:5:14: extends cycle"), "{err}");
    assert!(err.contains("compose.yaml:9:21: cannot read"), "{err}");
    assert!(
        err.contains("compose.yaml:11:14: cannot extend service `d`"),
        "{err}"
    );
    // A service defined by the project and by a file it includes is a conflict.
    let dir = tree(&[
        (
            "compose.yaml",
            "include: [inc/x.yaml]\nservices:\n  x:\n    image: z\n",
        ),
        ("inc/x.yaml", "services:\n  x:\n    image: y\n"),
    ]);
    let out = plimsoll(dir.path(), &["compose", "config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("compose.yaml:3:3: services.x conflicts"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn merged_model_equals_docker_compose_on_the_fixtures() {
    let Some(oracle) = common::compose_oracle() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("scripts/compose-projects-diff.py"))
        .args(["--plimsoll", env!("CARGO_BIN_EXE_plimsoll"), "--oracle"])
        .arg(&oracle)
        .arg("--files")
        .arg(fixtures())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(" 0 rejected"),
        "every fixture must be valid for Compose: {text}"
    );
}

/// The codes of the findings of `plimsoll check` in `dir`, as `file:code:service-line`.
fn findings(dir: &Path, select: &str) -> Vec<String> {
    let out = plimsoll(dir, &["check", "--select", select, "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut found: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            format!("{name}:{}", f["code"].as_str().unwrap_or_default())
        })
        .collect();
    found.sort();
    found
}

#[test]
fn missing_findings_follow_the_merged_project() {
    let select = "service-no-memory-limit,service-no-cpu-limit,service-no-pids-limit,service-user-unset,service-root-user";
    // An override fragment with only `depends_on`: the base sets everything.
    let dir = tree(&[
        (
            "compose.yaml",
            "services:\n  db:\n    image: postgres:16\n    user: postgres\n    mem_limit: 1g\n    cpus: 1\n    pids_limit: 100\n  web:\n    image: nginx:1.27\n    user: root\n    mem_limit: 1g\n    cpus: 1\n    pids_limit: 100\n",
        ),
        (
            "compose.override.yaml",
            "services:\n  db:\n    depends_on: [web]\n  web:\n    user: \"101\"\n",
        ),
    ]);
    assert_eq!(findings(dir.path(), select), Vec::<String>::new());
    // `extends: base` inherits the limits and the user; the base alone is judged as written.
    let dir = tree(&[(
        "compose.yaml",
        "services:\n  base:\n    image: alpine:3.20\n    user: \"1000\"\n    mem_limit: 64m\n    cpus: 1\n    pids_limit: 10\n  app:\n    extends: base\n  other:\n    image: alpine:3.20\n",
    )]);
    let found = findings(dir.path(), select);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.iter().all(|f| f.starts_with("compose.yaml:")));
}

/// The hardening rules that report what a service lacks (no-new-privileges, `cap_drop: [ALL]`,
/// a read-only root, ulimits, a healthcheck) judge the merged service, once, in the file that
/// defines it: a production override that adds them settles the base, and an override fragment
/// gets no finding of its own.
#[test]
fn hardening_findings_follow_the_merged_project() {
    let select = "service-no-new-privileges,service-no-cap-drop-all,service-writable-root-fs,service-no-ulimits,service-no-healthcheck";
    let dir = tree(&[
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7.4\n",
        ),
        (
            "compose.override.yaml",
            "services:\n  web:\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [\"no-new-privileges:true\"]\n    ulimits: {nofile: 1024}\n    healthcheck: {test: [\"CMD\", \"true\"]}\n  db:\n    privileged: true\n    security_opt: [\"no-new-privileges:false\"]\n",
        ),
    ]);
    let found = findings(dir.path(), select);
    assert_eq!(
        found,
        [
            // db: the override turns it off, reported where it is written
            "compose.override.yaml:DC011",
            "compose.yaml:DC011", // cache
            "compose.yaml:DC012", // cache (db is privileged: service-privileged reports)
            "compose.yaml:DC020", // cache, db
            "compose.yaml:DC020",
            "compose.yaml:DC031",
            "compose.yaml:DC031",
            "compose.yaml:DC033",
            "compose.yaml:DC033",
        ],
        "{found:?}"
    );
}

/// The default resource-limit rule reports a service once, in the file that defines it, naming
/// the limits the merged project leaves unset (an override's `cpus` counts).
#[test]
fn one_resource_limit_finding_per_service_in_its_defining_file() {
    let dir = tree(&[
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7.4\n",
        ),
        (
            "compose.override.yaml",
            "services:\n  web:\n    cpus: 1\n  db:\n    mem_limit: 1g\n",
        ),
    ]);
    let out = plimsoll(dir.path(), &["check", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut found: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "resources")
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            format!(
                "{name}:{}:{}",
                f["code"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "compose.yaml:DC053:service `cache` has no memory limit (and no CPU or pids limit)",
            "compose.yaml:DC053:service `web` has no memory limit (and no pids limit)",
        ],
        "{json:#}"
    );
}

/// `plimsoll check` reports a project problem in the checked file (here a missing `extends`
/// file) as a parse error at the reference, and still checks the rest of the file.
#[test]
fn check_reports_a_missing_extends_target_at_the_reference() {
    let dir = tree(&[(
        "compose.yaml",
        "services:\n  web:\n    extends: {file: missing.yml, service: base}\n    image: nginx:latest\n",
    )]);
    let out = plimsoll(dir.path(), &["check", "--format", "compact", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("compose.yaml:3:21: error[PL000/parse-error] cannot read"),
        "{text}"
    );
    assert!(text.contains("DC002/service-latest-tag"), "{text}");
}

/// `file:line:col code` of the findings of `plimsoll check --format compact ARGS` in `dir`.
fn compact(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<String>) {
    let (code, lines, _) = common::check_compact(dir, args);
    (code, lines)
}

const INCLUDE_AND_EXTENDS: &[(&str, &str)] = &[
    (
        "compose.yaml",
        "include:\n  - path: db/database.yml\n    env_file: db/db.env\nservices:\n  web:\n    extends: {file: common.yml, service: base}\n    image: nginx:${TAG}\n",
    ),
    (".env", "TAG=1.27\n"),
    (
        "db/database.yml",
        "services:\n  db:\n    image: postgres:${PG}\n    mem_limit: 1g\n",
    ),
    ("db/db.env", "PG=latest\n"),
    (
        "common.yml",
        "services:\n  base:\n    privileged: true\n    mem_limit: 256m\n",
    ),
];

/// Files a project reads through `include` and `extends` are checked when their directory is
/// walked, whatever their name: the privileged base service is reported where it is written,
/// and gets no "missing" finding of its own (its extender is judged); an included file's
/// variables come from the `include`'s `env_file`.
#[test]
fn files_a_project_pulls_in_are_checked_in_its_terms() {
    let dir = tree(INCLUDE_AND_EXTENDS);
    let (code, found) = compact(
        dir.path(),
        &["--select", "DC002,DC006,DC010,service-user-unset", "."],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        found,
        [
            "common.yml:3:17 DC010",
            "compose.yaml:5:3 DC021",
            "db/database.yml:2:3 DC021",
            "db/database.yml:3:21 DC002",
        ],
        "{found:?}"
    );
    // Named alone (as pre-commit does), the compose file pulls nothing in.
    let (_, found) = compact(dir.path(), &["--select", "DC010", "compose.yaml"]);
    assert!(found.is_empty(), "{found:?}");
}

/// `-f` declares a project as `docker compose -f` does, and `--env-file` replaces `.env`;
/// `compose: projects:` in `.plimsoll.yaml` declares the same for a walk.
#[test]
fn projects_declared_with_f_env_file_and_config() {
    let dir = tree(&[
        (
            "deploy/base.yml",
            "services:\n  app:\n    image: redis:${TAG}\n    mem_limit: 1g\n",
        ),
        (
            "deploy/prod.yml",
            "services:\n  app:\n    cap_add: [SYS_ADMIN]\n",
        ),
        ("deploy/ci.env", "TAG=latest\n"),
    ]);
    let expected = ["deploy/base.yml:3:18 DC002", "deploy/prod.yml:3:15 DC013"];
    let select = "DC002,DC006,DC013";
    let (code, found) = compact(
        dir.path(),
        &[
            "--select",
            select,
            "-f",
            "deploy/base.yml",
            "-f",
            "deploy/prod.yml",
            "--env-file",
            "deploy/ci.env",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(found, expected);
    // Without the declaration a walk finds neither file (their names do not say compose).
    let (_, found) = compact(dir.path(), &["--select", select, "."]);
    assert!(found.is_empty(), "{found:?}");
    std::fs::write(
        dir.path().join(".plimsoll.yaml"),
        "compose:\n  projects:\n    - files: [deploy/base.yml, deploy/prod.yml]\n      env-file: deploy/ci.env\n",
    )
    .unwrap();
    let (code, found) = compact(dir.path(), &["--select", select, "."]);
    assert_eq!(code, Some(1));
    assert_eq!(found, expected);
    // A message says where the value came from.
    let out = plimsoll(dir.path(), &["check", "--select", "DC002", "."]);
    assert!(
        stdout(&out).contains("(`TAG` from ci.env line 1)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_declared_project_that_cannot_be_loaded_is_a_usage_error() {
    let dir = tree(&[(
        ".plimsoll.yaml",
        "compose:\n  projects:\n    - files: [missing.yml]\n      envfile: x\n",
    )]);
    let out = plimsoll(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".plimsoll.yaml:3:15: compose project file `missing.yml` does not exist"),
        "{err}"
    );
    assert!(err.contains("did you mean `env-file`?"), "{err}");
    let out = plimsoll(
        dir.path(),
        &["check", "--isolated", "--env-file", "nope.env", "."],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--env-file `nope.env`: no such file"));
}

/// A missing `include` `env_file` is a problem at the reference, as Compose refuses the
/// project; the included file itself stays clean.
#[test]
fn a_missing_include_env_file_is_reported_at_the_reference() {
    let dir = tree(&[
        (
            "compose.yaml",
            "include:\n  - path: child/compose.yaml\n    env_file:\n      - secret.env\n",
        ),
        (
            "child/compose.yaml",
            "services:\n  a:\n    image: alpine:3.20\n",
        ),
    ]);
    let (code, found) = compact(dir.path(), &["--select", "PL000", "."]);
    assert_eq!(code, Some(1));
    assert_eq!(found, ["compose.yaml:4:9 PL000"]);
}
