//! `plimsoll lsp` spoken to over its stdio, as an editor would: JSON-RPC with Content-Length
//! framing, exact ranges in UTF-16 and UTF-8, code actions applied to the text, hover, config
//! changes, shutdown. Every wait has a timeout, so a hung server fails the test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
#[path = "common/lsp_frames.rs"]
mod lsp_frames;

const TIMEOUT: Duration = Duration::from_secs(20);

/// A tiny LSP client around the real binary.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else, in order.
    pending: Vec<Value>,
    /// The methods of the requests the server sent (each answered with `null`), in order.
    server_requests: Vec<String>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Self {
        Self::start_with(dir, &[], &[])
    }

    /// `plimsoll lsp ARGS…` with extra environment variables.
    fn start_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            // Existing expectations hold without ShellCheck, whether or not it is installed.
            .env("PLIMSOLL_SHELLCHECK", "")
            .arg("lsp")
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start plimsoll lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let incoming = lsp_frames::read_messages(stdout);
        Self {
            child,
            stdin,
            incoming,
            pending: Vec::new(),
            server_requests: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(&serde_json::to_string(message).unwrap());
    }

    fn send_raw(&mut self, body: &str) {
        lsp_frames::write_frame(&mut self.stdin, body);
    }

    /// The code actions offered for one published diagnostic, at its range.
    fn actions_for(&mut self, path: &Path, diagnostic: &Value) -> Value {
        self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri(path)},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]}
            }),
        )
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message from the server; requests from the server are answered with `null`.
    fn receive(&mut self, deadline: Instant) -> Value {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .expect("timed out waiting for the server");
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                let method = message["method"].as_str().unwrap_or_default().to_string();
                self.server_requests.push(method);
                continue;
            }
            return message;
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline);
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
            self.pending.push(message);
        }
    }

    fn initialize(&mut self, dir: &Path, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(dir), "capabilities": capabilities}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, path: &Path, language_id: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri(path), "languageId": language_id, "version": 1, "text": text
            }}),
        );
    }

    fn change(&mut self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri(path), "version": version},
                "contentChanges": [{"text": text}]
            }),
        );
    }

    /// The next diagnostics published for `path` (earlier ones left in `pending` are used
    /// first, in order).
    fn diagnostics(&mut self, path: &Path) -> Value {
        let uri = uri(path);
        let is_ours = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(is_ours) {
            return self.pending.remove(i)["params"].clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline);
            if is_ours(&message) {
                return message["params"].clone();
            }
            self.pending.push(message);
        }
    }

    /// Everything that arrives within `wait` (for checking that something did not happen).
    fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let deadline = Instant::now() + wait;
        while let Ok(message) = self
            .incoming
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.pending.push(message);
        }
        std::mem::take(&mut self.pending)
    }

    fn shutdown(mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A scratch directory that is its own repository root (config discovery stops there).
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

fn with_code<'a>(diagnostics: &'a Value, code: &str) -> Vec<&'a Value> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": {"line": start.0, "character": start.1},
        "end": {"line": end.0, "character": end.1}
    })
}

/// Byte offset of an LSP position (UTF-16 columns; lines end at `\n`).
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let column = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, ch) in text[start..].char_indices() {
        if units >= column || ch == '\n' {
            return start + i;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// Apply a code action's workspace edit for `path` to `text`.
fn apply(text: &str, action: &Value, path: &Path) -> String {
    let mut edits: Vec<(usize, usize, String)> = action["edit"]["changes"][uri(path)]
        .as_array()
        .expect("edits for the document")
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, &new_text);
    }
    out
}

fn titled<'a>(actions: &'a Value, title: &str) -> &'a Value {
    actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action `{title}` in {actions:#}"))
}

#[test]
fn initialize_announces_capabilities_and_exit_ends_the_process() {
    let (_guard, root) = workspace();
    let mut client = Client::start(&root);
    let result = client.initialize(&root, json!({}));
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 1);
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.plimsoll"])
    );
    // No pull diagnostics for a client that cannot pull.
    assert!(caps.get("diagnosticProvider").is_none(), "{caps}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn latest_tag_is_reported_at_its_exact_range_and_cleared_when_fixed() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", "FROM ubuntu:latest\n");
    let published = client.diagnostics(&path);
    assert_eq!(published["version"], 1);
    let latest = with_code(&published, "DF002");
    assert_eq!(latest.len(), 1, "{published:#}");
    assert_eq!(latest[0]["range"], range((0, 12), (0, 18)));
    assert_eq!(latest[0]["severity"], 2);
    assert_eq!(latest[0]["source"], "plimsoll");
    assert_eq!(
        latest[0]["codeDescription"]["href"],
        "https://plimsoll.dev/rules/latest-tag"
    );
    assert!(
        latest[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("base image `ubuntu:latest` uses the `latest` tag")
    );

    client.change(&path, 2, "FROM ubuntu:22.04\nUSER nobody\n");
    let published = client.diagnostics(&path);
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));
    assert_eq!(client.shutdown().code(), Some(0));
}

/// Tabs, a two-byte and a four-byte (two UTF-16 units) character before the finding, CRLF.
const APT: &str =
    "FROM ubuntu:22.04\r\nRUN\techo \"é😀\" && apt install -y curl\r\nUSER nobody\r\n";

