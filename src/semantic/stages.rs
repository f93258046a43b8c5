//! The stage graph: stages by name, the FROM chain through earlier stages, the stages built on
//! each stage, which stages reach the final image, and what a base image says about its platform.

use crate::syntax::dockerfile::{BaseImage, BaseKind, Dockerfile, Stage};
use crate::syntax::image::ImageRef;

/// The stage and the stages it is built on through `FROM <stage>`, nearest first. Stage
/// references only point backwards, so the walk ends after at most `stage.index + 1` steps
/// whatever the model says.
pub fn ancestors<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
) -> impl Iterator<Item = &'a Stage> + 'a {
    std::iter::successors(Some(stage), move |current| dockerfile.base_stage(current))
}

/// The stages as a forest: a stage's children are the stages built on it through
/// `FROM <stage>`, the roots are the stages built on an image, `scratch` or an unresolved base.
/// For walks that carry what a stage inherits down to the stages built on it.
pub struct StageForest {
    /// Per stage, the indices of the stages built on it, in file order.
    pub children: Vec<Vec<usize>>,
    /// The indices of the stages not built on another stage, in file order.
    pub roots: Vec<usize>,
}

impl StageForest {
    pub fn new(dockerfile: &Dockerfile) -> Self {
        let mut children = vec![Vec::new(); dockerfile.stages.len()];
        let mut roots = Vec::new();
        for stage in &dockerfile.stages {
            match dockerfile.base_stage(stage) {
                Some(base) => {
                    if let Some(built_on_base) = children.get_mut(base.index) {
                        built_on_base.push(stage.index);
                    }
                }
                None => roots.push(stage.index),
            }
        }
        Self { children, roots }
    }
}

/// The stages by name, for rules that look a name up per instruction (a linear search per
/// `COPY --from` made 10,000 stages quadratic). BuildKit compares stage names
/// case-insensitively; the first stage with a name wins.
pub struct StageNames<'a>(std::collections::HashMap<String, &'a Stage>);

impl<'a> StageNames<'a> {
    pub fn new(dockerfile: &'a Dockerfile) -> Self {
        let mut names = std::collections::HashMap::with_capacity(dockerfile.stages.len());
        for stage in &dockerfile.stages {
            if let Some(name) = &stage.name {
                names
                    .entry(name.value.to_ascii_lowercase())
                    .or_insert(stage);
            }
        }
        Self(names)
    }

    /// The stage named `name`.
    pub fn get(&self, name: &str) -> Option<&'a Stage> {
        self.0.get(&name.to_ascii_lowercase()).copied()
    }
}

/// For each stage, whether it reaches the image: the final stage and the stages it is built on
/// through `FROM <stage>`. Builder stages (and their caches) never reach the image.
pub fn reaches_image(dockerfile: &Dockerfile) -> Vec<bool> {
    let mut marks = vec![false; dockerfile.stages.len()];
    if let Some(last) = dockerfile.final_stage() {
        for stage in ancestors(dockerfile, last) {
            if let Some(mark) = marks.get_mut(stage.index) {
                *mark = true;
            }
        }
    }
    marks
}

/// Whether an image is a Windows image (Windows Server Core, Nano Server, `windows`): by its
/// repository (`mcr.microsoft.com/windows/servercore`, `microsoft/nanoserver`) or by its tag
/// (`golang:1.9-nanoserver`, `openjdk:8-windowsservercore`, `dotnet/sdk:8.0-nanoserver-1809`,
/// `…:ltsc2022`): the one detection every rule uses.
pub fn is_windows_image(image: &ImageRef) -> bool {
    let tag = image.tag.as_deref().unwrap_or("");
    mentions_windows(&image.repository) || mentions_windows(tag) || is_ltsc(tag)
}

/// A Windows base's name in a repository or tag, in any case (asked by several rules for every
/// stage of every file: compared in place, without a lower-cased copy).
fn mentions_windows(text: &str) -> bool {
    // Asked of every stage's base by a dozen rules: only the places whose byte is a needle's
    // first letter in either case are compared (`| 0x20` lower-cases an ASCII letter).
    let bytes = text.as_bytes();
    ["windows", "nanoserver", "servercore"].iter().any(|name| {
        let needle = name.as_bytes();
        let last = bytes.len().saturating_sub(needle.len());
        bytes.len() >= needle.len()
            && (0..=last).any(|at| {
                bytes[at] | 0x20 == needle[0]
                    && bytes[at..at + needle.len()].eq_ignore_ascii_case(needle)
            })
    })
}

/// Where `needle` (lower case) starts in `text`, ignoring ASCII case.
fn positions_of<'a>(text: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.as_bytes()
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| window.eq_ignore_ascii_case(needle.as_bytes()))
        .map(|(at, _)| at)
}

