//! A baseline file (`--baseline FILE`) on arbitrary bytes, through the reader the CLI uses
//! (`Baseline::parse`), then matched against the findings of a fixed Dockerfile. No panic; an
//! error message is short; a baseline read back from its own JSON is the same baseline; the
//! findings it drops are exactly the multiset intersection of its entries and the findings.
#![no_main]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plimsoll::workspace::baseline::{self, Baseline};
use plimsoll::workspace::results::{FileResult, Results};
use plimsoll::linter::engine;
use plimsoll::{FileKind, Finding, SourceFile};
use plimsoll_fuzz::{FIXED_DOCKERFILE, all_rules, assert_short};

const BASE_DIR: &str = "/fuzz";
const FILE: &str = "/fuzz/app/Dockerfile";
/// The fixed file's path as a baseline records it (relative to the baseline's directory).
const RECORDED_PATH: &str = "app/Dockerfile";

/// The paths of the fixed results are absolute already.
fn as_absolute(path: &Path) -> PathBuf {
    path.to_path_buf()
}

/// The fixed Dockerfile's results with `findings`.
fn results_with(findings: Vec<Finding>) -> Results {
    let source = SourceFile::new(FILE, FIXED_DOCKERFILE, FileKind::Dockerfile);
    Results {
        files: vec![FileResult { source, findings }],
        errors: Vec::new(),
    }
}

/// The findings of the fixed Dockerfile with every rule, and their fingerprints, computed once.
fn fixed_findings() -> &'static (Vec<Finding>, Vec<String>) {
    static FINDINGS: OnceLock<(Vec<Finding>, Vec<String>)> = OnceLock::new();
    FINDINGS.get_or_init(|| {
        let source = SourceFile::new(FILE, FIXED_DOCKERFILE, FileKind::Dockerfile);
        let findings = engine::check(&source, all_rules());
        assert!(!findings.is_empty(), "the fixed Dockerfile has no findings");
        let prints = baseline::fingerprints(&source, &findings);
        // Sanity: the baseline recorded from these findings absorbs every one of them.
        let results = results_with(findings.clone());
        let recorded = Baseline::record(&results, Path::new(BASE_DIR), &as_absolute);
        let mut again = results_with(findings.clone());
        let dropped = recorded.filter(&mut again, Path::new(BASE_DIR), &as_absolute);
        assert_eq!(
            dropped,
            findings.len(),
            "a recorded baseline keeps findings"
        );
        (findings, prints)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = match Baseline::parse(text) {
        Ok(parsed) => parsed,
        Err(message) => {
            assert_short("baseline error", &message);
            return;
        }
    };
    // What `--write-baseline` would write for it reads back as the same baseline.
    assert_eq!(
        Baseline::parse(&parsed.to_json()).as_ref(),
        Ok(&parsed),
        "to_json does not read back"
    );

    let (findings, prints) = fixed_findings();
    // The expected number dropped: per (code, path, fingerprint), the smaller of the two counts.
    let mut in_baseline: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for entry in &parsed.findings {
        *in_baseline
            .entry((&entry.code, &entry.path, &entry.fingerprint))
            .or_default() += 1;
    }
    let mut expected = 0;
    for (finding, print) in findings.iter().zip(prints) {
        if let Some(count) = in_baseline.get_mut(&(&*finding.code, RECORDED_PATH, print.as_str()))
            && *count > 0
        {
            *count -= 1;
            expected += 1;
        }
    }

    let mut filtered = results_with(findings.clone());
    let dropped = parsed.filter(&mut filtered, Path::new(BASE_DIR), &as_absolute);
    assert_eq!(dropped, expected, "dropped findings");
    assert_eq!(
        filtered.finding_count() + dropped,
        findings.len(),
        "findings lost or invented"
    );
});
