//! DF074 label-schema: the image's labels against a configured schema: required labels that are
//! missing, label values that are empty or not of their declared type (URL, SPDX expression,
//! RFC 3339 time, semantic version, git hash, e-mail address), and, with `strict-labels`, labels
//! the schema does not know. Without configuration it checks the OCI annotation keys whose type
//! the image spec fixes (`created`, `url`, `documentation`, `source`, `licenses`).

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{
    Check, DockerfileContext, Emitter, OptionKind, Rule, RuleOption, Target,
};
use crate::semantic::{effective_instructions, reaches_image};
use crate::syntax::dockerfile::{Command, Instruction, KeyValue};
use crate::syntax::excerpt::excerpt;

pub static LABEL_SCHEMA: Rule = Rule {
    code: "DF074",
    name: "label-schema",
    summary: "A label is missing, empty or not of its type (configured schema, OCI annotation types)",
    target: Target::Dockerfile,
    category: Category::Provenance,
    severity: Severity::Info,
    default_enabled: false,
    related: &[
        "hadolint:DL3049",
        "hadolint:DL3050",
        "hadolint:DL3051",
        "hadolint:DL3052",
        "hadolint:DL3053",
        "hadolint:DL3054",
        "hadolint:DL3055",
        "hadolint:DL3056",
        "hadolint:DL3058",
    ],
    docs: include_str!("label_schema.md"),
    options: &[REQUIRED_LABELS, STRICT_LABELS],
    check: Check::Dockerfile(check),
    ..Rule::DEFAULTS
};

/// The label types, as hadolint's `label-schema` names them.
const TYPES: &[&str] = &["text", "url", "spdx", "rfc3339", "semver", "hash", "email"];

const REQUIRED_LABELS: RuleOption = RuleOption {
    name: "required-labels",
    kind: OptionKind::ChoiceMap {
        default: &[],
        choices: TYPES,
    },
    description: "Labels the image must have, each with its type: `text` (not empty), `url`, \
                  `spdx`, `rfc3339`, `semver`, `hash` (git) or `email`",
};

/// The types the OCI image spec gives its annotation keys: checked whenever such a label is set,
/// unless `required-labels` declares the key with a type of its own.
const OCI_TYPES: &[(&str, &str)] = &[
    ("org.opencontainers.image.created", "rfc3339"),
    ("org.opencontainers.image.url", "url"),
    ("org.opencontainers.image.documentation", "url"),
    ("org.opencontainers.image.source", "url"),
    ("org.opencontainers.image.licenses", "spdx"),
];

const STRICT_LABELS: RuleOption = RuleOption {
    name: "strict-labels",
    kind: OptionKind::Bool(false),
    description: "Also report labels that `required-labels` does not list",
};

/// A LABEL key as BuildKit reads it: the parser keeps quotes around keys.
fn label_key(pair: &KeyValue) -> &str {
    let raw = pair.key.value.as_str();
    ['"', '\'']
        .iter()
        .find_map(|q| raw.strip_prefix(*q).and_then(|k| k.strip_suffix(*q)))
        .unwrap_or(raw)
}

/// The LABEL pairs of `instruction`, and of the LABEL an `ONBUILD` wraps.
fn label_pairs(instruction: &Instruction) -> &[KeyValue] {
    match &instruction.command {
        Command::Label(pairs) => pairs,
        _ => &[],
    }
}

