//! The shared check of the unpinned-package rules (apt, apk, yum, dnf, zypper, pip, npm, gem,
//! go): find the install commands of one package manager in RUN instructions and report each
//! package operand installed without a version. Each rule supplies a [`Manager`]. Not a rule.

use crate::linter::rule::{DockerfileContext, Emitter};
use crate::syntax::dockerfile::shell::{CommandView, Word};

use super::run_commands::{is_dynamic, operands, run_commands};

/// How one package manager installs packages and writes versions.
pub(crate) struct Manager {
    /// Program names (basenames) that run this manager.
    pub programs: &'static [&'static str],
    /// Subcommands that install packages.
    pub install: &'static [&'static str],
    /// Options that take a separate value (the value is not a package).
    pub value_options: &'static [&'static str],
    /// What the operand is, as this manager reads it.
    pub classify: fn(&str) -> Operand,
    /// Whether the whole command pins its packages some other way (`gem install -v 1.2`,
    /// `pip install -c constraints.txt`).
    pub pinned_by_option: fn(&CommandView<'_>) -> bool,
    /// How the manager is named in messages.
    pub display: &'static str,
    /// The help text: how to pin.
    pub help: &'static str,
}

/// What an install operand is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    /// A package with a version (or something that is not a registry package: a file, a path,
    /// a URL, a group), left alone.
    Fine,
    /// A package name without a version.
    Unpinned,
    /// A version that does not pin (`@latest`); the text explains.
    Floating(&'static str),
}

/// The finding of one unpinned operand.
pub(crate) struct Unpinned<'a> {
    pub word: &'a Word,
    pub operand: Operand,
}

/// Reports every unpinned package of `manager` in the RUN instructions.
pub(crate) fn check_manager(
    context: &DockerfileContext<'_>,
    out: &mut Emitter<'_>,
    manager: &Manager,
) {
    let commands = run_commands(context);
    for command in commands {
        let view = command.effective();
        let Some(view) = manager_view(view, manager) else {
            continue;
        };
        // One finding per command and problem, on the first package, with the others as
        // labels: a long install line stays one finding (hadolint reports per instruction).
        let found = unpinned(&view, manager);
        let (floating, missing): (Vec<_>, Vec<_>) = found
            .iter()
            .partition(|item| matches!(item.operand, Operand::Floating(_)));
        for group in [missing, floating] {
            let Some(first) = group.first() else {
                continue;
            };
            let names = name_list(group.iter().map(|item| item.word.value.as_str()));
            let message = match (first.operand, group.len()) {
                (Operand::Floating(why), 1) => {
                    format!("{names} is installed with {} {why}", manager.display)
                }
                (Operand::Floating(why), count) => format!(
                    "{count} packages are installed with {} {why}: {names}",
                    manager.display
                ),
                (_, 1) => format!(
                    "{names} is installed with {} without a version",
                    manager.display
                ),
                (_, count) => format!(
                    "{count} packages are installed with {} without a version: {names}",
                    manager.display
                ),
            };
            let finding = out.report(operand_span(first), message);
            finding.with_help(manager.help);
            for item in group.iter().skip(1) {
                finding.with_label(operand_span(item), "also unpinned");
            }
        }
    }
}

/// `` `a`, `b`, `c` ``, with at most six names.
fn name_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let mut text = names
        .iter()
        .take(6)
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 6 {
        text.push_str(&format!(" and {} more", names.len() - 6));
    }
    text
}

/// The word, or its `@latest` part when a moving version is the problem and the word is
/// unquoted.
fn operand_span(item: &Unpinned<'_>) -> crate::syntax::span::Span {
    let word = item.word;
    // The version part: `@latest`, `#main` (npm git specs), never a user part
    // (`git+ssh://git@host/…`).
    let at = word
        .value
        .rfind(['@', '#'])
        .filter(|&at| !word.value[at..].contains('/'));
    match (item.operand, at) {
        (Operand::Floating(_), Some(at)) if word.raw == word.value && at > 0 => {
            word.span.sub(at, word.value.len())
        }
        _ => word.span,
    }
}

/// The view of the manager's own command: `python3 -m pip install x` is seen as `pip install
/// x`. `None` when the command is not this manager.
fn manager_view<'a>(view: CommandView<'a>, manager: &Manager) -> Option<CommandView<'a>> {
    let program = view.program()?;
    if manager.programs.iter().any(|p| program_matches(program, p)) {
        return Some(view);
    }
    // `python -m pip …`: the module is the program.
    if program.starts_with("python") {
        let (flag, rest) = view.args.split_first()?;
        let (module, args) = rest.split_first()?;
        if flag.value == "-m" && manager.programs.contains(&module.value.as_str()) {
            return Some(CommandView {
                name: Some(module),
                args,
            });
        }
    }
    None
}

