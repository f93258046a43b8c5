//! Helpers shared by several built-in rules: finding the base images of a Dockerfile, reading
//! compose `image:` values with `${VAR:-default}` defaults, pointing at part of a value, and
//! deciding whether a user is root, and whether a service switches its healthcheck off. Not a
//! rule itself (it declares no `Rule`).
//!
//! Compose values merged in through a YAML anchor (`*alias` or a `<<` merge key) are reported
//! once per service that uses them, always the same way: the main span is the value where it is
//! *written* (the anchored definition, where the user edits it) and a label points at the alias
//! or `<<` of the service that pulls it in ("merged into service `x` here"). [`report_in_service`]
//! does this for every compose rule.

use std::collections::HashMap;
use std::ops::Range;

use crate::linter::diagnostic::Finding;
use crate::linter::rule::Emitter;
use crate::semantic::{ImageUser, NonRootImages, effective_instructions, is_windows_base};
use crate::syntax::compose::{
    ComposeFile, Field, InterpolatedValue, PortMapping, Service, VolumeMount,
};
use crate::syntax::dockerfile::{BaseKind, Command, Dockerfile, Stage, User};
use crate::syntax::image::ImageRef;
use crate::syntax::span::{Span, Spanned, written_part};
use crate::syntax::yaml::Node;

/// The platform ARGs BuildKit defines itself before the first FROM. Their values depend on the
/// build (`TARGETVARIANT` is empty on amd64), so rules neither call them undefined nor judge a
/// FROM that uses them.
pub(crate) const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// A stage's base image, as a rule about image references sees it.
pub(crate) struct BaseRef<'a> {
    /// The FROM argument as written.
    pub raw: &'a Spanned<String>,
    pub image: &'a ImageRef,
    /// `Some(text)` when the reference came from ARG defaults: the resolved text.
    pub resolved_from_args: Option<&'a str>,
}

/// The registry images that stages are built on, in order. `scratch`, earlier stages and
/// references with unresolved variables are left out.
pub(crate) fn base_images(dockerfile: &Dockerfile) -> Vec<BaseRef<'_>> {
    let mut bases = Vec::new();
    // The first stage of each name, lower-cased: a lookup per stage instead of a scan of the
    // earlier ones (quadratic in the number of stages).
    let mut first_named: HashMap<String, usize> = HashMap::new();
    for stage in &dockerfile.stages {
        if let Some(name) = &stage.name {
            first_named
                .entry(name.value.to_ascii_lowercase())
                .or_insert(stage.index);
        }
    }
    for stage in &dockerfile.stages {
        let BaseKind::Image(image) = &stage.base.kind else {
            continue;
        };
        // A bare name that matches an earlier stage (BuildKit compares them case-insensitively)
        // is that stage, whatever the parser made of it.
        let names_earlier_stage = image.registry.is_none()
            && image.is_untagged()
            && first_named
                .get(&stage.base.raw.value.to_ascii_lowercase())
                .is_some_and(|&first| first < stage.index);
        // `FROM 0` names the first stage by index (buildah and podman accept it).
        let indexes_earlier_stage = image.registry.is_none()
            && image.is_untagged()
            && stage
                .base
                .raw
                .value
                .parse::<usize>()
                .is_ok_and(|index| index < stage.index);
        if names_earlier_stage || indexes_earlier_stage {
            continue;
        }
        let resolved_from_args = stage
            .base
            .resolved
            .as_deref()
            .filter(|resolved| *resolved != stage.base.raw.value);
        bases.push(BaseRef {
            raw: &stage.base.raw,
            image,
            resolved_from_args,
        });
    }
    bases
}

/// The commands of every instruction, with the instruction an `ONBUILD` wraps in place of the
/// `ONBUILD` itself ([`effective_instructions`]): `ONBUILD ENV TOKEN=…` leaks into every image
/// built on this one.
pub(crate) fn commands(dockerfile: &Dockerfile) -> impl Iterator<Item = &Command> {
    effective_instructions(dockerfile).map(|effective| &effective.instruction.command)
}

