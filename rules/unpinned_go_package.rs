//! DF018 unpinned-go-package: `go install pkg@latest` (or another moving query).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{Manager, Operand, check_manager, never};

pub static UNPINNED_GO_PACKAGE: Rule = Rule {
    code: "DF018",
    name: "unpinned-go-package",
    summary: "`go install` installs a tool at `@latest` or a branch instead of a version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // The Go module proxy keeps every version, so a pin never stops building: on by default.
    related: &["hadolint:DL3062", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_go_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const GO: Manager = Manager {
    programs: &["go"],
    install: &["install"],
    value_options: &[
        "-o",
        "-p",
        "-C",
        "-tags",
        "-ldflags",
        "-gcflags",
        "-asmflags",
        "-mod",
        "-modfile",
        "-pkgdir",
        "-buildmode",
        "-compiler",
        "-gccgoflags",
        "-installsuffix",
        "-overlay",
        "-pgo",
        "-toolexec",
    ],
    classify,
    pinned_by_option: never,
    display: "go install",
    help: "pin a version: `go install golang.org/x/tools/gopls@v0.16.2`",
};

/// `pkg@v1.2.3` and `pkg@<commit>` are pinned; `@latest`, `@upgrade`, `@patch` and branch names
/// move. Without `@`, the version comes from the current module's go.mod (or the command fails
/// outside a module), so it is not reported.
fn classify(operand: &str) -> Operand {
    let Some((_, version)) = operand.rsplit_once('@') else {
        return Operand::Fine;
    };
    match version {
        "latest" | "upgrade" | "patch" | "master" | "main" | "HEAD" | "" => {
            Operand::Floating("at a version query that moves (use a tagged version)")
        }
        _ => Operand::Fine,
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &GO);
}
