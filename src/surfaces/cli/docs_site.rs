//! `plimsoll docs-site OUT` (hidden): the source of the docs site, an mdBook, that the links
//! plimsoll prints point at (`{SITE_URL}/rules/<name>`: SARIF `helpUri`, the job summary,
//! reviewdog, the editor's hover). Each built-in rule's page is rendered from its declaration as
//! `plimsoll rule NAME` renders it, at `rules/<name>/index.html`, which static hosts (GitHub Pages
//! among them) serve for `/rules/<name>`; each code (`/rules/DF002`) redirects to its rule. The
//! README and docs/ become the other pages, their links to repository files rewritten to the
//! pages those files become. scripts/docs-site.sh runs this, then `mdbook build`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::linter::catalogue::documented_rules;
use crate::linter::rule::{Rule, RuleRef};
use crate::workspace::discover::io_message;

use super::Failure;
use super::rule_docs::rule_header;

#[derive(Debug, Args)]
pub(super) struct DocsSiteArgs {
    /// The repository checkout whose README.md and docs/ become pages.
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// Where to write the book (`book.toml` and `src/`); its `src/` is replaced.
    #[arg(value_name = "OUT")]
    out: PathBuf,
}

/// Pages of docs/ in the order of the site's sidebar, by part; pages not named here follow in
/// the first part, by file name.
const PARTS: &[(&str, &[&str])] = &[
    (
        "Using plimsoll",
        &[
            "configuration",
            "suppressions",
            "fixes",
            "output-formats",
            "json-output",
            "github-action",
            "pre-commit",
            "editors",
            "compose-projects",
            "pin",
            "policies",
            "rego",
            "shellcheck",
        ],
    ),
    (
        "Rules",
        &[
            "rules",
            "dockerfile-coverage",
            "compose-coverage",
            "peer-diff",
        ],
    ),
    (
        "Inside plimsoll",
        &["architecture", "limits", "performance", "site"],
    ),
];

/// Where the rules of the README and docs/ link to: docs/rules.md becomes the rules' index.
const RULES_INDEX: &str = "docs/rules.md";

/// Directories whose `<stem>.md` files are rules' docs (`latest_tag.md` for `latest-tag`).
const RULE_DOC_DIRS: &[&str] = &["rules", "src/linter"];