fn check(context: &DockerfileContext<'_>, out: &mut Emitter<'_>) {
    let schema = context.options.map(REQUIRED_LABELS.name);
    let strict = context.options.bool(STRICT_LABELS.name);
    let dockerfile = context.dockerfile;
    let source = &context.source.text;

    // Every LABEL (ONBUILD ones included: they label the images built on this one).
    for instruction in effective_instructions(dockerfile).map(|run| run.instruction) {
        for pair in label_pairs(instruction) {
            let key = label_key(pair);
            // A key built from a variable is only known at build time.
            if key.contains('$') {
                continue;
            }
            let configured = schema.get(key).map(String::as_str);
            let oci = OCI_TYPES.iter().find(|(k, _)| *k == key).map(|(_, t)| *t);
            if configured.is_none() && strict {
                out.report(
                    pair.key.span,
                    format!("label `{key}` is not in the label schema"),
                )
                .with_help("remove it, or add it to the `required-labels` option");
            }
            let Some(kind) = configured.or(oci) else {
                continue;
            };
            let declared_by = if configured.is_some() {
                "the label schema declares"
            } else {
                "the OCI image spec defines"
            };
            let Some(value) = &pair.value else { continue };
            // Single quotes keep `$` literal; elsewhere a variable is only known at build time.
            let literal = value.span.text(source).starts_with('\'');
            if !literal && value.value.contains('$') {
                continue;
            }
            let text = value.value.as_str();
            if text.trim().is_empty() {
                out.report(value.span, format!("label `{key}` is empty"))
                    .with_help(format!("give `{key}` a value ({})", describe(kind)));
            } else if text.starts_with('=') {
                // `LABEL key = "v"` is the legacy `LABEL key value` form: the value is `= v`.
                out.report(
                    value.span,
                    format!(
                        "label `{key}` has the value `{}`, starting with `=`",
                        excerpt(text)
                    ),
                )
                .with_help(format!(
                    "write `{key}=value` without blanks around `=`; with them, `=` is part of the value"
                ));
            } else if let Some(problem) = type_problem(kind, text) {
                out.report(
                    value.span,
                    format!("label `{key}` is not {}: {problem}", describe(kind)),
                )
                .with_help(format!(
                    "{declared_by} `{key}` as `{kind}`; write {}",
                    example(kind)
                ));
            }
        }
    }

    // The labels of the image: the final stage's, with those of the stages it is built on.
    let Some(last) = dockerfile.final_stage() else {
        return;
    };
    let marks = reaches_image(dockerfile);
    let mut present: Vec<&str> = Vec::new();
    for stage in dockerfile
        .stages
        .iter()
        .filter(|s| marks.get(s.index).copied().unwrap_or(false))
    {
        for instruction in dockerfile.stage_instructions(stage) {
            if let Command::Label(pairs) = &instruction.command {
                present.extend(pairs.iter().map(label_key));
            }
        }
    }
    // A key from a variable may be any of the required ones: do not guess.
    if present.iter().any(|key| key.contains('$')) {
        return;
    }
    let missing: Vec<&str> = schema
        .keys()
        .map(String::as_str)
        .filter(|key| !present.contains(key))
        .collect();
    if missing.is_empty() {
        return;
    }
    let Some(from) = dockerfile.instructions.get(last.from) else {
        return;
    };
    let list = missing
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (noun, verb) = if missing.len() == 1 {
        ("label", "is")
    } else {
        ("labels", "are")
    };
    out.report(
        from.keyword_span,
        format!("required {noun} {list} {verb} missing from the image built by this stage"),
    )
    .with_help(format!(
        "add `LABEL {}=…` to the final stage",
        missing.first().copied().unwrap_or_default()
    ));
}

/// The type as a phrase: `a URL`.
fn describe(kind: &str) -> &'static str {
    match kind {
        "url" => "a URL",
        "spdx" => "an SPDX license expression",
        "rfc3339" => "an RFC 3339 time",
        "semver" => "a semantic version",
        "hash" => "a git commit hash",
        "email" => "an e-mail address",
        _ => "text",
    }
}

/// A valid value of the type, for help texts.
fn example(kind: &str) -> &'static str {
    match kind {
        "url" => "an absolute URL such as `https://github.com/org/repo`",
        "spdx" => "an SPDX expression such as `Apache-2.0` or `MIT OR Apache-2.0`",
        "rfc3339" => "a time such as `2024-05-01T12:00:00Z`",
        "semver" => "a version such as `1.4.2` (no `v` prefix)",
        "hash" => "the 40-character hex commit id (or an abbreviation of 7 or more)",
        "email" => "an address such as `team@example.com`",
        _ => "a non-empty value",
    }
}

/// Why `value` is not of type `kind`; `None` when it is.
fn type_problem(kind: &str, value: &str) -> Option<&'static str> {
    match kind {
        "url" => url_problem(value),
        "spdx" => spdx_problem(value),
        "rfc3339" => (!is_rfc3339(value)).then_some("expected `YYYY-MM-DDTHH:MM:SSZ` or an offset"),
        "semver" => (!is_semver(value)).then_some("expected `MAJOR.MINOR.PATCH[-pre][+build]`"),
        "hash" => (!is_git_hash(value)).then_some("expected 7 to 40 (or 64) hex digits"),
        "email" => {
            (!is_mailbox_list(value)).then_some("expected `name@domain` or `Name <name@domain>`")
        }
        _ => None,
    }
}

