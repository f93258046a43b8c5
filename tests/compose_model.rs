//! The typed compose model: fields with spans, short and long syntaxes, shape errors, and a
//! no-panic run over the shared corpus of real compose files.

mod common;

use plimsoll::syntax::compose::{self, ComposeFile, Service};
use plimsoll::syntax::span::Spanned;

fn parse_ok(text: &str) -> ComposeFile {
    let file = compose::parse(text);
    assert!(
        file.errors.is_empty(),
        "unexpected compose errors: {:?}",
        file.errors
    );
    assert!(
        file.yaml.errors.is_empty(),
        "unexpected YAML errors: {:?}",
        file.yaml.errors
    );
    file
}

fn service<'f>(file: &'f ComposeFile, name: &str) -> &'f Service {
    file.services
        .iter()
        .find(|s| s.name.value == name)
        .expect("service")
}

fn texts<'t>(text: &'t str, items: &[Spanned<String>]) -> Vec<&'t str> {
    items.iter().map(|item| item.span.text(text)).collect()
}

#[test]
fn scalar_fields_and_their_spans() {
    let text = "\
version: '3.8'
services:
  web:
    image: nginx:1.25
    container_name: web
    user: 1000:1000
    network_mode: host
    pid: host
    ipc: shareable
    uts: host
    userns_mode: host
    cgroup_parent: m
    restart: always
  db:
    image: postgres
    user: 1000
";
    let file = parse_ok(text);
    assert_eq!(file.version.as_ref().unwrap().value, "3.8");
    assert_eq!(file.version.as_ref().unwrap().span.text(text), "'3.8'");
    assert_eq!(file.services.len(), 2);
    let web = service(&file, "web");
    assert_eq!(web.name.span.text(text), "web");
    assert_eq!(web.name.span.start, text.find("web:").unwrap());
    let image = web.image.as_ref().unwrap();
    assert_eq!(image.value, "nginx:1.25");
    assert_eq!(image.span.text(text), "nginx:1.25");
    assert_eq!(image.key_span.text(text), "image");
    assert_eq!(web.user.as_ref().unwrap().value, "1000:1000");
    assert_eq!(web.network_mode.as_ref().unwrap().value, "host");
    assert_eq!(web.pid.as_ref().unwrap().value, "host");
    assert_eq!(web.ipc.as_ref().unwrap().value, "shareable");
    assert_eq!(web.uts.as_ref().unwrap().value, "host");
    assert_eq!(web.userns_mode.as_ref().unwrap().value, "host");
    assert_eq!(web.cgroup_parent.as_ref().unwrap().value, "m");
    assert_eq!(web.restart.as_ref().unwrap().value, "always");
    assert_eq!(web.container_name.as_ref().unwrap().value, "web");
    let db = service(&file, "db");
    assert_eq!(db.user.as_ref().unwrap().value, "1000");
    assert_eq!(db.user.as_ref().unwrap().span.text(text), "1000");
    assert!(db.node.get("image").is_some());
}

