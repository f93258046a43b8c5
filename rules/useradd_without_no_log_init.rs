//! DF028 useradd-without-no-log-init: `useradd` with a high uid and without `-l`, which
//! writes a huge sparse `/var/log/lastlog` into the layer.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};

use super::run_commands::argument_after;
use super::run_commands::run_commands;

pub static USERADD_WITHOUT_NO_LOG_INIT: Rule = Rule {
    code: "DF028",
    name: "useradd-without-no-log-init",
    summary: "`useradd` with a high uid and without `-l` bloats the image with lastlog",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["hadolint:DL3046"],
    docs: include_str!("useradd_without_no_log_init.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Uids from here on make lastlog and faillog (about 300 bytes per uid below the user's)
/// tens of megabytes or more; hadolint uses the same bound (more than five digits).
const HIGH_UID: u64 = 100_000;

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for command in run_commands(context) {
        let view = command.effective();
        if view.program() != Some("useradd") {
            continue;
        }
        if view.has_flag('l', "no-log-init") {
            continue;
        }
        let Some(uid) = view.flag_value(Some('u'), "uid") else {
            continue;
        };
        let value = uid.value.strip_prefix("--uid=").unwrap_or(&uid.value);
        let Ok(number) = value.parse::<u64>() else {
            continue;
        };
        if number < HIGH_UID {
            continue;
        }
        let Some(name) = view.name else {
            continue;
        };
        // In exec form (`["useradd", …]`) the word ends at a JSON quote: an insertion there
        // would change the program name, so no fix is offered.
        let in_json = context
            .source
            .text
            .as_bytes()
            .get(name.span.end)
            .is_some_and(|b| *b == b'"');
        let finding = out.report(
            uid.span,
            format!("`useradd` with uid {number} and without `-l` writes a lastlog file of about {} MB into the layer", number.saturating_mul(292) / 1_000_000),
        )
        .with_help("add `-l` (`--no-log-init`) so that useradd does not create the lastlog and faillog entries");
        if in_json {
            continue;
        }
        finding.with_fix(Fix {
            message: "add `--no-log-init`".into(),
            applicability: Applicability::Safe,
            edits: vec![argument_after(source, name.span, "--no-log-init")],
        });
    }
}
