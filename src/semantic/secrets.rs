//! Secret detection shared by the Dockerfile and compose rules: a scanner for credentials in known
//! formats (access keys, API tokens, private key blocks, passwords inside URLs), a matcher for
//! variable names that say they hold a secret, and helpers to talk about a secret without
//! printing it.
//!
//! The scanner is a keyword prefilter (`aho-corasick`) in front of one regex per format, all
//! compiled once. Formats are written from the issuers' documented token shapes; each regex is
//! anchored on a fixed prefix so that random text does not match.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::AhoCorasick;
use regex::Regex;

/// A credential found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// What kind of credential this is, in words (`GitHub personal access token`).
    pub kind: &'static str,
    /// The byte range of the secret itself in the scanned text.
    pub range: Range<usize>,
}

/// One credential format: the words that must occur for it to be worth running the regex, the
/// regex, and which capture group is the secret (0: the whole match).
struct Format {
    kind: &'static str,
    keywords: &'static [&'static str],
    regex: &'static str,
    group: usize,
    /// The match must not be glued to other token characters, so a fixed-length format does not
    /// match inside a longer random string.
    bounded: bool,
}

const FORMATS: &[Format] = &[
    Format {
        kind: "AWS access key id",
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA"],
        regex: r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "GitHub token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        regex: r"gh[pousr]_[A-Za-z0-9]{36,251}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "GitHub fine-grained personal access token",
        keywords: &["github_pat_"],
        regex: r"github_pat_[A-Za-z0-9_]{60,255}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "GitLab personal access token",
        keywords: &["glpat-"],
        regex: r"glpat-[A-Za-z0-9_\-.]{20,}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "Slack token",
        keywords: &["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"],
        regex: r"xox[abprs]-[A-Za-z0-9-]{10,}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "Slack webhook URL",
        keywords: &["hooks.slack.com/"],
        regex: r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{20,}",
        group: 0,
        bounded: false,
    },
    Format {
        kind: "Stripe live API key",
        keywords: &["sk_live_", "rk_live_"],
        regex: r"[sr]k_live_[A-Za-z0-9]{20,}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "Google API key",
        keywords: &["AIza"],
        regex: r"AIza[0-9A-Za-z_\-]{35}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "npm access token",
        keywords: &["npm_"],
        regex: r"npm_[A-Za-z0-9]{36}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "PyPI API token",
        keywords: &["pypi-AgEIcHlwaS5vcmc"],
        regex: r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "SendGrid API key",
        keywords: &["SG."],
        regex: r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "Anthropic API key",
        keywords: &["sk-ant-"],
        regex: r"sk-ant-[A-Za-z0-9_\-]{32,}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "OpenAI API key",
        keywords: &["sk-proj-", "sk-svcacct-", "sk-admin-", "T3BlbkFJ"],
        regex: r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{32,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
        group: 0,
        bounded: true,
    },
    Format {
        kind: "private key",
        keywords: &["PRIVATE KEY"],
        regex: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        group: 0,
        bounded: false,
    },
    Format {
        kind: "password in a URL",
        keywords: &["://"],
        regex: r#"[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'"<>]*:([^\s/@'"<>]+)@[A-Za-z0-9\[]"#,
        group: 1,
        bounded: false,
    },
];

struct Scanner {
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the index of its format.
    keyword_format: Vec<usize>,
    /// Each format's regex, compiled the first time its keyword is seen: most runs meet a few
    /// formats, and compiling all of them was most of the work of checking one small file.
    regexes: Vec<OnceLock<Regex>>,
}

impl Scanner {
    /// Which formats have a keyword in `text`. Every keyword occurrence counts, also one that
    /// overlaps another (`ASIAIza…` holds `AIza`): after each hit the search starts again one
    /// byte after its start. No keyword is a prefix of another, so the leftmost match at a
    /// position is the only one there; a leftmost search runs on the automaton's SIMD
    /// prefilter, an overlapping one cannot (the corpus: 95 M → 25 M instructions).
    fn wanted(&self, text: &str) -> Vec<bool> {
        let mut wanted = vec![false; FORMATS.len()];
        let mut at = 0;
        while let Some(hit) = self
            .prefilter
            .find(aho_corasick::Input::new(text).range(at..))
        {
            if let Some(&format) = self.keyword_format.get(hit.pattern().as_usize()) {
                wanted[format] = true;
            }
            at = hit.start() + 1;
        }
        wanted
    }
}

static SCANNER: LazyLock<Scanner> = LazyLock::new(|| {
    let mut keywords = Vec::new();
    let mut keyword_format = Vec::new();
    for (index, format) in FORMATS.iter().enumerate() {
        for keyword in format.keywords {
            keywords.push(*keyword);
            keyword_format.push(index);
        }
    }
    Scanner {
        // A contiguous NFA: building the default DFA was a third of the instructions of
        // checking one small file, and the SIMD prefilter does most of the searching anyway.
        prefilter: AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(&keywords)
            .expect("the keywords are plain strings"),
        keyword_format,
        regexes: FORMATS.iter().map(|_| OnceLock::new()).collect(),
    }
});

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

/// Every credential in `text` in a known format, in text order. Ranges index into `text`.
pub fn find_credentials(text: &str) -> Vec<Credential> {
    let scanner = &*SCANNER;
    let wanted = scanner.wanted(text);
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (index, format) in FORMATS.iter().enumerate() {
        if !wanted[index] {
            continue;
        }
        let regex = scanner.regexes[index]
            .get_or_init(|| Regex::new(format.regex).expect("the formats are valid regexes"));
        for captures in regex.captures_iter(text) {
            let (Some(whole), Some(secret)) = (captures.get(0), captures.get(format.group)) else {
                continue;
            };
            if format.bounded {
                // Before: no letter, digit or `_` (a `-` may precede, as in `${TOKEN:-ghp_…}`);
                // after: no token character at all, so fixed lengths are exact.
                let before = whole.start().checked_sub(1).and_then(|i| bytes.get(i));
                let after = bytes.get(whole.end());
                if before.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
                    || after.is_some_and(|&b| is_token_byte(b))
                {
                    continue;
                }
            }
            let secret_text = secret.as_str();
            if format.group != 0 && is_placeholder(secret_text) {
                continue;
            }
            // AWS documents its example keys with this suffix; they are everywhere in docs.
            if index == 0 && secret_text.ends_with("EXAMPLE") {
                continue;
            }
            found.push(Credential {
                kind: format.kind,
                range: secret.range(),
            });
        }
    }
    found.sort_by_key(|c| (c.range.start, c.range.end));
    found.dedup_by(|later, earlier| later.range.start < earlier.range.end);
    found
}

/// `true` for a value that only shows where a secret would go: a run of mask characters
/// (`******`, `xxxx`, `•••`, `…`), a template (`<password>`, `{{ .pass }}`, `%s`, `[token]`).
/// It is not a secret itself: a Dockerfile or compose file that ships `DB_PASSWORD=******` holds
/// no password. (A word such as `changeme` is different: it is a real default password that
/// works until someone changes it.)
pub fn is_masked(value: &str) -> bool {
    let value = value.trim();
    if value.starts_with('<') && value.ends_with('>')
        || value.starts_with("{{") && value.ends_with("}}")
        || value.starts_with('[') && value.ends_with(']')
        || value == "%s"
    {
        return true;
    }
    value.chars().count() >= 3
        && value
            .chars()
            .all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '…' | '•' | '●' | '#'))
}

