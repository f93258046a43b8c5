#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-hooks.yaml, for real: installs pre-commit from PyPI into a
# throw-away venv, checks the manifest, checks that the `files` regex picks exactly the names
# plimsoll itself recognises, then runs `pre-commit try-repo` against this repository on two
# fixture repositories: one with a bad Dockerfile (must fail with the finding), one clean (must
# pass; it also holds a YAML file the regex must skip and a broken Dockerfile its config excludes).
#
# `language: rust` makes pre-commit `cargo install --path .` this repository (release build,
# without --locked): from a clean clone that is one cold release build, the slow part of this
# script (measured: 381 s, 4.5 min of CPU, on 2 busy cores; 71 s when only plimsoll rebuilds). Run from a clean clone: try-repo sees committed files
# and uncommitted changes to tracked files only.
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built if missing), PRE_COMMIT_VERSION.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ci_setup

echo "-- installing pre-commit"
ci_venv "pre-commit==${PRE_COMMIT_VERSION:-4.7.0}"
pre_commit=$venv_bin/pre-commit
"$pre_commit" --version
"$pre_commit" validate-manifest .pre-commit-hooks.yaml

echo "-- the files regex matches what plimsoll recognises"
names=(
  Dockerfile dockerfile DOCKERFILE Dockerfile.prod Dockerfile-dev Dockerfile_19c api.Dockerfile
  api.dockerfile Containerfile Containerfile.in Containerfile-hardlinks Dockerfile.dockerignore
  compose.yaml compose.yml docker-compose.yml docker-compose.prod.yml podman-compose.yml
  compose.override.yaml Compose.YAML my-compose-stack.yml Dockerfile-compose.yml
  Dockerfile.yaml Dockerfile.yml values.yaml README.md Dockerfiles build.sh app.containerfile
  compose.json composer.json docker-compose.yml.bak xDockerfile
  dockerfile.rego Dockerfile.md Dockerfile.json containerfile.sh Dockerfile.prod.txt Dockerfile.rs
)
mkdir -p "$tmp/names/sub"
for name in "${names[@]}"; do
  printf 'FROM alpine:3.20\n' > "$tmp/names/sub/$name"
done
"$bin" check --format json "$tmp/names" > "$tmp/names.json" || true
"$venv_bin/python" - "$tmp/names.json" "$tmp/names" <<'PY'
import json, re, sys, yaml
report = json.load(open(sys.argv[1]))
prefix = sys.argv[2].rstrip("/") + "/"
recognised = sorted(f["path"][len(prefix):] for f in report["files"])
hooks = yaml.safe_load(open(".pre-commit-hooks.yaml"))
assert [h["id"] for h in hooks] == ["plimsoll", "plimsoll-system", "plimsoll-fix"], hooks
assert all(h["files"] == hooks[0]["files"] for h in hooks), "the hooks use the same regex"
pattern = re.compile(hooks[0]["files"])
import os
all_names = sorted("sub/" + n for n in os.listdir(prefix + "sub"))
matched = sorted(n for n in all_names if pattern.search(n))
assert matched == recognised, f"\nregex matches:     {matched}\nplimsoll checks:   {recognised}"
print(f"ok: {len(matched)} of {len(all_names)} names match, the same as plimsoll's")
PY

echo "-- fixture repositories"
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
make_repo "$tmp/bad" \
  Dockerfile 'FROM alpine:3.20\nRUNN echo hi\nUSER 10001\n' \
  README.md 'not linted\n'
make_repo "$tmp/good" \
  Dockerfile 'FROM alpine:3.20\nUSER 10001\n' \
  services/compose.yaml 'services:\n  web:\n    image: nginx:1.27\n    user: "10001"\n    deploy:\n      resources:\n        limits: {memory: 256M, cpus: "0.5", pids: 100}\n' \
  charts/values.yaml 'RUNN this would be a parse error if it were linted\n' \
  legacy/Dockerfile 'RUNN excluded by the config below\n' \
  .plimsoll.yaml 'exclude:\n  - legacy/\n'
make_repo "$tmp/fixable" \
  Dockerfile 'from alpine:3.20\nENV A b\nUSER 10001\n'

# The hook's `cargo install` (a release build) goes to a target dir of its own under target/, kept
# between runs: a second local run rebuilds only the plimsoll crate. The normal CARGO_HOME is
# kept, so crates already downloaded are not fetched again.
export CARGO_TARGET_DIR=$root/target/pre-commit-hook PRE_COMMIT_HOME=$tmp/pre-commit-home

try_repo() { # fixture dir, hook id, log file
  (cd "$1" && "$pre_commit" try-repo "$root" "$2" --all-files --color=never) > "$3" 2>&1
}

echo "-- try-repo plimsoll (language: rust) on the bad fixture: must fail"
start=$(date +%s)
set +e
try_repo "$tmp/bad" plimsoll "$tmp/bad.log"
rc=$?
set -e
echo "   (took $(( $(date +%s) - start ))s, including the hook's cargo install)"
cat "$tmp/bad.log"
if [ "$rc" -ne 1 ]; then
  # pre-commit keeps cargo's own error in its log, not in its output: show it, and the disk.
  echo "FAIL: expected exit 1, got $rc; pre-commit's log (last 60 lines) and the free disk:"
  tail -n 60 "$PRE_COMMIT_HOME/pre-commit.log" 2>/dev/null || true
  df -h "$root" "$tmp" || true
  exit 1
fi
grep -q 'PL000' "$tmp/bad.log" || { echo "FAIL: the parse error is not reported"; exit 1; }
grep -q 'Dockerfile' "$tmp/bad.log"

echo "-- try-repo plimsoll on the good fixture: must pass"
try_repo "$tmp/good" plimsoll "$tmp/good.log" || { cat "$tmp/good.log"; echo "FAIL: the clean fixture failed"; exit 1; }
grep -q 'Passed' "$tmp/good.log" || { cat "$tmp/good.log"; echo "FAIL: the hook did not run"; exit 1; }

echo "-- try-repo plimsoll-fix on a fixable fixture: fixes it, and fails because files changed"
set +e
try_repo "$tmp/fixable" plimsoll-fix "$tmp/fix.log"
rc=$?
set -e
fixed=$(cat "$tmp/fixable/Dockerfile")
[ "$rc" -eq 1 ] && [ "$fixed" = "$(printf 'FROM alpine:3.20\nENV A=b\nUSER 10001')" ] \
  || { cat "$tmp/fix.log"; echo "FAIL: plimsoll-fix (exit $rc) left: $fixed"; exit 1; }
grep -q 'files were modified by this hook' "$tmp/fix.log" || { cat "$tmp/fix.log"; echo "FAIL: pre-commit did not see the fix"; exit 1; }

echo "-- try-repo plimsoll-system (language: system) with the built binary on PATH"
export PATH="$(dirname "$bin"):$PATH"
set +e
try_repo "$tmp/bad" plimsoll-system "$tmp/bad-system.log"
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q 'PL000' "$tmp/bad-system.log" || { cat "$tmp/bad-system.log"; echo "FAIL: system hook"; exit 1; }
try_repo "$tmp/good" plimsoll-system "$tmp/good-system.log" || { cat "$tmp/good-system.log"; echo "FAIL: system hook on the clean fixture"; exit 1; }
echo "== pre-commit hooks ok"
