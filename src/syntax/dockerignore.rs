//! `.dockerignore` files: which paths of a build context are not sent to the builder.
//!
//! The semantics are Docker's, as moby/patternmatcher implements them for BuildKit:
//! - a line starting with `#` is a comment; blank lines are skipped; a UTF-8 byte-order mark on
//!   the first line is dropped; other lines are trimmed of surrounding white space;
//! - `!` makes the line an exception (it re-includes what earlier lines excluded);
//! - the pattern is cleaned like Go's `filepath.Clean` (`./a//b/` → `a/b`, `a/../b` → `b`), and
//!   a leading `/` is dropped: patterns are relative to the context root;
//! - a pattern is Go's `filepath.Match` syntax (`*` and `?` never cross `/`, `[a-z]`, `[^a]`,
//!   `\` escapes) plus `**`, any number of directories (`**/x`, `a/**`, `a/**/b`);
//! - a path is excluded when the last pattern that matches it, or matches one of its parent
//!   directories, is not an exception (`MatchesOrParentMatches`): excluding `dir` excludes
//!   everything under it unless a later exception names something inside.
//!
//! Nothing here reads files; the workspace layer reads the file and walks the context.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

/// One pattern line of a `.dockerignore`.
#[derive(Clone, Debug)]
pub struct IgnorePattern {
    /// The 1-based line number in the file.
    pub line: usize,
    /// The line as written, trimmed.
    pub text: String,
    /// `true` for an exception (`!pattern`).
    pub exclusion: bool,
    /// The cleaned pattern, without `!`.
    pub cleaned: String,
    glob: Glob,
}

impl IgnorePattern {
    /// Whether this pattern, alone, matches `path` (a cleaned, `/`-separated relative path).
    pub fn matches(&self, path: &str) -> bool {
        self.glob.is_match(path)
    }

    /// Whether the pattern has no wildcard: it names one path.
    fn is_literal(&self) -> bool {
        !self
            .cleaned
            .chars()
            .any(|c| matches!(c, '*' | '?' | '[' | '\\'))
    }
}

/// A parsed `.dockerignore`: its patterns in order, and the lines Docker would refuse.
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    pub patterns: Vec<IgnorePattern>,
    /// `(line, message)` for each pattern that is not valid (Docker fails the build on it);
    /// such a line is left out of `patterns`.
    pub errors: Vec<(usize, String)>,
}

