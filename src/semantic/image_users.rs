//! Who a base image runs as when a Dockerfile sets no USER: a maintained table of images known
//! to run as a non-root user (and of the few look-alikes known to run as root), which a
//! project extends with `non-root-images:` in `.plimsoll.yaml`.
//!
//! A pattern is `name[:tag]`, matched without regard to case against the image's name as
//! written without Docker Hub's defaults (`docker.io/library/nginx` is `nginx`,
//! `docker.io/bitnami/redis` is `bitnami/redis`) and its tag (`latest` when none is written).
//! `*` matches any run of characters, `/` included. A pattern without `:tag` matches every tag.

use crate::syntax::image::ImageRef;

/// What the table knows about an image's default user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageUser {
    /// The image is known to run as a non-root user; the text says who and why we know.
    NonRoot(&'static str),
    /// The image is known to run as root (an exception to a non-root family).
    Root(&'static str),
    /// Not in the table (nor in the project's `non-root-images`): its user is unknown here.
    Unknown,
}

/// One entry of the table: a pattern, whether it runs as a non-root user, and the evidence.
struct Entry {
    pattern: &'static str,
    non_root: bool,
    why: &'static str,
}

const fn non_root(pattern: &'static str, why: &'static str) -> Entry {
    Entry {
        pattern,
        non_root: true,
        why,
    }
}

const fn root(pattern: &'static str, why: &'static str) -> Entry {
    Entry {
        pattern,
        non_root: false,
        why,
    }
}

/// The built-in table; the first matching entry decides, so exceptions come before the family
/// they belong to. Each entry says why (the image's own Dockerfile or build config).
const TABLE: &[Entry] = &[
    // Chainguard: an image runs as the `run-as` of its apko config, 65532 (`nonroot`) for most;
    // these builder and base images set `run-as: 0` (checked against each image's
    // locked_config.json in chainguard-images/images).
    root(
        "cgr.dev/chainguard/go",
        "Chainguard's `go` image runs as root",
    ),
    root(
        "cgr.dev/chainguard/wolfi-base",
        "Chainguard's `wolfi-base` runs as root",
    ),
    root(
        "cgr.dev/chainguard/bash",
        "Chainguard's `bash` runs as root",
    ),
    root(
        "cgr.dev/chainguard/apko",
        "Chainguard's `apko` runs as root",
    ),
    root(
        "cgr.dev/chainguard/melange",
        "Chainguard's `melange` runs as root",
    ),
    root(
        "cgr.dev/chainguard/gcc-glibc",
        "Chainguard's `gcc-glibc` runs as root",
    ),
    root(
        "cgr.dev/chainguard/docker-dind",
        "Chainguard's `docker-dind` runs as root",
    ),
    root(
        "cgr.dev/chainguard/postgres",
        "Chainguard's `postgres` starts as root",
    ),
    root(
        "cgr.dev/chainguard/git:*root*",
        "Chainguard's `git:…-root` tags run as root",
    ),
    non_root(
        "cgr.dev/chainguard/*",
        "Chainguard images run as `nonroot` (uid 65532) unless their config says otherwise",
    ),
    // Any `nonroot` tag: distroless `:nonroot`, `:debug-nonroot`, `:latest-nonroot`, and the
    // same convention elsewhere. The distroless images set `User: 65532` on these tags.
    non_root("*:*nonroot*", "its `nonroot` tag runs as uid 65532"),
    // .NET's chiseled (Ubuntu) and Azure Linux distroless images end with `USER $APP_UID`
    // (the `app` user, 1654); the other .NET images run as root.
    non_root(
        "mcr.microsoft.com/dotnet/*:*chiseled*",
        ".NET's chiseled images run as the `app` user (uid 1654)",
    ),
    non_root(
        "mcr.microsoft.com/dotnet/*:*distroless*",
        ".NET's distroless images run as the `app` user (uid 1654)",
    ),
    // Jupyter docker-stacks: every image ends with `USER ${NB_UID}` (jovyan, 1000).
    non_root(
        "jupyter/*",
        "Jupyter docker-stacks images run as `jovyan` (uid 1000)",
    ),
    non_root(
        "quay.io/jupyter/*",
        "Jupyter docker-stacks images run as `jovyan` (uid 1000)",
    ),
    // Grafana's image ends with `USER "$GF_UID"` (472).
    non_root(
        "grafana/grafana",
        "Grafana's image runs as `grafana` (uid 472)",
    ),
    non_root(
        "grafana/grafana-oss",
        "Grafana's image runs as `grafana` (uid 472)",
    ),
    non_root(
        "grafana/grafana-enterprise",
        "Grafana's image runs as `grafana` (uid 472)",
    ),
    // NGINX's unprivileged variant: `USER $UID` (101), listening on 8080.
    non_root(
        "nginxinc/nginx-unprivileged",
        "the unprivileged NGINX image runs as `nginx` (uid 101)",
    ),
    // Prometheus and its exporters end with `USER nobody`.
    non_root("prom/*", "Prometheus images run as `nobody`"),
    non_root("quay.io/prometheus/*", "Prometheus images run as `nobody`"),
    // Bitnami's server images end with `USER 1001` ("non-root container" in their docs); their
    // language runtimes and base images (`node`, `python`, `php-fpm`, `ruby`, `minideb`, `git`)
    // run as root, so no wildcard.
    non_root(
        "bitnami/postgresql",
        "Bitnami's PostgreSQL image runs as uid 1001",
    ),
    non_root(
        "bitnami/postgresql-repmgr",
        "Bitnami's image runs as uid 1001",
    ),
    non_root("bitnami/mysql", "Bitnami's MySQL image runs as uid 1001"),
    non_root(
        "bitnami/mariadb",
        "Bitnami's MariaDB image runs as uid 1001",
    ),
    non_root(
        "bitnami/mongodb",
        "Bitnami's MongoDB image runs as uid 1001",
    ),
    non_root("bitnami/redis", "Bitnami's Redis image runs as uid 1001"),
    non_root("bitnami/redis-sentinel", "Bitnami's image runs as uid 1001"),
    non_root("bitnami/valkey", "Bitnami's Valkey image runs as uid 1001"),
    non_root(
        "bitnami/rabbitmq",
        "Bitnami's RabbitMQ image runs as uid 1001",
    ),
    non_root("bitnami/kafka", "Bitnami's Kafka image runs as uid 1001"),
    non_root(
        "bitnami/zookeeper",
        "Bitnami's ZooKeeper image runs as uid 1001",
    ),
    non_root("bitnami/elasticsearch", "Bitnami's image runs as uid 1001"),
    non_root(
        "bitnami/memcached",
        "Bitnami's Memcached image runs as uid 1001",
    ),
    non_root("bitnami/nginx", "Bitnami's NGINX image runs as uid 1001"),
    non_root("bitnami/etcd", "Bitnami's etcd image runs as uid 1001"),
    non_root("bitnami/minio", "Bitnami's MinIO image runs as uid 1001"),
    non_root(
        "bitnami/kubectl",
        "Bitnami's kubectl image runs as uid 1001",
    ),
    non_root(
        "bitnami/keycloak",
        "Bitnami's Keycloak image runs as uid 1001",
    ),
    non_root(
        "bitnami/openldap",
        "Bitnami's OpenLDAP image runs as uid 1001",
    ),
    non_root(
        "bitnami/pgbouncer",
        "Bitnami's PgBouncer image runs as uid 1001",
    ),
    // Others that end with a non-root USER in their own Dockerfiles.
    non_root(
        "quay.io/keycloak/keycloak",
        "Keycloak's image runs as uid 1000",
    ),
    non_root(
        "jenkins/jenkins",
        "the Jenkins image runs as `jenkins` (uid 1000)",
    ),
    non_root("sonarqube", "the SonarQube image runs as `sonarqube`"),
    non_root(
        "openpolicyagent/opa",
        "OPA's images run as uid 1000 since v0.39",
    ),
    non_root(
        "docker.elastic.co/elasticsearch/elasticsearch",
        "Elasticsearch's image runs as `elasticsearch` (uid 1000)",
    ),
    non_root(
        "docker.elastic.co/kibana/kibana",
        "Kibana's image runs as `kibana` (uid 1000)",
    ),
];

/// The built-in table with a project's own `non-root-images` patterns, which come first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NonRootImages {
    project: Vec<String>,
}

