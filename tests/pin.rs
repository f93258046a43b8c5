//! `plimsoll pin` against a real registry: the CNCF Distribution registry (Debian's
//! `docker-registry`) started on 127.0.0.1 with a free port and a throwaway storage directory.
//! Images are pushed through the registry's HTTP API (config and layer blobs, a manifest, and an
//! OCI index of two platforms), then `pin`, `pin --dry-run`, `pin --check` and `pin --update` run
//! on Dockerfiles and compose files that name them.
//!
//! Without the `docker-registry` binary the registry tests are skipped, unless
//! `PLIMSOLL_REQUIRE_REGISTRY=1` (as in CI) makes that a failure.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A registry process on 127.0.0.1, stopped when dropped.
struct Registry {
    child: Child,
    host: String,
    agent: ureq::Agent,
    _storage: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn registry_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("docker-registry"))
        .find(|candidate| candidate.is_file())
}

/// A fresh registry, or `None` (skipped) when the binary is absent and not required.
fn start_registry() -> Option<Registry> {
    let Some(binary) = registry_binary() else {
        if std::env::var("PLIMSOLL_REQUIRE_REGISTRY").as_deref() == Ok("1") {
            panic!("PLIMSOLL_REQUIRE_REGISTRY=1 but `docker-registry` is not installed");
        }
        eprintln!("skipped: `docker-registry` is not installed (apt-get install docker-registry)");
        return None;
    };
    let storage = tempfile::tempdir().unwrap();
    // A free port: bound, read, released; the registry binds it right after.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("127.0.0.1:{port}");
    let config = storage.path().join("config.yml");
    fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: {host}\n",
            storage.path().join("data").display()
        ),
    )
    .unwrap();
    let child = Command::new(binary)
        .arg("serve")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry starts");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let registry = Registry {
        child,
        host,
        agent,
        _storage: storage,
    };
    let started = Instant::now();
    loop {
        let up = registry
            .agent
            .get(format!("http://{}/v2/", registry.host))
            .call()
            .is_ok_and(|response| response.status() == 200);
        if up {
            return Some(registry);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the registry did not answer on {} within 20 s",
            registry.host
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

impl Registry {
    /// Upload `bytes` as a blob of `repository`; its digest.
    fn push_blob(&self, repository: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let started = self
            .agent
            .post(format!(
                "http://{}/v2/{repository}/blobs/uploads/",
                self.host
            ))
            .send_empty()
            .unwrap();
        assert_eq!(started.status(), 202, "upload start");
        let location = started
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let location = if location.starts_with("http") {
            location
        } else {
            format!("http://{}{location}", self.host)
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = self
            .agent
            .put(format!("{location}{separator}digest={digest}"))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(put.status(), 201, "blob upload");
        digest
    }

    /// Put `body` as the manifest `reference` (a tag or a digest); its digest.
    fn push_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        body: &str,
    ) -> String {
        let put = self
            .agent
            .put(format!(
                "http://{}/v2/{repository}/manifests/{reference}",
                self.host
            ))
            .header("Content-Type", media_type)
            .send(body.as_bytes())
            .unwrap();
        let status = put.status();
        let digest = put
            .headers()
            .get("docker-content-digest")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            status,
            201,
            "manifest upload: {}",
            put.into_body().read_to_string().unwrap_or_default()
        );
        let expected = sha256(body.as_bytes());
        assert_eq!(digest.as_deref(), Some(expected.as_str()));
        expected
    }

    /// A single-platform image: a config blob that says `variant`, one small layer, a manifest
    /// of `media_type`. Returns the manifest's digest and size.
    fn push_image(
        &self,
        repository: &str,
        reference: &str,
        variant: &str,
        media_type: &str,
    ) -> (String, usize) {
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"Labels":{{"variant":"{variant}"}}}},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        );
        let config_digest = self.push_blob(repository, config.as_bytes());
        let layer = format!("layer of {variant}");
        let layer_digest = self.push_blob(repository, layer.as_bytes());
        let (config_type, layer_type) = if media_type == DOCKER_MANIFEST {
            (
                "application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
            )
        } else {
            (
                "application/vnd.oci.image.config.v1+json",
                "application/vnd.oci.image.layer.v1.tar+gzip",
            )
        };
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{media_type}","config":{{"mediaType":"{config_type}","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"{layer_type}","digest":"{layer_digest}","size":{}}}]}}"#,
            config.len(),
            layer.len()
        );
        let digest = self.push_manifest(repository, reference, media_type, &manifest);
        (digest, manifest.len())
    }

    /// A two-platform image: two OCI manifests pushed by digest, and an OCI index that names
    /// them under `tag`. Returns the index's digest.
    fn push_index(&self, repository: &str, tag: &str, variant: &str) -> String {
        let mut entries = Vec::new();
        for arch in ["amd64", "arm64"] {
            let label = format!("{variant}-{arch}");
            // Pushed under a throwaway tag first, then referenced by digest.
            let (digest, size) =
                self.push_image(repository, &format!("{tag}-{arch}"), &label, OCI_MANIFEST);
            entries.push(format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{size},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#
            ));
        }
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        );
        self.push_manifest(repository, tag, OCI_INDEX, &index)
    }
}