/// `true` for a password in a URL that is obviously not a real one: a variable reference
/// (`$PASS`, `${PASS}`), a masked value or template ([`is_masked`]), or a word that
/// documentation uses as a stand-in (`password`, `changeme`, …). The URL scanner reads comments
/// and examples too, so it is more forgiving than the name-based checks, which report
/// `DB_PASSWORD=changeme` as the literal default password it is.
pub fn is_placeholder(password: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    if lower.starts_with('$')
        || lower.starts_with('<')
        || lower.starts_with("{{")
        || lower.starts_with('%')
        || lower.starts_with('[')
        || is_masked(&lower)
    {
        return true;
    }
    if !lower.is_empty() && lower.chars().all(|c| matches!(c, 'x' | '*' | '.' | '…')) {
        return true;
    }
    matches!(
        lower.as_str(),
        "password"
            | "passwd"
            | "pass"
            | "pwd"
            | "secret"
            | "changeme"
            | "change_me"
            | "change-me"
            | "example"
            | "redacted"
            | "placeholder"
            | "your_password"
            | "yourpassword"
            | "your-password"
            | "mypassword"
            | "token"
    )
}

/// The secret partly masked for messages: the first few characters and `…`. Long tokens keep
/// four characters (enough to tell `ghp_` from `glpa`), short passwords fewer, so that a
/// message never gives most of a secret away.
pub fn mask(secret: &str) -> String {
    // A secret URL (a webhook) is named by its host; the path is the secret.
    if let Some(rest) = secret.strip_prefix("https://") {
        let host = rest.split('/').next().unwrap_or("");
        return format!("https://{host}/…");
    }
    let count = secret.chars().count();
    let keep = if count >= 16 {
        4
    } else if count >= 8 {
        2
    } else {
        0
    };
    let mut masked: String = secret.chars().take(keep).collect();
    masked.push('…');
    masked
}

