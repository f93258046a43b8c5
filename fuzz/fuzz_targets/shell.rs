//! Shell analysis on arbitrary text: as a heredoc body (`analyze_str`) and as the RUN lines of
//! the same text read as a Dockerfile (`analyze`). No panic, spans inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::syntax::dockerfile::{self, shell};
use plimsoll_fuzz::assert_spans;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let script = shell::analyze_str(text, 0);
    assert_spans(text, &script);
    let df = dockerfile::parse(text);
    for ins in &df.instructions {
        if let dockerfile::Command::Run(dockerfile::ShellOrExec::Shell(t)) = &ins.command {
            assert_spans(text, &shell::analyze(t));
        }
        for heredoc in &ins.heredocs {
            // As the engine does it: the body as written, so spans map one to one.
            let body = heredoc.body.span.text(text);
            assert_spans(text, &shell::analyze_str(body, heredoc.body.span.start));
        }
    }
});
