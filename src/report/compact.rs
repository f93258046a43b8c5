//! The `compact` format: one line per finding, `path:line:col: severity[code/name] message`,
//! for grep, editors' quickfix lists and CI logs.

use std::io::{self, Write};

use super::{Results, printable};

pub(super) fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    for (source, finding) in results.findings() {
        let at = source.position(finding.span.start);
        writeln!(
            out,
            "{}:{}:{}: {}[{}/{}] {}",
            printable(&source.path.display().to_string()),
            at.line,
            at.column,
            finding.severity,
            finding.code,
            finding.name,
            printable(&finding.message),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::linter::diagnostic::{Category, Finding, Severity};
    use crate::report::{Format, Options, write};
    use crate::syntax::source::{FileKind, SourceFile};
    use crate::syntax::span::Span;
    use crate::workspace::results::{FileResult, Results};

    #[test]
    fn one_line_per_finding_with_character_columns() {
        let text = "FROM é:latest\n";
        let start = text.find("latest").unwrap();
        let results = Results {
            files: vec![FileResult {
                source: SourceFile::new("app/Dockerfile", text, FileKind::Dockerfile),
                findings: vec![Finding {
                    code: "DF002".into(),
                    name: "latest-tag".into(),
                    category: Category::Reproducibility,
                    severity: Severity::Warning,
                    message: "image `é\u{1b}[31m` uses the\nlatest tag".into(),
                    span: Span::new(start, start + 6),
                    help: None,
                    labels: Vec::new(),
                    fix: None,
                }],
            }],
            errors: Vec::new(),
            skipped: Vec::new(),
            fixed: Vec::new(),
            older: 0,
        };
        let mut out = Vec::new();
        write(Format::Compact, &results, Options::default(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "app/Dockerfile:1:8: warning[DF002/latest-tag] image `é\\u{1b}[31m` uses the latest tag\n"
        );
    }
}