/// Words that make a name secret wherever they stand in it (`DB_PASSWORD`, `SECRET_KEY_BASE`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pword",
    "secret",
    "secrets",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "secretkey",
    "accesskey",
    "clientsecret",
    "authtoken",
    "accesstoken",
    "apitoken",
];

/// Words that say "secret" only as the head of the name, its last part: `DB_PASS` and
/// `NPM_AUTH` are secrets, `PASS_THROUGH` and `AUTH_PROVIDER` are not; `PWD` alone is the
/// shell's working directory.
const HEAD_WORDS: &[&str] = &["pass", "pwd", "auth", "pat"];

/// Words that, right before `key`, make it a secret key: `API_KEY`, `PRIVATE_KEY`. Other keys
/// (`GPG_KEY` holding a fingerprint, `CACHE_KEY`, `SORT_KEY`) are not secrets.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "private",
    "secret",
    "access",
    "client",
    "encryption",
    "decryption",
    "signing",
    "master",
    "ssh",
    "session",
    "deploy",
    "license",
    "licence",
    "app",
    "service",
    "admin",
    "auth",
    "jwt",
    "hmac",
];

/// A last part that says the variable holds something about a secret, not the secret: a file
/// (`PASSWORD_FILE`, the official images' convention), a location, a name, a setting.
const NEUTRAL_HEADS: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "directory",
    "url",
    "uri",
    "endpoint",
    "host",
    "hostname",
    "port",
    "name",
    "id",
    "type",
    "length",
    "len",
    "size",
    "version",
    "enabled",
    "disabled",
    "enable",
    "disable",
    "required",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "timeout",
    "header",
    "method",
    "mode",
    "format",
    "policy",
    "provider",
    "algorithm",
    "algo",
    "count",
    "limit",
    "min",
    "max",
    "prefix",
    "location",
    "arn",
    // Settings about where a secret comes from or how it is used (`…_CREDENTIALS_SOURCE`,
    // `SECRET_FORCED_LANGUAGE`, `CREDENTIAL_HELPER`).
    "source",
    "sources",
    "store",
    "backend",
    "helper",
    "command",
    "cmd",
    "scheme",
    "strategy",
    "mechanism",
    "level",
    "language",
    "lang",
    "locale",
];

/// Words that, before the word that says "secret", make the name a switch about the secret
/// rather than the secret: `VNC_NO_PASSWORD`, `MYSQL_RANDOM_ROOT_PASSWORD`,
/// `MYSQL_ALLOW_EMPTY_PASSWORD`, `SKIP_AUTH`, `GENERATE_SECRET`.
const SWITCH_WORDS: &[&str] = &[
    "no", "random", "allow", "empty", "skip", "disable", "enable", "require", "generate", "use",
    "without", "has", "is",
];

/// Authentication schemes and methods: the value of a `…_AUTH` setting that chooses how users
/// log in (`REGISTRY_AUTH=htpasswd`, `NEO4J_AUTH=none`), not a credential.
const AUTH_SCHEMES: &[&str] = &[
    "none",
    "htpasswd",
    "basic",
    "bearer",
    "digest",
    "token",
    "oauth",
    "oauth2",
    "oidc",
    "openid",
    "ldap",
    "saml",
    "jwt",
    "kerberos",
    "ntlm",
    "negotiate",
    "silly",
    "trust",
    "md5",
    "password",
    "scram-sha-256",
    "plain",
    "native",
    "internal",
    "external",
    "github",
    "google",
    "keycloak",
    "anonymous",
    "disabled",
    "enabled",
    "true",
    "false",
];