#[test]
fn ranges_count_utf16_units_and_a_safe_fix_applies() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", APT);
    let published = client.diagnostics(&path);
    let apt = with_code(&published, "DF062");
    assert_eq!(apt.len(), 1, "{published:#}");
    assert_eq!(apt[0]["range"], range((1, 18), (1, 21)));

    let actions = client.actions_for(&path, apt[0]);
    let fix = titled(&actions, "use `apt-get`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "DF062");
    assert_eq!(
        apply(APT, fix, &path),
        APT.replace("apt install", "apt-get install")
    );

    // The suppression comment goes above the instruction, with the file's line ending.
    let ignore = titled(&actions, "plimsoll: ignore DF062 for this line");
    let ignored = apply(APT, ignore, &path);
    assert_eq!(
        ignored,
        APT.replace("RUN\t", "# plimsoll ignore=DF062\r\nRUN\t")
    );
    let file = titled(&actions, "plimsoll: ignore DF062 in this file");
    assert_eq!(
        apply(APT, file, &path),
        format!("# plimsoll ignore-file=DF062\r\n{APT}")
    );
    // fixAll applies only the safe fixes (not DF060's unsafe one).
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&path)},
            "range": range((0, 0), (0, 0)),
            "context": {"diagnostics": [], "only": ["source.fixAll"]}
        }),
    );
    assert_eq!(actions.as_array().unwrap().len(), 1, "{actions:#}");
    assert_eq!(actions[0]["kind"], "source.fixAll.plimsoll");
    assert_eq!(
        apply(APT, &actions[0], &path),
        APT.replace("apt install", "apt-get install")
    );
    client.change(&path, 2, &ignored);
    let published = client.diagnostics(&path);
    assert_eq!(published["version"], 2);
    assert!(with_code(&published, "DF062").is_empty(), "{published:#}");

    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    let result = client.initialize(
        &root,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    client.open(&path, "dockerfile", APT);
    let published = client.diagnostics(&path);
    let apt = with_code(&published, "DF062");
    assert_eq!(apt[0]["range"], range((1, 21), (1, 24)));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn hover_on_a_code_in_a_suppression_comment_shows_the_rule_docs() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    let text = "# plimsoll ignore=DF002\n# hadolint ignore=DL3007\nFROM ubuntu:latest\n";
    client.open(&path, "dockerfile", text);
    let hover = |client: &mut Client, line: u32, character: u32| {
        client.request(
            "textDocument/hover",
            json!({
                "textDocument": {"uri": uri(&path)},
                "position": {"line": line, "character": character}
            }),
        )
    };
    let shown = hover(&mut client, 0, 20);
    assert_eq!(shown["contents"]["kind"], "markdown");
    let docs = shown["contents"]["value"].as_str().unwrap();
    assert!(docs.starts_with("# latest-tag (DF002)"), "{docs}");
    assert!(docs.contains("## Why is this bad"), "{docs}");
    assert_eq!(shown["range"], range((0, 18), (0, 23)));
    let hadolint = hover(&mut client, 1, 20);
    assert!(
        hadolint["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("# latest-tag (DF002)")
    );
    assert_eq!(hover(&mut client, 2, 14), Value::Null);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn compose_files_are_checked_and_other_yaml_is_left_alone() {
    let (_guard, root) = workspace();
    let compose = root.join("compose.yaml");
    let values = root.join("values.yaml");
    let text = "services:\n  web:\n    image: nginx:latest\n";
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&values, "yaml", text);
    client.open(&compose, "yaml", text);
    let published = client.diagnostics(&compose);
    let latest = with_code(&published, "DC002");
    assert_eq!(latest.len(), 1, "{published:#}");
    assert_eq!(latest[0]["range"], range((2, 17), (2, 23)));

    let actions = client.actions_for(&compose, latest[0]);
    let ignore = titled(&actions, "plimsoll: ignore DC002 for this line");
    let ignored = apply(text, ignore, &compose);
    assert_eq!(
        ignored,
        "services:\n  web:\n    # plimsoll ignore=DC002\n    image: nginx:latest\n"
    );
    client.change(&compose, 2, &ignored);
    let published = client.diagnostics(&compose);
    assert!(with_code(&published, "DC002").is_empty(), "{published:#}");

    let later = client.drain(Duration::from_millis(300));
    let values_uri = uri(&values);
    assert!(
        !later.iter().any(|m| m["params"]["uri"] == values_uri),
        "{later:#?}"
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": values_uri},
            "range": range((2, 17), (2, 23)),
            "context": {"diagnostics": []}
        }),
    );
    assert_eq!(actions, Value::Null);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn config_changes_re_check_open_documents_and_broken_config_is_a_diagnostic() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let config = root.join(".plimsoll.yaml");
    std::fs::write(&config, "ignore: [latest-tag]\n").unwrap();
    let mut client = Client::start(&root);
    // Dynamic registration of the config watcher: the client helper accepts it.
    client.initialize(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    client.open(&path, "dockerfile", "FROM ubuntu:latest\nUSER nobody\n");
    let published = client.diagnostics(&path);
    assert_eq!(codes(&published), Vec::<String>::new());

    let changed = |client: &mut Client| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(&config), "type": 2}]}),
        );
    };
    std::fs::write(&config, "fail-level: error\n").unwrap();
    changed(&mut client);
    let published = client.diagnostics(&path);
    assert_eq!(codes(&published), ["DF002"]);

    std::fs::write(&config, "ignore: [latest-tag]\nbogus-key: 1\n").unwrap();
    changed(&mut client);
    let problems = client.diagnostics(&config);
    let problems = problems["diagnostics"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["range"]["start"]["line"], 1);
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("bogus-key"),
        "{problems:#?}"
    );
    // The document is still checked (with the defaults), the server still answers.
    let published = client.diagnostics(&path);
    assert_eq!(codes(&published), ["DF002"]);

    // Saving a fixed config clears its diagnostics.
    std::fs::write(&config, "ignore: [latest-tag]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    assert_eq!(client.diagnostics(&config)["diagnostics"], json!([]));
    assert_eq!(codes(&client.diagnostics(&path)), Vec::<String>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn pull_diagnostics_when_the_client_supports_them() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    let result = client.initialize(&root, json!({"textDocument": {"diagnostic": {}}}));
    assert!(result["capabilities"]["diagnosticProvider"].is_object());
    client.open(&path, "dockerfile", "FROM ubuntu:latest\nUSER nobody\n");
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&path)}}),
    );
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{report:#}");
    assert_eq!(items[0]["code"], "DF002");
    assert_eq!(items[0]["range"], range((0, 12), (0, 18)));
    // Pulled, so not pushed as well.
    let later = client.drain(Duration::from_millis(300));
    assert!(
        !later
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "{later:#?}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn invalid_json_gets_a_parse_error_and_the_session_goes_on() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.send_raw(r#"{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": "#);
    let deadline = Instant::now() + TIMEOUT;
    let error = client.receive(deadline);
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["id"], Value::Null, "{error}");
    client.open(&path, "dockerfile", "FROM ubuntu:latest\nUSER nobody\n");
    assert_eq!(codes(&client.diagnostics(&path)), ["DF002"]);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_bad_content_length_is_skipped_and_the_session_goes_on() {
    use std::io::Write;
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    // Each bad header is followed by its body and, straight after it (no blank line), a good
    // frame: the server must find that frame again.
    let body = r#"{"jsonrpc":"2.0","id":50,"method":"shutdown"}"#;
    for (round, header) in [
        "Content-Length: abc",
        "Content-Length: -5",
        "Content-Type: x",
    ]
    .into_iter()
    .enumerate()
    {
        write!(client.stdin, "{header}\r\n\r\n{body}").unwrap();
        let id = 60 + round as i64;
        let hover = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri(&path)}, "position": {"line": 0, "character": 0}}});
        client.send(&hover);
        // The answer to the bad frame and the hover's come from different tasks: either may
        // come first, so wait for all three (a missing one times out with what was seen).
        let deadline = Instant::now() + TIMEOUT;
        let answered = |seen: &[Value]| seen.iter().any(|m| m["id"] == id);
        let refused = |seen: &[Value]| seen.iter().any(|m| m["error"]["code"] == -32700);
        let logged = |seen: &[Value]| {
            seen.iter().any(|m| {
                m["method"] == "window/logMessage"
                    && m["params"]["message"]
                        .as_str()
                        .is_some_and(|text| text.contains("Content-Length"))
            })
        };
        let mut seen: Vec<Value> = Vec::new();
        while !(answered(&seen) && refused(&seen) && logged(&seen)) {
            assert!(Instant::now() < deadline, "{header}: {seen:#?}");
            seen.push(client.receive(deadline));
        }
        // The skipped body (a `shutdown`) never reached the server.
        assert!(!seen.iter().any(|m| m["id"] == 50), "{header}: {seen:#?}");
    }
    client.open(&path, "dockerfile", "FROM ubuntu:latest\nUSER nobody\n");
    assert_eq!(codes(&client.diagnostics(&path)), ["DF002"]);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_1() {
    let (_guard, root) = workspace();
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after `exit`"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
}

