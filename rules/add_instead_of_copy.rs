//! DF057 add-instead-of-copy: ADD of local files, where COPY does the same without ADD's
//! implicit archive extraction and URL downloads.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::Command;

pub static ADD_INSTEAD_OF_COPY: Rule = Rule {
    code: "DF057",
    name: "add-instead-of-copy",
    summary: "ADD copies local files that COPY would copy just the same",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &[
        "hadolint:DL3020",
        "kics:9513a694",
        "checkov:CKV_DOCKER_4",
        "trivy:DS-0005",
        "semgrep:prefer-copy-over-add",
        "cis:4.9",
    ],
    docs: include_str!("add_instead_of_copy.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// Endings of files ADD may unpack (tar, optionally compressed), plus single-file compression
/// formats whose content may be a tar.
const ARCHIVE_ENDINGS: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tlz",
    ".tar.lzma",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
    ".lzma",
    ".z",
];

/// Whether ADD does something with this source that COPY would not: fetch a URL or git
/// repository, unpack an archive, or something only known at build time.
fn needs_add(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || lower.contains('$')
        || ARCHIVE_ENDINGS.iter().any(|ending| lower.ends_with(ending))
        || lower.ends_with('*')
}

/// Flags that only ADD accepts.
const ADD_ONLY_FLAGS: &[&str] = &["checksum", "keep-git-dir", "unpack"];

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in effective_instructions(context.dockerfile).map(|run| run.instruction) {
        let Command::Add(add) = &instruction.command else {
            continue;
        };
        if add.sources.is_empty() || add.sources.iter().any(|s| needs_add(add.path(s))) {
            continue;
        }
        let finding = out.report(
            instruction.keyword_span,
            "ADD of local files: COPY does the same and never unpacks or downloads",
        );
        finding.with_help("use COPY; keep ADD for URLs, git sources and archives to unpack");
        if instruction
            .flags
            .iter()
            .all(|flag| !ADD_ONLY_FLAGS.contains(&flag.name.value.as_str()))
        {
            let keyword = context.source.slice(instruction.keyword_span);
            let replacement = if keyword.chars().all(|c| c.is_ascii_lowercase()) {
                "copy"
            } else {
                "COPY"
            };
            finding.with_fix(Fix {
                message: "use COPY".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: instruction.keyword_span,
                    replacement: replacement.into(),
                }],
            });
        }
    }
}
