#!/usr/bin/env bash
# The VS Code extension (editors/vscode): build and package it, then check it end to end in a
# real VS Code workbench. 1. `npm ci`, `vsce package` (its prepublish type-checks with `tsc`
# and bundles with esbuild), and the .vsix must hold the one bundled entry point.
# 2. code-server (VS Code 1.99 from npm) with the .vsix installed and our binary first on its
# PATH (no `plimsoll.path`: the extension's own lookup), driven by headless Debian Chromium
# through playwright-core (editors/vscode/test/e2e.cjs): the fixture Dockerfile and compose
# files must get plimsoll's findings in the Problems panel, the "ignore DF002 for
# this line" quick fix (Ctrl+.) must insert its comment and clear the finding; then, with
# `plimsoll.path` pointing nowhere, the extension must clear them and report the missing binary.
# The screenshot lands in target/vscode-e2e/.
# Installs chromium, ripgrep and libkrb5-dev with apt when missing; code-server goes into a
# throw-away directory (npm's own cache is the only thing kept between runs).
# Env: PLIMSOLL_BIN (default target/debug/plimsoll, built if missing; named `plimsoll`); PLIMSOLL_CODE_SERVER_DIR
# (for local iteration: install code-server there once and reuse it; CI leaves it unset).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
tmp=$(mktemp -d)
cs_pid=
cleanup() {
  if [ -n "$cs_pid" ]; then
    # code-server runs in its own process group (setsid): this ends its extension host, file
    # watcher and the plimsoll server too.
    kill -- -"$cs_pid" 2>/dev/null || true
    wait "$cs_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 -- -"$cs_pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL -- -"$cs_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Pinned: code-server 4.99.4 is the last line that runs on Node 20 (4.103+ need Node 22).
code_server_version=4.99.4
# The ripgrep release @vscode/ripgrep (a code-server dependency) would download from GitHub.
ripgrep_pkg=1.15.11
ripgrep_tarball=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

phase() {
  echo "-- $1 ($((SECONDS - started)) s)"
}

bin=${PLIMSOLL_BIN:-$root/target/debug/plimsoll}
if [ ! -x "$bin" ]; then
  cargo build --locked
fi
# Absolute, since its directory goes on PATH (the file must be named `plimsoll` for that).
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

phase "packaging the extension"
ext=$root/editors/vscode
(cd "$ext" && npm ci --no-audit --no-fund && npx vsce package --no-dependencies --out "$tmp/plimsoll.vsix")
python3 - "$tmp/plimsoll.vsix" <<'PY'
import json, sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
manifest = json.loads(zipfile.ZipFile(sys.argv[1]).read("extension/package.json"))
entry = "extension/" + manifest["main"].removeprefix("./")
entry = entry if entry.endswith(".js") else entry + ".js"
assert entry in names, f"{entry} is not in the vsix"
# One bundled file (esbuild): the language client is inside it, node_modules are not shipped.
bundle = zipfile.ZipFile(sys.argv[1]).read(entry).decode()
assert "textDocument/publishDiagnostics" in bundle, "vscode-languageclient is not bundled"
assert not any("/node_modules/" in n for n in names), "node_modules were packaged"
assert not any(n.startswith("extension/src/") for n in names), "TypeScript sources were packaged"
print(f"ok: the vsix holds the bundled {entry} ({len(bundle) // 1024} KiB, {len(names)} files)")
PY
package_s=$((SECONDS - started))

phase "system packages (chromium, ripgrep, libkrb5-dev)"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
# kerberos headers: code-server's postinstall compiles the `kerberos` native module.
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
chromium --version 2>/dev/null

phase "installing code-server $code_server_version"
install_started=$SECONDS
cs_dir=${PLIMSOLL_CODE_SERVER_DIR:-$tmp/cs}
mkdir -p "$cs_dir" "$tmp/tmpdir"
# @vscode/ripgrep's postinstall looks in its cache dir (under os.tmpdir()) before downloading:
# seed it with Debian's rg, and point TMPDIR into the throw-away directory.
rg_cache=$tmp/tmpdir/vscode-ripgrep-cache-$ripgrep_pkg
mkdir -p "$rg_cache/x"
cp "$(command -v rg)" "$rg_cache/x/rg"
tar czf "$rg_cache/$ripgrep_tarball" -C "$rg_cache/x" rg
[ -x "$cs_dir/node_modules/.bin/code-server" ] || (
  cd "$cs_dir"
  npm init -y >/dev/null
  # unsafe_perm: the postinstall refuses to run as root otherwise; yes: node-pty's postinstall
  # runs `npx node-gyp` and must not stop at a prompt.
  TMPDIR=$tmp/tmpdir npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error "code-server@$code_server_version" >/dev/null
)
code_server=$cs_dir/node_modules/.bin/code-server
"$code_server" --version | head -1
install_s=$((SECONDS - install_started))
echo "code-server install took $install_s s"

phase "VS Code end to end"
e2e_started=$SECONDS
ws=$tmp/ws
ud=$tmp/user-data
exts=$tmp/extensions
mkdir -p "$ws" "$ud/User" "$exts"
cp "$ext/test/fixture/Dockerfile" "$ext/test/fixture/compose.yaml" \
  "$ext/test/fixture/prod-compose.yml" "$ws/"
python3 - "$ud/User/settings.json" <<'PY'
import json, sys
json.dump({
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    # Explorer clicks open preview tabs that replace each other: keep both files open.
    "workbench.editor.enablePreview": False,
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "update.mode": "none",
}, open(sys.argv[1], "w"), indent=1)
PY
cs_args=(--config "$tmp/cs-config.yaml" --user-data-dir "$ud" --extensions-dir "$exts")
"$code_server" "${cs_args[@]}" --install-extension "$tmp/plimsoll.vsix"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The extension host takes its environment from a login shell (VS Code's shell-environment
# resolution; Debian's /etc/profile resets PATH), so our binary goes on PATH the way a user's
# would: in ~/.profile, of a throw-away HOME. --auth none is fine only because it listens on
# loopback.
mkdir -p "$tmp/home"
printf 'export PATH="%s:$PATH"\n' "$(dirname "$bin")" > "$tmp/home/.profile"
HOME=$tmp/home setsid "$code_server" "${cs_args[@]}" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --disable-workspace-trust "$ws" \
  > "$tmp/code-server.log" 2>&1 &
cs_pid=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 "$cs_pid" 2>/dev/null || { cat "$tmp/code-server.log"; echo "FAIL: code-server exited"; exit 1; }
  sleep 0.5
done
mkdir -p "$root/target/vscode-e2e"
shot=$root/target/vscode-e2e/diagnostics.png
set +e
NODE_PATH=$ext/node_modules timeout 300 node "$ext/test/e2e.cjs" \
  "http://127.0.0.1:$port/?folder=$ws" "$shot" "$ws/.vscode/settings.json"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "code-server log:"
  tail -n 50 "$tmp/code-server.log"
  # The extension host's log says whether the server started and what it said.
  find "$ud/logs" -name '*plimsoll*' -exec tail -n 30 {} + 2>/dev/null || true
  echo "FAIL: the VS Code end-to-end check exited with $rc (screenshot: $shot)"
  exit 1
fi
# The server the extension started must be ours, found on PATH.
grep -rh "starting " "$ud/logs" --include=plimsoll.log | head -1 | tee "$tmp/started.txt"
grep -qF "starting $bin lsp" "$tmp/started.txt" || { echo "FAIL: the extension did not start $bin"; exit 1; }
e2e_s=$((SECONDS - e2e_started))
echo "screenshot: $shot"
echo "== VS Code extension ok: package ${package_s} s, code-server install ${install_s} s," \
  "end to end ${e2e_s} s, total $((SECONDS - started)) s"
