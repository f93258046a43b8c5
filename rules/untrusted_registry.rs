//! DC040 untrusted-registry: a compose service pulls its image from a registry outside the
//! trusted list.

use crate::diagnostic::{Category, Severity};
use crate::rule::{
    Check, ComposeContext, Emitter, FixAvailability, OptionKind, Rule, RuleOption, Status, Target,
};

use super::support::{PulledImage, pulled_images, report_in_service};

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
    options: &[TRUSTED_REGISTRIES],
    check: Check::Compose(check),
};

/// The `trusted-registries` option, shared with `untrusted-base-image` (DF038).
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

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for PulledImage {
        service,
        field,
        image,
        from_defaults: _,
    } in pulled_images(context.compose)
    {
        if is_trusted(
            image.registry.as_deref(),
            context.options.list(TRUSTED_REGISTRIES.name),
        ) {
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

    #[test]
    fn configured_registries_replace_the_defaults() {
        use crate::engine::{self, Settings};
        use crate::rule::{OptionValue, RuleOptions};
        use crate::source::{FileKind, SourceFile};
        let text = "services:\n  a:\n    image: ghcr.io/x/a:1\n  b:\n    image: eu.gcr.io/p/b:1\n  c:\n    image: registry.corp.example/c:1\n";
        let source = SourceFile::new("compose.yaml", text, FileKind::Compose);
        let mut settings = Settings::from_selectors(&["DC040".into()], &[], &[]);
        let flagged = |settings: &Settings| -> Vec<String> {
            engine::check(&source, settings)
                .iter()
                .map(|f| source.slice(f.span).to_string())
                .collect()
        };
        assert_eq!(flagged(&settings), ["registry.corp.example/c:1"]);
        let configured = OptionValue::List(vec!["*.gcr.io".into(), "registry.corp.example".into()]);
        settings.set_options(
            &UNTRUSTED_REGISTRY,
            RuleOptions::resolve(
                UNTRUSTED_REGISTRY.options,
                [("trusted-registries", &configured)],
            ),
        );
        assert_eq!(flagged(&settings), ["ghcr.io/x/a:1"]);
    }
}