/// A compose value with `${VAR:-default}` and `${VAR-default}` replaced by their defaults and
/// `$$` by `$`. `None` when any other reference (`$VAR`, `${VAR}`, `${VAR:?err}`) is left,
/// since its value is only known where the file is used.
pub(crate) fn with_compose_defaults(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let inner_and_tail = after.strip_prefix('{')?;
        let close = inner_and_tail.find('}')?;
        let inner = &inner_and_tail[..close];
        let name_len = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let operator = &inner[name_len..];
        let default = operator
            .strip_prefix(":-")
            .or_else(|| operator.strip_prefix('-'))?;
        if name_len == 0 || default.contains('$') {
            return None;
        }
        out.push_str(default);
        rest = &inner_and_tail[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A compose `image:` value read as a reference, with the text it was read from when that
/// differs from the value (defaults substituted). `None` when it cannot be judged.
pub(crate) fn compose_image(value: &str) -> Option<(ImageRef, Option<String>)> {
    let resolved = with_compose_defaults(value)?;
    let image = ImageRef::parse(&resolved)?;
    let from_defaults = (resolved != value).then_some(resolved);
    Some((image, from_defaults))
}

/// The image a service pulls: `image:` of a service without `build:` (with `build:`, `image:`
/// names the image compose builds, not one it pulls), read as a reference.
pub(crate) struct PulledImage<'a> {
    pub service: &'a Service,
    pub field: &'a Field<String>,
    pub image: ImageRef,
    /// The reference after interpolation (`.env` values, literal defaults), when that differs
    /// from the value as written.
    pub from_defaults: Option<String>,
    /// The value as written (before interpolation).
    pub written: &'a str,
    /// How the value was interpolated, when it was.
    pub interpolation: Option<&'a InterpolatedValue>,
}

impl PulledImage<'_> {
    /// The span of `range` of the reference: exact in literal text, the `${…}` that produced
    /// it otherwise.
    pub fn span_of(&self, source: &str, range: Range<usize>) -> Span {
        match self.interpolation {
            Some(interpolation) => interpolation.value_span(source, range),
            None => written_part(source, self.field.span, &self.field.value, range),
        }
    }

    /// Where the text at `range` of the reference comes from ("`TAG` from .env line 3", "the
    /// default of `TAG`"), when interpolation produced it.
    pub fn origin(&self, compose: &ComposeFile, range: Range<usize>) -> Option<String> {
        self.interpolation?.describe(range, &compose.env_file)
    }
}

/// Every pulled image of a compose file whose reference can be judged.
pub(crate) fn pulled_images(compose: &ComposeFile) -> impl Iterator<Item = PulledImage<'_>> {
    compose.services.iter().filter_map(|service| {
        let field = service.image.as_ref().filter(|_| service.build.is_none())?;
        let interpolation = compose
            .interpolation_at(field.span)
            .filter(|i| i.value() == Some(field.value.as_str()));
        let (image, mut from_defaults) = compose_image(&field.value)?;
        let written = interpolation.map_or(field.value.as_str(), |i| i.raw.as_str());
        if from_defaults.is_none() && written != field.value {
            from_defaults = Some(field.value.clone());
        }
        Some(PulledImage {
            service,
            field,
            image,
            from_defaults,
            written,
            interpolation,
        })
    })
}