/// A Windows Server long-term servicing channel tag, in any case: `ltsc2019`, `10.0-ltsc2022`.
fn is_ltsc(tag: &str) -> bool {
    positions_of(tag, "ltsc").any(|at| {
        tag.as_bytes()[at + 4..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
            == 4
    })
}

/// Whether a stage's base is a Windows image: a registry image ([`is_windows_image`], after
/// ARG defaults), or a FROM whose variables have no default but whose literal text names a
/// Windows base (`mcr.microsoft.com/windows/servercore:${VERSION}`).
pub fn is_windows_base(base: &BaseImage) -> bool {
    match &base.kind {
        BaseKind::Image(image) => is_windows_image(image),
        BaseKind::Unresolved => {
            let literal = without_variables(&base.raw.value);
            mentions_windows(&literal) || is_ltsc(&literal)
        }
        BaseKind::Scratch | BaseKind::Stage { .. } => false,
    }
}

/// `text` with `$NAME` and `${…}` references removed (a variable's name is not the image).
fn without_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
            }
        } else {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                chars.next();
            }
        }
    }
    out
}

/// Per stage, whether it is built on a Windows image: its own base, or through `FROM <stage>`
/// the base of the stage it builds on.
pub fn windows_stages(dockerfile: &Dockerfile) -> Vec<bool> {
    let mut windows: Vec<bool> = Vec::with_capacity(dockerfile.stages.len());
    for stage in &dockerfile.stages {
        let on_windows = match &stage.base.kind {
            BaseKind::Stage { index } if *index < stage.index => {
                windows.get(*index).copied().unwrap_or(false)
            }
            _ => is_windows_base(&stage.base),
        };
        windows.push(on_windows);
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_images_in_any_case() {
        let windows = |text: &str| mentions_windows(text) || is_ltsc(text);
        for text in [
            "windows",
            "Microsoft/NanoServer",
            "8-WindowsServerCore",
            "10.0-LTSC2022",
        ] {
            assert!(windows(text), "{text}");
        }
        for text in ["alpine", "ltsc", "ltsc20", "LTSC-2022", "window"] {
            assert!(!windows(text), "{text}");
        }
    }

    #[test]
    fn windows_mentions_are_found_as_a_search_at_every_place_finds_them() {
        let slow = |text: &str| {
            ["windows", "nanoserver", "servercore"]
                .iter()
                .any(|name| positions_of(text, name).next().is_some())
        };
        let pieces = [
            "win", "WIN", "dows", "DoWs", "nano", "Server", "core", "w", "N", "S", ":", "é",
        ];
        for text in crate::testing::texts_of(&pieces, 20_000, 7) {
            assert_eq!(mentions_windows(&text), slow(&text), "{text}");
        }
    }

    #[test]
    fn ancestors_follow_from_stage_and_final_chain_reaches_image() {
        let dockerfile = crate::syntax::dockerfile::parse(
            "FROM alpine AS base\nFROM base AS mid\nFROM golang AS tools\nFROM mid\n",
        );
        let last = dockerfile.stages.last().unwrap();
        let chain: Vec<usize> = ancestors(&dockerfile, last).map(|s| s.index).collect();
        assert_eq!(chain, vec![3, 1, 0]);
        assert_eq!(reaches_image(&dockerfile), vec![true, true, false, true]);
        let forest = StageForest::new(&dockerfile);
        assert_eq!(forest.roots, vec![0, 2]);
        assert_eq!(forest.children, vec![vec![1], vec![3], vec![], vec![]]);
    }

    #[test]
    fn windows_images_by_repository_tag_arg_default_and_stage() {
        let windows = |r: &str| is_windows_image(&ImageRef::parse(r).unwrap());
        for image in [
            "mcr.microsoft.com/windows/servercore:ltsc2022",
            "microsoft/nanoserver",
            "golang:1.9-nanoserver",
            "openjdk:8-windowsservercore",
            "mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-1809",
            "example.com/agent:2.1-ltsc2019",
            "mcr.microsoft.com/dotnet/sdk:8.0-windowsservercore-ltsc2019",
        ] {
            assert!(windows(image), "{image}");
        }
        for image in ["golang:1.22", "example/app:ltsc-beta", "alpine:3.20"] {
            assert!(!windows(image), "{image}");
        }
        let dockerfile = crate::syntax::dockerfile::parse(
            "ARG BASE=mcr.microsoft.com/windows/servercore:ltsc2022\nARG V\n\
             FROM $BASE AS a\nFROM a\nFROM mcr.microsoft.com/windows/nanoserver:${V}\n\
             FROM ${V}\nFROM alpine:3.20\n",
        );
        assert_eq!(
            windows_stages(&dockerfile),
            vec![true, true, true, false, false]
        );
    }
}
