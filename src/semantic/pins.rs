//! Where a file names the images it is built on or runs, written literally enough that
//! `plimsoll pin` can add a digest to them: the base image of each FROM (or the global ARG
//! default that a `FROM ${BASE}` takes it from), and the `image:` of each compose service that
//! pulls one. References that cannot be pinned in place are listed with the reason.

use std::collections::HashSet;

use crate::syntax::compose::ComposeFile;
use crate::syntax::dockerfile::{BaseKind, Command, Dockerfile, Keyword};
use crate::syntax::excerpt::excerpt;
use crate::syntax::image::ImageRef;
use crate::syntax::span::Span;

/// An image reference written literally at `span` (quotes excluded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinSite {
    pub image: ImageRef,
    /// The reference's text in the file: a digest is appended at its end (or replaces the
    /// digest it has).
    pub span: Span,
    /// Where it is, for messages: "FROM", "ARG BASE (FROM on line 4)", "service `web`".
    pub place: String,
}

impl PinSite {
    /// The reference text pinned to `digest`: `name:tag@digest`, the tag kept.
    pub fn pinned(&self, source: &str, digest: &str) -> String {
        let written = self.span.text(source);
        let name_and_tag = written.split_once('@').map_or(written, |(name, _)| name);
        format!("{name_and_tag}@{digest}")
    }
}

/// A reference left alone, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpinnable {
    pub span: Span,
    pub reason: String,
}

/// The references of one file.
#[derive(Debug, Default)]
pub struct PinSites {
    pub sites: Vec<PinSite>,
    pub skipped: Vec<Unpinnable>,
}

impl PinSites {
    /// Keep `image` at `span` when it names a tag; note it otherwise.
    fn add(&mut self, image: ImageRef, span: Span, place: String, seen: &mut HashSet<Span>) {
        if !seen.insert(span) {
            return;
        }
        if image.tag.is_none() {
            if image.digest.is_none() {
                let name = &image.repository;
                self.skipped.push(Unpinnable {
                    span,
                    reason: format!(
                        "`{name}` names no tag (Docker pulls `latest`); name the tag to pin \
                         (`{name}:<version>`)"
                    ),
                });
            }
            // A digest without a tag is pinned already, with nothing to compare it to.
            return;
        }
        self.sites.push(PinSite { image, span, place });
    }
}

/// The text at `span` when it is `value` as written: plain, or in quotes without escapes.
fn literal(source: &str, span: Span, value: &str) -> Option<Span> {
    let written = span.text(source);
    if written == value {
        return Some(span);
    }
    let quoted = written.len() == value.len() + 2
        && (written.starts_with('"') || written.starts_with('\''))
        && written.ends_with(&written[..1])
        && written.get(1..written.len() - 1) == Some(value);
    quoted.then(|| span.sub(1, 1 + value.len()))
}

/// `$NAME` or `${NAME}` alone: the variable's name.
fn whole_variable(text: &str) -> Option<&str> {
    let name = text
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .or_else(|| text.strip_prefix('$'))?;
    (!name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with(|c: char| c.is_ascii_digit()))
    .then_some(name)
}

/// The base images of a Dockerfile. `scratch`, earlier stages and digests without a tag are
/// left out silently; untagged names, references with variables that have no default and
/// references that mix variables with text (`node:${VERSION}`: a digest there would outlive a
/// `--build-arg VERSION=…`) are listed as skipped.
pub fn dockerfile_sites(source: &str, dockerfile: &Dockerfile) -> PinSites {
    let mut sites = PinSites::default();
    let mut seen = HashSet::new();
    let first_from = dockerfile.stages.first().map_or(0, |stage| stage.from);
    for stage in &dockerfile.stages {
        let base = &stage.base;
        let BaseKind::Image(image) = &base.kind else {
            if base.kind == BaseKind::Unresolved && base.raw.value.contains('$') {
                sites.skipped.push(Unpinnable {
                    span: base.raw.span,
                    reason: format!(
                        "`{}` uses a variable without a default",
                        excerpt(&base.raw.value)
                    ),
                });
            }
            continue;
        };
        // A bare name is an earlier stage when one has it (BuildKit ignores case), whatever
        // the parser made of it; it has no tag either way.
        if !base.raw.value.contains('$') {
            match literal(source, base.raw.span, &base.raw.value) {
                Some(span) => sites.add(image.clone(), span, "FROM".to_string(), &mut seen),
                None => sites.skipped.push(Unpinnable {
                    span: base.raw.span,
                    reason: format!("`{}` is not written in one piece", excerpt(&base.raw.value)),
                }),
            }
            continue;
        }
        let from_line = line_of(source, base.raw.span.start);
        let Some(name) = whole_variable(&base.raw.value) else {
            sites.skipped.push(Unpinnable {
                span: base.raw.span,
                reason: format!(
                    "`{}` mixes variables with text: a digest here would outlive a \
                     `--build-arg`; put the whole reference in one ARG to pin it there",
                    excerpt(&base.raw.value)
                ),
            });
            continue;
        };
        // The global ARG whose default FROM takes: the last declaration with one before the
        // first FROM.
        let default = dockerfile.instructions[..first_from.min(dockerfile.instructions.len())]
            .iter()
            .filter(|instruction| instruction.keyword == Keyword::Arg)
            .filter_map(|instruction| match &instruction.command {
                Command::Arg(pairs) => Some(pairs),
                _ => None,
            })
            .flatten()
            .filter(|pair| pair.key.value == name)
            .filter_map(|pair| pair.value.as_ref())
            .next_back();
        let pinnable = default.filter(|value| {
            !value.value.contains('$') && base.resolved.as_deref() == Some(value.value.as_str())
        });
        match pinnable.and_then(|value| literal(source, value.span, &value.value)) {
            Some(span) => sites.add(
                image.clone(),
                span,
                format!("ARG {name} (FROM on line {from_line})"),
                &mut seen,
            ),
            None => sites.skipped.push(Unpinnable {
                span: base.raw.span,
                reason: format!(
                    "`{}` takes its value from an ARG default that is not one literal \
                     reference",
                    excerpt(&base.raw.value)
                ),
            }),
        }
    }
    sites
}

