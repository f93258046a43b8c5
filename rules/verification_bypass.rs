//! The shared search of `certificate-verification-disabled` and `signature-verification-disabled`:
//! command options (`curl -k`, `apk --allow-untrusted`), configuration words
//! (`sslverify=false`, `[trusted=yes]`) and environment variables set by ENV, ARG, `export` or
//! `VAR=value cmd` that turn off certificate or package-signature checks. Not a rule itself.

use std::sync::Arc;

use crate::linter::rule::DockerfileContext;
use crate::syntax::dockerfile::Command;
use crate::syntax::dockerfile::shell::{CommandView, SimpleCommand, Word};
use crate::syntax::span::Span;

use super::run_commands::run_commands;
use super::support::{app_variable_skips_tls, commands};

/// Which check is turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verification {
    /// TLS certificate verification.
    Tls,
    /// Package signature or checksum verification.
    Signature,
}

/// One place that turns a check off.
pub(crate) struct Bypass {
    pub kind: Verification,
    pub span: Span,
    /// What it is, for the message (`curl -k`, `NODE_TLS_REJECT_UNAUTHORIZED=0`).
    pub what: String,
}

/// The bypasses of one Dockerfile, found once for the two rules that report them.
pub(crate) struct Bypasses(pub Vec<Bypass>);

/// Every bypass of the Dockerfile, in file order.
pub(crate) fn bypasses(context: &DockerfileContext<'_>) -> Arc<Bypasses> {
    context.memo(|| Bypasses(find_bypasses(context)))
}

fn find_bypasses(context: &DockerfileContext<'_>) -> Vec<Bypass> {
    let mut found = Vec::new();
    for command in commands(context.dockerfile) {
        let (Command::Env(pairs) | Command::Arg(pairs)) = command else {
            continue;
        };
        for pair in pairs {
            let Some(value) = &pair.value else {
                continue;
            };
            if let Some(kind) = variable_bypass(&pair.key.value, &value.value) {
                found.push(Bypass {
                    kind,
                    span: pair.key.span,
                    what: format!("{}={}", pair.key.value, value.value),
                });
            }
        }
    }
    for command in run_commands(context) {
        command_bypasses(command, &mut found);
    }
    found.sort_by_key(|bypass| (bypass.span.start, bypass.span.end));
    found
}

/// An environment variable that turns a check off with this value. Values that hold a
/// variable are unknown and not judged.
fn variable_bypass(name: &str, value: &str) -> Option<Verification> {
    if value.contains('$') {
        return None;
    }
    let value = value.trim().to_ascii_lowercase();
    let falsy = matches!(value.as_str(), "0" | "false" | "no" | "off");
    match name.to_ascii_uppercase().as_str() {
        "PYTHONHTTPSVERIFY" | "NODE_TLS_REJECT_UNAUTHORIZED" if value == "0" => {
            Some(Verification::Tls)
        }
        "NPM_CONFIG_STRICT_SSL" | "YARN_ENABLE_STRICT_SSL" | "YARN_STRICT_SSL" if falsy => {
            Some(Verification::Tls)
        }
        // git and pip act on any value, even `false`.
        "GIT_SSL_NO_VERIFY" | "PIP_TRUSTED_HOST" | "GOINSECURE" if !value.is_empty() => {
            Some(Verification::Tls)
        }
        "GONOSUMCHECK" | "GONOSUMDB" if !value.is_empty() => Some(Verification::Signature),
        "GOSUMDB" if value == "off" => Some(Verification::Signature),
        "GOFLAGS" if value.split_whitespace().any(|flag| flag == "-insecure") => {
            Some(Verification::Tls)
        }
        _ if app_variable_skips_tls(name, &value) => Some(Verification::Tls),
        _ => None,
    }
}

