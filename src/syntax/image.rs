//! Image references (`registry/repository:tag@digest`), shared by Dockerfile FROM and compose
//! `image:`.

use std::ops::Range;

use serde::Serialize;

/// A parsed image reference. Ranges are byte ranges into the string that was parsed, so a rule
/// can point at just the tag or the digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// `ghcr.io`, `localhost:5000`, … `None` means Docker Hub.
    pub registry: Option<String>,
    /// `library/alpine` is written `alpine`: this is the path as written, without registry.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    #[serde(skip)]
    pub tag_range: Option<Range<usize>>,
    #[serde(skip)]
    pub digest_range: Option<Range<usize>>,
}

impl ImageRef {
    /// Parse a reference. Returns `None` for text that cannot be an image reference (empty,
    /// whitespace, unexpanded variables, upper-case repository…).
    pub fn parse(text: &str) -> Option<ImageRef> {
        if text.is_empty()
            || text.contains(|c: char| c.is_whitespace() || c == '$' || c == '{' || c == '}')
        {
            return None;
        }
        let (name_and_tag, digest, digest_range) = match text.find('@') {
            Some(at) => {
                let digest = &text[at + 1..];
                if !valid_digest(digest) {
                    return None;
                }
                (
                    &text[..at],
                    Some(digest.to_string()),
                    Some(at + 1..text.len()),
                )
            }
            None => (text, None, None),
        };
        let last_slash = name_and_tag.rfind('/');
        let last_segment_start = last_slash.map_or(0, |i| i + 1);
        let (name, tag, tag_range) = match name_and_tag[last_segment_start..].rfind(':') {
            Some(colon) => {
                let colon = last_segment_start + colon;
                let tag = &name_and_tag[colon + 1..];
                if !valid_tag(tag) {
                    return None;
                }
                (
                    &name_and_tag[..colon],
                    Some(tag.to_string()),
                    Some(colon + 1..name_and_tag.len()),
                )
            }
            None => (name_and_tag, None, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest)
            }
            _ => (None, name),
        };
        if repository.is_empty()
            || !repository.split('/').all(|part| {
                !part.is_empty()
                    && part.bytes().all(|b| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || matches!(b, b'.' | b'_' | b'-')
                    })
            })
        {
            return None;
        }
        Some(ImageRef {
            registry,
            repository: repository.to_string(),
            tag,
            digest,
            tag_range,
            digest_range,
        })
    }

    /// `true` when the reference names neither a tag nor a digest (Docker pulls `latest`).
    pub fn is_untagged(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// `true` for an explicit `:latest` tag.
    pub fn is_latest(&self) -> bool {
        self.tag.as_deref() == Some("latest")
    }

    /// The tag, when it names a release channel that publishers move to each new build rather
    /// than a version: `latest`, `stable`, `edge`, `nightly`, a branch (`main`, `develop`), and
    /// the channels with a variant (`stable-slim`, `lts-alpine`). Case as written; tags are
    /// case-sensitive, and `Latest` is no channel anyone publishes.
    pub fn moving_tag(&self) -> Option<&str> {
        let tag = self.tag.as_deref()?;
        let channel = tag.split_once('-').map_or(tag, |(channel, _)| channel);
        let moving = MOVING_TAGS.contains(&tag)
            || (channel != tag && MOVING_CHANNELS_WITH_VARIANTS.contains(&channel));
        moving.then_some(tag)
    }
}

/// Tags that name a moving channel, not a version (see [`ImageRef::moving_tag`]). Chosen from
/// what the official images and the corpus publish and pull: `test`, `local` and the like are
/// left out, as projects use them for images they build themselves.
const MOVING_TAGS: &[&str] = &[
    "latest",
    "stable",
    "edge",
    "nightly",
    "canary",
    "rolling",
    "lts",
    "current",
    "mainline",
    "unstable",
    "beta",
    "dev",
    "develop",
    "development",
    "main",
    "master",
    "snapshot",
];

/// Channels that also move with a variant suffix (`stable-slim`, `lts-alpine`, `edge-…`).
const MOVING_CHANNELS_WITH_VARIANTS: &[&str] = &[
    "latest", "stable", "edge", "nightly", "lts", "current", "mainline",
];

fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && tag
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn valid_digest(digest: &str) -> bool {
    match digest.split_once(':') {
        Some((algorithm, hex)) => {
            !algorithm.is_empty()
                && algorithm
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'_' | b'-'))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn moving_tags_are_channels_not_versions() {
        let tag = |r: &str| ImageRef::parse(r).unwrap().moving_tag().map(str::to_string);
        assert_eq!(tag("redis:edge").as_deref(), Some("edge"));
        assert_eq!(tag("debian:stable-slim").as_deref(), Some("stable-slim"));
        assert_eq!(tag("node:lts-alpine").as_deref(), Some("lts-alpine"));
        assert_eq!(tag("ghcr.io/acme/app:main").as_deref(), Some("main"));
        for fixed in [
            "nginx:1.27",
            "node:20-alpine",
            "ubuntu:noble",
            "app:test",
            "app:main-3f2a1c",
            "app",
        ] {
            assert_eq!(tag(fixed), None, "{fixed}");
        }
    }

    #[test]
    fn plain_names() {
        let r = ImageRef::parse("alpine").unwrap();
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "alpine");
        assert!(r.is_untagged());
        let r = ImageRef::parse("library/alpine:3.20").unwrap();
        assert_eq!(r.repository, "library/alpine");
        assert_eq!(r.tag.as_deref(), Some("3.20"));
        assert_eq!(r.tag_range, Some(15..19));
    }

    #[test]
    fn registries_ports_and_digests() {
        let r = ImageRef::parse("localhost:5000/team/app:latest").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert!(r.is_latest());
        assert_eq!(r.moving_tag(), Some("latest"));
        let text = format!("ghcr.io/o/app@{DIGEST}");
        let r = ImageRef::parse(&text).unwrap();
        assert_eq!(r.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(r.digest.as_deref(), Some(DIGEST));
        assert!(!r.is_untagged());
        assert_eq!(&text[r.digest_range.unwrap()], DIGEST);
        let r = ImageRef::parse(&format!("nginx:1.27@{DIGEST}")).unwrap();
        assert_eq!(r.tag.as_deref(), Some("1.27"));
    }

    #[test]
    fn rejects_what_is_not_a_reference() {
        for text in [
            "",
            "${BASE}",
            "a b",
            "Alpine",
            "alpine:",
            "x@sha256:12",
            "a//b",
        ] {
            assert!(ImageRef::parse(text).is_none(), "{text}");
        }
    }
}