#[test]
fn booleans_as_compose_reads_them() {
    let text = "\
services:
  a: {privileged: true, read_only: 'false'}
  b: {privileged: yes, read_only: off}
  c: {privileged: \"true\", read_only: On}
  d: {privileged: maybe}
  e: {privileged: \"${PRIVILEGED}\"}
  gone: !reset
";
    let file = compose::parse(text);
    let get = |name: &str| {
        let s = service(&file, name);
        (
            s.privileged.as_ref().map(|f| f.value),
            s.read_only.as_ref().map(|f| f.value),
        )
    };
    assert_eq!(get("a"), (Some(true), Some(false)));
    assert_eq!(get("b"), (Some(true), Some(false)));
    assert_eq!(get("c"), (Some(true), Some(true)));
    assert_eq!(get("d"), (None, None));
    // Unknown until interpolation: neither a value nor an error.
    assert_eq!(get("e"), (None, None));
    assert!(!file.services.iter().any(|s| s.name.value == "gone"));
    assert_eq!(file.errors.len(), 1);
    assert_eq!(file.errors[0].span.text(text), "maybe");
    let a = service(&file, "a");
    assert_eq!(a.read_only.as_ref().unwrap().span.text(text), "'false'");
}

#[test]
fn string_lists() {
    let text = "\
services:
  s:
    cap_add: [NET_ADMIN, SYS_ADMIN]
    cap_drop:
      - ALL
    security_opt:
      - seccomp:unconfined
    devices:
      - /dev/fuse:/dev/fuse
    tmpfs: /run
  t:
    tmpfs:
      - /tmp
      - /run:size=64m
";
    let file = parse_ok(text);
    let s = service(&file, "s");
    assert_eq!(texts(text, &s.cap_add), ["NET_ADMIN", "SYS_ADMIN"]);
    assert_eq!(texts(text, &s.cap_drop), ["ALL"]);
    assert_eq!(s.security_opt[0].value, "seccomp:unconfined");
    assert_eq!(s.devices[0].value, "/dev/fuse:/dev/fuse");
    assert_eq!(texts(text, &s.tmpfs), ["/run"]);
    let t = service(&file, "t");
    assert_eq!(texts(text, &t.tmpfs), ["/tmp", "/run:size=64m"]);
}

#[test]
fn build_as_string_or_mapping() {
    let text = "\
services:
  a:
    build: ./app
  b:
    build:
      context: .
      dockerfile: Dockerfile.dev
      args:
        - VERSION=1.0
        - TOKEN
  c:
    build:
      context: .
      args:
        VERSION: 2
        EMPTY:
";
    let file = parse_ok(text);
    let a = service(&file, "a").build.as_ref().unwrap();
    assert_eq!(a.value.context.as_ref().unwrap().span.text(text), "./app");
    let b = &service(&file, "b").build.as_ref().unwrap().value;
    assert_eq!(b.dockerfile.as_ref().unwrap().value, "Dockerfile.dev");
    assert_eq!(b.args.len(), 2);
    assert_eq!(b.args[0].name.span.text(text), "VERSION");
    assert_eq!(b.args[0].value.as_ref().unwrap().span.text(text), "1.0");
    assert!(b.args[1].value.is_none());
    let c = &service(&file, "c").build.as_ref().unwrap().value;
    assert_eq!(c.args[0].value.as_ref().unwrap().value, "2");
    assert!(c.args[1].value.is_none());
}

#[test]
fn short_volumes() {
    let text = "\
services:
  s:
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - ./data:/data
      - named:/srv:rw,rshared
      - /anonymous
      - 'C:\\data:/data:z'
      - \"~/x:/x\"
      - ../rel:/rel:ro,z
      - ${DATA_DIR:-./data}:/data:ro
";
    let file = parse_ok(text);
    let v = &service(&file, "s").volumes;
    assert_eq!(v.len(), 8);
    assert_eq!(
        v[7].source.as_ref().unwrap().span.text(text),
        "${DATA_DIR:-./data}"
    );
    assert_eq!(v[7].kind.as_deref(), Some("bind"));
    assert!(v[7].read_only);
    let sock = &v[0];
    assert_eq!(
        sock.source.as_ref().unwrap().span.text(text),
        "/var/run/docker.sock"
    );
    assert_eq!(sock.target.as_ref().unwrap().value, "/var/run/docker.sock");
    assert!(sock.read_only);
    assert_eq!(sock.kind.as_deref(), Some("bind"));
    assert!(!sock.long_syntax);
    assert_eq!(
        sock.span.text(text),
        "/var/run/docker.sock:/var/run/docker.sock:ro"
    );
    assert!(!v[1].read_only);
    assert_eq!(v[1].kind.as_deref(), Some("bind"));
    assert_eq!(v[2].kind.as_deref(), Some("volume"));
    assert_eq!(
        v[2].propagation.as_ref().unwrap().span.text(text),
        "rshared"
    );
    assert!(!v[2].read_only);
    assert!(v[3].source.is_none());
    assert_eq!(v[3].target.as_ref().unwrap().value, "/anonymous");
    let windows = &v[4];
    assert_eq!(windows.source.as_ref().unwrap().value, "C:\\data");
    assert_eq!(windows.source.as_ref().unwrap().span.text(text), "C:\\data");
    assert_eq!(windows.target.as_ref().unwrap().value, "/data");
    assert_eq!(windows.kind.as_deref(), Some("bind"));
    assert_eq!(v[5].source.as_ref().unwrap().span.text(text), "~/x");
    assert_eq!(v[6].source.as_ref().unwrap().value, "../rel");
    assert!(v[6].read_only);
}

#[test]
fn long_volumes() {
    let text = "\
services:
  s:
    volumes:
      - type: bind
        source: /
        target: /host
        read_only: true
        bind:
          propagation: rshared
      - type: volume
        source: data
        target: /data
";
    let file = parse_ok(text);
    let v = &service(&file, "s").volumes;
    assert!(v[0].long_syntax);
    assert_eq!(v[0].kind.as_deref(), Some("bind"));
    assert_eq!(v[0].source.as_ref().unwrap().span.text(text), "/");
    assert!(v[0].read_only);
    assert_eq!(v[0].propagation.as_ref().unwrap().value, "rshared");
    assert!(!v[1].read_only);
    assert_eq!(v[1].kind.as_deref(), Some("volume"));
}

#[test]
fn short_ports() {
    let text = "\
services:
  s:
    ports:
      - 80
      - \"8080:80\"
      - 127.0.0.1:5432:5432/tcp
      - \"[::1]:53:53/udp\"
      - 9000-9010:9000-9010
      - 127.0.0.1::80
      - '3000'
      - \"${WEB_PORT:-8080}:80\"
      - ${HOST_IP:-127.0.0.1}:${P:-1}:2/udp
";
    let file = parse_ok(text);
    let p = &service(&file, "s").ports;
    assert_eq!(p.len(), 9);
    assert_eq!(
        p[7].published.as_ref().unwrap().span.text(text),
        "${WEB_PORT:-8080}"
    );
    assert_eq!(p[7].target.as_ref().unwrap().value, "80");
    // Interpolated as Compose reads them (literal defaults), spans on the `${…}` as written.
    assert_eq!(p[7].published.as_ref().unwrap().value, "8080");
    let host_ip = p[8].host_ip.as_ref().unwrap();
    assert_eq!(host_ip.value, "127.0.0.1");
    assert_eq!(host_ip.span.text(text), "${HOST_IP:-127.0.0.1}");
    let published = p[8].published.as_ref().unwrap();
    assert_eq!(published.value, "1");
    assert_eq!(published.span.text(text), "${P:-1}");
    assert_eq!(p[8].protocol.as_ref().unwrap().value, "udp");
    assert_eq!(p[0].target.as_ref().unwrap().value, "80");
    assert!(p[0].published.is_none() && p[0].host_ip.is_none());
    assert_eq!(p[1].published.as_ref().unwrap().span.text(text), "8080");
    assert_eq!(p[1].target.as_ref().unwrap().span.text(text), "80");
    assert_eq!(p[2].host_ip.as_ref().unwrap().span.text(text), "127.0.0.1");
    assert_eq!(p[2].published.as_ref().unwrap().value, "5432");
    assert_eq!(p[2].protocol.as_ref().unwrap().span.text(text), "tcp");
    assert_eq!(p[3].host_ip.as_ref().unwrap().value, "::1");
    assert_eq!(p[3].host_ip.as_ref().unwrap().span.text(text), "::1");
    assert_eq!(p[3].published.as_ref().unwrap().value, "53");
    assert_eq!(p[3].target.as_ref().unwrap().value, "53");
    assert_eq!(p[3].protocol.as_ref().unwrap().value, "udp");
    assert_eq!(p[4].published.as_ref().unwrap().value, "9000-9010");
    assert_eq!(p[5].host_ip.as_ref().unwrap().value, "127.0.0.1");
    assert!(p[5].published.is_none());
    assert_eq!(p[5].target.as_ref().unwrap().value, "80");
    assert_eq!(p[6].target.as_ref().unwrap().span.text(text), "3000");
}

#[test]
fn long_ports() {
    let text = "\
services:
  s:
    ports:
      - target: 80
        published: 8080
        host_ip: 0.0.0.0
        protocol: tcp
";
    let file = parse_ok(text);
    let p = &service(&file, "s").ports[0];
    assert!(p.long_syntax);
    assert_eq!(p.target.as_ref().unwrap().value, "80");
    assert_eq!(p.published.as_ref().unwrap().span.text(text), "8080");
    assert_eq!(p.host_ip.as_ref().unwrap().value, "0.0.0.0");
    assert_eq!(p.protocol.as_ref().unwrap().value, "tcp");
}

#[test]
fn environment_list_and_map() {
    let text = "\
services:
  a:
    environment:
      - PASSWORD=s3cr=t
      - \"QUOTED=yes\"
      - FROM_HOST
  b:
    environment:
      PASSWORD: hunter2
      EMPTY:
      NUMBER: 5
";
    let file = parse_ok(text);
    let a = &service(&file, "a").environment;
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].name.span.text(text), "PASSWORD");
    assert_eq!(a[0].value.as_ref().unwrap().value, "s3cr=t");
    assert_eq!(a[0].value.as_ref().unwrap().span.text(text), "s3cr=t");
    assert_eq!(a[0].span.text(text), "PASSWORD=s3cr=t");
    assert_eq!(a[1].name.span.text(text), "QUOTED");
    assert_eq!(a[1].value.as_ref().unwrap().span.text(text), "yes");
    assert!(a[2].value.is_none());
    let b = &service(&file, "b").environment;
    assert_eq!(b[0].name.span.text(text), "PASSWORD");
    assert_eq!(b[0].value.as_ref().unwrap().span.text(text), "hunter2");
    assert_eq!(b[0].span.text(text), "PASSWORD: hunter2");
    assert!(b[1].value.is_none());
    assert_eq!(b[2].value.as_ref().unwrap().value, "5");
}