pub(super) fn docs_site(args: &DocsSiteArgs) -> Result<ExitCode, Failure> {
    let site = Site::read(&args.repo)?;
    let src = args.out.join("src");
    // Only a directory this command wrote (or an empty or new one) is replaced.
    if src.exists() {
        if !args.out.join("book.toml").is_file() {
            return Err(Failure::Message(format!(
                "{}: not a docs site this command wrote (no book.toml); choose a new directory",
                args.out.display()
            )));
        }
        fs::remove_dir_all(&src).map_err(|err| failed(&src, &err))?;
    }
    for (path, contents) in site.files()? {
        let target = args.out.join(&path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|err| failed(parent, &err))?;
        }
        fs::write(&target, contents).map_err(|err| failed(&target, &err))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn failed(path: &Path, err: &io::Error) -> Failure {
    Failure::Message(format!("{}: {}", path.display(), io_message(err)))
}

/// The repository's pages, and where each lands on the site.
struct Site {
    repo: PathBuf,
    /// Site path (`docs/configuration.md`) → repository path, for every page but the rules'.
    pages: BTreeMap<String, String>,
    /// Repository path of a rule's docs (`rules/latest_tag.md`) → the rule.
    rule_sources: BTreeMap<String, &'static Rule>,
}

impl Site {
    fn read(repo: &Path) -> Result<Self, Failure> {
        let mut pages = BTreeMap::new();
        if !repo.join("README.md").is_file() {
            return Err(Failure::Message(format!(
                "{}: no README.md here; --repo names the repository checkout",
                repo.display()
            )));
        }
        pages.insert("index.md".to_string(), "README.md".to_string());
        let docs = repo.join("docs");
        for entry in fs::read_dir(&docs).map_err(|err| failed(&docs, &err))? {
            let entry = entry.map_err(|err| failed(&docs, &err))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") {
                let from = format!("docs/{name}");
                let to = if from == RULES_INDEX {
                    "rules/index.md".to_string()
                } else {
                    from.clone()
                };
                pages.insert(to, from);
            }
        }
        let mut rule_sources = BTreeMap::new();
        for rule in documented_rules() {
            let stem = rule.name.replace('-', "_");
            if let Some(source) = RULE_DOC_DIRS
                .iter()
                .map(|dir| format!("{dir}/{stem}.md"))
                .find(|path| repo.join(path).is_file())
            {
                rule_sources.insert(source, rule);
            }
        }
        Ok(Site {
            repo: repo.to_path_buf(),
            pages,
            rule_sources,
        })
    }

    /// Every file of the book: `book.toml`, `src/SUMMARY.md`, the pages and what they show.
    fn files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, Failure> {
        let mut broken = Vec::new();
        let mut files = vec![
            (PathBuf::from("book.toml"), book_toml().into_bytes()),
            (
                PathBuf::from("src/SUMMARY.md"),
                self.summary()?.into_bytes(),
            ),
        ];
        for (to, from) in &self.pages {
            let path = self.repo.join(from);
            let text = fs::read_to_string(&path).map_err(|err| failed(&path, &err))?;
            let mut text = self.relink(&text, from, to, &mut broken);
            if to == "rules/index.md" {
                text.push_str(&other_rules_table());
            }
            files.push((Path::new("src").join(to), text.into_bytes()));
        }
        for rule in documented_rules() {
            let to = rule_page_path(rule.name);
            let source = self
                .rule_sources
                .iter()
                .find(|(_, r)| r.code == rule.code)
                .map(|(source, _)| source.clone())
                // Docs written inline in the declaration: links there are relative to rules/.
                .unwrap_or_else(|| format!("rules/{}.md", rule.name.replace('-', "_")));
            let text = self.relink(&rule_page(rule), &source, &to, &mut broken);
            files.push((Path::new("src").join(&to), text.into_bytes()));
        }
        // Every other file under docs/ (images, the JSON Schemas) where the pages link to it,
        // and the schemas at /schemas/, where their `$id`s say they are.
        for (relative, bytes) in files_under(&self.repo.join("docs"))? {
            let name = relative.to_string_lossy().into_owned();
            if name.ends_with(".md") {
                continue;
            }
            if name.ends_with(".schema.json") && !name.contains('/') {
                files.push((Path::new("src/schemas").join(&relative), bytes.clone()));
            }
            files.push((Path::new("src/docs").join(&relative), bytes));
        }
        if !broken.is_empty() {
            return Err(Failure::Message(format!(
                "links to nothing:\n  {}",
                broken.join("\n  ")
            )));
        }
        Ok(files)
    }

    /// The sidebar: the README, then the parts, the rules under their index.
    fn summary(&self) -> Result<String, Failure> {
        let mut out = String::from("# Summary\n\n[plimsoll](index.md)\n");
        let listed: Vec<&str> = PARTS
            .iter()
            .flat_map(|(_, stems)| *stems)
            .copied()
            .collect();
        let mut unlisted: Vec<String> = self
            .pages
            .values()
            .filter_map(|from| from.strip_prefix("docs/")?.strip_suffix(".md"))
            .filter(|stem| !listed.contains(stem))
            .map(str::to_string)
            .collect();
        unlisted.sort();
        for (index, (part, stems)) in PARTS.iter().enumerate() {
            let _ = write!(out, "\n# {part}\n\n");
            let mut stems: Vec<String> = stems.iter().map(|s| s.to_string()).collect();
            if index == 0 {
                stems.extend(unlisted.iter().cloned());
            }
            for stem in stems {
                let from = format!("docs/{stem}.md");
                let Some((to, _)) = self.pages.iter().find(|(_, f)| **f == from) else {
                    continue;
                };
                let text = fs::read_to_string(self.repo.join(&from))
                    .map_err(|err| failed(&self.repo.join(&from), &err))?;
                let _ = writeln!(out, "- [{}]({to})", title(&text, &stem));
                if from == RULES_INDEX {
                    let mut rules: Vec<&Rule> = documented_rules().collect();
                    rules.sort_by_key(|rule| rule.code);
                    for rule in rules {
                        let _ = writeln!(
                            out,
                            "  - [{} {}]({})",
                            rule.code,
                            rule.name,
                            rule_page_path(rule.name)
                        );
                    }
                }
            }
        }
        Ok(out)
    }

    /// `text` of the repository file `from`, as the site page `to`: each relative link to a
    /// repository file becomes a link to the page that file became, or to the file in the
    /// repository when it is no page. A link to nothing is added to `broken`.
    fn relink(&self, text: &str, from: &str, to: &str, broken: &mut Vec<String>) -> String {
        let from_dir = parent(from);
        rewrite_links(text, |destination| {
            if destination.starts_with('#') || destination.contains(':') {
                return destination.to_string();
            }
            let (path, fragment) = match destination.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (destination, None),
            };
            let Some(target) = join(&from_dir, path) else {
                broken.push(format!("{from}: `{destination}` leaves the repository"));
                return destination.to_string();
            };
            let on_site = self.site_path(&target).or_else(|| {
                let local = self.repo.join(&target);
                // Files of the repository that are not pages: link to them in the repository.
                let kind = if local.is_dir() { "tree" } else { "blob" };
                local
                    .exists()
                    .then(|| format!("{}/{kind}/HEAD/{target}", env!("CARGO_PKG_REPOSITORY")))
            });
            let Some(on_site) = on_site else {
                broken.push(format!("{from}: `{destination}` names no file"));
                return destination.to_string();
            };
            let mut link = if on_site.contains("://") {
                on_site
            } else {
                relative(&parent(to), &on_site)
            };
            if let Some(fragment) = fragment {
                link.push('#');
                link.push_str(fragment);
            }
            link
        })
    }

    /// Where the repository file `path` is on the site, when it is there.
    fn site_path(&self, path: &str) -> Option<String> {
        if let Some((to, _)) = self.pages.iter().find(|(_, from)| *from == path) {
            return Some(to.clone());
        }
        if let Some(rule) = self.rule_sources.get(path) {
            return Some(rule_page_path(rule.name));
        }
        let under_docs = path.strip_prefix("docs/")?;
        self.repo
            .join(path)
            .is_file()
            .then(|| format!("docs/{under_docs}"))
    }
}

