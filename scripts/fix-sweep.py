#!/usr/bin/env python3
"""`plimsoll check --fix --unsafe-fixes` over a copy of the shared corpus, and what it must hold.

Usage: scripts/fix-sweep.py [--plimsoll BIN] [--corpus DIR]

Copies the corpus to a temporary directory (the corpus itself is never written), checks it with
`--select all`, fixes it with every fix (safe and unsafe), checks it again, and fails when:
- a fixed file was refused because its fixed text would not parse (plimsoll says "not fixed");
- any file has more findings of any rule after the fixes than before (a fix that creates work);
- more files have parse errors after than before;
- a second `--fix --unsafe-fixes` still changes something (fixes must settle in one run).
Prints the findings before and after, the files changed, the files that parse before and
after, the fixes applied, and per rule the findings the fixes removed.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter


def check(plimsoll, tree, *extra):
    out = subprocess.run(
        [plimsoll, "check", "--select", "all", "--format", "json", *extra, tree],
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1, 2):
        sys.exit(f"fix sweep: plimsoll exited {out.returncode}: {out.stderr[-2000:]}")
    return json.loads(out.stdout), out.stderr


def digests(tree):
    """Each file's SHA-256, by path."""
    out = {}
    for root, _, files in os.walk(tree):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                out[path] = hashlib.sha256(handle.read()).hexdigest()
    return out


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    parser = argparse.ArgumentParser()
    parser.add_argument("--plimsoll", default=os.path.join(root, "target", "debug", "plimsoll"))
    parser.add_argument("--corpus", default=os.path.join(root, "..", "shared", "corpus"))
    args = parser.parse_args()
    plimsoll = os.path.abspath(args.plimsoll)
    if not os.path.isdir(args.corpus):
        print(f"fix sweep: skipped, {args.corpus} does not exist")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "corpus")
        shutil.copytree(args.corpus, tree, symlinks=True)
        before, _ = check(plimsoll, tree)
        original = digests(tree)
        _, fix_err = check(plimsoll, tree, "--fix", "--unsafe-fixes")
        changed = sum(1 for path, digest in digests(tree).items() if original.get(path) != digest)
        after, _ = check(plimsoll, tree)
        _, again_err = check(plimsoll, tree, "--fix", "--unsafe-fixes")

    failures = [line for line in fix_err.splitlines() if "not fixed" in line]
    per = lambda run: Counter((f["path"], f["code"]) for f in run["findings"])
    b, a = per(before), per(after)
    grown = sorted((key, b[key], a[key]) for key in a if a[key] > b[key])
    for (path, code), was, now in grown[:20]:
        failures.append(f"{path}: {code} {was} -> {now} after the fixes")
    unparsed = lambda run: {f["path"] for f in run["findings"] if f["code"] == "PL000"}
    stopped = unparsed(after) - unparsed(before)
    for path in sorted(stopped)[:20]:
        failures.append(f"{path}: parsed before the fixes, not after")
    summary = [line for line in fix_err.splitlines() if "Fixed" in line]
    settled = [line for line in again_err.splitlines() if "Fixed" in line]
    if not settled or not settled[-1].startswith("plimsoll: Fixed 0 findings"):
        failures.append(f"a second --fix still changed something: {settled}")
    print(
        f"fix sweep: {len(before['findings'])} findings before, {len(after['findings'])} after; "
        + (summary[-1].removeprefix("plimsoll: ") if summary else "nothing fixed")
    )
    print(
        f"fix sweep: {changed} files changed; files with parse errors: "
        f"{len(unparsed(before))} before, {len(unparsed(after))} after, "
        f"{len(stopped)} stopped parsing"
    )
    by_code = lambda run: Counter(f["code"] for f in run["findings"])
    cb, ca = by_code(before), by_code(after)
    removed = sorted(((cb[code] - ca[code], code) for code in cb if ca[code] != cb[code]), reverse=True)
    print("fix sweep: findings removed per rule: " + ", ".join(f"{code} {n}" for n, code in removed))
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
