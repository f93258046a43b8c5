#!/usr/bin/env python3
"""Time the language server on a Dockerfile with a large build context (issue 17).

Usage: scripts/lsp-context-bench.py TREE [--plimsoll BIN] [--edits N] [--dockerfile NAME]

TREE is a directory made by scripts/context-tree.py. Starts `plimsoll lsp` in TREE, opens
TREE/Dockerfile (or NAME), and prints how long the diagnostics take to arrive: after the open
(the context is walked) and after each of N edits of the buffer (the kept listing is reused
after one `stat` per directory of the context), as the median and the range. Each time includes
the server's 50 ms debounce. Speaks LSP over stdio with Content-Length framing; no dependencies.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


class Server:
    def __init__(self, binary, cwd):
        env = dict(os.environ, PLIMSOLL_SHELLCHECK="")
        self.proc = subprocess.Popen(
            [binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.next_id = 1

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        message = json.loads(self.proc.stdout.read(length))
        if "id" in message and "method" in message:
            # A request from the server (registrations): answer it.
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        return message

    def request(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == request_id and "method" not in message:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri, version):
        while True:
            message = self.receive()
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and params.get("version") == version:
                return params["diagnostics"]


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("tree")
    parser.add_argument(
        "--plimsoll", default=os.path.join(os.path.dirname(here), "target", "release", "plimsoll")
    )
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--dockerfile", default="Dockerfile")
    args = parser.parse_args()
    tree = os.path.abspath(args.tree)
    path = os.path.join(tree, args.dockerfile)
    uri = "file://" + path
    text = open(path).read()
    server = Server(os.path.abspath(args.plimsoll), tree)
    server.request(
        "initialize", {"processId": None, "rootUri": "file://" + tree, "capabilities": {}}
    )
    server.notify("initialized", {})
    started = time.monotonic()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}},
    )
    found = server.diagnostics(uri, 1)
    opened = time.monotonic() - started
    codes = sorted({d["code"] for d in found})
    edits = []
    for version in range(2, args.edits + 2):
        edited = f"# edit {version}\n{text}"
        started = time.monotonic()
        server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": edited}],
            },
        )
        server.diagnostics(uri, version)
        edits.append(time.monotonic() - started)
    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=30)
    ms = lambda seconds: f"{seconds * 1000:.0f} ms"
    print(f"{args.dockerfile}: diagnostics {codes}")
    print(f"open (context walked): {ms(opened)}")
    print(
        f"edit (listing reused), {len(edits)} edits: median {ms(statistics.median(edits))}, "
        f"range {ms(min(edits))}-{ms(max(edits))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