/// A Dockerfile of at least `size` bytes with a `latest` tag on its first line.
fn big_dockerfile(size: usize) -> String {
    let mut text = String::from("FROM ubuntu:latest\nUSER nobody\n");
    while text.len() < size {
        text.push_str("# filler filler filler filler filler filler filler filler filler\n");
    }
    text
}

#[test]
fn documents_over_the_size_limit_get_one_diagnostic_and_no_check() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    // The CLI's default limit (8 MiB) applies without any flag.
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", &big_dockerfile(9 << 20));
    let published = client.diagnostics(&path);
    assert_eq!(codes(&published), ["file-too-large"], "{published:#}");
    let message = published["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("larger than the 8 MiB limit"), "{message}");
    assert!(message.contains("not checked"), "{message}");
    // Under the limit again: checked as usual.
    client.change(&path, 2, &big_dockerfile(1 << 20));
    assert_eq!(codes(&client.diagnostics(&path)), ["DF002"]);
    assert_eq!(client.shutdown().code(), Some(0));

    // `--max-file-size` lowers (or raises) it, as for `plimsoll check`.
    let mut client = Client::start_with(&root, &["--max-file-size", "2K"], &[]);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", &big_dockerfile(4 << 10));
    let published = client.diagnostics(&path);
    assert_eq!(codes(&published), ["file-too-large"], "{published:#}");
    let message = published["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("larger than the 2 KiB limit"), "{message}");
    client.change(&path, 2, "FROM ubuntu:latest\nUSER nobody\n");
    assert_eq!(codes(&client.diagnostics(&path)), ["DF002"]);
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A policy file declaring `code` as "base images must be pinned by digest".
fn digest_policy(code: &str) -> String {
    format!(
        "rules:\n  - {{code: {code}, name: {}, summary: pin by digest, category: provenance, \
         template: image, options: {{require-digest: true}}}}\n",
        code.to_ascii_lowercase()
    )
}

/// A session in `root` whose config takes its policies from `org/`, holding `policy_text` as
/// `org/images.yaml`, with a client that supports watched files, and a Dockerfile opened:
/// (client, the Dockerfile, the policy file).
fn open_with_watched_policy(root: &Path, policy_text: &str) -> (Client, PathBuf, PathBuf) {
    let path = root.join("Dockerfile");
    let org = root.join("org");
    std::fs::create_dir(&org).unwrap();
    let policy = org.join("images.yaml");
    std::fs::write(&policy, policy_text).unwrap();
    std::fs::write(root.join(".plimsoll.yaml"), "policies: [org]\n").unwrap();
    let mut client = Client::start(root);
    client.initialize(
        root,
        json!({"workspace": {"didChangeWatchedFiles": {
            "dynamicRegistration": true, "relativePatternSupport": true
        }}}),
    );
    client.open(&path, "dockerfile", "FROM ubuntu:22.04\nUSER nobody\n");
    (client, path, policy)
}

#[test]
fn policy_file_changes_re_check_open_documents() {
    let (_guard, root) = workspace();
    let (mut client, path, policy) = open_with_watched_policy(&root, &digest_policy("ACME1"));
    assert_eq!(codes(&client.diagnostics(&path)), ["ACME1"]);

    // The policy directory is watched once the server knows of it.
    let deadline = Instant::now() + TIMEOUT;
    let watched = loop {
        let message = client
            .incoming
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("a watcher registration for the policy directory");
        if message["method"] == "client/registerCapability" {
            client.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": null}));
            let watchers = &message["params"]["registrations"][0]["registerOptions"]["watchers"];
            let base = uri(&root.join("org"));
            let covers = |w: &Value| w["globPattern"]["baseUri"] == base.as_str();
            if watchers.as_array().unwrap().iter().any(covers) {
                break watchers.clone();
            }
        } else if message.get("id").is_some() && message.get("method").is_some() {
            client.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": null}));
        }
    };
    assert!(
        watched
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"] == "**/.plimsoll.{yaml,yml}"),
        "{watched:#}"
    );

    // Changed on disk: the watcher reports it, the document is checked with the new rule.
    std::fs::write(&policy, digest_policy("ACME2")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&policy), "type": 2}]}),
    );
    assert_eq!(codes(&client.diagnostics(&path)), ["ACME2"]);

    // Saved from the editor: the same.
    std::fs::write(&policy, digest_policy("ACME3")).unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&policy)}}),
    );
    assert_eq!(codes(&client.diagnostics(&path)), ["ACME3"]);

    // A policy file in `.plimsoll/policies/` beside the config counts as well.
    let local = root.join(".plimsoll").join("policies");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("more.yml"), digest_policy("ACME4")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&local.join("more.yml")), "type": 1}]}),
    );
    let mut found = codes(&client.diagnostics(&path));
    found.sort();
    assert_eq!(found, ["ACME3", "ACME4"]);

    // Other YAML changing re-checks nothing.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join("values.yaml")), "type": 2}]}),
    );
    let later = client.drain(Duration::from_millis(300));
    assert!(
        !later
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "{later:#?}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn hover_on_a_rule_in_the_config_file_shows_the_rule_docs() {
    let (_guard, root) = workspace();
    let config = root.join(".plimsoll.yaml");
    let text = "select: [DF002]\nrules:\n  root-user: {severity: error}\n";
    std::fs::write(&config, text).unwrap();
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&config, "yaml", text);
    let hover = |client: &mut Client, line: u32, character: u32| {
        client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&config)},
                   "position": {"line": line, "character": character}}),
        )
    };
    let result = hover(&mut client, 0, 11);
    assert_eq!(result["range"], range((0, 9), (0, 14)));
    let docs = result["contents"]["value"].as_str().unwrap();
    assert!(docs.contains("latest-tag"), "{docs}");
    let result = hover(&mut client, 2, 4);
    assert_eq!(result["range"], range((2, 2), (2, 11)));
    assert!(
        result["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("https://plimsoll.dev/rules/root-user")
    );
    // Not on other keys.
    assert_eq!(hover(&mut client, 2, 15), Value::Null);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_server_ends_when_stdin_closes_and_accepts_the_stdio_flag() {
    // A client that dies without `exit` closes our stdin: the server must end, not linger.
    // `--stdio` is what vscode-languageclient's stdio transport (and other generic clients)
    // append; a usage error there would leave the editor without a server.
    let dir = tempfile::tempdir().unwrap();
    for args in [&["lsp"][..], &["lsp", "--stdio"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            // Existing expectations hold without ShellCheck, whether or not it is installed.
            .env("PLIMSOLL_SHELLCHECK", "")
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > TIMEOUT {
                let _ = child.kill();
                panic!("plimsoll {args:?} still running after stdin closed");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn rego_policy_findings_reach_the_editor_with_their_ranges() {
    let (_guard, root) = workspace();
    std::fs::write(root.join(".plimsoll.yaml"), "strict: false\n").unwrap();
    std::fs::create_dir_all(root.join(".plimsoll/policies")).unwrap();
    std::fs::write(
        root.join(".plimsoll/policies/org.rego"),
        "# METADATA\n# title: No root\n# custom:\n#   code: ACME7\n#   severity: warning\n\
         package acme\nimport rego.v1\n\n\
         deny contains {\"msg\": \"runs as root\", \"location\": i.location} if {\n    \
         some i in input.instructions\n    i.keyword == \"USER\"\n    i.arguments[0] == \"root\"\n}\n",
    )
    .unwrap();
    let path = root.join("Dockerfile");
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", "FROM alpine:3.20\nUSER root\n");
    let published = client.diagnostics(&path);
    let found = with_code(&published, "ACME7");
    assert_eq!(found.len(), 1, "{published:#}");
    assert_eq!(found[0]["range"], range((1, 0), (1, 9)));
    assert_eq!(found[0]["message"], "runs as root");
    assert_eq!(found[0]["severity"], 2);
    client.change(&path, 2, "FROM alpine:3.20\nUSER app\n");
    let published = client.diagnostics(&path);
    assert!(with_code(&published, "ACME7").is_empty(), "{published:#}");

    // A policy saved broken: a PL002 diagnostic on the `.rego` file, at regorus' line:col.
    let policy = root.join(".plimsoll/policies/broken.rego");
    std::fs::write(
        &policy,
        "package broken\nimport rego.v1\n\ndeny contains x if {\n    x := http.send({})\n}\n",
    )
    .unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&policy)}}),
    );
    let problems = client.diagnostics(&policy);
    let problems = problems["diagnostics"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["range"]["start"]["line"], 4);
    let message = problems[0]["message"].as_str().unwrap();
    assert!(message.starts_with("policy-error (PL002): "), "{message}");
    assert!(message.contains("http.send"), "{message}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_failing_rule_is_logged_and_the_other_findings_still_arrive() {
    let (_guard, root) = workspace();
    let path = root.join("Dockerfile");
    let text = "FROM ubuntu:latest\nRUN apt install curl\n";
    // Debug builds make the named rule panic on purpose (see engine::fault_injection).
    let mut client = Client::start_with(&root, &[], &[("PLIMSOLL_TEST_PANIC_RULE", "DF002")]);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", text);
    let published = client.diagnostics(&path);
    let found = codes(&published);
    assert!(!found.contains(&"DF002".to_string()), "{published:#}");
    assert!(found.contains(&"DF062".to_string()), "{published:#}");
    let logged: Vec<Value> = client
        .drain(Duration::from_millis(200))
        .into_iter()
        .filter(|m| m["method"] == "window/logMessage")
        .collect();
    assert!(
        logged.iter().any(|m| m["params"]["type"] == 1
            && m["params"]["message"]
                .as_str()
                .is_some_and(|text| text.contains("rule DF002 (latest-tag) failed")
                    && text.contains("injected failure"))),
        "{logged:#?}"
    );
    // The server is still healthy: an edit is checked as usual.
    client.change(&path, 2, "FROM ubuntu:22.04\nUSER nobody\n");
    let published = client.diagnostics(&path);
    assert!(!codes(&published).contains(&"DF062".to_string()));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn compose_findings_follow_the_dockerfile_buffer_and_point_into_it() {
    let (_guard, root) = workspace();
    std::fs::create_dir(root.join("api")).unwrap();
    let compose = root.join("compose.yaml");
    let dockerfile = root.join("api/Dockerfile");
    // On disk the image runs as root.
    std::fs::write(&dockerfile, "FROM alpine:3.20\nRUN echo hi\n").unwrap();
    let compose_text = "services:\n  api:\n    build: ./api\n";
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&compose, "yaml", compose_text);
    let published = client.diagnostics(&compose);
    let root_user = with_code(&published, "DC048");
    assert_eq!(root_user.len(), 1, "{published:#}");
    assert_eq!(root_user[0]["range"], range((2, 4), (2, 9)));
    let related = &root_user[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri(&dockerfile));
    assert_eq!(related["location"]["range"], range((0, 0), (0, 16)));

    // The Dockerfile opened with an unsaved edit that shifts its lines: the compose file is
    // checked again against the buffer, and the related range points into the buffer.
    let shifted = "# syntax=docker/dockerfile:1\n# builder\nFROM alpine:3.20\nRUN echo hi\n";
    client.open(&dockerfile, "dockerfile", shifted);
    let published = client.diagnostics(&compose);
    let related = &with_code(&published, "DC048")[0]["relatedInformation"][0];
    assert_eq!(
        related["location"]["range"],
        range((2, 0), (2, 16)),
        "{published:#}"
    );

    // Typing `USER` into the Dockerfile clears the compose finding without touching it.
    client.change(&dockerfile, 2, &format!("{shifted}USER app\n"));
    let published = loop {
        let published = client.diagnostics(&compose);
        if with_code(&published, "DC048").is_empty() {
            break published;
        }
    };
    assert_eq!(published["version"], 1, "{published:#}");

    // Closing the buffer without saving: the file on disk counts again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&dockerfile)}}),
    );
    let published = client.diagnostics(&compose);
    assert_eq!(with_code(&published, "DC048").len(), 1, "{published:#}");

    // The Dockerfile changes on disk (a branch switch, another editor): the watcher's event
    // re-checks the compose file.
    std::fs::write(&dockerfile, "FROM alpine:3.20\nUSER app\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dockerfile), "type": 2}]}),
    );
    let published = client.diagnostics(&compose);
    assert!(with_code(&published, "DC048").is_empty(), "{published:#}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_config_flag_applies_one_config_file_and_its_changes() {
    let (_guard, root) = workspace();
    std::fs::create_dir(root.join("ci")).unwrap();
    let config = root.join("ci/lint.yaml");
    std::fs::write(&config, "ignore: [latest-tag]\n").unwrap();
    // The nearest config would turn latest-tag into an error; --config wins, as in the CLI.
    std::fs::write(root.join(".plimsoll.yaml"), "select: [DF002]\n").unwrap();
    let path = root.join("Dockerfile");
    let mut client = Client::start_with(&root, &["--config", "ci/lint.yaml"], &[]);
    client.initialize(&root, json!({}));
    client.open(&path, "dockerfile", "FROM ubuntu:latest\nUSER nobody\n");
    let published = client.diagnostics(&path);
    assert!(with_code(&published, "DF002").is_empty(), "{published:#}");

    std::fs::write(&config, "select: [latest-tag]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let published = client.diagnostics(&path);
    assert_eq!(with_code(&published, "DF002").len(), 1, "{published:#}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn pulling_clients_are_asked_to_refresh_when_a_built_dockerfile_changes() {
    let (_guard, root) = workspace();
    let compose = root.join("compose.yaml");
    let dockerfile = root.join("Dockerfile");
    std::fs::write(&dockerfile, "FROM alpine:3.20\n").unwrap();
    let mut client = Client::start(&root);
    client.initialize(
        &root,
        json!({"textDocument": {"diagnostic": {}},
               "workspace": {"diagnostics": {"refreshSupport": true}}}),
    );
    client.open(&compose, "yaml", "services:\n  app:\n    build: .\n");
    let pull = |client: &mut Client| {
        let report = client.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri(&compose)}}),
        );
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(pull(&mut client).contains(&"DC048".to_string()));
    let refreshes = |client: &Client| {
        client
            .server_requests
            .iter()
            .filter(|m| *m == "workspace/diagnostic/refresh")
            .count()
    };
    let before = refreshes(&client);
    // Opening the Dockerfile with a USER: the server asks the client to pull again, and the
    // pulled compose diagnostics no longer hold DC048.
    client.open(&dockerfile, "dockerfile", "FROM alpine:3.20\nUSER app\n");
    let deadline = Instant::now() + TIMEOUT;
    while refreshes(&client) == before {
        assert!(Instant::now() < deadline, "no workspace/diagnostic/refresh");
        std::thread::sleep(Duration::from_millis(20));
        // A round trip reads (and answers) what the server sent meanwhile.
        client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&compose)}, "position": {"line": 0, "character": 0}}),
        );
    }
    assert!(!pull(&mut client).contains(&"DC048".to_string()));
    assert_eq!(client.shutdown().code(), Some(0));
}

