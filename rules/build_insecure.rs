//! DC045 build-insecure: a compose `build:` that runs build steps with extra privileges
//! (`privileged: true`, `network: host`, or the `security.insecure` / `network.host`
//! entitlements).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::yaml::Node;

use super::support::report_in_service;

pub static BUILD_INSECURE: Rule = Rule {
    code: "DC045",
    name: "build-insecure",
    summary: "A `build:` runs its steps privileged or on the host network",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &["semgrep:run-security-insecure", "nist-800-190:3.1.2"],
    docs: include_str!("build_insecure.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn is_true(node: &Node) -> bool {
    node.as_scalar().is_some_and(|scalar| {
        scalar.as_bool() == Some(true)
            || scalar.yaml11_bool() == Some(true)
            || scalar.value == "true"
    })
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(build) = service.node.get("build") else {
            continue;
        };
        let mut problems: Vec<(&Node, &str)> = Vec::new();
        if let Some(privileged) = build.get("privileged").filter(|node| is_true(node)) {
            problems.push((
                privileged,
                "runs build steps privileged (`privileged: true`)",
            ));
        }
        if let Some(network) = build
            .get("network")
            .filter(|node| node.as_str().map(str::trim) == Some("host"))
        {
            problems.push((
                network,
                "runs build steps on the host's network (`network: host`)",
            ));
        }
        let entitlements = build
            .get("entitlements")
            .and_then(Node::as_sequence)
            .unwrap_or_default();
        for entitlement in entitlements {
            match entitlement.as_str().map(str::trim) {
                Some("security.insecure") => problems.push((
                    entitlement,
                    "grants the `security.insecure` entitlement (privileged `RUN` steps)",
                )),
                Some("network.host") => problems.push((
                    entitlement,
                    "grants the `network.host` entitlement (`RUN --network=host`)",
                )),
                _ => {}
            }
        }
        for (node, what) in problems {
            report_in_service(
                out,
                service,
                node.span,
                format!("the build of service `{}` {what}", service.name.value),
            )
            .with_help(
                "build without extra privileges; a step that needs them (a test against a \
                 database, a kernel module) belongs in a separate, reviewed pipeline",
            );
        }
    }
}