impl DockerIgnore {
    /// Parse the text of a `.dockerignore` file.
    pub fn parse(text: &str) -> Self {
        let mut ignore = DockerIgnore::default();
        for (index, raw) in text.split('\n').enumerate() {
            let line = index + 1;
            let mut raw = raw.strip_suffix('\r').unwrap_or(raw);
            if index == 0 {
                raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
            }
            // Comments are recognised before trimming: ` # x` is a pattern.
            if raw.starts_with('#') {
                continue;
            }
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let (exclusion, body) = match trimmed.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, trimmed),
            };
            if body.is_empty() {
                ignore
                    .errors
                    .push((line, "illegal exclusion pattern: \"!\"".to_string()));
                continue;
            }
            let mut cleaned = clean(body);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            match Glob::new(&cleaned, true) {
                Some(glob) => ignore.patterns.push(IgnorePattern {
                    line,
                    text: trimmed.to_string(),
                    exclusion,
                    cleaned,
                    glob,
                }),
                None => ignore
                    .errors
                    .push((line, format!("syntax error in pattern `{body}`"))),
            }
        }
        ignore
    }

    /// The patterns from a list of lines already split (no comments), for tests and tools.
    pub fn from_patterns<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        let text: Vec<&str> = patterns.into_iter().collect();
        Self::parse(&text.join("\n"))
    }

    /// The patterns of a COPY or ADD's `--exclude` flags, read as BuildKit reads them
    /// (`patternmatcher.New`): each is trimmed and cleaned like Go's `filepath.Clean` (a
    /// leading `/` stays, so `/x` matches nothing in a relative path), then a leading `!` makes
    /// it an exception; `#` is not a comment here. The first pattern BuildKit would refuse is
    /// the error (the build fails with "invalid excludepatterns").
    pub fn from_copy_excludes<'a>(
        patterns: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, String> {
        let mut ignore = DockerIgnore::default();
        for (index, raw) in patterns.into_iter().enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let cleaned = clean(trimmed);
            let (exclusion, body) = match cleaned.strip_prefix('!') {
                Some("") => return Err("illegal exclusion pattern: \"!\"".to_string()),
                Some(rest) => (true, rest.to_string()),
                None => (false, cleaned.clone()),
            };
            let Some(glob) = Glob::new(&body, true) else {
                return Err(format!("syntax error in pattern `{body}`"));
            };
            ignore.patterns.push(IgnorePattern {
                line: index + 1,
                text: trimmed.to_string(),
                exclusion,
                cleaned: body,
                glob,
            });
        }
        Ok(ignore)
    }

    /// Whether any pattern is an exception (`!…`).
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// The pattern that excludes `path` (a relative `/`-separated path; cleaned here), or
    /// `None` when `path` is sent: Docker's `MatchesOrParentMatches`, returning which line won.
    pub fn excluded_by(&self, path: &str) -> Option<&IgnorePattern> {
        let path = clean_relative(path);
        let parents = parent_dirs(&path);
        let state = Matches::default();
        let decided = self.decide(&path, &parents, &state, false);
        decided.excluded.map(|i| &self.patterns[i])
    }

    /// The match state of `path` given its parent directory's state (`parent`, the state of
    /// the context root for a top-level entry): which patterns match the path or one of its
    /// parents, and which pattern, if any, excludes it. Walking a tree with this evaluates each
    /// pattern once per entry instead of once per parent directory.
    pub fn matches_under(&self, path: &str, parent: &Matches) -> Matches {
        self.decide(path, &[], parent, true)
    }

    fn decide(&self, path: &str, parents: &[&str], parent: &Matches, full: bool) -> Matches {
        let mut matched_by: Vec<bool> = Vec::with_capacity(self.patterns.len());
        let mut excluded = None;
        for (index, pattern) in self.patterns.iter().enumerate() {
            let inherited = parent.matched_by.get(index).copied().unwrap_or(false);
            // patternmatcher skips an inclusion once excluded and an exception while included;
            // the per-pattern state is still computed when the children need it.
            let relevant = pattern.exclusion == excluded.is_some();
            let matched = if relevant || full {
                inherited
                    || pattern.matches(path)
                    || parents.iter().any(|parent| pattern.matches(parent))
            } else {
                false
            };
            matched_by.push(matched);
            if relevant && matched {
                excluded = if pattern.exclusion { None } else { Some(index) };
            }
        }
        Matches {
            matched_by,
            excluded,
        }
    }

    /// Whether a directory `dir` that is excluded may still hold sent paths: some exception
    /// has a wildcard (it could match anywhere), or names a path inside `dir`. When `false`
    /// the directory need not be walked (BuildKit's fsutil skips it too).
    pub fn may_reinclude_under(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.patterns.iter().filter(|p| p.exclusion).any(|p| {
            let pattern = p.cleaned.strip_suffix("/**").unwrap_or(&p.cleaned);
            !p.is_literal() || format!("{pattern}/").starts_with(&prefix)
        })
    }
}

/// Which patterns match a path or one of its parents, and which pattern excludes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matches {
    matched_by: Vec<bool>,
    /// The index of the pattern that excludes the path, `None` when it is sent.
    pub excluded: Option<usize>,
}

/// The parent directories of `path`, shortest first: `a/b/c` → `a`, `a/b`.
fn parent_dirs(path: &str) -> Vec<&str> {
    path.match_indices('/').map(|(i, _)| &path[..i]).collect()
}