/// The images compose pulls: `image:` of each service without `build:` (with `build:` it
/// names the image compose builds). A value with variables is skipped: its reference is only
/// known where the file is used.
pub fn compose_sites(source: &str, compose: &ComposeFile) -> PinSites {
    let mut sites = PinSites::default();
    let mut seen = HashSet::new();
    for service in &compose.services {
        let Some(field) = service.image.as_ref().filter(|_| service.build.is_none()) else {
            continue;
        };
        let place = format!("service `{}`", service.name.value);
        let interpolated = compose.interpolation_at(field.span).is_some();
        let written = literal(source, field.span, &field.value).filter(|_| !interpolated);
        let Some(span) = written.filter(|_| !field.value.contains('$')) else {
            sites.skipped.push(Unpinnable {
                span: field.span,
                reason: format!(
                    "{place}: `{}` uses variables; pin the value where it is set",
                    excerpt(field.span.text(source))
                ),
            });
            continue;
        };
        match ImageRef::parse(&field.value) {
            Some(image) => sites.add(image, span, place, &mut seen),
            None => sites.skipped.push(Unpinnable {
                span,
                reason: format!(
                    "{place}: `{}` is not an image reference",
                    excerpt(&field.value)
                ),
            }),
        }
    }
    sites
}

/// The 1-based line of `offset`.
fn line_of(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .map_or(0, |before| before.bytes().filter(|&b| b == b'\n').count())
        + 1
}

/// `source` with each `(span, replacement)` applied; the spans must not overlap.
pub fn apply_edits(source: &str, edits: &[(Span, String)]) -> String {
    let mut sorted: Vec<&(Span, String)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(source.len() + edits.len() * 72);
    let mut at = 0;
    for (span, replacement) in sorted {
        if span.start < at || span.end > source.len() {
            continue;
        }
        out.push_str(&source[at..span.start]);
        out.push_str(replacement);
        at = span.end;
    }
    out.push_str(&source[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dockerfile(text: &str) -> (Vec<(String, String)>, Vec<String>) {
        let parsed = crate::syntax::dockerfile::parse(text);
        let sites = dockerfile_sites(text, &parsed);
        (
            sites
                .sites
                .iter()
                .map(|s| (s.span.text(text).to_string(), s.place.clone()))
                .collect(),
            sites.skipped.iter().map(|s| s.reason.clone()).collect(),
        )
    }

    #[test]
    fn from_lines_and_arg_defaults() {
        let text = "ARG BASE=\"ghcr.io/o/app:1.2\"\nARG V=3.20\nFROM alpine:3.20 AS build\n\
                    FROM build\nFROM scratch\nFROM ${BASE}\nFROM $BASE\nFROM node:${V}\n\
                    FROM alpine\nFROM alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\
                    FROM ${MISSING}\n";
        let (sites, skipped) = dockerfile(text);
        assert_eq!(
            sites,
            [
                ("alpine:3.20".to_string(), "FROM".to_string()),
                (
                    "ghcr.io/o/app:1.2".to_string(),
                    "ARG BASE (FROM on line 6)".to_string()
                ),
            ]
        );
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(skipped[0].contains("mixes variables"), "{skipped:?}");
        assert!(skipped[1].contains("names no tag"), "{skipped:?}");
        assert!(skipped[2].contains("without a default"), "{skipped:?}");
    }

    #[test]
    fn a_pinned_reference_keeps_its_tag_and_takes_the_new_digest() {
        let text = "FROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
        let parsed = crate::syntax::dockerfile::parse(text);
        let sites = dockerfile_sites(text, &parsed).sites;
        assert_eq!(sites.len(), 1);
        assert!(sites[0].image.digest.is_some());
        assert_eq!(sites[0].pinned(text, "sha256:ff"), "alpine:3.20@sha256:ff");
        let edited = apply_edits(text, &[(sites[0].span, sites[0].pinned(text, "sha256:ff"))]);
        assert_eq!(edited, "FROM alpine:3.20@sha256:ff\n");
    }

    #[test]
    fn compose_images_that_are_pulled() {
        let text = "services:\n  web:\n    image: 'nginx:1.27'\n  app:\n    build: .\n    image: me/app:1\n  \
                    db:\n    image: ${DB:-postgres:16}\n  cache:\n    image: redis:7 # comment\n";
        let parsed = crate::syntax::compose::parse(text);
        let sites = compose_sites(text, &parsed);
        let written: Vec<&str> = sites.sites.iter().map(|s| s.span.text(text)).collect();
        assert_eq!(written, ["nginx:1.27", "redis:7"]);
        assert_eq!(sites.skipped.len(), 1);
        assert!(sites.skipped[0].reason.contains("service `db`"));
        let edits: Vec<(Span, String)> = sites
            .sites
            .iter()
            .map(|s| (s.span, s.pinned(text, "sha256:ab")))
            .collect();
        let edited = apply_edits(text, &edits);
        assert!(
            edited.contains("image: 'nginx:1.27@sha256:ab'\n"),
            "{edited}"
        );
        assert!(
            edited.contains("image: redis:7@sha256:ab # comment\n"),
            "{edited}"
        );
    }
}
