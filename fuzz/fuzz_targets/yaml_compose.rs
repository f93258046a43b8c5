//! The YAML tree and the compose model on arbitrary text: no panic, spans inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::syntax::{compose, yaml};
use plimsoll_fuzz::assert_spans;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tree = yaml::parse(text);
    assert_spans(text, &tree);
    let model = compose::parse(text);
    assert_spans(text, &model);
});
