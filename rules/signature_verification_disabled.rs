//! DF020 signature-verification-disabled: a package manager is told to skip signature or
//! checksum verification (`apk --allow-untrusted`, `--nogpgcheck`, `[trusted=yes]`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::verification_bypass::{Verification, bypasses};

pub static SIGNATURE_VERIFICATION_DISABLED: Rule = Rule {
    code: "DF020",
    name: "signature-verification-disabled",
    summary: "Package signature or checksum verification is turned off (`--allow-untrusted`, \
              `--nogpgcheck`, `--allow-unauthenticated`…)",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "checkov:CKV2_DOCKER_7",
        "checkov:CKV2_DOCKER_8",
        "checkov:CKV2_DOCKER_9",
        "checkov:CKV2_DOCKER_10",
        "checkov:CKV2_DOCKER_11",
        "cis:4.11",
        "nist-800-190:3.1.5",
        "cwe:347",
    ],
    docs: include_str!("signature_verification_disabled.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for bypass in &bypasses(context).0 {
        if bypass.kind != Verification::Signature {
            continue;
        }
        out.report(
            bypass.span,
            format!("`{}` turns off package signature verification", bypass.what),
        )
        .with_help(
            "keep verification on; import the repository's signing key instead \
             (`gpg --dearmor` into /etc/apt/keyrings, `rpm --import`, `/etc/apk/keys/`)",
        );
    }
}
