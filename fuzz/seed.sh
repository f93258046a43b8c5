#!/bin/sh
# Build the fuzz seed corpora from the project's own fixtures: every file under tests/fixtures
# and every ```dockerfile / ```yaml block of rules/*.md. Corpora are not committed (see
# .gitignore); rerun this after a fresh clone. Usage: fuzz/seed.sh (from anywhere).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"

mkdir -p "$corpus/dockerfile_parse" "$corpus/yaml_compose" "$corpus/shell" "$corpus/check_pipeline"

# Each seed is named after its content hash (as libFuzzer names its own), so reruns add nothing.
add() { # add TARGET FILE
    name=$(sha1sum "$2" | cut -c1-40)
    cp "$2" "$corpus/$1/$name"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Code blocks of the rule docs, one file per block, split by language.
for doc in "$root"/rules/*.md; do
    awk -v out="$tmp/$(basename "$doc" .md)" '
        /^```(dockerfile|yaml)$/ { lang = substr($0, 4); n++; file = out "." n "." lang; next }
        /^```/ { file = ""; next }
        file != "" { print > file }
    ' "$doc"
done

find "$root/tests/fixtures" "$tmp" -type f | while read -r file; do
    case "$file" in
        *.yaml | *.yml)
            add yaml_compose "$file"
            ;;
        *)
            add dockerfile_parse "$file"
            add shell "$file"
            ;;
    esac
    add check_pipeline "$file"
done

# Crashes found earlier are seeds too, so the fuzzers start from the known-bad corners.
if [ -d "$root/tests/fixtures/fuzz" ]; then
    for target in dockerfile_parse yaml_compose shell check_pipeline; do
        find "$root/tests/fixtures/fuzz" -type f | while read -r file; do add "$target" "$file"; done
    done
fi

for target in dockerfile_parse yaml_compose shell check_pipeline; do
    echo "$target: $(ls "$corpus/$target" | wc -l) seeds"
done
