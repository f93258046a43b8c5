//! DC005 service-secret-in-environment: a secret written literally into a service's
//! `environment:` or `build.args`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};
use crate::semantic::secrets::{
    find_credentials, is_setting_value, is_variable_reference, mask, secret_name_word,
};
use std::ops::Range;

use crate::syntax::compose::interpolate::Origin;
use crate::syntax::compose::{ComposeFile, EnvVar, InterpolatedValue};

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
            check_var(context.compose, out, &service.name.value, place, var);
        }
    }
}

/// How `var`'s value was interpolated, with the value's range in the interpolated scalar (the
/// scalar is `NAME=value` in the list form).
fn interpolation<'c>(
    compose: &'c ComposeFile,
    var: &EnvVar,
    value: &str,
) -> Option<(&'c InterpolatedValue, usize)> {
    [var.value.as_ref().map(|v| v.span), Some(var.span)]
        .into_iter()
        .flatten()
        .find_map(|span| {
            let interpolated = compose.interpolation_at(span)?;
            let text = interpolated.value()?;
            let offset = text.len().checked_sub(value.len())?;
            text.ends_with(value).then_some((interpolated, offset))
        })
}

fn check_var(
    compose: &ComposeFile,
    out: &mut Emitter<'_>,
    service: &str,
    place: &str,
    var: &EnvVar,
) {
    let Some(value) = &var.value else {
        return;
    };
    if value.value.is_empty() {
        return;
    }
    let name = &var.name.value;
    let interpolated = interpolation(compose, var, &value.value);
    // A value taken from the environment (the project's `.env`) is where Compose wants secrets;
    // a default written in the compose file is as literal as any other text.
    let from_env = |range: Range<usize>| {
        interpolated.is_some_and(|(i, offset)| {
            i.substitutions_in(offset + range.start..offset + range.end)
                .iter()
                .any(|s| matches!(s.origin, Origin::Environment { .. }))
        })
    };
    let origin = |range: Range<usize>| {
        interpolated
            .and_then(|(i, offset)| {
                i.describe(offset + range.start..offset + range.end, &compose.env_file)
            })
            .map_or_else(String::new, |origin| format!(" ({origin})"))
    };
    // A known credential format is a secret whatever the variable is called (and even inside a
    // `${VAR:-default}` default).
    if let Some(credential) = find_credentials(&value.value)
        .into_iter()
        .find(|credential| !from_env(credential.range.clone()))
    {
        let secret = value.value.get(credential.range.clone()).unwrap_or("");
        out.report(
            value.span,
            format!(
                "service `{service}` {place} `{name}` holds a hardcoded {} (`{}`){}",
                credential.kind,
                mask(secret),
                origin(credential.range)
            ),
        )
        .with_help(HELP);
        return;
    }
    let whole = 0..value.value.len();
    if is_variable_reference(&value.value)
        || is_setting_value(name, &value.value)
        || from_env(whole.clone())
    {
        return;
    }
    if let Some(word) = secret_name_word(name) {
        out.report(
            value.span,
            format!(
                "service `{service}` {place} `{name}` looks like a secret (`{word}`) and has a literal value{}",
                origin(whole)
            ),
        )
        .with_help(HELP);
    }
}
