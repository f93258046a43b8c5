#!/usr/bin/env python3
"""The Docker SDK's view of a build context, for tests/dockerignore_oracle.rs.

    python3 scripts/dockerignore-oracle.py --setup
        creates target/dockerignore-oracle (a venv) and installs the PyPI `docker` package;
        prints the venv's python, to export as PLIMSOLL_DOCKERIGNORE_ORACLE.
    PYTHON scripts/dockerignore-oracle.py < cases.json
        reads a JSON list of {"root": DIR, "patterns": [...]} and prints, for each case, the
        sorted regular files docker.utils.build.exclude_paths would send (paths relative to
        the root, `/`-separated).
"""
import json
import os
import subprocess
import sys


def setup():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    venv = os.path.join(root, "target", "dockerignore-oracle")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "docker"], check=True)
    print(python)


def main():
    from docker.utils.build import exclude_paths

    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        root = case["root"]
        # A Dockerfile name that is not in the tree: docker-py re-includes the Dockerfile and
        # .dockerignore whatever the patterns say, which BuildKit does not.
        paths = exclude_paths(root, list(case["patterns"]), dockerfile="__no_dockerfile__")
        files = sorted(
            p.replace(os.sep, "/")
            for p in paths
            if os.path.isfile(os.path.join(root, p)) and not os.path.islink(os.path.join(root, p))
        )
        out.append(files)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        setup()
    else:
        main()
