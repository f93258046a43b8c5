//! DF019 certificate-verification-disabled: a command option, setting or environment variable turns off
//! TLS certificate verification (`curl -k`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `sslverify=0`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};

use super::verification_bypass::{Verification, bypasses};

pub static CERTIFICATE_VERIFICATION_DISABLED: Rule = Rule {
    code: "DF019",
    name: "certificate-verification-disabled",
    summary: "TLS certificate verification is turned off (`curl -k`, `wget --no-check-certificate`, \
              `NODE_TLS_REJECT_UNAUTHORIZED=0`…)",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Warning,
    related: &[
        "checkov:CKV2_DOCKER_2",
        "checkov:CKV2_DOCKER_3",
        "checkov:CKV2_DOCKER_4",
        "checkov:CKV2_DOCKER_5",
        "checkov:CKV2_DOCKER_6",
        "checkov:CKV2_DOCKER_12",
        "checkov:CKV2_DOCKER_13",
        "checkov:CKV2_DOCKER_14",
        "checkov:CKV2_DOCKER_15",
        "checkov:CKV2_DOCKER_16",
        "cis:4.11",
        "nist-800-190:3.1.5",
        "cwe:295",
    ],
    docs: include_str!("certificate_verification_disabled.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for bypass in &bypasses(context).0 {
        if bypass.kind != Verification::Tls {
            continue;
        }
        out.report(
            bypass.span,
            format!("`{}` turns off TLS certificate verification", bypass.what),
        )
        .with_help(
            "keep verification on; for a private CA, add its certificate to the trust store \
             (`COPY ca.crt /usr/local/share/ca-certificates/` then `update-ca-certificates`)",
        );
    }
}
