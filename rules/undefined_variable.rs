//! DF047 undefined-variable: a `$VAR` that BuildKit expands in a Dockerfile instruction but that
//! no ARG or ENV defines where it is used: a global ARG not re-declared in the stage, a name
//! one typo away from a defined one, or any unknown name in `FROM` or in a `scratch` stage.

use std::collections::BTreeSet;

use crate::diagnostic::{Applicability, Category, Edit, Fix, Severity};
use crate::dockerfile::{BaseKind, Command, Dockerfile, Instruction, Keyword};
use crate::rule::{Check, DockerfileContext, Emitter, FixAvailability, Rule, Status, Target};
use crate::span::Span;

use super::build_support::{closest, edit_distance, stage_instructions};

pub static UNDEFINED_VARIABLE: Rule = Rule {
    code: "DF047",
    name: "undefined-variable",
    summary: "A variable is used where no ARG or ENV defines it, so it expands to nothing",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes,
    status: Status::Stable,
    since: "0.1.0",
    related: &["buildkit:UndefinedVar"],
    docs: include_str!("undefined_variable.md"),
    options: &[],
    check: Check::Dockerfile(check),
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

/// A `$NAME` or `${NAME}` reference without a default, at `span` in the source.
pub(super) struct Reference {
    pub(super) name: String,
    pub(super) span: Span,
}

/// The references in `text` (the source bytes at `start`) that BuildKit expands: not in single
/// quotes, not escaped, and without a `${NAME:-default}`-style operator (those are deliberate).
pub(super) fn references(text: &str, start: usize, escape: char) -> Vec<Reference> {
    let bytes = text.as_bytes();
    let escape = u8::try_from(escape).unwrap_or(b'\\');
    let mut found = Vec::new();
    let mut single = false;
    let mut double = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == escape && !single {
            i += 2;
            continue;
        }
        match byte {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'$' if !single => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let name_start = if braced { i + 2 } else { i + 1 };
                let mut end = name_start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let name = &text[name_start..end];
                if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
                    i += 1;
                    continue;
                }
                if braced {
                    // Find the closing brace, counting nested ones.
                    let mut depth = 1;
                    let mut close = end;
                    while close < bytes.len() && depth > 0 {
                        match bytes[close] {
                            b'{' => depth += 1,
                            b'}' => depth -= 1,
                            _ => {}
                        }
                        close += 1;
                    }
                    if bytes.get(end) == Some(&b'}') {
                        found.push(Reference {
                            name: name.to_string(),
                            span: Span::new(start + i, start + end + 1),
                        });
                    }
                    i = close;
                    continue;
                }
                found.push(Reference {
                    name: name.to_string(),
                    span: Span::new(start + i, start + end),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
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

/// Whether the stage (following `FROM <stage>`) is built on `scratch`, so that no variable can
/// come from a base image's environment; and the names its ancestor stages define.
fn ancestry(dockerfile: &Dockerfile, stage_index: usize) -> (bool, BTreeSet<&str>) {
    let mut inherited = BTreeSet::new();
    let mut current = dockerfile.stages.get(stage_index);
    // Stage references only point backwards; the step count bounds the walk anyway.
    for _ in 0..=dockerfile.stages.len() {
        let Some(stage) = current else { break };
        match &stage.base.kind {
            BaseKind::Scratch => return (true, inherited),
            BaseKind::Stage { index } if *index < stage.index => {
                let Some(base) = dockerfile.stages.get(*index) else {
                    break;
                };
                for instruction in stage_instructions(dockerfile, base) {
                    inherited.extend(defined_names(instruction));
                }
                current = Some(base);
            }
            _ => break,
        }
    }
    (false, inherited)
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let source = context.source.text.as_str();
    let escape = dockerfile.escape;
    let mut global: BTreeSet<&str> = BTreeSet::new();
    let mut global_spans: Vec<(&str, Span)> = Vec::new();
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
                match closest(&reference.name, global.iter().copied()) {
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
    for stage in &dockerfile.stages {
        let (on_scratch, mut defined) = ancestry(dockerfile, stage.index);
        let instructions = stage_instructions(dockerfile, stage);
        let from_line_end = instructions.first().map(|from| from.span.end);
        for instruction in instructions.iter().skip(1) {
            for span in expanded_spans(instruction) {
                for reference in references(span.text(source), span.start, escape) {
                    let name = reference.name.as_str();
                    if defined.contains(name) || is_predefined(name) {
                        continue;
                    }
                    if global.contains(name) {
                        let finding = out.report(
                            reference.span,
                            format!(
                                "`{name}` is a global ARG, which is not visible inside a stage until it is re-declared; here it expands to nothing"
                            ),
                        );
                        if let Some((_, declared)) = global_spans
                            .iter()
                            .find(|(global_name, _)| *global_name == name)
                        {
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
                        // One finding per name and stage is enough.
                        if let Some(global_name) = global.get(name) {
                            defined.insert(global_name);
                        }
                        continue;
                    }
                    if let Some(suggestion) =
                        typo_of(name, &defined).filter(|_| !defined_anywhere.contains(name))
                    {
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
            defined.extend(defined_names(instruction));
        }
    }
}

/// A defined name that `name` is probably a typo of. Short names are left alone: `$HOME` or
/// `$PATH` come from the base image and are one letter away from many words.
fn typo_of<'a>(name: &str, defined: &BTreeSet<&'a str>) -> Option<&'a str> {
    if name.len() < 5 {
        return None;
    }
    // One edit only: `START_FILE` and `STARTUP_FILE` are both real names in base images.
    let limit = 1;
    defined
        .iter()
        .copied()
        .filter(|candidate| candidate.len() >= 5)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance > 0 && *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references() {
        let names = |text: &str| -> Vec<String> {
            references(text, 0, '\\')
                .into_iter()
                .map(|r| r.name)
                .collect()
        };
        assert_eq!(names("$A/${B}/x"), ["A", "B"]);
        assert_eq!(names("${A:-x}${B:+$C}"), Vec::<String>::new());
        assert_eq!(names("'$A' \"$B\" \\$C $1"), ["B"]);
        let spans: Vec<Span> = references("x=${VER}", 10, '\\')
            .iter()
            .map(|r| r.span)
            .collect();
        assert_eq!(spans, [Span::new(12, 18)]);
    }
}
