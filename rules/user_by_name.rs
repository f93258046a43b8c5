//! DF027 user-by-name: `USER` names a user instead of giving a numeric uid.

use std::collections::HashMap;

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::{ancestors, effective_instructions};
use crate::syntax::dockerfile::Command;
use crate::syntax::dockerfile::shell::CommandView;

use super::build_support::run_scripts;
use super::run_commands::operands;
use super::support::is_root_user;

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
    fix: FixAvailability::Sometimes,
    related: &["hadolint:DL3066"],
    docs: include_str!("user_by_name.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn is_numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Options of `useradd`, and of Debian's and BusyBox's `adduser`, that take a separate value.
const VALUE_OPTIONS: &[&str] = &[
    "-b",
    "-c",
    "-d",
    "-e",
    "-f",
    "-g",
    "-G",
    "-h",
    "-k",
    "-K",
    "-p",
    "-P",
    "-R",
    "-s",
    "-u",
    "-Z",
    "--base-dir",
    "--comment",
    "--conf",
    "--expiredate",
    "--firstgid",
    "--firstuid",
    "--gecos",
    "--gid",
    "--groups",
    "--home",
    "--home-dir",
    "--inactive",
    "--ingroup",
    "--key",
    "--lastgid",
    "--lastuid",
    "--password",
    "--prefix",
    "--root",
    "--selinux-user",
    "--shell",
    "--skel",
    "--uid",
];

/// The user a `useradd`/`adduser` call creates with an explicit uid: (name, uid).
fn created_user(view: &CommandView<'_>) -> Option<(String, String)> {
    if !matches!(view.program()?, "useradd" | "adduser") {
        return None;
    }
    let uid = view.flag_value(Some('u'), "uid")?;
    let uid = uid.value.strip_prefix("--uid=").unwrap_or(&uid.value);
    let args = operands(view, VALUE_OPTIONS);
    // `useradd [options] LOGIN`; `adduser [options] USER [GROUP]`.
    let name = args.subcommand?;
    let single = view.program() == Some("useradd") && !args.operands.is_empty();
    (is_numeric(uid) && !name.value.contains(['$', '`']) && !single)
        .then(|| (name.value.clone(), uid.to_string()))
}

/// Where each user name is created with a uid: (instruction index, stage, uid).
type Created = HashMap<String, Vec<(usize, usize, String)>>;

fn created_users(context: &DockerfileContext<'_>) -> Created {
    let mut created: Created = HashMap::new();
    for run in effective_instructions(context.dockerfile) {
        let Some(stage) = run.instruction.stage else {
            continue;
        };
        // A trigger runs in a child image, after everything this file does.
        if run.is_trigger {
            continue;
        }
        for script in run_scripts(context, run.instruction) {
            for command in &script.script.commands {
                if let Some((name, uid)) = created_user(&command.effective()) {
                    created
                        .entry(name)
                        .or_default()
                        .push((run.index, stage, uid));
                }
            }
        }
    }
    created
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let mut created: Option<Created> = None;
    for run in effective_instructions(dockerfile) {
        let Command::User(user) = &run.instruction.command else {
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
        let finding = out
            .report(
                name.span,
                format!("`USER {}` names a user; give its numeric uid", name.value),
            )
            .with_help(
                "use the uid (and gid) the user was created with, for example `USER 10001:10001`, \
                 so that a runtime can check it is not root without reading /etc/passwd",
            );
        // The uid the stage (or a stage it is built on) created the user with, when there is
        // exactly one.
        let Some(stage) = run
            .instruction
            .stage
            .and_then(|index| dockerfile.stages.get(index))
        else {
            continue;
        };
        if run.is_trigger || name.span.text(&context.source.text) != name.value {
            continue;
        }
        let created = created.get_or_insert_with(|| created_users(context));
        let chain: Vec<usize> = ancestors(dockerfile, stage).map(|s| s.index).collect();
        let mut uids = created
            .get(&name.value)
            .into_iter()
            .flatten()
            .filter(|(index, in_stage, _)| {
                chain.contains(in_stage) && (*in_stage != stage.index || *index < run.index)
            })
            .map(|(_, _, uid)| uid.as_str());
        let Some(uid) = uids.next() else {
            continue;
        };
        if uids.any(|other| other != uid) {
            continue;
        }
        finding.with_fix(Fix {
            message: format!(
                "use uid {uid}, which the Dockerfile creates `{}` with",
                name.value
            ),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: name.span,
                replacement: uid.to_string(),
            }],
        });
    }
}
