//! The one place plimsoll talks to the network: `plimsoll pin` asks an OCI registry (the
//! distribution API) which digest a tag points to now. Nothing else calls this module; `plimsoll
//! check` stays offline.
//!
//! A `HEAD /v2/<repository>/manifests/<tag>` with the index and manifest media types in `Accept`
//! returns the digest of what the tag names (for a multi-platform image, its index) in
//! `Docker-Content-Digest`; without that header the manifest is fetched and hashed. Registries
//! that want a token answer 401 with a `WWW-Authenticate: Bearer realm=…,service=…` challenge: the
//! token comes from the realm, anonymously or with the credentials of `~/.docker/config.json`
//! (its `auths` or a credential helper). `localhost`, `127.0.0.1` and `[::1]` are reached over
//! plain HTTP, as Docker does; every other registry over HTTPS (rustls, the Mozilla roots).

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::syntax::image::ImageRef;

/// What a tag may point to: an OCI index, a Docker manifest list (both multi-platform), an OCI
/// image manifest, a Docker image manifest (v2 schema 2).
pub const MANIFEST_MEDIA_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// Docker Hub's API host, and the key its credentials have in `~/.docker/config.json`.
const DOCKER_HUB: &str = "registry-1.docker.io";
const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// The largest manifest read when a registry sends no `Docker-Content-Digest`, and the largest
/// token response.
const MAX_BODY: u64 = 4 << 20;

/// A tag in a registry, normalised as Docker does: no registry is Docker Hub, and a one-part
/// Docker Hub name is in `library/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagRef {
    /// The API host, with its port (`registry-1.docker.io`, `ghcr.io`, `localhost:5000`).
    pub host: String,
    pub repository: String,
    pub tag: String,
}

impl TagRef {
    /// The tag `image` names; `None` when it names none.
    pub fn of(image: &ImageRef) -> Option<TagRef> {
        let tag = image.tag.clone()?;
        let (host, repository) = match image.registry.as_deref() {
            None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io") => {
                let repository = if image.repository.contains('/') {
                    image.repository.clone()
                } else {
                    format!("library/{}", image.repository)
                };
                (DOCKER_HUB.to_string(), repository)
            }
            Some(host) => (host.to_string(), image.repository.clone()),
        };
        Some(TagRef {
            host,
            repository,
            tag,
        })
    }

    /// Whether the registry is on this machine, reached over plain HTTP.
    pub fn is_loopback(&self) -> bool {
        let name = match self.host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().map(|ip| format!("[{ip}]")),
            None => self.host.split(':').next().map(str::to_string),
        };
        matches!(name.as_deref(), Some("localhost" | "127.0.0.1" | "[::1]"))
    }

    fn base_url(&self) -> String {
        let scheme = if self.is_loopback() { "http" } else { "https" };
        format!("{scheme}://{}", self.host)
    }

    fn manifest_url(&self) -> String {
        format!(
            "{}/v2/{}/manifests/{}",
            self.base_url(),
            self.repository,
            self.tag
        )
    }
}

impl fmt::Display for TagRef {
    /// `registry-1.docker.io/library/alpine:3.20`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}", self.host, self.repository, self.tag)
    }
}

/// Why a tag could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// 404: the tag (or the repository) does not exist.
    NotFound,
    /// 401, also after a token was fetched: private, or missing or wrong credentials.
    Unauthorized(String),
    /// 403: the credentials do not allow pulling.
    Denied,
    /// 429 after the retries.
    RateLimited,
    /// Another status (5xx after the retries).
    Status(u16),
    /// No answer: DNS, connection, TLS, timeout.
    Network(String),
    /// An answer that breaks the protocol (a malformed digest or challenge, a token response
    /// without a token).
    Protocol(String),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NotFound => write!(f, "no such tag (404 manifest unknown)"),
            ResolveError::Unauthorized(detail) => write!(
                f,
                "authentication required (401{}): the repository is private or does not \
                 exist; log in with `docker login` so ~/.docker/config.json has credentials",
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(", {detail}")
                }
            ),
            ResolveError::Denied => write!(f, "access denied (403) with the credentials in use"),
            ResolveError::RateLimited => {
                write!(f, "rate limited (429) by the registry; try again later")
            }
            ResolveError::Status(status) => write!(f, "the registry answered HTTP {status}"),
            ResolveError::Network(message) => write!(f, "cannot reach the registry: {message}"),
            ResolveError::Protocol(message) => write!(f, "unexpected registry answer: {message}"),
        }
    }
}

