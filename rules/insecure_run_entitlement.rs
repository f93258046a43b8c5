//! DF024 insecure-run-entitlement: `RUN --security=insecure` (a privileged build step), and
//! `RUN --network=host` (the step shares the host's network) at info level.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;

pub static INSECURE_RUN_ENTITLEMENT: Rule = Rule {
    code: "DF024",
    name: "insecure-run-entitlement",
    summary: "A RUN step asks for an insecure entitlement (`--security=insecure`, \
              `--network=host`)",
    target: Target::Dockerfile,
    category: Category::Privilege,
    severity: Severity::Warning,
    related: &[
        "semgrep:run-security-insecure",
        "nist-800-190:3.4.3",
        "cis:5.4",
    ],
    docs: include_str!("insecure_run_entitlement.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        if !matches!(instruction.command, Command::Run(_)) {
            continue;
        }
        for flag in &instruction.flags {
            let Some(value) = &flag.value else {
                continue;
            };
            match (flag.name.value.as_str(), value.value.as_str()) {
                ("security", "insecure") => {
                    out.report(
                        flag.span,
                        "`RUN --security=insecure` runs this step as a privileged container",
                    )
                    .with_help(
                        "find what the step needs (a device, a capability) and do it without \
                         privileges, or move it out of the image build",
                    );
                }
                ("network", "host") => {
                    let finding = out.report(
                        flag.span,
                        "`RUN --network=host` gives this step the host's network namespace",
                    );
                    finding.severity = Severity::Info;
                    finding.with_help(
                        "use the default network; reach build-time services through \
                         `--add-host` or a BuildKit secret/ssh mount instead",
                    );
                }
                _ => {}
            }
        }
    }
}
