//! DF049 maintainer-deprecated: the deprecated `MAINTAINER` instruction instead of a LABEL.

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Command;

pub static MAINTAINER_DEPRECATED: Rule = Rule {
    code: "DF049",
    name: "maintainer-deprecated",
    summary: "`MAINTAINER` is deprecated; use `LABEL org.opencontainers.image.authors=…`",
    target: Target::Dockerfile,
    category: Category::Style,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    related: &[
        "hadolint:DL4000",
        "buildkit:MaintainerDeprecated",
        "kics:99614418",
        "checkov:CKV_DOCKER_6",
        "trivy:DS-0022",
        "semgrep:maintainer-is-deprecated",
    ],
    docs: include_str!("maintainer_deprecated.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    for instruction in &context.dockerfile.instructions {
        let Command::Maintainer(name) = &instruction.command else {
            continue;
        };
        let escaped = name.value.replace('\\', "\\\\").replace('"', "\\\"");
        out.report(instruction.keyword_span, "`MAINTAINER` is deprecated")
            .with_help(
                "record the author as a label: `LABEL org.opencontainers.image.authors=\"…\"`",
            )
            .with_fix(Fix {
                message: "replace with `LABEL org.opencontainers.image.authors`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: instruction.keyword_span.cover(name.span),
                    replacement: format!("LABEL org.opencontainers.image.authors=\"{escaped}\""),
                }],
            });
    }
}