/// `plimsoll ARGS` in `dir`, with an empty Docker config (no credentials of the machine).
fn plimsoll(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(args)
        .current_dir(dir)
        .env("DOCKER_CONFIG", dir.join(".docker-config"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Pinned references keep their tag; ARG-defaulted FROMs are pinned in the ARG; a
/// multi-platform tag is pinned to its index; a missing tag is an error with its location
/// while the other references of the same files are still pinned; `scratch`, stages and
/// variables are left alone; a second run changes nothing.
#[test]
fn pin_rewrites_tags_to_digests_and_reports_each_failure() {
    let Some(registry) = start_registry() else {
        return;
    };
    let host = &registry.host;
    let (single, _) = registry.push_image("team/base", "1.0", "one", OCI_MANIFEST);
    let (docker, _) = registry.push_image("team/legacy", "2", "docker", DOCKER_MANIFEST);
    let index = registry.push_index("team/multi", "3.1", "multi");

    let dir = tempfile::tempdir().unwrap();
    let dockerfile = format!(
        "ARG BASE={host}/team/multi:3.1\n\
         ARG TAG=1.0\n\
         FROM {host}/team/base:1.0 AS build\n\
         RUN echo hi\n\
         FROM build AS again\n\
         FROM ${{BASE}}\n\
         FROM {host}/team/base:${{TAG}}\n\
         FROM {host}/team/base:no-such-tag\n\
         FROM scratch\n\
         COPY --from=build /a /a\n"
    );
    fs::write(dir.path().join("Dockerfile"), &dockerfile).unwrap();
    let compose = format!(
        "services:\n  \
           web:\n    image: \"{host}/team/legacy:2\"\n  \
           api:\n    image: {host}/team/multi:3.1 # same tag as the ARG\n  \
           gone:\n    image: {host}/team/nothing-here:1\n  \
           built:\n    build: .\n    image: {host}/team/base:1.0\n"
    );
    fs::write(dir.path().join("compose.yaml"), &compose).unwrap();

    let out = plimsoll(dir.path(), &["pin"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let pinned_dockerfile = fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    let expected = dockerfile
        .replace(
            &format!("ARG BASE={host}/team/multi:3.1\n"),
            &format!("ARG BASE={host}/team/multi:3.1@{index}\n"),
        )
        .replace(
            &format!("FROM {host}/team/base:1.0 AS build"),
            &format!("FROM {host}/team/base:1.0@{single} AS build"),
        );
    assert_eq!(pinned_dockerfile, expected, "{stderr}");
    let pinned_compose = fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    let expected = compose
        .replace(
            &format!("\"{host}/team/legacy:2\""),
            &format!("\"{host}/team/legacy:2@{docker}\""),
        )
        .replace(
            &format!("image: {host}/team/multi:3.1 #"),
            &format!("image: {host}/team/multi:3.1@{index} #"),
        );
    assert_eq!(pinned_compose, expected, "{stderr}");

    // One error per reference that failed, with where it is and why.
    assert!(
        stderr.contains(&format!(
            "plimsoll: error: Dockerfile:8:6: cannot pin `{host}/team/base:no-such-tag` \
             ({host}/team/base:no-such-tag): no such tag (404 manifest unknown)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "plimsoll: error: compose.yaml:7:12: cannot pin `{host}/team/nothing-here:1`"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("Dockerfile:7:6: `") && stderr.contains("mixes variables"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Pinned 4 references in 2 files. 2 references could not be resolved."),
        "{stderr}"
    );

    // Pinned references are not asked for again, and the files stay as they are.
    let again = plimsoll(dir.path(), &["pin", "--quiet"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        pinned_dockerfile
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("compose.yaml")).unwrap(),
        pinned_compose
    );
    // Nothing is stale yet.
    let check = plimsoll(dir.path(), &["pin", "--check", "--format", "compact"]);
    assert_eq!(
        check.status.code(),
        Some(2),
        "the missing tags are still errors"
    );
    assert_eq!(text(&check.stdout), "", "no stale pin");
}

/// `--dry-run` prints the unified diff, writes nothing and exits 1; with nothing to pin it
/// exits 0.
#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let Some(registry) = start_registry() else {
        return;
    };
    let host = &registry.host;
    let (digest, _) = registry.push_image("app", "v1", "dry", OCI_MANIFEST);
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = format!("FROM {host}/app:v1\nRUN true\n");
    fs::write(dir.path().join("Dockerfile"), &dockerfile).unwrap();
    let out = plimsoll(dir.path(), &["pin", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n-FROM {host}/app:v1\n\
             +FROM {host}/app:v1@{digest}\n RUN true\n"
        )
    );
    assert!(text(&out.stderr).contains("Would pin 1 reference in 1 file."));
    assert_eq!(
        fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        dockerfile
    );
    assert_eq!(plimsoll(dir.path(), &["pin"]).status.code(), Some(0));
    let out = plimsoll(dir.path(), &["pin", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
}

/// A tag re-pushed after pinning: `pin --check` reports the stale pin (PL003) on its digest in
/// every format and exits 1; `pin` alone leaves it; `pin --update` moves it; then `--check` is
/// clean.
#[test]
fn a_pin_gone_stale_is_reported_by_check_and_moved_by_update() {
    let Some(registry) = start_registry() else {
        return;
    };
    let host = &registry.host;
    let (old, _) = registry.push_image("svc", "1", "before", OCI_MANIFEST);
    let old_index = registry.push_index("multi", "2", "before");
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yml"),
        format!(
            "services:\n  svc:\n    image: {host}/svc:1\n  multi:\n    image: {host}/multi:2\n"
        ),
    )
    .unwrap();
    let out = plimsoll(dir.path(), &["pin"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pinned = fs::read_to_string(dir.path().join("compose.yml")).unwrap();
    assert!(
        pinned.contains(&format!("{host}/svc:1@{old}\n")),
        "{pinned}"
    );
    assert!(
        pinned.contains(&format!("{host}/multi:2@{old_index}\n")),
        "{pinned}"
    );
    let clean = plimsoll(dir.path(), &["pin", "--check"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));

    // The tags move.
    let (new, _) = registry.push_image("svc", "1", "after", OCI_MANIFEST);
    let new_index = registry.push_index("multi", "2", "after");
    assert_ne!(old, new);
    assert_ne!(old_index, new_index);

    let check = plimsoll(dir.path(), &["pin", "--check", "--format", "compact"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let column = format!("    image: {host}/svc:1@").len() + 1;
    let compact = text(&check.stdout);
    assert!(
        compact.contains(&format!(
            "compose.yml:3:{column}: warning[PL003/stale-digest-pin] service `svc`: \
             `{host}/svc:1` is pinned to {}…, but the tag now points to {}…",
            &old[..19],
            &new[..19]
        )),
        "{compact}"
    );
    assert_eq!(compact.matches("PL003").count(), 2, "{compact}");
    // Every format carries the finding.
    for format in [
        "json",
        "sarif",
        "github",
        "checkstyle",
        "junit",
        "gitlab",
        "rdjson",
        "text",
    ] {
        let out = plimsoll(dir.path(), &["pin", "--check", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let report = text(&out.stdout);
        assert!(
            report.contains("stale-digest-pin") || report.contains("PL003"),
            "{format}: {report}"
        );
    }
    let sarif: serde_json::Value = serde_json::from_slice(
        &plimsoll(dir.path(), &["pin", "--check", "--format", "sarif"]).stdout,
    )
    .unwrap();
    let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|rule| rule["id"] == "PL003" && rule["name"] == "stale-digest-pin"),
        "{rules}"
    );

    // `pin` pins what has no digest; it does not move pins.
    assert_eq!(plimsoll(dir.path(), &["pin"]).status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(dir.path().join("compose.yml")).unwrap(),
        pinned
    );
    let update = plimsoll(dir.path(), &["pin", "--update"]);
    assert_eq!(update.status.code(), Some(0), "{}", text(&update.stderr));
    let updated = fs::read_to_string(dir.path().join("compose.yml")).unwrap();
    assert_eq!(
        updated,
        pinned.replace(&old, &new).replace(&old_index, &new_index)
    );
    assert_eq!(
        plimsoll(dir.path(), &["pin", "--check"]).status.code(),
        Some(0)
    );
}

/// The registry's own digest is what is pinned: HEAD with every media type returns the index
/// digest of a multi-platform tag (not one platform's manifest).
#[test]
fn head_returns_the_index_digest_of_a_multi_platform_tag() {
    let Some(registry) = start_registry() else {
        return;
    };
    let index = registry.push_index("idx", "1", "x");
    let mut client = plimsoll::workspace::registry::Client::new(
        plimsoll::workspace::registry::Options::default(),
    );
    let image =
        plimsoll::syntax::image::ImageRef::parse(&format!("{}/idx:1", registry.host)).unwrap();
    let tag = plimsoll::workspace::registry::TagRef::of(&image).unwrap();
    assert_eq!(client.resolve(&tag), Ok(index));
}

/// `plimsoll check` never reaches the network: only `pin` (its CLI file) names the registry
/// client, and only the registry module names the HTTP client.
#[test]
fn only_pin_uses_the_registry_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("src"), root.join("rules"), root.join("lsp/src")];
    let mut offenders = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let source = fs::read_to_string(&path).unwrap();
            let names_client = source.contains("workspace::registry");
            if names_client
                && !matches!(
                    relative.as_str(),
                    "src/surfaces/cli/pin.rs" | "src/workspace/registry.rs"
                )
            {
                offenders.push(format!("{relative} names the registry client"));
            }
            if source.contains("ureq") && relative != "src/workspace/registry.rs" {
                offenders.push(format!("{relative} names the HTTP client"));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// The rule of `pin --check`'s findings has its docs like any rule.
#[test]
fn the_stale_pin_rule_is_documented() {
    let dir = tempfile::tempdir().unwrap();
    let out = plimsoll(dir.path(), &["rule", "stale-digest-pin"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let docs = text(&out.stdout);
    assert!(docs.starts_with("PL003 stale-digest-pin"), "{docs}");
    assert!(docs.contains("## What it does"), "{docs}");
    assert_eq!(
        plimsoll(dir.path(), &["rule", "PL003"]).status.code(),
        Some(0)
    );
}