/// `rules/latest-tag/index.md`: served for `/rules/latest-tag`.
fn rule_page_path(name: &str) -> String {
    format!("rules/{name}/index.md")
}

/// A rule's page: its docs with the line `plimsoll rule NAME` prints above them under the title.
fn rule_page(rule: &'static Rule) -> String {
    let docs = rule.docs;
    let header = rule_header(&RuleRef::Builtin(rule));
    let (title, rest) = match docs.split_once('\n') {
        Some((first, rest)) if first.starts_with("# ") => (first.to_string(), rest),
        _ => (format!("# {} ({})", rule.name, rule.code), docs),
    };
    let mut page = format!(
        "{title}\n\n*{}*\n\n{}",
        escape_emphasis(&header),
        rest.trim_start()
    );
    if !page.ends_with('\n') {
        page.push('\n');
    }
    page
}

/// The header line as Markdown text: `*` and `_` in it would start emphasis.
fn escape_emphasis(text: &str) -> String {
    text.replace('*', "\\*").replace('_', "\\_")
}

/// The rules docs/rules.md does not list (those of findings other commands report), in its
/// table's shape, for the end of the rules' index.
fn other_rules_table() -> String {
    let mut out = String::from(
        "\n## Rules of other commands\n\nPolicy problems and `plimsoll pin --check` report findings of \
         these rules.\n\n| Code | Name | Category | Severity | Summary |\n|---|---|---|---|---|\n",
    );
    let engine: Vec<&str> = crate::linter::rules::all().iter().map(|r| r.code).collect();
    for rule in documented_rules().filter(|rule| !engine.contains(&rule.code)) {
        let _ = writeln!(
            out,
            "| {} | [{}]({}/index.md) | {} | {} | {} |",
            rule.code, rule.name, rule.name, rule.category, rule.severity, rule.summary
        );
    }
    out
}

