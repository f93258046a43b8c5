//! The `github` format: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::…`),
//! and the job summary table written to `$GITHUB_STEP_SUMMARY`.
//!
//! GitHub shows at most 10 annotations of each type per step (50 per job) and drops the rest,
//! so annotations come most serious first, and the job summary lists every finding.
//! Columns are 1-based UTF-16 code units, end columns exclusive, given only when the span stays
//! on one line (GitHub ignores them otherwise).

use std::io::{self, Write};

use super::text::summary;
use super::{
    Columns, Options, Results, SEVERITIES, plural, portable_path, printable, region, severity_count,
};
use crate::linter::catalogue::rule_page;
use crate::linter::diagnostic::{Finding, Severity};
use crate::syntax::source::SourceFile;

/// Rows of the job summary table; GitHub caps a step summary at 1 MiB.
const MAX_SUMMARY_ROWS: usize = 1000;

pub(super) fn write(
    results: &Results,
    options: Options<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (source, finding) in by_severity(results) {
        writeln!(out, "{}", annotation(source, finding))?;
    }
    for error in &results.errors {
        let mut properties = vec![("file", portable_path(&error.path))];
        if let Some(at) = error.position {
            properties.push(("line", at.line.to_string()));
            properties.push(("col", at.column.to_string()));
        }
        properties.push(("title", "plimsoll: file not checked".to_string()));
        writeln!(out, "{}", command("error", &properties, &error.message))?;
    }
    if !options.quiet {
        writeln!(out, "{}", summary(results))?;
    }
    Ok(())
}

/// Every finding, errors first, then warnings, then notices; in report order within a severity.
fn by_severity(results: &Results) -> Vec<(&SourceFile, &Finding)> {
    let mut all: Vec<_> = results.findings().collect();
    all.sort_by_key(|(_, finding)| std::cmp::Reverse(finding.severity));
    all
}

fn annotation(source: &SourceFile, finding: &Finding) -> String {
    let (start, end) = region(source, finding.span, Columns::Utf16);
    let mut properties = vec![
        ("file", portable_path(&source.path)),
        ("line", start.line.to_string()),
        ("endLine", end.line.to_string()),
    ];
    if start.line == end.line {
        properties.push(("col", start.column.to_string()));
        properties.push(("endColumn", end.column.to_string()));
    }
    properties.push(("title", format!("{} {}", finding.code, finding.name)));
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let command_name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "notice",
    };
    command(command_name, &properties, &message)
}

/// `::name key=value,…::message`, escaped as `@actions/core` does.
fn command(name: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The job summary: a heading, the counts and one table row per finding (most serious first).
pub fn step_summary(results: &Results) -> String {
    let mut out = String::from("### plimsoll\n\n");
    out.push_str(&cell(&summary(results)));
    out.push_str("\n\n");
    let findings = by_severity(results);
    if !findings.is_empty() {
        let counts: Vec<String> = SEVERITIES
            .iter()
            .map(|&severity| severity_count(results.count_of(severity), severity))
            .collect();
        out.push_str(&format!("{}\n\n", counts.join(" · ")));
        out.push_str("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
        for (source, finding) in findings.iter().take(MAX_SUMMARY_ROWS) {
            let at = source.position(finding.span.start);
            let rule = format!("{} {}", finding.code, finding.name);
            // A policy rule has no page on the site: its name alone.
            let rule = match rule_page(&finding.name) {
                Some(page) => format!("[{rule}]({page})"),
                None => rule,
            };
            out.push_str(&format!(
                "| {} | {rule} | `{}:{}:{}` | {} |\n",
                finding.severity,
                cell(&portable_path(&source.path)).replace('`', "'"),
                at.line,
                at.column,
                cell(&finding.message),
            ));
        }
        if findings.len() > MAX_SUMMARY_ROWS {
            out.push_str(&format!(
                "\n…and {} more (see the log or the SARIF report).\n",
                plural(findings.len() - MAX_SUMMARY_ROWS, "finding")
            ));
        }
    }
    for error in &results.errors {
        out.push_str(&format!(
            "\n- could not check {}",
            cell(&error.located_message())
        ));
    }
    if !results.errors.is_empty() {
        out.push('\n');
    }
    out
}

/// Text safe in a markdown table cell: one line, no `|`, no HTML.
fn cell(text: &str) -> String {
    printable(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Format, render_to_string, sample_results};

    #[test]
    fn snapshot() {
        let out = render_to_string(Format::Github, &sample_results(), Options::default());
        insta::assert_snapshot!(out);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("dir:a,b/100%\n"), "dir%3Aa%2Cb/100%25%0A");
    }

    #[test]
    fn severities_map_to_commands_and_errors_come_first() {
        let out = render_to_string(Format::Github, &sample_results(), Options::default());
        let commands: Vec<&str> = out
            .lines()
            .filter_map(|line| line.strip_prefix("::"))
            .map(|line| line.split(' ').next().unwrap())
            .collect();
        assert_eq!(commands, ["error", "warning", "warning", "notice", "error"]);
        assert!(out.contains("title=DF006 hardcoded-credential::"), "{out}");
        // `é` is one UTF-16 unit; `API_TOKEN=abc` starts at character 5 of line 3.
        assert!(
            out.contains("file=Dockerfile,line=3,endLine=3,col=5,endColumn=18"),
            "{out}"
        );
        assert!(out.contains("file=deploy/compose%2C prod.yaml,"), "{out}");
    }

    #[test]
    fn step_summary_snapshot() {
        insta::assert_snapshot!(step_summary(&sample_results()));
    }
}
