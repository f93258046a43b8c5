//! Baselines: record the findings of today so that only new ones are reported, for adopting
//! plimsoll on a large repository.
//!
//! An entry is the rule code, the file path (relative to the baseline file's directory, with
//! `/` separators) and a fingerprint: a hash of the code, the offending text (whitespace
//! collapsed) and its occurrence index among the file's findings with the same code and text.
//! Line numbers are not part of it, so edits elsewhere in the file do not reopen a finding.
//! Matching is a multiset: each entry absorbs one finding. Nothing here prints.

use std::collections::HashMap;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use super::results::Results;
use crate::linter::diagnostic::Finding;
use crate::syntax::source::SourceFile;

/// The format version written in the file.
pub const VERSION: u32 = 1;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub code: String,
    pub path: String,
    pub fingerprint: String,
}

/// A baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// The findings of `results`, with paths relative to `base_dir` (absolute); `absolute`
    /// turns a displayed path into an absolute one.
    pub fn record(
        results: &Results,
        base_dir: &Path,
        absolute: &dyn Fn(&Path) -> std::path::PathBuf,
    ) -> Self {
        let mut findings = Vec::new();
        for file in &results.files {
            let path = relative_path(&absolute(&file.source.path), base_dir);
            for (finding, fingerprint) in file
                .findings
                .iter()
                .zip(fingerprints(&file.source, &file.findings))
            {
                findings.push(Entry {
                    code: finding.code.to_string(),
                    path: path.clone(),
                    fingerprint,
                });
            }
        }
        findings.sort_by(|a, b| {
            (&a.path, &a.code, &a.fingerprint).cmp(&(&b.path, &b.code, &b.fingerprint))
        });
        Self {
            version: VERSION,
            findings,
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let baseline: Baseline =
            serde_json::from_str(text).map_err(|err| format!("invalid baseline: {err}"))?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (expected {VERSION})",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Drop the findings of `results` recorded in this baseline; returns how many were dropped.
    pub fn filter(
        &self,
        results: &mut Results,
        base_dir: &Path,
        absolute: &dyn Fn(&Path) -> std::path::PathBuf,
    ) -> usize {
        let mut remaining: HashMap<&Entry, usize> = HashMap::new();
        for entry in &self.findings {
            *remaining.entry(entry).or_default() += 1;
        }
        let mut dropped = 0;
        for file in &mut results.files {
            let path = relative_path(&absolute(&file.source.path), base_dir);
            let prints = fingerprints(&file.source, &file.findings);
            let mut keep = Vec::with_capacity(file.findings.len());
            for (finding, fingerprint) in file.findings.drain(..).zip(prints) {
                let entry = Entry {
                    code: finding.code.to_string(),
                    path: path.clone(),
                    fingerprint,
                };
                match remaining.get_mut(&entry) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        dropped += 1;
                    }
                    _ => keep.push(finding),
                }
            }
            file.findings = keep;
        }
        dropped
    }
}

impl Baseline {
    /// For each finding of the file at `path` (absolute), whether this baseline records it
    /// (the file's entries counted as [`Baseline::filter`] counts them): `--fix` leaves those
    /// alone.
    pub fn recorded(
        &self,
        path: &Path,
        base_dir: &Path,
        source: &SourceFile,
        findings: &[Finding],
    ) -> Vec<bool> {
        let path = relative_path(path, base_dir);
        let mut remaining: HashMap<(&str, &str), usize> = HashMap::new();
        for entry in self.findings.iter().filter(|e| e.path == path) {
            *remaining
                .entry((entry.code.as_str(), entry.fingerprint.as_str()))
                .or_default() += 1;
        }
        if remaining.is_empty() {
            return vec![false; findings.len()];
        }
        let prints = fingerprints(source, findings);
        findings
            .iter()
            .zip(&prints)
            .map(
                |(finding, print)| match remaining.get_mut(&(&*finding.code, print.as_str())) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        true
                    }
                    _ => false,
                },
            )
            .collect()
    }
}

