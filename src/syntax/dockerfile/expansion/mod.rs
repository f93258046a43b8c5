//! ARG expansion under a size budget, shared by the parser and every rule that expands ARG values.
//!
//! Each `${NAME}` copies a value that may itself be the result of earlier copies, so thirty
//! lines of `ARG a1=${a0}${a0}` ask for a gigabyte. Every expanded value is therefore capped at
//! [`MAX_EXPANDED_VALUE`] bytes, and all expansions of one file together at
//! [`ExpansionBudget::for_text`] bytes, so the work is linear in the file size whatever the
//! values are. Past either bound the value is unknown, exactly like an undefined variable.

mod references;

pub use references::{Reference, references};

use std::collections::HashMap;
use std::ops::Range;

/// The longest value an expansion may produce: BuildKit reads lines of at most 64 KiB, so a value
/// written out in full fits, and only a value multiplied by expansion can go past it.
pub const MAX_EXPANDED_VALUE: usize = 64 * 1024;

/// Bytes every file may produce by expansion regardless of its size (besides 8× its size), the
/// same allowance the shell scanner gets for substitutions.
const BASE_TOTAL: usize = 1024 * 1024;

/// Which bound an expansion ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverBudget {
    /// The value alone would be longer than [`MAX_EXPANDED_VALUE`].
    Value,
    /// The file's expansions together used up its budget.
    File,
}

impl OverBudget {
    /// What was exceeded, for a message: "expands to more than 64 KiB".
    pub fn describe(self) -> &'static str {
        match self {
            OverBudget::Value => "expands to more than 64 KiB",
            OverBudget::File => {
                "is expanded after the file's expansions used up their budget (1 MiB plus 8 times \
                 the file size; every later expansion is unknown too)"
            }
        }
    }
}

/// The bytes one file's expansions may still produce.
#[derive(Clone, Debug)]
pub struct ExpansionBudget {
    remaining: usize,
}

impl ExpansionBudget {
    /// The budget of a file of `text_len` bytes: 1 MiB plus 8 bytes per byte of text.
    pub fn for_text(text_len: usize) -> Self {
        Self {
            remaining: BASE_TOTAL.saturating_add(text_len.saturating_mul(8)),
        }
    }

    /// Append `piece` to the value being built in `out`, if both bounds allow it.
    pub fn push(&mut self, out: &mut String, piece: &str) -> Result<(), OverBudget> {
        if out.len().saturating_add(piece.len()) > MAX_EXPANDED_VALUE {
            return Err(OverBudget::Value);
        }
        if piece.len() > self.remaining {
            self.remaining = 0;
            return Err(OverBudget::File);
        }
        self.remaining -= piece.len();
        out.push_str(piece);
        Ok(())
    }
}

/// The result of expanding one word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expanded {
    Known(String),
    /// A variable without a value, or a form that cannot be expanded here.
    Unknown,
    /// Past a bound: unknown as well, and worth telling the user.
    TooLarge(OverBudget),
}

impl Expanded {
    pub fn known(self) -> Option<String> {
        match self {
            Expanded::Known(value) => Some(value),
            Expanded::Unknown | Expanded::TooLarge(_) => None,
        }
    }
}

/// What a variable stands for, as the caller's lookup tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding<'a> {
    /// Declared with this value.
    Set(&'a str),
    /// Declared without a value (`ARG NAME`).
    Unset,
}

/// What a plain reference (`$NAME`, `${NAME}`) to an unset variable expands to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsetIs {
    /// Nothing: BuildKit's reading, for the rules that judge a build without `--build-arg`.
    Empty,
    /// Something only the build knows.
    Unknown,
}

/// A word with its variables expanded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    pub text: String,
    /// The references (outside an operator's word) that expanded to nothing: the name and the
    /// byte range of the whole reference in the word.
    pub empty: Vec<(String, Range<usize>)>,
}

/// Why a word has no expansion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotExpanded {
    /// A variable the lookup does not know, an unset one read as unknown, or a form that cannot
    /// be expanded here (an unclosed `${`, another operator, an operator's word nesting again).
    Unknown,
    /// Past a bound of the budget.
    TooLarge(OverBudget),
}

impl From<OverBudget> for NotExpanded {
    fn from(over: OverBudget) -> Self {
        NotExpanded::TooLarge(over)
    }
}

