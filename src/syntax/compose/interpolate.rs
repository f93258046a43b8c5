//! Compose's interpolation of one scalar: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, nested
//! `${A:-${B}}`, and `$$` for a literal `$`.
//!
//! Values come only from an [`Environment`] (the project's `.env`), never from plimsoll's own
//! process environment, so the command line and the editor agree. Where Compose would read a
//! variable that the environment lacks and that has no default, the value is *unknown*: rules
//! skip it instead of judging an empty string. A literal default or replacement is text written
//! in the compose file and is judged like any other value.
//!
//! As in Compose, the argument of an operator (a default, an error message, a replacement) is
//! interpolated even when it is not used, so an error inside it fails the whole value. A `$`
//! followed by anything but a name, `{` or `$` is a literal `$`.
//!
//! Interpolation is bounded by an [`ExpansionBudget`]: a value never grows past
//! [`MAX_EXPANDED_VALUE`](crate::syntax::dockerfile::expansion::MAX_EXPANDED_VALUE) bytes, nor a
//! file's values together past the budget of its size.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::syntax::dockerfile::expansion::{ExpansionBudget, OverBudget};
use crate::syntax::span::Span;

/// One variable of an [`Environment`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variable {
    /// `None` when the value is unknown (it uses a variable the env file does not set).
    pub value: Option<String>,
    /// The 1-based line of the env file the variable is set on, when it comes from one.
    pub line: Option<usize>,
    /// The value's span in the env file, when it comes from one.
    pub span: Option<Span>,
}

/// The variables interpolation reads, with the name of the file they come from (for messages:
/// "from .env line 3").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// How messages name the file the variables come from (`.env`); empty when there is none.
    pub file: String,
    vars: HashMap<String, Variable>,
}

impl Environment {
    /// An empty environment whose variables will come from `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            vars: HashMap::new(),
        }
    }

    /// Set `name` (a later value replaces an earlier one, as in an env file).
    pub fn set(&mut self, name: impl Into<String>, variable: Variable) {
        self.vars.insert(name.into(), variable);
    }

    /// Set `name` to `value`, with no file position.
    pub fn set_value(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.set(
            name,
            Variable {
                value: Some(value.into()),
                line: None,
                span: None,
            },
        );
    }

    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.vars.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// The variables, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Variable)> {
        let mut vars: Vec<_> = self.vars.iter().map(|(k, v)| (k.as_str(), v)).collect();
        vars.sort_by(|a, b| a.0.cmp(b.0));
        vars.into_iter()
    }
}

/// The operator of a braced substitution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Form {
    /// `$VAR` or `${VAR}`.
    Plain,
    /// `${VAR:-default}`: the default when unset or empty.
    DefaultIfEmpty,
    /// `${VAR-default}`: the default when unset.
    DefaultIfUnset,
    /// `${VAR:?error}`: an error when unset or empty.
    RequiredNonEmpty,
    /// `${VAR?error}`: an error when unset.
    Required,
    /// `${VAR:+replacement}`: the replacement when set and not empty, else empty.
    ReplaceIfNonEmpty,
    /// `${VAR+replacement}`: the replacement when set, else empty.
    ReplaceIfSet,
}

impl Form {
    /// The operator as written, `""` for [`Form::Plain`].
    pub fn operator(self) -> &'static str {
        match self {
            Form::Plain => "",
            Form::DefaultIfEmpty => ":-",
            Form::DefaultIfUnset => "-",
            Form::RequiredNonEmpty => ":?",
            Form::Required => "?",
            Form::ReplaceIfNonEmpty => ":+",
            Form::ReplaceIfSet => "+",
        }
    }
}