#[test]
fn env_file_secrets_sysctls() {
    let text = "\
services:
  a:
    env_file: .env
    secrets: [db_password]
    sysctls:
      - net.core.somaxconn=1024
  b:
    env_file:
      - a.env
      - path: b.env
        required: false
    secrets:
      - source: api_key
        target: key
    sysctls:
      net.ipv4.ip_forward: 1
secrets:
  db_password:
    file: ./pw.txt
  api_key:
    external: true
volumes:
  data:
networks:
  front: {}
configs:
  cfg:
    file: ./c
";
    let file = parse_ok(text);
    let a = service(&file, "a");
    assert_eq!(texts(text, &a.env_file), [".env"]);
    assert_eq!(texts(text, &a.secrets), ["db_password"]);
    assert_eq!(a.sysctls[0].name.value, "net.core.somaxconn");
    assert_eq!(a.sysctls[0].value.as_ref().unwrap().span.text(text), "1024");
    let b = service(&file, "b");
    assert_eq!(texts(text, &b.env_file), ["a.env", "b.env"]);
    assert_eq!(texts(text, &b.secrets), ["api_key"]);
    assert_eq!(b.sysctls[0].name.value, "net.ipv4.ip_forward");
    let names =
        |items: &[Spanned<String>]| items.iter().map(|i| i.value.clone()).collect::<Vec<_>>();
    assert_eq!(names(&file.secrets), ["db_password", "api_key"]);
    assert_eq!(
        file.secrets[0].span.text(text),
        "db_password:\n    file: ./pw.txt"
    );
    assert_eq!(names(&file.volumes), ["data"]);
    assert_eq!(names(&file.networks), ["front"]);
    assert_eq!(names(&file.configs), ["cfg"]);
}