/// A relative path as Docker compares it: cleaned, without a leading `/`.
pub fn clean_relative(path: &str) -> String {
    let cleaned = clean(path);
    match cleaned.strip_prefix('/') {
        Some("") => ".".to_string(),
        Some(rest) => rest.to_string(),
        None => cleaned,
    }
}

/// Go's `path.Clean`: one `/` between names, no `.` names, `..` applied to the name before it
/// (kept at the start of a relative path, dropped at the root), no trailing `/`; `""` → `.`.
pub fn clean(path: &str) -> String {
    // Most paths are clean already, or but for a trailing `/` (`COPY src/ …`): every name
    // after an optional leading `/` is a plain one. (A loop over the bytes: splitting
    // searches for each `/` with a call of its own.)
    if path == "." {
        return path.to_string();
    }
    let kept = path.strip_suffix('/').unwrap_or(path);
    let names = kept.strip_prefix('/').unwrap_or(kept).as_bytes();
    let mut start = 0;
    for at in 0..=names.len() {
        if at == names.len() || names[at] == b'/' {
            if matches!(&names[start..at], b"" | b"." | b"..") {
                return clean_names(path);
            }
            start = at + 1;
        }
    }
    kept.to_string()
}

/// [`clean`], name by name.
fn clean_names(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// A compiled pattern of a `.dockerignore` line, an `--exclude` or a COPY source: the pattern
/// itself when it has no wildcard (most `.dockerignore` lines: `.git`, `node_modules`), else the
/// regular expression [`translate`] gives. Compiling a regular expression costs far more than
/// matching with it, and the same few patterns come back in every context and COPY of a run,
/// so compiled ones are shared (at most [`MAX_SHARED_GLOBS`] of them): behind an `Arc`, since
/// a cloned `Regex` starts with no matching cache of its own and builds one on its first match
/// (about 10,000 instructions, more than most matches).
#[derive(Clone, Debug)]
pub struct Glob(GlobKind);

#[derive(Clone, Debug)]
enum GlobKind {
    /// Matches exactly this path.
    Literal(Box<str>),
    Regex(Arc<Regex>),
}

/// The most compiled patterns kept for reuse; later ones are compiled each time.
const MAX_SHARED_GLOBS: usize = 4096;

impl Glob {
    /// `pattern` (cleaned) compiled, with `**` meaning any number of directories when
    /// `double_star`; `None` when it is not a valid pattern.
    pub fn new(pattern: &str, double_star: bool) -> Option<Self> {
        // Without these, the expression is the pattern's characters escaped, anchored.
        if !pattern.contains(['*', '?', '[', '\\', '^']) {
            return Some(Self(GlobKind::Literal(pattern.into())));
        }
        type Shared = Mutex<HashMap<(Box<str>, bool), Option<Arc<Regex>>>>;
        static SHARED: OnceLock<Shared> = OnceLock::new();
        let shared = SHARED.get_or_init(Shared::default);
        let lock = || {
            shared
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let key = (Box::<str>::from(pattern), double_star);
        if let Some(known) = lock().get(&key) {
            return known.clone().map(|regex| Self(GlobKind::Regex(regex)));
        }
        let regex = translate(pattern, double_star)
            .and_then(|r| Regex::new(&r).ok())
            .map(Arc::new);
        let mut map = lock();
        if map.len() < MAX_SHARED_GLOBS {
            map.insert(key, regex.clone());
        }
        regex.map(|regex| Self(GlobKind::Regex(regex)))
    }

    /// Whether the whole of `path` (cleaned, relative, `/`-separated) matches.
    pub fn is_match(&self, path: &str) -> bool {
        match &self.0 {
            GlobKind::Literal(literal) => **literal == *path,
            GlobKind::Regex(regex) => regex.is_match(path),
        }
    }
}

/// The regular expression patternmatcher builds for a cleaned pattern (`Pattern.compile`):
/// `*` → `[^/]*`, `?` → `[^/]`, `**/` and `**` → `(.*/)?`, a final `**` → `.*`, `\x` → `x`,
/// brackets passed through as a character class. With `double_star` false (COPY sources,
/// plain `filepath.Match`) `**` is two single stars. `None` when the pattern is invalid.
fn translate(pattern: &str, double_star: bool) -> Option<String> {
    let mut regex = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    // Inside `[…]`: the position of the character after `[` (and after a `^`).
    let mut class_from: Option<usize> = None;
    while let Some(&ch) = chars.get(i) {
        i += 1;
        if let Some(from) = class_from {
            match ch {
                ']' if i - 1 > from => {
                    regex.push(']');
                    class_from = None;
                }
                '^' if i - 1 == from => {
                    regex.push('^');
                    class_from = Some(i);
                }
                '\\' => {
                    let next = chars.get(i)?;
                    i += 1;
                    regex.push_str(&regex::escape(&next.to_string()));
                }
                // Literal in Go's classes, set operators or nesting in Rust's.
                '[' | '&' | '~' | ']' => {
                    regex.push('\\');
                    regex.push(ch);
                }
                '-' if chars.get(i) == Some(&'-') => regex.push_str("\\-"),
                _ => regex.push(ch),
            }
            continue;
        }
        match ch {
            '*' if double_star && chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    regex.push_str(".*");
                } else {
                    regex.push_str("(.*/)?");
                }
            }
            '*' => regex.push_str("[^/]*"),
            '?' => regex.push_str("[^/]"),
            '\\' => {
                // A trailing backslash is a bad pattern for filepath.Match.
                let next = chars.get(i)?;
                i += 1;
                regex.push_str(&regex::escape(&next.to_string()));
            }
            '[' => {
                regex.push('[');
                class_from = Some(i);
            }
            // patternmatcher leaves `^` unescaped: an anchor that never matches mid-path.
            '^' => regex.push('^'),
            // `]` alone is a literal in Go's regexp.
            _ => regex.push_str(&regex::escape(&ch.to_string())),
        }
    }
    if class_from.is_some() {
        // `[` without `]`: filepath.Match's ErrBadPattern.
        return None;
    }
    regex.push('$');
    Some(regex)
}

