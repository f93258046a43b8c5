//! `plimsoll test`: the rules' documented examples and the policies' examples (and Rego unit
//! tests), run as checks.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::linter::rule::Rule;
use crate::linter::rule::RuleRef;
use crate::linter::rules;
use crate::linter::selection::{self};
use crate::syntax::excerpt::printable;
use crate::workspace::config;

use super::{Failure, policies_and_dirs_in_effect};

#[derive(Debug, Args)]
pub(super) struct TestArgs {
    /// Test the policies of the config that applies in this directory (default: `.`).
    dir: Option<PathBuf>,
    /// Use this config file (and its policies) instead of the nearest `.plimsoll.yaml`.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Only the rules these selectors name (codes, names, categories, code prefixes, `all`).
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    select: Vec<String>,
}

/// `plimsoll test`: run the rules' doc examples and the policies' examples, list the failures.
pub(super) fn test_examples(args: &TestArgs) -> Result<ExitCode, Failure> {
    let (policies, dirs, mut sets) =
        policies_and_dirs_in_effect(args.dir.as_deref(), args.config.as_ref())?;
    for selector in &args.select {
        if !selection::is_known_selector(selector)
            && !policies
                .iter()
                .any(|p| selection::matches_selector(&p.rule, selector))
        {
            return Err(Failure::Message(selection::unknown_selector_in_option(
                "--select", selector,
            )));
        }
    }
    let selected_policies: Vec<&crate::policies::template::PolicyRule> = policies
        .iter()
        .filter(|p| {
            args.select.is_empty()
                || args
                    .select
                    .iter()
                    .any(|s| selection::matches_selector(&p.rule, s))
        })
        .collect();
    let (policy_ran, policy_failures) =
        crate::policies::examples::run_policies(selected_policies.iter().copied());
    let selected: Vec<&'static Rule> = rules::all()
        .iter()
        .copied()
        .filter(|&rule| {
            args.select.is_empty()
                || args
                    .select
                    .iter()
                    .any(|s| selection::matches_selector(&RuleRef::Builtin(rule), s))
        })
        .collect();
    let (ran, failures) = crate::policies::examples::run_all(&selected);
    let mut out = BufWriter::new(io::stdout().lock());
    for failure in &failures {
        writeln!(
            out,
            "FAIL {} {} ({}): {}",
            failure.rule.code,
            failure.rule.name,
            failure.example,
            printable(&failure.message)
        )?;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    for failure in &policy_failures {
        let path = failure.path.strip_prefix(&cwd).unwrap_or(&failure.path);
        writeln!(
            out,
            "FAIL {} {} ({}:{}: {}): {}",
            failure.rule.code(),
            failure.rule.name(),
            path.display(),
            failure.line,
            failure.example,
            printable(&failure.message)
        )?;
    }
    // Rego unit tests (`test_*` rules) of the policy directories; `--select` does not filter
    // them (they belong to no rule).
    let mut rego_ran = 0;
    let mut rego_failed = 0;
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in &dirs {
        if seen.contains(dir) {
            continue;
        }
        seen.push(dir.clone());
        let Some((set, _)) =
            crate::policies::rego::load_dir(&mut sets, dir, config::policy::rego_files(dir), &[])
        else {
            continue;
        };
        for problem in set.problems() {
            let path = problem.path.strip_prefix(&cwd).unwrap_or(&problem.path);
            writeln!(
                out,
                "FAIL {}:{}:{}: {}",
                path.display(),
                problem.line,
                problem.column,
                printable(&problem.message)
            )?;
            rego_failed += 1;
        }
        for test in set.tests() {
            rego_ran += 1;
            if let Err(message) = set.run_test(&test) {
                rego_failed += 1;
                let path = test.path.strip_prefix(&cwd).unwrap_or(&test.path);
                writeln!(
                    out,
                    "FAIL data.{}.{} ({}:{}): {}",
                    test.package,
                    test.name,
                    path.display(),
                    test.line,
                    printable(&message)
                )?;
            }
        }
    }
    let rule_count = selected.len() + selected_policies.len();
    let failed = failures.len() + policy_failures.len() + rego_failed;
    let of_rego = match rego_ran {
        0 => String::new(),
        1 => ", 1 Rego test".to_string(),
        n => format!(", {n} Rego tests"),
    };
    let of_policies = match selected_policies.len() {
        0 => String::new(),
        1 => " (1 policy rule)".to_string(),
        n => format!(" ({n} policy rules)"),
    };
    writeln!(
        out,
        "{} examples of {rule_count} {}{of_policies}{of_rego}: {}",
        ran + policy_ran,
        if rule_count == 1 { "rule" } else { "rules" },
        if failed == 0 {
            "all passed".to_string()
        } else {
            format!("{failed} failed")
        }
    )?;
    out.flush()?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
