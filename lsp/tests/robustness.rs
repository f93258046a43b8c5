//! The server in-process over a pipe, with a fake linter that panics on request: a panic is
//! logged and the document keeps its last good diagnostics, quick successive changes publish
//! only the newest version, a malformed request gets a protocol error, a message that is not
//! JSON (or not JSON-RPC) gets an error without ending the session, and `exit` ends serving.

use std::path::Path;
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

struct Pipe {
    write: tokio::io::WriteHalf<DuplexStream>,
    read: BufReader<tokio::io::ReadHalf<DuplexStream>>,
}

impl Pipe {
    /// A server (the fake linter) on the other end of a fresh pipe, and its task.
    fn start() -> (Self, tokio::task::JoinHandle<()>) {
        let (client, server) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server);
        let serving = tokio::spawn(plimsoll_lsp::serve(Fake, server_read, server_write));
        let (read, write) = tokio::io::split(client);
        let pipe = Pipe {
            write,
            read: BufReader::new(read),
        };
        (pipe, serving)
    }

    /// `initialize` (id 1); its result.
    async fn initialize(&mut self) -> Value {
        self.send(json!({"id": 1, "method": "initialize", "params": {"capabilities": {}}}))
            .await;
        self.response(1).await["result"].clone()
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
