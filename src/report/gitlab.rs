//! The `gitlab` format: GitLab Code Quality JSON (a subset of the Code Climate issue format),
//! for `artifacts: reports: codequality:`. Each finding carries a fingerprint that survives line
//! moves (see `fingerprints`), so GitLab can tell new findings from old ones in a merge request.

use std::io::{self, Write};

use serde::Serialize;

use super::{Columns, Results, fingerprints, portable_path, region};
use crate::linter::diagnostic::{Category, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: String,
    description: &'a str,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for file in &results.files {
        let path = portable_path(&file.source.path);
        for (finding, print) in file.findings.iter().zip(fingerprints(file)) {
            let (start, end) = region(&file.source, finding.span, Columns::Chars);
            let (begin, end) = (start.line, end.line);
            issues.push(Issue {
                kind: "issue",
                check_name: format!("{}/{}", finding.code, finding.name),
                description: &finding.message,
                categories: [category(finding.category)],
                severity: severity(finding.severity),
                // GitLab compares fingerprints across the whole report: the path belongs in it.
                fingerprint: format!("{print}-{}", super::Fnv1a::hash_hex(path.as_bytes())),
                location: Location {
                    path: path.clone(),
                    lines: Lines { begin, end },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// GitLab's scale: info, minor, major, critical, blocker.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Style => "info",
    }
}

/// The Code Climate categories closest to ours.
fn category(category: Category) -> &'static str {
    match category {
        Category::Provenance
        | Category::Privilege
        | Category::Secrets
        | Category::Isolation
        | Category::Network => "Security",
        Category::Resources | Category::Efficiency => "Performance",
        Category::Reproducibility | Category::Correctness => "Bug Risk",
        Category::Style => "Style",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::report::{Format, Options, render_to_string, sample_results};

    #[test]
    fn snapshot() {
        let out = render_to_string(Format::Gitlab, &sample_results(), Options::default());
        let issues: Value = serde_json::from_str(&out).unwrap();
        let prints: Vec<&str> = issues
            .as_array()
            .unwrap()
            .iter()
            .map(|issue| issue["fingerprint"].as_str().unwrap())
            .collect();
        let mut unique = prints.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), prints.len(), "fingerprints are unique");
        insta::assert_snapshot!(out);
    }
}