/// The resident memory of process `pid`, in KiB (`VmRSS` in `/proc/PID/status`).
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// An editor session that lasts a day edits its policies many times: 2,000 edits of a policy
/// file (each with a new code and a 4 KiB docs text), each re-checking an open document, must
/// keep the server's resident memory flat (nothing kept per edit: policy rules are shared values,
/// and a config reload drops the cached policies the configs before it did not use). The
/// allocator's own noise is a few MiB whatever the number of edits (measured: +2 MiB after
/// 1,000 and after 4,000 edits, some runs below zero), so the bound is well under what keeping
/// each edit would cost. A few seconds in a debug build;
/// `cargo test --test lsp -- policy_edits --nocapture` prints the figures.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "reads the resident size from /proc"
)]
fn two_thousand_policy_edits_keep_a_flat_memory_profile() {
    const WARM_UP: usize = 200;
    const EDITS: usize = 2_000;
    let (_guard, root) = workspace();
    let version = |n: usize| {
        let docs = format!("Edit {n:05}. ").repeat(330);
        format!(
            "rules:\n  - {{code: ACME{n}, name: acme{n}, summary: pin by digest, \
             category: provenance, template: image, options: {{require-digest: true}}, \
             docs: \"{docs}\"}}\n"
        )
    };
    let (mut client, path, policy) = open_with_watched_policy(&root, &version(0));
    assert_eq!(codes(&client.diagnostics(&path)), ["ACME0"]);
    let pid = client.child.id();
    let mut before = 0;
    for n in 1..=WARM_UP + EDITS {
        if n == WARM_UP + 1 {
            before = resident_kib(pid);
        }
        std::fs::write(&policy, version(n)).unwrap();
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(&policy), "type": 2}]}),
        );
        assert_eq!(codes(&client.diagnostics(&path)), [format!("ACME{n}")]);
    }
    let after = resident_kib(pid);
    eprintln!(
        "{EDITS} policy edits: VmRSS {before} KiB before, {after} KiB after ({:+} KiB)",
        after as i64 - before as i64
    );
    // A rule kept per edit costs over 8 KiB (its docs twice, as text and as the rule's page):
    // 2,000 of them would be 16 MiB.
    assert!(
        after < before + 6 * 1024,
        "resident memory grew from {before} KiB to {after} KiB over {EDITS} policy edits"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

const BASE_WITH_LIMITS: &str = "services:\n  web:\n    image: nginx:1.27\n    mem_limit: 256m\n  db:\n    image: postgres:16\n    mem_limit: 512m\n";
const OVERRIDE_DEPENDS_ON: &str = "services:\n  web:\n    depends_on: [db]\n";

/// A session on a project of `compose.yaml` (limits set) and `compose.override.yaml` (only
/// `depends_on`), both on disk, with the fragment open and its first diagnostics read.
fn open_override_fragment() -> (tempfile::TempDir, PathBuf, PathBuf, Client, Value) {
    let (guard, root) = workspace();
    let base = root.join("compose.yaml");
    let fragment = root.join("compose.override.yaml");
    std::fs::write(&base, BASE_WITH_LIMITS).unwrap();
    std::fs::write(&fragment, OVERRIDE_DEPENDS_ON).unwrap();
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&fragment, "yaml", OVERRIDE_DEPENDS_ON);
    let published = client.diagnostics(&fragment);
    (guard, base, fragment, client, published)
}

