//! DF040 copy-from-invalid-stage: `COPY --from` names the stage it is in, a stage index that
//! does not exist, or a near-miss of a stage name (a typo BuildKit would try to pull as an image).

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::Keyword;

use crate::semantic::StageNames;

use super::build_support::{TypoBudget, closest_within};

pub static COPY_FROM_INVALID_STAGE: Rule = Rule {
    code: "DF040",
    name: "copy-from-invalid-stage",
    summary: "`COPY --from` names its own stage, a stage index that does not exist, or a misspelt stage",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    related: &[
        "hadolint:DL3022",
        "hadolint:DL3023",
        "kics:cdddb86f",
        "trivy:DS-0006",
    ],
    docs: include_str!("copy_from_invalid_stage.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    // Built at the first name to look up: most files have none.
    let mut stages = None;
    let mut typo_budget = TypoBudget::for_text(context.source.text.len());
    for instruction in &dockerfile.instructions {
        if instruction.keyword != Keyword::Copy {
            continue;
        }
        let (Some(own), Some(from)) = (instruction.stage, instruction.flag("from")) else {
            continue;
        };
        let Some(value) = &from.value else { continue };
        let name = value.value.as_str();
        // `--from=$BUILDER` is only known at build time.
        if name.contains('$') || name.is_empty() {
            continue;
        }
        if let Ok(index) = name.parse::<usize>() {
            if index == own {
                out.report(
                    value.span,
                    format!("`COPY --from={name}` copies from the stage it is in"),
                )
                .with_help("a stage cannot copy from itself; name an earlier stage");
            } else if index >= dockerfile.stages.len() {
                out.report(
                    value.span,
                    format!(
                        "`COPY --from={name}`: there is no stage {name} (the file has {} stages, numbered from 0)",
                        dockerfile.stages.len()
                    ),
                )
                .with_help("name a stage with `FROM … AS name` and copy from that name");
            }
            continue;
        }
        if let Some(stage) = stages
            .get_or_insert_with(|| StageNames::new(dockerfile))
            .get(name)
        {
            if stage.index == own {
                let mut finding = out.report(
                    value.span,
                    format!("`COPY --from={name}` copies from the stage it is in"),
                );
                if let Some(stage_name) = &stage.name {
                    finding = finding.with_label(stage_name.span, "this stage");
                }
                finding.with_help("a stage cannot copy from itself; name an earlier stage");
            }
            continue;
        }
        // A name with a registry, tag or digest is an image; a bare word that is no stage is
        // one too, unless it is one typo away from a stage name.
        if name.contains(['/', ':', '@', '.']) {
            continue;
        }
        let names = dockerfile
            .stages
            .iter()
            .filter_map(|stage| stage.name.as_ref().map(|n| n.value.as_str()));
        if let Some(suggestion) = closest_within(name, names, &mut typo_budget) {
            out.report(
                value.span,
                format!(
                    "`COPY --from={name}`: no stage is named `{name}`; BuildKit will try to pull an image `{name}`"
                ),
            )
            .with_help(format!("did you mean the stage `{suggestion}`?"))
            .with_fix(Fix {
                message: format!("copy from stage `{suggestion}`"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: value.span,
                    replacement: suggestion.to_string(),
                }],
            });
        }
    }
}