#[test]
fn resources_healthcheck_ulimits() {
    let text = "\
services:
  s:
    deploy:
      resources:
        limits:
          cpus: '0.50'
          memory: 512M
          pids: 100
        reservations:
          memory: 128M
    mem_limit: 1g
    memswap_limit: 2g
    cpus: 1.5
    cpu_quota: 50000
    pids_limit: -1
    healthcheck:
      test: [CMD, true]
    ulimits:
      nofile: {soft: 1, hard: 2}
";
    let file = parse_ok(text);
    let s = service(&file, "s");
    assert_eq!(s.limits.cpus.as_ref().unwrap().value, "0.50");
    assert_eq!(s.limits.cpus.as_ref().unwrap().span.text(text), "'0.50'");
    assert_eq!(s.limits.memory.as_ref().unwrap().value, "512M");
    assert_eq!(s.limits.pids.as_ref().unwrap().value, "100");
    assert_eq!(s.reservations.memory.as_ref().unwrap().value, "128M");
    assert!(s.reservations.cpus.is_none());
    assert_eq!(s.mem_limit.as_ref().unwrap().value, "1g");
    assert_eq!(s.memswap_limit.as_ref().unwrap().value, "2g");
    assert_eq!(s.cpus.as_ref().unwrap().value, "1.5");
    assert_eq!(s.cpu_quota.as_ref().unwrap().value, "50000");
    assert_eq!(s.pids_limit.as_ref().unwrap().value, "-1");
    let health = s.healthcheck.as_ref().unwrap();
    assert_eq!(health.key_span.text(text), "healthcheck");
    assert_eq!(health.span.text(text), "test: [CMD, true]");
    assert_eq!(s.ulimits.as_ref().unwrap().key_span.text(text), "ulimits");
}

