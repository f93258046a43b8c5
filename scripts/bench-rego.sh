#!/bin/sh
# Cost of 10 typical Rego policies (scripts/bench-rego/policies/) over a corpus: median wall
# time of `plimsoll check` with the default rules only and with the policies added.
# Usage: scripts/bench-rego.sh [CORPUS] [RUNS]   (defaults: ../shared/corpus, 7)
set -eu
corpus=${1:-../shared/corpus}
runs=${2:-7}
cd "$(dirname "$0")/.."
cargo build --release --quiet
python3 - "$corpus" "$runs" <<'PY'
import statistics, subprocess, sys, time
corpus, runs = sys.argv[1], int(sys.argv[2])
bin = "target/release/plimsoll"
def timed(config):
    args = [bin, "check", "--format", "json", "--config", config, corpus]
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)
without = timed("scripts/bench-rego/without.yaml")
with_ = timed("scripts/bench-rego/with.yaml")
print(f"without Rego policies: median {without[0]:.3f} s (min {without[1]:.3f}, max {without[2]:.3f})")
print(f"with 10 Rego policies: median {with_[0]:.3f} s (min {with_[1]:.3f}, max {with_[2]:.3f})")
print(f"cost of the policies:  {with_[0] - without[0]:+.3f} s ({(with_[0] / without[0] - 1) * 100:+.0f}%)")
PY