/// Whether a `user[:group]` value names root: `Some(true)` for `root`, `0`, `root:…`, `0:…`;
/// `None` when it contains a variable and cannot be judged.
pub(crate) fn is_root_user(user: &str) -> Option<bool> {
    if user.contains('$') {
        return None;
    }
    let name = user.split(':').next().unwrap_or("").trim();
    Some(name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0')))
}

/// The `user[:group]` of a USER instruction as one value, and the span it is written at.
pub(crate) fn user_value(user: &User) -> (String, Span) {
    match &user.group {
        Some(group) => (
            format!("{}:{}", user.user.value, group.value),
            user.user.span.cover(group.span),
        ),
        None => (user.user.value.clone(), user.user.span),
    }
}

/// Who a stage without any USER runs as, decided by `base`, the stage where its `FROM <stage>`
/// chain ends (its base image, `scratch`, or a reference that did not resolve).
pub(crate) enum BaseUser {
    /// Not root: a Windows image (no root user; `ContainerUser` or `ContainerAdministrator`),
    /// or an image the table or the config's `non-root-images` knows runs unprivileged.
    NotRoot,
    /// `FROM scratch`: uid 0.
    Scratch,
    /// An image known to run as root: why we know.
    Root(&'static str),
    /// An image whose user is not known here: the reference, as resolved from ARG defaults
    /// (or as written when it did not resolve).
    Unknown(String),
}

/// The user a stage without USER runs as, from `base` (see [`BaseUser`]).
pub(crate) fn base_user(base: &Stage, images: &NonRootImages) -> BaseUser {
    if is_windows_base(&base.base) {
        return BaseUser::NotRoot;
    }
    match &base.base.kind {
        BaseKind::Scratch => BaseUser::Scratch,
        BaseKind::Image(image) => match images.user_of(image) {
            ImageUser::NonRoot(_) => BaseUser::NotRoot,
            ImageUser::Root(why) => BaseUser::Root(why),
            ImageUser::Unknown => BaseUser::Unknown(
                base.base
                    .resolved
                    .clone()
                    .unwrap_or_else(|| base.base.raw.value.clone()),
            ),
        },
        BaseKind::Stage { .. } | BaseKind::Unresolved => {
            BaseUser::Unknown(base.base.raw.value.clone())
        }
    }
}

/// How a finding says what a stage without USER runs as (after "sets no USER"), given what
/// [`base_user`] found; `None` when it does not run as root.
pub(crate) fn no_user_consequence(user: &BaseUser) -> Option<String> {
    match user {
        BaseUser::NotRoot => None,
        BaseUser::Scratch => Some(", so it runs as root (uid 0 in a `scratch` image)".into()),
        BaseUser::Root(why) => Some(format!(", so it runs as root ({why})")),
        BaseUser::Unknown(image) => Some(format!(
            ": it runs as the base image's user, root unless `{}` sets one",
            crate::syntax::excerpt::excerpt(image)
        )),
    }
}

/// A resource limit of a compose service, from the keys that can set it.
pub(crate) enum Limit<'a> {
    Missing,
    /// Only set to a value that means "no limit" (`0`, `-1`).
    Unlimited(&'a Field<String>),
    Set,
}

/// Which of `fields` (the modern and legacy keys for one resource) limits the resource.
pub(crate) fn limit<'a>(fields: &[Option<&'a Field<String>>]) -> Limit<'a> {
    let mut unlimited = None;
    for field in fields.iter().flatten() {
        let value = field.value.trim();
        if matches!(value, "0" | "-1" | "0.0" | "0g" | "0m" | "0b") {
            unlimited.get_or_insert(*field);
        } else {
            return Limit::Set;
        }
    }
    unlimited.map_or(Limit::Missing, Limit::Unlimited)
}

/// Report a missing or unlimited resource limit of `service`: on the value when it says
/// "unlimited", on the service name when no key sets it.
pub(crate) fn report_limit(
    out: &mut Emitter<'_>,
    service: &Service,
    state: Limit<'_>,
    resource: &str,
    help: &str,
) {
    match state {
        Limit::Set => {}
        Limit::Missing => {
            out.report(
                service.name.span,
                format!("service `{}` has no {resource} limit", service.name.value),
            )
            .with_help(help);
        }
        Limit::Unlimited(field) => {
            out.report(
                field.span,
                format!(
                    "service `{}` sets its {resource} limit to `{}`, which means unlimited",
                    service.name.value, field.value
                ),
            )
            .with_help(help);
        }
    }
}

/// The alias or `<<` merge key through which the value at `span` came into `service`, if it
/// came through one: from the merged nodes its model lists, so a lookup per finding costs the
/// number of merged nodes, not a walk of the service.
pub(crate) fn service_merge_origin(service: &Service, span: Span) -> Option<Span> {
    service
        .merged
        .iter()
        .find(|(node, _)| node.start <= span.start && span.end <= node.end)
        .map(|(_, origin)| *origin)
}

