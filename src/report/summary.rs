//! `--summary`: what a run did, for a person reading a CI log. Written to standard error by the
//! CLI, so it goes with any format: files checked, time taken, findings by severity and by rule.

use std::io::{self, Write};
use std::time::Duration;

use super::{Results, SEVERITIES, plural, severity_count};

pub fn write_summary(
    results: &Results,
    elapsed: Option<Duration>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut line = format!("plimsoll: checked {}", plural(results.files.len(), "file"));
    if let Some(elapsed) = elapsed {
        line.push_str(&format!(" in {:.2}s", elapsed.as_secs_f64()));
    }
    match results.errors.len() {
        0 => {}
        n => line.push_str(&format!("; {} could not be checked", plural(n, "file"))),
    }
    writeln!(out, "{line}")?;
    let counts: Vec<String> = SEVERITIES
        .iter()
        .map(|&severity| severity_count(results.count_of(severity), severity))
        .collect();
    writeln!(
        out,
        "  {} in {}: {}",
        plural(results.finding_count(), "finding"),
        plural(results.files_with_findings(), "file"),
        counts.join(", ")
    )?;
    // Per rule, most frequent first, then by code.
    let mut by_rule: Vec<(&str, &str, usize)> = Vec::new();
    for (_, finding) in results.findings() {
        match by_rule
            .iter_mut()
            .find(|(code, _, _)| *code == finding.code)
        {
            Some((_, _, count)) => *count += 1,
            None => by_rule.push((&finding.code, &finding.name, 1)),
        }
    }
    by_rule.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    let width = by_rule
        .iter()
        .map(|(code, name, _)| code.len() + name.len() + 1)
        .max()
        .unwrap_or(0);
    for (code, name, count) in by_rule {
        let rule = format!("{code} {name}");
        writeln!(out, "  {rule:<width$}  {count}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample_results;

    #[test]
    fn counts_by_severity_and_rule() {
        let mut out = Vec::new();
        write_summary(
            &sample_results(),
            Some(Duration::from_millis(1234)),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\
plimsoll: checked 3 files in 1.23s; 1 file could not be checked
  4 findings in 2 files: 1 error, 2 warnings, 1 info, 0 style
  DF002 latest-tag            2
  DC007 service-no-cpu-limit  1
  DF006 hardcoded-credential  1
"
        );
    }
}
