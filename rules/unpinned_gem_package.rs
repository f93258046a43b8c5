//! DF017 unpinned-gem-package: `gem install` of a gem without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::shell::CommandView;

use super::package_pins::{Manager, Operand, check_manager, is_path_or_url};

pub static UNPINNED_GEM_PACKAGE: Rule = Rule {
    code: "DF017",
    name: "unpinned-gem-package",
    summary: "`gem install` installs a gem without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // RubyGems keeps every release, so a pin never stops building: on by default.
    related: &["hadolint:DL3028", "kics:22cd11f7", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_gem_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const GEM: Manager = Manager {
    programs: &["gem"],
    install: &["install", "i"],
    value_options: &[
        "-v",
        "--version",
        "-i",
        "--install-dir",
        "-n",
        "--bindir",
        "-s",
        "--source",
        "--platform",
        "-P",
        "--trust-policy",
        "--document",
        "--build-root",
        "-g",
        "--file",
    ],
    classify,
    pinned_by_option,
    display: "gem",
    help: "pin the version: `gem install rails:7.2.1` or `gem install rails -v 7.2.1`",
};

/// `rails:7.2.1`, local `.gem` files and paths carry a version or are not registry gems.
fn classify(operand: &str) -> Operand {
    if operand.contains(':') || is_path_or_url(operand) || operand.ends_with(".gem") {
        Operand::Fine
    } else {
        Operand::Unpinned
    }
}

/// `-v 7.2.1` / `--version 7.2.1` pins the gems of the command.
fn pinned_by_option(view: &CommandView<'_>) -> bool {
    view.has_flag('v', "version")
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &GEM);
}
