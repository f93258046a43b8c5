//! DC028 unquoted-port: a plain `xx:yy` port mapping that YAML 1.1 reads as a base-60 number
//! (`22:22` is 1342).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::yaml::ScalarStyle;

use super::support::report_in_service;

pub static UNQUOTED_PORT: Rule = Rule {
    code: "DC028",
    name: "unquoted-port",
    summary: "An unquoted `xx:yy` port that YAML 1.1 reads as a base-60 number",
    target: Target::Compose,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["dclint:require-quotes-in-ports"],
    docs: include_str!("unquoted_port.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// YAML 1.1's sexagesimal integer: `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`.
pub(crate) fn is_sexagesimal(text: &str) -> Option<u64> {
    let mut parts = text.split(':');
    let first = parts.next()?;
    let first = first.strip_prefix(['-', '+']).unwrap_or(first);
    if !first.starts_with(|c: char| matches!(c, '1'..='9'))
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let mut value: u64 = first
        .bytes()
        .filter(u8::is_ascii_digit)
        .try_fold(0u64, |acc, b| {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })?;
    let mut sexagesimal_parts = 0;
    for part in parts {
        let digits_ok = matches!(part.len(), 1 | 2) && part.bytes().all(|b| b.is_ascii_digit());
        let number: u64 = part.parse().ok().filter(|_| digits_ok)?;
        if number > 59 {
            return None;
        }
        value = value.checked_mul(60)?.checked_add(number)?;
        sexagesimal_parts += 1;
    }
    (sexagesimal_parts > 0).then_some(value)
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        let Some(items) = service
            .node
            .get("ports")
            .and_then(|node| node.as_sequence())
        else {
            continue;
        };
        for item in items {
            let Some(scalar) = item.as_scalar() else {
                continue;
            };
            if scalar.style != ScalarStyle::Plain {
                continue;
            }
            let Some(number) = is_sexagesimal(&scalar.value) else {
                continue;
            };
            let written = item.span.text(&context.source.text) == scalar.value;
            let finding = report_in_service(
                out,
                service,
                item.span,
                format!(
                    "port `{}` is unquoted: YAML 1.1 parsers read it as the number {number}",
                    scalar.value
                ),
            );
            finding.with_help("quote port mappings: `\"22:22\"`");
            if written {
                finding.with_fix(Fix {
                    message: "quote the port mapping".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: item.span,
                        replacement: format!("\"{}\"", scalar.value),
                    }],
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_sexagesimal;

    #[test]
    fn base_sixty() {
        assert_eq!(is_sexagesimal("22:22"), Some(1342));
        assert_eq!(is_sexagesimal("8080:22"), Some(484_822));
        assert_eq!(is_sexagesimal("1:2:3"), Some(3723));
        for text in [
            "80:80",
            "8080:8080",
            "0:22",
            "22",
            "22:22/udp",
            "a:1",
            "22:",
            "22:123",
        ] {
            assert_eq!(is_sexagesimal(text), None, "{text}");
        }
    }
}
