//! Rule selection: which rules a selector names (code, name, category, code prefix, `all`), the
//! layers of `select` / `extend-select` / `ignore` resolved into [`Settings`], and the error and
//! did-you-mean text for a selector that names nothing. The engine, config files, inline
//! suppressions and the command line all select rules through here.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::RuleOptions;
use crate::linter::rule::{RuleCode, RuleRef};
use crate::linter::rules;
use crate::semantic::NonRootImages;

/// Which rules run, at what severity and with which options, for one file.
#[derive(Clone, Debug)]
pub struct Settings {
    enabled: Vec<RuleRef>,
    /// Severity overrides by rule code (the last one for a code wins).
    severities: Vec<(String, Severity)>,
    /// Options by rule code, for rules that declare options (defaults filled in).
    options: Vec<(String, RuleOptions)>,
    /// Inline suppressions must carry a `-- reason`.
    pub strict: bool,
    /// Policy rules known to these settings (enabled or not), besides the built-in ones.
    policies: Vec<RuleRef>,
    /// Base images known to run as a non-root user: the built-in table and the config's
    /// `non-root-images`.
    pub non_root_images: NonRootImages,
    /// Run ShellCheck on RUN scripts when the workspace can (`shellcheck: off` clears it).
    pub shellcheck: bool,
    /// The layers, kept to decide which ShellCheck codes (`SC2086`) are enabled.
    layers: Vec<Selection>,
}

impl Default for Settings {
    fn default() -> Self {
        Self::from_layers(&[])
    }
}

/// One layer of rule selection: a config file, an override block, or the command line.
/// Layers apply in order: `select` (when given) replaces the enabled set, then `extend_select`
/// adds to it, then `ignore` removes from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

/// A selector names rules: a code (`DF001`), a name (`latest-tag`), a category (`secrets`),
/// a code prefix (`DF`, `DC0`) or `all`.
pub fn matches_selector(rule: &RuleRef, selector: &str) -> bool {
    let code = rule.code();
    selector.eq_ignore_ascii_case("all")
        || code.eq_ignore_ascii_case(selector)
        || rule.name() == selector
        || rule.category().as_str() == selector
        || (selector.len() < code.len()
            && selector.chars().all(|c| c.is_ascii_alphanumeric())
            && code
                .get(..selector.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector)))
}

/// Whether `selector` names the ShellCheck code `code` (`SC2086`): the whole family (`all`,
/// `shellcheck`, `DF090`, its category) or a code prefix (`SC`, `SC20`, `SC2086`).
pub fn matches_shellcheck_code(selector: &str, code: &str) -> bool {
    matches_selector(&RuleRef::Builtin(&rules::SHELLCHECK), selector)
        || (is_shellcheck_code(selector) || selector.eq_ignore_ascii_case("SC"))
            && code.len() >= selector.len()
            && code
                .get(..selector.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector))
}

/// Whether `selector` names ShellCheck codes without naming the whole family: `SC`, `SC2086`.
fn names_shellcheck_codes(selector: &str) -> bool {
    selector.eq_ignore_ascii_case("SC") || is_shellcheck_code(selector)
}

/// `SC2086`-like: `SC` and digits.
pub fn is_shellcheck_code(text: &str) -> bool {
    text.len() > 2
        && text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SC"))
        && text[2..].bytes().all(|b| b.is_ascii_digit())
}

/// `true` when `selector` names at least one rule.
pub fn is_known_selector(selector: &str) -> bool {
    names_shellcheck_codes(selector)
        || rules::all()
            .iter()
            .any(|&rule| matches_selector(&RuleRef::Builtin(rule), selector))
}

impl Settings {
    /// Settings that run exactly the rules `select` names (all defaults when `select` is empty),
    /// plus `extend_select`, minus `ignore`.
    pub fn from_selectors(select: &[String], extend_select: &[String], ignore: &[String]) -> Self {
        Self::from_layers(&[Selection {
            select: (!select.is_empty()).then(|| select.to_vec()),
            extend_select: extend_select.to_vec(),
            ignore: ignore.to_vec(),
        }])
    }

