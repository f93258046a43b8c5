//! `plimsoll rules` and `plimsoll rule NAME`: the rule catalogue and one rule's documentation.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::linter::catalogue::{Catalogue, documented_rules};
use crate::linter::diagnostic::Severity;
use crate::linter::rule::RuleRef;
use crate::linter::rule::{FixAvailability, Status, Target};
use crate::linter::selection::closest;

use super::{Failure, policies_in_effect};

#[derive(Debug, Args)]
pub(super) struct RulesArgs {
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
    /// List the policy rules of this config file too (default: the nearest `.plimsoll.yaml`).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(super) enum ListFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub(super) struct RuleArgs {
    /// A rule code (`PL000`) or name (`parse-error`), or a policy rule's.
    rule: String,
    /// Look policy rules up in this config file (default: the nearest `.plimsoll.yaml`).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

/// The built-in rules, then the policy rules of the config in effect.
pub(super) fn rules_in_effect(config: Option<&PathBuf>) -> Result<Vec<RuleRef>, Failure> {
    let policies = policies_in_effect(None, config)?;
    let catalogue = Catalogue::new(policies.into_iter().map(|p| p.rule), Vec::new());
    Ok(catalogue.rules().collect())
}

pub(super) fn list_rules(args: &RulesArgs) -> Result<ExitCode, Failure> {
    let all_rules = rules_in_effect(args.config.as_ref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ListFormat::Json => {
            let all: Vec<_> = all_rules.iter().map(|rule| rule_json(rule)).collect();
            serde_json::to_writer_pretty(&mut out, &all).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let header = ["CODE", "NAME", "CATEGORY", "SEVERITY", "DEFAULT", "SUMMARY"];
            let rows: Vec<[String; 6]> = all_rules
                .iter()
                .map(|rule| {
                    [
                        rule.code().to_string(),
                        rule.name().to_string(),
                        rule.category().to_string(),
                        rule.severity().to_string(),
                        if rule.default_enabled() { "yes" } else { "no" }.to_string(),
                        rule.summary().to_string(),
                    ]
                })
                .collect();
            let mut widths = header.map(str::len);
            for row in &rows {
                for (width, cell) in widths.iter_mut().zip(row) {
                    *width = (*width).max(cell.chars().count());
                }
            }
            let header = header.map(str::to_string);
            for row in std::iter::once(&header).chain(&rows) {
                let mut line = String::new();
                for (i, cell) in row.iter().enumerate().take(5) {
                    line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
                }
                line.push_str(&row[5]);
                writeln!(out, "{line}")?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// All the metadata of a rule, for `plimsoll rules --format json` (fields in declaration order).
#[derive(serde::Serialize)]
pub(super) struct RuleJson<'a> {
    code: &'a str,
    name: &'a str,
    summary: &'a str,
    target: Target,
    category: crate::linter::diagnostic::Category,
    severity: Severity,
    default_enabled: bool,
    fix: FixAvailability,
    status: Status,
    since: &'a str,
    related: Vec<&'a str>,
    /// The options the rule takes in the configuration.
    options: Vec<serde_json::Value>,
}

/// One rule option for `plimsoll rules --format json`: name, type, default, description (and the
/// allowed values or range when the type has them).
pub(super) fn option_json(option: &crate::linter::rule::RuleOption) -> serde_json::Value {
    let mut value = serde_json::json!({
        "name": option.name,
        "type": option.kind.type_name(),
        "default": option.kind.default_value(),
        "description": option.description,
    });
    match option.kind {
        crate::linter::rule::OptionKind::Choice { choices, .. }
        | crate::linter::rule::OptionKind::ChoiceMap { choices, .. } => {
            value["choices"] = serde_json::json!(choices);
        }
        crate::linter::rule::OptionKind::Integer { min, max, .. } => {
            value["minimum"] = min.into();
            value["maximum"] = max.into();
        }
        _ => {}
    }
    value
}

pub(super) fn rule_json(rule: &RuleRef) -> RuleJson<'_> {
    RuleJson {
        code: rule.code(),
        name: rule.name(),
        summary: rule.summary(),
        target: rule.target(),
        category: rule.category(),
        severity: rule.severity(),
        default_enabled: rule.default_enabled(),
        fix: rule.fix(),
        status: rule.status(),
        since: rule.since(),
        related: rule.related(),
        options: rule.options().iter().map(option_json).collect(),
    }
}

pub(super) fn show_rule(args: &RuleArgs) -> Result<ExitCode, Failure> {
    let code_or_name = args.rule.as_str();
    // The rules of findings that other commands report (`plimsoll pin --check`, policy
    // problems) have docs too.
    let builtin = documented_rules()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name);
    let all_rules = match builtin {
        Some(rule) => vec![RuleRef::Builtin(rule)],
        None => rules_in_effect(args.config.as_ref())?,
    };
    let found = all_rules
        .iter()
        .find(|rule| rule.code().eq_ignore_ascii_case(code_or_name) || rule.name() == code_or_name);
    let Some(rule) = found else {
        let mut message = format!("unknown rule `{code_or_name}`");
        let candidates = all_rules.iter().flat_map(|rule| [rule.code(), rule.name()]);
        if let Some(close) = closest(code_or_name, candidates) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        message.push_str(" (`plimsoll rules` lists them all)");
        return Err(Failure::Message(message));
    };
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "{}\n", rule_header(rule))?;
    write!(out, "{}", rule.docs())?;
    if !rule.docs().ends_with('\n') {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `PL000 parse-error · correctness · error · enabled by default · fix: none · stable since 0.1.0`
pub(super) fn rule_header(rule: &RuleRef) -> String {
    let target = match rule.target() {
        Target::Dockerfile => "Dockerfile",
        Target::Compose => "compose",
        Target::Any => "Dockerfile and compose",
    };
    let enabled = if rule.default_enabled() {
        "enabled by default"
    } else {
        "disabled by default"
    };
    let fix = match rule.fix() {
        FixAvailability::None => "no fix",
        FixAvailability::Sometimes => "fix sometimes available",
        FixAvailability::Always => "fix available",
    };
    let status = match rule.status() {
        Status::Stable => "stable",
        Status::Preview => "preview",
    };
    let origin = if rule.is_policy() {
        "policy rule".to_string()
    } else {
        format!("{status} since {}", rule.since())
    };
    let mut header = format!(
        "{} {} · {target} · {} · {} · {enabled} · {fix} · {origin}",
        rule.code(),
        rule.name(),
        rule.category(),
        rule.severity()
    );
    let related = rule.related();
    if !related.is_empty() {
        header.push_str(&format!(" · related: {}", related.join(", ")));
    }
    header
}