impl NonRootImages {
    /// The table extended with `patterns` (from `non-root-images:`; already checked with
    /// [`pattern_problem`]).
    pub fn new(patterns: Vec<String>) -> Self {
        Self { project: patterns }
    }

    /// What is known about the default user of `image`.
    pub fn user_of(&self, image: &ImageRef) -> ImageUser {
        let name = image_name(image);
        let tag = image
            .tag
            .as_deref()
            .unwrap_or("latest")
            .to_ascii_lowercase();
        if self
            .project
            .iter()
            .any(|pattern| pattern_matches(pattern, &name, &tag))
        {
            return ImageUser::NonRoot("listed in `non-root-images` in the configuration");
        }
        static SPLIT: std::sync::LazyLock<Vec<Split>> =
            std::sync::LazyLock::new(|| TABLE.iter().map(|e| Split::new(e.pattern)).collect());
        TABLE
            .iter()
            .zip(SPLIT.iter())
            .find(|(_, split)| split.matches(&name, &tag))
            .map(|(entry, _)| entry)
            .map_or(ImageUser::Unknown, |entry| {
                if entry.non_root {
                    ImageUser::NonRoot(entry.why)
                } else {
                    ImageUser::Root(entry.why)
                }
            })
    }
}

/// Why `pattern` cannot be a `non-root-images` entry, if it cannot.
pub fn pattern_problem(pattern: &str) -> Option<&'static str> {
    if pattern.trim().is_empty() {
        Some("an empty pattern matches no image")
    } else if pattern.contains(char::is_whitespace) {
        Some("an image pattern has no spaces")
    } else if pattern.contains('@') {
        Some("a pattern names an image and tag (`name[:tag]`), not a digest")
    } else {
        None
    }
}

