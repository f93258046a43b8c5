//! DF082 bulky-build-context: `COPY . .` (or a directory or glob) sends a `.git`,
//! `node_modules`, a virtual environment or build output from the build context, with its size.

use std::collections::{BTreeMap, HashSet};

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::build_context::{BuildContext, EntryKind, show_bytes};
use crate::syntax::dockerfile::Command;
use crate::syntax::dockerignore::clean_relative;
use crate::syntax::excerpt::excerpt;

use super::context_support::{ContextSource, context_sources};

pub static BULKY_BUILD_CONTEXT: Rule = Rule {
    code: "DF082",
    name: "bulky-build-context",
    summary: "COPY or ADD sends `.git`, `node_modules`, a virtual environment or build output \
              from the build context",
    target: Target::Dockerfile,
    category: Category::Efficiency,
    severity: Severity::Warning,
    docs: include_str!("bulky_build_context.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// How many bulky directories a message names before it counts the rest.
const NAMED: usize = 3;

/// What the directory `dir` of the context holds when it is one no build needs: version-control
/// history, installed packages, virtual environments, tool caches, build output. Build-output
/// names (`target`, `build`) count only beside the build file that makes them.
fn bulky_kind(context: &BuildContext, dir: &str) -> Option<&'static str> {
    let (parent, name) = match dir.rsplit_once('/') {
        Some((parent, name)) => (Some(parent), name),
        None => (None, dir),
    };
    let beside = |file: &str| {
        let path = parent.map_or_else(|| file.to_string(), |p| format!("{p}/{file}"));
        context.entry(&path).is_some()
    };
    let kind = match name {
        ".git" | ".hg" | ".svn" => "version-control history",
        "node_modules" | "bower_components" => "installed JavaScript packages",
        ".tox" | ".nox" => "Python test environments",
        ".mypy_cache" => "the mypy cache",
        ".terraform" => "Terraform providers and modules",
        "target" if beside("Cargo.toml") => "Cargo build output",
        "target" if beside("pom.xml") => "Maven build output",
        "target" if beside("build.sbt") => "sbt build output",
        "build" | ".gradle"
            if beside("build.gradle")
                || beside("build.gradle.kts")
                || beside("settings.gradle")
                || beside("settings.gradle.kts") =>
        {
            if name == "build" {
                "Gradle build output"
            } else {
                "Gradle caches"
            }
        }
        // `python -m venv` writes `pyvenv.cfg` at the top of every virtual environment.
        _ if context.entry(&format!("{dir}/pyvenv.cfg")).is_some() => {
            "a Python virtual environment"
        }
        _ => return None,
    };
    Some(kind)
}

/// Subcommands of `git` that read the repository the build runs in: a Dockerfile that runs one
/// needs the `.git` it copies.
const LOCAL_GIT: &[&str] = &[
    "describe",
    "rev-parse",
    "rev-list",
    "log",
    "show",
    "status",
    "diff",
    "ls-files",
    "branch",
    "tag",
    "submodule",
    "symbolic-ref",
    "name-rev",
    "checkout",
    "reset",
    "stash",
    "blame",
    "archive",
    "fetch",
    "pull",
];

/// Whether a RUN of the Dockerfile runs git on the repository (`git describe --tags`, also
/// inside `$(…)`): then `.git` is needed.
fn reads_git_repository(context: &DockerfileContext<'_>) -> bool {
    context.dockerfile.instructions.iter().any(|instruction| {
        let instruction = instruction.trigger_or_self();
        let Command::Run(_) = &instruction.command else {
            return false;
        };
        let text = context.source.slice(instruction.span);
        // Most RUNs never name git: no words to split then.
        if memchr::memmem::find(text.as_bytes(), b"git").is_none() {
            return false;
        }
        let words: Vec<&str> = text
            .split(|c: char| {
                c.is_whitespace() || matches!(c, '(' | ')' | ';' | '&' | '|' | '`' | '"' | ',')
            })
            .filter(|w| !w.is_empty())
            .collect();
        words
            .windows(2)
            .any(|pair| pair[0].rsplit('/').next() == Some("git") && LOCAL_GIT.contains(&pair[1]))
            || words.windows(4).any(|w| {
                w[0].rsplit('/').next() == Some("git") && w[1] == "-C" && LOCAL_GIT.contains(&w[3])
            })
    })
}

/// One bulky directory a COPY sends: what it is, and the bytes and files sent from it.
struct Bulky {
    kind: &'static str,
    bytes: u64,
    files: usize,
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let Some(build) = context.build_context() else {
        return;
    };
    // Most contexts hold nothing bulky: then nothing else needs looking at.
    let bulky = outermost_bulky_dirs(&build);
    if bulky.is_empty() {
        return;
    }
    let sources = context_sources(context.dockerfile);
    // A bulky directory some source names (or names something inside) is wanted:
    // `COPY target/app.jar …`, `COPY node_modules ./node_modules`.
    // Every path a source names, and every directory on the way to one.
    let mut named: HashSet<String> = HashSet::new();
    for source in sources.iter().filter(|s| !s.is_root()) {
        let path = clean_relative(&source.source.value);
        for (i, _) in path.match_indices('/') {
            named.insert(path[..i].to_string());
        }
        named.insert(path);
    }
    let reads_git = reads_git_repository(context);
    let wanted =
        |dir: &str| named.contains(dir) || (reads_git && dir.rsplit('/').next() == Some(".git"));
    let mut reported: HashSet<String> = HashSet::new();
    for copy in &sources {
        let Some(found) = bulky_sent(&build, copy, &bulky) else {
            continue;
        };
        let (found, total) = found;
        let fresh: BTreeMap<&String, &Bulky> = found
            .iter()
            .filter(|(dir, _)| !reported.contains(*dir) && !wanted(dir))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        reported.extend(fresh.keys().map(|dir| (*dir).clone()));
        // Largest first: the message names what matters.
        let mut largest: Vec<(&String, &Bulky)> = fresh.into_iter().collect();
        largest.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(a.0.cmp(b.0)));
        let at_least = if build.truncated.is_some() {
            "at least "
        } else {
            ""
        };
        let named: Vec<String> = largest
            .iter()
            .take(NAMED)
            .map(|(dir, bulky)| {
                format!(
                    "`{}` ({}, {at_least}{} in {} file{})",
                    excerpt(dir),
                    bulky.kind,
                    show_bytes(bulky.bytes),
                    thousands(bulky.files),
                    if bulky.files == 1 { "" } else { "s" },
                )
            })
            .collect();
        let more = largest.len().saturating_sub(NAMED);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let bulk: u64 = largest.iter().map(|(_, bulky)| bulky.bytes).sum();
        let lines: Vec<String> = largest
            .iter()
            .take(NAMED + 2)
            .map(|(dir, _)| format!("`/{}`", excerpt(dir)))
            .collect();
        out.report(
            copy.source.span,
            format!(
                "{} `{}` sends {}{more} from the build context: {at_least}{} of the {} it copies",
                copy.keyword,
                excerpt(&copy.source.value),
                named.join(", "),
                show_bytes(bulk),
                show_bytes(total),
            ),
        )
        .with_help(format!(
            "no build step needs {}: add {} to {}{} so the builder never receives {} (the \
             upload, the layer and its cache key all shrink)",
            if largest.len() == 1 { "it" } else { "them" },
            lines.join(", "),
            build.ignore_name(),
            if largest.len() > lines.len() {
                " (and the rest)"
            } else {
                ""
            },
            if largest.len() == 1 { "it" } else { "them" },
        ));
    }
}

