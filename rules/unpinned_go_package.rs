//! DF018 unpinned-go-package: `go install pkg@latest`, `go run pkg@latest` (or another moving
//! query), `go get pkg` without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{Manager, Operand, check_manager, never};

pub static UNPINNED_GO_PACKAGE: Rule = Rule {
    code: "DF018",
    name: "unpinned-go-package",
    summary: "`go install`, `go run` or `go get` fetches a module at `@latest`, a branch or no version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // The Go module proxy keeps every version, so a pin never stops building: on by default.
    related: &["hadolint:DL3062", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_go_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// The options of `go install`, `go run` and `go get` that take a separate value.
const GO_VALUE_OPTIONS: &[&str] = &[
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
    "-exec",
];

/// `go install pkg@…` and `go run pkg@…` (which downloads and runs a module's program).
const GO: Manager = Manager {
    programs: &["go"],
    install: &["install", "run"],
    value_options: GO_VALUE_OPTIONS,
    classify,
    pinned_by_option: never,
    display: "go",
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

/// `go get pkg`: without `@version` it resolves `@upgrade`, the latest release (and in GOPATH
/// mode the default branch), so it is reported like `@latest`.
const GO_GET: Manager = Manager {
    programs: &["go"],
    install: &["get"],
    value_options: GO_VALUE_OPTIONS,
    classify: classify_get,
    pinned_by_option: never,
    display: "go get",
    help: "pin a version: `go get example.com/pkg@v1.4.0` (or list it in go.mod and run `go mod download`)",
};

/// A `go get` operand: as [`classify`] with `@`; without it, a module path is unpinned, while
/// local packages (`.`, `./...`) and `all` follow go.mod.
fn classify_get(operand: &str) -> Operand {
    if operand.contains('@') {
        return classify(operand);
    }
    if operand.starts_with(['.', '/']) || operand == "all" {
        Operand::Fine
    } else {
        Operand::Unpinned
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &GO);
    check_manager(context, out, &GO_GET);
}
