//! The example projects under `examples/` behave as README.md says: `shop/` shows findings of
//! all four core categories at exact spans, `hardened/` is clean.

use std::path::Path;
use std::process::Command;

fn check_json(dir: &str) -> (Option<i32>, serde_json::Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        // Existing expectations hold without ShellCheck, whether or not it is installed.
        .env("PLIMSOLL_SHELLCHECK", "")
        .current_dir(root)
        .args(["check", "--format", "json", dir])
        .output()
        .expect("run plimsoll");
    let report = serde_json::from_slice(&output.stdout).expect("JSON output");
    (output.status.code(), report)
}

#[test]
fn shop_shows_all_four_core_risks_at_exact_spans() {
    let (code, report) = check_json("examples/shop");
    assert_eq!(code, Some(1));
    let findings = report["findings"].as_array().unwrap();
    for category in ["provenance", "privilege", "secrets", "resources"] {
        assert!(
            findings.iter().any(|f| f["category"] == category),
            "no {category} finding in {findings:#?}"
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text_at = |finding: &serde_json::Value| {
        let text = std::fs::read_to_string(root.join(finding["path"].as_str().unwrap())).unwrap();
        let span = &finding["span"];
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        text[start..end].to_string()
    };
    let find = |name: &str| {
        findings
            .iter()
            .filter(|f| f["name"] == name)
            .map(|f| (f["path"].as_str().unwrap().to_string(), text_at(f)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("latest-tag"),
        [(
            "examples/shop/api/Dockerfile".to_string(),
            "latest".to_string()
        )]
    );
    assert_eq!(
        find("untagged-image"),
        [(
            "examples/shop/worker/Dockerfile".to_string(),
            "python".to_string()
        )]
    );
    assert_eq!(
        find("hardcoded-credential"),
        [(
            "examples/shop/worker/Dockerfile".to_string(),
            "AKIAQ3EGRDZ4VXLM7P2T".to_string()
        )]
    );
    assert_eq!(
        find("service-root-user"),
        [("examples/shop/compose.yaml".to_string(), "root".to_string())]
    );
    assert_eq!(
        find("service-no-resource-limits"),
        [(
            "examples/shop/compose.yaml".to_string(),
            "worker".to_string()
        )]
    );
    let root_user = find("root-user");
    assert!(root_user.contains(&(
        "examples/shop/worker/Dockerfile".to_string(),
        "root".to_string()
    )));
}

#[test]
fn hardened_is_clean() {
    let (code, report) = check_json("examples/hardened");
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    assert_eq!(code, Some(0));
}
