//! `.plimsoll.yaml` on arbitrary bytes, through the function the CLI and the language server use
//! to read a config text (`config::parse`), then the settings it resolves to applied to a fixed
//! Dockerfile and compose file. No panic; every error lies inside the text (span on char
//! boundaries, line and column inside it) and its message is short.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use plimsoll::workspace::config::{self, Chain, CliOverrides};
use plimsoll::linter::engine;
use plimsoll::{FileKind, SourceFile};
use plimsoll_fuzz::{FIXED_COMPOSE, FIXED_DOCKERFILE, assert_short, assert_spans, span_ok};

/// A directory that does not exist: relative `extends:` and `policies:` entries resolve to
/// nothing, so the target reads no files of the machine it runs on.
const DIR: &str = "/nonexistent-plimsoll-fuzz";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(DIR).join(".plimsoll.yaml");
    let file = match config::parse(&path, text) {
        Ok(file) => file,
        Err(errors) => {
            assert!(!errors.is_empty(), "Err with no errors");
            let lines = text.split('\n').count();
            for error in &errors {
                assert_short("config error", &error.message);
                // Errors of other files (policy files found through `policies:`) point there.
                if error.path != path {
                    continue;
                }
                if let Some(span) = error.span
                    && let Err(problem) = span_ok(text, span.start, span.end)
                {
                    panic!("error span of {:?}: {problem}", error.message);
                }
                if let Some(at) = error.position {
                    assert!(
                        at.line >= 1 && at.line <= lines && at.column >= 1,
                        "error position {}:{} outside the text ({lines} lines): {}",
                        at.line,
                        at.column,
                        error.message
                    );
                }
            }
            return;
        }
    };
    // A file that parsed: what it selects, sets and overrides, applied as the CLI applies it.
    let chain = Chain { files: vec![file] };
    for (name, fixed, kind) in [
        ("app/Dockerfile", FIXED_DOCKERFILE, FileKind::Dockerfile),
        ("app/compose.yaml", FIXED_COMPOSE, FileKind::Compose),
    ] {
        let absolute = Path::new(DIR).join(name);
        let resolved = config::resolve(Some(&chain), &absolute, &CliOverrides::default());
        let source = SourceFile::new(&absolute, fixed, kind);
        let findings = engine::check(&source, &resolved.settings);
        assert_spans(fixed, &findings);
        for finding in &findings {
            assert_short("finding", &finding.message);
        }
    }
    let _ = chain.excludes(&Path::new(DIR).join("app/Dockerfile"));
    let _ = chain.included_kind(&Path::new(DIR).join("app/Containerfile"));
});
