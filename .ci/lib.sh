# Shared setup of the CI scripts (.ci/pre-commit.sh, .ci/action.sh; ci_compare_golden also .ci/nvim.sh, .ci/emacs.sh).
# Sourced, not run: `source "$(dirname "$0")/lib.sh"` right after `set -euo pipefail`.
# ci_setup moves to the repository root and sets `root`, `tmp` (a throw-away directory removed
# on exit) and `bin` (the plimsoll binary to test); ci_venv installs pinned PyPI packages into a
# venv under $tmp and sets `venv_bin` to its bin directory.

# cd to the repository root; set root, tmp (removed on exit) and bin (built when missing).
# Env: PLIMSOLL_BIN (default target/debug/plimsoll).
ci_setup() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  root=$PWD
  tmp=$(mktemp -d)
  # Expanded now, so the trap removes this directory even if `tmp` changes later.
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  # The debug binary `cargo test` already built is enough here.
  bin=${PLIMSOLL_BIN:-$root/target/debug/plimsoll}
  if [ ! -x "$bin" ]; then
    cargo build --locked
  fi
}

# Install the given pip requirements (pinned: `name==version`) into a fresh venv under $tmp and
# set venv_bin to its bin directory. Call after ci_setup.
ci_venv() {
  python3 -m venv "$tmp/venv"
  "$tmp/venv/bin/pip" install -q --disable-pip-version-check "$@"
  venv_bin=$tmp/venv/bin
}

# Compare an editor test's record with its golden file (whose `#` lines are comments); on a
# difference show the diff and exit 1. Used by .ci/nvim.sh and .ci/emacs.sh.
# Usage: ci_compare_golden EDITOR GOLDEN ACTUAL
ci_compare_golden() {
  local editor=$1 golden=$2 actual=$3
  grep -v '^#' "$golden" >"$actual.expected"
  if ! diff -u --label expected.txt --label received "$actual.expected" "$actual"; then
    echo "$editor LSP test: the diagnostics differ from $golden (diff above:" >&2
    echo "- expected, + what $editor showed)" >&2
    exit 1
  fi
}
