//! JSON-RPC framing for driving `plimsoll lsp` over its stdio, shared by the protocol tests
//! (tests/lsp.rs) and the re-lint benchmark (benches/lsp_relint.rs).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout};
use std::sync::mpsc::{self, Receiver};

/// Read the server's messages on a thread of their own; the channel ends with the output.
pub fn read_messages(stdout: ChildStdout) -> Receiver<serde_json::Value> {
    let (tx, incoming) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; length.expect("Content-Length header")];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let message = serde_json::from_slice(&body).expect("JSON body");
            if tx.send(message).is_err() {
                return;
            }
        }
    });
    incoming
}

/// Write one framed message body.
pub fn write_frame(stdin: &mut ChildStdin, body: &str) {
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
    stdin.flush().expect("flush to the server");
}
