//! DF015 unpinned-pip-package: `pip install` of a package without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::shell::CommandView;

use super::package_pins::{
    GIT_BRANCH, GIT_WITHOUT_REF, Manager, Operand, check_manager, is_branch, is_path_or_url,
};

pub static UNPINNED_PIP_PACKAGE: Rule = Rule {
    code: "DF015",
    name: "unpinned-pip-package",
    summary: "`pip install` (or `pipx install`) installs a package without pinning its version",
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
        "--root-user-action",
        "--use-feature",
        "--use-deprecated",
        "--keyring-provider",
        "--log-file",
        "--install-option",
        "--group",
        // pipx
        "--suffix",
        "--pip-args",
        "--spec",
    ],
    classify,
    pinned_by_option,
    display: "pip",
    help: "pin the version (`flask==3.0.3`), or install from a requirements file with pins or \
           hashes (`pip install -r requirements.txt`)",
};

/// `flask==3.0`, `flask>=3`, `flask~=3.0`, `pkg @ https://…`, paths, wheels and archives carry
/// a version or are not index packages. A VCS URL (`git+https://…/x.git`) pins only with a
/// tag or commit after `@` (`…/x.git@v1.2`, `…/x.git@<sha>`); without one, or at a branch, it
/// installs whatever the branch holds on the day. pip itself and its build tools
/// (`pip install -U pip setuptools wheel`) are left alone: they do not end up in the
/// application.
fn classify(operand: &str) -> Operand {
    let lower = operand.to_ascii_lowercase();
    // `git+https://…`, also as the direct reference of `pkg @ git+https://…`.
    let url = lower.rsplit(' ').next().unwrap_or(&lower);
    if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
    {
        return match vcs_reference(url) {
            None => Operand::Floating(GIT_WITHOUT_REF),
            Some(reference) if is_branch(reference) => Operand::Floating(GIT_BRANCH),
            Some(_) => Operand::Fine,
        };
    }
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

/// The revision of a pip VCS URL: the `@…` after the repository path and before `#egg=…`
/// (`git+https://host/x.git@v1.2#egg=x` → `v1.2`); `git+ssh://git@host/…` has a user, not a
/// revision.
fn vcs_reference(url: &str) -> Option<&str> {
    let url = url.split('#').next().unwrap_or(url);
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.split_once('/').map(|(_, path)| path)?;
    let (_, reference) = path.rsplit_once('@')?;
    (!reference.is_empty()).then_some(reference)
}

/// `-c constraints.txt` pins every package; `--no-index` installs only from local wheels.
fn pinned_by_option(view: &CommandView<'_>) -> bool {
    view.has_flag('c', "constraint")
        || view.has_long_flag("no-index")
        // pipx: the package is `--spec`'s value and the operand only names the app.
        || view.has_long_flag("spec")
}

/// `pipx install app`: an application from PyPI in its own environment, pinned the same way.
const PIPX: Manager = Manager {
    programs: &["pipx"],
    display: "pipx",
    help: "pin the version (`pipx install poetry==1.8.3`)",
    ..PIP
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &PIP);
    check_manager(context, out, &PIPX);
}