/// Where the text a substitution produced comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Origin {
    /// The variable's value in the environment.
    Environment {
        /// The 1-based line of the env file, when the value comes from one.
        line: Option<usize>,
        span: Option<Span>,
    },
    /// The default or replacement written in the compose file itself (which may hold further
    /// substitutions, recorded on their own).
    Written,
    /// Nothing: a `${VAR:+…}` or `${VAR+…}` whose variable is unset.
    Empty,
    /// The variable is not set and there is no default: the value is unknown.
    Unset,
}

/// One substitution met while interpolating a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Substitution {
    pub name: String,
    pub form: Form,
    /// The `$VAR` or `${…}` text, as a byte range of the interpolated input.
    pub range: Range<usize>,
    /// Where its text comes from.
    pub origin: Origin,
    /// The text it produced, as a byte range of the result (empty when the value is unknown).
    pub output: Range<usize>,
    /// 0 for a substitution written in the value itself, 1 for one inside its default, …
    pub depth: usize,
}

/// Why a value cannot be interpolated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    /// Not a valid substitution (`${}`, `${A`, `${1A}`, `${A:x}`): Compose refuses the file.
    Syntax,
    /// A `${VAR:?message}` or `${VAR?message}` whose variable is not set (or empty).
    Required { name: String, message: String },
    /// The value would grow past the expansion budget.
    TooLarge(OverBudgetKind),
}

/// [`OverBudget`], serializable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OverBudgetKind {
    Value,
    File,
}

impl From<OverBudget> for OverBudgetKind {
    fn from(over: OverBudget) -> Self {
        match over {
            OverBudget::Value => OverBudgetKind::Value,
            OverBudget::File => OverBudgetKind::File,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InterpolationError {
    /// The `$` (or `${`) the problem is at, as a byte range of the input.
    pub range: Range<usize>,
    pub kind: ErrorKind,
}

impl InterpolationError {
    /// The message of a finding, with the text of the substitution as written (`written`).
    pub fn message(&self, written: &str) -> String {
        let text = crate::syntax::excerpt::excerpt(written);
        match &self.kind {
            ErrorKind::Syntax => format!(
                "invalid interpolation `{text}`: write `${{NAME}}`, `${{NAME:-default}}` or \
                 `$$` for a literal `$`; Compose refuses the file"
            ),
            ErrorKind::Required { name, message } => {
                let message = crate::syntax::excerpt::excerpt(message);
                if message.is_empty() {
                    format!("required variable `{name}` is missing a value")
                } else {
                    format!("required variable `{name}` is missing a value: {message}")
                }
            }
            ErrorKind::TooLarge(over) => format!(
                "`{text}` {}; plimsoll treats its value as unknown",
                OverBudget::from(*over).describe()
            ),
        }
    }
}

impl From<OverBudgetKind> for OverBudget {
    fn from(over: OverBudgetKind) -> Self {
        match over {
            OverBudgetKind::Value => OverBudget::Value,
            OverBudgetKind::File => OverBudget::File,
        }
    }
}

/// The interpolation of one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interpolated {
    /// `Ok(Some(text))` when known, `Ok(None)` when a variable without a default is unset.
    pub value: Result<Option<String>, InterpolationError>,
    /// Every substitution, in the order they close (inner ones before the one holding them).
    pub substitutions: Vec<Substitution>,
    /// `(result range, input range)` pairs covering the result when it is known: literal text
    /// maps byte for byte, a top-level substitution's text to the whole `${…}`.
    pieces: Vec<(Range<usize>, Range<usize>)>,
}

impl Interpolated {
    /// Whether the value had anything to interpolate (`$` anywhere).
    pub fn changed(&self, input: &str) -> bool {
        !matches!(&self.value, Ok(Some(text)) if text == input)
    }

    /// The byte range of the input that produced `range` of the result: exact inside literal
    /// text, widened to whole substitutions where it touches them.
    pub fn input_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let mut start = None;
        let mut end = None;
        for (out, input) in &self.pieces {
            let literal = out.len() == input.len() && self.is_literal(input);
            let touches = if range.start == range.end {
                out.start <= range.start && range.start <= out.end
            } else {
                out.start < range.end && range.start < out.end
            };
            if !touches {
                continue;
            }
            let (s, e) = if literal {
                let s = input.start + range.start.saturating_sub(out.start);
                let e = input.start + range.end.min(out.end).saturating_sub(out.start);
                (s, e.max(s))
            } else {
                (input.start, input.end)
            };
            start = Some(start.map_or(s, |x: usize| x.min(s)));
            end = Some(end.map_or(e, |x: usize| x.max(e)));
        }
        Some(start?..end?)
    }

    fn is_literal(&self, input: &Range<usize>) -> bool {
        !self
            .substitutions
            .iter()
            .any(|s| s.depth == 0 && s.range == *input)
    }

    /// The substitutions (nested ones too) whose text overlaps `range` of the result, or that
    /// produced nothing inside it.
    pub fn substitutions_in(&self, range: Range<usize>) -> impl Iterator<Item = &Substitution> {
        self.substitutions.iter().filter(move |s| {
            (s.output.start < range.end && range.start < s.output.end)
                || (s.output.is_empty()
                    && range.start <= s.output.start
                    && s.output.start < range.end)
        })
    }
}

/// Interpolate `input` with `env`, spending `budget`.
pub fn interpolate(input: &str, env: &Environment, budget: &mut ExpansionBudget) -> Interpolated {
    let mut run = Run {
        env,
        budget,
        substitutions: Vec::new(),
        pieces: Vec::new(),
    };
    let value = run
        .eval(input, 0, 0)
        .map(|(text, known)| known.then_some(text));
    let Run {
        substitutions,
        pieces,
        ..
    } = run;
    let pieces = if matches!(value, Ok(Some(_))) {
        pieces
    } else {
        Vec::new()
    };
    Interpolated {
        value,
        substitutions,
        pieces,
    }
}

/// Whether `input` holds anything interpolation would change (a `$`).
pub fn has_substitutions(input: &str) -> bool {
    input.contains('$')
}

struct Run<'a> {
    env: &'a Environment,
    budget: &'a mut ExpansionBudget,
    substitutions: Vec<Substitution>,
    pieces: Vec<(Range<usize>, Range<usize>)>,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The index just past the `}` closing the `${` at the start of `text`, counting nested `${`.
fn closing_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'}' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i + 1);
            }
        } else if b == b'$' && bytes.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        i += 1;
    }
    None
}

