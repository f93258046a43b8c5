//! DF015 unpinned-pip-package: `pip install` of a package without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::shell::CommandView;

use super::package_pins::{Manager, Operand, check_manager, is_path_or_url};

pub static UNPINNED_PIP_PACKAGE: Rule = Rule {
    code: "DF015",
    name: "unpinned-pip-package",
    summary: "`pip install` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // PyPI keeps every release, so a pin never stops building: on by default.
    related: &["hadolint:DL3013", "kics:02d9c71f", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_pip_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const PIP: Manager = Manager {
    programs: &["pip"],
    install: &["install"],
    value_options: &[
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--cache-dir",
        "--log",
        "--timeout",
        "--retries",
        "--proxy",
        "--cert",
        "--client-cert",
        "--only-binary",
        "--no-binary",
        "-C",
        "--config-settings",
        "--global-option",
        "--report",
        "--python",
        "--exists-action",
    ],
    classify,
    pinned_by_option,
    display: "pip",
    help: "pin the version (`flask==3.0.3`), or install from a requirements file with pins or \
           hashes (`pip install -r requirements.txt`)",
};

/// `flask==3.0`, `flask>=3`, `flask~=3.0`, `pkg @ https://…`, paths, wheels, archives and VCS
/// URLs carry a version or are not index packages. pip itself and its build tools
/// (`pip install -U pip setuptools wheel`) are left alone: they do not end up in the
/// application.
fn classify(operand: &str) -> Operand {
    let lower = operand.to_ascii_lowercase();
    let name = lower.split('[').next().unwrap_or(&lower);
    if operand.contains(['=', '<', '>', '~', '!', '@'])
        || is_path_or_url(operand)
        || operand.contains(':')
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|suffix| lower.ends_with(suffix))
        || matches!(name, "pip" | "setuptools" | "wheel")
    {
        Operand::Fine
    } else {
        Operand::Unpinned
    }
}

/// `-c constraints.txt` pins every package; `--no-index` installs only from local wheels.
fn pinned_by_option(view: &CommandView<'_>) -> bool {
    view.has_flag('c', "constraint") || view.has_long_flag("no-index")
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &PIP);
}