/// The image's name as patterns see it: lower-case, without `docker.io/` and `library/`.
fn image_name(image: &ImageRef) -> String {
    let repository = image.repository.to_ascii_lowercase();
    match image.registry.as_deref().map(str::to_ascii_lowercase) {
        Some(registry)
            if registry != "docker.io"
                && registry != "index.docker.io"
                && registry != "registry-1.docker.io" =>
        {
            format!("{registry}/{repository}")
        }
        _ => repository
            .strip_prefix("library/")
            .unwrap_or(&repository)
            .to_string(),
    }
}

fn pattern_matches(pattern: &str, name: &str, tag: &str) -> bool {
    Split::new(pattern).matches(name, tag)
}

/// An image pattern taken apart once: the name part as image names are written (lower-case,
/// without `docker.io/` and `library/`), the text before its first `*`, and the tag part.
/// The built-in table is split once per process and asked of every base image.
struct Split {
    name: String,
    /// The name part up to its first `*`: a name that does not start with it cannot match.
    literal: usize,
    tag: Option<String>,
}

impl Split {
    fn new(pattern: &str) -> Self {
        let pattern = pattern.to_ascii_lowercase();
        // The tag part follows the last `:` after the last `/` (a registry port is not a tag).
        let after_slash = pattern.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match pattern[after_slash..].rfind(':') {
            Some(colon) => (
                &pattern[..after_slash + colon],
                Some(&pattern[after_slash + colon + 1..]),
            ),
            None => (&*pattern, None),
        };
        let name = name.strip_prefix("docker.io/").unwrap_or(name);
        let name = name.strip_prefix("library/").unwrap_or(name);
        Self {
            literal: name.find('*').unwrap_or(name.len()),
            name: name.to_string(),
            tag: tag.map(str::to_string),
        }
    }

