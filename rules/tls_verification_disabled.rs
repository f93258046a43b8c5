//! DC039 tls-verification-disabled: an `environment:` (or build `args:`) value that turns off
//! TLS certificate or package signature checks (`NODE_TLS_REJECT_UNAUTHORIZED=0`, …).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::syntax::compose::EnvVar;

use super::support::{app_variable_skips_tls, report_in_service, with_compose_defaults};

pub static TLS_VERIFICATION_DISABLED: Rule = Rule {
    code: "DC039",
    name: "tls-verification-disabled",
    summary: "An environment variable turns off TLS or signature verification (`NODE_TLS_REJECT_UNAUTHORIZED=0`, …)",
    target: Target::Compose,
    category: Category::Network,
    severity: Severity::Warning,
    related: &[
        "checkov:CKV2_DOCKER_5",
        "checkov:CKV2_DOCKER_6",
        "checkov:CKV2_DOCKER_12",
        "checkov:CKV2_DOCKER_14",
        "checkov:CKV2_DOCKER_16",
        "cis:4.11",
        "nist-800-190:3.1.5",
    ],
    docs: include_str!("tls_verification_disabled.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// Which values of a variable turn verification off.
enum Off {
    /// Any of these values (compared case-insensitively).
    Values(&'static [&'static str]),
    /// Any value that is not empty and not a "false"-like word.
    AnySet,
    /// Set to the empty string.
    Empty,
}

const FALSY: &[&str] = &["0", "false", "no", "off"];

/// Variable (upper case), when it turns verification off, and what it turns off.
const VARIABLES: &[(&str, Off, &str)] = &[
    (
        "NODE_TLS_REJECT_UNAUTHORIZED",
        Off::Values(&["0"]),
        "Node.js TLS certificate checks",
    ),
    (
        "PYTHONHTTPSVERIFY",
        Off::Values(&["0"]),
        "Python's HTTPS certificate checks",
    ),
    (
        "GIT_SSL_NO_VERIFY",
        Off::AnySet,
        "Git's TLS certificate checks",
    ),
    (
        "NPM_CONFIG_STRICT_SSL",
        Off::Values(&["false", "0"]),
        "npm's TLS certificate checks",
    ),
    (
        "YARN_ENABLE_STRICT_SSL",
        Off::Values(&["false", "0"]),
        "Yarn's TLS certificate checks",
    ),
    (
        "PIP_TRUSTED_HOST",
        Off::AnySet,
        "pip's TLS certificate checks for these hosts",
    ),
    ("PIP_CERT", Off::Empty, "pip's TLS certificate checks"),
    (
        "CURL_CA_BUNDLE",
        Off::Empty,
        "certificate checks of Python `requests`",
    ),
    (
        "REQUESTS_CA_BUNDLE",
        Off::Empty,
        "certificate checks of Python `requests`",
    ),
    (
        "BUNDLE_SSL_VERIFY_MODE",
        Off::Values(&["0"]),
        "Bundler's TLS certificate checks",
    ),
    (
        "GOINSECURE",
        Off::AnySet,
        "TLS checks of Go module downloads",
    ),
    ("GOSUMDB", Off::Values(&["off"]), "the Go checksum database"),
    (
        "GOFLAGS",
        Off::Values(&["-insecure"]),
        "TLS checks of Go module downloads",
    ),
];

/// What the variable turns off, when its value turns it off.
fn turns_off(var: &EnvVar) -> Option<&'static str> {
    let name = var.name.value.trim().to_ascii_uppercase();
    let value = with_compose_defaults(var.value.as_ref()?.value.trim())?;
    let Some((_, off, what)) = VARIABLES.iter().find(|(known, _, _)| *known == name) else {
        return app_variable_skips_tls(&name, &value)
            .then_some("TLS certificate checks of the application that reads it");
    };
    let disabled = match off {
        Off::Values(values) => values.iter().any(|v| v.eq_ignore_ascii_case(&value)),
        Off::AnySet => !value.is_empty() && !FALSY.iter().any(|v| v.eq_ignore_ascii_case(&value)),
        Off::Empty => value.is_empty(),
    };
    disabled.then_some(*what)
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let build_args = service
            .build
            .iter()
            .flat_map(|build| build.value.args.iter());
        let variables = service
            .environment
            .iter()
            .map(|var| (var, "environment"))
            .chain(build_args.map(|var| (var, "build argument")));
        for (var, kind) in variables {
            let Some(what) = turns_off(var) else {
                continue;
            };
            report_in_service(
                out,
                service,
                var.span,
                format!(
                    "service `{}` {kind} `{}` turns off {what}",
                    service.name.value, var.name.value
                ),
            )
            .with_help(
                "trust the certificate instead (mount the CA and point `NODE_EXTRA_CA_CERTS`, \
                 `SSL_CERT_FILE` or the tool's CA setting at it); never switch checks off",
            );
        }
    }
}