/// Report a finding at `span`, a value inside `service`; when the value was merged in from an
/// anchor, label the alias or `<<` where the service pulls it in (see the module docs).
pub(crate) fn report_in_service<'e>(
    out: &'e mut Emitter<'_>,
    service: &Service,
    span: Span,
    message: impl Into<String>,
) -> &'e mut Finding {
    let origin = service_merge_origin(service, span);
    let finding = out.report(span, message);
    if let Some(origin) = origin
        && !origin.contains(span.start)
    {
        finding.with_label(
            origin,
            format!("merged into service `{}` here", service.name.value),
        );
    }
    finding
}

/// A `security_opt` entry split into its option and value: `seccomp:unconfined` and
/// `seccomp=unconfined` give `("seccomp", Some("unconfined"))`, `no-new-privileges` gives
/// `("no-new-privileges", None)`. The value keeps any further `:` (`label:type:svirt_t`).
/// Whether a merged compose scalar is YAML's `true` (Compose reads YAML 1.2: `true`, `True`,
/// `TRUE`).
pub(crate) fn is_true(value: &str) -> bool {
    matches!(value, "true" | "True" | "TRUE")
}

pub(crate) fn security_opt(entry: &str) -> (&str, Option<&str>) {
    let entry = entry.trim();
    match entry.find([':', '=']) {
        Some(at) => (&entry[..at], entry.get(at + 1..)),
        None => (entry, None),
    }
}

/// The host path a bind mount of `service` reads from, normalized, with `${VAR:-default}`
/// defaults applied; `None` for named volumes, relative paths and unresolved variables.
pub(crate) fn bind_source(mount: &VolumeMount) -> Option<String> {
    let source = mount.source.as_ref()?;
    if mount.kind.as_deref().is_some_and(|kind| kind != "bind") {
        return None;
    }
    normalized_host_path(&with_compose_defaults(&source.value)?)
}

/// A port or port range (`8080`, `8000-8010`) with `${VAR:-default}` defaults applied;
/// `None` when it is not a number or range or has an unresolved variable.
pub(crate) fn port_range(text: &str) -> Option<(u32, u32)> {
    let resolved = with_compose_defaults(text.trim())?;
    let (low, high) = match resolved.split_once('-') {
        Some((low, high)) => (low.trim().parse().ok()?, high.trim().parse().ok()?),
        None => {
            let port = resolved.parse().ok()?;
            (port, port)
        }
    };
    (low <= high && high <= 65535).then_some((low, high))
}

/// Where on the host a published port listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HostIp {
    /// No address, `0.0.0.0` or `::`: every interface.
    All,
    Specific(String),
    /// A variable without a default.
    Unknown,
}

/// The host address of a port mapping.
pub(crate) fn host_ip(mapping: &PortMapping) -> HostIp {
    let Some(ip) = &mapping.host_ip else {
        return HostIp::All;
    };
    let Some(resolved) = with_compose_defaults(ip.value.trim()) else {
        return HostIp::Unknown;
    };
    let bare = resolved.trim_start_matches('[').trim_end_matches(']');
    match bare {
        "" | "0.0.0.0" | "::" => HostIp::All,
        other => HostIp::Specific(other.to_string()),
    }
}

/// The protocol of a port mapping, lower case (`tcp` when not given).
pub(crate) fn port_protocol(mapping: &PortMapping) -> String {
    mapping.protocol.as_ref().map_or_else(
        || "tcp".to_string(),
        |p| p.value.trim().to_ascii_lowercase(),
    )
}

/// Whether the service's `ports:` are ignored because it uses the host's network.
pub(crate) fn uses_host_network(service: &Service) -> bool {
    [&service.network_mode, &service.net]
        .into_iter()
        .flatten()
        .any(|field| field.value.trim() == "host")
}