    fn matches(&self, name: &str, tag: &str) -> bool {
        name.starts_with(&self.name[..self.literal])
            && glob(&self.name, name)
            && self.tag.as_deref().is_none_or(|t| glob(t, tag))
    }
}

/// `*` matches any run of characters; everything else matches itself. Iterative, with one
/// backtrack point (the last `*`), so a hostile pattern costs at most its length times the
/// text's.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((star_pi, star_ti)) = star {
            pi = star_pi + 1;
            ti = star_ti + 1;
            star = Some((star_pi, star_ti + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(reference: &str) -> ImageUser {
        NonRootImages::default().user_of(&ImageRef::parse(reference).unwrap())
    }

    fn is_non_root(reference: &str) -> bool {
        matches!(user(reference), ImageUser::NonRoot(_))
    }

    #[test]
    fn the_table_knows_non_root_families_and_their_exceptions() {
        for image in [
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/base:debug-nonroot",
            "cgr.dev/chainguard/python:latest",
            "cgr.dev/chainguard/static",
            "cgr.dev/chainguard/git",
            "jupyter/scipy-notebook:2024-01-01",
            "quay.io/jupyter/base-notebook",
            "grafana/grafana:11.1.0",
            "docker.io/grafana/grafana-oss",
            "nginxinc/nginx-unprivileged:1.27-alpine",
            "docker.io/bitnami/postgresql:16",
            "bitnami/redis",
            "mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled",
            "mcr.microsoft.com/dotnet/aspnet:9.0-azurelinux3.0-distroless",
            "prom/prometheus:v2.53.0",
        ] {
            assert!(is_non_root(image), "{image}");
        }
        for image in [
            "cgr.dev/chainguard/go:latest",
            "cgr.dev/chainguard/wolfi-base",
            "cgr.dev/chainguard/git:latest-root",
        ] {
            assert!(matches!(user(image), ImageUser::Root(_)), "{image}");
        }
        for image in [
            "python:3.12",
            "bitnami/node:22",
            "bitnami/minideb",
            "grafana/promtail",
            "nginx:1.27",
            "mcr.microsoft.com/dotnet/aspnet:9.0",
            "jupyterhub/jupyterhub",
        ] {
            assert_eq!(user(image), ImageUser::Unknown, "{image}");
        }
    }

    #[test]
    fn project_patterns_come_first_and_match_names_and_tags() {
        let images = NonRootImages::new(vec![
            "registry.example.com/base/*".into(),
            "cgr.dev/chainguard/go".into(),
            "acme/app:*-rootless".into(),
            "localhost:5000/svc".into(),
        ]);
        let user = |r: &str| images.user_of(&ImageRef::parse(r).unwrap());
        assert!(matches!(
            user("registry.example.com/base/python:3.12"),
            ImageUser::NonRoot(_)
        ));
        assert!(matches!(
            user("cgr.dev/chainguard/go"),
            ImageUser::NonRoot(_)
        ));
        assert!(matches!(
            user("acme/app:2.0-rootless"),
            ImageUser::NonRoot(_)
        ));
        assert_eq!(user("acme/app:2.0"), ImageUser::Unknown);
        assert!(matches!(
            user("localhost:5000/svc:1"),
            ImageUser::NonRoot(_)
        ));
        assert_eq!(
            user("registry.example.com/other/python"),
            ImageUser::Unknown
        );
    }

    #[test]
    fn glob_backtracks_without_blowing_up() {
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("*", ""));
        let long = "a".repeat(2000);
        assert!(!glob(&format!("{}b", "*a".repeat(50)), &long));
    }

    #[test]
    fn bad_patterns_are_named() {
        assert!(pattern_problem("").is_some());
        assert!(pattern_problem("a b").is_some());
        assert!(pattern_problem("x@sha256:00").is_some());
        assert!(pattern_problem("bitnami/*").is_none());
    }
}
