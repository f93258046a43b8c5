#!/usr/bin/env python3
"""Compare `plimsoll compose config` with Docker Compose's own `config --format json
--no-interpolate` (the oracle, docs in ../shared/reference/oracles.md) on compose projects.

Usage: compose-projects-diff.py --plimsoll BIN --oracle DOCKER_COMPOSE [--files] ROOT...

Every directory under each ROOT that holds a default compose file (compose.yaml, …, or a
COMPOSE_FILE in its .env) is a project, loaded by both from that directory. With --files, every
compose-named file is also loaded alone (`-f FILE`). Projects Compose rejects are counted and
skipped; for the others the merged services are compared on the fields plimsoll models, after
these normalisations (each undoes a normalisation of Compose's that plimsoll does not model,
or a difference of form that means the same):
- scalars compare as text (`cpus: 0.5` is 0.5 in Compose's JSON, "0.5" in plimsoll's);
- `environment` and `build.args` as mappings (Compose prints a merged environment as a
  `K=V` list);
- `ports` as sorted (host_ip, published, target, protocol) tuples, `tcp` when unwritten, without
  Compose's `mode`/`name`/`app_protocol`;
- `volumes` as sorted (type, source, target, read_only) tuples, without Compose's
  `bind.create_host_path` and `volume: {}`; the source of a `volume` mount without one is empty;
- a bind source under the oracle's $HOME is written `~/…` (plimsoll never reads its own
  environment, so it leaves `~` as written);
- `deploy.resources.reservations.devices` without Compose's default `count: all`;
- `build` on context, dockerfile, target and args only;
- top-level `networks` without the `default` network Compose adds; names only.
Exit status 1 when any project differs.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
from pathlib import Path

DEFAULTS = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
SCALARS = ["image", "user", "network_mode", "pid", "ipc", "mem_limit", "cpus", "pids_limit",
           "privileged", "read_only"]
LISTS = ["cap_add", "cap_drop", "security_opt", "profiles"]


def text(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def deep_text(v):
    if isinstance(v, dict):
        return {k: deep_text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [deep_text(x) for x in v]
    return text(v)


def mapping(v):
    if isinstance(v, list):
        out = {}
        for item in v:
            k, sep, val = str(item).partition("=")
            out[k] = val if sep else None
        return out
    return {k: text(x) for k, x in (v or {}).items()}


def short_port(spec):
    """`[[host_ip:]published:]target[/protocol]` (Compose leaves a port with `${…}` short)."""
    spec = str(spec)
    body, _, protocol = spec.partition("/")
    host = ""
    if body.startswith("[") and "]" in body:
        host, _, body = body[1:].partition("]")
        body = body.lstrip(":")
    parts = body.split(":")
    if len(parts) >= 3:
        host, published, target = host or ":".join(parts[:-2]), parts[-2], parts[-1]
    elif len(parts) == 2:
        published, target = parts
    else:
        published, target = "", parts[0]
    return {"host_ip": host or None, "published": published or None, "target": target,
            "protocol": protocol or None}


def short_volume(spec):
    parts = str(spec).split(":")
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0]}
    src, tgt = parts[0], parts[1]
    kind = "bind" if src[:1] in "./~\\$" or "/" in src else "volume"
    return {"type": kind, "source": src, "target": tgt,
            "read_only": len(parts) > 2 and "ro" in parts[2].split(",")}


def ports(v):
    out = []
    for p in v or []:
        if not isinstance(p, dict):
            p = short_port(p)
        out.append((text(p.get("host_ip")) or "", text(p.get("published")) or "",
                    text(p.get("target")), p.get("protocol") or "tcp"))
    return sorted(out)


def volumes(v):
    out = []
    for m in v or []:
        if not isinstance(m, dict):
            m = short_volume(m)
        source = m.get("source") or ""
        home = os.environ.get("HOME")
        if home and source.startswith(home + "/"):
            source = "~" + source[len(home):]
        out.append((m.get("type"), source, m.get("target"),
                    bool(m.get("read_only"))))
    return sorted(out)


def service(s):
    out = {}
    for k in SCALARS:
        if k in s:
            out[k] = text(s[k])
    for k in LISTS:
        if k in s:
            out[k] = [text(x) for x in s[k]]
    if "environment" in s:
        out["environment"] = mapping(s["environment"])
    if s.get("ports"):
        out["ports"] = ports(s["ports"])
    if s.get("volumes"):
        out["volumes"] = volumes(s["volumes"])
    if "env_file" in s:
        out["env_file"] = [(e["path"], bool(e.get("required", True))) for e in s["env_file"]]
    res = (s.get("deploy") or {}).get("resources")
    if res:
        res = deep_text(res)
        for dev in (res.get("reservations") or {}).get("devices") or []:
            if isinstance(dev, dict) and dev.get("count") == "all":
                del dev["count"]
        out["deploy.resources"] = res
    if "healthcheck" in s:
        out["healthcheck"] = deep_text(s["healthcheck"])
    if "build" in s:
        b = s["build"]
        out["build"] = {"context": b.get("context"), "dockerfile": b.get("dockerfile"),
                        "target": b.get("target"), "args": mapping(b.get("args"))}
    return out


def project(doc):
    out = {"services": {n: service(s) for n, s in (doc.get("services") or {}).items()}}
    for key in ["networks", "volumes", "secrets", "configs"]:
        names = sorted(n for n in (doc.get(key) or {}) if not (key == "networks" and n == "default"))
        if names:
            out[key] = names
    return out


def differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from differences(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}.{k}" if path else k)
    elif a != b:
        yield f"{path}: compose={json.dumps(a)} plimsoll={json.dumps(b)}"


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env["HOME"] = env.get("HOME", "/tmp")
    return env


def run(args, cwd):
    try:
        p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60, env=clean_env())
    except subprocess.TimeoutExpired:
        return 124, "", "timeout"
    return p.returncode, p.stdout, p.stderr


def compare(label, cwd, oracle_args, plimsoll_args, opts):
    rc, out, err = run([opts.oracle] + oracle_args + ["config", "--format", "json", "--no-interpolate"], cwd)
    if rc != 0:
        return label, "rejected", [err.strip().splitlines()[-1] if err.strip() else f"exit {rc}"]
    expected = project(json.loads(out))
    rc, out, err = run([opts.plimsoll, "compose", "config"] + plimsoll_args, cwd)
    if rc != 0:
        return label, "differs", ["plimsoll failed: " + " | ".join(err.strip().splitlines()[:3])]
    actual = project(json.loads(out))
    diffs = list(differences(expected, actual))
    return label, ("agrees" if not diffs else "differs"), diffs


def has_project(d):
    if any((d / f).is_file() for f in DEFAULTS):
        return True
    env = d / ".env"
    return env.is_file() and "COMPOSE_FILE=" in env.read_text(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plimsoll", required=True)
    ap.add_argument("--oracle", required=True)
    ap.add_argument("--files", action="store_true", help="also load each compose-named file alone")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("roots", nargs="+")
    opts = ap.parse_args()
    opts.plimsoll = str(Path(opts.plimsoll).resolve())
    jobs = []
    for root in opts.roots:
        root = Path(root).resolve()
        dirs = [root] + sorted(p for p in root.rglob("*") if p.is_dir())
        for d in dirs:
            if has_project(d):
                jobs.append((f"project {d}", d, [], []))
            if opts.files:
                for f in sorted(d.iterdir()):
                    if f.is_file() and "compose" in f.name.lower() and f.suffix in (".yml", ".yaml"):
                        jobs.append((f"file {f}", d, ["-f", str(f)], ["-f", str(f)]))
    counts = {"agrees": 0, "differs": 0, "rejected": 0}
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        results = list(pool.map(lambda j: compare(j[0], j[1], j[2], j[3], opts), jobs))
    for label, verdict, details in results:
        counts[verdict] += 1
        if verdict == "differs":
            print(f"DIFFERS {label}")
            for d in details:
                print(f"    {d}")
    print(f"{len(results)} loaded: {counts['agrees']} agree, {counts['differs']} differ, "
          f"{counts['rejected']} rejected by Compose (skipped)")
    return 1 if counts["differs"] else 0


if __name__ == "__main__":
    sys.exit(main())
