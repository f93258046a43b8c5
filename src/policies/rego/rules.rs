//! The policy rules of a Rego set: one per package, plus one per result rule with its own code.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{PolicyRuleDecl, RuleRef, Target};
use crate::policies::template::PolicyRule;

use super::compile::RegoSet;
use super::eval::RegoCheck;
use super::metadata::{Metadata, RegoFile, ResultKind, result_kind};
use super::{InputFormat, Problem};

/// The policy rules of a compiled (or not) set: one per package with result rules, plus one
/// per result rule with its own `custom.code`.
pub(super) fn policy_rules(set: &Arc<RegoSet>, taken: &[(&str, &str)]) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut packages: Vec<&str> = Vec::new();
    for file in &set.files {
        if !packages.contains(&file.package.as_str()) && !file.package.is_empty() {
            packages.push(&file.package);
        }
    }
    for package in packages {
        let files: Vec<&RegoFile> = set.files.iter().filter(|f| f.package == package).collect();
        let package_meta = files
            .iter()
            .flat_map(|f| f.metadata.iter())
            .find(|m| m.package_scope)
            .cloned()
            .unwrap_or_default();
        let exception = files
            .iter()
            .any(|f| f.rules.iter().any(|r| r.name == "exception"));
        let input = package_meta
            .input
            .or_else(|| files.iter().find_map(|f| f.declared_input()))
            .unwrap_or(if package == "main" || package.starts_with("main.") {
                InputFormat::Conftest
            } else {
                InputFormat::Plimsoll
            });
        // Result rules, each with the rule-scoped METADATA just above it (if any).
        let mut grouped: Vec<Group> = Vec::new();
        for file in &files {
            for head in &file.rules {
                let Some(kind) = result_kind(&head.name) else {
                    continue;
                };
                // A rule defined in several files of the package is evaluated once.
                if grouped
                    .iter()
                    .any(|g| g.1.iter().any(|(name, _)| *name == head.name))
                {
                    continue;
                }
                let own = file
                    .metadata
                    .iter()
                    .find(|m| !m.package_scope && m.line == head.line && m.code.is_some())
                    .cloned();
                match own {
                    Some(meta) => {
                        if let Some(group) = grouped.iter_mut().find(|g| {
                            g.0.as_ref().and_then(|m| m.code.as_ref()) == meta.code.as_ref()
                        }) {
                            group.1.push((head.name.clone(), kind));
                        } else {
                            grouped.push((
                                Some(meta),
                                vec![(head.name.clone(), kind)],
                                file.path.clone(),
                                head.line,
                            ));
                        }
                    }
                    None => {
                        if let Some(group) = grouped.iter_mut().find(|g| g.0.is_none()) {
                            group.1.push((head.name.clone(), kind));
                        } else {
                            grouped.push((
                                None,
                                vec![(head.name.clone(), kind)],
                                file.path.clone(),
                                file.package_line,
                            ));
                        }
                    }
                }
            }
        }
        for (own, results, path, line) in grouped {
            let first = results.first().map_or("", |(name, _)| name.as_str());
            let name_default = match &own {
                Some(_) => format!("rego-{}-{}", kebab(package), kebab(first)),
                None => format!("rego-{}", kebab(package)),
            };
            let meta = own.unwrap_or_else(|| package_meta.clone());
            let code = meta.code.clone().unwrap_or_else(|| default_code(package));
            let name = meta
                .name
                .clone()
                .or_else(|| meta.title.as_deref().map(kebab))
                .filter(|n| !n.is_empty())
                .unwrap_or(name_default);
            let clash = taken
                .iter()
                .copied()
                .chain(out.iter().map(|p| (p.rule.code(), p.rule.name())))
                .chain(crate::linter::rules::all().iter().map(|r| (r.code, r.name)))
                .find(|(c, n)| c.eq_ignore_ascii_case(&code) || *n == name);
            if let Some((c, n)) = clash {
                set.record(Problem {
                    path: path.clone(),
                    line,
                    column: 1,
                    message: format!(
                        "policy rule `{code}` ({name}) clashes with rule `{c}` ({n}); give it \
                         another `custom.code`/`custom.name` in its `# METADATA`"
                    ),
                });
                continue;
            }
            let summary = meta
                .title
                .clone()
                .unwrap_or_else(|| format!("Rego policy `{package}`"));
            let mut docs = format!("# {name}\n\n{summary}\n");
            if let Some(description) = &meta.description {
                docs.push('\n');
                docs.push_str(description.trim_end());
                docs.push('\n');
            }
            docs.push_str(&format!(
                "\nRego policy `data.{package}` declared in `{}` (line {line}); result rules: {}.\n",
                path.display(),
                results
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let kinds = meta.kinds.or(package_meta.kinds).unwrap_or(Target::Any);
            let check = RegoCheck {
                set: Arc::clone(set),
                package: package.to_string(),
                results,
                exception,
                input,
                kinds,
                path: path.clone(),
                line,
                disabled: AtomicBool::new(false),
            };
            let rule = RuleRef::from(PolicyRuleDecl {
                code,
                name,
                summary,
                target: kinds,
                category: meta
                    .category
                    .or(package_meta.category)
                    .unwrap_or(Category::Correctness),
                severity: meta
                    .severity
                    .or(package_meta.severity)
                    .unwrap_or(Severity::Error),
                default_enabled: true,
                related: meta.related.clone(),
                docs,
                options: &[],
                check: Box::new(check),
            });
            out.push(PolicyRule {
                rule,
                options: Vec::new(),
                path,
                line,
                examples: Vec::new(),
            });
        }
    }
    out
}

/// Result rules reported under one policy rule: their own METADATA (none: the package's), the
/// rules, and where the group is declared.
pub(super) type Group = (Option<Metadata>, Vec<(String, ResultKind)>, PathBuf, usize);

/// `acme.docker_rules` → `acme-docker-rules`.
pub(super) fn kebab(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The code of a package without `custom.code`: `RG` and four digits from a hash of the
/// package path (stable across runs and machines).
pub(super) fn default_code(package: &str) -> String {
    // FNV-1a: small, stable, no dependency.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in package.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("RG{:04}", hash % 10_000)
}
