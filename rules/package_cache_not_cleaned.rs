//! DF061 package-cache-not-cleaned: a RUN that downloads package lists or packages (apt, yum,
//! dnf, microdnf, zypper) leaves them in the image layer.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::shell::{CommandView, Word};

use super::build_support::{
    RunScript, cache_mount_targets, final_image_runs, mounts_cover, package_subcommand, run_scripts,
};

pub static PACKAGE_CACHE_NOT_CLEANED: Rule = Rule {
    code: "DF061",
    name: "package-cache-not-cleaned",
    summary: "A RUN leaves the package manager's lists or cache in the image layer",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    related: &[
        "hadolint:DL3009",
        "hadolint:DL3032",
        "hadolint:DL3040",
        "hadolint:DL3036",
        "kics:df746b39",
        "kics:00481784",
        "kics:295acb63",
        "kics:38300d1a",
        "trivy:DS-0015",
        "trivy:DS-0019",
        "trivy:DS-0020",
        "trivy:DS-0027",
        "semgrep:remove-package-lists",
        "semgrep:missing-dnf-clean-all",
        "semgrep:missing-zypper-clean",
    ],
    docs: include_str!("package_cache_not_cleaned.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// What one package manager leaves behind and how it is cleaned.
struct Manager {
    programs: &'static [&'static str],
    /// Subcommands that fill the cache.
    fills: &'static [&'static str],
    /// Directories holding the cache; `rm` of one of them, or a cache/tmpfs mount on one,
    /// counts as cleaning.
    dirs: &'static [&'static str],
    /// The clean subcommand (`clean` for `yum clean all`).
    clean: &'static [&'static str],
    advice: &'static str,
}

/// The subcommands of yum and dnf that download metadata or packages into the cache, with
/// dnf's aliases (`in`, `up`, `rei`, `up-min`, `dsync`, `mc`).
const DNF_FILLS: &[&str] = &[
    "install",
    "in",
    "update",
    "up",
    "upgrade",
    "update-minimal",
    "upgrade-minimal",
    "up-min",
    "groupinstall",
    "groupupdate",
    "localinstall",
    "reinstall",
    "rei",
    "distro-sync",
    "dsync",
    "downgrade",
    "dg",
    "makecache",
    "mc",
    "builddep",
    "swap",
];

const MANAGERS: &[Manager] = &[
    Manager {
        programs: &["apt-get", "apt", "aptitude"],
        fills: &["update"],
        dirs: &["/var/lib/apt/lists", "/var/cache/apt"],
        // apt 2.7+: `apt-get dist-clean` removes the lists too.
        clean: &["dist-clean"],
        advice: "end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache: `RUN --mount=type=cache,target=/var/lib/apt/lists …`",
    },
    Manager {
        programs: &["yum"],
        fills: DNF_FILLS,
        dirs: &["/var/cache/yum"],
        clean: &["clean"],
        advice: "end the RUN with `&& yum clean all`, or mount a cache on /var/cache/yum",
    },
    Manager {
        programs: &["dnf", "dnf5", "dnf4"],
        fills: DNF_FILLS,
        dirs: &["/var/cache/dnf", "/var/cache/libdnf5"],
        clean: &["clean"],
        advice: "end the RUN with `&& dnf clean all`, or mount a cache on /var/cache/dnf",
    },
    Manager {
        programs: &["microdnf"],
        fills: &[
            "install",
            "update",
            "upgrade",
            "reinstall",
            "makecache",
            "download",
        ],
        dirs: &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
        clean: &["clean"],
        advice: "end the RUN with `&& microdnf clean all`",
    },
    Manager {
        programs: &["zypper"],
        fills: &[
            "install",
            "in",
            "update",
            "up",
            "dist-upgrade",
            "dup",
            "patch",
            "refresh",
            "ref",
            "source-install",
            "si",
            "install-new-recommends",
            "inr",
        ],
        dirs: &["/var/cache/zypp"],
        clean: &["clean", "cc"],
        advice: "end the RUN with `&& zypper clean --all`, or mount a cache on /var/cache/zypp",
    },
];

/// The word that says what a package-manager call does: its subcommand, or for `dnf module
/// install` and `yum group install` the action after `module`/`group`.
fn action<'a>(view: &CommandView<'a>) -> Option<&'a Word> {
    let subcommand = package_subcommand(view)?;
    if !matches!(subcommand.value.as_str(), "module" | "group" | "groups") {
        return Some(subcommand);
    }
    let position = view
        .args
        .iter()
        .position(|word| std::ptr::eq(word, subcommand))?;
    let rest = CommandView {
        name: view.name,
        args: view.args.get(position + 1..)?,
    };
    package_subcommand(&rest).or(Some(subcommand))
}

/// Whether `word` (an `rm` argument) removes `dir` or something under it.
fn removes(word: &str, dir: &str) -> bool {
    let path = word.trim_end_matches(['*', '/']);
    !path.is_empty() && (path.starts_with(dir) || dir.starts_with(path) && path.len() > 5)
}

/// A call that fills a package manager's cache: `dnf` `install`, or `dnf` `module` `install`.
struct Filler<'a> {
    program: &'a str,
    subcommand: &'a Word,
    action: &'a Word,
}

/// The first call of `manager` that fills its cache after the last time the RUN cleaned it:
/// cleaning counts only after the install (`dnf clean all && dnf install -y vim` leaves the
/// cache).
fn uncleaned<'a>(manager: &Manager, scripts: &'a [RunScript<'_>]) -> Option<Filler<'a>> {
    let mut commands: Vec<_> = scripts
        .iter()
        .flat_map(|run| run.script.commands.iter())
        .collect();
    // The RUN line and its heredoc bodies, in source order.
    commands.sort_by_key(|command| command.span.start);
    let mut pending = None;
    for command in commands {
        let view = command.effective();
        let Some(program) = view.program() else {
            continue;
        };
        if program == "rm" {
            let cleans = view
                .args
                .iter()
                .any(|arg| manager.dirs.iter().any(|dir| removes(&arg.value, dir)));
            if cleans {
                pending = None;
            }
            continue;
        }
        if !manager.programs.contains(&program) {
            continue;
        }
        let Some(action) = action(&view) else {
            continue;
        };
        let subcommand = package_subcommand(&view).unwrap_or(action);
        if manager.fills.contains(&action.value.as_str()) {
            pending.get_or_insert(Filler {
                program,
                subcommand,
                action,
            });
        } else if manager.clean.contains(&subcommand.value.as_str()) {
            pending = None;
        }
    }
    pending
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for (_, instruction) in final_image_runs(context.dockerfile) {
        let scripts = run_scripts(context, instruction);
        let mounts = cache_mount_targets(instruction);
        for manager in MANAGERS {
            if manager.dirs.iter().any(|dir| mounts_cover(&mounts, dir)) {
                continue;
            }
            let Some(filler) = uncleaned(manager, &scripts) else {
                continue;
            };
            let what = if manager.fills == ["update"] {
                "package lists"
            } else {
                "package cache"
            };
            let call = if std::ptr::eq(filler.subcommand, filler.action) {
                format!("{} {}", filler.program, filler.action.value)
            } else {
                format!(
                    "{} {} {}",
                    filler.program, filler.subcommand.value, filler.action.value
                )
            };
            out.report(
                filler.action.span,
                format!("`{call}` leaves its {what} in this layer of the image"),
            )
            .with_help(manager.advice);
        }
    }
}