#[test]
fn an_override_fragment_is_checked_in_its_project() {
    // The fragment only adds `depends_on`: the limit is set where the service is defined.
    let (_guard, _base, _fragment, client, published) = open_override_fragment();
    assert!(with_code(&published, "DC053").is_empty(), "{published:#}");
    assert!(with_code(&published, "PL000").is_empty(), "{published:#}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn editing_the_base_file_re_checks_its_project_and_the_finding_stays_in_the_base() {
    let (_guard, base, fragment, mut client, published) = open_override_fragment();
    assert!(with_code(&published, "DC053").is_empty(), "{published:#}");
    client.open(&base, "yaml", BASE_WITH_LIMITS);
    let published = client.diagnostics(&base);
    assert!(with_code(&published, "DC053").is_empty(), "{published:#}");
    // Opening the base re-checks the fragment (it now reads the buffer).
    let published = client.diagnostics(&fragment);
    assert!(with_code(&published, "DC053").is_empty(), "{published:#}");

    // An unsaved edit drops the web service's limit: the base file shows it missing...
    let edited = BASE_WITH_LIMITS.replace("    mem_limit: 256m\n", "");
    client.change(&base, 2, &edited);
    let published = client.diagnostics(&base);
    let missing = with_code(&published, "DC053");
    assert_eq!(missing.len(), 1, "{published:#}");
    assert_eq!(missing[0]["range"]["start"]["line"], 1, "{published:#}");
    // ...and the fragment, checked again against the edited buffer, still gets nothing: the
    // finding belongs to the file that defines the service.
    let published = client.diagnostics(&fragment);
    assert!(with_code(&published, "DC053").is_empty(), "{published:#}");
    assert!(with_code(&published, "PL000").is_empty(), "{published:#}");

    // The base's limit moves to the fragment on disk (another editor): the watcher's event
    // re-checks the base, which is then settled by its project.
    let fragment_text = format!("{OVERRIDE_DEPENDS_ON}    mem_limit: 256m\n");
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&fragment)}}),
    );
    std::fs::write(&fragment, &fragment_text).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&fragment), "type": 2}]}),
    );
    let published = loop {
        let published = client.diagnostics(&base);
        if with_code(&published, "DC053").is_empty() {
            break published;
        }
    };
    assert!(with_code(&published, "PL000").is_empty(), "{published:#}");
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A ShellCheck that takes a second longer than `real` and notes each run in `log`.
#[cfg(unix)]
fn slow_shellcheck(dir: &Path, real: &Path, log: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let wrapper = dir.join("slow-shellcheck");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho run >> '{}'\nsleep 1\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    wrapper
}

