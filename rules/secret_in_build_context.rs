//! DF081 secret-in-build-context: `COPY . .` (or a directory or glob) sends key, credential or
//! dotenv files, or a `.git` directory, from the build context into the image.

use std::collections::{BTreeMap, HashMap};

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::build_context::{BuildContext, Entry, EntryKind, Resolved};
use crate::semantic::reaches_image;
use crate::semantic::secrets::secret_file_kind;
use crate::syntax::dockerignore::{clean_relative, has_wildcard};
use crate::syntax::excerpt::excerpt;

use super::context_support::{ContextSource, context_sources};

pub static SECRET_IN_BUILD_CONTEXT: Rule = Rule {
    code: "DF081",
    name: "secret-in-build-context",
    summary: "COPY or ADD of a directory or glob sends key, credential or dotenv files (or `.git`) \
              from the build context into the image",
    target: Target::Dockerfile,
    category: Category::Secrets,
    severity: Severity::Warning,
    related: &["cis:4.10", "nist-800-190:3.1.4", "cwe:538"],
    docs: include_str!("secret_in_build_context.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// How many secret-looking paths a message names before it counts the rest.
const NAMED: usize = 3;

/// What a directory of the context is when it is secret-looking (`.ssh`, `.aws`, `.git`).
fn secret_dir(dir: &str) -> Option<&'static str> {
    if dir.rsplit('/').next() == Some(".git") {
        return Some("a git repository (history, remotes, maybe credentials)");
    }
    secret_file_kind(&format!("{dir}/"))
}

/// The secret-looking item a sent file belongs to: the first directory on its path that is one
/// (`.ssh`, `.aws`, `.git`), else the file itself, with what it is. `dirs` remembers each
/// directory's answer: a context's files share their directories.
fn secret_item<'p>(
    path: &'p str,
    dirs: &mut HashMap<&'p str, Option<&'static str>>,
) -> Option<(&'p str, &'static str)> {
    for (i, _) in path.match_indices('/') {
        let dir = &path[..i];
        let kind = *dirs.entry(dir).or_insert_with(|| secret_dir(dir));
        if let Some(kind) = kind {
            return Some((dir, kind));
        }
    }
    secret_file_kind(path).map(|kind| (path, kind))
}

/// The files a source copies, when it is the whole context, a directory or a glob, less what
/// its `--exclude` patterns leave out; `None` for a single file (secret-file-copied judges its
/// name), a source not in the context, or excludes that cannot be known.
fn sent_by<'c>(context: &'c BuildContext, copy: &ContextSource<'_>) -> Option<Vec<&'c Entry>> {
    if !copy.excludes_known {
        return None;
    }
    let source = copy.source.value.as_str();
    if let Resolved::Found(entries) = copy.resolve(context) {
        let glob = has_wildcard(&clean_relative(source));
        if !glob && entries.iter().all(|e| e.kind != EntryKind::Dir) {
            return None;
        }
    }
    context.copied_files(source, &copy.flags)
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let Some(build) = context.build_context() else {
        return;
    };
    let reaches = reaches_image(context.dockerfile);
    for copy in context_sources(context.dockerfile) {
        let in_image = copy
            .instruction
            .stage
            .is_some_and(|stage| reaches.get(stage).copied().unwrap_or(false));
        if !in_image {
            continue;
        }
        let Some(files) = sent_by(&build, &copy) else {
            continue;
        };
        let mut items: BTreeMap<&str, &'static str> = BTreeMap::new();
        let mut dirs = HashMap::new();
        for file in files {
            if let Some((item, kind)) = secret_item(&file.path, &mut dirs) {
                items.entry(item).or_insert(kind);
            }
        }
        if items.is_empty() {
            continue;
        }
        let named: Vec<String> = items
            .iter()
            .take(NAMED)
            .map(|(path, kind)| format!("`{}` ({kind})", excerpt(path)))
            .collect();
        let more = items.len().saturating_sub(NAMED);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let lines: Vec<String> = items
            .keys()
            .take(NAMED + 2)
            .map(|p| format!("/{p}"))
            .collect();
        out.report(
            copy.source.span,
            format!(
                "{} `{}` sends {} secret-looking path{} of the build context into the image: {}{more}",
                copy.keyword,
                excerpt(&copy.source.value),
                items.len(),
                if items.len() == 1 { "" } else { "s" },
                named.join(", "),
            ),
        )
        .with_help(format!(
            "keep them out of the build context: add {} to {}{}; a step that needs a secret \
             should mount it (`RUN --mount=type=secret,id=…`)",
            lines
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", "),
            build.ignore_name(),
            if items.len() > lines.len() {
                " (and the rest)"
            } else {
                ""
            }
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::secret_item;

    #[test]
    fn items_are_the_outermost_secret_path() {
        let item = |path| secret_item(path, &mut HashMap::new()).map(|(item, _)| item);
        assert_eq!(item(".git/config"), Some(".git"));
        assert_eq!(item("sub/.git/HEAD"), Some("sub/.git"));
        assert_eq!(item("home/.ssh/known_hosts"), Some("home/.ssh"));
        assert_eq!(item("config/.env"), Some("config/.env"));
        assert_eq!(item(".aws/credentials"), Some(".aws"));
        assert_eq!(item("src/main.go"), None);
        assert_eq!(item(".gitignore"), None);
        assert_eq!(item("x/.github/workflows/ci.yml"), None);
    }
}