impl Run<'_> {
    fn push(
        &mut self,
        out: &mut String,
        piece: &str,
        at: Range<usize>,
    ) -> Result<(), InterpolationError> {
        self.budget
            .push(out, piece)
            .map_err(|over| InterpolationError {
                range: at,
                kind: ErrorKind::TooLarge(over.into()),
            })
    }

    /// Interpolate `text`, which starts at byte `base` of the whole input. Returns the text and
    /// whether it is known. At `depth` 0 the pieces of the result are recorded.
    fn eval(
        &mut self,
        text: &str,
        base: usize,
        depth: usize,
    ) -> Result<(String, bool), InterpolationError> {
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut known = true;
        let mut literal_start = 0;
        let mut i = 0;
        while let Some(dollar) = text.get(i..).and_then(|rest| rest.find('$')).map(|d| i + d) {
            let next = bytes.get(dollar + 1).copied();
            let end = match next {
                Some(b'$') => dollar + 2,
                Some(b'{') => match closing_brace(&text[dollar..]) {
                    Some(len) => dollar + len,
                    None => {
                        return Err(InterpolationError {
                            range: base + dollar..base + text.len(),
                            kind: ErrorKind::Syntax,
                        });
                    }
                },
                Some(b) if is_name_start(b) => {
                    let mut e = dollar + 2;
                    while bytes.get(e).copied().is_some_and(is_name_char) {
                        e += 1;
                    }
                    e
                }
                // A lone `$` is itself.
                _ => {
                    i = dollar + 1;
                    continue;
                }
            };
            // The literal text before the `$`.
            self.literal(&mut out, text, literal_start..dollar, base, depth)?;
            let range = base + dollar..base + end;
            if next == Some(b'$') {
                // `$$`: a literal `$`, two bytes of input for one of output.
                let start = out.len();
                self.push(&mut out, "$", range.clone())?;
                if depth == 0 {
                    self.pieces.push((start..out.len(), range.clone()));
                }
            } else {
                let start = out.len();
                let (value, value_known) =
                    self.substitute(&text[dollar..end], range.clone(), depth)?;
                known &= value_known;
                self.push(&mut out, &value, range.clone())?;
                if depth == 0 {
                    self.pieces.push((start..out.len(), range.clone()));
                }
                // The substitution just recorded (the last one at this depth) produced the text at
                // `start`; nested ones were shifted by `substitute`.
                let shift = start;
                if let Some(last) = self
                    .substitutions
                    .iter_mut()
                    .rev()
                    .find(|s| s.depth == depth && s.range == range)
                {
                    last.output = last.output.start + shift..last.output.end + shift;
                }
                for s in self.substitutions.iter_mut().filter(|s| {
                    s.depth > depth && range.start <= s.range.start && s.range.end <= range.end
                }) {
                    s.output = s.output.start + shift..s.output.end + shift;
                }
            }
            literal_start = end;
            i = end;
        }
        self.literal(&mut out, text, literal_start..text.len(), base, depth)?;
        Ok((out, known))
    }

    fn literal(
        &mut self,
        out: &mut String,
        text: &str,
        range: Range<usize>,
        base: usize,
        depth: usize,
    ) -> Result<(), InterpolationError> {
        if range.is_empty() {
            return Ok(());
        }
        let start = out.len();
        let input = base + range.start..base + range.end;
        self.push(out, &text[range], input.clone())?;
        if depth == 0 {
            self.pieces.push((start..out.len(), input));
        }
        Ok(())
    }

    /// One `$NAME` or `${…}` (`written`, at `range` of the input). Returns its text (relative
    /// output ranges of the recorded substitutions start at 0) and whether it is known.
    fn substitute(
        &mut self,
        written: &str,
        range: Range<usize>,
        depth: usize,
    ) -> Result<(String, bool), InterpolationError> {
        let syntax = || InterpolationError {
            range: range.clone(),
            kind: ErrorKind::Syntax,
        };
        let (inner, inner_offset) = match written.strip_prefix("${") {
            Some(rest) => (rest.strip_suffix('}').ok_or_else(syntax)?, 2),
            None => (&written[1..], 1),
        };
        let bytes = inner.as_bytes();
        if !bytes.first().copied().is_some_and(is_name_start) {
            return Err(syntax());
        }
        let name_len = bytes
            .iter()
            .position(|&b| !is_name_char(b))
            .unwrap_or(bytes.len());
        let name = &inner[..name_len];
        let rest = &inner[name_len..];
        let (form, arg) = if rest.is_empty() {
            (Form::Plain, "")
        } else {
            const FORMS: [(&str, Form); 6] = [
                (":-", Form::DefaultIfEmpty),
                (":?", Form::RequiredNonEmpty),
                (":+", Form::ReplaceIfNonEmpty),
                ("-", Form::DefaultIfUnset),
                ("?", Form::Required),
                ("+", Form::ReplaceIfSet),
            ];
            FORMS
                .iter()
                .find_map(|(op, form)| rest.strip_prefix(op).map(|arg| (*form, arg)))
                .ok_or_else(syntax)?
        };
        let arg_base = range.start + inner_offset + name_len + form.operator().len();
        // The argument is interpolated whether it is used or not, as Compose does.
        let mark = self.substitutions.len();
        let argument = if form == Form::Plain {
            None
        } else {
            Some(self.eval(arg, arg_base, depth + 1)?)
        };
        let variable = self.env.get(name);
        let set = variable.is_some();
        // `None` when set to an unknown value: whether it is empty is unknown too.
        let non_empty = variable.map(|v| v.value.as_ref().map(|text| !text.is_empty()));
        let from_env = |v: &Variable| Origin::Environment {
            line: v.line,
            span: v.span,
        };
        // Which text is used: the variable's, the argument's, nothing, or unknown.
        enum Use<'v> {
            Var(&'v Variable),
            Arg,
            Empty,
            Unknown,
        }
        let used = match (form, variable) {
            (Form::Plain, None) => Use::Unknown,
            (Form::Plain, Some(v)) => Use::Var(v),
            (Form::DefaultIfEmpty, Some(v)) if non_empty != Some(Some(false)) => Use::Var(v),
            (Form::DefaultIfEmpty, _) => Use::Arg,
            (Form::DefaultIfUnset, Some(v)) => Use::Var(v),
            (Form::DefaultIfUnset, None) => Use::Arg,
            (Form::RequiredNonEmpty, Some(v)) if non_empty != Some(Some(false)) => Use::Var(v),
            (Form::Required, Some(v)) => Use::Var(v),
            (Form::RequiredNonEmpty | Form::Required, _) => {
                let message = argument.map(|(text, _)| text).unwrap_or_default();
                return Err(InterpolationError {
                    range,
                    kind: ErrorKind::Required {
                        name: name.to_string(),
                        message,
                    },
                });
            }
            // Whether an unknown value is empty is unknown.
            (Form::ReplaceIfNonEmpty, Some(v)) if non_empty == Some(None) => Use::Var(v),
            (Form::ReplaceIfNonEmpty, _) if non_empty == Some(Some(true)) => Use::Arg,
            (Form::ReplaceIfSet, _) if set => Use::Arg,
            (Form::ReplaceIfNonEmpty | Form::ReplaceIfSet, _) => Use::Empty,
        };
        let (text, known, origin) = match used {
            Use::Var(v) => {
                self.substitutions.truncate(mark);
                match &v.value {
                    Some(text) if form != Form::ReplaceIfNonEmpty => {
                        (text.clone(), true, from_env(v))
                    }
                    _ => (String::new(), false, from_env(v)),
                }
            }
            Use::Arg => {
                let (text, known) = argument.unwrap_or_default();
                (text, known, Origin::Written)
            }
            Use::Empty => {
                self.substitutions.truncate(mark);
                (String::new(), true, Origin::Empty)
            }
            Use::Unknown => (String::new(), false, Origin::Unset),
        };
        self.substitutions.push(Substitution {
            name: name.to_string(),
            form,
            range,
            origin,
            output: 0..text.len(),
            depth,
        });
        Ok((text, known))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        let mut env = Environment::new(".env");
        env.set(
            "TAG",
            Variable {
                value: Some("latest".into()),
                line: Some(3),
                span: None,
            },
        );
        env.set_value("EMPTY", "");
        env.set_value("A", "1");
        env
    }

    fn run(input: &str) -> Interpolated {
        interpolate(input, &env(), &mut ExpansionBudget::for_text(input.len()))
    }

    fn value(input: &str) -> Result<Option<String>, ErrorKind> {
        run(input).value.map_err(|e| e.kind)
    }

    fn known(input: &str) -> String {
        value(input).unwrap().unwrap()
    }

    #[test]
    fn plain_forms() {
        assert_eq!(known("nginx:${TAG}"), "nginx:latest");
        assert_eq!(known("nginx:$TAG"), "nginx:latest");
        assert_eq!(known("$A.b"), "1.b");
        assert_eq!(known("${EMPTY}"), "");
        assert_eq!(known("no variables"), "no variables");
        assert_eq!(value("${UNSET}"), Ok(None));
        assert_eq!(value("x$UNSET"), Ok(None));
        // Names are case-sensitive.
        assert_eq!(value("${tag}"), Ok(None));
    }

    #[test]
    fn defaults() {
        assert_eq!(known("${UNSET:-d}"), "d");
        assert_eq!(known("${EMPTY:-d}"), "d");
        assert_eq!(known("${A:-d}"), "1");
        assert_eq!(known("${UNSET-d}"), "d");
        assert_eq!(known("${EMPTY-d}"), "");
        assert_eq!(known("${A-d}"), "1");
        assert_eq!(known("${UNSET:-}"), "");
        assert_eq!(known("${UNSET:-a-b?c}"), "a-b?c");
        assert_eq!(known("${UNSET-a:?b}"), "a:?b");
    }

    #[test]
    fn replacements() {
        assert_eq!(known("${A:+r}"), "r");
        assert_eq!(known("${EMPTY:+r}"), "");
        assert_eq!(known("${UNSET:+r}"), "");
        assert_eq!(known("${A+r}"), "r");
        assert_eq!(known("${EMPTY+r}"), "r");
        assert_eq!(known("${UNSET+r}"), "");
        assert_eq!(known("${A:+a:-b}"), "a:-b");
        // An unused replacement with an unset variable leaves the value known.
        assert_eq!(known("${UNSET:+${NOPE}}"), "");
    }

    #[test]
    fn required() {
        assert_eq!(known("${A:?must}"), "1");
        assert_eq!(known("${EMPTY?must}"), "");
        assert_eq!(
            value("${EMPTY:?must be set}"),
            Err(ErrorKind::Required {
                name: "EMPTY".into(),
                message: "must be set".into()
            })
        );
        assert_eq!(
            value("x ${UNSET?}"),
            Err(ErrorKind::Required {
                name: "UNSET".into(),
                message: String::new()
            })
        );
        let got = run("x ${UNSET:?${A}}");
        assert_eq!(got.value.as_ref().unwrap_err().range, 2..16);
        assert_eq!(
            got.value.unwrap_err().kind,
            ErrorKind::Required {
                name: "UNSET".into(),
                message: "1".into()
            }
        );
        // The default is interpolated even when it is not used, as in Compose.
        assert!(matches!(
            value("${A:-${UNSET:?x}}"),
            Err(ErrorKind::Required { .. })
        ));
        assert!(matches!(
            value("${UNSET:+${UNSET:?x}}"),
            Err(ErrorKind::Required { .. })
        ));
    }

    #[test]
    fn nesting_and_escapes() {
        assert_eq!(known("${UNSET:-${A}}"), "1");
        assert_eq!(known("${UNSET:-${NOPE:-${TAG}}x}"), "latestx");
        assert_eq!(value("${UNSET:-${NOPE}}"), Ok(None));
        assert_eq!(known("${A:-${NOPE}}"), "1");
        assert_eq!(known("$$A"), "$A");
        assert_eq!(known("$${A}"), "${A}");
        assert_eq!(known("${UNSET:-$$x}"), "$x");
        assert_eq!(known("$"), "$");
        assert_eq!(known("a$"), "a$");
        assert_eq!(known("$-"), "$-");
        assert_eq!(known("$ x"), "$ x");
        assert_eq!(known("$1"), "$1");
        assert_eq!(known("$é"), "$é");
        assert_eq!(known("${A}}"), "1}");
        assert_eq!(known("${UNSET:-a}}"), "a}");
        assert_eq!(known("${UNSET:-{x}}"), "{x}");
        assert_eq!(known("$A$"), "1$");
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "${}",
            "${A",
            "x${A",
            "${1A}",
            "${A:x}",
            "${A/x}",
            "${A:-x",
            "${ A}",
            "${A }",
            "${U:-${A}",
            "${A:-${}}",
            "${A%%x}",
        ] {
            assert_eq!(value(bad), Err(ErrorKind::Syntax), "{bad}");
        }
        let got = run("ab ${A:x} c");
        assert_eq!(got.value.unwrap_err().range, 3..9);
        let got = run("ab ${A");
        assert_eq!(got.value.unwrap_err().range, 3..6);
    }

    #[test]
    fn records_origins_and_ranges() {
        let got = run("nginx:${TAG}");
        assert_eq!(got.substitutions.len(), 1);
        let s = &got.substitutions[0];
        assert_eq!(s.name, "TAG");
        assert_eq!(s.range, 6..12);
        assert_eq!(s.output, 6..12);
        assert_eq!(
            s.origin,
            Origin::Environment {
                line: Some(3),
                span: None
            }
        );
        assert_eq!(got.input_range(6..12), Some(6..12));
        assert_eq!(got.input_range(0..5), Some(0..5));
        assert_eq!(got.input_range(8..9), Some(6..12));

        let got = run("x${PASS:-hunter2}y");
        let s = &got.substitutions[0];
        assert_eq!(s.origin, Origin::Written);
        assert_eq!(s.output, 1..8);
        assert_eq!(got.input_range(1..8), Some(1..17));
        assert_eq!(got.input_range(8..9), Some(17..18));

        let got = run("a${UNSET:-b${TAG}}");
        let inner = got.substitutions.iter().find(|s| s.name == "TAG").unwrap();
        assert_eq!(inner.depth, 1);
        assert_eq!(inner.range, 11..17);
        assert_eq!(inner.output, 2..8);
        let outer = got
            .substitutions
            .iter()
            .find(|s| s.name == "UNSET")
            .unwrap();
        assert_eq!(outer.output, 1..8);
        assert_eq!(got.value, Ok(Some("ablatest".into())));

        let got = run("$$x${A}");
        assert_eq!(got.value, Ok(Some("$x1".into())));
        assert_eq!(got.input_range(1..2), Some(2..3));
        assert_eq!(got.input_range(0..1), Some(0..2));
        assert_eq!(got.substitutions[0].output, 2..3);

        let got = run("${UNSET}");
        assert_eq!(got.substitutions[0].origin, Origin::Unset);
        let got = run("${UNSET:+x}");
        assert_eq!(got.substitutions[0].origin, Origin::Empty);
    }

    #[test]
    fn set_to_an_unknown_value() {
        let mut env = env();
        env.set(
            "U",
            Variable {
                value: None,
                line: Some(1),
                span: None,
            },
        );
        let value = |input: &str| {
            interpolate(input, &env, &mut ExpansionBudget::for_text(0))
                .value
                .map_err(|e| e.kind)
        };
        assert_eq!(value("${U}"), Ok(None));
        assert_eq!(value("${U:-d}"), Ok(None));
        assert_eq!(value("${U-d}"), Ok(None));
        assert_eq!(value("${U:?e}"), Ok(None));
        assert_eq!(value("${U?e}"), Ok(None));
        assert_eq!(value("${U:+r}"), Ok(None));
        assert_eq!(value("${U+r}"), Ok(Some("r".into())));
    }

    #[test]
    fn bounded() {
        let mut env = Environment::new(".env");
        env.set_value("BIG", "x".repeat(40 * 1024));
        let mut budget = ExpansionBudget::for_text(10);
        let got = interpolate("${BIG}${BIG}", &env, &mut budget);
        assert!(matches!(
            got.value.unwrap_err().kind,
            ErrorKind::TooLarge(OverBudgetKind::Value)
        ));
        // The file's budget runs out after enough values.
        let mut budget = ExpansionBudget::for_text(0);
        let mut last = None;
        for _ in 0..40 {
            last = Some(interpolate("${BIG}", &env, &mut budget).value);
        }
        assert!(matches!(
            last.unwrap().unwrap_err().kind,
            ErrorKind::TooLarge(OverBudgetKind::File)
        ));
    }
}