/// The SC codes among published diagnostics, each with its range.
fn shellcheck_codes(published: &Value) -> Vec<(String, Value)> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("SC"))
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["range"].clone()))
        .collect()
}

#[cfg(unix)]
#[test]
fn shellcheck_findings_arrive_after_the_built_in_ones_and_stale_ones_are_dropped() {
    let Some(real) = common::shellcheck_binary("shellcheck_findings_arrive_after") else {
        return;
    };
    let (_guard, root) = workspace();
    let tools = tempfile::tempdir().unwrap();
    let log = tools.path().join("runs");
    let slow = slow_shellcheck(tools.path(), &real, &log);
    let runs = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let path = root.join("Dockerfile");
    let mut client = Client::start_with(
        &root,
        &[],
        &[("PLIMSOLL_SHELLCHECK", slow.to_str().unwrap())],
    );
    client.initialize(&root, json!({}));
    let text = "FROM ubuntu:latest\nRUN cd /tmp; echo $1\n";
    client.open(&path, "dockerfile", text);
    // The built-in findings at once (ShellCheck takes a second)…
    let quick = client.diagnostics(&path);
    assert_eq!(quick["version"], 1);
    assert_eq!(with_code(&quick, "DF002").len(), 1, "{quick:#}");
    assert_eq!(shellcheck_codes(&quick), [], "{quick:#}");
    // …then all of them, for the same version.
    let complete = client.diagnostics(&path);
    assert_eq!(complete["version"], 1);
    assert_eq!(with_code(&complete, "DF002").len(), 1, "{complete:#}");
    assert_eq!(
        shellcheck_codes(&complete),
        [
            ("SC2164".to_string(), range((1, 4), (1, 11))),
            ("SC2086".to_string(), range((1, 18), (1, 20))),
        ]
    );
    assert_eq!(runs(), 1);

    // ShellCheck's fix is a quick fix, not preferred and not among "fix all" (unsafe).
    let quoting = with_code(&complete, "SC2086")[0].clone();
    let actions = client.actions_for(&path, &quoting);
    let fix = titled(&actions, "Apply ShellCheck's fix for SC2086");
    assert_eq!(fix["isPreferred"], false);
    let fixed = apply(text, fix, &path);
    assert_eq!(fixed, "FROM ubuntu:latest\nRUN cd /tmp; echo \"$1\"\n");
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&path)},
            "range": range((0, 0), (2, 0)),
            "context": {"diagnostics": [], "only": ["source.fixAll.plimsoll"]}
        }),
    );
    assert!(
        fix_all
            .as_array()
            .unwrap()
            .iter()
            .all(|action| !apply(text, action, &path).contains("\"$1\"")),
        "{fix_all:#}"
    );

    // The fixed text: its RUN is a new script, so its ShellCheck findings come late again.
    client.change(&path, 2, &fixed);
    let quick = client.diagnostics(&path);
    assert_eq!(
        (&quick["version"], shellcheck_codes(&quick).len()),
        (&json!(2), 0)
    );
    let complete = client.diagnostics(&path);
    assert_eq!(complete["version"], 2);
    let codes: Vec<String> = shellcheck_codes(&complete)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(codes, ["SC2164"]);
    assert_eq!(runs(), 2);
    // Back to the first text: its script is in the session's cache, so everything comes in one
    // round, without running ShellCheck.
    client.change(&path, 3, text);
    let cached = client.diagnostics(&path);
    assert_eq!(cached["version"], 3);
    assert_eq!(shellcheck_codes(&cached).len(), 2, "{cached:#}");
    let later = client.drain(Duration::from_millis(300));
    assert!(
        later
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "{later:?}"
    );
    assert_eq!(runs(), 2);

    // A version replaced while ShellCheck runs on it: its late findings are never published.
    client.change(&path, 4, "FROM ubuntu:latest\nRUN echo $2\n");
    let quick = client.diagnostics(&path);
    assert_eq!(quick["version"], 4);
    // (Its ShellCheck run has started.)
    let deadline = Instant::now() + TIMEOUT;
    while runs() < 3 {
        assert!(
            Instant::now() < deadline,
            "ShellCheck never ran on version 4"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    client.change(&path, 5, "FROM ubuntu:latest\nRUN echo $3\n");
    let mut published = Vec::new();
    loop {
        let next = client.diagnostics(&path);
        let done = next["version"] == 5 && !shellcheck_codes(&next).is_empty();
        published.push(next);
        if done {
            break;
        }
    }
    // Version 4's ShellCheck run finishes a second after its start: wait for it, then check.
    published.extend(
        client
            .drain(Duration::from_millis(1500))
            .into_iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .map(|m| m["params"].clone()),
    );
    for p in &published {
        assert!(
            p["version"] == 5 || shellcheck_codes(p).is_empty(),
            "version 4's ShellCheck findings were published: {p:#}"
        );
    }
    let last = published.last().unwrap();
    assert_eq!(
        shellcheck_codes(last),
        [("SC2086".to_string(), range((1, 9), (1, 11)))]
    );
    assert_eq!(runs(), 4);
    assert_eq!(client.shutdown().code(), Some(0));
}

/// The next diagnostics published for `path` that satisfy `wanted` (earlier ones are skipped:
/// a re-check may publish more than once on the way).
fn diagnostics_until(client: &mut Client, path: &Path, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let published = client.diagnostics(path);
        if wanted(&published) {
            return published;
        }
    }
}