/// Split a variable name into lower-case words at `_`, `-`, `.` and other punctuation, and at
/// camelCase boundaries (`apiKey` → `api`, `key`; `APIKey` → `api`, `key`).
pub fn name_parts(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let previous = chars.get(i.wrapping_sub(1)).copied().unwrap_or(' ');
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let lower_to_upper = previous.is_lowercase() || previous.is_ascii_digit();
            let acronym_end = previous.is_uppercase() && next.is_lowercase();
            if lower_to_upper || acronym_end {
                parts.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// If `name` says it holds a secret, the word that says so (`password`, `api key`).
///
/// The name is split into words ([`name_parts`]); it is secret when a word of
/// [`SECRET_WORDS`] occurs anywhere, a word of [`HEAD_WORDS`] is the last word, or `key` follows
/// a qualifier such as `api` or `private`. It is not secret when any word is `public`
/// (`PUBLIC_KEY`, `NEXT_PUBLIC_API_KEY`), the last word names something about the secret
/// rather than the secret (`TOKEN_URL`, `PASSWORD_FILE`, `AWS_ACCESS_KEY_ID`,
/// `GOOGLE_CREDENTIALS_SOURCE`), or a switch word comes before the last (`VNC_NO_PASSWORD`,
/// `MYSQL_RANDOM_ROOT_PASSWORD`).
pub fn secret_name_word(name: &str) -> Option<&'static str> {
    let parts = name_parts(name);
    let last = parts.last()?;
    if parts.iter().any(|p| p == "public") || NEUTRAL_HEADS.contains(&last.as_str()) {
        return None;
    }
    // A switch word before the secret word: the name is a setting (`VNC_NO_PASSWORD=1`).
    if parts[..parts.len() - 1]
        .iter()
        .any(|p| SWITCH_WORDS.contains(&p.as_str()))
    {
        return None;
    }
    if (parts.len() > 1 || last != "pwd")
        && let Some(word) = HEAD_WORDS.iter().find(|w| **w == last.as_str())
    {
        return Some(word);
    }
    for (i, part) in parts.iter().enumerate() {
        if let Some(word) = SECRET_WORDS.iter().find(|w| **w == part.as_str()) {
            return Some(word);
        }
        if part == "key"
            && i > 0
            && let Some(qualifier) = KEY_QUALIFIERS.iter().find(|q| **q == parts[i - 1].as_str())
        {
            return Some(match *qualifier {
                "api" => "api key",
                "private" => "private key",
                "secret" => "secret key",
                "access" => "access key",
                _ => "key",
            });
        }
    }
    None
}

/// `true` for a value that, whatever the variable's name, cannot be the secret itself: a
/// switch (`true`, `yes`, `off`, `none`, `0`, `1`, as in `ALLOW_EMPTY_PASSWORD=yes`), a masked
/// placeholder ([`is_masked`]: `******`, `<password>`), a file path (`/run/secrets/db`,
/// `./key.json`) or a file name with a common extension (`resetPassword.sh`), which point at a
/// secret instead of holding it. Longer numbers stay suspect: `PIN=1234` is a password.
pub fn is_inert_value(value: &str) -> bool {
    let value = value.trim();
    if matches!(
        value.to_ascii_lowercase().as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "0"
            | "1"
            | "none"
            | "null"
            | "nil"
            | "enabled"
            | "disabled"
    ) || is_masked(value)
    {
        return true;
    }
    let path_chars = |text: &str| {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'))
    };
    let path_body = ["/", "./", "../", "~/"]
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix));
    if let Some(body) = path_body {
        return !body.is_empty() && path_chars(body);
    }
    const EXTENSIONS: &[&str] = &[
        "sh",
        "py",
        "rb",
        "js",
        "txt",
        "json",
        "yaml",
        "yml",
        "toml",
        "conf",
        "cfg",
        "ini",
        "properties",
        "xml",
        "env",
    ];
    value.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty() && path_chars(stem) && EXTENSIONS.contains(&extension)
    })
}