/// A COPY or ADD source pattern (Go's `filepath.Match`: `*` and `?` within one segment), as a
/// matcher of cleaned relative paths: `*.txt`, `src/*/main.go`. `None` when it is invalid.
pub fn copy_source_matcher(source: &str) -> Option<Glob> {
    Glob::new(source, false)
}

/// A `COPY --parents` source pattern (BuildKit passes it as an include pattern to
/// patternmatcher: `*` and `?` within one segment, `**` any number of directories), as a matcher
/// of cleaned relative paths. `None` when it is invalid.
pub fn parents_source_matcher(source: &str) -> Option<Glob> {
    Glob::new(source, true)
}

/// Whether a COPY or ADD source has a wildcard (`*`, `?`, `[`).
pub fn has_wildcard(source: &str) -> bool {
    source.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths_are_kept_as_the_name_by_name_cleaning_keeps_them() {
        // Every path of up to five pieces: names, `.`, `..`, empty names, leading and trailing
        // `/`; the shortcut and the name-by-name cleaning agree on each.
        let pieces = ["a", "b.c", ".", "..", "", "..d", ".e"];
        let mut paths = vec![String::new()];
        let mut last = vec![Vec::<&str>::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|parts| {
                    pieces.iter().map(move |piece| {
                        let mut longer = parts.clone();
                        longer.push(*piece);
                        longer
                    })
                })
                .collect();
            for parts in &last {
                let joined = parts.join("/");
                paths.extend([joined.clone(), format!("/{joined}"), format!("{joined}/")]);
            }
        }
        for path in &paths {
            assert_eq!(clean(path), clean_names(path), "{path:?}");
        }
    }

    fn excluded(patterns: &[&str], path: &str) -> bool {
        DockerIgnore::from_patterns(patterns.iter().copied())
            .excluded_by(path)
            .is_some()
    }

    #[test]
    fn cleaning_follows_go() {
        assert_eq!(clean("./a//b/"), "a/b");
        assert_eq!(clean("a/../b"), "b");
        assert_eq!(clean("../a"), "../a");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean_relative("/app/"), "app");
        assert_eq!(clean_relative("/"), ".");
    }

    #[test]
    fn comments_blanks_and_trimming() {
        let ignore =
            DockerIgnore::parse("\u{feff}# comment\n\n  node_modules  \r\n # not a comment\n");
        let cleaned: Vec<_> = ignore.patterns.iter().map(|p| p.cleaned.as_str()).collect();
        assert_eq!(cleaned, ["node_modules", "# not a comment"]);
        assert_eq!(ignore.patterns[0].line, 3);
        assert!(ignore.errors.is_empty());
    }

    #[test]
    fn leading_and_trailing_slashes_and_dots_are_cleaned() {
        for pattern in [
            "/secret",
            "secret/",
            "./secret",
            "secret/.",
            "x/../secret",
            "//secret//",
        ] {
            assert!(excluded(&[pattern], "secret"), "{pattern}");
            assert!(excluded(&[pattern], "secret/inner/file"), "{pattern}");
            assert!(!excluded(&[pattern], "a/secret"), "{pattern}");
        }
    }

    #[test]
    fn a_star_stays_within_one_directory() {
        assert!(excluded(&["*.md"], "README.md"));
        assert!(!excluded(&["*.md"], "docs/README.md"));
        assert!(excluded(&["*/*.md"], "docs/README.md"));
        assert!(!excluded(&["*/*.md"], "a/b/README.md"));
        // A directory the star matches takes its contents with it.
        assert!(excluded(&["*"], "a/b/c"));
        assert!(excluded(&["temp?"], "temp1"));
        assert!(!excluded(&["temp?"], "temp12"));
        assert!(!excluded(&["temp?"], "temp/"));
    }

    #[test]
    fn double_stars_cross_directories() {
        assert!(excluded(&["**/*.go"], "main.go"));
        assert!(excluded(&["**/*.go"], "a/b/main.go"));
        assert!(excluded(&["a/**"], "a/b/c"));
        assert!(excluded(&["a/**/b"], "a/b"));
        assert!(excluded(&["a/**/b"], "a/x/y/b"));
        assert!(!excluded(&["a/**/b"], "ab"));
        assert!(excluded(&["**"], "anything/at/all"));
        assert!(excluded(&["**/.env"], "config/.env"));
        // `**` inside a name is `(.*/)?`: it crosses directories only whole.
        assert!(excluded(&["a**b"], "ab"));
        assert!(excluded(&["a**b"], "ax/b"));
        assert!(!excluded(&["a**b"], "axb"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(excluded(&["file[0-9]"], "file7"));
        assert!(!excluded(&["file[0-9]"], "filex"));
        assert!(excluded(&["file[^0-9]"], "filex"));
        assert!(excluded(&[r"\*"], "*"));
        assert!(!excluded(&[r"\*"], "a"));
        assert!(excluded(&["a.b"], "a.b"));
        assert!(!excluded(&["a.b"], "axb"));
        assert!(excluded(&["a+(b)"], "a+(b)"));
        let ignore = DockerIgnore::parse("[unclosed\n!\nok\n");
        assert_eq!(ignore.errors.len(), 2);
        assert_eq!(ignore.errors[0].0, 1);
        assert_eq!(ignore.patterns.len(), 1);
    }

    #[test]
    fn exceptions_and_the_last_match_wins() {
        let patterns = ["*.md", "!README.md"];
        assert!(excluded(&patterns, "CHANGES.md"));
        assert!(!excluded(&patterns, "README.md"));
        let patterns = ["*.md", "!README*.md", "README-secret.md"];
        assert!(excluded(&patterns, "README-secret.md"));
        assert!(!excluded(&patterns, "README-public.md"));
        // An exception before the exclusion does nothing.
        assert!(excluded(&["!keep", "keep"], "keep"));
    }

    #[test]
    fn an_excluded_directory_can_have_children_reincluded() {
        let ignore = DockerIgnore::from_patterns(["docs", "!docs/public"]);
        assert!(ignore.excluded_by("docs/private.md").is_some());
        assert!(ignore.excluded_by("docs/public").is_none());
        assert!(ignore.excluded_by("docs/public/index.md").is_none());
        assert!(ignore.may_reinclude_under("docs"));
        assert!(!ignore.may_reinclude_under("other"));
        let wildcard = DockerIgnore::from_patterns(["vendor", "!**/LICENSE"]);
        assert!(wildcard.may_reinclude_under("vendor"));
        assert!(wildcard.excluded_by("vendor/x/LICENSE").is_none());
        assert!(wildcard.excluded_by("vendor/x/code.go").is_some());
    }

    #[test]
    fn the_winning_line_is_reported() {
        let ignore = DockerIgnore::parse("# c\n*.log\n!keep.log\nsecrets/\n");
        assert_eq!(ignore.excluded_by("x.log").unwrap().line, 2);
        assert_eq!(ignore.excluded_by("secrets/a/b").unwrap().line, 4);
        assert_eq!(ignore.excluded_by("secrets/a/b").unwrap().text, "secrets/");
        assert!(ignore.excluded_by("keep.log").is_none());
    }

    #[test]
    fn walking_state_agrees_with_the_direct_answer() {
        let ignore = DockerIgnore::from_patterns(["a", "!a/b/**", "a/b/c", "*/x", "!**/keep"]);
        let paths = [
            "a",
            "a/b",
            "a/b/c",
            "a/b/c/keep",
            "a/b/d",
            "a/x",
            "q",
            "q/x",
            "q/x/y",
        ];
        for path in paths {
            let mut state = Matches::default();
            let mut prefix = String::new();
            for part in path.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                state = ignore.matches_under(&prefix, &state);
            }
            assert_eq!(
                state.excluded,
                ignore.excluded_by(path).map(|p| p.line - 1),
                "{path}"
            );
        }
    }

    #[test]
    fn copy_excludes_are_read_like_patternmatcher_new() {
        let excludes =
            DockerIgnore::from_copy_excludes(["*.md", " ./docs/ ", "!docs/keep.md", "#x", ""])
                .unwrap();
        let cleaned: Vec<_> = excludes
            .patterns
            .iter()
            .map(|p| p.cleaned.as_str())
            .collect();
        assert_eq!(cleaned, ["*.md", "docs", "docs/keep.md", "#x"]);
        assert!(excludes.excluded_by("README.md").is_some());
        assert!(excludes.excluded_by("docs/a/b.txt").is_some());
        assert!(excludes.excluded_by("docs/keep.md").is_none());
        assert!(excludes.excluded_by("#x").is_some());
        // A leading slash is kept: the pattern matches no relative path.
        let rooted = DockerIgnore::from_copy_excludes(["/secret"]).unwrap();
        assert!(rooted.excluded_by("secret").is_none());
        assert!(DockerIgnore::from_copy_excludes(["!"]).is_err());
        assert!(DockerIgnore::from_copy_excludes(["a[", "b"]).is_err());
    }

    #[test]
    fn parents_sources_cross_directories_with_double_stars() {
        let m = parents_source_matcher("src/**/*.txt").unwrap();
        assert!(m.is_match("src/a.txt"));
        assert!(m.is_match("src/x/y/c.txt"));
        assert!(!m.is_match("other/a.txt"));
    }

    #[test]
    fn copy_sources_match_one_segment_per_star() {
        let m = copy_source_matcher("*.txt").unwrap();
        assert!(m.is_match("a.txt"));
        assert!(!m.is_match("dir/a.txt"));
        let m = copy_source_matcher("src/**.go").unwrap();
        assert!(m.is_match("src/main.go"));
        assert!(!m.is_match("src/a/main.go"));
        assert!(has_wildcard("a*"));
        assert!(!has_wildcard("a/b"));
    }
}