#[test]
fn a_dockerignore_change_re_checks_the_dockerfiles_of_its_context() {
    let (_guard, root) = workspace();
    let dockerfile = root.join("Dockerfile");
    let ignore = root.join(".dockerignore");
    std::fs::write(root.join(".env"), "TOKEN=x\n").unwrap();
    let text = "FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nUSER app\n";
    let mut client = Client::start(&root);
    client.initialize(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    client.open(&dockerfile, "dockerfile", text);
    let published = client.diagnostics(&dockerfile);
    let secrets = with_code(&published, "DF081");
    assert_eq!(secrets.len(), 1, "{published:#}");
    assert_eq!(secrets[0]["range"], range((2, 5), (2, 6)));
    let secret = |d: &Value| !with_code(d, "DF081").is_empty();

    // A `.dockerignore` written on disk: the watcher's event checks the Dockerfile again.
    std::fs::write(&ignore, ".env\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&ignore), "type": 1}]}),
    );
    diagnostics_until(&mut client, &dockerfile, |d| !secret(d));

    // Opened and edited without saving: the buffer is what counts.
    client.open(&ignore, "ignore", ".env\n");
    client.change(&ignore, 2, "# nothing is ignored now\n");
    diagnostics_until(&mut client, &dockerfile, secret);
    // Closed without saving: the file on disk again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&ignore)}}),
    );
    diagnostics_until(&mut client, &dockerfile, |d| !secret(d));

    // The Dockerfile's own ignore file wins once it exists, and it keeps `.env` in.
    let own = root.join("Dockerfile.dockerignore");
    std::fs::write(&own, "*.md\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&own), "type": 1}]}),
    );
    let published = diagnostics_until(&mut client, &dockerfile, secret);
    assert!(
        with_code(&published, "DF081")[0]["message"]
            .as_str()
            .unwrap()
            .contains("Dockerfile.dockerignore"),
        "{published:#}"
    );

    // A directory that appears on disk (no event: the client watches ignore files only) is
    // seen at the next check a second after the last look: the kept listing's directory
    // times changed.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::create_dir_all(root.join("node_modules/left-pad")).unwrap();
    std::fs::write(root.join("node_modules/left-pad/index.js"), "x\n").unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    client.change(&dockerfile, 2, &format!("# edited\n{text}"));
    let published = diagnostics_until(&mut client, &dockerfile, |d| {
        !with_code(d, "DF082").is_empty()
    });
    assert_eq!(published["version"], 2);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_config_declares_the_context_of_an_open_dockerfile() {
    let (_guard, root) = workspace();
    std::fs::create_dir(root.join("docker")).unwrap();
    std::fs::write(root.join("package.json"), "{}\n").unwrap();
    std::fs::write(root.join("package-lock.json"), "{}\n").unwrap();
    let dockerfile = root.join("docker/app.Dockerfile");
    let text = "FROM node:22-slim\nCOPY package.json pakage-lock.json /app/\nUSER node\n";
    let mut client = Client::start(&root);
    client.initialize(&root, json!({}));
    client.open(&dockerfile, "dockerfile", text);
    // Nothing told the editor where it is built from, and one source is nowhere: nothing
    // is reported (a wrong context cannot be told from a wrong path).
    let published = client.diagnostics(&dockerfile);
    assert_eq!(codes(&published), Vec::<String>::new(), "{published:#}");
    let config = root.join(".plimsoll.yaml");
    std::fs::write(
        &config,
        "build-contexts:\n  - dockerfile: docker/*.Dockerfile\n    context: .\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 1}]}),
    );
    let published = diagnostics_until(&mut client, &dockerfile, |d| {
        !with_code(d, "DF080").is_empty()
    });
    let missing = with_code(&published, "DF080");
    assert_eq!(missing.len(), 1, "{published:#}");
    assert_eq!(missing[0]["range"], range((1, 18), (1, 34)));
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `package-lock.json`?"),
        "{published:#}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}