/// The bypasses of one shell command.
fn command_bypasses(command: &SimpleCommand, found: &mut Vec<Bypass>) {
    // `VAR=value cmd`, `export VAR=value`, `env VAR=value cmd`.
    let view = command.view();
    let exported = match view.program() {
        Some("export" | "env" | "declare" | "typeset" | "readonly") => view.args,
        _ => &[],
    };
    for word in command.assignments.iter().chain(exported) {
        if let Some((name, value)) = word.value.split_once('=')
            && let Some(kind) = variable_bypass(name, value)
        {
            found.push(Bypass {
                kind,
                span: word.span,
                what: word.value.clone(),
            });
        }
    }

    let view = command.effective();
    let Some(program) = view.program() else {
        return;
    };
    let mut push = |kind, word: &Word, what: String| {
        found.push(Bypass {
            kind,
            span: word.span,
            what,
        });
    };
    // A flag is judged on the command it belongs to: `echo --nogpgcheck` or
    // `grep -- --insecure` print or search for the word, they turn nothing off. (A setting they
    // write into a file, `echo sslverify=0 >> /etc/yum.conf`, is judged below.)
    let flags_are_data = matches!(
        program,
        "echo"
            | "printf"
            | "print"
            | "grep"
            | "egrep"
            | "fgrep"
            | "rg"
            | "sed"
            | "awk"
            | "gawk"
            | "test"
            | "["
            | "true"
            | "false"
            | ":"
            | "logger"
            | "expr"
            | "jq"
    );
    for word in flags(&view).filter(|_| !flags_are_data) {
        let flag = word.value.as_str();
        let long = flag.split('=').next().unwrap_or(flag);
        let tls = match long {
            "--no-check-certificate" | "--insecure-skip-tls-verify" | "--trusted-host" => true,
            "--insecure" | "--proxy-insecure" | "--doh-insecure" => program == "curl",
            _ => program == "curl" && curl_short_insecure(flag),
        };
        if tls {
            push(Verification::Tls, word, format!("{program} {flag}"));
            continue;
        }
        let signature = match long {
            "--allow-untrusted" => program == "apk" && !installs_local_apks(&view),
            "--allow-unauthenticated" | "--force-yes" | "--allow-insecure-repositories" => {
                matches!(program, "apt-get" | "apt" | "aptitude")
            }
            "--nogpgcheck" | "--no-gpgchecks" | "--no-gpg-checks" | "--no-gpg-check" => true,
            "--nosignature" | "--nodigest" | "--nofiledigest" | "--noverify" => program == "rpm",
            "--strict-ssl" => false,
            _ => false,
        };
        if signature {
            push(Verification::Signature, word, format!("{program} {flag}"));
        }
        if long == "--strict-ssl"
            && matches!(program, "npm" | "yarn" | "pnpm")
            && flag
                .split_once('=')
                .is_some_and(|(_, value)| value.eq_ignore_ascii_case("false"))
        {
            push(Verification::Tls, word, format!("{program} {flag}"));
        }
    }

    // Configuration written as words: `--setopt=sslverify=false`, `-o APT::Get::
    // AllowUnauthenticated=true`, `echo "deb [trusted=yes] …"`, `git -c http.sslVerify=false`,
    // `npm config set strict-ssl false`, `git config --global http.sslVerify false`.
    let args = view.args;
    // `git config http.sslVerify false`, `npm config set strict-ssl false`.
    let configures = matches!(program, "git" | "npm" | "yarn" | "pnpm")
        && args.iter().any(|w| w.value == "config");
    for (index, word) in args.iter().enumerate() {
        // Every pattern below holds an `=`, except a `config` key followed by its value: skip
        // the other words before lowercasing them (most words of most commands).
        if !configures && !word.value.contains('=') || !SETTING_WORDS.is_match(&word.value) {
            continue;
        }
        let lower = word.value.to_ascii_lowercase();
        let next = args
            .get(index + 1)
            .map(|next| next.value.to_ascii_lowercase());
        let next_falsy = next
            .as_deref()
            .is_some_and(|v| matches!(v, "false" | "0" | "no" | "off"));
        let setting = |key: &str| {
            sets_falsy(&lower, key)
                || (configures && next_falsy && lower.rsplit('.').next() == Some(key))
        };
        if setting("sslverify") || setting("strict-ssl") || setting("enablestrictssl") {
            let what = match args.get(index + 1) {
                Some(value) if !lower.contains('=') => format!("{} {}", word.value, value.value),
                _ => word.value.clone(),
            };
            push(Verification::Tls, word, what);
            continue;
        }
        let gpg_off = ["gpgcheck", "repo_gpgcheck", "localpkg_gpgcheck"]
            .iter()
            .any(|key| setting(key));
        let apt_unauthenticated = lower.contains("allowunauthenticated=true")
            || lower.contains("allowunauthenticated=1")
            || lower.contains("allowinsecurerepositories=true")
            || lower.contains("allowinsecurerepositories=1")
            || (lower.contains("trusted=yes")
                && !lower.contains(" file:")
                && !lower.contains(" copy:"));
        let go_sum_off = program == "go"
            && (lower == "gosumdb=off" || lower.starts_with("gonosumcheck="))
            && args.iter().any(|w| w.value == "env");
        if gpg_off || apt_unauthenticated || go_sum_off {
            push(Verification::Signature, word, word.value.clone());
        }
    }
}

/// A piece every configuration word judged by [`command_bypasses`] holds (in any case): one
/// search per word instead of a dozen.
const SETTING_PIECES: &[&str] = &[
    "sslverify",
    "strict-ssl",
    "enablestrictssl",
    "gpgcheck",
    "allowunauthenticated=",
    "allowinsecurerepositories=",
    "trusted=yes",
    "gosumdb=off",
    "gonosumcheck=",
];

static SETTING_WORDS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .ascii_case_insensitive(true)
            .build(SETTING_PIECES)
            .expect("fixed patterns")
    });

/// Whether `text` sets `key` (a whole word, any prefix such as `http.` or `--setopt=`) to a
/// false value: `sslverify=0`, `--setopt=*.sslverify=false`, `gpgcheck=no`.
fn sets_falsy(text: &str, key: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
    text.match_indices(key).any(|(at, _)| {
        let before = text.get(..at).and_then(|head| head.chars().next_back());
        let rest = text.get(at + key.len()..).unwrap_or("");
        let Some(value) = rest.strip_prefix('=') else {
            return false;
        };
        let value = value.trim_start_matches(['"', '\'', ' ']);
        boundary(before)
            && ["false", "0", "no", "off"].iter().any(|falsy| {
                value
                    .strip_prefix(falsy)
                    .is_some_and(|after| boundary(after.chars().next()))
            })
    })
}