/// An absolute URL: a scheme, `:`, and no blanks; web and VCS schemes need `//host`.
fn url_problem(value: &str) -> Option<&'static str> {
    let Some((scheme, rest)) = value.split_once(':') else {
        return Some("no scheme such as `https:`");
    };
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return Some("no scheme such as `https:`");
    }
    if rest.is_empty() {
        return Some("nothing after the scheme");
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
    {
        return Some("it contains blanks or characters a URL cannot hold");
    }
    let needs_host = matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ftp" | "ssh" | "git" | "git+ssh" | "git+https"
    );
    if needs_host {
        let host = rest
            .strip_prefix("//")
            .map(|after| after.split(['/', '?', '#']).next().unwrap_or_default());
        if host.is_none_or(|h| h.rsplit('@').next().unwrap_or_default().is_empty()) {
            return Some("no host after `//`");
        }
    }
    None
}

/// An SPDX license expression (license list ids, `LicenseRef-…`, `AND`, `OR`, `WITH`).
/// Deprecated ids such as `GPL-2.0` are still valid expressions.
fn spdx_problem(value: &str) -> Option<&'static str> {
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    spdx::Expression::parse_mode(value, mode)
        .err()
        .map(|_| "not an expression of SPDX license ids")
}

fn digits(text: &str, count: usize) -> Option<u32> {
    (text.len() == count && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// An RFC 3339 date-time: `2024-05-01T12:00:00Z`, `…T12:00:00.5+02:00` (`t`, `z` and a space
/// separator allowed, as the RFC does).
fn is_rfc3339(value: &str) -> bool {
    let Some((date, rest)) = value
        .split_once(['T', 't', ' '])
        .filter(|(date, _)| date.len() == 10)
    else {
        return false;
    };
    let mut parts = date.split('-');
    let (Some(year), Some(month), Some(day), None) = (
        parts.next().and_then(|p| digits(p, 4)),
        parts.next().and_then(|p| digits(p, 2)),
        parts.next().and_then(|p| digits(p, 2)),
        parts.next(),
    ) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => rest.split_at(at),
        None => return false,
    };
    let offset_ok = match offset {
        "Z" | "z" => true,
        _ => {
            let sign_free = offset.get(1..).unwrap_or_default();
            match sign_free.split_once(':') {
                Some((h, m)) => {
                    digits(h, 2).is_some_and(|h| h < 24) && digits(m, 2).is_some_and(|m| m < 60)
                }
                None => false,
            }
        }
    };
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (time, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut fields = clock.split(':');
    let clock_ok = matches!(
        (
            fields.next().and_then(|p| digits(p, 2)),
            fields.next().and_then(|p| digits(p, 2)),
            fields.next().and_then(|p| digits(p, 2)),
            fields.next(),
        ),
        (Some(h), Some(m), Some(s), None) if h < 24 && m < 60 && s <= 60
    );
    offset_ok && clock_ok
}

/// A Semantic Versioning 2.0.0 version: `1.4.2`, `1.0.0-rc.1+build.5`; no `v` prefix, no
/// leading zeros.
fn is_semver(value: &str) -> bool {
    let (rest, build) = match value.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (value, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let number = |part: &str| {
        !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'))
    };
    let identifier = |part: &str| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let core_parts: Vec<&str> = core.split('.').collect();
    core_parts.len() == 3
        && core_parts.iter().all(|p| number(p))
        && pre.is_none_or(|pre| {
            pre.split('.')
                .all(|p| identifier(p) && (!p.bytes().all(|b| b.is_ascii_digit()) || number(p)))
        })
        && build.is_none_or(|build| build.split('.').all(identifier))
}

/// A git commit id: the full 40 hex digits (64 for SHA-256 repositories) or an abbreviation of
/// at least 7.
fn is_git_hash(value: &str) -> bool {
    ((7..=40).contains(&value.len()) || value.len() == 64)
        && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// RFC 5322 mailboxes, separated by commas: each an address (`team@example.com`) or a display
/// name and an address in angle brackets (`Team <team@example.com>`, the usual `maintainer`
/// form).
fn is_mailbox_list(value: &str) -> bool {
    // Commas inside a quoted display name (`"Doe, Jane" <…>`) do not separate mailboxes.
    let mut mailboxes = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (at, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                mailboxes.push(&value[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    mailboxes.push(&value[start..]);
    mailboxes.into_iter().all(|mailbox| {
        let mut mailbox = mailbox.trim();
        // A trailing comment: `Name <a@example.com> (@handle)`.
        if mailbox.ends_with(')')
            && let Some(open) = mailbox.rfind('(')
        {
            mailbox = mailbox[..open].trim_end();
        }
        match mailbox.strip_suffix('>').and_then(|m| m.rsplit_once('<')) {
            Some((name, address)) => !name.contains(['<', '>', '@']) && is_email(address),
            None => is_email(mailbox),
        }
    })
}

/// An RFC 5322 address (`local@domain`): a dot-atom or quoted local part, and a domain of
/// dot-separated labels or an address literal in brackets.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    let dot_atom = |text: &str, allowed: &dyn Fn(u8) -> bool| {
        !text.is_empty()
            && text
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(allowed))
    };
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        local
            .get(1..local.len() - 1)
            .is_some_and(|inner| !inner.contains(['"', '\r', '\n']))
    } else {
        dot_atom(local, &atext)
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2
    } else {
        dot_atom(domain, &|b: u8| b.is_ascii_alphanumeric() || b == b'-')
            && domain
                .split('.')
                .all(|label| !label.starts_with('-') && !label.ends_with('-'))
    };
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for good in [
            "https://github.com/org/repo",
            "http://localhost:8080/x?y#z",
            "git+ssh://git@example.com/repo.git",
            "urn:isbn:0451450523",
            "mailto:team@example.com",
        ] {
            assert_eq!(url_problem(good), None, "{good}");
        }
        for bad in [
            "github.com/org/repo",
            "git@github.com:org/repo.git",
            "https://",
            "https:github.com",
            "https://exa mple.com",
            "1http://x",
            "https:",
        ] {
            assert!(url_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn spdx_expressions() {
        for good in [
            "MIT",
            "Apache-2.0",
            "MIT OR Apache-2.0",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "GPL-2.0",
            "LicenseRef-Proprietary",
            "(MIT AND BSD-3-Clause) OR Apache-2.0",
        ] {
            assert_eq!(spdx_problem(good), None, "{good}");
        }
        for bad in [
            "Apache2",
            "MIT/Apache-2.0",
            "mit",
            "Apache License 2.0",
            "MIT OR",
        ] {
            assert!(spdx_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_times() {
        for good in [
            "2024-05-01T12:00:00Z",
            "2024-05-01t12:00:00z",
            "2024-05-01 12:00:00+02:00",
            "2024-02-29T23:59:60.123-07:30",
        ] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in [
            "2024-05-01",
            "2024-05-01T12:00:00",
            "2023-02-29T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00Z",
            "2024-05-01T12:00:00.Z",
            "1714564800",
            "2024-05-01T12:00:00+0200",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn semantic_versions() {
        for good in [
            "0.0.0",
            "1.4.2",
            "1.0.0-rc.1",
            "1.0.0-alpha-1.0+build.5",
            "10.20.30+20240501",
        ] {
            assert!(is_semver(good), "{good}");
        }
        for bad in [
            "v1.4.2", "1.4", "1.4.2.1", "01.4.2", "1.4.2-", "1.4.2-01", "1.4.2+", "latest",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn git_hashes() {
        assert!(is_git_hash("2dbfae9"));
        assert!(is_git_hash("0123456789abcdef0123456789abcdef01234567"));
        assert!(is_git_hash(&"a".repeat(64)));
        assert!(!is_git_hash("2dbfae"));
        assert!(!is_git_hash(&"a".repeat(41)));
        assert!(!is_git_hash("not-git-hash"));
    }

    #[test]
    fn email_addresses() {
        for good in [
            "team@example.com",
            "first.last+tag@sub.example.org",
            "\"odd name\"@example.com",
            "root@[192.0.2.1]",
            "x@localhost",
            "Team <team@example.com>",
            "\"Doe, Jane\" <jane@example.com>",
            "<team@example.com>",
            "a@example.com, B <b@example.com>",
            "Team<team@example.com>",
            "Team <team@example.com> (@team)",
        ] {
            assert!(is_mailbox_list(good), "{good}");
        }
        for bad in [
            "team",
            "@example.com",
            "team@",
            "team@@example.com",
            "a..b@example.com",
            "team@-example.com",
            "Team <team>",
            "Team team@example.com",
            "Team<team@example.com>x",
            "a@example.com,",
        ] {
            assert!(!is_mailbox_list(bad), "{bad}");
        }
    }

    fn findings(text: &str, options: &str) -> Vec<(String, String)> {
        use crate::linter::engine::{self, Settings};
        use crate::syntax::source::{FileKind, SourceFile};
        let config = format!("rules:\n  label-schema:\n    options:\n{options}");
        let source = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let mut settings = Settings::from_selectors(&["DF074".into()], &[], &[]);
        // Through the config reader, so the `choice-map` option type is read as users write it.
        let parsed =
            crate::workspace::config::parse(std::path::Path::new("/r/.plimsoll.yaml"), &config)
                .expect("the test config is valid");
        let configured = parsed.rules.first().map_or(&[][..], |r| &r.options[..]);
        settings.set_options(
            &LABEL_SCHEMA,
            crate::linter::rule::RuleOptions::resolve(
                LABEL_SCHEMA.options,
                configured
                    .iter()
                    .map(|(name, value)| (name.as_str(), value)),
            ),
        );
        engine::check(&source, &settings)
            .iter()
            .map(|f| (source.slice(f.span).to_string(), f.message.clone()))
            .collect()
    }

    #[test]
    fn configured_schema() {
        let options = "      required-labels:\n        version: semver\n        \
                       org.opencontainers.image.licenses: spdx\n        maintainer: email\n        \
                       vcs-ref: hash\n        created: rfc3339\n        title: text\n      \
                       strict-labels: true\n";
        let text = "FROM alpine:3.20 AS build\nLABEL version=v1.2\n\
                    FROM build\nLABEL org.opencontainers.image.licenses=Apache2 \
                    maintainer=\"Team t@example.com\" vcs-ref=$REF title=\"\" extra=1 \
                    created='$NOW'\n";
        let got = findings("FROM a:1\nLABEL title = \"x\"\n", options);
        assert!(
            got.contains(&(
                "= \"x\"".to_string(),
                "label `title` has the value `= x`, starting with `=`".to_string()
            )),
            "{got:?}"
        );
        let got = findings(text, options);
        let spans: Vec<&str> = got.iter().map(|(span, _)| span.as_str()).collect();
        assert_eq!(
            spans,
            [
                "v1.2",
                "Apache2",
                "\"Team t@example.com\"",
                "\"\"",
                "extra",
                "'$NOW'",
            ],
            "{got:?}"
        );
        assert_eq!(
            got[0].1,
            "label `version` is not a semantic version: expected `MAJOR.MINOR.PATCH[-pre][+build]`"
        );
        assert_eq!(got[3].1, "label `title` is empty");
        assert_eq!(got[4].1, "label `extra` is not in the label schema");
    }

    #[test]
    fn oci_types_without_configuration() {
        let text = "FROM alpine:3.20\nLABEL org.opencontainers.image.created=2024-05-01 \
                    org.opencontainers.image.licenses=\"MIT OR Apache-2.0\" \
                    org.opencontainers.image.version=v1 custom=x\n";
        let got = findings(text, "      strict-labels: false\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "2024-05-01");
        assert_eq!(
            got[0].1,
            "label `org.opencontainers.image.created` is not an RFC 3339 time: expected \
             `YYYY-MM-DDTHH:MM:SSZ` or an offset"
        );
        // A configured type replaces the spec's.
        let options = "      required-labels: {org.opencontainers.image.created: text}\n";
        assert!(findings(text, options).is_empty());
    }

    #[test]
    fn missing_labels_are_reported_at_the_final_stage() {
        let options = "      required-labels: {a: text, b: url}\n";
        // `b` comes from the stage the final stage is built on; `a` only from a builder stage.
        let text = "FROM alpine:3.20 AS base\nLABEL b=https://x.example\n\
                    FROM alpine:3.20 AS tools\nLABEL a=1\nFROM base\nRUN true\n";
        let got = findings(text, options);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "FROM");
        assert_eq!(
            got[0].1,
            "required label `a` is missing from the image built by this stage"
        );
        let got = findings("FROM alpine:3.20\nLABEL ${KEY}=x\n", options);
        assert!(got.is_empty(), "a key from a variable may be any: {got:?}");
        let got = findings("FROM alpine:3.20\n", options);
        assert_eq!(
            got[0].1,
            "required labels `a`, `b` are missing from the image built by this stage"
        );
    }
}
