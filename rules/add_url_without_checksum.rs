//! DF022 add-url-without-checksum: `ADD https://…` without `--checksum`, or `ADD` of a git
//! repository at a branch or tag instead of a commit.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;

pub static ADD_URL_WITHOUT_CHECKSUM: Rule = Rule {
    code: "DF022",
    name: "add-url-without-checksum",
    summary: "`ADD <url>` downloads without `--checksum`, or adds a git repository without a \
              commit",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "kics:4b410d24",
        "checkov:CKV_DOCKER_4",
        "semgrep:prefer-copy-over-add",
        "nist-800-190:3.1.5",
        "cwe:494",
    ],
    docs: include_str!("add_url_without_checksum.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// What kind of remote source an ADD source is.
enum Remote<'a> {
    /// A file downloaded over HTTP(S).
    Http,
    /// A git repository, with the ref after `#` (without a `:subdir`), if any.
    Git(Option<&'a str>),
}

/// How BuildKit reads an ADD source: git when it uses a git scheme or ends in `.git`
/// (optionally followed by `#ref`), HTTP(S) otherwise.
fn remote(source: &str) -> Option<Remote<'_>> {
    let source = source.trim_matches('"');
    let lower = source.to_ascii_lowercase();
    let (location, fragment) = match source.split_once('#') {
        Some((location, fragment)) => (location, Some(fragment)),
        None => (source, None),
    };
    let git_ref = || {
        fragment
            .map(|fragment| fragment.split(':').next().unwrap_or(fragment))
            .filter(|r| !r.is_empty())
    };
    if lower.starts_with("git://")
        || lower.starts_with("git@")
        || lower.starts_with("ssh://")
        || location.to_ascii_lowercase().ends_with(".git")
    {
        return Some(Remote::Git(git_ref()));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(Remote::Http);
    }
    None
}

/// A full commit id (SHA-1 or SHA-256).
fn is_commit(git_ref: &str) -> bool {
    matches!(git_ref.len(), 40 | 64) && git_ref.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let Command::Add(add) = &instruction.command else {
            continue;
        };
        if instruction.flag("checksum").is_some() {
            continue;
        }
        for source in &add.sources {
            let path = add.path(source);
            match remote(path) {
                Some(Remote::Http) => {
                    out.report(
                        source.span,
                        format!(
                            "`ADD` downloads `{}` without `--checksum`, so any content is accepted",
                            path
                        ),
                    )
                    .with_help(
                        "add `--checksum=sha256:<digest>` (Dockerfile syntax 1.6 or later), or \
                         download with `curl` and check the digest with `sha256sum -c`",
                    );
                }
                // A ref from a variable is unknown here.
                Some(Remote::Git(Some(git_ref))) if git_ref.contains('$') => {}
                Some(Remote::Git(git_ref)) if !git_ref.is_some_and(is_commit) => {
                    let message = match git_ref {
                        None => {
                            format!("`ADD` clones `{}` at its default branch, which moves", path)
                        }
                        Some(git_ref) => format!(
                            "`ADD` clones `{}` at `{git_ref}`, a branch or tag that can move",
                            path
                        ),
                    };
                    out.report(source.span, message).with_help(
                        "pin the commit: `ADD https://github.com/org/repo.git#<40-hex commit> /src`, \
                         or add `--checksum=<commit>`",
                    );
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes() {
        assert!(matches!(remote("https://x/a.tgz"), Some(Remote::Http)));
        assert!(matches!(
            remote("https://github.com/o/r.git#v1.0:sub"),
            Some(Remote::Git(Some("v1.0")))
        ));
        assert!(matches!(
            remote("git@github.com:o/r.git"),
            Some(Remote::Git(None))
        ));
        assert!(remote("./local.tar.gz").is_none());
        assert!(remote("${URL}").is_none());
        assert!(is_commit("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_commit("v1.2.3"));
    }
}
