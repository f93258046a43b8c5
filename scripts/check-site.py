#!/usr/bin/env python3
"""Check the built docs site (scripts/docs-site.sh writes it to target/site/book).

1. Every internal link and fragment of every HTML page resolves (`href`, `src`), as GitHub Pages
   resolves paths: `/dir` redirects to `/dir/`, which serves `dir/index.html`; `/page` serves
   `page.html`. Links to other sites are counted, not followed (no network here).
2. Every rule of `plimsoll rules --format json` has its page at `<site>/rules/<name>`, and
   `<site>/rules/<CODE>` leads there.
3. Every URL on the site that plimsoll prints is served: collected from its outputs on the rule
   fixtures with every rule selected (SARIF, rdjson, the GitHub job summary, JSON), a broken Rego
   policy (policy-error), the language server (diagnostic links, and the hover of every rule in a
   suppression comment), and the `$id` of each JSON Schema in docs/. The site's address is the
   one the SARIF output names (`informationUri`), i.e. `plimsoll::SITE_URL`.

URLs are fetched over HTTP from a local server on loopback that serves the book as GitHub Pages
does (the checks of 2 and 3), following redirects and mdBook's `<meta http-equiv="refresh">`.

--self-test breaks a copy of the book (a rule page removed, a link and a fragment broken) and
fails unless the checker reports each.

Usage: scripts/check-site.py [--plimsoll target/debug/plimsoll] [--book target/site/book] [--self-test]
"""

import argparse
import html.parser
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Page(html.parser.HTMLParser):
    """The ids, links and meta refresh of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []
        self.refresh = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None and tag in ("a", "link", "img", "script", "iframe"):
                self.links.append(attrs[key])
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url=(.*)$", attrs.get("content") or "", re.I)
            if match:
                self.refresh = match.group(1).strip()
                self.links.append(self.refresh)
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(text):
    page = Page()
    page.feed(text)
    return page


def resolve(book, url_path):
    """The file GitHub Pages serves for `url_path` ('/rules/x/'), or ('redirect', path) for a
    directory without its slash; None when nothing is served."""
    relative = urllib.parse.unquote(url_path).lstrip("/")
    if ".." in relative.split("/"):
        return None
    target = book / relative
    if target.is_dir():
        if not url_path.endswith("/") and relative:
            return ("redirect", url_path + "/")
        target = target / "index.html"
    elif not target.is_file() and Path(str(target) + ".html").is_file():
        target = Path(str(target) + ".html")
    return target if target.is_file() else None


def serve(book):
    """A loopback HTTP server that answers as GitHub Pages does; returns (base URL, server)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            found = resolve(book, path)
            if isinstance(found, tuple):
                self.send_response(301)
                self.send_header("Location", found[1])
                self.end_headers()
                return
            status = 200
            if found is None:
                status, found = 404, book / "404.html"
            body = found.read_bytes()
            self.send_response(status)
            kind = "text/html" if found.suffix == ".html" else "application/octet-stream"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def fetch(url):
    """(final URL, status, body) after HTTP redirects and up to 3 meta refreshes."""
    for _ in range(4):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                final, status, body = response.geturl(), response.status, response.read()
        except urllib.error.HTTPError as err:
            return url, err.code, b""
        page = parse(body.decode("utf-8", "replace")) if final.endswith(("/", ".html")) else None
        if page is None or page.refresh is None:
            return final, status, body
        url = urllib.parse.urljoin(final, page.refresh)
    return url, 310, b""


def check_links(book):
    """Every internal link and fragment of every page; returns (problems, counts)."""
    pages = {}
    for path in sorted(book.rglob("*.html")):
        pages[path] = parse(path.read_text(encoding="utf-8"))
    problems, internal, fragments, external = [], 0, 0, set()
    for path, page in pages.items():
        here = "/" + path.relative_to(book).as_posix()
        for link in page.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc:
                if parts.scheme in ("http", "https"):
                    external.add(link)
                continue
            internal += 1
            target_path = urllib.parse.urljoin(here, parts.path) if parts.path else here
            found = resolve(book, target_path)
            if isinstance(found, tuple):
                found = resolve(book, found[1])
            if found is None:
                problems.append(f"{here}: link `{link}` leads nowhere")
                continue
            if parts.fragment and found.suffix == ".html":
                fragments += 1
                target = pages.get(found) or parse(found.read_text(encoding="utf-8"))
                if urllib.parse.unquote(parts.fragment) not in target.ids:
                    problems.append(f"{here}: link `{link}`: no id `{parts.fragment}` there")
    return problems, {
        "pages": len(pages),
        "internal links": internal,
        "fragments": fragments,
        "external links (not followed)": len(external),
    }


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


