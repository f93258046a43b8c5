//! DF037 pip-extra-index-url: `pip install --extra-index-url` (or `PIP_EXTRA_INDEX_URL`), which
//! lets any index win a package name: the dependency-confusion setup.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Command;

use super::run_commands::run_commands;
use super::support::commands;

pub static PIP_EXTRA_INDEX_URL: Rule = Rule {
    code: "DF037",
    name: "pip-extra-index-url",
    summary: "pip is given an extra index (`--extra-index-url`), open to dependency confusion",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Info,
    related: &[
        "semgrep:dockerfile-pip-extra-index-url",
        "nist-800-190:3.1.5",
        "cwe:427",
    ],
    docs: include_str!("pip_extra_index_url.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const HELP: &str = "serve private and public packages from one index that proxies PyPI \
                    (`--index-url`), or pin packages with hashes (`--require-hashes`)";

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let (Command::Env(pairs) | Command::Arg(pairs)) = command else {
            continue;
        };
        for pair in pairs {
            if pair.key.value.eq_ignore_ascii_case("PIP_EXTRA_INDEX_URL") && pair.value.is_some() {
                out.report(
                    pair.key.span,
                    "`PIP_EXTRA_INDEX_URL` makes pip pick each package from whichever index has the highest version",
                )
                .with_help(HELP);
            }
        }
    }
    for command in run_commands(context) {
        let view = command.effective();
        let is_pip = view.program().is_some_and(|program| {
            program
                .strip_prefix("pip")
                .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        }) || view.args.first().is_some_and(|word| word.value == "-m")
            && view.args.get(1).is_some_and(|word| word.value == "pip");
        if !is_pip {
            continue;
        }
        if view.has_long_flag("require-hashes") {
            continue;
        }
        for word in view.args.iter().take_while(|word| word.value != "--") {
            if word.value == "--extra-index-url" || word.value.starts_with("--extra-index-url=") {
                out.report(
                    word.span,
                    "`--extra-index-url` makes pip pick each package from whichever index has the highest version",
                )
                .with_help(HELP);
            }
        }
    }
}