/// `apk add --allow-untrusted /tmp/packages/*.apk`: packages built earlier in the same build
/// (the docker-library and nginx pattern) have no signature to check. Remote repositories or
/// package names keep the finding.
fn installs_local_apks(view: &CommandView<'_>) -> bool {
    let remote_repository = view
        .flag_value(Some('X'), "repository")
        .is_some_and(|repo| repo.value.contains("://"));
    let mut operands = view
        .args
        .iter()
        .skip_while(|word| word.value != "add")
        .skip(1)
        .filter(|word| !word.value.starts_with('-'))
        .peekable();
    operands.peek().is_some()
        && !remote_repository
        && operands.all(|word| {
            word.value.starts_with(['/', '.', '$']) && !word.value.contains("://")
                || word.value.ends_with(".apk")
        })
}

/// The option words of a command, up to `--`.
fn flags<'a>(view: &CommandView<'a>) -> impl Iterator<Item = &'a Word> + 'a {
    view.args
        .iter()
        .take_while(|word| word.value != "--")
        .filter(|word| word.value.starts_with('-') && word.value.len() > 1)
}

/// `-k` in a group of curl short options (`-fsSLk`), before any option that takes a value
/// (in `-uk:p` the `k` is part of the user name).
fn curl_short_insecure(flag: &str) -> bool {
    let Some(group) = flag.strip_prefix('-') else {
        return false;
    };
    if group.starts_with('-') {
        return false;
    }
    for c in group.chars() {
        if c == 'k' {
            return true;
        }
        if "AbcdDeEFHKmorTuUwxXyYzCPQtz".contains(c) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_groups() {
        assert!(curl_short_insecure("-k"));
        assert!(curl_short_insecure("-fsSLk"));
        assert!(!curl_short_insecure("-fsSL"));
        assert!(!curl_short_insecure("-uk:p"));
        assert!(!curl_short_insecure("--kk"));
    }

    #[test]
    fn variables() {
        assert_eq!(
            variable_bypass("NODE_TLS_REJECT_UNAUTHORIZED", "0"),
            Some(Verification::Tls)
        );
        assert_eq!(variable_bypass("NODE_TLS_REJECT_UNAUTHORIZED", "1"), None);
        assert_eq!(variable_bypass("PIP_TRUSTED_HOST", "$HOST"), None);
        assert_eq!(
            variable_bypass("GOSUMDB", "off"),
            Some(Verification::Signature)
        );
        assert_eq!(variable_bypass("GOSUMDB", "sum.golang.org"), None);
    }

    /// The bypasses `command_bypasses` finds in one shell command.
    fn found_in(script: &str) -> Vec<Verification> {
        let script = crate::syntax::dockerfile::shell::analyze_str(script, 0);
        let mut found = Vec::new();
        for command in &script.commands {
            command_bypasses(command, &mut found);
        }
        found.into_iter().map(|bypass| bypass.kind).collect()
    }

    #[test]
    fn every_configuration_word_passes_the_quick_search() {
        use Verification::{Signature, Tls};
        for (script, kind) in [
            ("yum install --setopt=sslverify=0 x", Tls),
            ("npm install --STRICT-SSL=false", Tls),
            ("yarn config set strict-ssl false", Tls),
            ("echo x EnableStrictSsl=false", Tls),
            ("git config --global http.sslVerify false", Tls),
            ("dnf install --setopt=localpkg_gpgcheck=0 x", Signature),
            (
                "apt-get -o Acquire::AllowInsecureRepositories=true update",
                Signature,
            ),
            (
                "apt-get -o APT::Get::AllowUnauthenticated=1 install x",
                Signature,
            ),
            (
                "echo 'deb [trusted=yes] http://x/ ./' > /etc/apt/sources.list",
                Signature,
            ),
            ("go env -w GOSUMDB=off", Signature),
            ("go env -w GONOSUMCHECK=1", Signature),
        ] {
            assert_eq!(found_in(script), [kind], "{script}");
        }
        assert_eq!(found_in("make CFLAGS=-O2 install"), []);
    }

    #[test]
    fn falsy_settings() {
        assert!(sets_falsy("--setopt=sslverify=false", "sslverify"));
        assert!(sets_falsy("--setopt=*.sslverify=0", "sslverify"));
        assert!(sets_falsy("[main]\ngpgcheck=0\n", "gpgcheck"));
        assert!(!sets_falsy("gpgcheck=1", "gpgcheck"));
        assert!(!sets_falsy("repo_gpgcheck=0", "gpgcheck"));
        assert!(sets_falsy("repo_gpgcheck=0", "repo_gpgcheck"));
        assert!(!sets_falsy("sslverify=0755", "sslverify"));
    }
}
