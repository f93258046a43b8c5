//! DF075 invalid-default-arg-in-from: a `FROM` whose image reference, expanded with the global
//! ARGs' defaults (no `--build-arg`), is empty or not a valid reference, so the build fails
//! unless the caller passes the right build arguments (BuildKit's InvalidDefaultArgInFrom).

use std::collections::HashMap;

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, DockerfileContext, Emitter, Rule, Target};
use crate::semantic::StageNames;
use crate::syntax::dockerfile::expansion::{self, Binding, Expansion, ExpansionBudget, UnsetIs};
use crate::syntax::dockerfile::{Command, Dockerfile};
use crate::syntax::excerpt::excerpt;
use crate::syntax::image::ImageRef;
use crate::syntax::span::Span;

use super::support::PLATFORM_ARGS;
use crate::syntax::span::written_part;

pub static INVALID_DEFAULT_ARG_IN_FROM: Rule = Rule {
    code: "DF075",
    name: "invalid-default-arg-in-from",
    summary: "A FROM image is empty or invalid with the global ARGs' default values",
    target: Target::Dockerfile,
    category: Category::Correctness,
    severity: Severity::Warning,
    related: &["buildkit:InvalidDefaultArgInFrom"],
    docs: include_str!("invalid_default_arg_in_from.md"),
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// A global ARG as BuildKit sees it without build arguments.
struct GlobalArg {
    /// The default after expansion; `None` when no declaration gave one.
    value: Option<String>,
    /// The span of the declaration's name (the last one without a default, when none has one).
    name_span: Span,
}

/// The global ARGs (before the first FROM), in BuildKit's way: a default is expanded with the
/// ARGs before it (an unset one is empty), and a later `ARG NAME` without a default keeps an
/// earlier value.
fn global_args<'a>(
    dockerfile: &'a Dockerfile,
    budget: &mut ExpansionBudget,
) -> HashMap<&'a str, GlobalArg> {
    let mut args: HashMap<&str, GlobalArg> = HashMap::new();
    for instruction in &dockerfile.instructions {
        if instruction.stage.is_some() || matches!(instruction.command, Command::From(_)) {
            break;
        }
        let Command::Arg(pairs) = &instruction.command else {
            continue;
        };
        for pair in pairs {
            let name = pair.key.value.as_str();
            let value = match &pair.value {
                Some(default) => match expand(&default.value, &args, budget) {
                    Some(expansion) => Some(expansion.text),
                    // A default we cannot expand (or too large, which the parser reports): treat
                    // the ARG as set to something unknown.
                    None => Some("unknown".to_string()),
                },
                None => None,
            };
            match args.get_mut(name) {
                Some(existing) if value.is_none() => {
                    if existing.value.is_none() {
                        existing.name_span = pair.key.span;
                    }
                }
                _ => {
                    args.insert(
                        name,
                        GlobalArg {
                            value,
                            name_span: pair.key.span,
                        },
                    );
                }
            }
        }
    }
    args
}

/// `word` expanded with the global ARGs, an unset one being empty (BuildKit's reading of a build
/// without `--build-arg`). `None` when the result cannot be known: an undeclared, predefined or
/// numeric name, another operator, quotes, escapes, or a result past the expansion budget.
fn expand(
    word: &str,
    args: &HashMap<&str, GlobalArg>,
    budget: &mut ExpansionBudget,
) -> Option<Expansion> {
    if word.contains(['"', '\'', '\\', '`']) {
        return None;
    }
    let lookup = |name: &str| {
        if name.as_bytes()[0].is_ascii_digit() || PLATFORM_ARGS.contains(&name) {
            return None;
        }
        // An undeclared name is undefined-variable's (DF047) finding, not this rule's.
        Some(match &args.get(name)?.value {
            Some(value) => Binding::Set(value),
            None => Binding::Unset,
        })
    };
    expansion::expand(word, &lookup, UnsetIs::Empty, budget).ok()
}

