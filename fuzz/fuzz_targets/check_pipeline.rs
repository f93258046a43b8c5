//! The whole pipeline on arbitrary bytes, as `plimsoll check --select all` runs it: decode, parse
//! as a Dockerfile and as compose, run every rule, check the findings' spans, render every
//! output format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::FileKind;
use plimsoll_fuzz::check_and_render;

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 is refused by the runner before any parsing (tested in tests/hostile.rs).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_and_render(text, FileKind::Dockerfile);
    check_and_render(text, FileKind::Compose);
});