/// Whether an application's own variable switches TLS certificate checks off:
/// `*_INSECURE_SKIP_VERIFY`, `*_SKIP_TLS_VERIFY`, `VAULT_SKIP_VERIFY`, `*_SSL_NO_VERIFY` set to
/// a true value (`1`, `true`, `yes`, `on`), or `*_SSL_VERIFY`, `*_VERIFY_SSL`, `*_TLS_VERIFY`
/// set to a false one. The tools with a variable of their own (`NODE_TLS_REJECT_UNAUTHORIZED`,
/// `GIT_SSL_NO_VERIFY`, …) are judged by the rules' own tables. `DOCKER_TLS_VERIFY` is left out:
/// the Docker CLI turns checks on for any non-empty value, `0` included. `value` is the literal
/// value (one holding a variable is not judged by the caller).
pub(crate) fn app_variable_skips_tls(name: &str, value: &str) -> bool {
    let name = name.trim().to_ascii_uppercase();
    let value = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let truthy = matches!(value.as_str(), "1" | "true" | "yes" | "on");
    let falsy = matches!(value.as_str(), "0" | "false" | "no" | "off");
    let bare = name.trim_start_matches('_');
    let skips = [
        "INSECURE_SKIP_VERIFY",
        "INSECURESKIPVERIFY",
        "SKIP_TLS_VERIFY",
        "TLS_SKIP_VERIFY",
        "SKIP_SSL_VERIFY",
        "SSL_SKIP_VERIFY",
        "SSL_NO_VERIFY",
        "TLS_NO_VERIFY",
        "SKIP_VERIFY",
    ];
    let verifies = ["SSL_VERIFY", "VERIFY_SSL", "TLS_VERIFY", "VERIFY_TLS"];
    let ends = |suffixes: &[&str]| {
        suffixes
            .iter()
            .any(|s| bare == *s || name.ends_with(&format!("_{s}")))
    };
    // `GIT_SSL_NO_VERIFY` acts on any value and is in the tools' tables.
    if name == "GIT_SSL_NO_VERIFY" || name == "DOCKER_TLS_VERIFY" {
        return false;
    }
    (truthy && ends(&skips)) || (falsy && ends(&verifies))
}

/// The service's `profiles:` names, empty when it has none (it then always runs).
pub(crate) fn profiles(service: &Service) -> Vec<&str> {
    service
        .node
        .get("profiles")
        .and_then(Node::as_sequence)
        .map(|items| items.iter().filter_map(Node::as_str).collect())
        .unwrap_or_default()
}

/// Whether two services can be up together: services whose `profiles:` do not overlap are
/// alternatives (`--profile dev` or `--profile prod`).
pub(crate) fn can_run_together(a: &Service, b: &Service) -> bool {
    let (pa, pb) = (profiles(a), profiles(b));
    pa.is_empty() || pb.is_empty() || pa.iter().any(|p| pb.contains(p))
}

