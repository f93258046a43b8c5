//! DF052 run-cd: `cd` in a RUN to change the working directory, where WORKDIR says it better
//! (and a RUN that only runs `cd`, whose effect is lost).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;
use crate::syntax::excerpt::excerpt;

use super::build_support::run_scripts;

pub static RUN_CD: Rule = Rule {
    code: "DF052",
    name: "run-cd",
    summary: "A RUN changes directory with `cd` where WORKDIR would be clearer",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Info,
    default_enabled: false,
    related: &[
        "hadolint:DL3003",
        "kics:f4a6bcd3",
        "trivy:DS-0013",
        "semgrep:use-workdir",
    ],
    docs: include_str!("run_cd.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        // Only the RUN's own line: inside a heredoc script `cd` is ordinary scripting.
        let Some(line) = run_scripts(context, instruction).into_iter().next() else {
            continue;
        };
        let commands: Vec<_> = line
            .script
            .commands
            .iter()
            .filter(|c| !c.in_substitution && !c.in_shell_string)
            .collect();
        let Some(cd) = commands.iter().find(|command| {
            command.program() == Some("cd")
                && command.args.first().is_some_and(|dir| {
                    // `cd -`, `cd ..` and `cd "$(mktemp -d)"` are not places WORKDIR could name.
                    let dir = dir.value.as_str();
                    dir.starts_with('/') && !dir.contains('$')
                })
        }) else {
            continue;
        };
        let dir = excerpt(cd.args.first().map_or("", |d| d.value.as_str()));
        if commands.len() == 1 {
            out.report(
                cd.span,
                format!("this RUN only changes directory; the next instruction does not start in `{dir}`"),
            )
            .with_help(format!("use `WORKDIR {dir}`"));
        } else {
            out.report(
                cd.span,
                format!("`cd {dir}` inside RUN; `WORKDIR {dir}` sets the directory for the instructions that follow"),
            )
            .with_help(format!(
                "put `WORKDIR {dir}` before this RUN, or run the step in a subshell if the directory is temporary"
            ));
        }
    }
}