/// The bulky directories of the context that lie in no other bulky directory, each with what
/// it holds. Files are attributed to these: a directory is judged once, not once per file
/// under it, and a context without one (most) costs one pass over its directories.
fn outermost_bulky_dirs(build: &BuildContext) -> Vec<(&str, &'static str)> {
    let mut found: Vec<(&str, &'static str)> = Vec::new();
    for entry in build.entries.iter().filter(|e| e.kind == EntryKind::Dir) {
        let dir = entry.path.as_str();
        if found.iter().any(|(outer, _)| is_under(dir, outer)) {
            continue;
        }
        if let Some(kind) = bulky_kind(build, dir) {
            found.push((dir, kind));
        }
    }
    found
}

/// Whether `path` lies strictly under directory `dir` (relative, `/`-separated).
fn is_under(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

/// The bulky directories a source copies (the outermost, by path) with what each sends, and
/// the bytes the source copies in all; `None` when it copies no bulky directory or what it
/// copies is unknown.
fn bulky_sent(
    build: &BuildContext,
    copy: &ContextSource<'_>,
    bulky: &[(&str, &'static str)],
) -> Option<(BTreeMap<String, Bulky>, u64)> {
    if !copy.excludes_known {
        return None;
    }
    let files = build.copied_files(&copy.source.value, &copy.flags)?;
    let mut found: BTreeMap<String, Bulky> = BTreeMap::new();
    for file in &files {
        if file.kind == EntryKind::Dir {
            continue;
        }
        if let Some((dir, kind)) = bulky.iter().find(|(dir, _)| is_under(&file.path, dir)) {
            let bulky = found.entry((*dir).to_string()).or_insert(Bulky {
                kind,
                bytes: 0,
                files: 0,
            });
            bulky.bytes += build.size(file);
            bulky.files += 1;
        }
    }
    if found.is_empty() {
        return None;
    }
    // Sizes are read when first asked: only for a source that sends something bulky.
    let total = files.iter().map(|file| build.size(file)).sum();
    Some((found, total))
}

#[cfg(test)]
mod tests {
    use super::{is_under, thousands};

    #[test]
    fn under_means_inside_the_directory() {
        assert!(is_under("node_modules/a.js", "node_modules"));
        assert!(is_under("a/node_modules/b/c", "a/node_modules"));
        assert!(!is_under("node_modules", "node_modules"));
        assert!(!is_under("node_modules-x/a.js", "node_modules"));
        assert!(!is_under("node_module", "node_modules"));
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
