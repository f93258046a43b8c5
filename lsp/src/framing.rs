//! A framing-checking layer between the client's byte stream and tower-lsp-server.
//!
//! tower-lsp-server answers a message it cannot decode (invalid JSON, or JSON that is not a
//! JSON-RPC message) with an error and then stops reading: the session is over. An editor that
//! sends one bad message should get an error and carry on, so every message is checked here
//! first: well-formed ones are passed on unchanged, bad ones are answered here (`-32700` parse
//! error for invalid JSON, `-32600` invalid request for JSON that is not a message) and never
//! reach the library. Answers are written between the library's own frames, never inside one.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

use crate::SessionEnd;

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

/// The header that carries a frame's length, lower case: the point to resynchronise at.
const LENGTH_HEADER: &[u8] = b"content-length:";

/// Where `LENGTH_HEADER` starts in `line`, in any case.
fn length_header_at(line: &[u8]) -> Option<usize> {
    line.windows(LENGTH_HEADER.len())
        .position(|window| window.eq_ignore_ascii_case(LENGTH_HEADER))
}

/// Read one header block whose first line starts with `first_line_start` (bytes already
/// consumed); `Ok(None)` at end of input, `Ok(Some(None))` for a block without a usable
/// `Content-Length`. A line with `Content-Length:` in its middle (the tail of a body shorter
/// than its header said, then the next frame) starts the block again at that header.
async fn read_headers<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    first_line_start: &[u8],
) -> std::io::Result<Option<Option<usize>>> {
    let mut length = None;
    let mut any = false;
    let mut line = first_line_start.to_vec();
    loop {
        let n = (&mut *reader)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 && line.is_empty() {
            return Ok(if any { Some(length) } else { None });
        }
        if let Some(at) = length_header_at(&line).filter(|&at| at > 0) {
            line.drain(..at);
            length = None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                return Ok(Some(length));
            }
            // Blank lines between messages are skipped.
            line.clear();
            continue;
        }
        any = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
        line.clear();
    }
}

/// Skip input up to and including the next `Content-Length:` (in any case), reading it in
/// the reader's buffer-sized pieces; `false` at end of input.
async fn skip_to_length_header<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<bool> {
    // The header has no proper prefix that is also its suffix, so a mismatch can only restart
    // the match at its first byte.
    let mut matched = 0;
    loop {
        let buffer = reader.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(false);
        }
        let mut used = 0;
        for &byte in buffer {
            used += 1;
            let byte = byte.to_ascii_lowercase();
            matched = if LENGTH_HEADER.get(matched) == Some(&byte) {
                matched + 1
            } else {
                usize::from(LENGTH_HEADER.first() == Some(&byte))
            };
            if matched == LENGTH_HEADER.len() {
                reader.consume(used);
                return Ok(true);
            }
        }
        reader.consume(used);
    }
}

/// A `window/logMessage` notification (a warning) for the client's log.
fn log_frame(message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "method": "window/logMessage",
        "params": {"type": 2, "message": message},
    });
    frame(body.to_string().as_bytes())
}

/// What the client's messages said about the end of the session.
#[derive(Debug, Default)]
struct Requested {
    shutdown: AtomicBool,
    exit: AtomicBool,
}

/// Note a forwarded message that ends the session (`shutdown`, `exit`).
fn note_ending(body: &[u8], requested: &Requested) {
    if let Ok(request) = serde_json::from_slice::<jsonrpc::Request>(body) {
        match request.method() {
            "shutdown" => requested.shutdown.store(true, Ordering::Relaxed),
            "exit" => requested.exit.store(true, Ordering::Relaxed),
            _ => {}
        }
    }
}

