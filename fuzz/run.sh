#!/bin/sh
# Run every fuzz target for SECONDS each (default 300), one after the other, single process
# (the machine is shared), and print libFuzzer's final statistics. Seeds come from seed.sh.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-300}
[ $# -gt 0 ] && shift
targets=${*:-dockerfile_parse yaml_compose shell check_pipeline}
"$here/seed.sh" >/dev/null
cd "$here"
for target in $targets; do
    mkdir -p "artifacts/$target"
    echo "== $target ($seconds s)"
    # -rss_limit_mb: a leak or an unbounded allocation is a finding too.
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" 2>&1 |
        grep -E '^(stat::|Done|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|#[0-9]+ +DONE)' || true
done
