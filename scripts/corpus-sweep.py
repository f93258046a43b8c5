#!/usr/bin/env python3
"""Lint every file of the shared corpus and fail on any crash.

Usage: scripts/corpus-sweep.py [--plimsoll BIN] [--corpus DIR]

Runs `plimsoll check --format json` over the corpus (Dockerfiles and compose files), then:
- fails if plimsoll crashed (exit code other than 0/1/2, or an "internal error" for a file);
- prints how many files gave a `parse-error` finding, and lists them;
- fails if a Dockerfile that BuildKit accepts (not in conformance/buildkit-rejects.txt) gave a
  parse error, since that is a bug in our parser.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    parser = argparse.ArgumentParser()
    parser.add_argument("--plimsoll", default=os.path.join(root, "target", "release", "plimsoll"))
    parser.add_argument("--corpus", default=os.path.join(root, "..", "shared", "corpus"))
    args = parser.parse_args()

    corpus = os.path.normpath(args.corpus)
    if not os.path.isdir(corpus):
        print(f"corpus sweep: skipped, {corpus} does not exist")
        return 0
    shared = os.path.dirname(corpus)
    rejects_file = os.path.join(shared, "conformance", "buildkit-rejects.txt")
    rejects = set()
    if os.path.exists(rejects_file):
        with open(rejects_file) as f:
            rejects = {os.path.join(shared, line.strip()) for line in f if line.strip()}

    proc = subprocess.run(
        [args.plimsoll, "check", "--format", "json", "--select", "all", corpus],
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1, 2):
        print(f"corpus sweep: FAILED, plimsoll exited with {proc.returncode}")
        print(proc.stderr[-4000:])
        return 1
    report = json.loads(proc.stdout)
    failed = False

    internal = [e for e in report["errors"] if "internal error" in e["message"]]
    for error in internal:
        print(f"INTERNAL ERROR {error['path']}: {error['message']}")
    if internal:
        failed = True

    findings = report["findings"]
    checked = report["summary"].get("files_checked", "?")
    parse_errors = {}
    for finding in findings:
        if finding["name"] == "parse-error":
            parse_errors.setdefault(finding["path"], finding)
    print(f"corpus sweep: {checked} files checked, {len(findings)} findings, "
          f"{len(report['errors'])} files not readable, "
          f"{len(parse_errors)} files with a parse-error")
    unexpected = []
    for path, finding in sorted(parse_errors.items()):
        expected = os.path.normpath(path) in {os.path.normpath(r) for r in rejects}
        mark = "rejected by BuildKit too" if expected else "UNEXPECTED"
        start = finding["start"]
        print(f"  {path}:{start['line']}:{start['column']}: {finding['message']} ({mark})")
        is_dockerfile = f"{os.sep}dockerfiles{os.sep}" in path
        if is_dockerfile and not expected:
            unexpected.append(path)
    if unexpected:
        print(f"corpus sweep: FAILED, {len(unexpected)} Dockerfiles that BuildKit accepts gave a parse error")
        failed = True
    for error in report["errors"]:
        if error not in internal:
            print(f"  not readable: {error['path']}: {error['message']}")
    by_rule = Counter(f["name"] for f in findings)
    print("findings by rule: " + ", ".join(f"{name} {count}" for name, count in by_rule.most_common()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
