//! What a change touched, for `plimsoll check --diff-base REF`: the lines added or changed since
//! the merge base of REF and the working tree (`git diff --unified=0`, committed, staged and
//! unstaged changes alike), and the files the change added that git does not track yet.
//! Findings elsewhere are older than the change and are left out (reviewdog's
//! `filter-mode: added`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::linter::diagnostic::Finding;
use crate::syntax::source::{FileKind, SourceFile};

/// The lines a change touched, by absolute file path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// 1-based inclusive line ranges per file; a file the change added whole is one range
    /// covering everything.
    pub lines: HashMap<PathBuf, Vec<(usize, usize)>>,
}

/// Run `git` in `dir` with `args`; its standard output, or why it failed.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_EXTERNAL_DIFF")
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(message.lines().next().unwrap_or("git failed").to_string());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

impl Changes {
    /// The changes since the merge base of `base` and `HEAD`, in the repository holding `dir`,
    /// working tree included. An error (for a usage error, exit 2) outside a repository or
    /// when `base` names no commit.
    pub fn since(dir: &Path, base: &str) -> Result<Changes, String> {
        let root = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            "--diff-base needs a git repository, and this is not in one".to_string()
        })?;
        let root = PathBuf::from(root.trim());
        let commit = format!("{base}^{{commit}}");
        git(&root, &["rev-parse", "--verify", "--quiet", &commit])
            .map_err(|_| format!("--diff-base: `{base}` names no commit here (fetch it first?)"))?;
        let merge_base = git(&root, &["merge-base", base, "HEAD"])
            .map_err(|err| format!("--diff-base: no merge base of `{base}` and HEAD: {err}"))?;
        let diff = git(
            &root,
            &[
                "diff",
                "--unified=0",
                "--no-color",
                "--no-ext-diff",
                "--find-renames",
                "--diff-filter=AMR",
                merge_base.trim(),
            ],
        )?;
        let mut changes = Changes::parse_diff(&root, &diff);
        let untracked = git(&root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        for path in untracked.split('\0').filter(|p| !p.is_empty()) {
            changes.lines.insert(root.join(path), vec![(1, usize::MAX)]);
        }
        Ok(changes)
    }

    /// The added and changed lines of a `git diff --unified=0` whose paths are relative to
    /// `root`. A hunk that only deletes lines touches the lines before and after the gap (a
    /// service that loses its last key changed).
    pub fn parse_diff(root: &Path, diff: &str) -> Changes {
        let mut changes = Changes::default();
        let mut current: Option<PathBuf> = None;
        for line in diff.lines() {
            if let Some(path) = line.strip_prefix("+++ ") {
                current = path
                    .strip_prefix("b/")
                    .map(|p| root.join(unquote(p)))
                    .filter(|_| path != "/dev/null");
                continue;
            }
            let (Some(file), Some(hunk)) = (&current, line.strip_prefix("@@ ")) else {
                continue;
            };
            let Some(new) = hunk.split(' ').find_map(|part| part.strip_prefix('+')) else {
                continue;
            };
            let (start, count) = match new.split_once(',') {
                Some((start, count)) => (start.parse().unwrap_or(0), count.parse().unwrap_or(0)),
                None => (new.parse().unwrap_or(0), 1),
            };
            let range = if count == 0 {
                // Lines only deleted: the lines on both sides of the gap were "touched".
                (start.max(1), start + 1)
            } else {
                (start.max(1), start.max(1) + count - 1)
            };
            changes.lines.entry(file.clone()).or_default().push(range);
        }
        changes
    }

    /// Whether the change touched any line from `first` to `last` of `file` (absolute).
    fn touches(&self, file: &Path, first: usize, last: usize) -> bool {
        self.lines.get(file).is_some_and(|ranges| {
            ranges
                .iter()
                .any(|&(start, end)| start <= last && first <= end)
        })
    }

    /// Whether `finding` of `source` (at `absolute`) is on lines the change touched: its span,
    /// or in a compose file the block its line opens (a service's key counts when any line of
    /// the service changed: "missing" findings sit there).
    pub fn covers(&self, absolute: &Path, source: &SourceFile, finding: &Finding) -> bool {
        if !self.lines.contains_key(absolute) {
            return false;
        }
        let first = source.position(finding.span.start).line;
        let mut last = source.position(finding.span.end).line.max(first);
        if source.kind == FileKind::Compose {
            last = last.max(block_end(&source.text, first));
        }
        self.touches(absolute, first, last)
    }

    /// [`Self::covers`], and for a finding on a compose service's key (what it lacks: no
    /// limit, no user) whether the change touched that service's definition in another file
    /// of its project (`others`, absolute; `text_of` gives their text): an override that
    /// drops a setting makes the base's service report it.
    pub fn covers_in_project(
        &self,
        absolute: &Path,
        source: &SourceFile,
        finding: &Finding,
        others: &[PathBuf],
        text_of: &dyn Fn(&Path) -> Option<String>,
    ) -> bool {
        if self.covers(absolute, source, finding) {
            return true;
        }
        if source.kind != FileKind::Compose {
            return false;
        }
        let line = source.position(finding.span.start).line;
        let Some(service) = service_key_at(&source.text, line) else {
            return false;
        };
        others
            .iter()
            .filter(|other| other.as_path() != absolute && self.lines.contains_key(*other))
            .any(|other| {
                text_of(other)
                    .and_then(|text| service_block(&text, service))
                    .is_some_and(|(first, last)| self.touches(other, first, last))
            })
    }
}

