//! The server in-process over a pipe, with a fake linter that panics on request: a panic is
//! logged and the document keeps its last good diagnostics, quick successive changes publish
//! only the newest version, a malformed request gets a protocol error, a message that is not
//! JSON (or not JSON-RPC) gets an error without ending the session, and `exit` ends serving.
//! With a fake linter whose findings come in two rounds ([`Checked::late`]): the quick ones are
//! published first, the complete ones replace them, and a late round for a version that is no
//! longer current is never published (pushed or pulled).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use plimsoll_lsp::{Checked, Document, Finding, HoverInfo, Level, Linter};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Reports every `bad`; panics on `boom`.
struct Fake;

impl Linter for Fake {
    fn check(&self, document: &Document<'_>) -> Option<Checked> {
        assert!(!document.text.contains("boom"), "the fake rule exploded");
        Some(Checked {
            findings: document
                .text
                .match_indices("bad")
                .map(|(at, _)| Finding {
                    start: at,
                    end: at + 3,
                    code: "X001".into(),
                    message: "bad".into(),
                    level: Level::Error,
                    href: None,
                    tags: Vec::new(),
                    fix: None,
                    related: Vec::new(),
                    suppress_at: None,
                })
                .collect(),
            ..Checked::default()
        })
    }

    fn hover(&self, _: &Document<'_>, _: usize) -> Option<HoverInfo> {
        None
    }

    fn is_config_file(&self, _: &Path) -> bool {
        false
    }

    fn config_globs(&self) -> Vec<String> {
        Vec::new()
    }

    fn reload_config(&self) {}
}

/// Reports `bad` (X001) at once and `slow` (X002) only in its late round, which waits for the
/// test to let it finish.
struct Late {
    gate: Arc<Gate>,
}

#[derive(Default)]
struct Gate {
    /// How many late rounds may still finish.
    permits: Mutex<u32>,
    opened: Condvar,
    started: AtomicUsize,
    finished: AtomicUsize,
}

impl Gate {
    fn allow_one(&self) {
        *self.permits.lock().unwrap() += 1;
        self.opened.notify_all();
    }

    /// Wait (in the test) until `counter` reaches `n`.
    async fn until(counter: &AtomicUsize, n: usize) {
        tokio::time::timeout(TIMEOUT, async {
            while counter.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the late round did not get there");
    }
}

fn found(text: &str, word: &str, code: &str) -> Vec<Finding> {
    text.match_indices(word)
        .map(|(at, _)| Finding {
            start: at,
            end: at + word.len(),
            code: code.into(),
            message: word.into(),
            level: Level::Warning,
            href: None,
            tags: Vec::new(),
            fix: None,
            related: Vec::new(),
            suppress_at: None,
        })
        .collect()
}

impl Linter for Late {
    fn check(&self, document: &Document<'_>) -> Option<Checked> {
        Some(Checked {
            findings: found(document.text, "bad", "X001"),
            late: document.text.contains("slow"),
            ..Checked::default()
        })
    }

    fn check_late(&self, document: &Document<'_>) -> Option<Checked> {
        self.gate.started.fetch_add(1, Ordering::SeqCst);
        let mut permits = self.gate.permits.lock().unwrap();
        while *permits == 0 {
            permits = self.gate.opened.wait(permits).unwrap();
        }
        *permits -= 1;
        drop(permits);
        let mut findings = found(document.text, "bad", "X001");
        findings.extend(found(document.text, "slow", "X002"));
        findings.sort_by_key(|f| f.start);
        self.gate.finished.fetch_add(1, Ordering::SeqCst);
        Some(Checked {
            findings,
            // Ignored: there is no third round.
            late: true,
            ..Checked::default()
        })
    }

    fn hover(&self, _: &Document<'_>, _: usize) -> Option<HoverInfo> {
        None
    }

    fn is_config_file(&self, _: &Path) -> bool {
        false
    }

    fn config_globs(&self) -> Vec<String> {
        Vec::new()
    }

    fn reload_config(&self) {}
}

/// The codes of published or pulled diagnostics.
fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

struct Pipe {
    write: tokio::io::WriteHalf<DuplexStream>,
    read: BufReader<tokio::io::ReadHalf<DuplexStream>>,
}

impl Pipe {
    /// A server (the fake linter) on the other end of a fresh pipe, and its task.
    fn start() -> (Self, tokio::task::JoinHandle<()>) {
        Self::start_with(Fake)
    }

    /// A server with `linter` on the other end of a fresh pipe, and its task.
    fn start_with(linter: impl Linter) -> (Self, tokio::task::JoinHandle<()>) {
        let (client, server) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server);
        let serving = tokio::spawn(plimsoll_lsp::serve(linter, server_read, server_write));
        let (read, write) = tokio::io::split(client);
        let pipe = Pipe {
            write,
            read: BufReader::new(read),
        };
        (pipe, serving)
    }

    /// `initialize` (id 1); its result.
    async fn initialize(&mut self) -> Value {
        self.initialize_with(json!({})).await
    }

    /// `initialize` (id 1) with the client's `capabilities`; its result.
    async fn initialize_with(&mut self, capabilities: Value) -> Value {
        self.send(
            json!({"id": 1, "method": "initialize", "params": {"capabilities": capabilities}}),
        )
        .await;
        self.response(1).await["result"].clone()
    }

    /// Every message within `wait`.
    async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        let _ = tokio::time::timeout(wait, async {
            loop {
                out.push(self.receive().await);
            }
        })
        .await;
        out
    }

