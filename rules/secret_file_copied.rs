//! DF007 secret-file-copied: COPY or ADD of a file whose name says it holds keys or credentials.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::syntax::dockerfile::Command;
use crate::syntax::excerpt::excerpt;

use super::support::commands;
use crate::semantic::secrets::{PRIVATE_KEY_FILE, secret_file_kind};

pub static SECRET_FILE_COPIED: Rule = Rule {
    code: "DF007",
    name: "secret-file-copied",
    summary: "COPY or ADD puts a key or credential file (id_rsa, .env, .npmrc, …) into the image",
    target: Target::Dockerfile,
    category: Category::Secrets,
    severity: Severity::Warning,
    related: &[
        "trivy:DS-0031",
        "dockle:CIS-DI-0010",
        "cis:4.10",
        "nist-800-190:3.1.4",
        "cwe:538",
    ],
    docs: include_str!("secret_file_copied.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// A destination that says the copied key is public: a `.pub`/`.asc`/`.gpg` name, or a package
/// manager's keyring (`COPY vendor.key /usr/share/keyrings/` installs a signing key).
fn is_public_key_destination(destination: &str) -> bool {
    let lower = destination.to_ascii_lowercase();
    [".pub", ".asc", ".gpg"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || lower.contains("keyring")
        || lower.starts_with("/etc/apt/")
        || lower.starts_with("/etc/pki/rpm-gpg")
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for command in commands(context.dockerfile) {
        let (keyword, copy) = match command {
            Command::Copy(copy) => ("COPY", copy),
            Command::Add(copy) => ("ADD", copy),
            _ => continue,
        };
        for source in &copy.sources {
            if source.value.starts_with("<<") {
                continue;
            }
            let Some(kind) = secret_file_kind(&source.value) else {
                continue;
            };
            let public_destination = copy
                .destination
                .as_ref()
                .is_some_and(|d| is_public_key_destination(&d.value));
            if kind == PRIVATE_KEY_FILE && public_destination {
                continue;
            }
            out.report(
                source.span,
                format!(
                    "{keyword} puts {kind} into the image (`{}`)",
                    excerpt(&source.value)
                ),
            )
            .with_help(
                "keep it out of the image: mount it for the one step that needs it \
                 (`RUN --mount=type=secret,id=…` or `--mount=type=ssh`), and list it in \
                 .dockerignore",
            );
        }
    }
}
