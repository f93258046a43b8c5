//! DF027 user-by-name: `USER` names a user instead of giving a numeric uid.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Command;

use super::support::{commands, is_root_user};

pub static USER_BY_NAME: Rule = Rule {
    code: "DF027",
    name: "user-by-name",
    summary: "`USER` gives a user name instead of a numeric uid",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Info,
    // A convention for clusters that enforce `runAsNonRoot`, not a defect: opt-in, as
    // hadolint's DL3066 is informational.
    default_enabled: false,
    related: &["hadolint:DL3066"],
    docs: include_str!("user_by_name.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn is_numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let Command::User(user) = command else {
            continue;
        };
        let name = &user.user;
        // Root is the root-user rule's business; variables are unknown here.
        if name.value.contains('$')
            || is_numeric(&name.value)
            || is_root_user(&name.value) != Some(false)
        {
            continue;
        }
        out.report(
            name.span,
            format!("`USER {}` names a user; give its numeric uid", name.value),
        )
        .with_help(
            "use the uid (and gid) the user was created with, for example `USER 10001:10001`, \
             so that a runtime can check it is not root without reading /etc/passwd",
        );
    }
}
