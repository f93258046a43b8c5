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

mod common;

/// A fenced code block: its language tag and body, with the build context the blocks before
/// it describe: a `context` block lists the paths of the context (one per line, a trailing `/`
/// for an empty directory), a `dockerignore` block its `.dockerignore` and a `config` block a
/// `.plimsoll.yaml` at its root (its `build-contexts` apply). The block then runs as
/// `Dockerfile` at the root of that tree, or at the path of the context line that ends with
/// `(this Dockerfile)`.
#[derive(Clone)]
struct Block {
    language: String,
    body: String,
    context: Option<String>,
    dockerignore: Option<String>,
    config: Option<String>,
}

/// The fenced code blocks of the section `## {heading}` (up to the next `## `).
fn section_blocks(docs: &str, heading: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut in_section = false;
    let mut open: Option<Block> = None;
    let (mut context, mut dockerignore, mut config) = (None, None, None);
    for line in docs.lines() {
        if let Some(block) = open.as_mut() {
            if line.trim_start().starts_with("```") {
                let mut block = open.take().expect("a block is open");
                match block.language.as_str() {
                    "context" => context = Some(block.body),
                    "dockerignore" => dockerignore = Some(block.body),
                    "config" => config = Some(block.body),
                    _ => {
                        block.context = context.take();
                        block.dockerignore = dockerignore.take();
                        block.config = config.take();
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
                config: None,
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

/// What [`run`] returns for the `shellcheck` rule when no ShellCheck is installed.
const SKIPPED: &str = "skipped: no ShellCheck";

/// Run one block with only `rule` selected; the findings of `rule`, and the messages of parse
/// errors.
fn run(rule: &Rule, block: &Block) -> Result<(Vec<Finding>, Vec<String>), String> {
    let kind = kind_of(&block.language)
        .ok_or_else(|| format!("code block with unknown language `{}`", block.language))?;
    let settings = Settings::from_selectors(&[rule.code.to_string()], &[], &[]);
    // The `shellcheck` family's findings come from ShellCheck, under their own codes.
    let shellcheck = rule.code == plimsoll::linter::rules::SHELLCHECK.code;
    let shellcheck_binary = shellcheck
        .then(|| common::shellcheck_binary(rule.name))
        .flatten();
    if shellcheck && shellcheck_binary.is_none() {
        return Err(SKIPPED.to_string());
    }
    let mut workspace = FsWorkspace::new();
    if let Some(binary) = shellcheck_binary {
        workspace.shellcheck = Some(std::sync::Arc::new(
            plimsoll::workspace::shellcheck::Shellcheck::new(binary),
        ));
    }
    let findings = match &block.context {
        None if !shellcheck => {
            let source = SourceFile::new("example", block.body.clone(), kind);
            engine::check(&source, &settings)
        }
        None => {
            let source = SourceFile::new("example", block.body.clone(), kind);
            engine::check_in(&source, &settings, &workspace)
        }
        Some(paths) => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let root = dir.path().canonicalize().map_err(|e| e.to_string())?;
            let mut dockerfile = root.join("Dockerfile");
            for path in paths.lines().map(str::trim).filter(|p| !p.is_empty()) {
                if let Some(path) = path.strip_suffix("(this Dockerfile)") {
                    dockerfile = root.join(path.trim());
                    continue;
                }
                let full = root.join(path);
                if path.ends_with('/') {
                    fs::create_dir_all(&full).map_err(|e| e.to_string())?;
                } else {
                    fs::create_dir_all(full.parent().expect("a parent"))
                        .map_err(|e| e.to_string())?;
                    fs::write(&full, "x\n").map_err(|e| e.to_string())?;
                }
            }
            if let Some(ignore) = &block.dockerignore {
                fs::write(root.join(".dockerignore"), ignore).map_err(|e| e.to_string())?;
            }
            fs::create_dir_all(dockerfile.parent().expect("a parent"))
                .map_err(|e| e.to_string())?;
            fs::write(&dockerfile, &block.body).map_err(|e| e.to_string())?;
            if let Some(config) = &block.config {
                let path = root.join(".plimsoll.yaml");
                fs::write(&path, config).map_err(|e| e.to_string())?;
                let parsed = plimsoll::workspace::config::parse(&path, config)
                    .map_err(|errors| format!("config block: {errors:?}"))?;
                let declared: std::collections::HashMap<_, _> = parsed
                    .build_contexts
                    .iter()
                    .filter(|d| d.dockerfiles.matches(&dockerfile))
                    .take(1)
                    .map(|d| (dockerfile.clone(), (d.context.clone(), d.config.clone())))
                    .collect();
                workspace = workspace.with_configured_contexts(declared);
            }
            let source = SourceFile::new(&dockerfile, block.body.clone(), kind);
            engine::check_in(&source, &settings, &workspace)
        }
    };
    let parse_errors = findings
        .iter()
        .filter(|f| f.code == plimsoll::linter::rules::PARSE_ERROR.code && rule.code != f.code)
        .map(|f| f.message.clone())
        .collect();
    let own = findings
        .into_iter()
        .filter(|f| f.code == rule.code || shellcheck && f.code.starts_with("SC"))
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
        if rule.code == plimsoll::linter::rules::SHELLCHECK.code
            && common::shellcheck_binary(rule.name).is_none()
        {
            // Its examples need ShellCheck (skipped, said above).
            continue;
        }
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
                    Err(problem) if problem == SKIPPED => {}
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

/// Where a page's generated "fixed example" starts and ends (inside `## Fix safety`).
const FIXED_START: &str =
    "<!-- fixed example: generated by `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rule_docs` -->";
const FIXED_END: &str = "<!-- end of fixed example -->";

/// What fixing the `## Example` blocks of a fixable rule gives: the first block that has a
/// fix, fixed with every fix (safe and unsafe) of this rule alone until nothing changes, and
/// the applicabilities the examples' fixes have.
struct FixedExample {
    language: String,
    after: String,
    safe: bool,
    unsafe_: bool,
}

/// `Ok(None)` when the examples' fixes are all suggestions (display only): nothing for
/// `--fix` to apply.
fn fixed_example(rule: &Rule) -> Result<Option<FixedExample>, String> {
    use plimsoll::linter::diagnostic::Applicability;
    use plimsoll::linter::fix;
    let mut found: Option<FixedExample> = None;
    let (mut safe, mut unsafe_) = (false, false);
    let applicable = |f: &Finding| f.fix.as_ref().is_some_and(|fix| fix::applies(fix, true));
    for block in section_blocks(rule.docs, "Example") {
        let Ok((findings, _)) = run(rule, &block) else {
            continue;
        };
        for fix in findings.iter().filter_map(|f| f.fix.as_ref()) {
            safe |= fix.applicability == Applicability::Safe;
            unsafe_ |= fix.applicability == Applicability::Unsafe;
        }
        if found.is_some() || !findings.iter().any(applicable) {
            continue;
        }
        let check = |text: &str| {
            let block = Block {
                language: block.language.clone(),
                body: text.to_string(),
                ..block.clone()
            };
            run(rule, &block).map(|(own, _)| own).unwrap_or_default()
        };
        let all = |_: &str, findings: &[Finding]| vec![true; findings.len()];
        let fixed = fix::fix_text(&block.body, findings.clone(), true, &check, &all)
            .ok_or("its first fixed example does not change when fixed")?;
        if fixed.findings.iter().any(applicable) {
            return Err("a finding with a fix remains after fixing".into());
        }
        if fixed.findings.len() >= findings.len() {
            return Err("fixing removes none of its findings".into());
        }
        if fix::fix_text(&fixed.text, fixed.findings.clone(), true, &check, &all).is_some() {
            return Err("a second fix still changes the example".into());
        }
        let fixed_block = Block {
            language: block.language.clone(),
            body: fixed.text.clone(),
            ..block.clone()
        };
        let (_, parse_errors) = run(rule, &fixed_block)?;
        if !parse_errors.is_empty() {
            return Err(format!(
                "the fixed example does not parse: {parse_errors:?}"
            ));
        }
        found = Some(FixedExample {
            language: block.language.clone(),
            after: fixed.text,
            safe: false,
            unsafe_: false,
        });
    }
    Ok(found.map(|mut example| {
        example.safe = safe;
        example.unsafe_ = unsafe_;
        example
    }))
}

fn safety_words(example: &FixedExample) -> &'static str {
    match (example.safe, example.unsafe_) {
        (true, true) => "safe and unsafe",
        (false, true) => "unsafe",
        _ => "safe",
    }
}

/// The generated part of a page: the first fixed example.
fn fixed_section(example: &FixedExample) -> String {
    let how = if example.unsafe_ {
        "`plimsoll check --fix --unsafe-fixes`"
    } else {
        "`plimsoll check --fix`"
    };
    format!(
        "{FIXED_START}\nFixes: {}. The first example after {how}:\n\n```{}\n{}```\n{FIXED_END}\n",
        safety_words(example),
        example.language,
        example.after
    )
}

/// `page` with its generated fixed example replaced by `section` (or added at the end of
/// `## Fix safety`).
fn with_fixed_section(page: &str, section: &str) -> String {
    if let (Some(start), Some(end)) = (page.find(FIXED_START), page.find(FIXED_END)) {
        let end = end + FIXED_END.len() + 1;
        return format!(
            "{}{section}{}",
            &page[..start],
            &page[end.min(page.len())..]
        );
    }
    let after = page.find("## Fix safety").unwrap_or(0);
    let next = page[after + 1..]
        .find("\n## ")
        .map_or(page.len(), |i| after + 1 + i + 1);
    let (head, tail) = page.split_at(next);
    let head = head.trim_end_matches('\n');
    format!("{head}\n\n{section}\n{tail}")
}

/// Why a rule has no fix: the first sentence of its `## Fix safety` section, without the
/// leading "No fix:" / "No automatic fix:". `None` when the section gives no reason.
fn no_fix_reason(docs: &str) -> Option<String> {
    let section = docs.split("## Fix safety\n").nth(1)?;
    let paragraph: Vec<&str> = section
        .lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty() && !line.starts_with("## "))
        .collect();
    let text = paragraph.join(" ");
    let rest = ["No automatic fix", "No fix"]
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))?;
    let rest = rest.trim_start_matches([':', ';', '.', ',', ' ']);
    let sentence = match rest.find(". ") {
        Some(end) => &rest[..=end],
        None => rest,
    };
    let mut chars = sentence.chars();
    let first = chars.next()?;
    Some(format!("{}{}", first.to_uppercase(), chars.as_str()))
}

/// Where docs/fixes.md stops being generated; what follows it (the corpus numbers, written by
/// hand) is kept.
const FIXES_TAIL: &str = "<!-- end of the generated part; what follows is written by hand -->";

/// Every fixable rule's page shows its first example fixed (safe and unsafe fixes applied),
/// and says whether its fixes are safe; the fix removes the fixable findings, a second fix
/// changes nothing, and the result parses. docs/fixes.md lists them all, and every other rule
/// with the reason its page gives for having no fix.
#[test]
fn fixed_examples_are_documented() {
    let update = std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut table = String::new();
    let mut not_fixable = String::new();
    // Rules with fixes: safe only, unsafe only, both, suggestions only; and rules without.
    let (mut safe, mut unsafe_, mut both, mut display, mut none) = (0, 0, 0, 0, 0);
    for rule in plimsoll::linter::rules::all() {
        let link = format!(
            "[{}](../rules/{}.md)",
            rule.name,
            rule.name.replace('-', "_")
        );
        if rule.fix == FixAvailability::None {
            none += 1;
            match no_fix_reason(rule.docs) {
                Some(reason) => {
                    not_fixable.push_str(&format!("| {} | {link} | {reason} |\n", rule.code));
                }
                None => failures.push(format!(
                    "{}: its `## Fix safety` must start with `No fix: <why>` or \
                     `No automatic fix: <why>`",
                    rule.name
                )),
            }
            continue;
        }
        let example = match fixed_example(rule) {
            Ok(Some(example)) => example,
            Ok(None)
                if rule.code == plimsoll::linter::rules::SHELLCHECK.code
                    && common::shellcheck_binary(rule.name).is_none() =>
            {
                // Its examples need ShellCheck (skipped, said above): its page cannot be
                // checked here, and its row is the one ShellCheck's fixes give.
                unsafe_ += 1;
                table.push_str(&format!(
                    "| {} | {link} | unsafe | {:?} |\n",
                    rule.code, rule.fix
                ));
                continue;
            }
            Ok(None) => {
                display += 1;
                table.push_str(&format!(
                    "| {} | {link} | suggestion only (the editor shows it) | {:?} |\n",
                    rule.code, rule.fix
                ));
                continue;
            }
            Err(problem) => {
                failures.push(format!("{}: {problem}", rule.name));
                continue;
            }
        };
        match (example.safe, example.unsafe_) {
            (true, true) => both += 1,
            (false, true) => unsafe_ += 1,
            _ => safe += 1,
        }
        let page_path = root
            .join("rules")
            .join(format!("{}.md", rule.name.replace('-', "_")));
        let page = fs::read_to_string(&page_path).unwrap_or_default();
        let wanted = with_fixed_section(&page, &fixed_section(&example));
        if wanted != page {
            if update {
                fs::write(&page_path, &wanted).unwrap();
            } else {
                failures.push(format!(
                    "{}: its fixed example is stale in {}",
                    rule.name,
                    page_path.display()
                ));
            }
        }
        table.push_str(&format!(
            "| {} | {link} | {} | {:?} |\n",
            rule.code,
            safety_words(&example),
            rule.fix
        ));
    }
    let fixable = safe + unsafe_ + both + display;
    let fixes_path = root.join("docs/fixes.md");
    let current = fs::read_to_string(&fixes_path).unwrap_or_default();
    let tail = current
        .find(FIXES_TAIL)
        .map_or("\n", |at| &current[at + FIXES_TAIL.len()..]);
    let fixes_md = format!(
        "# Fixes\n\n<!-- Generated from the rules' docs examples; do not edit by hand.\n     \
         Regenerate with `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rule_docs`. -->\n\n\
         `plimsoll check --fix` applies the safe fixes; `--unsafe-fixes` also applies the unsafe \
         ones, which may change what the image or the service does; `--diff` shows what would \
         change and writes nothing. A fix is *safe* when it keeps the meaning of the file (ruff's \
         definition). Each rule's page shows its first example fixed. The fixes of `shellcheck` \
         (DF090) are ShellCheck's own suggestions, written back at the exact bytes they replace; \
         they can change what a script does (a quoted variable is no longer split into words), \
         so they are unsafe: see [shellcheck.md](shellcheck.md#fixes).\n\n\
         {fixable} of the {} rules have fixes: {safe} safe, {unsafe_} unsafe, {both} safe or \
         unsafe depending on the case, {display} a suggestion the editor shows and `--fix` does \
         not apply.\n\n\
         | Code | Rule | Fixes | Available |\n|---|---|---|---|\n{table}\n\
         ## Considered and not fixable\n\n\
         The other {none} rules were each considered for a fix and have none: the remedy is not \
         mechanical, or it is one a user should not accept without thinking. Each rule's page \
         says why under `## Fix safety`.\n\n\
         | Code | Rule | Why not |\n|---|---|---|\n{not_fixable}\n{FIXES_TAIL}{tail}",
        fixable + none
    );
    if current != fixes_md {
        if update {
            fs::write(&fixes_path, &fixes_md).unwrap();
        } else {
            failures.push("docs/fixes.md is stale".into());
        }
    }
    assert!(
        failures.is_empty(),
        "fixable rules and their docs (regenerate with `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rule_docs` and review):\n{}",
        failures.join("\n")
    );
}

#[test]
fn no_fix_reason_reads_the_first_sentence() {
    let docs = "## Fix safety\nNo automatic fix: the version to pin is\nfor a person. More.\n\n## Options\n";
    assert_eq!(
        no_fix_reason(docs).as_deref(),
        Some("The version to pin is for a person.")
    );
    assert_eq!(no_fix_reason("## Fix safety\nNo automatic fix.\n"), None);
    assert_eq!(no_fix_reason("## Fix safety\nSafe: x.\n"), None);
}

/// Every relative link of docs/ and the rule pages leads to a page (and a heading) of the docs
/// site: `plimsoll docs-site` refuses to write the site otherwise. (CI then builds the site with
/// mdBook and checks it again, .ci/site.sh; this catches a broken link in the suite.)
#[test]
fn every_link_of_the_docs_leads_somewhere() {
    let out = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("docs-site")
        .arg(out.path().join("site"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
