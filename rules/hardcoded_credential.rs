//! DF006 hardcoded-credential: a credential in a known format written into the Dockerfile.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::secrets::{find_credentials, is_masked, mask};
use crate::syntax::dockerfile::shell::{SimpleCommand, Word};
use crate::syntax::span::Span;

use super::run_commands::{is_dynamic, run_commands};

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

/// A secret given on the command line of a credential set-up command: `aws configure set
/// aws_secret_access_key <value>` (also `default.aws_secret_access_key`, `--profile x`) writes
/// the literal into ~/.aws/credentials, and the RUN line into the image history. The word of
/// the secret and what it is.
fn configured_secrets(command: &SimpleCommand) -> Option<(&Word, &'static str)> {
    let view = command.effective();
    if view.program() != Some("aws") {
        return None;
    }
    let words: Vec<&Word> = view
        .args
        .iter()
        .filter(|word| !word.value.starts_with('-'))
        .collect();
    let at = words
        .windows(2)
        .position(|pair| pair[0].value == "configure" && pair[1].value == "set")?;
    let key = words.get(at + 2)?;
    let value = words.get(at + 3)?;
    let kind = match key.value.rsplit('.').next().unwrap_or("") {
        "aws_secret_access_key" => "AWS secret access key",
        "aws_session_token" => "AWS session token",
        _ => return None,
    };
    let literal = !is_dynamic(value) && !value.value.is_empty() && !is_masked(&value.value);
    literal.then_some((*value, kind))
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    // The whole text, not the model: comments, heredoc bodies and lines the parser could not
    // read can leak a credential just as well.
    let text = &context.source.text;
    let mut reported: Vec<Span> = Vec::new();
    for command in run_commands(context) {
        let Some((word, kind)) = configured_secrets(command) else {
            continue;
        };
        reported.push(word.span);
        out.report(
            word.span,
            format!(
                "hardcoded {kind} (`{}`) set with `aws configure set`",
                mask(&word.value)
            ),
        )
        .with_help(
            "remove it and rotate it: it is in the repository, the image history and \
             ~/.aws/credentials in the layer; mount the credentials for the step that needs \
             them (`RUN --mount=type=secret,id=aws,target=/root/.aws/credentials`)",
        );
    }
    for credential in find_credentials(text) {
        if reported
            .iter()
            .any(|span| span.start < credential.range.end && credential.range.start < span.end)
        {
            continue;
        }
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
