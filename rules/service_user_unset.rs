//! DC021 service-user-unset: a compose service does not say which user it runs as, so it runs
//! as the image's user, root unless the image says otherwise.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

pub static SERVICE_USER_UNSET: Rule = Rule {
    code: "DC021",
    name: "service-user-unset",
    summary: "A service does not set `user:` and runs as the image's user (often root)",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Info,
    default_enabled: false,
    related: &["cis:4.1", "nist-800-190:3.4.3"],
    docs: include_str!("service_user_unset.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        if service.user.is_some() || context.settled_by_project(service, &[&["user"]]) {
            continue;
        }
        out.report(
            service.name.span,
            format!(
                "service `{}` does not set `user:`; it runs as the image's user",
                service.name.value
            ),
        )
        .with_help(
            "set `user: \"10001:10001\"` (or the image's documented non-root user) unless the \
             image already runs unprivileged",
        );
    }
}
