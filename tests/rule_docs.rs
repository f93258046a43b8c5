//! The code blocks of every rule's docs run as tests: each block under `## Example` must draw at
//! least one finding of the rule, each block under `## Use instead` none. The fence's language
//! picks the file kind (`dockerfile` or `yaml`). Examples must parse cleanly, except those of
//! `parse-error` itself, so a typo in an example cannot make it "pass" for the wrong reason.
//! Each rule's declared fix kind (`fix: FixAvailability::…`) is checked against the fixes its
//! examples and fixtures produce.

use std::fs;
use std::path::{Path, PathBuf};

use plimsoll::linter::engine::{self, Settings};
use plimsoll::linter::rule::{FixAvailability, Rule};
use plimsoll::workspace::runner::FsWorkspace;
use plimsoll::{FileKind, Finding, SourceFile};

/// A fenced code block: its language tag and body, with the build context the blocks before
/// it describe: a `context` block lists the paths of the context (one per line, a trailing `/`
/// for an empty directory) and a `dockerignore` block its `.dockerignore`. The block then runs
/// as `Dockerfile` at the root of that tree.
struct Block {
    language: String,
    body: String,
    context: Option<String>,
    dockerignore: Option<String>,
}

/// The fenced code blocks of the section `## {heading}` (up to the next `## `).
fn section_blocks(docs: &str, heading: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut in_section = false;
    let mut open: Option<Block> = None;
    let (mut context, mut dockerignore) = (None, None);
    for line in docs.lines() {
        if let Some(block) = open.as_mut() {
            if line.trim_start().starts_with("```") {
                let mut block = open.take().expect("a block is open");
                match block.language.as_str() {
                    "context" => context = Some(block.body),
                    "dockerignore" => dockerignore = Some(block.body),
                    _ => {
                        block.context = context.take();
                        block.dockerignore = dockerignore.take();
                        blocks.push(block);
                    }
                }
            } else {
                block.body.push_str(line);
                block.body.push('\n');
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            in_section = title.trim() == heading;
            continue;
        }
        if in_section && let Some(language) = line.trim_start().strip_prefix("```") {
            open = Some(Block {
                language: language.trim().to_string(),
                body: String::new(),
                context: None,
                dockerignore: None,
            });
        }
    }
    blocks
}

fn kind_of(language: &str) -> Option<FileKind> {
    match language {
        "dockerfile" | "Dockerfile" => Some(FileKind::Dockerfile),
        "yaml" | "yml" => Some(FileKind::Compose),
        _ => None,
    }
}

/// Run one block with only `rule` selected; the findings of `rule`, and the messages of parse
/// errors.
fn run(rule: &Rule, block: &Block) -> Result<(Vec<Finding>, Vec<String>), String> {
    let kind = kind_of(&block.language)
        .ok_or_else(|| format!("code block with unknown language `{}`", block.language))?;
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    let findings = match &block.context {
        None => {
            let source = SourceFile::new("example", block.body.clone(), kind);
            engine::check(&source, &settings)
        }
        Some(paths) => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            for path in paths.lines().map(str::trim).filter(|p| !p.is_empty()) {
                let full = dir.path().join(path);
                if path.ends_with('/') {
                    fs::create_dir_all(&full).map_err(|e| e.to_string())?;
                } else {
                    fs::create_dir_all(full.parent().expect("a parent"))
                        .map_err(|e| e.to_string())?;
                    fs::write(&full, "x\n").map_err(|e| e.to_string())?;
                }
            }
            if let Some(ignore) = &block.dockerignore {
                fs::write(dir.path().join(".dockerignore"), ignore).map_err(|e| e.to_string())?;
            }
            let path = dir.path().join("Dockerfile");
            fs::write(&path, &block.body).map_err(|e| e.to_string())?;
            let source = SourceFile::new(&path, block.body.clone(), kind);
            engine::check_in(&source, &settings, &FsWorkspace::new())
        }
    };
    let parse_errors = findings
        .iter()
        .filter(|f| f.code == plimsoll::linter::rules::PARSE_ERROR.code && rule.code != f.code)
        .map(|f| f.message.clone())
        .collect();
    let own = findings
        .into_iter()
        .filter(|f| f.code == rule.code)
        .collect();
    Ok((own, parse_errors))
}

/// The findings of `rule` alone on each file of its fixtures folder
/// (`tests/fixtures/rules/<name>/`, subfolders excepted), with the file's name.
fn fixture_findings(rule: &Rule) -> Vec<(String, Vec<Finding>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(rule.name);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    files
        .into_iter()
        .filter(|path| path.is_file())
        .filter_map(|path| {
            let kind = FileKind::from_path(&path)?;
            let text = fs::read_to_string(&path).ok()?;
            let source = SourceFile::new(&path, text, kind);
            let findings = engine::check_in(&source, &settings, &FsWorkspace::new())
                .into_iter()
                .filter(|f| f.code == rule.code)
                .collect();
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, findings))
        })
        .collect()
}

