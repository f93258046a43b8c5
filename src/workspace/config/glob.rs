//! Path globs of a config file (`exclude`, `include`, `overrides[].files`), gitignore-like:
//! patterns are relative to the directory of the config file that declares them; a pattern
//! without `/` matches a file or directory name at any depth; `*` stops at `/` and `**` crosses
//! it; a pattern that matches a directory covers everything below it.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::syntax::span::Span;

/// A pattern that does not compile, with where it is written.
#[derive(Debug)]
pub struct PatternError {
    pub span: Span,
    pub message: String,
}

/// Compiled globs anchored at a directory.
#[derive(Clone, Debug)]
pub struct PathMatcher {
    base: PathBuf,
    /// Patterns with a `/`: matched against the path relative to `base`.
    anchored: GlobSet,
    /// Patterns without a `/`: matched against each name.
    names: GlobSet,
    patterns: Vec<String>,
}

impl PathMatcher {
    pub fn new<'p>(
        base: &Path,
        patterns: impl IntoIterator<Item = (&'p str, Span)>,
    ) -> Result<Self, Vec<PatternError>> {
        let mut anchored = GlobSetBuilder::new();
        let mut names = GlobSetBuilder::new();
        let mut errors = Vec::new();
        let mut kept = Vec::new();
        for (pattern, span) in patterns {
            let trimmed = pattern.trim();
            let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
            let is_anchored = trimmed.starts_with('/');
            let trimmed = trimmed.trim_start_matches('/').trim_end_matches('/');
            if trimmed.is_empty() {
                errors.push(PatternError {
                    span,
                    message: format!("empty path pattern `{pattern}`"),
                });
                continue;
            }
            match GlobBuilder::new(trimmed)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
            {
                Ok(glob) => {
                    if is_anchored || trimmed.contains('/') {
                        anchored.add(glob);
                    } else {
                        names.add(glob);
                    }
                    kept.push(pattern.to_string());
                }
                Err(err) => errors.push(PatternError {
                    span,
                    message: format!(
                        "invalid glob `{}`: {}",
                        crate::syntax::excerpt::first_line(
                            pattern,
                            crate::syntax::excerpt::FILE_TEXT_CHARS
                        ),
                        err.kind()
                    ),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let build = |builder: GlobSetBuilder| builder.build();
        match (build(anchored), build(names)) {
            (Ok(anchored), Ok(names)) => Ok(Self {
                base: base.to_path_buf(),
                anchored,
                names,
                patterns: kept,
            }),
            // Every glob compiled on its own; a set failing to build is not expected.
            (Err(err), _) | (_, Err(err)) => Err(vec![PatternError {
                span: Span::default(),
                message: format!("invalid glob: {}", err.kind()),
            }]),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// `true` when `path` (absolute and normalised) is below the base directory and it, or
    /// one of its directories below the base, matches a pattern.
    pub fn matches(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.base) else {
            return false;
        };
        let mut prefix = PathBuf::new();
        for component in relative.components() {
            let Component::Normal(name) = component else {
                return false;
            };
            prefix.push(name);
            if self.names.is_match(Path::new(name)) || self.anchored.is_match(&prefix) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> PathMatcher {
        PathMatcher::new(
            Path::new("/repo"),
            patterns.iter().map(|p| (*p, Span::default())),
        )
        .unwrap()
    }

    #[test]
    fn names_match_at_any_depth_and_cover_directories() {
        let m = matcher(&["vendor", "*.generated.Dockerfile"]);
        assert!(m.matches(Path::new("/repo/vendor/x/Dockerfile")));
        assert!(m.matches(Path::new("/repo/a/vendor/Dockerfile")));
        assert!(m.matches(Path::new("/repo/a/b.generated.Dockerfile")));
        assert!(!m.matches(Path::new("/repo/a/Dockerfile")));
        assert!(!m.matches(Path::new("/elsewhere/vendor/Dockerfile")));
    }

    #[test]
    fn patterns_with_a_slash_are_anchored() {
        let m = matcher(&["services/*/Dockerfile", "/legacy", "./tools/**/*.yml"]);
        assert!(m.matches(Path::new("/repo/services/api/Dockerfile")));
        assert!(!m.matches(Path::new("/repo/services/api/v2/Dockerfile")));
        assert!(!m.matches(Path::new("/repo/x/services/api/Dockerfile")));
        assert!(m.matches(Path::new("/repo/legacy/Dockerfile")));
        assert!(!m.matches(Path::new("/repo/a/legacy/Dockerfile")));
        assert!(m.matches(Path::new("/repo/tools/a/b/compose.yml")));
    }

    #[test]
    fn bad_globs_are_errors_with_their_span() {
        let errors = PathMatcher::new(
            Path::new("/repo"),
            [("a[", Span::new(3, 5)), ("ok", Span::new(7, 9))],
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span, Span::new(3, 5));
        assert!(
            errors[0].message.starts_with("invalid glob `a[`"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_long_bad_glob_is_quoted_as_an_excerpt() {
        let long = format!("[{}", "x".repeat(5000));
        let errors = PathMatcher::new(Path::new("/repo"), [(long.as_str(), Span::new(0, 5001))])
            .unwrap_err();
        assert!(errors[0].message.len() < 200, "{}", errors[0].message);
        assert!(errors[0].message.starts_with("invalid glob `[xxx"));
    }
}