/// mdBook's configuration: the site's address and a redirect from each rule's code.
fn book_toml() -> String {
    let site = crate::SITE_URL;
    let (host, path) = site
        .split_once("://")
        .map(|(_, rest)| rest.split_once('/').unwrap_or((rest, "")))
        .unwrap_or((site, ""));
    let base = format!("/{}", path.trim_matches('/'));
    let base = if base == "/" {
        base
    } else {
        format!("{base}/")
    };
    let mut out = format!(
        "# Generated by `plimsoll docs-site` (scripts/docs-site.sh) for {site}.\n\
         [book]\ntitle = \"plimsoll\"\n\
         description = \"A policy-as-code linter for Dockerfiles and Docker Compose files\"\n\
         language = \"en\"\nsrc = \"src\"\n\n\
         [output.html]\nsite-url = \"{base}\"\ncname = \"{host}\"\nno-section-label = true\n\
         git-repository-url = \"{}\"\n\n\
         [output.html.print]\nenable = false\n\n\
         [output.html.redirect]\n",
        env!("CARGO_PKG_REPOSITORY")
    );
    for rule in documented_rules() {
        let _ = writeln!(
            out,
            "\"/rules/{}/index.html\" = \"../{}/\"",
            rule.code, rule.name
        );
    }
    out
}

/// The first `# ` heading of a page, without Markdown code marks; `fallback` without one.
fn title(text: &str, fallback: &str) -> String {
    text.lines()
        .find_map(|line| line.strip_prefix("# "))
        .map_or_else(
            || fallback.to_string(),
            |t| t.replace('`', "").trim().to_string(),
        )
}

/// Every file under `dir`, by path relative to it (iterative: no recursion over the tree).
fn files_under(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, Failure> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let here = dir.join(&relative);
        for entry in fs::read_dir(&here).map_err(|err| failed(&here, &err))? {
            let entry = entry.map_err(|err| failed(&here, &err))?;
            let path = relative.join(entry.file_name());
            if entry.path().is_dir() {
                pending.push(path);
            } else {
                let bytes = fs::read(entry.path()).map_err(|err| failed(&entry.path(), &err))?;
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The directory part of a `/`-separated path (`docs` for `docs/pin.md`, `` for `README.md`).
fn parent(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(dir, _)| dir.to_string())
}

/// `path` relative to the directory `dir`, normalised; `None` when it climbs out of the root.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in Path::new(dir).join(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// The relative link from a page in the directory `dir` to the site path `to`.
fn relative(dir: &str, to: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let target: Vec<&str> = to.split('/').collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&target[common..]);
    parts.join("/")
}

/// `text` with the destination of every inline link and image (`[text](destination)`) outside
/// code replaced by `rewrite(destination)`.
fn rewrite_links(text: &str, mut rewrite: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    // The fence that opened the code block we are in (```` ``` ````, `~~~`).
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        let is_fence =
            marker.len() >= 3 && marker.chars().all(|c| c == marker.as_bytes()[0] as char);
        match &fence {
            Some(open) => {
                if is_fence && marker.starts_with(open.as_str()) {
                    fence = None;
                }
                out.push_str(line);
                continue;
            }
            None if is_fence => {
                fence = Some(marker);
                out.push_str(line);
                continue;
            }
            None => {}
        }
        out.push_str(&rewrite_line(line, &mut rewrite));
    }
    out
}