/// A rule's declared fix kind holds on what its docs examples and fixtures produce: `None`
/// never emits a fix, `Always` fixes every finding of its `## Example` blocks and fixtures,
/// `Sometimes` fixes at least one finding of them.
#[test]
fn declared_fix_kinds_match_the_fixes_emitted() {
    let mut failures = Vec::new();
    for rule in plimsoll::linter::rules::all() {
        // (where, findings, fixed)
        let mut seen: Vec<(String, usize, usize)> = Vec::new();
        for section in ["Example", "Use instead"] {
            for (index, block) in section_blocks(rule.docs, section).iter().enumerate() {
                // An unrunnable block is reported by `doc_examples_behave_as_documented`.
                if let Ok((findings, _)) = run(rule, block) {
                    let fixed = findings.iter().filter(|f| f.fix.is_some()).count();
                    let place = format!("`## {section}` block {}", index + 1);
                    seen.push((place, findings.len(), fixed));
                }
            }
        }
        for (file, findings) in fixture_findings(rule) {
            let fixed = findings.iter().filter(|f| f.fix.is_some()).count();
            let place = format!("tests/fixtures/rules/{}/{file}", rule.name);
            seen.push((place, findings.len(), fixed));
        }
        let wrong: Vec<String> = match rule.fix {
            FixAvailability::None => seen
                .iter()
                .filter(|(_, _, fixed)| *fixed > 0)
                .map(|(place, _, fixed)| format!("{place} has {fixed} fixed finding(s)"))
                .collect(),
            FixAvailability::Always => seen
                .iter()
                .filter(|(_, findings, fixed)| fixed < findings)
                .map(|(place, findings, fixed)| {
                    format!("{place} has {} finding(s) without a fix", findings - fixed)
                })
                .collect(),
            FixAvailability::Sometimes if seen.iter().all(|(_, _, fixed)| *fixed == 0) => {
                vec!["no example or fixture has a fixed finding".into()]
            }
            FixAvailability::Sometimes => Vec::new(),
        };
        for problem in wrong {
            failures.push(format!(
                "{} ({}) declares `fix: FixAvailability::{:?}`, but {problem}",
                rule.name, rule.code, rule.fix
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "declared fix kinds disagree with the fixes the rules emit:\n{}",
        failures.join("\n")
    );
}

#[test]
fn doc_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in plimsoll::linter::rules::all() {
        let bad = section_blocks(rule.docs, "Example");
        let good = section_blocks(rule.docs, "Use instead");
        if bad.is_empty() || good.is_empty() {
            failures.push(format!(
                "{} ({}): docs need a code block under both `## Example` and `## Use instead`",
                rule.name, rule.code
            ));
        }
        for (section, blocks, want_findings) in
            [("Example", &bad, true), ("Use instead", &good, false)]
        {
            for (index, block) in blocks.iter().enumerate() {
                match run(rule, block) {
                    Err(problem) => failures.push(format!(
                        "{} `## {section}` block {}: {problem}",
                        rule.name,
                        index + 1
                    )),
                    Ok((findings, parse_errors)) => {
                        let count = findings.len();
                        if want_findings && count == 0 {
                            failures.push(format!(
                                "{} `## {section}` block {}: expected a `{}` finding, got none",
                                rule.name,
                                index + 1,
                                rule.name
                            ));
                        }
                        if !want_findings && count > 0 {
                            failures.push(format!(
                                "{} `## {section}` block {}: expected no `{}` finding, got {count}",
                                rule.name,
                                index + 1,
                                rule.name
                            ));
                        }
                        if !parse_errors.is_empty() {
                            failures.push(format!(
                                "{} `## {section}` block {} does not parse: {}",
                                rule.name,
                                index + 1,
                                parse_errors.join("; ")
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "rule docs examples disagree with the rules:\n{}",
        failures.join("\n")
    );
}

#[test]
fn section_blocks_reads_only_its_section() {
    let docs =
        "# x (DF1)\n## Example\n```dockerfile\nFROM a\n```\n## Use instead\n```yaml\nk: v\n```\n";
    let bad = section_blocks(docs, "Example");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].language, "dockerfile");
    assert_eq!(bad[0].body, "FROM a\n");
    let good = section_blocks(docs, "Use instead");
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].body, "k: v\n");
}