/// The fingerprint of each finding of one file, in order.
pub fn fingerprints(source: &SourceFile, findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let text = offending_text(source, finding);
            let index = seen
                .entry((finding.code.to_string(), text.clone()))
                .or_default();
            let fingerprint = fnv1a(&[
                finding.code.as_bytes(),
                text.as_bytes(),
                &index.to_le_bytes(),
            ]);
            *index += 1;
            format!("{fingerprint:016x}")
        })
        .collect()
}

/// The finding's text with whitespace collapsed; for an empty span, its line.
fn offending_text(source: &SourceFile, finding: &Finding) -> String {
    let mut text = source.slice(finding.span);
    if text.trim().is_empty() {
        let index = source.line_index();
        let line = index.line_of(finding.span.start.min(source.text.len()));
        let start = index.line_start(line);
        let end = source
            .text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map_or(source.text.len(), |i| start + i);
        text = source.text.get(start..end).unwrap_or("");
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 64-bit FNV-1a over the parts, each followed by a 0 byte: stable across versions and platforms.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.iter().chain(std::iter::once(&0u8)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// `path` relative to `base` (both absolute), with `..` where needed and `/` separators.
fn relative_path(path: &Path, base: &Path) -> String {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = base.iter().skip(common).map(|_| "..".to_string()).collect();
    parts.extend(
        path.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::engine::{self, Settings};
    use crate::syntax::source::FileKind;
    use crate::workspace::results::FileResult;
    use std::path::PathBuf;

    fn results(text: &str) -> Results {
        let source = SourceFile::new("app/Dockerfile", text, FileKind::Dockerfile);
        let settings = Settings::from_selectors(&["DF002".into()], &[], &[]);
        let findings = engine::check(&source, &settings);
        Results {
            files: vec![FileResult { source, findings }],
            errors: Vec::new(),
            skipped: Vec::new(),
            fixed: Vec::new(),
            older: 0,
        }
    }

    fn absolute(path: &Path) -> PathBuf {
        Path::new("/repo").join(path)
    }

    #[test]
    fn round_trip_survives_unrelated_edits_and_reports_new_findings() {
        let before = "FROM alpine:latest\nFROM debian:latest\n";
        let baseline = Baseline::record(&results(before), Path::new("/repo"), &absolute);
        assert_eq!(baseline.findings.len(), 2);
        assert_eq!(baseline.findings[0].path, "app/Dockerfile");
        let baseline = Baseline::parse(&baseline.to_json()).unwrap();

        // Lines moved, and one more `alpine:latest`: only the new occurrence is reported.
        let after = "# a comment\n\nFROM alpine:latest\nFROM debian:latest\nFROM alpine:latest\n";
        let mut now = results(after);
        assert_eq!(baseline.filter(&mut now, Path::new("/repo"), &absolute), 2);
        assert_eq!(now.files[0].findings.len(), 1);
        assert_eq!(
            now.files[0]
                .source
                .position(now.files[0].findings[0].span.start)
                .line,
            5
        );
    }

    #[test]
    fn relative_paths_climb_when_needed() {
        assert_eq!(relative_path(Path::new("/r/a/b"), Path::new("/r")), "a/b");
        assert_eq!(
            relative_path(Path::new("/r/a/b"), Path::new("/r/ci")),
            "../a/b"
        );
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fnv1a(&[b"a"]), fnv1a(&[b"a"]));
        assert_ne!(fnv1a(&[b"ab", b""]), fnv1a(&[b"a", b"b"]));
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(
            Baseline::parse("{")
                .unwrap_err()
                .starts_with("invalid baseline")
        );
        assert!(
            Baseline::parse(r#"{"version": 9, "findings": []}"#)
                .unwrap_err()
                .contains("version 9")
        );
    }
}
