//! In-process cost of the engine (issue 7): parse, and parse plus check, of a generated
//! 2,000-line Dockerfile and a generated ~1 MB compose file, with the default rules and with
//! all of them. Whole-process figures (startup, file discovery, output) are in scripts/bench.sh.
//!
//! Run with `cargo bench --bench check`; docs/performance.md quotes the latest numbers.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::linter::engine::{self, Settings};
use plimsoll::syntax::dockerfile::shell;
use plimsoll::syntax::{compose, dockerfile};
use plimsoll::{FileKind, SourceFile};

/// A Dockerfile of about `lines` lines shaped like real ones: several stages, package installs
/// with continuations, pipes and `&&` chains, COPY/ENV/ARG/LABEL, a heredoc, and comments.
fn generated_dockerfile(lines: usize) -> String {
    let mut text = String::new();
    let mut count = 0;
    let mut stage = 0;
    while count < lines {
        text.push_str(&format!(
            "# stage {stage}\nFROM debian:12.{stage}-slim AS stage{stage}\n\
             ARG VERSION_{stage}=1.{stage}.0\n\
             ENV APP_HOME=/opt/app{stage} PATH=/opt/app{stage}/bin:$PATH\n\
             LABEL org.opencontainers.image.version=\"1.{stage}\" maintainer=\"ops@example.com\"\n\
             RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n        \
             curl=7.88.1-10 ca-certificates git \\\n    && rm -rf /var/lib/apt/lists/*\n\
             WORKDIR /opt/app{stage}\n\
             COPY --chown=app:app src/ ./src/\n\
             RUN curl -fsSL https://example.com/install-$VERSION_{stage}.sh | sh -s -- --prefix \"$APP_HOME\"\n\
             RUN set -eux; for f in a b c; do echo \"$f\" > /tmp/$f.txt; done; \\\n    \
             if [ -f /etc/os-release ]; then . /etc/os-release; fi\n\
             RUN <<EOF\nset -e\nuseradd -r -u 100{stage} app\nchown -R app /opt\nEOF\n\
             RUN pip install --no-cache-dir requests==2.31.0 flask && python3 -c 'print(1)'\n\
             USER app\n\
             EXPOSE 80{stage:02}\n\
             HEALTHCHECK --interval=30s CMD curl -f http://localhost:80{stage:02}/ || exit 1\n\
             CMD [\"/opt/app/bin/server\", \"--port\", \"80{stage:02}\"]\n\n"
        ));
        count = text.bytes().filter(|&b| b == b'\n').count();
        stage += 1;
    }
    text
}

/// A compose file of about `bytes` bytes: many services with the usual fields.
fn generated_compose(bytes: usize) -> String {
    let mut text = String::from("name: bench\nservices:\n");
    let mut service = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  svc{service}:\n    image: registry.example.com/team/app{service}:1.{service}.0\n\
             \x20   build:\n      context: ./app{service}\n      dockerfile: Dockerfile\n      \
             args:\n        VERSION: \"1.{service}\"\n\
             \x20   restart: unless-stopped\n\
             \x20   ports:\n      - \"127.0.0.1:{port}:80\"\n      - \"{port2}:443\"\n\
             \x20   environment:\n      LOG_LEVEL: info\n      DB_HOST: db{service}\n      \
             DB_PASSWORD: ${{DB_PASSWORD}}\n\
             \x20   volumes:\n      - ./data{service}:/var/lib/data:ro\n      - cache{service}:/cache\n\
             \x20   depends_on:\n      - db{service}\n\
             \x20   healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]\n      \
             interval: 30s\n      timeout: 5s\n      retries: 3\n\
             \x20   deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n          \
             memory: 256M\n\
             \x20   labels:\n      com.example.team: \"platform\"\n\
             \x20   user: \"1000:1000\"\n    read_only: true\n    security_opt:\n      \
             - no-new-privileges:true\n",
            port = 10000 + service % 50000,
            port2 = 20000 + service % 40000,
        ));
        service += 1;
    }
    text.push_str("volumes:\n");
    for index in 0..service {
        text.push_str(&format!("  cache{index}: {{}}\n"));
    }
    text
}

fn bench_dockerfile(c: &mut Criterion) {
    let text = generated_dockerfile(2_000);
    let source = SourceFile::new("Dockerfile", text.clone(), FileKind::Dockerfile);
    let defaults = Settings::default();
    let all = Settings::from_selectors(&["all".to_owned()], &[], &[]);
    let mut group = c.benchmark_group("dockerfile_2000_lines");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |b| b.iter(|| dockerfile::parse(black_box(&text))));
    // Re-checks of the same text find every RUN's syntax verdict remembered (what an editor
    // sees after an edit); the `_first` variants forget them first (what one CLI run sees).
    group.bench_function("check_default_rules", |b| {
        b.iter(|| engine::check(black_box(&source), &defaults))
    });
    group.bench_function("check_default_rules_first", |b| {
        b.iter_batched(
            shell::forget_syntax_verdicts,
            |()| engine::check(black_box(&source), &defaults),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("check_all_rules", |b| {
        b.iter(|| engine::check(black_box(&source), &all))
    });
    group.bench_function("check_all_rules_first", |b| {
        b.iter_batched(
            shell::forget_syntax_verdicts,
            |()| engine::check(black_box(&source), &all),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn bench_compose(c: &mut Criterion) {
    let text = generated_compose(1 << 20);
    let source = SourceFile::new("compose.yaml", text.clone(), FileKind::Compose);
    let defaults = Settings::default();
    let all = Settings::from_selectors(&["all".to_owned()], &[], &[]);
    let mut group = c.benchmark_group("compose_1mb");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("parse", |b| b.iter(|| compose::parse(black_box(&text))));
    group.bench_function("check_default_rules", |b| {
        b.iter(|| engine::check(black_box(&source), &defaults))
    });
    group.bench_function("check_all_rules", |b| {
        b.iter(|| engine::check(black_box(&source), &all))
    });
    group.finish();
}

criterion_group!(benches, bench_dockerfile, bench_compose);
criterion_main!(benches);
