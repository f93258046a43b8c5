//! Applying fixes to a file's text, as `plimsoll check --fix` does (ruff's model): the fixes of
//! the findings that may be applied (safe ones; unsafe ones too when asked), non-overlapping,
//! in one pass; passes repeat on the re-checked text until nothing changes, so fixes of
//! different rules on one line compose. Pure: the caller checks and writes.

use crate::linter::diagnostic::{Applicability, Finding, Fix};

/// The most passes over one file: each pass re-checks the file, and a fix that keeps producing
/// new findings of its own must not loop.
pub const MAX_PASSES: usize = 10;

/// Whether `fix` may be applied: safe always, unsafe only with `unsafe_fixes`.
pub fn applies(fix: &Fix, unsafe_fixes: bool) -> bool {
    match fix.applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
        Applicability::DisplayOnly => false,
    }
}

/// One pass: `text` with the applicable fixes of `findings` applied, those whose edits overlap
/// an earlier accepted fix left for the next pass; and how many fixes were applied. `None`
/// when nothing applies.
pub fn apply_once(
    text: &str,
    findings: &[&Finding],
    unsafe_fixes: bool,
) -> Option<(String, usize)> {
    let mut fixes: Vec<&Fix> = findings
        .iter()
        .filter_map(|finding| finding.fix.as_ref())
        .filter(|fix| applies(fix, unsafe_fixes) && !fix.edits.is_empty())
        .filter(|fix| {
            fix.edits
                .iter()
                .all(|edit| edit.span.end <= text.len() && edit.span.start <= edit.span.end)
        })
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.span.start).min());
    let crlf = uses_crlf(text);
    let mut accepted: Vec<(usize, usize, String)> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let edits: Vec<(usize, usize, String)> = fix
            .edits
            .iter()
            .map(|edit| {
                let replacement = if crlf {
                    with_crlf(&edit.replacement)
                } else {
                    edit.replacement.clone()
                };
                (edit.span.start, edit.span.end, replacement)
            })
            .collect();
        let overlaps = edits.iter().any(|(start, end, _)| {
            accepted
                .iter()
                .any(|(s, e, _)| start < e && s < end || (start == end && start == s && s == e))
        });
        let on_char_boundaries = edits
            .iter()
            .all(|(start, end, _)| text.is_char_boundary(*start) && text.is_char_boundary(*end));
        if overlaps || !on_char_boundaries {
            continue;
        }
        accepted.extend(edits);
        applied += 1;
    }
    if applied == 0 {
        return None;
    }
    accepted.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, replacement) in &accepted {
        out.push_str(&text[at..*start]);
        out.push_str(replacement);
        at = *end;
    }
    out.push_str(&text[at..]);
    (out != text).then_some((out, applied))
}

/// The number of findings whose fix would apply only with `--unsafe-fixes`.
pub fn unsafe_only(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Unsafe)
        })
        .count()
}

/// The outcome of fixing one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The text after the last pass.
    pub text: String,
    /// Fixes applied over all passes.
    pub applied: usize,
    /// The findings of the fixed text.
    pub findings: Vec<Finding>,
}

/// Fix `text` until nothing changes (at most [`MAX_PASSES`] passes). `check` gives the findings
/// of a text; `eligible` says which of them may be fixed (not recorded in a baseline, say).
/// `None` when no fix applies. The caller decides whether the result may be written (it must
/// parse no worse than the original).
pub fn fix_text(
    text: &str,
    findings: Vec<Finding>,
    unsafe_fixes: bool,
    check: &dyn Fn(&str) -> Vec<Finding>,
    eligible: &dyn Fn(&str, &[Finding]) -> Vec<bool>,
) -> Option<Fixed> {
    let mut current = text.to_string();
    let mut findings = findings;
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let keep = eligible(&current, &findings);
        let candidates: Vec<&Finding> = findings
            .iter()
            .zip(keep.iter().chain(std::iter::repeat(&true)))
            .filter(|(_, keep)| **keep)
            .map(|(finding, _)| finding)
            .collect();
        let Some((next, count)) = apply_once(&current, &candidates, unsafe_fixes) else {
            break;
        };
        applied += count;
        findings = check(&next);
        current = next;
    }
    (applied > 0).then_some(Fixed {
        text: current,
        applied,
        findings,
    })
}