    /// The default rules, then each layer in order (see [`Selection`]).
    pub fn from_layers(layers: &[Selection]) -> Self {
        Self::with_policies(&[], layers)
    }

    /// Like [`Settings::from_layers`], with policy rules (from policy files) selectable too;
    /// they run after the built-in rules.
    pub fn with_policies(policies: &[RuleRef], layers: &[Selection]) -> Self {
        let universe: Vec<RuleRef> = rules::all()
            .iter()
            .map(|&rule| RuleRef::Builtin(rule))
            .chain(policies.iter().cloned())
            .collect();
        let mut on: Vec<bool> = universe.iter().map(RuleRef::default_enabled).collect();
        for layer in layers {
            for (rule, on) in universe.iter().zip(on.iter_mut()) {
                // The ShellCheck family runs when any of its codes is selected; ignoring one
                // code leaves the others running.
                let family = rule.code() == rules::SHELLCHECK.code;
                let selects =
                    |s: &String| matches_selector(rule, s) || family && names_shellcheck_codes(s);
                if let Some(select) = &layer.select {
                    *on = select.iter().any(selects);
                }
                if layer.extend_select.iter().any(selects) {
                    *on = true;
                }
                let ignores = |s: &String| {
                    matches_selector(rule, s) || family && s.eq_ignore_ascii_case("SC")
                };
                if layer.ignore.iter().any(ignores) {
                    *on = false;
                }
            }
        }
        let mut enabled: Vec<RuleRef> = universe
            .into_iter()
            .zip(on)
            .filter(|(_, on)| *on)
            .map(|(rule, _)| rule)
            .collect();
        // The reserved parse-error rule always runs: a file that cannot be read must say so.
        if !enabled.iter().any(|r| r.code() == rules::PARSE_ERROR.code) {
            enabled.insert(0, RuleRef::Builtin(&rules::PARSE_ERROR));
        }
        let options = enabled
            .iter()
            .filter(|rule| !rule.options().is_empty())
            .map(|rule| {
                let options = RuleOptions::resolve(rule.options(), []);
                (rule.code().to_string(), options)
            })
            .collect();
        Self {
            enabled,
            severities: Vec::new(),
            options,
            strict: false,
            policies: policies.to_vec(),
            non_root_images: NonRootImages::default(),
            shellcheck: true,
            layers: layers.to_vec(),
        }
    }

    /// Whether ShellCheck's findings of `code` (`SC2086`) are reported: the family is enabled
    /// and the layers, read as for a rule of that code, leave it on.
    pub fn shellcheck_code_enabled(&self, code: &str) -> bool {
        if !self.is_enabled(&rules::SHELLCHECK) {
            return false;
        }
        let mut on = rules::SHELLCHECK.default_enabled;
        for layer in &self.layers {
            let named = |s: &String| matches_shellcheck_code(s, code);
            if let Some(select) = &layer.select {
                on = select.iter().any(named);
            }
            if layer.extend_select.iter().any(named) {
                on = true;
            }
            if layer.ignore.iter().any(named) {
                on = false;
            }
        }
        on
    }

    /// The policy rules these settings know (enabled or not).
    pub fn policies(&self) -> &[RuleRef] {
        &self.policies
    }

    pub fn enabled(&self) -> &[RuleRef] {
        &self.enabled
    }

    pub fn is_enabled(&self, rule: &(impl RuleCode + ?Sized)) -> bool {
        let code = rule.code();
        self.enabled.iter().any(|r| r.code() == code)
    }

    /// Report `rule`'s findings at `severity` instead of its default.
    pub fn set_severity(&mut self, rule: &(impl RuleCode + ?Sized), severity: Severity) {
        let code = rule.code();
        self.severities.retain(|(known, _)| known != code);
        self.severities.push((code.to_string(), severity));
    }