/// How patient the client is.
#[derive(Clone, Debug)]
pub struct Options {
    /// For one request, from connecting to the end of the body.
    pub timeout: Duration,
    /// Further attempts after a 429, a 5xx or a failed connection.
    pub retries: u32,
    /// The first wait before a retry; doubled for each further one (a `Retry-After` of at most
    /// [`MAX_RETRY_AFTER`] is honoured instead).
    pub backoff: Duration,
    /// The Docker config file; `None`: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`.
    pub docker_config: Option<PathBuf>,
}

/// The longest `Retry-After` waited for; a longer one fails the image at once.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            docker_config: None,
        }
    }
}

/// A registry client for one run: credentials read once, a token kept per repository.
pub struct Client {
    remote: ureq::Agent,
    /// Loopback registries: no proxy.
    local: ureq::Agent,
    options: Options,
    credentials: Credentials,
    /// `Authorization` values by `host/repository`.
    authorizations: HashMap<String, String>,
    /// Hosts that did not answer (after the retries), with why: the other tags of an
    /// unreachable registry fail at once instead of each waiting through the retries.
    unreachable: HashMap<String, String>,
}

impl Client {
    pub fn new(options: Options) -> Client {
        let config = |proxy: bool| {
            let builder = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(options.timeout))
                .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")));
            let builder = if proxy { builder } else { builder.proxy(None) };
            builder.build()
        };
        let path = options.docker_config.clone().or_else(default_docker_config);
        Client {
            remote: config(true).into(),
            local: config(false).into(),
            credentials: path.as_deref().map(Credentials::load).unwrap_or_default(),
            options,
            authorizations: HashMap::new(),
            unreachable: HashMap::new(),
        }
    }

    /// The digest `reference` points to now (`sha256:…`): of the index for a multi-platform
    /// image.
    pub fn resolve(&mut self, reference: &TagRef) -> Result<String, ResolveError> {
        if let Some(message) = self.unreachable.get(&reference.host) {
            return Err(ResolveError::Network(message.clone()));
        }
        let outcome = self.resolve_reachable(reference);
        if let Err(ResolveError::Network(message)) = &outcome {
            self.unreachable
                .insert(reference.host.clone(), message.clone());
        }
        outcome
    }

    fn resolve_reachable(&mut self, reference: &TagRef) -> Result<String, ResolveError> {
        let url = reference.manifest_url();
        let head = self.authorized(reference, "HEAD", &url)?;
        let status = head.status().as_u16();
        if status != 200 {
            return Err(status_error(status, &head));
        }
        if let Some(digest) = header(&head, "docker-content-digest") {
            return if is_sha256_digest(&digest) {
                Ok(digest)
            } else {
                Err(ResolveError::Protocol(format!(
                    "`Docker-Content-Digest: {digest}` is not a sha256 digest"
                )))
            };
        }
        // No digest header: the digest is the sha256 of the manifest as served.
        let get = self.authorized(reference, "GET", &url)?;
        let status = get.status().as_u16();
        if status != 200 {
            return Err(status_error(status, &get));
        }
        let body = get
            .into_body()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|err| ResolveError::Network(err.to_string()))?;
        Ok(format!("sha256:{}", hex(&Sha256::digest(&body))))
    }

    /// `method url` with the authorization known for the repository, and on a 401 with a
    /// challenge, again with a token (or basic credentials) the challenge asks for.
    fn authorized(
        &mut self,
        reference: &TagRef,
        method: &str,
        url: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, ResolveError> {
        let key = format!("{}/{}", reference.host, reference.repository);
        let known = self.authorizations.get(&key).cloned();
        let response = self.send(reference, method, url, known.as_deref())?;
        if response.status().as_u16() != 401 {
            return Ok(response);
        }
        let challenge = header(&response, "www-authenticate").unwrap_or_default();
        let Some(authorization) = self.answer(reference, &challenge)? else {
            return Ok(response);
        };
        if known.as_deref() == Some(authorization.as_str()) {
            return Ok(response);
        }
        self.authorizations.insert(key, authorization.clone());
        self.send(reference, method, url, Some(&authorization))
    }

    /// The `Authorization` value that answers `challenge`: a bearer token from its realm, or
    /// basic credentials. `None` when there is nothing to try.
    fn answer(
        &mut self,
        reference: &TagRef,
        challenge: &str,
    ) -> Result<Option<String>, ResolveError> {
        let credentials = self.credentials.for_host(&reference.host);
        let (scheme, params) = parse_challenge(challenge);
        if scheme.eq_ignore_ascii_case("basic") {
            return Ok(credentials.map(|c| format!("Basic {}", c.basic())));
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Ok(None);
        }
        let Some(realm) = params.get("realm") else {
            return Err(ResolveError::Protocol(format!(
                "a Bearer challenge without a realm: `{challenge}`"
            )));
        };
        let mut query = Vec::new();
        if let Some(service) = params.get("service") {
            query.push(format!("service={}", percent_encode(service)));
        }
        let scope = format!("repository:{}:pull", reference.repository);
        query.push(format!("scope={}", percent_encode(&scope)));
        let separator = if realm.contains('?') { '&' } else { '?' };
        let url = format!("{realm}{separator}{}", query.join("&"));
        let basic = credentials.map(|c| format!("Basic {}", c.basic()));
        let response = self.send(reference, "GET", &url, basic.as_deref())?;
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(ResolveError::Unauthorized(if basic.is_some() {
                "the token service refused the credentials".to_string()
            } else {
                "the token service wants credentials".to_string()
            }));
        }
        if status != 200 {
            return Err(status_error(status, &response));
        }
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|err| ResolveError::Network(err.to_string()))?;
        let token = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| {
                ["token", "access_token"]
                    .iter()
                    .find_map(|field| json.get(field)?.as_str().map(str::to_string))
            })
            .filter(|token| !token.is_empty())
            .ok_or_else(|| ResolveError::Protocol("the token service sent no token".to_string()))?;
        Ok(Some(format!("Bearer {token}")))
    }

    /// One request, retried with backoff on a 429, a 5xx or no answer.
    fn send(
        &self,
        reference: &TagRef,
        method: &str,
        url: &str,
        authorization: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, ResolveError> {
        let agent = if reference.is_loopback() && url.starts_with("http://") {
            &self.local
        } else {
            &self.remote
        };
        let mut attempt = 0;
        loop {
            let mut request = match method {
                "HEAD" => agent.head(url),
                _ => agent.get(url),
            };
            // The token service is asked for JSON; the registry for manifests.
            if url.contains("/v2/") && url.contains("/manifests/") {
                request = request.header("Accept", MANIFEST_MEDIA_TYPES);
            }
            if let Some(authorization) = authorization {
                request = request.header("Authorization", authorization);
            }
            let outcome = request.call();
            let wait = match &outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status != 429 && !(500..600).contains(&status) {
                        return outcome.map_err(|err| ResolveError::Network(err.to_string()));
                    }
                    match retry_after(response) {
                        Some(wait) if wait > MAX_RETRY_AFTER => {
                            return outcome.map_err(|err| ResolveError::Network(err.to_string()));
                        }
                        Some(wait) => wait,
                        None => self.options.backoff * 2u32.saturating_pow(attempt),
                    }
                }
                Err(_) => self.options.backoff * 2u32.saturating_pow(attempt),
            };
            if attempt >= self.options.retries {
                return outcome.map_err(|err| ResolveError::Network(network_message(&err)));
            }
            attempt += 1;
            std::thread::sleep(wait);
        }
    }
}