/// The one variable expander of Dockerfile words: `$NAME`, `${NAME}`, `${NAME:-word}`,
/// `${NAME-word}`, `${NAME:+word}` and `${NAME+word}`, with `$NAME` references inside an
/// operator's word expanded too, and a `$` before something other than a name kept as written.
/// `lookup` gives each name's binding (`None`: unknown, which makes the whole word unknown).
pub fn expand<'v>(
    raw: &str,
    lookup: &dyn Fn(&str) -> Option<Binding<'v>>,
    unset: UnsetIs,
    budget: &mut ExpansionBudget,
) -> Result<Expansion, NotExpanded> {
    let mut out = Expansion::default();
    if !raw.contains('$') {
        // A word as written is bounded by the file; only expansion multiplies text.
        out.text = raw.to_owned();
        return Ok(out);
    }
    let mut expander = Expander {
        lookup,
        unset,
        budget,
    };
    expander.expand_into(&mut out, raw, true)?;
    Ok(out)
}

/// [`expand`] with the parser's reading: a variable declared without a value, or not declared,
/// is unknown.
pub fn substitute(
    raw: &str,
    vars: &HashMap<String, Option<String>>,
    budget: &mut ExpansionBudget,
) -> Expanded {
    let lookup = |name: &str| {
        Some(match vars.get(name) {
            Some(Some(value)) => Binding::Set(value),
            _ => Binding::Unset,
        })
    };
    match expand(raw, &lookup, UnsetIs::Unknown, budget) {
        Ok(expansion) => Expanded::Known(expansion.text),
        Err(NotExpanded::Unknown) => Expanded::Unknown,
        Err(NotExpanded::TooLarge(over)) => Expanded::TooLarge(over),
    }
}

struct Expander<'a, 'v> {
    lookup: &'a dyn Fn(&str) -> Option<Binding<'v>>,
    unset: UnsetIs,
    budget: &'a mut ExpansionBudget,
}

/// The length of the variable name at the start of `text` (letters, digits, `_`).
fn name_len(text: &str) -> usize {
    text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len())
}

impl Expander<'_, '_> {
    /// Append the expansion of `raw` to `out`. An operator's word is expanded by one nested call
    /// (`top` false), which cannot nest again: the word ends at the first `}`, so it holds no
    /// complete `${…}` and the depth is at most two. Only top-level references are recorded in
    /// `out.empty`.
    fn expand_into(
        &mut self,
        out: &mut Expansion,
        raw: &str,
        top: bool,
    ) -> Result<(), NotExpanded> {
        let mut rest = raw;
        let mut offset = 0;
        while let Some(dollar) = rest.find('$') {
            self.budget.push(&mut out.text, &rest[..dollar])?;
            let start = offset + dollar;
            let after = &rest[dollar + 1..];
            let (name, operator, consumed) = if let Some(inner) = after.strip_prefix('{') {
                let close = inner.find('}').ok_or(NotExpanded::Unknown)?;
                let (name, operator) = inner[..close].split_at(name_len(&inner[..close]));
                if name.is_empty() {
                    return Err(NotExpanded::Unknown);
                }
                (name, operator, 2 + close + 1)
            } else {
                let len = name_len(after);
                if len == 0 {
                    self.budget.push(&mut out.text, "$")?;
                    rest = after;
                    offset = start + 1;
                    continue;
                }
                (&after[..len], "", 1 + len)
            };
            let before = out.text.len();
            self.reference(out, name, operator, top)?;
            if top && out.text.len() == before {
                out.empty.push((name.to_owned(), start..start + consumed));
            }
            rest = &rest[dollar + consumed..];
            offset = start + consumed;
        }
        self.budget.push(&mut out.text, rest)?;
        Ok(())
    }

