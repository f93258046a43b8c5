//! The Rego sets a run or an editor session loaded: reused while unchanged, swept on reload.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::linter::catalogue::POLICY_ERROR;
use crate::linter::diagnostic::Finding;
use crate::policies::template::PolicyRule;
use crate::syntax::source::{FileKind, SourceFile};

use super::Problem;
use super::compile::RegoSet;
use super::results::line_span;
use super::rules::policy_rules;

pub(super) type SetKey = (PathBuf, Vec<(PathBuf, String)>);

pub(super) type Loaded = (Arc<RegoSet>, Vec<PolicyRule>);

/// A loaded set, and whether a config loaded since the last sweep used it.
pub(super) struct CachedSet {
    pub(super) loaded: Loaded,
    pub(super) used: bool,
}

/// The Rego sets a run or an editor session loaded, owned by its config resolver: one compile
/// for an unchanged directory (a config loaded twice, or the language server reloading it), and
/// the current set of each directory, whose problems are reported.
#[derive(Default)]
pub struct SetCache {
    /// Loaded sets by directory and content.
    pub(super) loaded: HashMap<SetKey, CachedSet>,
    /// The current set of each directory loaded, newest last.
    pub(super) current: Vec<Arc<RegoSet>>,
}

impl std::fmt::Debug for SetCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCache")
            .field("loaded", &self.loaded.len())
            .field("current", &self.current.len())
            .finish()
    }
}

/// Load (or reuse) the Rego set of `dir` from its `.rego` `files` (path and text, sorted; the
/// workspace layer reads them), and its policy rules. `taken` are codes and names already used;
/// a Rego rule clashing with one is left out with a problem.
pub fn load_dir(
    cache: &mut SetCache,
    dir: &Path,
    files: Vec<(PathBuf, String)>,
    taken: &[(&str, &str)],
) -> Option<(Arc<RegoSet>, Vec<PolicyRule>)> {
    if files.is_empty() {
        return None;
    }
    let key = (dir.to_path_buf(), files);
    if let Some(cached) = cache.loaded.get_mut(&key) {
        let (set, rules) = &cached.loaded;
        let clash = rules.iter().any(|p| {
            taken.iter().any(|(code, name)| {
                code.eq_ignore_ascii_case(p.rule.code()) || *name == p.rule.name()
            })
        });
        if !clash {
            cached.used = true;
            let loaded = (Arc::clone(set), rules.clone());
            make_current(cache, &loaded.0);
            return Some(loaded);
        }
    }
    let set = Arc::new(RegoSet::compile(dir, key.1.clone()));
    let rules = policy_rules(&set, taken);
    make_current(cache, &set);
    let cached = CachedSet {
        loaded: (Arc::clone(&set), rules.clone()),
        used: true,
    };
    cache.loaded.insert(key, cached);
    Some((set, rules))
}

/// Record `set` as its directory's current set (the one whose problems are reported). The
/// sets it replaces stop their idle sandbox workers (the language server reloads a directory
/// on every change of a `.rego` file).
pub(super) fn make_current(cache: &mut SetCache, set: &Arc<RegoSet>) {
    for old in &cache.current {
        if old.dir == set.dir
            && !Arc::ptr_eq(old, set)
            && let Ok(mut workers) = old.workers.lock()
        {
            workers.clear();
        }
    }
    cache.current.retain(|s| s.dir != set.dir);
    cache.current.push(Arc::clone(set));
}

impl SetCache {
    /// How many loaded sets are kept.
    pub fn len(&self) -> usize {
        self.loaded.len()
    }

    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty()
    }

    /// Drop the sets no config loaded since the last sweep used (their idle sandbox workers
    /// stop with them), and start counting again.
    pub fn sweep(&mut self) {
        self.loaded
            .retain(|_, cached| std::mem::take(&mut cached.used));
        let kept: Vec<&Arc<RegoSet>> = self.loaded.values().map(|c| &c.loaded.0).collect();
        self.current
            .retain(|set| kept.iter().any(|k| Arc::ptr_eq(k, set)));
    }

    /// The problems of every current set whose directory is in `dirs` (all when `dirs` is
    /// `None`), grouped by policy file.
    pub fn problems(&self, dirs: Option<&[PathBuf]>) -> Vec<Problem> {
        let mut out: Vec<Problem> = Vec::new();
        for set in &self.current {
            if dirs.is_some_and(|dirs| !dirs.iter().any(|d| *d == set.dir)) {
                continue;
            }
            for problem in set.problems() {
                if !out.contains(&problem) {
                    out.push(problem);
                }
            }
        }
        out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        out
    }

    /// The problems as findings of [`POLICY_ERROR`], one entry per policy file: the file (its text
    /// from the set, so spans are exact, else as `read` gives it) and its findings.
    pub fn problem_results(
        &self,
        problems: &[Problem],
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<(SourceFile, Vec<Finding>)> {
        let mut out: Vec<(SourceFile, Vec<Finding>)> = Vec::new();
        let sets = &self.current;
        for problem in problems {
            if !out.iter().any(|(source, _)| source.path == problem.path) {
                let text = sets
                    .iter()
                    .flat_map(|s| s.files.iter())
                    .find(|f| f.path == problem.path)
                    .map(|f| f.text.clone())
                    .or_else(|| read(&problem.path))
                    .unwrap_or_default();
                // Policy files are neither kind; `Compose` only picks YAML-style comment handling.
                out.push((
                    SourceFile::new(problem.path.clone(), text, FileKind::Compose),
                    Vec::new(),
                ));
            }
            let Some((source, findings)) = out
                .iter_mut()
                .find(|(source, _)| source.path == problem.path)
            else {
                continue;
            };
            let span = line_span(source, problem.line, Some(problem.column), None);
            findings.push(POLICY_ERROR.finding(span, problem.message.clone()));
        }
        out
    }
}