#[test]
fn shape_errors_point_at_the_offending_node() {
    let text = "\
services:
  bad: just-a-string
  also_bad: [1, 2]
  ok:
    image: [not, a, string]
    ports: 80:80
    volumes: {a: b}
    environment: FOO=bar
    cap_add: NET_ADMIN
    privileged: sometimes
    restart: always
";
    let file = compose::parse(text);
    assert_eq!(file.services.len(), 1);
    let ok = service(&file, "ok");
    assert!(ok.image.is_none() && ok.ports.is_empty() && ok.volumes.is_empty());
    assert_eq!(ok.restart.as_ref().unwrap().value, "always");
    let spans: Vec<_> = file.errors.iter().map(|e| e.span.text(text)).collect();
    assert_eq!(
        spans,
        [
            "just-a-string",
            "[1, 2]",
            "[not, a, string]",
            "80:80",
            "a: b}",
            "FOO=bar",
            "NET_ADMIN",
            "sometimes"
        ]
        .map(|s| if s == "a: b}" { "{a: b}" } else { s })
    );
    assert!(file.errors[0].message.contains("bad"));
    assert!(file.errors[3].message.contains("ports"));
}

#[test]
fn services_not_a_mapping_and_root_not_a_mapping() {
    let file = compose::parse("services: [a, b]\n");
    assert_eq!(file.errors.len(), 1);
    assert!(file.errors[0].message.contains("services"));
    let file = compose::parse("- a\n- b\n");
    assert_eq!(file.errors.len(), 1);
    let file = compose::parse("");
    assert!(file.errors.is_empty() && file.services.is_empty());
}

#[test]
fn anchors_and_merges_in_services() {
    let text = "\
x-common: &common
  restart: always
  cap_drop: [ALL]
  environment:
    LOG: info
services:
  a:
    <<: *common
    image: a
  b:
    <<: *common
    restart: 'no'
    image: b
";
    let file = parse_ok(text);
    let a = service(&file, "a");
    assert_eq!(a.restart.as_ref().unwrap().value, "always");
    assert_eq!(a.cap_drop[0].value, "ALL");
    assert_eq!(a.environment[0].name.value, "LOG");
    // Merged values point at their definition.
    assert_eq!(a.restart.as_ref().unwrap().span.text(text), "always");
    let b = service(&file, "b");
    assert_eq!(b.restart.as_ref().unwrap().value, "no");
    assert!(file.yaml.duplicate_keys.is_empty());
}

#[test]
fn only_the_first_document_is_read() {
    let file = parse_ok("services:\n  a:\n    image: x\n---\nservices:\n  b:\n    image: y\n");
    assert_eq!(file.services.len(), 1);
    assert_eq!(file.yaml.documents.len(), 2);
}

#[test]
fn hostile_input_does_not_panic() {
    for text in [
        "services:\n  a:\n    ports: [\"[::1\"]\n    volumes: [':', '::', 'C:', 'a:b:c:d:e']\n",
        "services:\n  a:\n    ports: ['/', ':/', '[]:', '[', ']:1', ':::']\n",
        "services:\n  a:\n    environment: ['=', '=x', 'é=ü']\n",
        "services: {a: {build: [x]}}\n",
        "services:\n  ? [a]\n  : {}\n",
        "\t",
        "services:\n  a: &a\n    <<: *a\n",
    ] {
        let _ = compose::parse(text);
    }
}

