//! The Dockerfile parser on arbitrary text: no panic, every span inside the text and on char
//! boundaries, shell-text offset maps pointing into the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::syntax::dockerfile::{self, Command, Healthcheck, ShellOrExec};
use plimsoll_fuzz::{assert_spans, span_ok};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let df = dockerfile::parse(text);
    assert_spans(text, &df);
    for ins in &df.instructions {
        let shell = match &ins.command {
            Command::Run(ShellOrExec::Shell(t))
            | Command::Cmd(ShellOrExec::Shell(t))
            | Command::Entrypoint(ShellOrExec::Shell(t))
            | Command::Healthcheck(Healthcheck::Cmd {
                command: ShellOrExec::Shell(t),
                ..
            }) => t,
            _ => continue,
        };
        let whole = shell.source_span(0, shell.value.len());
        if let Err(problem) = span_ok(text, whole.start, whole.end) {
            panic!("shell text map: {problem}");
        }
    }
});
