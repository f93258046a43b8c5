//! DC049 service-build-secret-arg: a compose `build.args` entry fills, from the environment, an
//! ARG of the built Dockerfile whose name says it is a secret. A cross-file rule: it reads the
//! Dockerfile through the workspace ([`ComposeContext::built_dockerfile`]).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::semantic::secrets::{is_variable_reference, secret_name_word};
use crate::syntax::dockerfile::Command;

pub static SERVICE_BUILD_SECRET_ARG: Rule = Rule {
    code: "DC049",
    name: "service-build-secret-arg",
    summary: "`build.args` passes a secret from the environment to a secret-named ARG of the \
              built Dockerfile",
    target: Target::Compose,
    category: Category::Secrets,
    severity: Severity::Warning,
    related: &[
        "buildkit:SecretsUsedInArgOrEnv",
        "nist-800-190:3.1.4",
        "cwe:538",
    ],
    docs: include_str!("service_build_secret_arg.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "pass it as a build secret instead: list it under the service's \
                    `build.secrets:` and read it in the Dockerfile with \
                    `RUN --mount=type=secret,id=…`";

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(build) = &service.build else {
            continue;
        };
        // Literal values are service-secret-in-environment's findings; this rule is about
        // values taken from the environment (`${TOKEN}` or a bare `- TOKEN`), which look safe
        // in the compose file but still end up in the image's build history.
        let passed: Vec<_> = build
            .value
            .args
            .iter()
            .filter(|arg| {
                arg.value
                    .as_ref()
                    .is_none_or(|value| is_variable_reference(&value.value))
            })
            .filter(|arg| secret_name_word(&arg.name.value).is_some())
            .collect();
        if passed.is_empty() {
            continue;
        }
        let Some(built) = context.built_dockerfile(service) else {
            continue;
        };
        let dockerfile = &built.file.dockerfile;
        for arg in passed {
            let name = &arg.name.value;
            let declared = dockerfile.instructions.iter().find_map(|instruction| {
                let Command::Arg(pairs) = &instruction.command else {
                    return None;
                };
                pairs.iter().find(|pair| pair.key.value == *name)
            });
            // An ARG the Dockerfile does not declare is never used by the build.
            let Some(declared) = declared else {
                continue;
            };
            let word = secret_name_word(name).unwrap_or("secret");
            let finding = out.report(
                arg.name.span,
                format!(
                    "service `{}` passes the {word} `{name}` as a build argument; build \
                     arguments are recorded in the image's history",
                    service.name.value
                ),
            );
            finding.with_help(HELP);
            let label = format!("declared as a build argument here: `ARG {name}`");
            match built.inline_span {
                Some(inline) if built.inline => {
                    finding.with_label(inline, label);
                }
                _ => {
                    finding.with_label_in(&built.file.source, declared.key.span, label);
                }
            }
        }
    }
}
