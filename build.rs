//! The version `plimsoll --version` prints: for a release build from a git checkout, the commit
//! and its date after the version (`0.1.0 (3353a5b2c1d0 2026-12-07)`), so a bug report says
//! exactly what was built. Debug builds skip git, so a commit does not rebuild the crate.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PLIMSOLL_BUILD_COMMIT");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    // A packaged source (crates.io, a tarball) has no .git: the version alone, unless the
    // packager names the commit.
    let commit = std::env::var("PLIMSOLL_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            if !release || !Path::new(".git").exists() {
                return None;
            }
            // (A path that does not exist would rerun this script on every build.)
            let watch = |path: String| {
                if Path::new(&path).exists() {
                    println!("cargo:rerun-if-changed={path}");
                }
            };
            watch(".git/HEAD".to_string());
            if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
                watch(format!(".git/{reference}"));
            }
            watch(".git/packed-refs".to_string());
            // A branch whose ref is packed gets a loose ref file at its next commit or pull:
            // cargo scans a watched directory for any change.
            watch(".git/refs/heads".to_string());
            let hash = git(&["rev-parse", "--short=12", "HEAD"])?;
            let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
            Some(format!("{hash} {date}").trim().to_string())
        });
    let long = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=PLIMSOLL_LONG_VERSION={long}");
}
