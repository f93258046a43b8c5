//! DF006 hardcoded-credential: a credential in a known format written into the Dockerfile.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::secrets::{find_credentials, mask};
use crate::syntax::span::Span;

pub static HARDCODED_CREDENTIAL: Rule = Rule {
    code: "DF006",
    name: "hardcoded-credential",
    summary: "A credential in a known format (access key, API token, private key, URL password) is written in the file",
    target: Target::Dockerfile,
    category: Category::Secrets,
    severity: Severity::Error,
    related: &[
        "kics:passwords_and_secrets",
        "cis:4.10",
        "nist-800-190:3.1.4",
        "cwe:798",
    ],
    docs: include_str!("hardcoded_credential.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    // The whole text, not the model: comments, heredoc bodies and lines the parser could not
    // read can leak a credential just as well.
    let text = &context.source.text;
    for credential in find_credentials(text) {
        let span = Span::new(credential.range.start, credential.range.end);
        let message = if credential.kind == "private key" {
            "a private key is embedded in the file".to_string()
        } else {
            format!(
                "hardcoded {} (`{}`)",
                credential.kind,
                mask(span.text(text))
            )
        };
        out.report(span, message).with_help(
            "remove it and rotate it: it is in the repository history and in the image; pass \
             secrets at build time with `RUN --mount=type=secret,id=…`",
        );
    }
}