    /// Append what one reference stands for.
    fn reference(
        &mut self,
        out: &mut Expansion,
        name: &str,
        operator: &str,
        top: bool,
    ) -> Result<(), NotExpanded> {
        let value = match (self.lookup)(name).ok_or(NotExpanded::Unknown)? {
            Binding::Set(value) => Some(value),
            Binding::Unset => None,
        };
        let set_and_not_empty = value.is_some_and(|v| !v.is_empty());
        let word = if operator.is_empty() {
            match (value, self.unset) {
                (Some(v), _) => return Ok(self.budget.push(&mut out.text, v)?),
                (None, UnsetIs::Empty) => return Ok(()),
                (None, UnsetIs::Unknown) => return Err(NotExpanded::Unknown),
            }
        } else if let Some(word) = operator.strip_prefix(":-") {
            match value {
                Some(v) if set_and_not_empty => return Ok(self.budget.push(&mut out.text, v)?),
                _ => word,
            }
        } else if let Some(word) = operator.strip_prefix(":+") {
            if !set_and_not_empty {
                return Ok(());
            }
            word
        } else if let Some(word) = operator.strip_prefix('-') {
            match value {
                Some(v) => return Ok(self.budget.push(&mut out.text, v)?),
                None => word,
            }
        } else if let Some(word) = operator.strip_prefix('+') {
            if value.is_none() {
                return Ok(());
            }
            word
        } else {
            return Err(NotExpanded::Unknown);
        };
        if !top {
            return Err(NotExpanded::Unknown);
        }
        self.expand_into(out, word, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Option<&str>)]) -> HashMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    fn expand(raw: &str, vars: &HashMap<String, Option<String>>) -> Expanded {
        substitute(raw, vars, &mut ExpansionBudget::for_text(raw.len()))
    }

    #[test]
    fn forms() {
        let v = vars(&[("A", Some("a")), ("E", Some("")), ("U", None)]);
        let known = |s: &str| Expanded::Known(s.to_string());
        assert_eq!(expand("x$A/${A}", &v), known("xa/a"));
        assert_eq!(expand("${U:-d}${E:-d}${E-d}${U-$A}", &v), known("dda"));
        assert_eq!(expand("${A:+p}${E:+p}${E+p}${U+p}", &v), known("pp"));
        assert_eq!(expand("$ $1", &v), Expanded::Unknown);
        assert_eq!(expand("a $ b", &v), known("a $ b"));
        assert_eq!(expand("$U", &v), Expanded::Unknown);
        assert_eq!(expand("${B", &v), Expanded::Unknown);
        assert_eq!(expand("${A%%x}", &v), Expanded::Unknown);
        assert_eq!(expand("${U:-${A}}", &v), Expanded::Unknown);
    }

    #[test]
    fn unset_as_empty_records_what_expanded_to_nothing() {
        let lookup = |name: &str| match name {
            "A" => Some(Binding::Set("a")),
            "E" => Some(Binding::Set("")),
            "U" => Some(Binding::Unset),
            _ => None,
        };
        let run = |raw: &str| {
            super::expand(
                raw,
                &lookup,
                UnsetIs::Empty,
                &mut ExpansionBudget::for_text(64),
            )
        };
        let expansion = run("x${U}/$E-${A}${U:-$A}").unwrap();
        assert_eq!(expansion.text, "x/-aa");
        assert_eq!(
            expansion.empty,
            [("U".to_owned(), 1..5), ("E".to_owned(), 6..8)],
            "top-level references that gave nothing, with their ranges in the word"
        );
        assert_eq!(
            run("$X"),
            Err(NotExpanded::Unknown),
            "unknown to the lookup"
        );
        assert_eq!(
            run("${U:-${A}}"),
            Err(NotExpanded::Unknown),
            "a word nesting again"
        );
        let unknown = super::expand(
            "$U",
            &lookup,
            UnsetIs::Unknown,
            &mut ExpansionBudget::for_text(8),
        );
        assert_eq!(unknown, Err(NotExpanded::Unknown));
    }

    #[test]
    fn a_doubling_chain_stops_at_the_value_bound() {
        let mut v = vars(&[("a0", Some("0123456789abcdef"))]);
        let mut budget = ExpansionBudget::for_text(1000);
        let mut first_too_large = None;
        for i in 1..40 {
            let raw = format!("${{a{p}}}${{a{p}}}", p = i - 1);
            let value = match substitute(&raw, &v, &mut budget) {
                Expanded::Known(value) => Some(value),
                Expanded::Unknown => None,
                Expanded::TooLarge(over) => {
                    assert_eq!(over, OverBudget::Value);
                    first_too_large.get_or_insert(i);
                    None
                }
            };
            assert!(value.as_ref().is_none_or(|v| v.len() <= MAX_EXPANDED_VALUE));
            v.insert(format!("a{i}"), value);
        }
        // 16 × 2^12 = 64 KiB is the last value that fits.
        assert_eq!(first_too_large, Some(13));
    }

    #[test]
    fn many_values_under_the_value_bound_exhaust_the_file_budget() {
        let big = "x".repeat(60 * 1024);
        let v = vars(&[("big", Some(&big))]);
        let mut budget = ExpansionBudget::for_text(0);
        let results: Vec<Expanded> = (0..40)
            .map(|_| substitute("$big", &v, &mut budget))
            .collect();
        // 1 MiB holds 17 copies of 60 KiB; every later one is refused without copying.
        assert!(
            results[..17]
                .iter()
                .all(|r| matches!(r, Expanded::Known(_)))
        );
        assert!(
            results[17..]
                .iter()
                .all(|r| *r == Expanded::TooLarge(OverBudget::File))
        );
    }
}
