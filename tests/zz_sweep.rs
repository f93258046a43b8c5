use plimsoll::engine::{self, Settings};
use plimsoll::{FileKind, SourceFile};
use std::collections::BTreeMap;
#[test]
#[ignore]
fn sweep() {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = String::new();
    let settings = Settings::from_selectors(&["all".into()], &[], &[]);
    let mut stack = vec![std::path::PathBuf::from("/work/shared/corpus")];
    let mut files = 0;
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() { stack.push(path); continue; }
            let Some(kind) = FileKind::from_path(&path) else { continue };
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            files += 1;
            let source = SourceFile::new(&path, text, kind);
            for f in engine::check(&source, &settings) {
                *counts.entry(format!("{} {}", f.code, f.name)).or_default() += 1;
                let pos = source.position(f.span.start);
                out.push_str(&format!("{}\t{}:{}\t{}\t{}\n", f.code, path.display(), pos.line, source.slice(f.span).chars().take(60).collect::<String>(), f.message));
            }
        }
    }
    std::fs::write("/tmp/sweep.tsv", out).unwrap();
    eprintln!("files {files}");
    for (k, v) in counts { eprintln!("{v:6} {k}"); }
}