/// The error for a final `status` other than 200.
fn status_error(status: u16, response: &ureq::http::Response<ureq::Body>) -> ResolveError {
    match status {
        404 => ResolveError::NotFound,
        401 => ResolveError::Unauthorized(
            header(response, "www-authenticate")
                .map(|_| "also with a token".to_string())
                .unwrap_or_default(),
        ),
        403 => ResolveError::Denied,
        429 => ResolveError::RateLimited,
        other => ResolveError::Status(other),
    }
}

fn network_message(err: &ureq::Error) -> String {
    match err {
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::Io(io) => crate::workspace::discover::io_message(io),
        other => other.to_string(),
    }
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_string())
}

/// `Retry-After` in seconds (the HTTP-date form is not waited for).
fn retry_after(response: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    header(response, "retry-after")?
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `sha256:` and 64 lower-case hex digits.
pub fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"` → the scheme and
/// the parameters (quoted or not; commas inside quotes kept).
pub fn parse_challenge(challenge: &str) -> (String, HashMap<String, String>) {
    let challenge = challenge.trim();
    let (scheme, rest) = challenge
        .split_once(char::is_whitespace)
        .unwrap_or((challenge, ""));
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => value.extend(chars.next()),
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        params.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    (scheme.to_string(), params)
}

/// Query-string encoding: unreserved characters as they are, everything else `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn default_docker_config() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

/// A user name and password (or token) for one registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub username: String,
    pub secret: String,
}

