//! DC040 untrusted-registry: a compose service pulls its image from a registry outside the
//! trusted list.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{PulledImage, pulled_images, report_in_service};
use super::trusted_registries::{TRUSTED_REGISTRIES, is_trusted};

pub static UNTRUSTED_REGISTRY: Rule = Rule {
    code: "DC040",
    name: "untrusted-registry",
    summary: "A service's image comes from a registry outside the trusted list",
    target: Target::Compose,
    category: Category::Provenance,
    severity: Severity::Warning,
    default_enabled: false,
    related: &[
        "hadolint:DL3026",
        "cis:4.2",
        "cis:5.28",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("untrusted_registry.md"),
    options: &[TRUSTED_REGISTRIES],
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for PulledImage {
        service,
        field,
        image,
        from_defaults: _,
        ..
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
    fn configured_registries_replace_the_defaults() {
        use crate::linter::engine::{self, Settings};
        use crate::linter::rule::{OptionValue, RuleOptions};
        use crate::syntax::source::{FileKind, SourceFile};
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