/// `pip3.12` runs pip; `pip` entries match `pip`, `pip3` and `pip3.x`.
fn program_matches(program: &str, wanted: &str) -> bool {
    if program == wanted {
        return true;
    }
    wanted == "pip"
        && program
            .strip_prefix("pip")
            .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// The unpinned operands of one manager command.
fn unpinned<'a>(view: &CommandView<'a>, manager: &Manager) -> Vec<Unpinned<'a>> {
    let split = operands(view, manager.value_options);
    let installs = split
        .subcommand
        .is_some_and(|sub| manager.install.contains(&sub.value.as_str()));
    if !installs || (manager.pinned_by_option)(view) {
        return Vec::new();
    }
    split
        .operands
        .into_iter()
        // After `--` the words are the tool's own arguments (`gem install pg -- --with-x`),
        // never packages when they look like options.
        .filter(|word| !is_dynamic(word) && !word.value.is_empty() && !word.value.starts_with('-'))
        .filter_map(|word| {
            let operand = (manager.classify)(&word.value);
            (operand != Operand::Fine).then_some(Unpinned { word, operand })
        })
        .collect()
}

/// Whether the operand is a file, path or URL rather than a package name.
pub(crate) fn is_path_or_url(operand: &str) -> bool {
    operand.contains('/') || operand.starts_with('.') || operand.starts_with('~')
}

/// A branch name that a git reference may follow: it moves with every commit.
pub(crate) fn is_branch(reference: &str) -> bool {
    matches!(
        reference,
        "main" | "master" | "HEAD" | "head" | "develop" | "dev" | "trunk" | "default"
    )
}

/// Why a source from git does not pin what it installs: no commit or tag at all, or a branch.
pub(crate) const GIT_WITHOUT_REF: &str =
    "from git without a commit or tag (the default branch moves)";
pub(crate) const GIT_BRANCH: &str =
    "from a git branch, which moves with every commit (use a tag or a commit)";

/// An rpm `name-version[-release][.arch]`: the last `-` part starts with a digit
/// (`httpd-2.4.6`, `httpd-2.4.6-97.el7`, `java-1.8.0-openjdk-1.8.0.392`), while
/// `java-11-openjdk` or `gcc-c++` name packages without a version.
pub(crate) fn has_rpm_version(operand: &str) -> bool {
    operand.rsplit_once('-').is_some_and(|(name, version)| {
        !name.is_empty() && version.bytes().next().is_some_and(|b| b.is_ascii_digit())
    })
}

/// An operand of `yum`/`dnf`/`microdnf`/`zypper install`: `pkg-1.2`, `pkg-1.2-3.el9`,
/// `pkg = 1.2`, `pkg>=1.2` carry a version; `./x.rpm`, URLs, `@group`, `/usr/bin/x` (a file
/// provide) and `perl(Foo)` (a capability) are not plain package names.
pub(crate) fn classify_rpm(operand: &str) -> Operand {
    if has_rpm_version(operand)
        || operand.contains(['=', '<', '>', '(', '@', '*'])
        || is_path_or_url(operand)
        || operand.ends_with(".rpm")
    {
        Operand::Fine
    } else {
        Operand::Unpinned
    }
}

/// For managers without a whole-command pin.
pub(crate) fn never(_: &CommandView<'_>) -> bool {
    false
}

/// The options of yum and dnf that take a value (the value is not a package).
pub(crate) const RPM_VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--config",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "--installroot",
    "--enablerepo",
    "--disablerepo",
    "-x",
    "--exclude",
    "--setopt",
    "--releasever",
    "--repo",
    "--repoid",
    "--downloaddir",
    "--destdir",
    "-R",
    "--randomwait",
    "--color",
    "--rpmverbosity",
    "--repofrompath",
    "--forcearch",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_versions() {
        for pinned in [
            "httpd-2.4.6",
            "httpd-2.4.6-97.el7",
            "java-1.8.0-openjdk-1.8.0.392",
            "bash-0:5.1",
        ] {
            assert!(has_rpm_version(pinned), "{pinned}");
        }
        for unpinned in ["httpd", "java-11-openjdk", "gcc-c++", "python3-devel", "-1"] {
            assert!(!has_rpm_version(unpinned), "{unpinned}");
        }
    }

    #[test]
    fn pip_program_names() {
        assert!(program_matches("pip3.12", "pip"));
        assert!(program_matches("pip3", "pip"));
        assert!(!program_matches("pipx", "pip"));
        assert!(!program_matches("pip3", "npm"));
    }
}
