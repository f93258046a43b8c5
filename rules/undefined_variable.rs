//! DF047 undefined-variable: a `$VAR` that BuildKit expands in a Dockerfile instruction but that
//! no ARG or ENV defines where it is used: a global ARG not re-declared in the stage, a name
//! one typo away from a defined one, or any unknown name in `FROM` or in a `scratch` stage.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::linter::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Target};
use crate::syntax::dockerfile::{BaseKind, Command, Dockerfile, Instruction, Keyword, Stage};
use crate::syntax::span::Span;

use crate::semantic::StageForest;

use super::build_support::{Nearness, TypoBudget, closest_within, nearest_within};
use crate::syntax::dockerfile::expansion::references;

pub static UNDEFINED_VARIABLE: Rule = Rule {
    code: "DF047",
    name: "undefined-variable",
    summary: "A variable is used where no ARG or ENV defines it, so it expands to nothing",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    related: &["buildkit:UndefinedVar"],
    docs: include_str!("undefined_variable.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// ARGs BuildKit defines without a declaration besides the platform ones (the proxy ones reach
/// RUN only, but naming them anywhere is deliberate).
const PREDEFINED: &[&str] = &[
    "TARGETSTAGE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "ftp_proxy",
    "no_proxy",
    "all_proxy",
    "SOURCE_DATE_EPOCH",
];

fn is_predefined(name: &str) -> bool {
    PREDEFINED.contains(&name)
        || super::support::PLATFORM_ARGS.contains(&name)
        || name.starts_with("BUILDKIT_")
}

/// The source spans of an instruction whose variables BuildKit expands.
fn expanded_spans(instruction: &Instruction) -> Vec<Span> {
    let mut spans: Vec<Span> = instruction
        .flags
        .iter()
        .filter_map(|flag| flag.value.as_ref().map(|value| value.span))
        .collect();
    match &instruction.command {
        Command::From(from) => spans.push(from.image.span),
        Command::Env(pairs) | Command::Label(pairs) | Command::Arg(pairs) => {
            spans.extend(
                pairs
                    .iter()
                    .filter_map(|p| p.value.as_ref().map(|v| v.span)),
            );
        }
        Command::Copy(copy) | Command::Add(copy) => {
            spans.extend(copy.sources.iter().map(|s| s.span));
            spans.extend(copy.destination.as_ref().map(|d| d.span));
        }
        Command::User(user) => {
            spans.push(user.user.span);
            spans.extend(user.group.as_ref().map(|g| g.span));
        }
        Command::Workdir(value) | Command::Stopsignal(value) => spans.push(value.span),
        Command::Expose(values) | Command::Volume(values) => {
            spans.extend(values.iter().map(|v| v.span));
        }
        // RUN, CMD, ENTRYPOINT, HEALTHCHECK and SHELL text is expanded by the shell at run
        // time, where the script itself may define the variable.
        _ => spans.clear(),
    }
    spans
}

/// The names an ARG or ENV instruction defines.
fn defined_names(instruction: &Instruction) -> Vec<&str> {
    match &instruction.command {
        Command::Arg(pairs) | Command::Env(pairs) => {
            pairs.iter().map(|p| p.key.value.as_str()).collect()
        }
        _ => Vec::new(),
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let source = context.source.text.as_str();
    let escape = dockerfile.escape;
    let mut global: BTreeSet<&str> = BTreeSet::new();
    let mut global_spans: Vec<(&str, Span)> = Vec::new();
    let mut global_budget = TypoBudget::for_text(source.len());
    // Global scope: ARGs before the first FROM, and the FROM lines themselves.
    for instruction in &dockerfile.instructions {
        let is_from = instruction.keyword == Keyword::From;
        // Only ARG and FROM may stand before the first FROM; anything else there is a parse
        // error (or a template fragment) and is not judged.
        if instruction.stage.is_some() && !is_from
            || instruction.stage.is_none() && instruction.keyword != Keyword::Arg && !is_from
        {
            continue;
        }
        for span in expanded_spans(instruction) {
            for reference in references(span.text(source), span.start, escape) {
                if global.contains(reference.name.as_str()) || is_predefined(&reference.name) {
                    continue;
                }
                let what = if is_from { "FROM" } else { "this ARG" };
                let finding = out.report(
                    reference.span,
                    format!(
                        "`{}` is not defined: {what} can only use ARGs declared before the first FROM",
                        reference.name
                    ),
                );
                match closest_within(&reference.name, global.iter().copied(), &mut global_budget) {
                    Some(suggestion) => {
                        finding.with_help(format!("did you mean `{suggestion}`?"));
                    }
                    None => {
                        finding.with_help(format!(
                            "declare `ARG {}=<default>` before the first FROM",
                            reference.name
                        ));
                    }
                }
            }
        }
        if !is_from {
            for pair in match &instruction.command {
                Command::Arg(pairs) => pairs.as_slice(),
                _ => &[],
            } {
                global.insert(pair.key.value.as_str());
                global_spans.push((pair.key.value.as_str(), pair.key.span));
            }
        }
    }

    // A name the file defines somewhere (even later, or in the same ENV) is not a typo; using
    // it before its definition is a different mistake.
    let defined_anywhere: BTreeSet<&str> = dockerfile
        .instructions
        .iter()
        .flat_map(defined_names)
        .collect();
    let global_spans: HashMap<&str, Span> =
        global_spans
            .into_iter()
            .fold(HashMap::new(), |mut first, (name, span)| {
                first.entry(name).or_insert(span);
                first
            });
    let mut scope = Scope {
        source,
        escape,
        global: &global,
        global_spans: &global_spans,
        defined_anywhere: &defined_anywhere,
        defined: BTreeMap::new(),
        typo_budget: TypoBudget::for_text(source.len()),
    };
    // A stage sees the names of the stages it is built on (`FROM <stage>`, which only points
    // back). The stages form a forest, walked depth first with an explicit stack: entering a
    // stage adds the names it defines to `defined`, leaving it removes them, so `defined` holds
    // exactly what the stage inherits, and the walk is linear however long the chains are.
    let stages = &dockerfile.stages;
    let StageForest { children, roots } = StageForest::new(dockerfile);
    enum Step {
        Enter { index: usize, on_scratch: bool },
        Leave { index: usize },
    }
    let mut added: Vec<Vec<&str>> = vec![Vec::new(); stages.len()];
    let mut steps: Vec<Step> = roots
        .iter()
        .rev()
        .filter_map(|&index| {
            let on_scratch = matches!(stages.get(index)?.base.kind, BaseKind::Scratch);
            Some(Step::Enter { index, on_scratch })
        })
        .collect();
    while let Some(step) = steps.pop() {
        match step {
            Step::Enter { index, on_scratch } => {
                let Some(stage) = stages.get(index) else {
                    continue;
                };
                added[index] = scope.check_stage(dockerfile, stage, on_scratch, out);
                steps.push(Step::Leave { index });
                for &child in children[index].iter().rev() {
                    steps.push(Step::Enter {
                        index: child,
                        on_scratch,
                    });
                }
            }
            Step::Leave { index } => {
                for name in std::mem::take(&mut added[index]) {
                    if let Some(count) = scope.defined.get_mut(name) {
                        *count -= 1;
                        if *count == 0 {
                            scope.defined.remove(name);
                        }
                    }
                }
            }
        }
    }
}

/// What the check of one stage needs: the file, the global ARGs, and the names in force.
struct Scope<'a, 's> {
    source: &'a str,
    escape: char,
    global: &'s BTreeSet<&'a str>,
    global_spans: &'s HashMap<&'a str, Span>,
    defined_anywhere: &'s BTreeSet<&'a str>,
    /// The names the current stage and the stages it is built on define so far, each with the
    /// number of definitions in force.
    defined: BTreeMap<&'a str, usize>,
    typo_budget: TypoBudget,
}

impl<'a> Scope<'a, '_> {
    /// Check the instructions of `stage` with `defined` holding what it inherits; returns the
    /// names it added to `defined` (once per definition), for the caller to remove.
    fn check_stage(
        &mut self,
        dockerfile: &'a Dockerfile,
        stage: &Stage,
        on_scratch: bool,
        out: &mut Emitter<'_>,
    ) -> Vec<&'a str> {
        let source = self.source;
        let mut added = Vec::new();
        // Global ARGs already reported in this stage: one finding per name and stage is enough.
        let mut reported: BTreeSet<&str> = BTreeSet::new();
        let instructions = dockerfile.stage_instructions(stage);
        let from_line_end = instructions.first().map(|from| from.span.end);
        for instruction in instructions.iter().skip(1) {
            for span in expanded_spans(instruction) {
                for reference in references(span.text(source), span.start, self.escape) {
                    let name = reference.name.as_str();
                    if self.defined.contains_key(name)
                        || reported.contains(name)
                        || is_predefined(name)
                    {
                        continue;
                    }
                    if let Some(global_name) = self.global.get(name) {
                        let finding = out.report(
                            reference.span,
                            format!(
                                "`{name}` is a global ARG, which is not visible inside a stage until it is re-declared; here it expands to nothing"
                            ),
                        );
                        if let Some(declared) = self.global_spans.get(name) {
                            finding.with_label(*declared, "declared before FROM here");
                        }
                        finding.with_help(format!("add `ARG {name}` after this stage's FROM"));
                        if let Some(end) = from_line_end {
                            finding.with_fix(Fix {
                                message: format!("re-declare `ARG {name}` in this stage"),
                                applicability: Applicability::Unsafe,
                                edits: vec![Edit {
                                    span: Span::empty(end),
                                    replacement: format!("\nARG {name}"),
                                }],
                            });
                        }
                        reported.insert(global_name);
                        continue;
                    }
                    let typo = if self.defined_anywhere.contains(name) {
                        None
                    } else {
                        typo_of(name, &self.defined, &reported, &mut self.typo_budget)
                    };
                    if let Some(suggestion) = typo {
                        out.report(
                            reference.span,
                            format!("`{name}` is not defined in this stage"),
                        )
                        .with_help(format!("did you mean `{suggestion}`?"));
                    } else if on_scratch {
                        out.report(
                            reference.span,
                            format!(
                                "`{name}` is not defined: no ARG or ENV sets it, and a `scratch` stage has no inherited environment"
                            ),
                        )
                        .with_help(format!("declare `ARG {name}` or `ENV {name}=…` before using it"));
                    }
                }
            }
            for name in defined_names(instruction) {
                *self.defined.entry(name).or_insert(0) += 1;
                added.push(name);
            }
        }
        added
    }
}

/// A defined name (or a global ARG already reported in this stage) that `name` is probably a
/// typo of, the first in name order. Short names are left alone: `$HOME` or `$PATH` come from
/// the base image and are one letter away from many words.
fn typo_of<'a>(
    name: &str,
    defined: &BTreeMap<&'a str, usize>,
    reported: &BTreeSet<&'a str>,
    budget: &mut TypoBudget,
) -> Option<&'a str> {
    if name.len() < 5 {
        return None;
    }
    // One edit only: `START_FILE` and `STARTUP_FILE` are both real names in base images.
    let nearness = Nearness {
        limit: 1,
        case_blind: false,
        exclude_equal: true,
        min_chars: 0,
    };
    let long = |candidate: &&'a str| candidate.len() >= 5;
    let in_defined = nearest_within(
        name,
        defined.keys().copied().filter(long),
        &nearness,
        budget,
    );
    let in_reported = nearest_within(
        name,
        reported.iter().copied().filter(long),
        &nearness,
        budget,
    );
    // Both are one edit away; the first in name order, as from one sorted set.
    match (in_defined, in_reported) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