#[test]
fn corpus_parses_without_panicking() {
    let Some(dir) = common::shared("corpus/compose") else {
        return;
    };
    let files: Vec<_> = common::files_under(&dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    let mut with_errors = Vec::new();
    let mut span_problems = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file = compose::parse(&text);
        span_problems.extend(
            check_spans(&text, &file)
                .into_iter()
                .map(|p| format!("{}: {p}", path.display())),
        );
        if !file.yaml.errors.is_empty() || !file.errors.is_empty() {
            with_errors.push(format!(
                "{}: {:?} {:?}",
                path.display(),
                file.yaml
                    .errors
                    .iter()
                    .map(|e| &e.message)
                    .collect::<Vec<_>>(),
                file.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
            ));
        }
    }
    eprintln!(
        "corpus: {} files, {} with errors",
        files.len(),
        with_errors.len()
    );
    for line in &with_errors {
        eprintln!("  {line}");
    }
    assert!(!files.is_empty());
    assert!(
        span_problems.is_empty(),
        "{} span problems:\n{}",
        span_problems.len(),
        span_problems.join("\n")
    );
}

/// Every span of the tree slices the text on character boundaries, and what it slices looks
/// like the node: a plain one-line scalar is its own text, a quoted one starts with its quote,
/// a block scalar with `|`/`>`, a flow collection with its bracket, a block sequence with `-`.
fn check_spans(text: &str, file: &ComposeFile) -> Vec<String> {
    use plimsoll::syntax::yaml::{ScalarStyle, Value};
    let mut problems = Vec::new();
    let mut pending: Vec<_> = file.yaml.documents.iter().collect();
    while let Some(node) = pending.pop() {
        let span = node.span;
        if span.start > span.end
            || span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            problems.push(format!("bad span {span:?}"));
            continue;
        }
        let written = span.text(text);
        let ok = match &node.value {
            Value::Scalar(s) => match s.style {
                ScalarStyle::Plain if !s.value.is_empty() && !s.value.contains('\n') => {
                    written == s.value
                }
                ScalarStyle::Plain => true,
                ScalarStyle::SingleQuoted => written.starts_with('\'') && written.ends_with('\''),
                ScalarStyle::DoubleQuoted => written.starts_with('"') && written.ends_with('"'),
                ScalarStyle::Literal => written.starts_with('|'),
                ScalarStyle::Folded => written.starts_with('>'),
            },
            Value::Sequence(items) => {
                pending.extend(items);
                written.starts_with('-') || (written.starts_with('[') && written.ends_with(']'))
            }
            Value::Mapping(entries) => {
                for entry in entries.iter() {
                    pending.push(&entry.key);
                    pending.push(&entry.value);
                }
                (written.starts_with('{') && written.ends_with('}'))
                    || entries
                        .iter()
                        .all(|e| e.key.origin.is_some() || e.key.span.start >= span.start)
            }
        };
        if !ok {
            problems.push(
                format!("{:?} span {span:?} slices {written:?}", node.value)
                    .chars()
                    .take(300)
                    .collect(),
            );
        }
    }
    problems
}

#[test]
fn truncated_corpus_files_do_not_panic() {
    let Some(dir) = common::shared("corpus/compose") else {
        return;
    };
    let mut parsed = 0;
    for path in common::files_under(&dir) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // Cut at a handful of character boundaries spread over the file.
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for step in 1..6 {
            let Some(&cut) = boundaries.get(boundaries.len() * step / 6) else {
                continue;
            };
            let Some(prefix) = text.get(..cut) else {
                continue;
            };
            let file = compose::parse(prefix);
            for error in file
                .yaml
                .errors
                .iter()
                .map(|e| e.span)
                .chain(file.errors.iter().map(|e| e.span))
            {
                assert!(prefix.is_char_boundary(error.start) && prefix.is_char_boundary(error.end));
            }
            let problems = check_spans(prefix, &file);
            assert!(problems.is_empty(), "{}: {problems:?}", path.display());
            parsed += 1;
        }
    }
    assert!(parsed > 0);
}