    /// `shutdown` then `exit`; serving must end.
    async fn finish(mut self, serving: tokio::task::JoinHandle<()>) {
        self.send(json!({"id": 1000, "method": "shutdown"})).await;
        assert_eq!(self.response(1000).await["result"], Value::Null);
        self.send(json!({"method": "exit"})).await;
        tokio::time::timeout(TIMEOUT, serving)
            .await
            .expect("serving ends after exit")
            .unwrap();
    }

    async fn send_raw(&mut self, body: &str) {
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.write.write_all(frame.as_bytes()).await.unwrap();
    }

    async fn send(&mut self, message: Value) {
        let mut message = message;
        message["jsonrpc"] = json!("2.0");
        self.send_raw(&message.to_string()).await;
    }

    async fn receive(&mut self) -> Value {
        tokio::time::timeout(TIMEOUT, async {
            let mut length = 0;
            loop {
                let mut line = String::new();
                self.read.read_line(&mut line).await.unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            self.read.read_exact(&mut body).await.unwrap();
            serde_json::from_slice(&body).unwrap()
        })
        .await
        .expect("timed out waiting for the server")
    }

    /// The next message with `method` (others are skipped).
    async fn next(&mut self, method: &str) -> Value {
        loop {
            let message = self.receive().await;
            if message["method"] == method {
                return message["params"].clone();
            }
        }
    }

    async fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self.receive().await;
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }
}

