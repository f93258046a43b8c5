//! The code blocks of every rule's docs run as tests: each block under `## Example` must draw at
//! least one finding of the rule, each block under `## Use instead` none. The fence's language
//! picks the file kind (`dockerfile` or `yaml`). Examples must parse cleanly, except those of
//! `parse-error` itself, so a typo in an example cannot make it "pass" for the wrong reason.

use plimsoll::engine::{self, Settings};
use plimsoll::rule::Rule;
use plimsoll::{FileKind, SourceFile};

/// A fenced code block: its language tag and body.
struct Block {
    language: String,
    body: String,
}

/// The fenced code blocks of the section `## {heading}` (up to the next `## `).
fn section_blocks(docs: &str, heading: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut in_section = false;
    let mut open: Option<Block> = None;
    for line in docs.lines() {
        if let Some(block) = open.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(open.take().expect("a block is open"));
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

/// Run one block with only `rule` selected; the number of findings of `rule`, and the messages
/// of parse errors.
fn run(rule: &Rule, block: &Block) -> Result<(usize, Vec<String>), String> {
    let kind = kind_of(&block.language)
        .ok_or_else(|| format!("code block with unknown language `{}`", block.language))?;
    let source = SourceFile::new("example", block.body.clone(), kind);
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    let findings = engine::check(&source, &settings);
    let count = findings.iter().filter(|f| f.code == rule.code).count();
    let parse_errors = findings
        .iter()
        .filter(|f| f.code == plimsoll::rules::PARSE_ERROR.code && rule.code != f.code)
        .map(|f| f.message.clone())
        .collect();
    Ok((count, parse_errors))
}

#[test]
fn doc_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in plimsoll::rules::all() {
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
                    Ok((count, parse_errors)) => {
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
