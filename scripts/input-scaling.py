#!/usr/bin/env python3
"""How plimsoll's cost grows with its input (issue 22: "work grows linearly").

Two series, each timed as whole process runs (median wall and median user+sys CPU of RUNS):

1. files/s against the number of files: N = 10, 100, 1,000, 10,000 Dockerfiles, each in its
   own directory (as in a repository), taken in turn from the corpus (copied into a temporary
   directory, never into the project);
2. cost per instruction against the size of one Dockerfile: 10 to 100,000 instructions cycling
   through a realistic mix (FROM, ARG, ENV, RUN with an apt install and continuation lines,
   COPY, WORKDIR, USER, a new stage every 50 instructions; every RUN text differs, so no
   remembered syntax verdict hides the parsing).

Flat files/s and flat µs per instruction mean linear work. Benchmarks, not tests: nothing here
fails on a number.

Usage: scripts/input-scaling.py --plimsoll target/release/plimsoll [--corpus ../shared/corpus]
       [--runs 5] [--max-files 10000] [--max-instructions 100000]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd, cwd):
    """(wall seconds, user+sys CPU seconds of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"plimsoll failed ({proc.returncode}): {proc.stderr.decode()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(cmd, cwd, runs):
    timed(cmd, cwd)  # warm the page cache
    samples = [timed(cmd, cwd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


STAGE = [
    "FROM debian:bookworm-slim AS stage{n}",
    "ARG VERSION=1.2.{n}",
    "ENV APP_HOME=/opt/app{n} PATH=/opt/app{n}/bin:$PATH",
    "RUN apt-get update \\",
    " && apt-get install -y --no-install-recommends ca-certificates curl \\",
    " && rm -rf /var/lib/apt/lists/* /tmp/build{n}",
    "WORKDIR /opt/app{n}",
    "COPY requirements.txt ./",
    "RUN pip install --no-cache-dir -r requirements.txt && echo \"$VERSION\" > /version{n}",
    "USER 1000:1000",
]


def dockerfile(instructions):
    lines = []
    count = 0
    stage = 0
    while count < instructions:
        for line in STAGE:
            if count >= instructions:
                break
            if line.startswith(" "):
                lines.append(line.format(n=stage))
                continue
            if line.startswith("FROM") and stage > 0 and count % 50 != 0 and lines:
                # One stage per 50 instructions: the other FROMs become LABELs.
                line = "LABEL stage{n}=x"
            lines.append(line.format(n=stage))
            count += 1
        stage += 1
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plimsoll", required=True)
    parser.add_argument("--corpus", default="../shared/corpus")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-files", type=int, default=10000)
    parser.add_argument("--max-instructions", type=int, default=100000)
    args = parser.parse_args()
    plimsoll = os.path.abspath(args.plimsoll)
    sources = sorted(Path(args.corpus, "dockerfiles").rglob("*Dockerfile*"))
    sources = [p for p in sources if p.is_file()]
    if not sources:
        sys.exit(f"no Dockerfiles under {args.corpus}/dockerfiles")

    print("| files | median wall (s) | CPU (s) | files/s (wall) | ms CPU per file |")
    print("|---:|---:|---:|---:|---:|")
    n = 10
    while n <= args.max_files:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(n):
                target = Path(tmp, f"d{i:05}", "Dockerfile")
                target.parent.mkdir()
                shutil.copyfile(sources[i % len(sources)], target)
            wall, cpu = measure([plimsoll, "check", "--format", "json", "."], tmp, args.runs)
        print(f"| {n:,} | {wall:.3f} | {cpu:.3f} | {n / wall:,.0f} | {1000 * cpu / n:.3f} |")
        n *= 10

    print()
    print("| instructions | bytes | median wall (s) | CPU (s) | µs CPU per instruction |")
    print("|---:|---:|---:|---:|---:|")
    k = 10
    while k <= args.max_instructions:
        with tempfile.TemporaryDirectory() as tmp:
            text = dockerfile(k)
            Path(tmp, "Dockerfile").write_text(text)
            Path(tmp, "requirements.txt").write_text("flask==3.0.0\n")
            wall, cpu = measure(
                [plimsoll, "check", "--format", "json", "Dockerfile"], tmp, args.runs
            )
        print(f"| {k:,} | {len(text):,} | {wall:.3f} | {cpu:.3f} | {1e6 * cpu / k:.2f} |")
        k *= 10


if __name__ == "__main__":
    main()
