#!/usr/bin/env python3
"""A/B timing of whole commands, run in turn so that a noisy machine slows each alike.

    RUNS=40 scripts/ab.py 'old/plimsoll check --format json ../shared/corpus' \
                          'target/release/plimsoll check --format json ../shared/corpus'

Each command runs 3 times to warm up, then RUNS rounds run every command once, in the order
given. Printed per command: the median and first quartile of the wall time, and the mean user
and system CPU time. Commands are split on spaces (no shell); their output is discarded and
their exit code ignored (a run with findings exits 1). Used for docs/performance.md.
"""

import os
import resource
import statistics
import subprocess
import sys
import time


def run_once(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main():
    commands = [arg.split() for arg in sys.argv[1:]]
    if not commands:
        sys.exit(__doc__)
    rounds = int(os.environ.get("RUNS", "40"))
    for command in commands:
        for _ in range(3):
            run_once(command)
    times = {index: [] for index in range(len(commands))}
    for _ in range(rounds):
        for index, command in enumerate(commands):
            times[index].append(run_once(command))
    for index, command in enumerate(commands):
        walls = [wall for wall, _, _ in times[index]]
        user = statistics.mean(user for _, user, _ in times[index])
        system = statistics.mean(system for _, _, system in times[index])
        quartile = statistics.quantiles(walls, n=4)[0]
        print(
            f"{statistics.median(walls) * 1000:7.1f} ms median (p25 {quartile * 1000:6.1f})"
            f"  user {user * 1000:6.1f}  sys {system * 1000:5.1f}  {' '.join(command)}"
        )


if __name__ == "__main__":
    main()
