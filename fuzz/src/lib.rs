//! Helpers shared by the fuzz targets: the span invariants of the test suite (included by path
//! so both check the same thing), the full check-and-render pipeline, and the small fixed files
//! the configuration and baseline targets check against.

use std::sync::OnceLock;

use plimsoll::linter::engine::{self, Settings};
use plimsoll::report::{self, Format};
use plimsoll::workspace::results::{FileResult, Results};
use plimsoll::{FileKind, SourceFile};

#[path = "../../tests/common/invariants.rs"]
mod invariants;

pub use invariants::{span_ok, spans_ok};

/// Panic (a crash for libFuzzer) when a span of `value` is outside `text` or off a boundary.
pub fn assert_spans<T: serde::Serialize>(text: &str, value: &T) {
    if let Err(problem) = spans_ok(text, value) {
        panic!("{problem}");
    }
}

/// Every rule, built once (`--select all`).
pub fn all_rules() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| Settings::from_selectors(&["all".to_string()], &[], &[]))
}

/// Check `text` as `kind` with every rule, assert the findings' spans, render every format.
pub fn check_and_render(text: &str, kind: FileKind) {
    let source = SourceFile::new("fuzz/Dockerfile", text, kind);
    let findings = engine::check(&source, all_rules());
    assert_spans(text, &findings);
    let results = Results {
        files: vec![FileResult { source, findings }],
        errors: Vec::new(),
        skipped: Vec::new(),
    };
    for format in Format::ALL {
        let mut out = Vec::new();
        if let Err(err) = report::write(format, &results, report::Options::default(), &mut out) {
            panic!("{} failed: {err}", format.name());
        }
        if format.is_json() {
            if let Err(err) = serde_json::from_slice::<serde_json::Value>(&out) {
                panic!("{} is not JSON: {err}", format.name());
            }
        }
    }
}

/// The longest message a config or baseline error may carry: messages quote short excerpts of
/// the input, never whole lines of it.
pub const MAX_MESSAGE: usize = 4096;

/// A small fixed Dockerfile with findings from several rules (the fuzzed configs and baselines
/// are applied to it; `seed.sh` records a baseline of it).
pub const FIXED_DOCKERFILE: &str = include_str!("../fixed/Dockerfile");

/// A small fixed compose file with findings from several rules.
pub const FIXED_COMPOSE: &str = include_str!("../fixed/compose.yaml");

/// Panic when `message` is longer than [`MAX_MESSAGE`] bytes.
pub fn assert_short(what: &str, message: &str) {
    assert!(
        message.len() <= MAX_MESSAGE,
        "{what} message of {} bytes (more than {MAX_MESSAGE}): {}…",
        message.len(),
        message.chars().take(200).collect::<String>()
    );
}
