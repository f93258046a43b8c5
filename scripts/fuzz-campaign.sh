#!/usr/bin/env bash
# The fuzzing campaign: every fuzz target for SECONDS each (default 1800), JOBS at a time
# (default 2), under `nice`, with AddressSanitizer and the limits of fuzz/run.sh. Corpora grow
# in fuzz/corpus/<target> (seeded by fuzz/seed.sh and kept between runs), crash inputs land in
# fuzz/artifacts/<target>. A target that crashes is restarted for the rest of its time (at most
# MAX_RESTARTS times), so one crash does not end its run. At the end, one table row per target,
# ready to paste into fuzz/README.md: time, executions, execs/s, corpus size, crashes, peak RSS.
# A target whose source is absent (not merged yet) is skipped with a note.
# libFuzzer's per-input timeout is FUZZ_TIMEOUT seconds (default 30: two campaigns on 2 shared cores
# made 10 s too tight for the 100,000-node alias budget under AddressSanitizer).
# Usage: scripts/fuzz-campaign.sh [SECONDS] [TARGET...]   (JOBS=1 for one at a time)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
seconds=${1:-1800}
[ $# -gt 0 ] && shift
all_targets="dockerfile_parse yaml_compose shell check_pipeline config_file baseline policy_input lsp_framing"
read -r -a requested <<<"${*:-$all_targets}"
jobs=${JOBS:-2}
max_restarts=${MAX_RESTARTS:-5}
logs="$fuzz/campaign"

targets=()
for target in "${requested[@]}"; do
    if [ -f "$fuzz/fuzz_targets/$target.rs" ]; then
        targets+=("$target")
    else
        echo "skipped $target: no fuzz/fuzz_targets/$target.rs" >&2
    fi
done
[ ${#targets[@]} -gt 0 ] || { echo "no target to run" >&2; exit 2; }

"$fuzz/seed.sh" >&2
# Build once, before the runs start, so parallel runs do not wait on each other's builds.
for target in "${targets[@]}"; do
    (cd "$fuzz" && nice -n 10 cargo +nightly fuzz build "$target") >&2
done
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin_dir="$fuzz/target/$triple/release"
mkdir -p "$logs"

# stat NAME LOG: the last value of libFuzzer's `stat::NAME:` line in LOG (0 when absent).
stat() {
    local value
    value=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
    echo "${value:-0}"
}

# Files in a directory (0 when it does not exist).
count_files() {
    if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi
}

# run_target TARGET: fuzz it for $seconds in total, write "$logs/TARGET.row".
run_target() {
    local target=$1
    local corpus="$fuzz/corpus/$target" artifacts="$fuzz/artifacts/$target"
    local log="$logs/$target.log" run_log="$logs/$target.run.log"
    mkdir -p "$corpus" "$artifacts"
    : >"$log"
    local crashes start now remaining restarts=0 executions=0 peak_rss=0 rss runs
    crashes=0
    start=$(date +%s)
    remaining=$seconds
    runs=0
    while [ "$remaining" -gt 0 ]; do
        runs=$((runs + 1))
        # -rss_limit_mb: a leak or an unbounded allocation is a finding too.
        nice -n 10 "$bin_dir/$target" "$corpus" \
            -max_total_time="$remaining" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$artifacts/" </dev/null >"$run_log" 2>&1 || true
        cat "$run_log" >>"$log"
        executions=$((executions + $(stat number_of_executed_units "$run_log")))
        rss=$(stat peak_rss_mb "$run_log")
        [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
        now=$(date +%s)
        remaining=$((seconds - (now - start)))
        # Failures written by this run (a known one counts again: its file already exists).
        crashes=$((crashes + $(grep -cE 'Test unit written to .*/(crash|oom|leak|timeout)-' \
            "$run_log" || true)))
        # libFuzzer names a failure after the SHA-1 of its input, as seed.sh and libFuzzer name
        # corpus files: drop a failing input from the corpus (its copy stays in the artifacts),
        # so a restarted run does not stop at it again.
        find "$artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'leak-*' \
            -o -name 'timeout-*' \) | while read -r failure; do
            rm -f "$corpus/${failure##*-}"
        done
        # A clean run uses its whole time; an early end is a crash (or a broken binary).
        if [ "$remaining" -gt 0 ]; then
            restarts=$((restarts + 1))
            if [ "$restarts" -gt "$max_restarts" ]; then
                echo "$target: stopped after $max_restarts restarts (see $log)" >&2
                break
            fi
        fi
    done
    rm -f "$run_log"
    local elapsed units per_second
    elapsed=$(($(date +%s) - start))
    units=$(count_files "$corpus")
    per_second=$((executions / (elapsed > 0 ? elapsed : 1)))
    printf '| `%s` | %s s | %s | %s | %s units | %s | %s MB |\n' \
        "$target" "$elapsed" "$(group "$executions")" "$(group "$per_second")" \
        "$(group "$units")" "$crashes" "$peak_rss" >"$logs/$target.row"
    echo "$target: done in $elapsed s, $crashes crash(es), $runs run(s)" >&2
}

# 1234567 -> 1,234,567
group() {
    echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

# JOBS lanes, each running its share of the targets one after the other.
for ((lane = 0; lane < jobs; lane++)); do
    (
        for ((i = lane; i < ${#targets[@]}; i += jobs)); do
            run_target "${targets[$i]}"
        done
    ) &
done
wait

echo "| Target | Time | Executions | Execs/s | Corpus | Crashes | Peak RSS |"
echo "|---|---|---|---|---|---|---|"
for target in "${targets[@]}"; do
    cat "$logs/$target.row"
done
