//! The `junit` format: JUnit XML as CI servers (GitLab, Jenkins, Azure) display test results.
//! One `<testsuite>` per checked file; each finding is a failing `<testcase>`, a file without
//! findings one passing test case, and a file that could not be checked an `<error>`.

use std::io::{self, Write};

use super::{Results, portable_path, xml_escape};

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let findings = results.finding_count();
    let passing = results
        .files
        .iter()
        .filter(|f| f.findings.is_empty())
        .count();
    let errors = results.errors.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="plimsoll" tests="{}" failures="{findings}" errors="{errors}">"#,
        findings + passing + errors
    )?;
    for file in &results.files {
        let path = xml_escape(&portable_path(&file.source.path));
        let failures = file.findings.len();
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{failures}" errors="0">"#,
            failures.max(1)
        )?;
        if file.findings.is_empty() {
            writeln!(
                out,
                r#"    <testcase name="no findings" classname="{path}" file="{path}"/>"#
            )?;
        }
        for finding in &file.findings {
            let at = file.source.position(finding.span.start);
            let rule = xml_escape(&format!("{}/{}", finding.code, finding.name));
            let message = xml_escape(&finding.message);
            writeln!(
                out,
                r#"    <testcase name="{rule} at {}:{}" classname="{path}" file="{path}" line="{}">"#,
                at.line, at.column, at.line
            )?;
            writeln!(
                out,
                r#"      <failure message="{message}" type="{}">{path}:{}:{}: {}[{rule}] {message}</failure>"#,
                finding.severity, at.line, at.column, finding.severity
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    for error in &results.errors {
        let path = xml_escape(&portable_path(&error.path));
        let message = xml_escape(&error.message);
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="1" failures="0" errors="1">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="check" classname="{path}" file="{path}">"#
        )?;
        writeln!(
            out,
            r#"      <error message="{message}">{}</error>"#,
            xml_escape(&error.located_message())
        )?;
        writeln!(out, "    </testcase>\n  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use crate::report::{Format, Options, render_to_string, sample_results};

    #[test]
    fn snapshot() {
        let out = render_to_string(Format::Junit, &sample_results(), Options::default());
        assert!(
            out.contains(r#"tests="6" failures="4" errors="1""#),
            "{out}"
        );
        assert!(!out.contains("<token>"), "{out}");
        insta::assert_snapshot!(out);
    }
}
