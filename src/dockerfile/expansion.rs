//! ARG expansion under a size budget, shared by the parser and every rule that expands ARG values.
//!
//! Each `${NAME}` copies a value that may itself be the result of earlier copies, so thirty
//! lines of `ARG a1=${a0}${a0}` ask for a gigabyte. Every expanded value is therefore capped at
//! [`MAX_EXPANDED_VALUE`] bytes, and all expansions of one file together at
//! [`ExpansionBudget::for_text`] bytes, so the work is linear in the file size whatever the
//! values are. Past either bound the value is unknown, exactly like an undefined variable.

use std::collections::HashMap;

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

/// Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and
/// `${VAR+alt}` from `vars` (a variable with no value is unknown), `$VAR` inside a default or
/// alternative included.
pub fn substitute(
    raw: &str,
    vars: &HashMap<String, Option<String>>,
    budget: &mut ExpansionBudget,
) -> Expanded {
    if !raw.contains('$') {
        return Expanded::Known(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len().min(MAX_EXPANDED_VALUE));
    match substitute_into(&mut out, raw, vars, budget, true) {
        Ok(true) => Expanded::Known(out),
        Ok(false) => Expanded::Unknown,
        Err(over) => Expanded::TooLarge(over),
    }
}

/// Append the expansion of `raw` to `out`; `Ok(false)` when it is unknown. A default or
/// alternative is expanded by one nested call (`nested` false), which cannot nest again: the word
/// ends at the first `}`, so it holds no complete `${…}` and the depth is at most two.
fn substitute_into(
    out: &mut String,
    raw: &str,
    vars: &HashMap<String, Option<String>>,
    budget: &mut ExpansionBudget,
    nested: bool,
) -> Result<bool, OverBudget> {
    let mut rest = raw;
    while let Some(dollar) = rest.find('$') {
        budget.push(out, &rest[..dollar])?;
        let after = &rest[dollar + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                return Ok(false);
            };
            let expr = &inner[..close];
            rest = &inner[close + 1..];
            let name_len = expr
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expr.len());
            let (name, op) = expr.split_at(name_len);
            if name.is_empty() {
                return Ok(false);
            }
            let value = vars.get(name).and_then(Option::as_deref);
            // The word after the operator, when it is what the expression stands for.
            let word = match op {
                "" => match value {
                    Some(v) => {
                        budget.push(out, v)?;
                        continue;
                    }
                    None => return Ok(false),
                },
                _ if op.starts_with(":-") => match value {
                    Some(v) if !v.is_empty() => {
                        budget.push(out, v)?;
                        continue;
                    }
                    _ => &op[2..],
                },
                _ if op.starts_with('-') => match value {
                    Some(v) => {
                        budget.push(out, v)?;
                        continue;
                    }
                    None => &op[1..],
                },
                _ if op.starts_with(":+") => match value {
                    Some(v) if !v.is_empty() => &op[2..],
                    _ => continue,
                },
                _ if op.starts_with('+') => match value {
                    Some(_) => &op[1..],
                    None => continue,
                },
                _ => return Ok(false),
            };
            if !nested {
                return Ok(false);
            }
            if !substitute_into(out, word, vars, budget, false)? {
                return Ok(false);
            }
        } else {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if name_len == 0 {
                budget.push(out, "$")?;
                rest = after;
                continue;
            }
            match vars.get(&after[..name_len]).and_then(Option::as_deref) {
                Some(v) => budget.push(out, v)?,
                None => return Ok(false),
            }
            rest = &after[name_len..];
        }
    }
    budget.push(out, rest)?;
    Ok(true)
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
