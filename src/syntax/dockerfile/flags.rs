//! The flags BuildKit's Dockerfile frontend accepts on each instruction, and what value each one
//! takes: its instruction layer (`BFlags` in moby/buildkit) rejects a value-taking flag written
//! without `=value` ("missing a value on flag: from") and a switch given anything but
//! `true`/`false` ("expecting boolean value for flag link, not: maybe").

use super::ast::{Flag, Keyword};

/// What a flag takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// `--link`, `--link=true`, `--link=false`.
    Switch,
    /// `--from=build`: the value is required, though it may be empty (`--from=`).
    Value,
}

/// The flags BuildKit knows for `keyword` (labs flags included, so that files written for
/// `docker/dockerfile:labs` are accepted), with what each takes.
pub fn known_flags(keyword: Keyword) -> &'static [(&'static str, FlagKind)] {
    use FlagKind::{Switch, Value};
    match keyword {
        Keyword::From => &[("platform", Value)],
        Keyword::Run => &[
            ("mount", Value),
            ("network", Value),
            ("security", Value),
            ("device", Value),
        ],
        Keyword::Copy => &[
            ("from", Value),
            ("chown", Value),
            ("chmod", Value),
            ("link", Switch),
            ("parents", Switch),
            ("exclude", Value),
        ],
        Keyword::Add => &[
            ("chown", Value),
            ("chmod", Value),
            ("link", Switch),
            ("checksum", Value),
            ("keep-git-dir", Switch),
            ("exclude", Value),
            ("unpack", Switch),
            ("parents", Switch),
        ],
        Keyword::Healthcheck => &[
            ("interval", Value),
            ("timeout", Value),
            ("start-period", Value),
            ("start-interval", Value),
            ("retries", Value),
        ],
        _ => &[],
    }
}

/// What is wrong with a known flag's value, as BuildKit words it; `None` when the flag is
/// unknown or its value is fine.
pub fn flag_value_error(keyword: Keyword, flag: &Flag) -> Option<String> {
    let name = flag.name.value.as_str();
    let (_, kind) = known_flags(keyword)
        .iter()
        .find(|(known, _)| *known == name)?;
    match (kind, &flag.value) {
        (FlagKind::Value, None) => Some(format!("missing a value on flag: {name}")),
        (FlagKind::Switch, Some(value))
            if !value.value.contains('$')
                && !matches!(value.value.to_ascii_lowercase().as_str(), "true" | "false") =>
        {
            if value.value.is_empty() {
                Some(format!("missing a value on flag: {name}"))
            } else {
                Some(format!(
                    "expecting boolean value for flag {name}, not: {}",
                    value.value
                ))
            }
        }
        _ => None,
    }
}