fn change(version: i32, text: &str) -> Value {
    json!({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": "file:///w/Dockerfile", "version": version},
        "contentChanges": [{"text": text}]
    }})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_are_logged_and_stale_results_never_published() {
    let (mut pipe, serving) = Pipe::start();
    assert_eq!(
        pipe.initialize().await["capabilities"]["positionEncoding"],
        "utf-16"
    );
    pipe.send(json!({"method": "initialized", "params": {}}))
        .await;
    pipe.send(
        json!({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///w/Dockerfile", "languageId": "dockerfile", "version": 1, "text": "a bad"
        }}}),
    )
    .await;
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(published["version"], 1);
    assert_eq!(
        published["diagnostics"][0]["range"]["start"]["character"],
        2
    );

    // The check panics: logged, and nothing replaces the version-1 diagnostics.
    pipe.send(change(2, "bad boom")).await;
    let log = pipe.next("window/logMessage").await;
    assert_eq!(log["type"], 1);
    let text = log["message"].as_str().unwrap();
    assert!(text.contains("the fake rule exploded"), "{text}");
    assert!(text.contains("keeping the previous diagnostics"), "{text}");

    // Two changes in one burst: only the newest is checked and published.
    pipe.send(change(3, "bad bad")).await;
    pipe.send(change(4, "fine, then bad")).await;
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(published["version"], 4);
    assert_eq!(published["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(
        published["diagnostics"][0]["range"]["start"]["character"],
        11
    );

    // A request with malformed parameters gets a protocol error, and the server carries on.
    pipe.send(json!({"id": 9, "method": "textDocument/hover", "params": {"oops": 1}}))
        .await;
    let error = pipe.response(9).await;
    assert_eq!(error["error"]["code"], -32602, "{error}");
    pipe.finish(serving).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_get_an_error_and_the_session_goes_on() {
    let (mut pipe, serving) = Pipe::start();
    assert!(pipe.initialize().await["capabilities"].is_object());

    // Invalid JSON in a well-framed message: a parse error, with a null id.
    pipe.send_raw(r#"{"jsonrpc": "2.0", "id": 2, "method": "#)
        .await;
    let error = pipe.receive().await;
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["id"], Value::Null, "{error}");
    // Invalid UTF-8 is a parse error too.
    let frame = b"Content-Length: 4\r\n\r\n\"\xff\xfe\"";
    pipe.write.write_all(frame).await.unwrap();
    assert_eq!(pipe.receive().await["error"]["code"], -32700);
    // JSON that is not a JSON-RPC message: invalid request, answered with its id.
    pipe.send_raw(r#"{"jsonrpc": "1.0", "id": 3, "method": "textDocument/hover"}"#)
        .await;
    let error = pipe.receive().await;
    assert_eq!(error["error"]["code"], -32600, "{error}");
    assert_eq!(error["id"], 3, "{error}");
    pipe.send_raw("[1, 2]").await;
    assert_eq!(pipe.receive().await["error"]["code"], -32600);
    // A header block without Content-Length.
    pipe.write
        .write_all(b"Content-Type: application/json\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(pipe.receive().await["error"]["code"], -32700);

    // The session is intact: documents are checked, requests answered, `exit` ends it.
    pipe.send(
        json!({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///w/Dockerfile", "languageId": "dockerfile", "version": 1, "text": "bad"
        }}}),
    )
    .await;
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(published["diagnostics"].as_array().unwrap().len(), 1);
    pipe.finish(serving).await;
}

fn open(text: &str) -> Value {
    json!({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///w/Dockerfile", "languageId": "dockerfile", "version": 1, "text": text
    }}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_findings_follow_the_quick_ones_and_stale_ones_are_dropped() {
    let gate = Arc::new(Gate::default());
    let (mut pipe, serving) = Pipe::start_with(Late {
        gate: Arc::clone(&gate),
    });
    pipe.initialize().await;
    pipe.send(json!({"method": "initialized", "params": {}}))
        .await;
    pipe.send(open("bad slow")).await;
    // The quick findings at once, while the late round waits.
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(published["version"], 1);
    assert_eq!(codes(&published["diagnostics"]), ["X001"]);
    Gate::until(&gate.started, 1).await;
    // Code actions meanwhile answer from the quick result, without waiting.
    pipe.send(
        json!({"id": 5, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": "file:///w/Dockerfile"},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 8}},
            "context": {"diagnostics": []}
        }}),
    )
    .await;
    assert!(pipe.response(5).await["result"].is_array());
    // Then the complete set, for the same version.
    gate.allow_one();
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(published["version"], 1);
    assert_eq!(codes(&published["diagnostics"]), ["X001", "X002"]);

    // Version 2's late round is still running when version 3 arrives: it is dropped.
    pipe.send(change(2, "slow bad slow")).await;
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(
        (&published["version"], codes(&published["diagnostics"])),
        (&json!(2), vec!["X001".to_string()])
    );
    Gate::until(&gate.started, 2).await;
    pipe.send(change(3, "bad")).await;
    let published = pipe.next("textDocument/publishDiagnostics").await;
    assert_eq!(published["version"], 3);
    gate.allow_one();
    Gate::until(&gate.finished, 2).await;
    let later = pipe.drain(Duration::from_millis(300)).await;
    assert!(
        later
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "{later:?}"
    );
    assert_eq!(gate.started.load(Ordering::SeqCst), 2);
    pipe.finish(serving).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulling_clients_are_asked_to_pull_again_when_late_findings_arrive() {
    let gate = Arc::new(Gate::default());
    let (mut pipe, serving) = Pipe::start_with(Late {
        gate: Arc::clone(&gate),
    });
    let capabilities = json!({
        "textDocument": {"diagnostic": {}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    });
    pipe.initialize_with(capabilities).await;
    pipe.send(json!({"method": "initialized", "params": {}}))
        .await;
    pipe.send(open("slow bad")).await;
    let pull = |id: i64| {
        json!({"id": id, "method": "textDocument/diagnostic", "params": {
            "textDocument": {"uri": "file:///w/Dockerfile"}
        }})
    };
    pipe.send(pull(2)).await;
    let report = pipe.response(2).await;
    assert_eq!(codes(&report["result"]["items"]), ["X001"]);
    gate.allow_one();
    // The server asks for a refresh; the next pull has everything.
    let refresh = loop {
        let message = pipe.receive().await;
        if message["method"] == "workspace/diagnostic/refresh" {
            break message;
        }
    };
    pipe.send(json!({"id": refresh["id"], "result": null}))
        .await;
    pipe.send(pull(3)).await;
    let report = pipe.response(3).await;
    assert_eq!(codes(&report["result"]["items"]), ["X002", "X001"]);
    assert_eq!(gate.finished.load(Ordering::SeqCst), 1);
    pipe.finish(serving).await;
}
