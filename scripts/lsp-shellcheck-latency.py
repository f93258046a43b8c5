#!/usr/bin/env python3
"""How soon `plimsoll lsp` publishes a large Dockerfile's diagnostics with ShellCheck on.

The language server publishes the built-in findings first and ShellCheck's when they are ready
(issue 19); before that it ran ShellCheck inside the check. This measures both moments, as a
pushing editor sees them (Neovim, Emacs): from `didOpen`/`didChange` to the first
`publishDiagnostics` for that version (built-in findings, plus ShellCheck's for scripts it has
seen) and to the first one holding ShellCheck's findings for the edited RUN. Both include the
server's 50 ms typing debounce.

The document is the generated 2,000-line Dockerfile of benches/lsp_relint.rs (74 stages,
about 220 RUN instructions), each stage with a `cd` without `|| exit` (SC2164) and one
`RUN echo $VERSION_n` (SC2086). Each edit rewrites the first stage's `echo` RUN with a new
number, so it is a script ShellCheck has not seen (the other scripts are in the session cache).

    scripts/lsp-shellcheck-latency.py --plimsoll target/release/plimsoll \\
        --shellcheck target/shellcheck/bin/shellcheck [--edits 20] [--label after]

Not a test: numbers go to docs/shellcheck.md / docs/performance.md by hand.
"""

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 120.0


def dockerfile(lines, edit=0):
    out = ["# syntax=docker/dockerfile:1"]
    stage = 0
    while len(out) < lines:
        tag = "latest" if stage == 0 else "22.04"
        block = [
            f"# stage {stage}: build step {stage} of the application",
            f"FROM ubuntu:{tag} AS stage{stage}",
            f"ARG VERSION_{stage}=1.{stage}.0",
            f"ENV APP_HOME=/opt/app{stage} PATH=/opt/app{stage}/bin:$PATH",
            f'LABEL org.opencontainers.image.title="stage {stage}" maintainer="team@example.com"',
            "RUN apt-get update \\",
            "    && apt-get install -y --no-install-recommends \\",
            "       ca-certificates \\",
            "       curl \\",
            "       git \\",
            "       build-essential \\",
            "    && rm -rf /var/lib/apt/lists/*",
            f"WORKDIR /opt/app{stage}",
            f"COPY --chown=1000:1000 src/module{stage}/ ./src/",
            f"COPY requirements{stage}.txt ./",
            "RUN set -eux; \\",
            "    python3 -m venv /opt/venv; \\",
            f"    /opt/venv/bin/pip install --no-cache-dir -r requirements{stage}.txt; \\",
            f"    curl -fsSL https://example.com/tool-{stage}.tar.gz -o /tmp/tool.tgz; \\",
            "    tar -xzf /tmp/tool.tgz -C /usr/local/bin; \\",
            "    rm -f /tmp/tool.tgz",
            f"RUN cd /opt/app{stage}/src; make",
            f"RUN echo $VERSION_{stage} {edit if stage == 0 else 0}",
            f"RUN useradd --uid 10{stage:03} --create-home app{stage}",
            f"USER app{stage}",
            "EXPOSE 8080",
            "HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/health || exit 1",
            f'CMD ["/opt/venv/bin/python", "-m", "app{stage}"]',
            "",
        ]
        out.extend(block)
        stage += 1
    return "\n".join(out[:lines]) + "\n"


class Client:
    def __init__(self, binary, cwd, shellcheck):
        env = dict(os.environ, PLIMSOLL_SHELLCHECK=shellcheck)
        self.proc = subprocess.Popen(
            [binary, "lsp"], cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.incoming = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.incoming.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params):
        id_ = self.next_id
        self.next_id += 1
        self.send({"id": id_, "method": method, "params": params})
        while True:
            _, message = self.receive()
            if message.get("id") == id_ and "method" not in message:
                return message.get("result")

    def receive(self):
        at, message = self.incoming.get(timeout=TIMEOUT)
        if "method" in message and "id" in message:
            self.send({"id": message["id"], "result": None})
        return at, message

    def publishes(self, uri, version, want_sc):
        """(time of the first publish of `version`, time of the first with `want_sc`)."""
        first = None
        while True:
            at, message = self.receive()
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] != uri or params.get("version") != version:
                continue
            codes = {d.get("code") for d in params["diagnostics"]}
            if first is None:
                first = at
            if want_sc in codes and self.edited_line_has(params, want_sc):
                return first, at

    edited_line = None

    def edited_line_has(self, params, code):
        if self.edited_line is None:
            return True
        return any(
            d.get("code") == code and d["range"]["start"]["line"] == self.edited_line
            for d in params["diagnostics"]
        )


def ms(seconds):
    return seconds * 1000.0


def summary(name, samples):
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, round((len(samples) - 1) * 0.9))]
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.1f} ms | {p90:.1f} ms "
        f"| {samples[0]:.1f} ms |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plimsoll", required=True)
    parser.add_argument("--shellcheck", required=True)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    binary = os.path.abspath(args.plimsoll)
    shellcheck = os.path.abspath(args.shellcheck)
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, ".git"))
        path = os.path.join(root, "Dockerfile")
        uri = "file://" + path
        client = Client(binary, root, shellcheck)
        client.request("initialize", {"processId": None, "rootUri": "file://" + root,
                                      "capabilities": {}})
        client.send({"method": "initialized", "params": {}})
        text = dockerfile(args.lines)
        runs = text.count("\nRUN ")
        echo_line = text.split("\n").index("RUN echo $VERSION_0 0")
        sent = time.perf_counter()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}})
        first, complete = client.publishes(uri, 1, "SC2164")
        opened = (ms(first - sent), ms(complete - sent))
        client.edited_line = echo_line
        firsts, completes = [], []
        for edit in range(1, args.edits + 1):
            version = edit + 1
            sent = time.perf_counter()
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": dockerfile(args.lines, edit)}]}})
            first, complete = client.publishes(uri, version, "SC2086")
            firsts.append(ms(first - sent))
            completes.append(ms(complete - sent))
            # Let a late round finish before the next edit, as after a pause in typing.
            time.sleep(0.3)
        client.request("shutdown", None)
        client.send({"method": "exit"})
        client.proc.wait(timeout=TIMEOUT)
    label = f" ({args.label})" if args.label else ""
    print(f"{args.lines}-line Dockerfile, {runs} RUN instructions{label}")
    print(f"open: first diagnostics {opened[0]:.0f} ms, ShellCheck's {opened[1]:.0f} ms")
    print("| after an edit of one RUN | n | median | p90 | min |")
    print("|---|---:|---:|---:|---:|")
    print(summary("first diagnostics", firsts))
    print(summary("ShellCheck's for the edited RUN", completes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
