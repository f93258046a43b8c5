//! DF069 empty-continuation-line: an empty line inside an instruction continued with `\`.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Keyword;
use crate::syntax::excerpt::excerpt;
use crate::syntax::span::Span;

pub static EMPTY_CONTINUATION_LINE: Rule = Rule {
    code: "DF069",
    name: "empty-continuation-line",
    summary: "An empty line sits inside a continued instruction, which future Docker versions reject",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["buildkit:NoEmptyContinuation"],
    docs: include_str!("empty_continuation_line.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let source = context.source.text.as_str();
    for instruction in &context.dockerfile.instructions {
        // Up to the end of the arguments: heredoc bodies may hold empty lines freely.
        let start = instruction.keyword_span.start;
        let end = instruction.args_span.end.max(instruction.keyword_span.end);
        let Some(text) = source.get(start..end) else {
            continue;
        };
        if !may_have_blank_line(text) {
            continue;
        }
        let keyword = instruction.keyword.as_str();
        // (offset, line with its end of line, line without it)
        let mut lines = Vec::new();
        let mut offset = start;
        for line in text.split_inclusive('\n') {
            lines.push((offset, line, line.trim_end_matches(['\n', '\r'])));
            offset += line.len();
        }
        for (index, &(offset, line, content)) in lines.iter().enumerate() {
            // The instruction's own first line is never empty; later empty lines are the
            // ones BuildKit skips with a warning.
            if index == 0 || !content.trim().is_empty() {
                continue;
            }
            let span = Span::new(offset, offset + content.len());
            match swallowed_instruction(&lines[index + 1..]) {
                Some((swallowed, next)) => {
                    out.report(
                        span,
                        format!(
                            "empty line inside a continued `{keyword}`: Docker skips it, so the \
                             next line `{}` is part of this `{keyword}`, not an instruction of \
                             its own",
                            excerpt(next.trim())
                        ),
                    )
                    .with_label(swallowed, format!("read as part of the `{keyword}`"))
                    .with_help(
                        "end the instruction before the empty line (remove its trailing `\\`)",
                    );
                }
                None => {
                    out.report(
                        span,
                        format!(
                            "empty line inside a continued `{keyword}`: Docker skips it and \
                             warns that it will become an error"
                        ),
                    )
                    .with_help("remove the empty line (or put a `#` comment on it)")
                    .with_fix(Fix {
                        message: "remove the empty line".into(),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            span: Span::new(offset, offset + line.len()),
                            replacement: String::new(),
                        }],
                    });
                }
            }
        }
    }
}

/// Whether a line after the first of `text` may be blank (`trim` leaves nothing): each of its
/// bytes is a space, a control character or one past ASCII (which white space is left to
/// `trim`). Most instructions have no such line, and are not split into lines.
fn may_have_blank_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\n', bytes).any(|at| {
        bytes[at + 1..]
            .iter()
            .take_while(|&&byte| byte != b'\n')
            .all(|&byte| byte <= b' ' || !byte.is_ascii())
    })
}

/// The next line with content after an empty one, when it starts (unindented) with an
/// instruction keyword: the author meant a new instruction, but Docker reads it as part of the
/// continued one. Its span and text.
fn swallowed_instruction<'a>(rest: &[(usize, &'a str, &'a str)]) -> Option<(Span, &'a str)> {
    let &(offset, _, content) = rest
        .iter()
        .find(|(_, _, content)| !content.trim().is_empty())?;
    if content.starts_with(char::is_whitespace) || content.starts_with('#') {
        return None;
    }
    let word = content.split_whitespace().next()?;
    Keyword::parse(word)?;
    Some((Span::new(offset, offset + content.len()), content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_blank_line_is_let_through_the_quick_look() {
        // Lines of white space (ASCII and Unicode), control characters and text, after a first
        // line: the quick look says "maybe" wherever `trim` leaves a later line empty.
        let pieces = [
            "\n", "\r\n", " ", "\t", "\x0b", "\x0c", "\u{a0}", "\u{2003}", "\u{85}", "\x01", "a",
            "é", "\\",
        ];
        for tail in crate::testing::texts_of(&pieces, 20_000, 8) {
            let text = format!("RUN x{tail}");
            let blank = text
                .split_inclusive('\n')
                .skip(1)
                .any(|line| line.trim_end_matches(['\n', '\r']).trim().is_empty());
            if blank {
                assert!(may_have_blank_line(&text), "{text:?}");
            }
        }
        assert!(!may_have_blank_line("RUN a \\\n  b \\\n  c"));
    }
}
