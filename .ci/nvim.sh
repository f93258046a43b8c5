#!/usr/bin/env bash
# The language server in a real editor: headless Neovim (Debian's package, 0.7; installed when
# missing) loads the user-facing setup editors/neovim/plimsoll.lua, opens the fixtures of
# editors/neovim/test/fixtures/ (a Dockerfile with a non-ASCII line, a compose file, other YAML),
# edits them and records every diagnostics set it receives (editors/neovim/test/run.lua). The
# record must equal editors/neovim/test/expected.txt; a difference is shown as a diff.
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built by `cargo test` before this runs).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_setup
if ! command -v nvim >/dev/null; then
  echo "-- installing neovim"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi
nvim --version | head -1

# A scratch repository root holding only the fixtures: no config of this repository applies.
cp editors/neovim/test/fixtures/* "$tmp/"
mkdir "$tmp/.git"
status=0
(cd "$tmp" && PLIMSOLL_BIN="$bin" PLIMSOLL_NVIM_SETUP="$root/editors/neovim/plimsoll.lua" \
  PLIMSOLL_NVIM_OUT="$tmp/actual.txt" \
  timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile $root/editors/neovim/test/run.lua") \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "nvim LSP test failed: exit $status (2: timeout waiting for diagnostics, 3: setup, 124: hung)" >&2
  exit 1
fi
ci_compare_golden Neovim editors/neovim/test/expected.txt "$tmp/actual.txt"
echo "nvim LSP test passed ($(wc -l <"$tmp/actual.txt") lines as expected)"
