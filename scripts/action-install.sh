#!/usr/bin/env bash
# The Action's install step (action.yml, "Look for plimsoll"; docs/github-action.md): puts the
# plimsoll of the pinned version on PATH, or says that it must be built.
#
# 1. The version: the `version` input, else the tag the workflow pinned (`uses: o/plimsoll@v1.2.3`;
#    a major or minor tag like `@v1` stands for the version in the action's own Cargo.toml when
#    that version starts with it). A branch or a commit has no version.
# 2. A plimsoll already on PATH of that version (of any version when there is none) is used.
# 3. The tool cache: $RUNNER_TOOL_CACHE/plimsoll/VERSION/ARCH (with ARCH.complete beside it,
#    the layout of @actions/tool-cache) from an earlier job on this runner.
# 4. The release: DOWNLOAD_BASE/vVERSION/plimsoll-VERSION-TARGET.tar.gz (.zip on Windows) and
#    the release's SHA256SUMS; the archive must match its sum, else the step fails (never a
#    silent build instead). DOWNLOAD_BASE defaults to GitHub's release downloads of the action's
#    repository.
# 5. Otherwise (no version, no release build for this runner, or the release answers 404) the
#    output `build` says what the next step builds: `source` (the action's own source, the ref
#    you pinned) or `crates.io` (the `version` input, from crates.io).
# Env: INPUT_VERSION, DOWNLOAD_BASE, ACTION_REF, ACTION_REPOSITORY, and the runner's GITHUB_* and
# RUNNER_* variables. Outputs: installed (true/false), build, version, root (for cargo install).
set -euo pipefail

