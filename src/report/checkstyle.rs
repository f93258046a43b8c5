//! The `checkstyle` format: Checkstyle XML (version 4.3 layout), read by Jenkins' warnings plugin,
//! reviewdog (`-f=checkstyle`) and many CI servers. One `<file>` per checked file, one `<error>`
//! per finding; columns count characters.

use std::io::{self, Write};

use super::{Results, portable_path, xml_escape};
use crate::linter::diagnostic::Severity;

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)?;
    for file in &results.files {
        let name = xml_escape(&portable_path(&file.source.path));
        if file.findings.is_empty() {
            writeln!(out, r#"  <file name="{name}"/>"#)?;
            continue;
        }
        writeln!(out, r#"  <file name="{name}">"#)?;
        for finding in &file.findings {
            let at = file.source.position(finding.span.start);
            writeln!(
                out,
                r#"    <error line="{}" column="{}" severity="{}" message="{}" source="plimsoll.{}"/>"#,
                at.line,
                at.column,
                severity(finding.severity),
                xml_escape(&finding.message),
                xml_escape(&format!("{}.{}", finding.code, finding.name)),
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    for error in &results.errors {
        let (line, column) = error.position.map_or((1, 1), |at| (at.line, at.column));
        writeln!(
            out,
            r#"  <file name="{}">"#,
            xml_escape(&portable_path(&error.path))
        )?;
        writeln!(
            out,
            r#"    <error line="{line}" column="{column}" severity="error" message="{}" source="plimsoll.io"/>"#,
            xml_escape(&error.message)
        )?;
        writeln!(out, "  </file>")?;
    }
    writeln!(out, "</checkstyle>")
}

/// Checkstyle knows error, warning, info and ignore.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "info",
    }
}

#[cfg(test)]
mod tests {
    use crate::report::{Format, Options, render_to_string, sample_results};

    #[test]
    fn snapshot() {
        let out = render_to_string(Format::Checkstyle, &sample_results(), Options::default());
        assert!(
            out.contains(r#"message="a &lt;token&gt; &amp; &quot;secret&quot; isn&apos;t safe: 100% sure, see&#10;line two""#),
            "{out}"
        );
        insta::assert_snapshot!(out);
    }
}
