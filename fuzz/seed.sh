#!/bin/sh
# Build the fuzz seed corpora from the project's own files: everything under tests/fixtures and
# examples/, every ```dockerfile / ```yaml block of rules/*.md and docs/*.md, the example configs
# and policy files, hand-written configs and baselines, and (when a built plimsoll and jq are at
# hand) a config per rule setting its options, and baselines recorded from the examples.
# Corpora are not committed (see .gitignore); rerun this after a fresh clone.
# Usage: fuzz/seed.sh (from anywhere).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"
targets="dockerfile_parse yaml_compose shell check_pipeline config_file baseline policy_input lsp_framing"

for target in $targets; do mkdir -p "$corpus/$target"; done

# Each seed is named after its content hash (as libFuzzer names its own), so reruns add nothing.
add() { # add TARGET FILE
    name=$(sha1sum "$2" | cut -c1-40)
    cp "$2" "$corpus/$1/$name"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Code blocks of the rule docs and the user docs, one file per block, split by language.
for doc in "$root"/rules/*.md "$root"/docs/*.md; do
    awk -v out="$tmp/$(basename "$doc" .md)" '
        /^```(dockerfile|yaml)$/ { lang = substr($0, 4); n++; file = out "." n "." lang; next }
        /^```/ { file = ""; next }
        file != "" { print > file }
    ' "$doc"
done
# The example projects' Dockerfiles and compose files, named so the case below sorts them.
find "$root/examples" -type f \( -name Dockerfile -o -name compose.yaml \) | while read -r file; do
    cp "$file" "$tmp/example.$(sha1sum "$file" | cut -c1-12).$(basename "$file")"
done

find "$root/tests/fixtures" "$tmp" -type f | while read -r file; do
    case "$file" in
        *.yaml | *.yml)
            add yaml_compose "$file"
            # The docs' config examples, and YAML shapes for the config reader to reject.
            add config_file "$file"
            ;;
        *)
            add dockerfile_parse "$file"
            add shell "$file"
            ;;
    esac
    add check_pipeline "$file"
    add policy_input "$file"
done

# Config files: the examples' configs and policy files (YAML the config reader must reject
# cleanly), one using every key, and one per rule with options (JSON is YAML), set to defaults.
find "$root/examples" "$root/tests/fixtures" -type f \
    \( -name '.plimsoll.y*ml' -o -path '*/.plimsoll/policies/*.y*ml' \) |
    while read -r file; do add config_file "$file"; done
cat >"$tmp/every-key.yaml" <<'YAML'
extends: base.yaml
select: [all, DF, security]
extend-select: [DF001]
ignore: [latest-tag]
rules:
  all: {severity: info}
  DF012: {severity: error}
overrides:
  - files: ["legacy/**", "*.dev.Dockerfile", "/abs", "a/**/b"]
    select: [DC]
    extend-select: [DF002]
    ignore: [root-user]
    rules:
      latest-tag: {severity: warning}
fail-level: warning
include:
  dockerfile: ["*.docker"]
  compose: ["stack*.yml"]
exclude: [vendor, "third_party/**"]
strict: true
policies: [policies]
YAML
add config_file "$tmp/every-key.yaml"

plimsoll=""
for candidate in "$root/target/release/plimsoll" "$root/target/debug/plimsoll"; do
    if [ -x "$candidate" ]; then
        plimsoll=$candidate
        break
    fi
done
if [ -n "$plimsoll" ] && command -v jq >/dev/null; then
    "$plimsoll" rules --format json >"$tmp/rules.json"
    jq -c '.[] | select(.options | length > 0)
        | {rules: {(.code): {severity: "error",
            options: (.options | map({key: .name, value: .default}) | from_entries)}}}' \
        "$tmp/rules.json" | while read -r line; do
        printf '%s\n' "$line" >"$tmp/options.json"
        add config_file "$tmp/options.json"
    done
    jq '{select: ["all"], rules: (map(select(.options | length > 0)
        | {key: .name, value: {options: (.options | map({key: .name, value: .default})
        | from_entries)}}) | from_entries)}' "$tmp/rules.json" >"$tmp/all-options.json"
    add config_file "$tmp/all-options.json"
fi

# Baselines: hand-written ones (a duplicate entry, paths outside, an unknown code, a version
# that is not supported) and, with a built plimsoll, those of the example projects.
cat >"$tmp/baseline.json" <<'JSON'
{
  "version": 1,
  "findings": [
    {"code": "DF002", "path": "app/Dockerfile", "fingerprint": "0123456789abcdef"},
    {"code": "DF002", "path": "app/Dockerfile", "fingerprint": "0123456789abcdef"},
    {"code": "DC001", "path": "../outside/compose.yaml", "fingerprint": "ffffffffffffffff"},
    {"code": "ORG001", "path": "", "fingerprint": ""}
  ]
}
JSON
add baseline "$tmp/baseline.json"
printf '{"version": 2, "findings": []}\n' >"$tmp/baseline-v2.json"
add baseline "$tmp/baseline-v2.json"
if [ -n "$plimsoll" ]; then
    # The baseline target's fixed file, where the target puts it: entries that match.
    mkdir -p "$tmp/fixed/app"
    cp "$here/fixed/Dockerfile" "$tmp/fixed/app/Dockerfile"
    (cd "$tmp/fixed" && "$plimsoll" check --isolated --select all \
        --write-baseline baseline.json app/Dockerfile >/dev/null 2>&1) || true
    if [ -f "$tmp/fixed/baseline.json" ]; then add baseline "$tmp/fixed/baseline.json"; fi
    for project in "$root"/examples/*/; do
        # Exit 1 (findings) is expected; a run that writes nothing adds nothing.
        (cd "$project" && "$plimsoll" check --isolated --select all \
            --write-baseline "$tmp/recorded.json" . >/dev/null 2>&1) || true
        if [ -f "$tmp/recorded.json" ]; then
            add baseline "$tmp/recorded.json"
            rm -f "$tmp/recorded.json"
        fi
    done
fi

# Language-server streams: a whole session, and the bad headers the server resynchronises after.
frame() { # frame BODY: one message with its Content-Length header
    printf 'Content-Length: %d\r\n\r\n%s' "$(printf '%s' "$1" | wc -c)" "$1"
}
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
open='{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/Dockerfile","languageId":"dockerfile","version":1,"text":"FROM node:latest\nRUN curl x | sh\n"}}}'
hover='{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///w/Dockerfile"},"position":{"line":0,"character":6}}}'
{ frame "$init"; frame '{"jsonrpc":"2.0","method":"initialized","params":{}}'; frame "$open"; frame "$hover"
  frame '{"jsonrpc":"2.0","id":3,"method":"shutdown"}'; frame '{"jsonrpc":"2.0","method":"exit"}'; } >"$tmp/lsp-session"
add lsp_framing "$tmp/lsp-session"
for header in 'Content-Length: abc' 'Content-Length: -5' 'Content-Type: x' 'Content-Length: 99999999999999999999'; do
    { printf '%s\r\n\r\n{}' "$header"; frame "$hover"; } >"$tmp/lsp-bad"
    add lsp_framing "$tmp/lsp-bad"
done

# Crashes found earlier are seeds too, so the fuzzers start from the known-bad corners.
if [ -d "$root/tests/fixtures/fuzz" ]; then
    for target in $targets; do
        find "$root/tests/fixtures/fuzz" -type f | while read -r file; do add "$target" "$file"; done
    done
fi

for target in $targets; do
    echo "$target: $(ls "$corpus/$target" | wc -l) seeds"
done