/// The key of a line of YAML text (`  web:` → `web`), unquoted; `None` for other lines.
fn key_of(line: &str) -> Option<&str> {
    let trimmed = line.trim();
    if trimmed.starts_with('#') || trimmed.starts_with('-') {
        return None;
    }
    let (key, _) = trimmed.split_once(':')?;
    let key = key.trim();
    Some(
        key.strip_prefix(['"', '\''])
            .and_then(|k| k.strip_suffix(['"', '\'']))
            .unwrap_or(key),
    )
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

/// The service whose key is line `line` (1-based) of a compose file: a key directly under the
/// top-level `services:`.
fn service_key_at(text: &str, line: usize) -> Option<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let at = *lines.get(line.checked_sub(1)?)?;
    let indent = indent_of(at);
    if indent == 0 {
        return None;
    }
    let key = key_of(at)?;
    let parent = lines[..line - 1]
        .iter()
        .rev()
        .find(|l| is_content(l) && indent_of(l) < indent)?;
    (indent_of(parent) == 0 && key_of(parent) == Some("services")).then_some(key)
}

/// The lines (1-based, inclusive) of service `name`'s block in a compose file's text.
fn service_block(text: &str, name: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let services = lines
        .iter()
        .position(|l| indent_of(l) == 0 && key_of(l) == Some("services"))?;
    let mut child_indent = None;
    for (offset, line) in lines[services + 1..].iter().enumerate() {
        if !is_content(line) {
            continue;
        }
        let indent = indent_of(line);
        if indent == 0 {
            return None;
        }
        let child = *child_indent.get_or_insert(indent);
        if indent == child && key_of(line) == Some(name) {
            let first = services + offset + 2;
            return Some((first, block_end(text, first)));
        }
    }
    None
}

/// The last line of the YAML block that line `first` (1-based) opens: the lines after it that
/// are blank or more indented.
fn block_end(text: &str, first: usize) -> usize {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut lines = text.lines().skip(first.saturating_sub(1));
    let Some(opening) = lines.next() else {
        return first;
    };
    let base = indent(opening);
    let mut last = first;
    for (offset, line) in lines.enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if indent(line) <= base {
            break;
        }
        last = first + offset + 1;
    }
    last
}

/// A path as `git diff` prints it: C-quoted when it holds unusual bytes.
fn unquote(path: &str) -> String {
    match path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_the_new_side_lines() {
        let diff = "diff --git a/Dockerfile b/Dockerfile\n--- a/Dockerfile\n+++ b/Dockerfile\n@@ -2 +2 @@\n-a\n+b\n@@ -5,0 +6,2 @@\n+c\n+d\n@@ -9,2 +10,0 @@\n-e\n-f\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let changes = Changes::parse_diff(Path::new("/r"), diff);
        assert_eq!(
            changes.lines[Path::new("/r/Dockerfile")],
            vec![(2, 2), (6, 7), (10, 11)]
        );
        assert_eq!(changes.lines.len(), 1);
    }

    #[test]
    fn service_keys_and_their_blocks() {
        let text = "version: '3'\nservices:\n  web:\n    image: a\n    environment:\n      db: x\n  \"db\":\n    image: c\nvolumes:\n  web: {}\n";
        assert_eq!(service_key_at(text, 3), Some("web"));
        assert_eq!(service_key_at(text, 7), Some("db"));
        assert_eq!(service_key_at(text, 6), None);
        assert_eq!(service_key_at(text, 10), None);
        assert_eq!(service_block(text, "web"), Some((3, 6)));
        assert_eq!(service_block(text, "db"), Some((7, 8)));
        assert_eq!(service_block(text, "cache"), None);
    }

    #[test]
    fn a_service_key_opens_its_block() {
        let text = "services:\n  web:\n    image: a\n\n    user: b\n  db:\n    image: c\n";
        assert_eq!(block_end(text, 2), 5);
        assert_eq!(block_end(text, 3), 3);
        assert_eq!(block_end(text, 1), 7);
    }
}