/// `true` when `value`, given to the variable `name`, is a setting rather than a secret: any
/// [`is_inert_value`], and for a name whose last word is `auth` an authentication scheme
/// (`REGISTRY_AUTH=htpasswd`, `NEO4J_AUTH=none`), where `NEO4J_AUTH=neo4j/s3cret` stays a
/// secret.
pub fn is_setting_value(name: &str, value: &str) -> bool {
    if is_inert_value(value) {
        return true;
    }
    let lower = value.trim().to_ascii_lowercase();
    name_parts(name).last().is_some_and(|last| last == "auth")
        && AUTH_SCHEMES.contains(&lower.as_str())
}

/// `true` when `value` is nothing but one compose/shell variable reference: `$VAR`, `${VAR}`,
/// `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`. Such a
/// value is filled in from the environment when the file is used.
pub fn is_variable_reference(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('$') else {
        return false;
    };
    if let Some(inner) = rest.strip_prefix('{') {
        // The closing brace of the first `${` must be the last character.
        let mut depth = 1usize;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        let name_len = inner
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(inner.len());
                        return i + 1 == inner.len() && name_len > 0;
                    }
                }
                _ => {}
            }
        }
        return false;
    }
    let mut chars = rest.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What [`secret_file_kind`] calls a private key file (a destination may show it is public).
pub const PRIVATE_KEY_FILE: &str = "a private key file";