/// A capability as the engine reads it: upper case, without the `CAP_` prefix
/// (`cap_sys_admin` → `SYS_ADMIN`).
pub(crate) fn capability_name(written: &str) -> String {
    let upper = written.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// A host path with `.`/`..` segments, repeated and trailing slashes removed (`/var//run/` →
/// `/var/run`); `None` for relative paths, named volumes and paths with variables.
pub(crate) fn normalized_host_path(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The node that switches the service's healthcheck off, if one does.
pub(crate) fn disabling_node(service: &Service) -> Option<&Node> {
    let healthcheck = service.node.get("healthcheck")?;
    if let Some(disable) = healthcheck.get("disable")
        && let Some(scalar) = disable.as_scalar()
        && (scalar.as_bool() == Some(true)
            || scalar.yaml11_bool() == Some(true)
            || scalar.value == "true")
    {
        return Some(disable);
    }
    let test = healthcheck.get("test")?;
    let first = match test.as_sequence() {
        Some(items) => items.first()?.as_str()?,
        None => test.as_str()?,
    };
    (first.trim() == "NONE").then_some(test)
}

/// What a setting of a well-known server image switches off when it turns its authentication
/// off (`NEO4J_AUTH=none`, `xpack.security.enabled=false`, `POSTGRES_HOST_AUTH_METHOD=trust`,
/// `MYSQL_ALLOW_EMPTY_PASSWORD=yes`, Bitnami's `ALLOW_EMPTY_PASSWORD=yes`), for the message;
/// `None` for anything else. `value` is the literal value (one holding a variable is not
/// judged by the caller).
pub(crate) fn auth_switched_off(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let truthy = matches!(value.as_str(), "1" | "true" | "yes" | "on");
    match name.trim() {
        "NEO4J_AUTH" if value == "none" => Some("Neo4j's authentication"),
        "xpack.security.enabled" | "XPACK_SECURITY_ENABLED" if value == "false" => {
            Some("Elasticsearch's security (authentication and TLS)")
        }
        "plugins.security.disabled" if value == "true" => Some("OpenSearch's security plugin"),
        "DISABLE_SECURITY_PLUGIN" if value == "true" => Some("OpenSearch's security plugin"),
        "POSTGRES_HOST_AUTH_METHOD" if value == "trust" => {
            Some("PostgreSQL's password checks (every connection is trusted)")
        }
        // The official images treat any non-empty value as yes, `no` included.
        "MYSQL_ALLOW_EMPTY_PASSWORD"
        | "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"
        | "MARIADB_ALLOW_EMPTY_PASSWORD"
            if !value.is_empty() =>
        {
            Some("the requirement for a root password (root may log in with none)")
        }
        "ALLOW_EMPTY_PASSWORD" if truthy => {
            Some("the requirement for a password (the server may run with none)")
        }
        "ALLOW_ANONYMOUS_LOGIN" if truthy => Some("ZooKeeper's authentication"),
        "ALLOW_NONE_AUTHENTICATION" if truthy => Some("etcd's authentication"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_defaults() {
        assert_eq!(with_compose_defaults("nginx").as_deref(), Some("nginx"));
        assert_eq!(
            with_compose_defaults("nginx:${TAG:-1.27}").as_deref(),
            Some("nginx:1.27")
        );
        assert_eq!(
            with_compose_defaults("${REG-ghcr.io}/a:${T:-latest}").as_deref(),
            Some("ghcr.io/a:latest")
        );
        assert_eq!(with_compose_defaults("a$$b").as_deref(), Some("a$b"));
        for text in [
            "nginx:${TAG}",
            "$IMAGE",
            "nginx:${TAG:?set it}",
            "${A:-${B}}",
            "${",
        ] {
            assert_eq!(with_compose_defaults(text), None, "{text}");
        }
    }

    #[test]
    fn security_opts() {
        assert_eq!(
            security_opt("seccomp:unconfined"),
            ("seccomp", Some("unconfined"))
        );
        assert_eq!(security_opt("label=disable"), ("label", Some("disable")));
        assert_eq!(
            security_opt("no-new-privileges"),
            ("no-new-privileges", None)
        );
        assert_eq!(
            security_opt("label:type:svirt_t"),
            ("label", Some("type:svirt_t"))
        );
    }

    #[test]
    fn port_ranges() {
        assert_eq!(port_range("8080"), Some((8080, 8080)));
        assert_eq!(port_range("8000-8010"), Some((8000, 8010)));
        assert_eq!(port_range("${PORT:-80}"), Some((80, 80)));
        assert_eq!(port_range("${PORT}"), None);
        assert_eq!(port_range("70000"), None);
        assert_eq!(port_range("9-3"), None);
    }

    #[test]
    fn host_paths() {
        assert_eq!(
            normalized_host_path("/var//run/./docker.sock/").as_deref(),
            Some("/var/run/docker.sock")
        );
        assert_eq!(normalized_host_path("/").as_deref(), Some("/"));
        assert_eq!(normalized_host_path("/etc/../").as_deref(), Some("/"));
        assert_eq!(normalized_host_path("./data"), None);
        assert_eq!(normalized_host_path("${HOME}/x"), None);
    }

    #[test]
    fn merge_origins() {
        let text = "x: &a\n  user: root\nservices:\n  s:\n    <<: *a\n    image: i\n";
        let compose = crate::syntax::compose::parse(text);
        let service = &compose.services[0];
        let user = service.user.as_ref().expect("merged user");
        let origin = service_merge_origin(service, user.span).expect("came through <<");
        assert_eq!(origin.text(text), "<<");
        let image = service.image.as_ref().expect("image");
        assert_eq!(service_merge_origin(service, image.span), None);
    }

    #[test]
    fn root_users() {
        for user in ["root", "0", "root:root", "0:0", "000", "root:1000"] {
            assert_eq!(is_root_user(user), Some(true), "{user}");
        }
        for user in ["app", "1000", "1000:0", "nobody", "rooter", "10001:10001"] {
            assert_eq!(is_root_user(user), Some(false), "{user}");
        }
        assert_eq!(is_root_user("$APP_USER"), None);
        assert_eq!(is_root_user("${UID}:0"), None);
    }
}
