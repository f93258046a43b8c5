//! How long `plimsoll lsp` takes to re-lint a 2,000-line Dockerfile after an edit, measured the
//! way an editor sees it: the real binary over stdio, a full-text `didChange`, then the new
//! diagnostics. Run with `cargo bench --bench lsp_relint [-- ITERATIONS]` (release build).
//!
//! Three figures:
//! * pull: `didChange` immediately followed by `textDocument/diagnostic`, timed until the
//!   response arrives. Pulled diagnostics are checked at once (no debounce), so this is the
//!   re-lint latency: decoding the edit, the check, building and sending the diagnostics.
//! * pull on a two-line document: the protocol side alone (decoding, framing check, replies).
//! * push: `didChange` until the matching `publishDiagnostics`, as Neovim 0.7 sees it. This
//!   includes the server's 50 ms typing debounce (shown separately).
//!
//! Each edit flips the first stage's tag between `latest` and a pinned one, so every answer can
//! be checked to belong to the edit it is timed for (one `latest-tag` finding more or less).

#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../tests/common/lsp_frames.rs"]
mod lsp_frames;

const TIMEOUT: Duration = Duration::from_secs(30);
const DEBOUNCE_MS: f64 = 50.0;

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start plimsoll lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let incoming = lsp_frames::read_messages(stdout);
        Self {
            child,
            stdin,
            incoming,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        lsp_frames::write_frame(&mut self.stdin, &message.to_string());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request without waiting; its id.
    fn start_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The first message `wanted` accepts (server requests are answered with `null`).
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .expect("timed out waiting for the server");
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                continue;
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.start_request(method, params);
        self.wait(|m| m["id"] == id)["result"].clone()
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}]
            }),
        );
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

/// A realistic multi-stage Dockerfile of exactly `lines` lines: package installs with
/// continuation lines, ENV/ARG/LABEL, COPY/WORKDIR, comments and heredoc-free shell.
fn dockerfile(lines: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut stage = 0;
    let push = |out: &mut String, line: &str, n: &mut usize| {
        if *n < lines {
            out.push_str(line);
            out.push('\n');
            *n += 1;
        }
    };
    push(&mut out, "# syntax=docker/dockerfile:1", &mut n);
    while n < lines {
        let tag = if stage == 0 { "latest" } else { "22.04" };
        let block = [
            format!("# stage {stage}: build step {stage} of the application"),
            format!("FROM ubuntu:{tag} AS stage{stage}"),
            format!("ARG VERSION_{stage}=1.{stage}.0"),
            format!("ENV APP_HOME=/opt/app{stage} PATH=/opt/app{stage}/bin:$PATH"),
            format!(
                "LABEL org.opencontainers.image.title=\"stage {stage}\" maintainer=\"team@example.com\""
            ),
            "RUN apt-get update \\".to_string(),
            "    && apt-get install -y --no-install-recommends \\".to_string(),
            "       ca-certificates \\".to_string(),
            "       curl \\".to_string(),
            "       git \\".to_string(),
            "       build-essential \\".to_string(),
            "    && rm -rf /var/lib/apt/lists/*".to_string(),
            format!("WORKDIR /opt/app{stage}"),
            format!("COPY --chown=1000:1000 src/module{stage}/ ./src/"),
            format!("COPY requirements{stage}.txt ./"),
            "RUN set -eux; \\".to_string(),
            "    python3 -m venv /opt/venv; \\".to_string(),
            format!("    /opt/venv/bin/pip install --no-cache-dir -r requirements{stage}.txt; \\"),
            format!("    curl -fsSL https://example.com/tool-{stage}.tar.gz -o /tmp/tool.tgz; \\"),
            "    tar -xzf /tmp/tool.tgz -C /usr/local/bin; \\".to_string(),
            "    rm -f /tmp/tool.tgz".to_string(),
            format!("RUN useradd --uid 10{stage:03} --create-home app{stage}"),
            format!("USER app{stage}"),
            "EXPOSE 8080".to_string(),
            "HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/health || exit 1"
                .to_string(),
            format!("CMD [\"/opt/venv/bin/python\", \"-m\", \"app{stage}\"]"),
            String::new(),
        ];
        for line in &block {
            push(&mut out, line, &mut n);
        }
        stage += 1;
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let last = sorted.len().saturating_sub(1);
    let index = ((last as f64) * p).round() as usize;
    sorted.get(index.min(last)).copied().unwrap_or(f64::NAN)
}

fn summary(name: &str, mut samples: Vec<f64>) -> String {
    samples.sort_by(f64::total_cmp);
    let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        "{name:<44} n={:<4} median {:>7.2} ms  p90 {:>7.2} ms  min {:>7.2} ms  max {:>7.2} ms  mean {:>7.2} ms",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.9),
        samples.first().copied().unwrap_or(f64::NAN),
        samples.last().copied().unwrap_or(f64::NAN),
        mean,
    );
    out
}