/// What a path names, if it names a well-known key or credential file or directory.
pub fn secret_file_kind(path: &str) -> Option<&'static str> {
    let trimmed = path.trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    let ends_with_path = |suffix: &str| {
        lower
            .strip_suffix(suffix)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
    };
    let kind = match base {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            "an SSH private key"
        }
        ".ssh" => "an SSH directory",
        ".aws" | ".gnupg" | ".kube" => "a directory of credentials",
        ".npmrc" => "an npm config (often holds registry tokens)",
        ".pypirc" => "a PyPI config (holds upload credentials)",
        ".netrc" | "_netrc" => "a .netrc (holds login passwords)",
        ".git-credentials" => "a git credential store",
        ".pgpass" => "a PostgreSQL password file",
        "kubeconfig" => "a kubeconfig",
        "credentials.json" => "a credentials file",
        ".env" => "a dotenv file",
        // `.env.example` and friends are templates meant to be shared.
        _ if base.strip_prefix(".env.").is_some_and(|variant| {
            !matches!(
                variant,
                "example" | "sample" | "template" | "dist" | "defaults"
            )
        }) =>
        {
            "a dotenv file"
        }
        _ if base.ends_with(".key") => PRIVATE_KEY_FILE,
        _ if base.ends_with(".p12") || base.ends_with(".pfx") => "a PKCS#12 key store",
        // `cert.pem` and `ca.pem` are public; `key.pem`, `privkey.pem` are not.
        _ if base.ends_with(".pem") && (base.contains("key") || base.contains("priv")) => {
            PRIVATE_KEY_FILE
        }
        _ if ends_with_path(".aws/credentials") => "AWS credentials",
        _ if ends_with_path(".docker/config.json") => "a Docker config (holds registry logins)",
        _ if ends_with_path(".kube/config") => "a kubeconfig",
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every format's keywords, in the prefilter's order.
    fn keywords() -> Vec<&'static str> {
        FORMATS
            .iter()
            .flat_map(|f| f.keywords.iter().copied())
            .collect()
    }

    #[test]
    fn no_keyword_is_a_prefix_of_another() {
        // What `Scanner::wanted` relies on to find overlapping keywords.
        let keywords = keywords();
        for (i, a) in keywords.iter().enumerate() {
            for (j, b) in keywords.iter().enumerate() {
                assert!(i == j || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn keywords_are_found_as_an_overlapping_search_finds_them() {
        let keywords = keywords();
        let overlapping = AhoCorasick::new(&keywords).unwrap();
        let formats: Vec<usize> = FORMATS
            .iter()
            .enumerate()
            .flat_map(|(index, f)| f.keywords.iter().map(move |_| index))
            .collect();
        // Texts of keyword pieces glued together, so keywords overlap and cut each other.
        let mut pieces: Vec<&str> = Vec::new();
        for keyword in &keywords {
            for cut in 1..keyword.len() {
                pieces.push(&keyword[..cut]);
                pieces.push(&keyword[cut..]);
            }
            pieces.push(keyword);
        }
        pieces.extend(["a", " ", "-", "_"]);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..6 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let mut expected = vec![false; FORMATS.len()];
            for hit in overlapping.find_overlapping_iter(&text) {
                expected[formats[hit.pattern().as_usize()]] = true;
            }
            assert_eq!(SCANNER.wanted(&text), expected, "{text:?}");
        }
        assert_eq!(
            SCANNER.wanted("ASIAIza").iter().filter(|&&w| w).count(),
            2,
            "AWS and Google both"
        );
    }

    #[test]
    fn every_format_compiles_and_has_a_keyword() {
        for format in FORMATS {
            assert!(Regex::new(format.regex).is_ok(), "{}", format.kind);
            assert!(!format.keywords.is_empty(), "{}", format.kind);
        }
    }

    fn kinds(text: &str) -> Vec<(&'static str, &str)> {
        find_credentials(text)
            .into_iter()
            .map(|c| (c.kind, &text[c.range]))
            .collect()
    }

    // Fake tokens assembled at run time, so that this file does not itself hold token-shaped text.
    fn fake(prefix: &str, body: &str, len: usize) -> String {
        let mut token = prefix.to_string();
        while token.len() < prefix.len() + len {
            token.push_str(body);
        }
        token.truncate(prefix.len() + len);
        token
    }

    #[test]
    fn finds_known_token_formats() {
        let aws = fake("AKIA", "QZ7X", 16);
        let github = fake("ghp_", "aB3d", 36);
        let npm = fake("npm_", "Zz09", 36);
        let google = fake("AIza", "Sy_9-", 35);
        let text = format!("ENV A={aws} B=\"{github}\"\n# {npm}\nRUN curl -H 'k: {google}'\n");
        assert_eq!(
            kinds(&text),
            vec![
                ("AWS access key id", aws.as_str()),
                ("GitHub token", github.as_str()),
                ("npm access token", npm.as_str()),
                ("Google API key", google.as_str()),
            ]
        );
    }

    #[test]
    fn fixed_length_tokens_need_boundaries() {
        let inside = format!("x{}", fake("AKIA", "QZ7X", 16));
        assert!(kinds(&inside).is_empty());
        let glued = format!("{}-x", fake("AIza", "Sy9", 35));
        assert!(
            kinds(&glued).is_empty(),
            "a Google key is exactly 39 characters"
        );
        assert!(
            kinds("AKIAIOSFODNN7EXAMPLE").is_empty(),
            "AWS's documented example key"
        );
        let default = format!("${{GH_TOKEN:-{}}}", fake("ghp_", "aB3d", 36));
        assert_eq!(kinds(&default).len(), 1, "a token as a variable's default");
    }

    #[test]
    fn private_key_headers() {
        let text = "RUN echo '-----BEGIN OPENSSH PRIVATE KEY-----' > k";
        assert_eq!(
            kinds(text),
            vec![("private key", "-----BEGIN OPENSSH PRIVATE KEY-----")]
        );
        assert!(kinds("-----BEGIN PUBLIC KEY-----").is_empty());
    }

    #[test]
    fn passwords_in_urls() {
        assert_eq!(
            kinds("DATABASE_URL=postgres://app:s3cr3t-Pw@db:5432/app"),
            vec![("password in a URL", "s3cr3t-Pw")]
        );
        assert_eq!(
            kinds("redis://:hunter22@cache:6379"),
            vec![("password in a URL", "hunter22")]
        );
        for text in [
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgres://app:$DB_PASSWORD@db/app",
            "https://user:password@example.com",
            "https://user:changeme@example.com",
            "https://user:<password>@example.com",
            "https://user:****@example.com",
            "https://example.com:8080/path@x",
            "git@github.com:org/repo.git",
            "https://github.com/org/repo",
        ] {
            assert!(kinds(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn masking_hides_most_of_a_secret() {
        assert_eq!(mask("ghp_abcdefghijklmnopqrstuvwxyz"), "ghp_…");
        assert_eq!(mask("hunter22"), "hu…");
        assert_eq!(mask("abc"), "…");
        assert_eq!(
            mask("https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx"),
            "https://hooks.slack.com/…"
        );
    }

    #[test]
    fn splitting_names() {
        assert_eq!(name_parts("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(name_parts("apiKey"), ["api", "key"]);
        assert_eq!(name_parts("APIKey"), ["api", "key"]);
        assert_eq!(name_parts("npm-config--auth"), ["npm", "config", "auth"]);
        assert_eq!(name_parts("OAuth2Token"), ["o", "auth2", "token"]);
    }

    #[test]
    fn secret_names() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "DB_PASS",
            "DB_PWD",
            "GITHUB_TOKEN",
            "NPM_TOKEN",
            "SECRET_KEY_BASE",
            "API_KEY",
            "apiKey",
            "APIKEY",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "CLIENT_SECRET",
            "GOOGLE_CREDENTIALS",
            "AUTH",
            "NPM_CONFIG__AUTH",
            "GITHUB_PAT",
        ] {
            assert!(
                secret_name_word(name).is_some(),
                "{name} should be a secret name"
            );
        }
        for name in [
            "PWD",
            "OLDPWD",
            "GPG_KEY",
            "KEY",
            "CACHE_KEY",
            "PUBLIC_KEY",
            "NEXT_PUBLIC_API_KEY",
            "TOKEN_URL",
            "PASSWORD_FILE",
            "POSTGRES_PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "SECRET_NAME",
            "PASS_THROUGH",
            "AUTH_PROVIDER",
            "MAX_TOKENS",
            "TOKENIZER",
            "PATH",
            "BYPASS",
            // Switches and settings about a secret.
            "VNC_NO_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "SKIP_AUTH",
            "GOOGLE_CREDENTIALS_SOURCE",
            "AWS_CREDENTIALS_SOURCE",
            "SECRET_FORCED_LANGUAGE",
            "DOCKER_CREDENTIAL_HELPER",
        ] {
            assert!(
                secret_name_word(name).is_none(),
                "{name} should not be a secret name"
            );
        }
    }

    #[test]
    fn inert_values() {
        for value in [
            "yes",
            "\"no\"".trim_matches('"'),
            "TRUE",
            "/run/secrets/db-password",
            "./key.json",
            "resetOSPassword.sh",
            "secrets/db.txt",
        ] {
            assert!(is_inert_value(value), "{value}");
        }
        for value in [
            "******",
            "xxxx",
            "XXXXXXXX",
            "<password>",
            "{{ .Pass }}",
            "1",
            "0",
            "none",
        ] {
            assert!(is_inert_value(value), "{value}");
        }
        for value in [
            "hunter2",
            "P@ssw0rd",
            "/abc+def==",
            "/",
            "abc.def",
            "1234",
            "changeme",
            "x",
            "**",
        ] {
            assert!(!is_inert_value(value), "{value}");
        }
    }

    #[test]
    fn settings_of_auth_names() {
        for (name, value) in [
            ("REGISTRY_AUTH", "htpasswd"),
            ("NEO4J_AUTH", "none"),
            ("NEO4J_AUTH", "None"),
            ("DB_PASSWORD", "******"),
            ("VNC_PASSWORD", "1"),
        ] {
            assert!(is_setting_value(name, value), "{name}={value}");
        }
        for (name, value) in [
            ("NEO4J_AUTH", "neo4j/s3cret"),
            ("DB_PASSWORD", "htpasswd"),
            ("DB_PASSWORD", "changeme"),
        ] {
            assert!(!is_setting_value(name, value), "{name}={value}");
        }
    }

    #[test]
    fn variable_references() {
        for value in [
            "$X",
            "${X}",
            "${X:-a}",
            "${X-a}",
            "${X:?set X}",
            "${X:-${Y}}",
            "$_A1",
        ] {
            assert!(is_variable_reference(value), "{value}");
        }
        for value in [
            "", "$", "${}", "${X}y", "x${X}", "$1abc", "${X", "$$X", "abc",
        ] {
            assert!(!is_variable_reference(value), "{value}");
        }
    }

    #[test]
    fn secret_files() {
        for path in [
            "id_rsa",
            "/root/.ssh/id_ed25519",
            ".ssh/",
            ".env",
            "config/.env.production",
            ".npmrc",
            "server.key",
            "certs/privkey.pem",
            "home/.aws/credentials",
            ".docker/config.json",
            "store.p12",
            "*.key",
        ] {
            assert!(secret_file_kind(path).is_some(), "{path}");
        }
        for path in [
            "id_rsa.pub",
            ".env.example",
            "cert.pem",
            "ca.pem",
            ".",
            "src/",
            "package.json",
            "config.json",
            "keys.txt",
            "environment",
        ] {
            assert!(secret_file_kind(path).is_none(), "{path}");
        }
    }
}
