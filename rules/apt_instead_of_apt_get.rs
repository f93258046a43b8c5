//! DF062 apt-instead-of-apt-get: `apt`, the interactive front end, in a RUN instead of
//! `apt-get`, whose interface is stable for scripts.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Keyword;
use crate::syntax::span::Span;

use super::build_support::{package_subcommand, run_scripts};

pub static APT_INSTEAD_OF_APT_GET: Rule = Rule {
    code: "DF062",
    name: "apt-instead-of-apt-get",
    summary: "A RUN uses `apt`, whose interface is not stable for scripts; use `apt-get`",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &[
        "hadolint:DL3027",
        "kics:b84a0b47",
        "checkov:CKV_DOCKER_9",
        "semgrep:prefer-apt-get",
    ],
    docs: include_str!("apt_instead_of_apt_get.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// `apt` subcommands that `apt-get` has with the same meaning.
const SAME_IN_APT_GET: &[&str] = &[
    "install",
    "update",
    "upgrade",
    "dist-upgrade",
    "remove",
    "purge",
    "autoremove",
    "clean",
    "autoclean",
    "source",
    "build-dep",
    "download",
    "changelog",
    "satisfy",
];

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if instruction.keyword != Keyword::Run {
            continue;
        }
        for run in run_scripts(context, instruction) {
            for (_, view) in run.script.invocations("apt") {
                let Some(name) = view.name else { continue };
                let subcommand = package_subcommand(&view);
                let finding = out.report(
                    name.span,
                    "`apt` is meant for people at a terminal; its output and behaviour may change between releases",
                );
                finding.with_help("use `apt-get` (or `apt-cache` to search and show packages)");
                if subcommand.is_some_and(|s| SAME_IN_APT_GET.contains(&s.value.as_str()))
                    && name.raw.ends_with("apt")
                {
                    finding.with_fix(Fix {
                        message: "use `apt-get`".into(),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            span: Span::empty(name.span.end),
                            replacement: "-get".into(),
                        }],
                    });
                }
            }
        }
    }
}
