//! DF005 secret-in-arg-env: an ARG or ENV whose name says it holds a secret.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::{Command, KeyValue};

use super::support::commands;
use crate::semantic::secrets::{is_setting_value, secret_name_word};

pub static SECRET_IN_ARG_ENV: Rule = Rule {
    code: "DF005",
    name: "secret-in-arg-env",
    summary: "An ARG or ENV name says it holds a secret; its value ends up in the image or its history",
    target: Target::Dockerfile,
    category: Category::Secrets,
    severity: Severity::Warning,
    related: &[
        "buildkit:SecretsUsedInArgOrEnv",
        "hadolint:DL3064",
        "trivy:DS-0031",
        "semgrep:secret-in-build-arg",
        "kics:passwords_and_secrets",
        "cis:4.10",
        "nist-800-190:3.1.4",
        "cwe:522",
    ],
    docs: include_str!("secret_in_arg_env.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let (keyword, pairs, why): (&str, &[KeyValue], &str) = match command {
            Command::Arg(pairs) => (
                "ARG",
                pairs,
                "build arguments are recorded in the image history",
            ),
            Command::Env(pairs) => (
                "ENV",
                pairs,
                "ENV values are stored in the image, readable by anyone who can pull it",
            ),
            _ => continue,
        };
        for pair in pairs {
            let Some(word) = secret_name_word(&pair.key.value) else {
                continue;
            };
            if let Some(value) = &pair.value {
                // `ENV X_TOKEN=` stores nothing; an ARG's empty default still receives
                // whatever `--build-arg` passes, which the history records.
                let empty = keyword == "ENV" && value.value.is_empty();
                if empty || is_setting_value(&pair.key.value, &value.value) {
                    continue;
                }
            }
            // `ENV X_TOKEN=` stores an empty value: nothing secret is in the image. (An ARG
            // still is reported: the value passed with `--build-arg` is what gets recorded.)
            if keyword == "ENV"
                && pair
                    .value
                    .as_ref()
                    .is_some_and(|v| v.value.trim().trim_matches(['"', '\'']).is_empty())
            {
                continue;
            }
            out.report(
                pair.key.span,
                format!(
                    "{keyword} `{}` looks like a secret (`{word}`); {why}",
                    pair.key.value
                ),
            )
            .with_help(
                "pass secrets with `RUN --mount=type=secret,id=…` (or compose `secrets:`) so \
                 they never reach a layer",
            );
        }
    }
}
