//! DF058 wget-and-curl: the Dockerfile uses both `wget` and `curl`, two tools for one job.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;
use crate::syntax::span::Span;

use super::build_support::run_scripts;

pub static WGET_AND_CURL: Rule = Rule {
    code: "DF058",
    name: "wget-and-curl",
    summary: "The Dockerfile downloads with both `wget` and `curl`; one tool is enough",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    default_enabled: false,
    related: &[
        "hadolint:DL4001",
        "kics:fc775e75",
        "trivy:DS-0014",
        "semgrep:use-either-wget-or-curl",
    ],
    docs: include_str!("wget_and_curl.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let mut first_wget: Option<Span> = None;
    let mut first_curl: Option<Span> = None;
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        for run in run_scripts(context, instruction) {
            for command in &run.script.commands {
                let view = command.effective();
                let Some(name) = view.name else { continue };
                match view.program() {
                    Some("wget") => {
                        first_wget.get_or_insert(name.span);
                    }
                    Some("curl") => {
                        first_curl.get_or_insert(name.span);
                    }
                    _ => {}
                }
            }
        }
    }
    let (Some(wget), Some(curl)) = (first_wget, first_curl) else {
        return;
    };
    let (later, earlier, later_name, earlier_name) = if wget.start > curl.start {
        (wget, curl, "wget", "curl")
    } else {
        (curl, wget, "curl", "wget")
    };
    out.report(
        later,
        format!("`{later_name}` is used although the file already downloads with `{earlier_name}`"),
    )
    .with_label(earlier, format!("`{earlier_name}` is used here"))
    .with_help(format!(
        "use `{earlier_name}` for every download, so the image needs only one of them"
    ));
}
