//! The language server's framing layer on arbitrary client bytes (`plimsoll_lsp::read_frames`):
//! no panic, bounded reads (never more forwarded than came in), and every answer a whole frame
//! whose body is JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frames = plimsoll_lsp::read_frames(data);
    let forwarded: usize = frames.forwarded.iter().map(Vec::len).sum();
    assert!(
        forwarded <= data.len(),
        "{forwarded} bytes forwarded from {}",
        data.len()
    );
    for body in &frames.forwarded {
        // Only messages the server's decoder accepts are passed on.
        assert!(serde_json::from_slice::<serde_json::Value>(body).is_ok());
    }
    for answer in &frames.answers {
        let mut rest = answer.as_slice();
        while !rest.is_empty() {
            let header_end = rest
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("an answer starts with a header block")
                + 4;
            let header = std::str::from_utf8(&rest[..header_end]).expect("ASCII header");
            let length: usize = header
                .trim()
                .strip_prefix("Content-Length: ")
                .and_then(|n| n.parse().ok())
                .expect("a Content-Length header");
            let body = &rest[header_end..header_end + length];
            assert!(serde_json::from_slice::<serde_json::Value>(body).is_ok());
            rest = &rest[header_end + length..];
        }
    }
});