def site_url(plimsoll):
    """The site's address as plimsoll prints it: SARIF's `informationUri`."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "Dockerfile").write_text("FROM scratch\n")
        out = run([plimsoll, "check", "--isolated", "--format", "sarif", "Dockerfile"], cwd=tmp)
    return json.loads(out.stdout)["runs"][0]["tool"]["driver"]["informationUri"].rstrip("/")


def urls_in(text, site):
    return set(re.findall(re.escape(site) + r"""(?:/[^\s"'<>()\]|`]*)?""", text))


def printed_urls(plimsoll, site, rule_names):
    """Every URL on the site that plimsoll prints, by where it was seen."""
    seen = {}

    def add(where, urls):
        for url in urls:
            seen.setdefault(url.rstrip(".,;"), set()).add(where)

    fixtures = str(ROOT / "tests/fixtures/rules")
    common = ["check", "--isolated", "--select", "all"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        checked = []
        for fmt in ("sarif", "rdjson", "json", "github"):
            summary = tmp / "summary.md"
            env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
            out = run([plimsoll, *common, "--format", fmt, fixtures], env=env, cwd=ROOT)
            if out.returncode not in (0, 1):
                sys.exit(f"plimsoll check --format {fmt} failed: {out.stderr}")
            add(fmt, urls_in(out.stdout, site))
            if fmt == "json":
                checked = [(ROOT / f["path"]).resolve() for f in json.loads(out.stdout)["files"]]
            if summary.exists():
                add("job summary", urls_in(summary.read_text(), site))
        # A policy that does not compile: its policy-error finding links to its page.
        broken = tmp / "broken-policy"
        (broken / ".plimsoll/policies").mkdir(parents=True)
        (broken / ".plimsoll/policies/broken.rego").write_text("package broken\n\ndeny contains msg if {\n")
        (broken / "Dockerfile").write_text("FROM scratch\n")
        for fmt in ("sarif", "rdjson"):
            out = run([plimsoll, "check", "--format", fmt, "."], cwd=broken)
            if "PL002" not in out.stdout:
                sys.exit(f"the broken policy gave no PL002 finding ({fmt}): {out.stdout[:500]} {out.stderr}")
            add(f"{fmt} (policy-error)", urls_in(out.stdout, site))
        lsp = lsp_urls(plimsoll, site, Path(fixtures), checked, rule_names, tmp)
        for where, urls in lsp.items():
            add(where, urls)
    for schema in sorted((ROOT / "docs").glob("*.schema.json")):
        schema_id = json.loads(schema.read_text()).get("$id", "")
        if schema_id.startswith(site):
            add(f"$id of docs/{schema.name}", {schema_id})
    return seen


class Lsp:
    """A minimal LSP client over the server's stdin and stdout."""

    def __init__(self, args, cwd):
        self.process = subprocess.Popen(args, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.notifications = []

    def send(self, message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the language server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")
            if "method" in message and "id" in message:
                # A request from the server (configuration, registration): answer with nothing.
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    def notify(self, method, params):
        self.send({"method": method, "params": params})


def lsp_urls(plimsoll, site, fixtures, files, rule_names, tmp):
    """Diagnostic links of `files` (the fixtures `plimsoll check` checks), and the hover of every
    rule in a suppression comment."""
    config = tmp / "lsp.plimsoll.yaml"
    config.write_text("select: [all]\n")
    client = Lsp([plimsoll, "lsp", "--config", str(config)], cwd=str(fixtures))
    client.request("initialize", {"processId": None, "rootUri": fixtures.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    opened = []
    for path in files:
        language = "yaml" if path.name.endswith((".yaml", ".yml")) else "dockerfile"
        text = path.read_text(encoding="utf-8", errors="replace")
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": language, "version": 1, "text": text}})
        opened.append(path.as_uri())
    # One suppression comment per rule, each hovered on its name.
    hover_doc = fixtures / "hover-every-rule.Dockerfile"
    lines = [f"# plimsoll ignore={name} -- hover" for name in rule_names] + ["FROM scratch"]
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": hover_doc.as_uri(), "languageId": "dockerfile", "version": 1, "text": "\n".join(lines) + "\n"}})
    hovers = set()
    for line, name in enumerate(rule_names):
        result = client.request("textDocument/hover", {
            "textDocument": {"uri": hover_doc.as_uri()},
            "position": {"line": line, "character": len("# plimsoll ignore=") + 1}})
        found = urls_in(json.dumps(result), site) if result else set()
        if not any(url.endswith(f"/rules/{name}") for url in found):
            sys.exit(f"the hover on `{name}` links to no page of it: {json.dumps(result)[:300]}")
        hovers |= found
    # Wait for the diagnostics of every opened file.
    published = {}
    deadline = time.monotonic() + 120
    while set(opened) - set(published) and time.monotonic() < deadline:
        time.sleep(0.2)
        client.request("workspace/symbol", {"query": ""})  # a round trip: lets notifications in
        for message in client.notifications:
            if message["method"] == "textDocument/publishDiagnostics":
                published[message["params"]["uri"]] = message["params"]["diagnostics"]
        client.notifications.clear()
    missing = set(opened) - set(published)
    if missing:
        sys.exit(f"the language server published no diagnostics for {len(missing)} files, e.g. {sorted(missing)[0]}")
    client.request("shutdown", None)
    client.notify("exit", None)
    client.process.wait(timeout=30)
    hrefs = set()
    for diagnostics in published.values():
        for diagnostic in diagnostics:
            href = (diagnostic.get("codeDescription") or {}).get("href")
            if href:
                hrefs |= urls_in(href, site)
    return {"LSP diagnostics": hrefs, "LSP hover": hovers}


def collect(plimsoll):
    """The site's address, the built-in rules, and the site URLs plimsoll prints."""
    site = site_url(plimsoll)
    with tempfile.TemporaryDirectory() as empty:  # no config here: the built-in rules alone
        rules = json.loads(run([plimsoll, "rules", "--format", "json"], cwd=empty).stdout)
    seen = printed_urls(plimsoll, site, [rule["name"] for rule in rules])
    return site, rules, seen


def check_printed(book, collected, problems):
    site, rules, seen = collected
    base, server = serve(book)
    try:
        def served(url):
            final, status, body = fetch(base + url[len(site):])
            return final[len(base):], status, body

        for rule in rules:
            path, status, body = served(f"{site}/rules/{rule['name']}")
            title = parse(body.decode("utf-8", "replace")).title if status == 200 else ""
            if status != 200 or rule["name"] not in title or rule["code"] not in body.decode():
                problems.append(f"{site}/rules/{rule['name']}: {status}, title `{title.strip()}`")
            code_path, status, _ = served(f"{site}/rules/{rule['code']}")
            if status != 200 or code_path != path:
                problems.append(f"{site}/rules/{rule['code']}: {status} at {code_path}, not {path}")
        rule_urls = {url for url in seen if "/rules/" in url}
        # Not vacuous: the fixtures trigger nearly every rule, SARIF describes them all.
        if len(rule_urls) < len(rules):
            problems.append(f"only {len(rule_urls)} rule URLs collected for {len(rules)} rules")
        for url, where in sorted(seen.items()):
            _, status, body = served(url)
            if status != 200:
                problems.append(f"{url} (printed in {', '.join(sorted(where))}): {status}")
            elif url.endswith(".schema.json"):
                name = url.rsplit("/", 1)[1]
                if body != (ROOT / "docs" / name).read_bytes():
                    problems.append(f"{url} differs from docs/{name}")
        by_where = {}
        for where_set in seen.values():
            for where in where_set:
                by_where[where] = by_where.get(where, 0) + 1
        return {
            "site": site,
            "rules (name and code URLs)": len(rules),
            "printed URLs": len(seen),
            **{f"  from {where}": count for where, count in sorted(by_where.items())},
        }
    finally:
        server.shutdown()


def check(book, collected):
    problems, counts = check_links(book)
    counts.update(check_printed(book, collected, problems))
    return problems, counts


def self_test(book, collected):
    """Break a copy of the book three ways; each must be reported."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "book"
        shutil.copytree(book, copy)
        shutil.rmtree(copy / "rules/latest-tag")
        page = copy / "docs/configuration.html"
        text = page.read_text()
        page.write_text(text.replace("</main>", '<a href="../rules/no-such-rule/">x</a>'
                                     '<a href="suppressions.html#no-such-heading">y</a></main>', 1))
        problems, _ = check(copy, collected)
    expected = [
        "/rules/latest-tag: 404",
        "link `../rules/no-such-rule/` leads nowhere",
        "no id `no-such-heading`",
    ]
    missed = [e for e in expected if not any(e in p for p in problems)]
    if missed:
        sys.exit(f"self-test: the checker missed {missed}; it reported {problems[:10]}")
    print(f"self-test: a broken copy of the book gave {len(problems)} problems, each break among them")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plimsoll", default=str(ROOT / "target/debug/plimsoll"))
    parser.add_argument("--book", default=str(ROOT / "target/site/book"))
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    book = Path(args.book).resolve()
    plimsoll = str(Path(args.plimsoll).resolve())
    if not (book / "index.html").is_file():
        sys.exit(f"{book}: no built site (run scripts/docs-site.sh)")
    collected = collect(plimsoll)
    problems, counts = check(book, collected)
    for key, value in counts.items():
        print(f"{key}: {value}")
    if problems:
        print(f"{len(problems)} problems:", *problems[:100], sep="\n  ")
        sys.exit(1)
    print("every internal link resolves; every rule and every printed URL has its page")
    if args.self_test:
        self_test(book, collected)


if __name__ == "__main__":
    main()
