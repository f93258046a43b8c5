//! DC040 untrusted-registry: a compose service pulls its image from a registry outside the
//! trusted list.

use crate::diagnostic::{Category, Severity};
use crate::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Status, Target};

use super::support::{compose_image, report_in_service};

pub static UNTRUSTED_REGISTRY: Rule = Rule {
    code: "DC040",
    name: "untrusted-registry",
    summary: "A service's image comes from a registry outside the trusted list",
    target: Target::Compose,
    category: Category::Provenance,
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    status: Status::Stable,
    since: "0.1.0",
    related: &[
        "hadolint:DL3026",
        "cis:4.2",
        "cis:5.28",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("untrusted_registry.md"),
    options: &[],
    check: Check::Compose(check),
};

/// The trusted registries until the `trusted-registries` option arrives with configuration:
/// Docker Hub and the large public registries. A registry matches itself and its subdomains.
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

/// Whether `registry` (`None` = Docker Hub) is on the `trusted` list.
pub(crate) fn is_trusted(registry: Option<&str>, trusted: &[&str]) -> bool {
    let registry = registry.unwrap_or("docker.io").to_ascii_lowercase();
    trusted.iter().any(|allowed| {
        let allowed = allowed.to_ascii_lowercase();
        registry == allowed
            || registry
                .strip_suffix(allowed.as_str())
                .is_some_and(|prefix| prefix.ends_with('.'))
    })
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        // With `build:`, `image:` names the built image (see `build-and-image`).
        let Some(field) = service.image.as_ref().filter(|_| service.build.is_none()) else {
            continue;
        };
        let Some((image, _)) = compose_image(&field.value) else {
            continue;
        };
        if is_trusted(image.registry.as_deref(), DEFAULT_TRUSTED) {
            continue;
        }
        let registry = image.registry.as_deref().unwrap_or("docker.io");
        report_in_service(
            out,
            service,
            field.span,
            format!(
                "service `{}` pulls from `{registry}`, which is not a trusted registry",
                service.name.value
            ),
        )
        .with_help("pull from a trusted registry, or mirror the image into one");
    }
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
}
