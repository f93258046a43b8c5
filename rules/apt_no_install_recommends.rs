//! DF060 apt-no-install-recommends: `apt-get install` without `--no-install-recommends` in a
//! stage that ends up in the image.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};

use super::build_support::{final_image_runs, package_subcommand, run_scripts};
use super::run_commands::argument_after;

pub static APT_NO_INSTALL_RECOMMENDS: Rule = Rule {
    code: "DF060",
    name: "apt-no-install-recommends",
    summary: "`apt-get install` without `--no-install-recommends` installs packages nobody asked for",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL3015",
        "kics:7384dfb2",
        "trivy:DS-0029",
        "semgrep:missing-no-install-recommends",
    ],
    docs: include_str!("apt_no_install_recommends.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for (_, instruction) in final_image_runs(context.dockerfile) {
        for run in run_scripts(context, instruction) {
            for command in &run.script.commands {
                let view = command.effective();
                if !matches!(view.program(), Some("apt-get" | "apt")) {
                    continue;
                }
                let Some(subcommand) = package_subcommand(&view) else {
                    continue;
                };
                if subcommand.value != "install" {
                    continue;
                }
                let configured = view.has_long_flag("no-install-recommends")
                    || view.args.iter().any(|w| {
                        let lower = w.value.to_ascii_lowercase();
                        lower.contains("install-recommends=false")
                            || lower.contains("install-recommends=0")
                            || lower.contains("install-recommends=no")
                    });
                if configured {
                    continue;
                }
                out.report(
                    subcommand.span,
                    "`apt-get install` without `--no-install-recommends` also installs every recommended package",
                )
                .with_help("add `--no-install-recommends` and list the packages you need")
                .with_fix(Fix {
                    message: "add `--no-install-recommends`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![argument_after(
                        source,
                        subcommand.span,
                        "--no-install-recommends",
                    )],
                });
            }
        }
    }
}
