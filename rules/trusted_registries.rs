//! The `trusted-registries` option shared by `untrusted-registry` (DC040) and
//! `untrusted-base-image` (DF038), and how a registry is matched against it. Not a rule itself
//! (it declares no `Rule`).

use crate::linter::rule::{OptionKind, RuleOption};

/// The `trusted-registries` option of both rules.
pub(crate) const TRUSTED_REGISTRIES: RuleOption = RuleOption {
    name: "trusted-registries",
    kind: OptionKind::StringList(DEFAULT_TRUSTED),
    description: "Registries images may come from: a host (matching it and its subdomains), \
                  `*.host` (subdomains only) or `*` (any); Docker Hub is `docker.io`",
};

/// The trusted registries when `trusted-registries` is not configured: Docker Hub and the large
/// public registries.
pub(crate) const DEFAULT_TRUSTED: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "registry.k8s.io",
    "mcr.microsoft.com",
    "public.ecr.aws",
];

/// Whether `registry` (`None` = Docker Hub) is on the `trusted` list. An entry matches the
/// registry itself and its subdomains (`gcr.io` matches `us.gcr.io`); `*.gcr.io` matches only
/// subdomains; `*` matches every registry. Comparison ignores case; a port is part of the name
/// (`localhost:5000`).
pub(crate) fn is_trusted<S: AsRef<str>>(registry: Option<&str>, trusted: &[S]) -> bool {
    let registry = registry.unwrap_or("docker.io").to_ascii_lowercase();
    let is_subdomain_of = |domain: &str| {
        registry
            .strip_suffix(domain)
            .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.'))
    };
    trusted.iter().any(|allowed| {
        let allowed = allowed.as_ref().trim().to_ascii_lowercase();
        if allowed == "*" {
            return true;
        }
        match allowed.strip_prefix("*.") {
            Some(domain) => is_subdomain_of(domain),
            None => registry == allowed || is_subdomain_of(&allowed),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_registries() {
        assert!(is_trusted(None, DEFAULT_TRUSTED));
        assert!(is_trusted(Some("ghcr.io"), DEFAULT_TRUSTED));
        assert!(is_trusted(Some("us.gcr.io"), DEFAULT_TRUSTED));
        assert!(!is_trusted(Some("evilgcr.io"), DEFAULT_TRUSTED));
        assert!(!is_trusted(Some("registry.example.com"), DEFAULT_TRUSTED));
        assert!(!is_trusted(Some("localhost:5000"), DEFAULT_TRUSTED));
    }

    #[test]
    fn wildcards() {
        let trusted = ["*.gcr.io", "registry.example.com", "localhost:5000"];
        assert!(is_trusted(Some("eu.gcr.io"), &trusted));
        assert!(is_trusted(Some("EU.GCR.IO"), &trusted));
        assert!(
            !is_trusted(Some("gcr.io"), &trusted),
            "`*.` means subdomains only"
        );
        assert!(!is_trusted(Some("evilgcr.io"), &trusted));
        assert!(is_trusted(Some("registry.example.com"), &trusted));
        assert!(is_trusted(Some("mirror.registry.example.com"), &trusted));
        assert!(is_trusted(Some("localhost:5000"), &trusted));
        assert!(!is_trusted(Some("localhost:5001"), &trusted));
        assert!(!is_trusted(None, &trusted), "Docker Hub is not listed");
        assert!(is_trusted(None, &["*"]));
        assert!(!is_trusted::<&str>(Some("ghcr.io"), &[]));
    }
}
