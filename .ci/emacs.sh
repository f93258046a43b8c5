#!/usr/bin/env bash
# The language server in a second real editor: batch Emacs 28 (Debian's emacs-nox) with eglot
# (elpa-eglot), dockerfile-mode and yaml-mode, installed when missing, loads the user-facing
# editors/emacs/plimsoll.el, opens the fixtures Neovim uses (editors/neovim/test/fixtures/),
# edits the Dockerfile and records every diagnostics set flymake shows
# (editors/emacs/test/e2e.el). The record must equal editors/emacs/test/expected.txt.
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built by `cargo test` before this runs).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_setup
if ! command -v emacs >/dev/null || [ ! -d /usr/share/emacs/site-lisp/elpa-src ] \
  || ! ls -d /usr/share/emacs/site-lisp/elpa-src/{eglot,dockerfile-mode,yaml-mode}-* >/dev/null 2>&1; then
  echo "-- installing emacs-nox, elpa-eglot, elpa-dockerfile-mode, elpa-yaml-mode"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    emacs-nox elpa-eglot elpa-dockerfile-mode elpa-yaml-mode >/dev/null
fi
emacs --version | head -1

# A scratch repository (eglot's project) holding only the fixtures.
cp editors/neovim/test/fixtures/* "$tmp/"
git -C "$tmp" init -q
status=0
(cd "$tmp" && PLIMSOLL_BIN="$bin" PLIMSOLL_EMACS_SETUP="$root/editors/emacs/plimsoll.el" \
  PLIMSOLL_EMACS_OUT="$tmp/actual.txt" \
  timeout 180 emacs --batch -l "$root/editors/emacs/test/e2e.el") || status=$?
if [ "$status" -ne 0 ]; then
  echo "Emacs LSP test failed: exit $status (2: timeout waiting for diagnostics, 3: setup, 124: hung)" >&2
  exit 1
fi
ci_compare_golden Emacs editors/emacs/test/expected.txt "$tmp/actual.txt"
echo "== Emacs (eglot) ok: $(grep -c 'diagnostic(s)' "$tmp/actual.txt") diagnostics sets as expected"
