//! A framing-checking layer between the client's byte stream and tower-lsp-server.
//!
//! tower-lsp-server answers a message it cannot decode (invalid JSON, or JSON that is not a
//! JSON-RPC message) with an error and then stops reading: the session is over. An editor that
//! sends one bad message should get an error and carry on, so every message is checked here
//! first: well-formed ones are passed on unchanged, bad ones are answered here (`-32700` parse
//! error for invalid JSON, `-32600` invalid request for JSON that is not a message) and never
//! reach the library. Answers are written between the library's own frames, never inside one.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

/// Longest header line accepted; longer ones are garbage.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// Largest message body accepted (bigger bodies are skipped and answered with an error).
const MAX_BODY: usize = 512 * 1024 * 1024;

/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// One complete frame for the output.
fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// An error response (`id` is `null` unless the message's id could be read).
fn error_frame(id: serde_json::Value, code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    });
    frame(body.to_string().as_bytes())
}

/// What to do with one message body.
enum Verdict {
    Forward,
    Answer(Vec<u8>),
}

/// Exactly the check the library's decoder makes (its message type is a request or a
/// response), so a forwarded message can never end the session.
fn judge(body: &[u8]) -> Verdict {
    if std::str::from_utf8(body).is_err() {
        return Verdict::Answer(error_frame(
            serde_json::Value::Null,
            PARSE_ERROR,
            "Parse error: the message is not UTF-8",
        ));
    }
    if serde_json::from_slice::<jsonrpc::Request>(body).is_ok()
        || serde_json::from_slice::<jsonrpc::Response>(body).is_ok()
    {
        return Verdict::Forward;
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(err) => Verdict::Answer(error_frame(
            serde_json::Value::Null,
            PARSE_ERROR,
            &format!("Parse error: {err}"),
        )),
        Ok(value) => {
            // Echo the id when it is a valid one, so the client can match the answer.
            let id = value
                .get("id")
                .filter(|id| id.is_string() || id.is_i64())
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            Verdict::Answer(error_frame(
                id,
                INVALID_REQUEST,
                "Invalid request: not a JSON-RPC 2.0 request, notification or response",
            ))
        }
    }
}

/// Read one header block; `Ok(None)` at end of input, `Ok(Some(None))` for a block without a
/// usable `Content-Length`.
async fn read_headers<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Option<usize>>> {
    let mut length = None;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *reader)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(if any { Some(length) } else { None });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                return Ok(Some(length));
            }
            // Blank lines between messages are skipped.
            continue;
        }
        any = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
}

/// Pass the client's messages from `input` to `to_server`, answering bad ones on `answers`.
/// Returns at end of input (or when the server side is gone).
async fn check_input<R, W>(input: R, to_server: &mut W, answers: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        let length = match read_headers(&mut reader).await {
            Ok(Some(Some(length))) => length,
            Ok(Some(None)) => {
                let answer = error_frame(
                    serde_json::Value::Null,
                    PARSE_ERROR,
                    "Parse error: message without a valid Content-Length header",
                );
                if answers.send(answer).is_err() {
                    return;
                }
                continue;
            }
            Ok(None) | Err(_) => return,
        };
        if length > MAX_BODY {
            let skipped = tokio::io::copy(
                &mut (&mut reader).take(length as u64),
                &mut tokio::io::sink(),
            )
            .await;
            let answer = error_frame(
                serde_json::Value::Null,
                PARSE_ERROR,
                "Parse error: message too large",
            );
            if skipped.is_err() || answers.send(answer).is_err() {
                return;
            }
            continue;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        match judge(&body) {
            Verdict::Forward => {
                let sent = to_server.write_all(&frame(&body)).await;
                if sent.is_err() || to_server.flush().await.is_err() {
                    return;
                }
            }
            Verdict::Answer(answer) => {
                if answers.send(answer).is_err() {
                    return;
                }
            }
        }
    }
}

/// The end of the first complete frame in `buffer`, if there is one.
fn complete_frame(buffer: &[u8]) -> Option<usize> {
    let header_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let headers = std::str::from_utf8(buffer.get(..header_end)?).ok()?;
    let length = headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    })?;
    let end = header_end.checked_add(length)?;
    (buffer.len() >= end).then_some(end)
}

/// Copy the library's frames from `from_server` to `output`, writing the answers from
/// `answers` between frames. Returns when the library has finished writing.
async fn merge_output<R, O>(
    mut from_server: R,
    output: O,
    mut answers: mpsc::UnboundedReceiver<Vec<u8>>,
) where
    R: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let mut output = std::pin::pin!(output);
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    let mut answers_open = true;
    loop {
        tokio::select! {
            // Both branches are cancel-safe: a read that loses the race has read nothing.
            read = from_server.read(&mut chunk) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
                let mut written = 0;
                while let Some(end) = buffer.get(written..).and_then(complete_frame) {
                    let Some(whole) = buffer.get(written..written + end) else { break };
                    if output.write_all(whole).await.is_err() {
                        return;
                    }
                    written += end;
                }
                buffer.drain(..written);
                if written > 0 && output.flush().await.is_err() {
                    return;
                }
            }
            answer = answers.recv(), if answers_open => {
                match answer {
                    // Only whole frames have been written, so this lands between two.
                    Some(answer) => {
                        if output.write_all(&answer).await.is_err() || output.flush().await.is_err() {
                            return;
                        }
                    }
                    None => answers_open = false,
                }
            }
        }
    }
    // Whatever the library wrote last (it always writes whole frames).
    if !buffer.is_empty() {
        let _ = output.write_all(&buffer).await;
    }
    let _ = output.flush().await;
}

/// Run `serve_inner` (the library's server on the given streams) behind the checking layer.
pub(crate) async fn checked<I, O, F, Fut>(input: I, output: O, serve_inner: F)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
    F: FnOnce(
        tokio::io::ReadHalf<tokio::io::SimplexStream>,
        tokio::io::WriteHalf<tokio::io::SimplexStream>,
    ) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (server_in_read, server_in_write) = tokio::io::simplex(1 << 16);
    let (server_out_read, server_out_write) = tokio::io::simplex(1 << 16);
    let (answers_tx, answers_rx) = mpsc::unbounded_channel();
    let serving = async {
        // The library ends on `exit` (or at the end of its input); its output then ends too.
        tokio::join!(
            serve_inner(server_in_read, server_out_write),
            merge_output(server_out_read, output, answers_rx)
        );
    };
    let reading = async {
        let mut server_in_write = server_in_write;
        check_input(input, &mut server_in_write, answers_tx).await;
        // End of the client's input: shut the pipe so the library reads its end and stops.
        // Dropping a split half would not do it: the other half keeps the pipe open, and a
        // client that closed stdin without `exit` would leave the server running for ever.
        let _ = server_in_write.shutdown().await;
        // Then wait for the library to finish on the other branch.
        std::future::pending::<()>().await;
    };
    tokio::select! {
        () = serving => {}
        () = reading => {}
    }
}
