//! DF016 unpinned-npm-package: `npm install <pkg>` without a version.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::package_pins::{
    GIT_BRANCH, GIT_WITHOUT_REF, Manager, Operand, check_manager, is_branch, never,
};

pub static UNPINNED_NPM_PACKAGE: Rule = Rule {
    code: "DF016",
    name: "unpinned-npm-package",
    summary: "`npm install <pkg>` installs a package without pinning its version",
    target: Target::Dockerfile,
    category: Category::Reproducibility,
    severity: Severity::Warning,
    // The npm registry keeps every release, so a pin never stops building: on by default.
    related: &["hadolint:DL3016", "kics:e36d8880", "nist-800-190:3.1.1"],
    docs: include_str!("unpinned_npm_package.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

const NPM: Manager = Manager {
    programs: &["npm"],
    install: &["install", "i", "add"],
    value_options: &[
        "--prefix",
        "--registry",
        "--cache",
        "--userconfig",
        "-w",
        "--workspace",
        "--omit",
        "--include",
        "--tag",
        "--loglevel",
        "--install-strategy",
    ],
    classify,
    pinned_by_option: never,
    display: "npm",
    help: "pin the version (`typescript@5.6.3`), or list it in package.json with a lockfile \
           and run `npm ci`",
};

/// `pkg@1.2.3`, `@scope/pkg@^1`, paths, tarballs and URLs carry a version or are not registry
/// packages; git sources (`github:user/repo`, `user/repo`) need a tag or commit ([`git_spec`]); `pkg@latest` and `pkg@next` follow a moving
/// tag. npm upgrading itself (`npm install -g npm@latest`) is left alone.
fn classify(operand: &str) -> Operand {
    if let Some(reason) = git_spec(operand) {
        return reason;
    }
    let unscoped = match operand.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((_, rest)) => rest,
            None => return Operand::Fine,
        },
        None => operand,
    };
    let lower = unscoped.to_ascii_lowercase();
    if unscoped.contains(['/', ':'])
        || operand.starts_with(['.', '~', '/'])
        || lower.ends_with(".tgz")
        || lower.ends_with(".tar.gz")
    {
        return Operand::Fine;
    }
    let (name, version) = match unscoped.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (unscoped, None),
    };
    if operand == name && name == "npm" {
        return Operand::Fine;
    }
    match version {
        None | Some("") => Operand::Unpinned,
        Some("latest" | "next") if operand.starts_with("npm@") => Operand::Fine,
        Some("latest" | "next") => Operand::Floating("at a dist-tag that moves with every release"),
        Some(_) => Operand::Fine,
    }
}

/// A package from git (`github:user/repo`, `user/repo`, `git+https://…`, `git://…`,
/// `gitlab:`, `bitbucket:`, `gist:`): pinned only by a tag or commit after `#`
/// (`github:user/repo#v1.0`); without one, or at a branch, it installs what the branch holds.
/// `None` when the operand is not a git spec.
fn git_spec(operand: &str) -> Option<Operand> {
    let lower = operand.to_ascii_lowercase();
    let hosted = [
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "git+",
        "git://",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix));
    // `user/repo`: one slash, no scope, no path, no URL.
    let shorthand = !operand.starts_with(['@', '.', '/', '~'])
        && !operand.contains(':')
        && operand.matches('/').count() == 1
        && !lower.ends_with(".tgz")
        && !lower.ends_with(".tar.gz");
    if !(hosted || shorthand) {
        return None;
    }
    let reference = operand.split_once('#').map(|(_, reference)| reference);
    Some(match reference {
        None | Some("") => Operand::Floating(GIT_WITHOUT_REF),
        Some(reference) if is_branch(reference) => Operand::Floating(GIT_BRANCH),
        Some(_) => Operand::Fine,
    })
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    check_manager(context, out, &NPM);
}