fn rewrite_line(line: &str, rewrite: &mut impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        // Skip a code span whole: `[a](b)` inside it is code.
        if rest.starts_with('`') {
            let ticks = rest.len() - rest.trim_start_matches('`').len();
            let after = &rest[ticks..];
            let closing = "`".repeat(ticks);
            let end = after
                .match_indices(&closing)
                .find(|(i, _)| !after[i + ticks..].starts_with('`'))
                .map(|(i, _)| i);
            let taken = match end {
                Some(i) => ticks + i + ticks,
                None => ticks,
            };
            out.push_str(&rest[..taken]);
            rest = &rest[taken..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("](") {
            // The destination runs to the `)` that balances the `(`, or to a space (a title).
            let mut depth = 0usize;
            let end = after
                .char_indices()
                .find(|&(_, c)| match c {
                    '(' => {
                        depth += 1;
                        false
                    }
                    ')' if depth == 0 => true,
                    ')' => {
                        depth -= 1;
                        false
                    }
                    c => c.is_whitespace(),
                })
                .map_or(after.len(), |(i, _)| i);
            out.push_str("](");
            out.push_str(&rewrite(&after[..end]));
            rest = &after[end..];
            continue;
        }
        let next = rest
            .char_indices()
            .skip(1)
            .find(|&(i, _)| rest[i..].starts_with('`') || rest[i..].starts_with("]("))
            .map_or(rest.len(), |(i, _)| i);
        out.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relinked(text: &str) -> String {
        rewrite_links(text, |d| format!("<{d}>"))
    }

    #[test]
    fn links_outside_code_are_rewritten() {
        assert_eq!(
            relinked("See [a](x.md#y) and ![b](img.png \"t\") (not (this)).\n"),
            "See [a](<x.md#y>) and ![b](<img.png> \"t\") (not (this)).\n"
        );
        assert_eq!(relinked("`[a](x)` [b](y)\n"), "`[a](x)` [b](<y>)\n");
        assert_eq!(relinked("``a`[b](c)`` [d](e)\n"), "``a`[b](c)`` [d](<e>)\n");
        assert_eq!(
            relinked("```md\n[a](x)\n```\n[b](y)\n~~~~\n[c](z)\n~~~\n~~~~\n"),
            "```md\n[a](x)\n```\n[b](<y>)\n~~~~\n[c](z)\n~~~\n~~~~\n"
        );
        assert_eq!(relinked("[a](f(1).md) é\n"), "[a](<f(1).md>) é\n");
    }

    #[test]
    fn paths_join_and_relate() {
        assert_eq!(
            join("rules", "../docs/pin.md").as_deref(),
            Some("docs/pin.md")
        );
        assert_eq!(
            join("src/linter", "../../docs/pin.md").as_deref(),
            Some("docs/pin.md")
        );
        assert_eq!(join("", "../x"), None);
        assert_eq!(
            relative("rules/latest-tag", "docs/pin.md"),
            "../../docs/pin.md"
        );
        assert_eq!(
            relative("rules", "rules/root-user/index.md"),
            "root-user/index.md"
        );
        assert_eq!(relative("", "docs/pin.md"), "docs/pin.md");
    }

    #[test]
    fn every_rule_has_a_page_and_a_redirect_from_its_code() {
        let toml = book_toml();
        for rule in documented_rules() {
            let page = rule_page(rule);
            assert!(
                page.starts_with(&format!("# {} ({})\n\n*", rule.name, rule.code)),
                "{page}"
            );
            assert!(
                toml.contains(&format!(
                    "\"/rules/{}/index.html\" = \"../{}/\"",
                    rule.code, rule.name
                )),
                "{toml}"
            );
        }
        assert!(
            toml.contains("site-url = \"/\"\ncname = \"plimsoll.dev\""),
            "{toml}"
        );
    }
}
