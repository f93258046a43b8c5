//! DC005 service-secret-in-environment: a secret written literally into a service's
//! `environment:` or `build.args`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::semantic::secrets::{
    find_credentials, is_inert_value, is_variable_reference, mask, secret_name_word,
};
use crate::syntax::compose::EnvVar;

pub static SERVICE_SECRET_IN_ENVIRONMENT: Rule = Rule {
    code: "DC005",
    name: "service-secret-in-environment",
    summary: "A service's `environment:` or `build.args` holds a literal secret",
    target: Target::Compose,
    category: Category::Secrets,
    severity: Severity::Error,
    related: &[
        "compose-lint:CL-0020",
        "compose-lint:CL-0021",
        "kics:passwords_and_secrets",
        "nist-800-190:3.1.4",
        "cwe:798",
    ],
    docs: include_str!("service_secret_in_environment.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "declare a top-level `secrets:` entry (file-based) and list it under the \
                    service's `secrets:`, or write a `${VAR}` reference filled in from the \
                    environment";

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let environment = service.environment.iter().map(|var| ("environment", var));
        let args = service
            .build
            .iter()
            .flat_map(|build| build.value.args.iter())
            .map(|var| ("build argument", var));
        for (place, var) in environment.chain(args) {
            check_var(out, &service.name.value, place, var);
        }
    }
}

fn check_var(out: &mut Emitter<'_>, service: &str, place: &str, var: &EnvVar) {
    let Some(value) = &var.value else {
        return;
    };
    if value.value.is_empty() {
        return;
    }
    let name = &var.name.value;
    // A known credential format is a secret whatever the variable is called (and even inside a
    // `${VAR:-default}` default).
    if let Some(credential) = find_credentials(&value.value).into_iter().next() {
        let secret = value.value.get(credential.range).unwrap_or("");
        out.report(
            value.span,
            format!(
                "service `{service}` {place} `{name}` holds a hardcoded {} (`{}`)",
                credential.kind,
                mask(secret)
            ),
        )
        .with_help(HELP);
        return;
    }
    if is_variable_reference(&value.value) || is_inert_value(&value.value) {
        return;
    }
    if let Some(word) = secret_name_word(name) {
        out.report(
            value.span,
            format!(
                "service `{service}` {place} `{name}` looks like a secret (`{word}`) and has a literal value"
            ),
        )
        .with_help(HELP);
    }
}
