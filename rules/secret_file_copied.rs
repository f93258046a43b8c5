//! DF007 secret-file-copied: COPY or ADD of a file whose name says it holds keys or credentials.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::effective_instructions;
use crate::syntax::dockerfile::{Command, Dockerfile};
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

/// Variables whose value is the path of a credentials file the application reads: a file
/// copied to that path is a credential whatever its name (`key.json`).
const CREDENTIAL_PATH_VARIABLES: &[(&str, &str)] = &[
    (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "a Google service-account key",
    ),
    (
        "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE",
        "a Google credentials file",
    ),
    ("AWS_SHARED_CREDENTIALS_FILE", "AWS credentials"),
    ("AZURE_AUTH_LOCATION", "an Azure credentials file"),
    ("KUBECONFIG", "a kubeconfig"),
];

/// The absolute paths that ENV or ARG point the credential variables at, with what each holds
/// and the variable's name.
fn credential_paths(dockerfile: &Dockerfile) -> Vec<(&str, &'static str, &str)> {
    let mut paths = Vec::new();
    for command in commands(dockerfile) {
        let (Command::Env(pairs) | Command::Arg(pairs)) = command else {
            continue;
        };
        for pair in pairs {
            let Some(value) = &pair.value else { continue };
            let Some((name, kind)) = CREDENTIAL_PATH_VARIABLES
                .iter()
                .find(|(name, _)| *name == pair.key.value)
            else {
                continue;
            };
            if value.value.starts_with('/') && !value.value.contains('$') {
                paths.push((value.value.as_str(), *kind, *name));
            }
        }
    }
    paths
}

/// `dir` and `path` joined, with `.` parts and doubled slashes removed.
fn join(dir: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    let parts: Vec<&str> = full
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// Where COPY puts `source`: the destination itself, or the source's name inside it. Both are
/// candidates when the destination has no trailing `/` (it may be an existing directory).
fn copied_to(workdir: &str, source: &str, destination: &str) -> [String; 2] {
    let target = join(workdir, destination);
    let name = source
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(source);
    let inside = join(&target, name);
    if destination.ends_with('/') {
        [inside.clone(), inside]
    } else {
        [target, inside]
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let credentials = credential_paths(dockerfile);
    // The working directory of the stage so far (`/` until a WORKDIR; a trigger's is the
    // child's, unknown here). Followed only while a credential path could be reached, and
    // only up to a length no real path has: a chain of relative WORKDIRs grows it with every
    // instruction, and joining it each time would make the rule quadratic.
    const LONGEST_WORKDIR: usize = 4096;
    let follow = !credentials.is_empty();
    let mut workdir = Some(String::from("/"));
    for run in effective_instructions(dockerfile) {
        let instruction = run.instruction;
        let (keyword, copy) = match &instruction.command {
            Command::From(_) => {
                workdir = Some(String::from("/"));
                continue;
            }
            Command::Workdir(dir) if !run.is_trigger => {
                if follow {
                    workdir = workdir
                        .map(|current| join(&current, &dir.value))
                        .filter(|joined| joined.len() <= LONGEST_WORKDIR);
                }
                continue;
            }
            Command::Copy(copy) => ("COPY", copy),
            Command::Add(copy) => ("ADD", copy),
            _ => continue,
        };
        for source in &copy.sources {
            if source.value.starts_with("<<") {
                continue;
            }
            let path = copy.path(source);
            let Some(kind) = secret_file_kind(path) else {
                // A file copied to where a credential variable points.
                let destination = copy.destination.as_ref().map(|d| copy.path(d));
                let absolute = destination.is_some_and(|d| d.starts_with('/'));
                let Some(destination) = destination.filter(|_| absolute || !run.is_trigger) else {
                    continue;
                };
                if path.contains(['*', '?', '[', '$']) || matches!(path, "." | "./") {
                    continue;
                }
                // An absolute destination needs no working directory.
                let known = workdir.as_deref().or(absolute.then_some("/"));
                let Some(workdir) = known.filter(|_| follow) else {
                    continue;
                };
                let targets = copied_to(workdir, path, destination);
                if let Some((target, kind, name)) = credentials
                    .iter()
                    .find(|(target, _, _)| targets.iter().any(|t| t == target))
                {
                    out.report(
                        source.span,
                        format!(
                            "{keyword} puts {kind} into the image (`{}`, the file `{name}` points at: `{}`)",
                            excerpt(path),
                            excerpt(target)
                        ),
                    )
                    .with_help(
                        "keep it out of the image: mount it at run time (a volume or a \
                         secret) or use the platform's workload identity, and list it in \
                         .dockerignore",
                    );
                }
                continue;
            };
            let public_destination = copy
                .destination
                .as_ref()
                .is_some_and(|d| is_public_key_destination(copy.path(d)));
            if kind == PRIVATE_KEY_FILE && public_destination {
                continue;
            }
            out.report(
                source.span,
                format!(
                    "{keyword} puts {kind} into the image (`{}`)",
                    excerpt(copy.path(source))
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