fn main() {
    // `cargo bench` passes `--bench`; a plain number is the iteration count.
    let iterations: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    let root = dir.path().canonicalize().expect("canonical temp dir");
    let path = root.join("Dockerfile");
    let uri = format!("file://{}", path.display());
    let text = dockerfile(2000);
    assert_eq!(text.lines().count(), 2000);
    let pinned = text.replacen("ubuntu:latest", "ubuntu:22.04", 1);
    println!(
        "plimsoll lsp re-lint of a {}-line, {}-byte Dockerfile ({} stages), {iterations} edits each",
        text.lines().count(),
        text.len(),
        text.matches("\nFROM ").count()
    );

    // Pull: the check itself, no debounce.
    let mut client = Client::start(&root);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", root.display()),
               "capabilities": {"textDocument": {"diagnostic": {}}}}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let count = |result: &Value| result["items"].as_array().map_or(0, Vec::len);
    let diagnostic = json!({"textDocument": {"uri": uri}});
    let with_latest = count(&client.request("textDocument/diagnostic", diagnostic.clone()));
    let mut pull = Vec::with_capacity(iterations);
    let mut version = 1;
    // A few untimed rounds warm up caches and the allocator.
    for round in 0..iterations + 5 {
        version += 1;
        let latest = version % 2 == 1;
        let body = if latest { &text } else { &pinned };
        let started = Instant::now();
        client.change(&uri, version, body);
        let result = client.request("textDocument/diagnostic", diagnostic.clone());
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let expected = if latest { with_latest } else { with_latest - 1 };
        assert_eq!(
            count(&result),
            expected,
            "the diagnostics answered do not belong to version {version}"
        );
        if round >= 5 {
            pull.push(elapsed);
        }
    }
    // The same with a two-line document: what the protocol side costs on its own.
    let small_path = root.join("small.Dockerfile");
    let small_uri = format!("file://{}", small_path.display());
    let small = [
        "FROM ubuntu:latest\nUSER nobody\n",
        "FROM ubuntu:22.04\nUSER nobody\n",
    ];
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": small_uri, "languageId": "dockerfile", "version": 1, "text": small[1]}}),
    );
    let small_diagnostic = json!({"textDocument": {"uri": small_uri}});
    let mut small_pull = Vec::with_capacity(iterations);
    for round in 0..iterations + 5 {
        let body = small[round % 2];
        let started = Instant::now();
        client.change(&small_uri, round as i32 + 2, body);
        let result = client.request("textDocument/diagnostic", small_diagnostic.clone());
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(count(&result), usize::from(round % 2 == 0));
        if round >= 5 {
            small_pull.push(elapsed);
        }
    }
    client.stop();
    println!("findings per version: {with_latest} / {}", with_latest - 1);
    println!(
        "{}",
        summary("pull: didChange + textDocument/diagnostic", pull)
    );
    println!(
        "{}",
        summary("pull, two-line document (protocol only)", small_pull)
    );

    // Push: what a client without pull diagnostics sees (debounce included).
    let mut client = Client::start(&root);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    client.wait(|m| m["method"] == "textDocument/publishDiagnostics");
    let pushes = iterations.min(100);
    let mut push = Vec::with_capacity(pushes);
    for round in 0..pushes + 3 {
        version += 1;
        let latest = version % 2 == 1;
        let body = if latest { &text } else { &pinned };
        let started = Instant::now();
        client.change(&uri, version, body);
        let published = client.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let expected = if latest { with_latest } else { with_latest - 1 };
        assert_eq!(
            published["params"]["diagnostics"]
                .as_array()
                .map_or(0, Vec::len),
            expected
        );
        if round >= 3 {
            push.push(elapsed);
        }
    }
    client.stop();
    println!(
        "{}",
        summary("push: didChange to publishDiagnostics", push.clone())
    );
    println!(
        "{}",
        summary(
            "push minus the 50 ms debounce",
            push.iter().map(|ms| ms - DEBOUNCE_MS).collect()
        )
    );
}