impl Login {
    fn basic(&self) -> String {
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.username, self.secret))
    }
}

/// What `~/.docker/config.json` says about credentials: `auths` (a base64 `user:password` per
/// registry), `credHelpers` (a helper per registry), `credsStore` (the helper for all others).
#[derive(Debug, Default)]
pub struct Credentials {
    auths: HashMap<String, Login>,
    /// Registries listed in `auths` without an `auth` (their secret is in the store).
    listed: Vec<String>,
    helpers: HashMap<String, String>,
    store: Option<String>,
}

impl Credentials {
    /// The credentials of the config file at `path`; none when it is absent or unreadable (a
    /// registry that needs them then answers 401, which says what to do).
    pub fn load(path: &Path) -> Credentials {
        std::fs::read_to_string(path)
            .map(|text| Credentials::parse(&text))
            .unwrap_or_default()
    }

    pub fn parse(text: &str) -> Credentials {
        let mut credentials = Credentials::default();
        let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
            return credentials;
        };
        if let Some(auths) = json.get("auths").and_then(|a| a.as_object()) {
            for (key, entry) in auths {
                let host = auth_key_host(key);
                let login = entry
                    .get("auth")
                    .and_then(|a| a.as_str())
                    .and_then(|auth| {
                        base64::engine::general_purpose::STANDARD
                            .decode(auth.trim())
                            .ok()
                    })
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .and_then(|pair| {
                        let (username, secret) = pair.split_once(':')?;
                        Some(Login {
                            username: username.to_string(),
                            secret: secret.to_string(),
                        })
                    });
                match login {
                    Some(login) => {
                        credentials.auths.insert(host, login);
                    }
                    None => credentials.listed.push(host),
                }
            }
        }
        if let Some(helpers) = json.get("credHelpers").and_then(|h| h.as_object()) {
            for (key, helper) in helpers {
                if let Some(helper) = helper.as_str().filter(|h| valid_helper(h)) {
                    credentials
                        .helpers
                        .insert(auth_key_host(key), helper.to_string());
                }
            }
        }
        credentials.store = json
            .get("credsStore")
            .and_then(|s| s.as_str())
            .filter(|s| valid_helper(s))
            .map(str::to_string);
        credentials
    }

    /// The login for `host` (an API host as [`TagRef::host`]): its credential helper, its
    /// `auths` entry, or the store.
    pub fn for_host(&self, host: &str) -> Option<Login> {
        let host = auth_key_host(host);
        if let Some(helper) = self.helpers.get(&host) {
            return run_helper(helper, &host);
        }
        if let Some(login) = self.auths.get(&host) {
            return Some(login.clone());
        }
        let store = self.store.as_ref()?;
        // Docker asks the store for every registry; asking only for those `auths` lists
        // avoids starting a helper for each public image.
        if self.listed.contains(&host) || self.listed.is_empty() {
            return run_helper(store, &host);
        }
        None
    }
}

