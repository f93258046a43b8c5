#!/usr/bin/env python3
"""Generate a large build context to measure the context walk (issue 17; docs/performance.md).

Usage: scripts/context-tree.py DIR [--files N] [--seed S]

Writes, under DIR (which must not exist), a repository-shaped tree of about N files (default
50,000) in nested directories, like a JavaScript application's working tree:

- node_modules/: 60 % of the files, packages nested up to five levels (`node_modules/a/
  node_modules/b/lib/...`), many small files;
- src/: 30 %, four levels of packages;
- .git/objects/: 10 %, in the 256 two-hex-digit directories git uses;
- package.json, a Dockerfile that copies the whole context (`COPY . .`), and a second Dockerfile
  with its own ignore file that keeps node_modules and .git out (`ignored.Dockerfile` and
  `ignored.Dockerfile.dockerignore`), so one tree measures both walks.

Files are sparse (their sizes are set, nothing is written): the walk reads names and sizes only,
and the tree costs inodes, not disk blocks. The same seed gives the same tree.
"""
import argparse
import os
import random
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    if os.path.exists(args.dir):
        print(f"{args.dir} exists; give a new directory", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    root = args.dir
    made = 0

    def write(path: str, size: int) -> None:
        nonlocal made
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(size)
        made += 1

    def name() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))

    budget_modules = args.files * 6 // 10
    budget_src = args.files * 3 // 10
    budget_git = args.files - budget_modules - budget_src

    # node_modules: packages, some with their own nested node_modules.
    count = 0
    while count < budget_modules:
        depth = rng.choice([1, 1, 1, 2, 2, 3, 4, 5])
        parts = []
        for level in range(depth):
            parts.append("node_modules")
            parts.append(name())
        package = os.path.join(root, *parts)
        for _ in range(min(rng.randint(5, 40), budget_modules - count)):
            sub = rng.choice(["", "lib", "dist", "lib/internal", "types"])
            ext = rng.choice([".js", ".js", ".d.ts", ".json", ".map", ".md"])
            write(os.path.join(package, sub, name() + ext), rng.randint(100, 40_000))
            count += 1

    # src: four levels of packages.
    count = 0
    while count < budget_src:
        parts = [name() for _ in range(rng.randint(1, 4))]
        for _ in range(min(rng.randint(3, 20), budget_src - count)):
            write(os.path.join(root, "src", *parts, name() + ".ts"), rng.randint(200, 20_000))
            count += 1

    # .git/objects: loose objects in their 256 directories.
    for i in range(budget_git):
        write(
            os.path.join(root, ".git", "objects", f"{rng.randrange(256):02x}", f"{rng.getrandbits(152):038x}"),
            rng.randint(50, 5_000),
        )

    with open(os.path.join(root, "package.json"), "w") as f:
        f.write('{"name": "bench", "version": "1.0.0"}\n')
    with open(os.path.join(root, "Dockerfile"), "w") as f:
        f.write(
            "FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n"
            "COPY src/ ./src/\nCOPY . .\nUSER node\nCMD [\"node\", \"src/index.js\"]\n"
        )
    with open(os.path.join(root, "ignored.Dockerfile"), "w") as f:
        f.write(
            "FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n"
            "COPY . .\nUSER node\nCMD [\"node\", \"src/index.js\"]\n"
        )
    with open(os.path.join(root, "ignored.Dockerfile.dockerignore"), "w") as f:
        f.write("node_modules\n.git\n")
    dirs = sum(len(names) for _, names, _ in os.walk(root))
    print(f"{root}: {made} files (and 4 more) in {dirs} directories")
    return 0


if __name__ == "__main__":
    sys.exit(main())