/// Whether most line breaks of `text` are CRLF (then inserted line breaks are too).
fn uses_crlf(text: &str) -> bool {
    let crlf = text.matches("\r\n").count();
    crlf > 0 && crlf * 2 >= text.matches('\n').count()
}

fn with_crlf(replacement: &str) -> String {
    let mut out = String::with_capacity(replacement.len());
    let mut previous = None;
    for c in replacement.chars() {
        if c == '\n' && previous != Some('\r') {
            out.push('\r');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter::diagnostic::{Category, Edit, Severity};
    use crate::syntax::span::Span;
    use std::borrow::Cow;

    fn finding(
        start: usize,
        end: usize,
        replacement: &str,
        applicability: Applicability,
    ) -> Finding {
        Finding {
            code: Cow::Borrowed("XX001"),
            name: Cow::Borrowed("x"),
            category: Category::Style,
            severity: Severity::Warning,
            message: String::new(),
            span: Span::new(start, end),
            help: None,
            labels: Vec::new(),
            fix: Some(Fix {
                message: String::new(),
                applicability,
                edits: vec![Edit {
                    span: Span::new(start, end),
                    replacement: replacement.to_string(),
                }],
            }),
        }
    }

    #[test]
    fn safe_fixes_apply_unsafe_only_on_request_and_overlaps_wait() {
        let a = finding(0, 3, "FROM", Applicability::Safe);
        let b = finding(5, 6, "b", Applicability::Unsafe);
        let c = finding(1, 2, "zz", Applicability::Safe);
        let (text, n) = apply_once("from a", &[&a, &b, &c], false).unwrap();
        assert_eq!((text.as_str(), n), ("FROMm a", 1));
        let (text, n) = apply_once("from a", &[&a, &b], true).unwrap();
        assert_eq!((text.as_str(), n), ("FROMm b", 2));
        assert_eq!(apply_once("from a", &[&b], false), None);
    }

    #[test]
    fn inserted_line_breaks_follow_the_file() {
        let a = finding(3, 3, "\nY", Applicability::Safe);
        let (text, _) = apply_once("X\r\nZ\r\n", &[&a], false).unwrap();
        assert_eq!(text, "X\r\n\r\nYZ\r\n");
        let (text, _) = apply_once("X\nZ\n", &[&a], false).unwrap();
        assert_eq!(text, "X\nZ\nY\n");
    }

    #[test]
    fn passes_repeat_until_nothing_changes_and_stop() {
        // Each pass appends one `!` while the text is shorter than 4: the checker keeps asking.
        let check = |text: &str| -> Vec<Finding> {
            if text.len() < 4 {
                vec![finding(text.len(), text.len(), "!", Applicability::Safe)]
            } else {
                Vec::new()
            }
        };
        let all = |_: &str, f: &[Finding]| vec![true; f.len()];
        let fixed = fix_text("a", check("a"), false, &check, &all).unwrap();
        assert_eq!((fixed.text.as_str(), fixed.applied), ("a!!!", 3));
        assert!(fixed.findings.is_empty());
        // A fix that never settles stops after MAX_PASSES.
        let forever = |text: &str| vec![finding(text.len(), text.len(), "!", Applicability::Safe)];
        let fixed = fix_text("a", forever("a"), false, &forever, &all).unwrap();
        assert_eq!(fixed.applied, MAX_PASSES);
        // Findings that are not eligible (a baseline's) are not fixed.
        let none = |_: &str, f: &[Finding]| vec![false; f.len()];
        assert_eq!(fix_text("a", check("a"), false, &check, &none), None);
    }
}
