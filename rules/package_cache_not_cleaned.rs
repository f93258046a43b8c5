//! DF061 package-cache-not-cleaned: a RUN that downloads package lists or packages (apt, yum,
//! dnf, microdnf, zypper) leaves them in the image layer.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::Shells;
use crate::syntax::dockerfile::Instruction;
use crate::syntax::dockerfile::shell::{CommandView, SimpleCommand, Word};

use super::build_support::{
    RunScript, append_command, cache_mount_targets, final_image_runs, mounts_cover,
    package_subcommand, run_scripts, runs_as_other_user,
};

pub static PACKAGE_CACHE_NOT_CLEANED: Rule = Rule {
    code: "DF061",
    name: "package-cache-not-cleaned",
    summary: "A RUN leaves the package manager's lists or cache in the image layer",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
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
    /// The command the fix ends the RUN with; `{}` stands for the program as the RUN calls it
    /// (`dnf5 clean all`).
    cleanup: &'static str,
    /// Removing the cache keeps the manager working (it fetches what it needs again); apt's
    /// lists are the exception: `apt-get install` without `apt-get update` fails without them.
    refetches: bool,
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
        cleanup: "rm -rf /var/lib/apt/lists/*",
        refetches: false,
        advice: "end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache: `RUN --mount=type=cache,target=/var/lib/apt/lists …`",
    },
    Manager {
        programs: &["yum"],
        fills: DNF_FILLS,
        dirs: &["/var/cache/yum"],
        clean: &["clean"],
        cleanup: "{} clean all",
        refetches: true,
        advice: "end the RUN with `&& yum clean all`, or mount a cache on /var/cache/yum",
    },
    Manager {
        programs: &["dnf", "dnf5", "dnf4"],
        fills: DNF_FILLS,
        dirs: &["/var/cache/dnf", "/var/cache/libdnf5"],
        clean: &["clean"],
        cleanup: "{} clean all",
        refetches: true,
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
        cleanup: "{} clean all",
        refetches: true,
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
        cleanup: "{} clean --all",
        refetches: true,
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
    command: &'a SimpleCommand,
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
                command,
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
    let runs = final_image_runs(context.dockerfile);
    let shells = std::cell::OnceCell::new();
    let last_uses = std::cell::OnceCell::new();
    for (position, &(_, instruction)) in runs.iter().enumerate() {
        let scripts = run_scripts(context, instruction);
        let mounts = cache_mount_targets(instruction);
        for (manager_index, manager) in MANAGERS.iter().enumerate() {
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
            let finding = out
                .report(
                    filler.action.span,
                    format!("`{call}` leaves its {what} in this layer of the image"),
                )
                .with_help(manager.advice);
            // Cleaning as another user than the one `sudo` switched to would fail.
            if runs_as_other_user(filler.command) {
                continue;
            }
            let cleanup = manager.cleanup.replace("{}", filler.program);
            let shells = shells.get_or_init(|| Shells::new(context.dockerfile));
            let Some(edit) =
                append_command(context, shells, instruction, filler.action.span, &cleanup)
            else {
                continue;
            };
            // apt's lists are gone for every later RUN (and for a child image's, after an
            // ONBUILD): one that installs without an `apt-get update` of its own would fail.
            let last_use = last_uses.get_or_init(|| last_uses_of(context, &runs));
            let used_later = last_use[manager_index].is_some_and(|last| last > position);
            let applicability =
                if manager.refetches || !(used_later || is_trigger(context, instruction)) {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                };
            finding.with_fix(Fix {
                message: format!("end the RUN with `{cleanup}`"),
                applicability,
                edits: vec![edit],
            });
        }
    }
}

/// Per manager, the position in `runs` of the last RUN that calls it.
fn last_uses_of(
    context: &DockerfileContext<'_>,
    runs: &[(&crate::syntax::dockerfile::Stage, &Instruction)],
) -> Vec<Option<usize>> {
    let mut last = vec![None; MANAGERS.len()];
    for (position, &(_, instruction)) in runs.iter().enumerate() {
        for run in run_scripts(context, instruction) {
            for command in &run.script.commands {
                let Some(program) = command.effective().program() else {
                    continue;
                };
                for (index, manager) in MANAGERS.iter().enumerate() {
                    if manager.programs.contains(&program) {
                        last[index] = Some(position);
                    }
                }
            }
        }
    }
    last
}

/// Whether `instruction` is the RUN of an `ONBUILD`.
fn is_trigger(context: &DockerfileContext<'_>, instruction: &Instruction) -> bool {
    context
        .instruction_index(instruction)
        .and_then(|index| context.dockerfile.instructions.get(index))
        .is_some_and(|top| !std::ptr::eq(top, instruction))
}
