#!/bin/sh
# Run every fuzz target for SECONDS each (default 300), one after the other, single process
# (the machine is shared), and print libFuzzer's final statistics. Seeds come from seed.sh.
# A target whose source is absent (not merged yet) is skipped with a note.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
# (scripts/fuzz-campaign.sh runs the long campaign: two at a time, with a summary table.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-300}
[ $# -gt 0 ] && shift
targets=${*:-dockerfile_parse yaml_compose shell check_pipeline config_file baseline policy_input lsp_framing}
"$here/seed.sh" >/dev/null
cd "$here"
for target in $targets; do
    if [ ! -f "fuzz_targets/$target.rs" ]; then
        echo "== $target: skipped (no fuzz_targets/$target.rs)"
        continue
    fi
    mkdir -p "artifacts/$target"
    echo "== $target ($seconds s)"
    # -rss_limit_mb: a leak or an unbounded allocation is a finding too.
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" 2>&1 |
        grep -E '^(stat::|Done|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|#[0-9]+ +DONE)' || true
done