/// Whether `text` is a reference BuildKit can pull: `[domain/]path[:tag][@digest]` with
/// lower-case path components joined by `.`, `_`, `__` or dashes.
fn is_valid_reference(text: &str) -> bool {
    let Some(image) = ImageRef::parse(text) else {
        return false;
    };
    let component_ok = |component: &str| {
        let bytes = component.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
            return false;
        }
        // Separators between alphanumerics: one `.`, one or two `_`, or any number of `-`.
        let separator_ok =
            |run: &[u8]| matches!(run, b"." | b"_" | b"__") || run.iter().all(|&b| b == b'-');
        let mut run_start = 0;
        for (at, b) in bytes.iter().enumerate() {
            if alnum(b) {
                if !separator_ok(bytes.get(run_start..at).unwrap_or_default()) {
                    return false;
                }
                run_start = at + 1;
            }
        }
        true
    };
    let domain_ok = image.registry.as_deref().is_none_or(|domain| {
        let (host, port) = match domain.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        };
        port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && host.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    });
    let name_len = image.registry.as_ref().map_or(0, |r| r.len() + 1) + image.repository.len();
    // A 64-hex-digit name would be read as an image id, which Docker refuses as a reference.
    let looks_like_id = image.registry.is_none()
        && image.repository.len() == 64
        && image.repository.bytes().all(|b| b.is_ascii_hexdigit());
    domain_ok && name_len <= 255 && !looks_like_id && image.repository.split('/').all(component_ok)
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let dockerfile = context.dockerfile;
    let mut budget = ExpansionBudget::for_text(context.source.text.len());
    let args = global_args(dockerfile, &mut budget);
    // Built at the first name to look up: most files have none.
    let mut stages = None;
    for stage in &dockerfile.stages {
        let raw = &stage.base.raw;
        if !raw.value.contains('$') {
            continue;
        }
        let Some(expansion) = expand(&raw.value, &args, &mut budget) else {
            continue;
        };
        let image = expansion.text.as_str();
        // A stage name is valid whatever it looks like (BuildKit matches names case-blind).
        let names_stage = stages
            .get_or_insert_with(|| StageNames::new(dockerfile))
            .get(image)
            .is_some_and(|s| s.index < stage.index);
        if names_stage || image.eq_ignore_ascii_case("scratch") || is_valid_reference(image) {
            continue;
        }
        let source = &context.source.text;
        let (span, culprit) = match expansion.empty.first() {
            Some((name, range)) => (
                written_part(source, raw.span, &raw.value, range.clone()),
                Some(name.as_str()),
            ),
            None => (raw.span, None),
        };
        let shown = if image.is_empty() {
            "an empty name".to_string()
        } else {
            format!("`{}`", excerpt(image))
        };
        let finding = out.report(
            span,
            format!(
                "`{}` is {shown} with the global ARGs' defaults, not a valid image reference",
                excerpt(&raw.value)
            ),
        );
        match culprit.and_then(|name| args.get(name).map(|arg| (name, arg))) {
            Some((name, arg)) => {
                finding
                    .with_help(format!(
                        "give `ARG {name}` a default that makes a valid reference, so the build \
                         works without `--build-arg {name}=…`"
                    ))
                    .with_label(arg.name_span, "declared here without a default");
            }
            None => {
                finding.with_help(
                    "change the global ARG defaults so the reference is valid without \
                     `--build-arg`",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for good in [
            "alpine",
            "alpine:3.20",
            "ghcr.io/org/app:1.0",
            "localhost:5000/a__b/c--d:x",
            "Registry.Example.com/app",
            "python:3.12-slim",
        ] {
            assert!(is_valid_reference(good), "{good}");
        }
        for bad in [
            "",
            "alpine:",
            ":3.20",
            "Alpine",
            "org/-app",
            "org/app-",
            "a..b",
            "a___b",
            "ghcr.io:/x",
            "-bad.example.com/x",
            "/alpine",
            "alpine@",
        ] {
            assert!(!is_valid_reference(bad), "{bad}");
        }
    }

    fn flagged(text: &str) -> Vec<(String, String)> {
        use crate::linter::engine::{self, Settings};
        use crate::syntax::source::{FileKind, SourceFile};
        let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let settings = Settings::from_selectors(&["DF075".into()], &[], &[]);
        engine::check(&source, &settings)
            .iter()
            .filter(|f| f.code == "DF075")
            .map(|f| (source.slice(f.span).to_string(), f.message.clone()))
            .collect()
    }

    #[test]
    fn defaults_are_expanded_like_buildkit() {
        let got = flagged("ARG TAG\nFROM alpine:${TAG}\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "${TAG}");
        assert_eq!(
            got[0].1,
            "`alpine:${TAG}` is `alpine:` with the global ARGs' defaults, not a valid image reference"
        );
        assert_eq!(flagged("ARG IMAGE\nFROM $IMAGE\n")[0].0, "$IMAGE");
        // A later declaration without a default keeps the earlier default.
        assert!(flagged("ARG TAG=3.20\nARG TAG\nFROM alpine:$TAG\n").is_empty());
        // Defaults built from other ARGs, and the operators.
        assert!(flagged("ARG V=3.20\nARG TAG=${V}\nFROM alpine:$TAG\n").is_empty());
        assert!(flagged("ARG TAG\nFROM alpine:${TAG:-3.20}\n").is_empty());
        assert!(flagged("ARG TAG\nFROM alpine:${TAG-3.20}\n").is_empty());
        assert_eq!(flagged("ARG TAG=\nFROM alpine:${TAG-3.20}\n").len(), 1);
        assert!(flagged("ARG TAG=\nFROM alpine:${TAG:-3.20}\n").is_empty());
        assert_eq!(flagged("ARG A\nARG B=${A}\nFROM alpine:$B\n").len(), 1);
        // An upper-case default is invalid too, pointed at as a whole.
        let got = flagged("ARG BASE=Alpine\nFROM ${BASE}:3.20\n");
        assert_eq!(got[0].0, "${BASE}:3.20");
        // Suffixes that keep the reference valid.
        assert!(flagged("ARG SUFFIX\nFROM alpine:3.20${SUFFIX}\n").is_empty());
        assert!(flagged("ARG REGISTRY\nFROM ${REGISTRY}alpine:3.20\n").is_empty());
    }

    #[test]
    fn what_is_not_judged() {
        // Undeclared names are undefined-variable's; predefined ones depend on the build.
        assert!(flagged("FROM alpine:${TAG}\n").is_empty());
        assert!(flagged("FROM alpine:${TARGETVARIANT}\n").is_empty());
        assert!(flagged("ARG TAG\nFROM alpine:${TAG:?set TAG}\n").is_empty());
        assert!(flagged("ARG TAG\nFROM alpine:${TAG%%-*}\n").is_empty());
        assert!(flagged("ARG TAG\nFROM alpine:${TAG:é}\n").is_empty());
        assert!(flagged("ARG TAG\nFROM alpine:${TAGé}\n").is_empty());
        // An earlier stage named by the default.
        assert!(flagged("ARG BASE=Build\nFROM alpine:3.20 AS build\nFROM ${BASE}\n").is_empty());
        assert!(flagged("ARG BASE=scratch\nFROM ${BASE}\n").is_empty());
    }
}
