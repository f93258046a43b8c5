//! DF061 package-cache-not-cleaned: a RUN that downloads package lists or packages (apt, yum,
//! dnf, microdnf, zypper) leaves them in the image layer.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::shell::Word;

use super::build_support::{
    RunScript, cache_mount_targets, final_image_runs, mounts_cover, package_subcommand,
    removes_under, run_scripts,
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

const MANAGERS: &[Manager] = &[
    Manager {
        programs: &["apt-get", "apt"],
        fills: &["update"],
        dirs: &["/var/lib/apt/lists", "/var/cache/apt"],
        // apt 2.7+: `apt-get dist-clean` removes the lists too.
        clean: &["dist-clean"],
        advice: "end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache: `RUN --mount=type=cache,target=/var/lib/apt/lists …`",
    },
    Manager {
        programs: &["yum"],
        fills: &[
            "install",
            "update",
            "upgrade",
            "groupinstall",
            "localinstall",
            "reinstall",
        ],
        dirs: &["/var/cache/yum"],
        clean: &["clean"],
        advice: "end the RUN with `&& yum clean all`, or mount a cache on /var/cache/yum",
    },
    Manager {
        programs: &["dnf"],
        fills: &[
            "install",
            "update",
            "upgrade",
            "groupinstall",
            "reinstall",
            "distro-sync",
        ],
        dirs: &["/var/cache/dnf", "/var/cache/libdnf5"],
        clean: &["clean"],
        advice: "end the RUN with `&& dnf clean all`, or mount a cache on /var/cache/dnf",
    },
    Manager {
        programs: &["microdnf"],
        fills: &["install", "update", "upgrade", "reinstall"],
        dirs: &["/var/cache/yum", "/var/cache/dnf"],
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
        ],
        dirs: &["/var/cache/zypp"],
        clean: &["clean", "cc"],
        advice: "end the RUN with `&& zypper clean --all`, or mount a cache on /var/cache/zypp",
    },
];

/// The first call of `manager` that fills its cache, if the RUN does not clean it.
fn uncleaned<'a>(manager: &Manager, scripts: &'a [RunScript<'_>]) -> Option<&'a Word> {
    let mut filler = None;
    let mut cleaned = false;
    for run in scripts {
        for command in &run.script.commands {
            let view = command.effective();
            let Some(program) = view.program() else {
                continue;
            };
            if !manager.programs.contains(&program) {
                continue;
            }
            let Some(subcommand) = package_subcommand(&view) else {
                continue;
            };
            if manager.fills.contains(&subcommand.value.as_str()) {
                filler.get_or_insert(subcommand);
            }
            if manager.clean.contains(&subcommand.value.as_str()) {
                cleaned = true;
            }
        }
    }
    if cleaned || manager.dirs.iter().any(|dir| removes_under(scripts, dir)) {
        return None;
    }
    filler
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for (_, instruction) in final_image_runs(context.dockerfile) {
        let scripts = run_scripts(context, instruction);
        let mounts = cache_mount_targets(instruction);
        for manager in MANAGERS {
            if manager.dirs.iter().any(|dir| mounts_cover(&mounts, dir)) {
                continue;
            }
            let Some(word) = uncleaned(manager, &scripts) else {
                continue;
            };
            let program = manager.programs.first().copied().unwrap_or("");
            let what = if program == "apt-get" {
                "package lists"
            } else {
                "package cache"
            };
            out.report(
                word.span,
                format!(
                    "`{program} {}` leaves its {what} in this layer of the image",
                    word.value
                ),
            )
            .with_help(manager.advice);
        }
    }
}
