//! DF078 auth-disabled: an `ENV` that switches a server's authentication off
//! (`NEO4J_AUTH=none`, `xpack.security.enabled=false`, `POSTGRES_HOST_AUTH_METHOD=trust`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Command;

use super::support::{auth_switched_off, commands};

pub static AUTH_DISABLED: Rule = Rule {
    code: "DF078",
    name: "auth-disabled",
    summary: "An ENV switches a server's authentication off (`NEO4J_AUTH=none`, \
              `xpack.security.enabled=false`, `POSTGRES_HOST_AUTH_METHOD=trust`)",
    target: Target::Dockerfile,
    category: Category::Network,
    severity: Severity::Warning,
    related: &["nist-800-190:3.4.2", "cwe:306"],
    docs: include_str!("auth_disabled.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let Command::Env(pairs) = command else {
            continue;
        };
        for pair in pairs {
            let Some(value) = pair.value.as_ref().filter(|v| !v.value.contains('$')) else {
                continue;
            };
            let Some(what) = auth_switched_off(&pair.key.value, &value.value) else {
                continue;
            };
            out.report(
                pair.span,
                format!(
                    "`{}={}` switches off {what} in every container of this image",
                    pair.key.value, value.value
                ),
            )
            .with_help(
                "keep authentication on and pass the credential at run time (a secret file such \
                 as `NEO4J_AUTH_FILE` or `POSTGRES_PASSWORD_FILE`, or compose `secrets:`)",
            );
        }
    }
}