/// Pass the client's messages from `input` to `to_server`, answering bad ones on `answers`.
/// After a header block without a usable `Content-Length` its body (of unknown length) is
/// skipped up to the next `Content-Length:` header, and serving goes on from there.
/// Returns at end of input (or when the server side is gone).
async fn check_input<R, W>(
    input: R,
    to_server: &mut W,
    answers: mpsc::UnboundedSender<Vec<u8>>,
    requested: &Requested,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    let mut first_line_start: &[u8] = b"";
    loop {
        let headers = read_headers(&mut reader, first_line_start).await;
        first_line_start = b"";
        let length = match headers {
            Ok(Some(Some(length))) => length,
            Ok(Some(None)) => {
                let mut answer = error_frame(
                    serde_json::Value::Null,
                    PARSE_ERROR,
                    "Parse error: message without a valid Content-Length header",
                );
                // One send for both frames: they reach the client together, before anything
                // the server says about later messages.
                answer.extend(log_frame(
                    "plimsoll: a message had no valid Content-Length header; its body was \
                     skipped up to the next Content-Length header",
                ));
                if answers.send(answer).is_err() {
                    return;
                }
                match skip_to_length_header(&mut reader).await {
                    Ok(true) => first_line_start = b"Content-Length:",
                    Ok(false) | Err(_) => return,
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
        // Grown as the bytes arrive: a header claiming a huge body costs nothing until sent.
        let mut body = Vec::new();
        let read = (&mut reader)
            .take(length as u64)
            .read_to_end(&mut body)
            .await;
        if read.is_err() || body.len() < length {
            return;
        }
        match judge(&body) {
            Verdict::Forward => {
                note_ending(&body, requested);
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

/// Run `serve_inner` (the library's server on the given streams) behind the checking layer;
/// how the session ended.
pub(crate) async fn checked<I, O, F, Fut>(input: I, output: O, serve_inner: F) -> SessionEnd
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
    let requested = Requested::default();
    let serving = async {
        // The library ends on `exit` (or at the end of its input); its output then ends too.
        tokio::join!(
            serve_inner(server_in_read, server_out_write),
            merge_output(server_out_read, output, answers_rx)
        );
    };
    let reading = async {
        let mut server_in_write = server_in_write;
        check_input(input, &mut server_in_write, answers_tx, &requested).await;
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
    if requested.exit.load(Ordering::Relaxed) && !requested.shutdown.load(Ordering::Relaxed) {
        SessionEnd::ExitWithoutShutdown
    } else {
        SessionEnd::Clean
    }
}

/// What the checking layer makes of a byte stream, without a server behind it.
#[derive(Debug, Default)]
pub struct Frames {
    /// The bodies passed on to the server, in order.
    pub forwarded: Vec<Vec<u8>>,
    /// The frames written back to the client (errors for bad messages, log messages).
    pub answers: Vec<Vec<u8>>,
}

/// Run the checking layer over `input` alone: what it would pass on and what it would answer.
/// For the fuzz target and tests; the bytes forwarded never exceed the bytes read.
pub fn read_frames(input: &[u8]) -> Frames {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return Frames::default();
    };
    runtime.block_on(async {
        let (answers_tx, mut answers_rx) = mpsc::unbounded_channel();
        let mut to_server: Vec<u8> = Vec::new();
        check_input(input, &mut to_server, answers_tx, &Requested::default()).await;
        let mut frames = Frames::default();
        let mut rest = to_server.as_slice();
        while let Some(end) = complete_frame(rest) {
            let header_end = rest
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(0, |at| at + 4);
            frames
                .forwarded
                .push(rest.get(header_end..end).unwrap_or_default().to_vec());
            rest = rest.get(end..).unwrap_or_default();
        }
        while let Ok(answer) = answers_rx.try_recv() {
            frames.answers.push(answer);
        }
        frames
    })
}

#[cfg(test)]
mod tests {
    use super::read_frames;

    const GOOD: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_headers_are_skipped_up_to_the_next_frame() {
        for header in [
            "Content-Length: abc",
            "Content-Length: -5",
            "Content-Type: x",
        ] {
            let input = format!("{header}\r\n\r\n{{\"x\": 1}}{}", framed(GOOD));
            let frames = read_frames(input.as_bytes());
            assert_eq!(frames.forwarded, [GOOD.as_bytes()], "{header}");
            assert_eq!(frames.answers.len(), 1, "{header}");
            let answer = String::from_utf8_lossy(&frames.answers[0]).into_owned();
            assert!(answer.contains("-32700"), "{answer}");
            assert!(answer.contains("window/logMessage"), "{answer}");
        }
    }

    #[test]
    fn a_body_shorter_than_its_header_says_does_not_lose_the_next_frame() {
        // `Content-Length: 3` takes `{"x` (a parse error); the rest of that body runs into the
        // next frame's header on the same line.
        let input = format!("Content-Length: 3\r\n\r\n{{\"x\": 1}}{}", framed(GOOD));
        let frames = read_frames(input.as_bytes());
        assert_eq!(frames.forwarded, [GOOD.as_bytes()]);
    }

    #[test]
    fn resynchronising_finds_a_header_split_across_reads_and_in_any_case() {
        // Longer than the reader's buffer, so the header straddles two reads.
        let filler = "y".repeat(8 * 1024 - 5);
        let input = format!(
            "Content-Length: nope\r\n\r\n{filler}CONTENT-length: {}\r\n\r\n{GOOD}",
            GOOD.len()
        );
        let frames = read_frames(input.as_bytes());
        assert_eq!(frames.forwarded, [GOOD.as_bytes()]);
    }

    #[test]
    fn a_huge_claimed_length_without_the_bytes_forwards_nothing() {
        let frames = read_frames(b"Content-Length: 500000000\r\n\r\n{}");
        assert!(frames.forwarded.is_empty());
    }
}
