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