say() { echo "plimsoll: $*"; }
fail() {
  echo "::error title=plimsoll install::$*"
  exit 1
}
output() { echo "$1=$2" >> "$GITHUB_OUTPUT"; }
# The action's checkout is .../_actions/OWNER/NAME/REF on GitHub's runners.
action_path=${GITHUB_ACTION_PATH:-}
action_path=${action_path//\\//}
from_path() { # 1: owner/name, 2: ref
  case "$action_path" in
    */_actions/*/*/*)
      local ref=${action_path##*/} rest=${action_path%/*}
      local name=${rest##*/} owner_part=${rest%/*}
      if [ "$1" = ref ]; then echo "$ref"; else echo "${owner_part##*/}/$name"; fi ;;
  esac
}

# 1. The version.
version=${INPUT_VERSION:-}
version=${version#v}
asked=input
if [ -z "$version" ]; then
  asked=ref
  ref=${ACTION_REF:-$(from_path ref)}
  if [[ $ref =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    version=${ref#v}
  elif [[ $ref =~ ^v[0-9]+(\.[0-9]+)?$ ]] && [ -f "$action_path/Cargo.toml" ]; then
    # The first `version = "…"` of [package].
    own=$(awk '/^\[/ { in_package = ($0 == "[package]") }
      in_package && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' "$action_path/Cargo.toml")
    case "$own." in "${ref#v}".*) version=$own ;; esac
  fi
  if [ -n "$version" ]; then
    say "the workflow pinned ${ref}: release ${version}"
  else
    say "the workflow pinned ${ref:-a local copy}, not a release tag"
  fi
fi
output version "$version"
output root "${RUNNER_TEMP:-/tmp}/plimsoll"
build=source
if [ "$asked" = input ]; then build=crates.io; fi

# 2. Already on PATH.
if have=$(plimsoll --version 2>/dev/null); then
  # `plimsoll 1.2.3`, or `plimsoll 1.2.3 (commit date)` for a build from git.
  have_version=${have%% (*}
  have_version=${have_version#plimsoll }
  if [ -z "$version" ] || [ "$have_version" = "$version" ]; then
    say "found $have on PATH"
    output installed true
    exit 0
  fi
fi

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  # Windows on Arm runs x64 programs.
  Windows/X64 | Windows/ARM64) target=x86_64-pc-windows-msvc ;;
  *) target= ;;
esac
exe=plimsoll
archive=tar.gz
if [ "${RUNNER_OS:-}" = Windows ]; then
  exe=plimsoll.exe
  archive=zip
fi

if [ -z "$version" ] || [ -z "$target" ]; then
  if [ -n "$version" ]; then say "no release build for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"; fi
  say "building plimsoll ($build)"
  output installed false
  output build "$build"
  exit 0
fi

# 3. The tool cache.
arch=$(echo "$RUNNER_ARCH" | tr '[:upper:]' '[:lower:]')
cache_dir=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}/tool-cache}/plimsoll/$version/$arch
if [ -f "$cache_dir.complete" ] && [ -x "$cache_dir/$exe" ]; then
  say "plimsoll $version from the tool cache ($cache_dir)"
  echo "$cache_dir" >> "$GITHUB_PATH"
  output installed true
  exit 0
fi

# 4. The release.
if [ -n "${DOWNLOAD_BASE:-}" ]; then
  base=${DOWNLOAD_BASE%/}
else
  repo=${ACTION_REPOSITORY:-$(from_path repo)}
  repo=${repo:-${GITHUB_REPOSITORY:-}}
  base=${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download
fi
asset=plimsoll-$version-$target.$archive
url=$base/v$version/$asset
sums_url=$base/v$version/SHA256SUMS
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/plimsoll-download.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Prints the HTTP status; fails (curl's own message on stderr) when nothing was answered.
fetch() { # url, file
  curl --silent --show-error --location --retry 3 --retry-delay 2 --connect-timeout 20 \
    --output "$2" --write-out '%{http_code}' "$1"
}

say "downloading $url"
status=$(fetch "$url" "$work/$asset") || fail "cannot download $url (curl failed, see above)"
if [ "$status" = 404 ]; then
  say "no $asset in release v$version ($url answered 404): building plimsoll ($build) instead"
  output installed false
  output build "$build"
  exit 0
fi
if [ "$status" != 200 ]; then
  fail "downloading $url answered HTTP $status"
fi
status=$(fetch "$sums_url" "$work/SHA256SUMS") || fail "cannot download $sums_url (curl failed, see above)"
if [ "$status" != 200 ]; then
  fail "release v$version has $asset but its SHA256SUMS ($sums_url) answered HTTP $status: refusing a binary that cannot be verified"
fi
expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print tolower($1); exit }' "$work/SHA256SUMS")
if [ -z "$expected" ]; then
  fail "the SHA256SUMS of release v$version ($sums_url) does not list $asset: refusing a binary that cannot be verified"
fi
if command -v sha256sum > /dev/null; then
  actual=$(sha256sum "$work/$asset")
else
  actual=$(shasum -a 256 "$work/$asset")
fi
actual=${actual%% *}
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $asset: the download from $url has SHA-256 $actual, but the release's SHA256SUMS says $expected. The file is corrupt or was tampered with: not installing it, and not building from source instead."
fi
say "SHA-256 $actual matches the release's SHA256SUMS"

mkdir "$work/unpacked"
if [ "$archive" = zip ]; then
  if command -v unzip > /dev/null; then
    unzip -q "$work/$asset" -d "$work/unpacked"
  elif command -v 7z > /dev/null; then
    7z x -y -o"$work/unpacked" "$work/$asset" > /dev/null
  else
    pwsh -NoProfile -Command "Expand-Archive -LiteralPath '$work/$asset' -DestinationPath '$work/unpacked'"
  fi
else
  tar -xzf "$work/$asset" -C "$work/unpacked"
fi
top=$work/unpacked/plimsoll-$version-$target
if [ ! -f "$top/$exe" ]; then
  fail "$asset holds no plimsoll-$version-$target/$exe"
fi
chmod +x "$top/$exe"
said=$("$top/$exe" --version) || fail "the downloaded $exe does not run on this runner"
said_version=${said%% (*}
if [ "${said_version#plimsoll }" != "$version" ]; then
  fail "$asset holds a binary that says '$said', not plimsoll $version"
fi
rm -rf "$cache_dir" "$cache_dir.complete"
mkdir -p "$(dirname "$cache_dir")"
mv "$top" "$cache_dir"
touch "$cache_dir.complete"
say "installed $said into $cache_dir"
echo "$cache_dir" >> "$GITHUB_PATH"
output installed true