/// A credential helper name is one word (`desktop`, `ecr-login`, `gcloud`): it becomes a
/// program name, so nothing that could be a path.
fn valid_helper(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The registry host a config key names: `https://index.docker.io/v1/` → `registry-1.docker.io`,
/// `http://localhost:5000` → `localhost:5000`.
fn auth_key_host(key: &str) -> String {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = without_scheme
        .split('/')
        .next()
        .unwrap_or(without_scheme)
        .to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => host,
    }
}

/// `docker-credential-<helper> get` with the server on standard input; `None` when the helper
/// is missing, fails, has nothing for the server, or takes longer than 30 seconds.
fn run_helper(helper: &str, host: &str) -> Option<Login> {
    let server = if host == DOCKER_HUB {
        DOCKER_HUB_AUTH_KEY
    } else {
        host
    };
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if started.elapsed() > Duration::from_secs(30) => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    let json: serde_json::Value = serde_json::from_str(&out).ok()?;
    let username = json.get("Username")?.as_str()?.to_string();
    let secret = json.get("Secret")?.as_str()?.to_string();
    // `<token>` marks an identity token for the OAuth2 refresh flow, which is not spoken here.
    (!secret.is_empty() && username != "<token>").then_some(Login { username, secret })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> TagRef {
        TagRef::of(&ImageRef::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn docker_hub_names_are_normalised() {
        for text in [
            "alpine:3.20",
            "library/alpine:3.20",
            "docker.io/alpine:3.20",
            "docker.io/library/alpine:3.20",
            "index.docker.io/library/alpine:3.20",
            "registry-1.docker.io/alpine:3.20",
        ] {
            assert_eq!(
                tag(text).to_string(),
                "registry-1.docker.io/library/alpine:3.20",
                "{text}"
            );
        }
        assert_eq!(
            tag("bitnami/redis:7").to_string(),
            "registry-1.docker.io/bitnami/redis:7"
        );
        assert_eq!(
            tag("ghcr.io/owner/app:1").manifest_url(),
            "https://ghcr.io/v2/owner/app/manifests/1"
        );
        assert!(TagRef::of(&ImageRef::parse("alpine").unwrap()).is_none());
    }

    #[test]
    fn loopback_registries_use_plain_http() {
        for text in [
            "localhost/app:1",
            "localhost:5000/app:1",
            "127.0.0.1:41234/app:1",
            "[::1]:5000/app:1",
        ] {
            assert!(tag(text).is_loopback(), "{text}");
            assert!(tag(text).manifest_url().starts_with("http://"), "{text}");
        }
        for text in [
            "ghcr.io/a/b:1",
            "localhost.example.com/a:1",
            "127.0.0.2:5000/a:1",
        ] {
            assert!(!tag(text).is_loopback(), "{text}");
            assert!(tag(text).manifest_url().starts_with("https://"), "{text}");
        }
    }

    #[test]
    fn challenges_parse() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#,
        );
        assert_eq!(scheme, "Bearer");
        assert_eq!(params["realm"], "https://auth.docker.io/token");
        assert_eq!(params["service"], "registry.docker.io");
        assert_eq!(params["scope"], "repository:library/alpine:pull,push");
        let (scheme, params) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!(scheme, "Basic");
        assert_eq!(params["realm"], "Registry Realm");
        let (scheme, params) = parse_challenge("Bearer realm=https://x/token, service=x");
        assert_eq!(scheme, "Bearer");
        assert_eq!(params["realm"], "https://x/token");
        assert_eq!(params["service"], "x");
        assert!(parse_challenge("").1.is_empty());
    }

    #[test]
    fn docker_config_auths_are_read() {
        let auth = base64::engine::general_purpose::STANDARD.encode("me:s3cret:with:colons");
        let config = format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{auth}"}},
                "localhost:5000": {{"auth": "{auth}"}},
                "ghcr.io": {{}}}},
               "credHelpers": {{"gcr.io": "gcloud", "bad.io": "../evil"}}}}"#
        );
        let credentials = Credentials::parse(&config);
        let login = credentials.for_host("registry-1.docker.io").unwrap();
        assert_eq!(login.username, "me");
        assert_eq!(login.secret, "s3cret:with:colons");
        assert_eq!(
            credentials.for_host("localhost:5000").unwrap().basic(),
            auth
        );
        assert!(credentials.for_host("quay.io").is_none());
        assert_eq!(credentials.helpers.get("gcr.io").unwrap(), "gcloud");
        assert!(!credentials.helpers.contains_key("bad.io"));
        assert_eq!(credentials.listed, ["ghcr.io"]);
        assert!(Credentials::parse("not json").auths.is_empty());
    }

    #[test]
    fn digests_and_encoding() {
        assert!(is_sha256_digest(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_sha256_digest(&format!("sha256:{}", "A".repeat(64))));
        assert!(!is_sha256_digest("sha256:abc"));
        assert_eq!(
            percent_encode("repository:library/alpine:pull"),
            "repository%3Alibrary%2Falpine%3Apull"
        );
        assert_eq!(
            hex(&Sha256::digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    /// A scripted HTTP server on 127.0.0.1: each request (method, path, headers lower-cased)
    /// gets the handler's (status, headers, body); every connection is closed after one answer.
    struct FakeRegistry {
        host: String,
        requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    }

    type Handler = dyn Fn(&str, &str, &HashMap<String, String>) -> (u16, Vec<(String, String)>, Vec<u8>)
        + Send
        + Sync;

    impl FakeRegistry {
        fn start(handler: Box<Handler>) -> FakeRegistry {
            use std::io::{BufRead, BufReader};
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let host = listener.local_addr().unwrap().to_string();
            let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let log = requests.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { return };
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        continue;
                    }
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or("").to_string();
                    let path = parts.next().unwrap_or("").to_string();
                    let mut headers = HashMap::new();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0
                            || header.trim().is_empty()
                        {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            headers
                                .insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
                        }
                    }
                    let authorization = headers.get("authorization").cloned().unwrap_or_default();
                    log.lock()
                        .unwrap()
                        .push(format!("{method} {path} [{authorization}]"));
                    let (status, extra, body) = handler(&method, &path, &headers);
                    let mut response = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    for (name, value) in extra {
                        response.push_str(&format!("{name}: {value}\r\n"));
                    }
                    response.push_str("\r\n");
                    let _ = stream.write_all(response.as_bytes());
                    if method != "HEAD" {
                        let _ = stream.write_all(&body);
                    }
                }
            });
            FakeRegistry { host, requests }
        }

        fn requests(&self) -> Vec<String> {
            self.requests.lock().unwrap().clone()
        }
    }

    fn quick(docker_config: Option<PathBuf>, retries: u32) -> Client {
        Client::new(Options {
            timeout: Duration::from_secs(5),
            retries,
            backoff: Duration::from_millis(1),
            docker_config: docker_config
                .or_else(|| Some(PathBuf::from("/nonexistent/config.json"))),
        })
    }

    #[test]
    fn bearer_tokens_are_fetched_with_the_configured_credentials_and_bodies_hashed() {
        let realm = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let realm_in = realm.clone();
        let server = FakeRegistry::start(Box::new(move |method, path, headers| {
            let auth = headers.get("authorization").map(String::as_str);
            if path.starts_with("/token?") {
                return match auth {
                    Some(a) if a.starts_with("Basic ") => {
                        (200, vec![], br#"{"token":"tok123"}"#.to_vec())
                    }
                    _ => (401, vec![], Vec::new()),
                };
            }
            if auth != Some("Bearer tok123") {
                let challenge = format!(
                    r#"Bearer realm="{}",service="fake registry",scope="repository:private/app:pull""#,
                    realm_in.lock().unwrap()
                );
                return (
                    401,
                    vec![("WWW-Authenticate".into(), challenge)],
                    Vec::new(),
                );
            }
            assert!(headers["accept"].contains("application/vnd.oci.image.index.v1+json"));
            match (method, path) {
                (_, "/v2/private/app/manifests/1") => (200, vec![], b"the manifest".to_vec()),
                _ => (404, vec![], Vec::new()),
            }
        }));
        *realm.lock().unwrap() = format!("http://{}/token", server.host);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("me:pw");
        std::fs::write(
            &config,
            format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, server.host),
        )
        .unwrap();
        let mut client = quick(Some(config), 0);
        let reference = tag(&format!("{}/private/app:1", server.host));
        assert_eq!(
            client.resolve(&reference),
            Ok(format!("sha256:{}", hex(&Sha256::digest(b"the manifest"))))
        );
        let requests = server.requests();
        assert_eq!(
            requests,
            [
                "HEAD /v2/private/app/manifests/1 []".to_string(),
                format!(
                    "GET /token?service=fake%20registry&scope=repository%3Aprivate%2Fapp%3Apull [Basic {auth}]"
                ),
                "HEAD /v2/private/app/manifests/1 [Bearer tok123]".to_string(),
                "GET /v2/private/app/manifests/1 [Bearer tok123]".to_string(),
            ]
        );
        // The token is kept for the repository: a missing tag costs one request.
        let missing = tag(&format!("{}/private/app:2", server.host));
        assert_eq!(client.resolve(&missing), Err(ResolveError::NotFound));
        assert_eq!(server.requests().len(), requests.len() + 1);

        // Without credentials the token service refuses: authentication required.
        let mut anonymous = quick(None, 0);
        let error = anonymous.resolve(&reference).unwrap_err();
        assert!(matches!(error, ResolveError::Unauthorized(_)), "{error:?}");
        assert!(
            error
                .to_string()
                .starts_with("authentication required (401"),
            "{error}"
        );
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_then_reported() {
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = calls.clone();
        let digest = format!("sha256:{}", "b".repeat(64));
        let served = digest.clone();
        let server = FakeRegistry::start(Box::new(move |_, path, _| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            match path {
                "/v2/busy/manifests/1" if n < 2 => (429, vec![], Vec::new()),
                "/v2/busy/manifests/1" => (
                    200,
                    vec![("Docker-Content-Digest".into(), served.clone())],
                    Vec::new(),
                ),
                "/v2/broken/manifests/1" => (503, vec![], Vec::new()),
                "/v2/slow/manifests/1" => {
                    (429, vec![("Retry-After".into(), "3600".into())], Vec::new())
                }
                _ => (404, vec![], Vec::new()),
            }
        }));
        let busy = tag(&format!("{}/busy:1", server.host));
        assert_eq!(quick(None, 3).resolve(&busy), Ok(digest));
        assert_eq!(server.requests().len(), 3);
        // Too few retries: rate limited.
        calls.store(0, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            quick(None, 1).resolve(&busy),
            Err(ResolveError::RateLimited)
        );
        let broken = tag(&format!("{}/broken:1", server.host));
        let before = server.requests().len();
        assert_eq!(
            quick(None, 2).resolve(&broken),
            Err(ResolveError::Status(503))
        );
        assert_eq!(
            server.requests().len(),
            before + 3,
            "one try and two retries"
        );
        // A Retry-After longer than plimsoll waits fails at once.
        let slow = tag(&format!("{}/slow:1", server.host));
        let before = server.requests().len();
        assert_eq!(
            quick(None, 3).resolve(&slow),
            Err(ResolveError::RateLimited)
        );
        assert_eq!(server.requests().len(), before + 1);
        // Nobody listening: a network error, not a panic.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let nobody = closed.local_addr().unwrap().to_string();
        drop(closed);
        let error = quick(None, 0)
            .resolve(&tag(&format!("{nobody}/x:1")))
            .unwrap_err();
        assert!(matches!(error, ResolveError::Network(_)), "{error:?}");
    }
}
