//! DF053 ln-bin-sh: `ln -s … /bin/sh` replaces the system shell instead of using SHELL.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;

use super::build_support::run_scripts;

pub static LN_BIN_SH: Rule = Rule {
    code: "DF053",
    name: "ln-bin-sh",
    summary: "A RUN replaces `/bin/sh` with a link to another shell; use SHELL instead",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &[
        "hadolint:DL4005",
        "kics:8a301064",
        "semgrep:use-shell-instruction",
    ],
    docs: include_str!("ln_bin_sh.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        for run in run_scripts(context, instruction) {
            for (_, view) in run.script.invocations("ln") {
                let operands: Vec<_> = view
                    .args
                    .iter()
                    .filter(|word| !word.value.starts_with('-'))
                    .collect();
                let Some(target) = operands.last() else {
                    continue;
                };
                let links_sh = matches!(target.value.as_str(), "/bin/sh" | "/usr/bin/sh");
                if operands.len() < 2 || !links_sh || !view.has_flag('s', "symbolic") {
                    continue;
                }
                out.report(
                    target.span,
                    "this replaces `/bin/sh` for every program in the image, not just for the build",
                )
                .with_help("use `SHELL [\"/bin/bash\", \"-c\"]` to run the following RUNs with bash");
            }
        }
    }
}
