//! DF026 password-set-in-image: a RUN step sets or empties a user's password (`chpasswd`,
//! `passwd -d`, `useradd -p`, `passwd --stdin`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::run_commands::{is_dynamic, run_commands};

pub static PASSWORD_SET_IN_IMAGE: Rule = Rule {
    code: "DF026",
    name: "password-set-in-image",
    summary: "A RUN step sets or removes a user's password (`chpasswd`, `passwd -d`, \
              `useradd -p`)",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "checkov:CKV2_DOCKER_17",
        "dockle:DKL-LI-0001",
        "nist-800-190:3.1.4",
        "nist-800-190:3.1.2",
        "cwe:259",
    ],
    docs: include_str!("password_set_in_image.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "containers need no login passwords: create users with a locked password \
                    (`useradd` without `-p`), and pass real secrets at run time";

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in run_commands(context) {
        let view = command.effective();
        let (Some(program), Some(name)) = (view.program(), view.name) else {
            continue;
        };
        match program {
            "chpasswd" | "chgpasswd" => {
                out.report(
                    name.span,
                    format!("`{program}` sets a password that is stored in the image"),
                )
                .with_help(HELP);
            }
            "passwd" => {
                let flag = view
                    .args
                    .iter()
                    .find(|word| matches!(word.value.as_str(), "-d" | "--delete" | "--stdin"));
                if let Some(flag) = flag {
                    let message = if flag.value == "--stdin" {
                        "`passwd --stdin` sets a password that is stored in the image"
                    } else {
                        "`passwd -d` leaves the user with an empty password"
                    };
                    out.report(flag.span, message).with_help(HELP);
                }
            }
            "useradd" | "usermod" | "adduser" => {
                let Some(password) = view.flag_value(Some('p'), "password") else {
                    continue;
                };
                // `'$6$salt$hash'` in single quotes is a literal hash, not an expansion.
                if is_dynamic(password) && !password.raw.starts_with('\'') {
                    // A hash from a build argument is still a password, but its value is
                    // unknown: only literal values are judged.
                    continue;
                }
                let value = password
                    .value
                    .strip_prefix("--password=")
                    .unwrap_or(&password.value);
                // `*` and `!…` lock the account: no password can match.
                if value.starts_with(['*', '!']) {
                    continue;
                }
                let message = if value.is_empty() {
                    format!("`{program} -p ''` gives the user an empty password")
                } else {
                    format!("`{program} -p` sets a password hash that is stored in the image")
                };
                out.report(password.span, message).with_help(HELP);
            }
            _ => {}
        }
    }
}