    /// The severity the findings of the built-in `rule` get.
    pub fn severity_of(&self, rule: &crate::linter::rule::Rule) -> Severity {
        self.severity_for_code(rule.code).unwrap_or(rule.severity)
    }

    /// The configured severity of findings of `code`. A ShellCheck code (`SC2086`) also takes
    /// the severity set for a prefix of it (`SC`, `SC20`) or for the family (`DF090`), the one
    /// set last winning.
    pub(crate) fn severity_for_code(&self, code: &str) -> Option<Severity> {
        if is_shellcheck_code(code) {
            return self
                .severities
                .iter()
                .rev()
                .find(|(c, _)| c == rules::SHELLCHECK.code || matches_shellcheck_code(c, code))
                .map(|(_, severity)| *severity);
        }
        self.severities
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, severity)| *severity)
    }

    /// Report the findings of the ShellCheck codes `selector` names (`SC2086`, `SC`) at
    /// `severity`.
    pub fn set_shellcheck_severity(&mut self, selector: &str, severity: Severity) {
        self.severities.retain(|(known, _)| known != selector);
        self.severities.push((selector.to_string(), severity));
    }

    /// Set `rule`'s options (already validated against its declaration).
    pub fn set_options(&mut self, rule: &(impl RuleCode + ?Sized), options: RuleOptions) {
        let code = rule.code();
        self.options.retain(|(known, _)| known != code);
        self.options.push((code.to_string(), options));
    }

    /// `rule`'s options: configured values over its declared defaults.
    pub fn options_for(&self, rule: &(impl RuleCode + ?Sized)) -> &RuleOptions {
        static EMPTY: RuleOptions = RuleOptions::EMPTY;
        let code = rule.code();
        self.options
            .iter()
            .find(|(known, _)| known == code)
            .map_or(&EMPTY, |(_, options)| options)
    }
}

/// `unknown rule` for a selector in a config file or a suppression comment, with a suggestion.
pub fn unknown_selector(selector: &str) -> String {
    let mut message = format!(
        "unknown rule `{}` (expected a rule code, name, category, code prefix or `all`)",
        crate::syntax::excerpt::first_line(selector, crate::syntax::excerpt::FILE_TEXT_CHARS)
    );
    push_suggestion(&mut message, selector);
    message
}

/// `unknown rule selector` for a selector given to the command-line `option`, with a suggestion.
pub fn unknown_selector_in_option(option: &str, selector: &str) -> String {
    let mut message = format!(
        "unknown rule selector `{selector}` in {option} \
         (expected a rule code, name, category, code prefix or `all`)"
    );
    push_suggestion(&mut message, selector);
    message
}

/// `; did you mean `…`?` with the built-in rule code, name or category nearest to `selector`.
fn push_suggestion(message: &mut String, selector: &str) {
    let candidates = rules::all()
        .iter()
        .flat_map(|rule| [rule.code, rule.name])
        .chain(Category::ALL.iter().map(|c| c.as_str()));
    if let Some(close) = closest(selector, candidates) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
}

/// The candidate nearest to `input` (Levenshtein, ignoring ASCII case), if it is near enough to
/// be a likely typo: at most a third of the candidate's length, and at least one edit.
pub fn closest<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_ascii_lowercase();
    candidates
        .map(|candidate| {
            let distance = strsim::levenshtein(&input, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|&(distance, candidate)| distance <= (candidate.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_rule() {
        let names = ["parse-error", "duplicate-key", "PL000"];
        assert_eq!(
            closest("parse-eror", names.into_iter()),
            Some("parse-error")
        );
        assert_eq!(closest("pl001", names.into_iter()), Some("PL000"));
        assert_eq!(closest("something-else", names.into_iter()), None);
    }
}
