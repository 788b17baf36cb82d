"""`llmingest site` against a real docs site served on 127.0.0.1 by a threaded http.server.

The site has what real crawls meet: robots.txt, a sitemap index, redirects (in and out of scope,
and a loop), 404/500, a 429 with Retry-After, a 503 that recovers, a slow page, the same content
under two URLs, a canonical duplicate, a PDF, a too-large page, malformed HTML and a cp1252 page.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from pathlib import Path

import llms_txt
import pymupdf
import pytest
from llmingest.cli import app
from llmingest.converters import llmstxt
from llmingest.fetch.crawl import crawl, normalize, scope_of
from llmingest.options import Options
from llmingest.render.llmstxt import render_site
from llmingest.sources.parse import WebPage
from llmingest.sources.site import build_bundle, ingest_site, write_site
from typer.testing import CliRunner


def page(title: str, body: str, *, head: str = "", nav: str = "") -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title} — Demo Docs</title>{head}</head>"
            f"<body><nav class='sidebar'>{nav}</nav><main><article>{body}</article></main>"
            f"<footer>Copyright Demo</footer></body></html>").encode()


NAV = ("<a href='/docs/'>Home</a> <a href='/docs/guide/install.html'>Install</a> "
       "<a href='/docs/guide/usage.html'>Usage</a> <a href='/docs/api/'>API</a>")


def _pdf_bytes() -> bytes:
    doc = pymupdf.open()
    pg = doc.new_page()
    pg.insert_text((72, 72), "Demo manual in PDF form. It explains the widgets.", fontsize=12)
    data = doc.tobytes()
    doc.close()
    return data


def build_site() -> dict[str, tuple[int, dict[str, str], bytes]]:
    """path -> (status, headers, body). Handlers below add the dynamic cases."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    s: dict[str, tuple[int, dict[str, str], bytes]] = {}
    s["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /docs/private/\n")
    s["/docs/"] = (200, html, page("Home", (
        "<h1>Demo Docs</h1><p>Demo Docs is a small documentation site used to test the crawler end to end.</p>"
        "<ul><li><a href='guide/install.html'>Install</a></li><li><a href='guide/usage.html'>Usage</a></li>"
        "<li><a href='api/'>API</a></li><li><a href='old.html'>Old install page</a></li>"
        "<li><a href='missing.html'>Missing</a></li><li><a href='broken.html'>Broken</a></li>"
        "<li><a href='flaky.html'>Flaky</a></li><li><a href='recovering.html'>Recovering</a></li>"
        "<li><a href='slow.html'>Slow</a></li><li><a href='loop1.html'>Loop</a></li>"
        "<li><a href='copy.html'>Copy</a></li><li><a href='guide/usage-print.html'>Print</a></li>"
        "<li><a href='manual.pdf'>Manual (PDF)</a></li><li><a href='private/secret.html'>Secret</a></li>"
        "<li><a href='changelog.html'>Changelog</a></li><li><a href='/other/'>Other site</a></li>"
        "<li><a href='http://example.invalid/x'>External</a></li><li><a href='logo.png'>Logo</a></li>"
        "<li><a href='away.html'>Away</a></li><li><a href='huge.html'>Huge</a></li>"
        "<li><a href='malformed.html'>Malformed</a></li><li><a href='latin.html'>Latin</a></li></ul>"),
        head="<meta name='description' content='Demo Docs: a tiny site for crawler tests.'>", nav=NAV))
    install = page("Install", "<h1>Install</h1><p>Install the demo package with pip before anything else.</p>"
                   "<pre><code class='language-bash'>pip install demo</code></pre>", nav=NAV)
    s["/docs/guide/install.html"] = (200, html, install)
    s["/docs/copy.html"] = (200, html, install)  # the same page under a second URL
    s["/docs/guide/usage.html"] = (200, html, page("Usage", (
        "<h1>Usage</h1><p>Call <code>demo.run()</code> to start the widget engine properly.</p>"
        "<p>See the <a href='../api/functions.html'>functions</a>.</p>"), nav=NAV))
    s["/docs/guide/usage-print.html"] = (200, html, page("Usage (print)", (
        "<h1>Usage</h1><p>Printable copy of the usage page with slightly different words.</p>"),
        head="<link rel='canonical' href='/docs/guide/usage.html'>", nav=NAV))
    s["/docs/api/"] = (200, html, page("API", (
        "<h1>API</h1><p>The API reference lists every public function of the demo package.</p>"
        "<a href='functions.html'>Functions</a>"), nav=NAV))
    s["/docs/api/functions.html"] = (200, html, page("Functions", (
        "<h1>Functions</h1><dl><dt>demo.run()</dt><dd>Runs the engine until it is stopped.</dd></dl>"), nav=NAV))
    s["/docs/changelog.html"] = (200, html, page("Changelog", "<h1>Changelog</h1><p>Version 1.0 was released with widgets.</p>"))
    s["/docs/private/secret.html"] = (200, html, page("Secret", "<h1>Secret</h1><p>Robots say no.</p>"))
    s["/docs/old.html"] = (301, {"Location": "/docs/guide/install.html"}, b"")
    s["/docs/loop1.html"] = (302, {"Location": "/docs/loop2.html"}, b"")
    s["/docs/loop2.html"] = (302, {"Location": "/docs/loop1.html"}, b"")
    s["/docs/away.html"] = (302, {"Location": "/other/page.html"}, b"")
    s["/docs/broken.html"] = (500, html, b"<h1>boom</h1>")
    s["/docs/manual.pdf"] = (200, {"Content-Type": "application/pdf"}, _pdf_bytes())
    s["/docs/huge.html"] = (200, html, page("Huge", "<p>" + "x" * 1_200_000 + "</p>"))
    s["/docs/malformed.html"] = (200, html, (
        b"<html><head><title>Malformed \xe2\x80\x94 Demo Docs</title><body><div><h1>Malformed</h1>"
        b"<p>Unclosed tags everywhere in this page <b>bold <table><tr><td>cell<td>two</table>"))
    s["/docs/latin.html"] = (200, {"Content-Type": "text/html"}, (
        "<html><head><meta charset='windows-1252'><title>Latin — Demo Docs</title></head><body><main>"
        "<h1>Café</h1><p>Le café est prêt pour les développeurs pressés.</p></main></body></html>").encode("cp1252"))
    s["/other/"] = (200, html, page("Other", "<p>Not part of the docs.</p>"))
    s["/other/page.html"] = (200, html, page("Other page", "<p>Not part of the docs.</p>"))
    # a sitemap-seeded site: the index points to a urlset; orphan.html is linked from nowhere
    s["/sm/sitemap.xml"] = (200, {"Content-Type": "application/xml"}, (
        b"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<sitemap><loc>http://HOST/sm/sitemap-pages.xml</loc></sitemap></sitemapindex>"))
    s["/sm/sitemap-pages.xml"] = (200, {"Content-Type": "application/xml"}, (
        b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>http://HOST/sm/</loc></url><url><loc>http://HOST/sm/orphan.html</loc></url>"
        b"<url><loc>http://HOST/sm/file.bin</loc></url><url><loc>http://HOST/elsewhere/x.html</loc></url>"
        b"</urlset>"))
    s["/sm/"] = (200, html, page("SM home", "<h1>Sitemap site</h1><p>The home page of the sitemap-seeded site.</p>"
                                 "<a href='linked.html'>Linked only</a>"))
    s["/sm/orphan.html"] = (200, html, page("Orphan", "<h1>Orphan</h1><p>Only the sitemap knows this page exists.</p>"))
    s["/sm/linked.html"] = (200, html, page("Linked", "<h1>Linked</h1><p>Only a link points here.</p>"))
    s["/sm/file.bin"] = (200, {"Content-Type": "application/octet-stream"}, b"\x00\x01binary")
    # a site that publishes its own llms.txt
    s["/pub/"] = (200, html, page("Pub", "<h1>Pub</h1><p>A site that already has an llms.txt file.</p>"))
    s["/pub/llms.txt"] = (200, {"Content-Type": "text/plain"}, b"# Pub\n\n> Published.\n\nInfo.\n\n## Docs\n\n- [Pub](http://HOST/pub/)\n")
    return s


class DocsServer:
    """A threaded http.server serving build_site(), with ETags, 304s and a request log."""

    def __init__(self) -> None:
        self.routes = build_site()
        self.log: list[tuple[str, dict[str, str], int]] = []
        self.counts: dict[str, int] = {}
        self.release = threading.Event()  # /ctrl/hang.html blocks until set
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                with server.lock:
                    n = server.counts.get(path, 0) + 1
                    server.counts[path] = n
                status, headers, body = server.respond(path, n, self)
                with server.lock:
                    server.log.append((path, {k.lower(): v for k, v in self.headers.items()}, status))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (the Ctrl-C test)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        for key, (status, headers, body) in list(self.routes.items()):
            self.routes[key] = (status, headers, body.replace(b"HOST", f"127.0.0.1:{self.port}".encode()))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def respond(self, path: str, n: int, req) -> tuple[int, dict[str, str], bytes]:
        if path == "/docs/flaky.html" and n == 1:
            return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"
        if path == "/docs/flaky.html":
            return 200, {"Content-Type": "text/html"}, page("Flaky", "<h1>Flaky</h1><p>Served after a 429 and a wait.</p>")
        if path == "/docs/recovering.html" and n == 1:
            return 503, {"Content-Type": "text/plain"}, b"try again"
        if path == "/docs/recovering.html":
            return 200, {"Content-Type": "text/html"}, page("Recovering", "<h1>Recovering</h1><p>Served after a 503.</p>")
        if path == "/docs/slow.html":
            time.sleep(1.0)
            return 200, {"Content-Type": "text/html"}, page("Slow", "<h1>Slow</h1><p>This page takes a second to arrive.</p>")
        if path.startswith("/ctrl/"):
            if req.headers.get("If-None-Match") == f'"{path}"':
                return 304, {"ETag": f'"{path}"'}, b""
            return self.ctrl(path)
        if path not in self.routes:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"
        status, headers, body = self.routes[path]
        if status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = {**headers, "ETag": etag}
            if req.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
        return status, headers, body

    def ctrl(self, path: str) -> tuple[int, dict[str, str], bytes]:
        html = {"Content-Type": "text/html", "ETag": f'"{path}"'}
        if path == "/ctrl/hang.html":
            self.release.wait(30)
            return 200, html, page("Hang", "<h1>Hang</h1><p>This page answers only once released.</p>")
        pages = {
            # hang.html is one level below a.html: the crawl goes level by level, so when hang.html
            # is requested, a.html has been fully processed
            "/ctrl/": page("Ctrl", "<h1>Ctrl</h1><p>Start page of the interrupt test site.</p>"
                           "<a href='a.html'>A</a>"),
            "/ctrl/a.html": page("A", "<h1>A</h1><p>Page A is fetched before the interrupt.</p>"
                                 "<a href='hang.html'>Hang</a>"),
        }
        if path not in pages:
            return 404, {"Content-Type": "text/html"}, b"nope"
        return 200, html, pages[path]

    def requests_for(self, path: str) -> list[tuple[dict[str, str], int]]:
        with self.lock:
            return [(h, s) for p, h, s in self.log if p == path]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def docs_server():
    server = DocsServer()
    yield server
    server.close()


def opts(tmp_path: Path, **kw) -> Options:
    base = dict(cache_dir=tmp_path / "cache", extra={"backoff": 0.05, "retries": 2, "max_page_size": 1_000_000})
    base.update(kw)
    return Options(**base)


def test_scope_and_normalize():
    assert scope_of("http://h.test/docs/") == "http://h.test/docs/"
    assert scope_of("http://h.test/docs/index.html") == "http://h.test/docs/"
    assert normalize("HTTP://H.test:80/a#frag") == "http://h.test/a"


def test_crawl_the_docs_site(docs_server, tmp_path):
    result = crawl(docs_server.base + "/docs/", opts(tmp_path))
    base = docs_server.base
    urls = [p.url for p in result.pages]
    # reading order: breadth first from the start page, links in page order
    assert urls[0] == base + "/docs/"
    assert urls.index(base + "/docs/guide/install.html") < urls.index(base + "/docs/api/functions.html")
    reasons = {s.path: s.reason for s in result.skipped}
    assert "not found" in reasons[base + "/docs/missing.html"]
    assert "500" in reasons[base + "/docs/broken.html"]
    assert "redirect loop" in reasons[base + "/docs/loop1.html"]
    assert "out of scope" in reasons[base + "/docs/away.html"]
    assert "robots.txt" in reasons[base + "/docs/private/secret.html"]
    assert "limit" in reasons[base + "/docs/huge.html"]
    # recovered after 429 (Retry-After honoured) and after 503
    assert base + "/docs/flaky.html" in urls and base + "/docs/recovering.html" in urls
    assert [s for _, s in docs_server.requests_for("/docs/flaky.html")] == [429, 200]
    assert base + "/docs/slow.html" in urls
    # the redirect was followed in scope, and its target fetched once as a page
    assert urls.count(base + "/docs/guide/install.html") == 1
    # never left the scope, never fetched the robots-disallowed page or non-page links
    paths = {p for p, _, _ in docs_server.log}
    assert "/other/" not in paths and "/docs/private/secret.html" not in paths and "/docs/logo.png" not in paths
    assert base + "/docs/manual.pdf" in urls


def test_site_bundle_outputs_and_reference_parser(docs_server, tmp_path):
    o = opts(tmp_path)
    bundle = ingest_site(WebPage(docs_server.base + "/docs/"), o)
    base = docs_server.base
    by_url = {d.url: d for d in bundle.documents}
    reasons = {s.path: s.reason for s in bundle.skipped}
    # duplicates: same content under two URLs, and a page whose canonical is another page
    assert "same content" in reasons[base + "/docs/copy.html"]
    assert "canonical" in reasons[base + "/docs/guide/usage-print.html"]
    assert base + "/docs/copy.html" not in by_url
    assert bundle.metadata["site_name"] == "Demo Docs"
    assert bundle.metadata["summary"] == "Demo Docs: a tiny site for crawler tests."
    # the PDF went through the PDF converter
    assert "widgets" in by_url[base + "/docs/manual.pdf"].content
    # malformed HTML and a cp1252 page converted
    assert "Unclosed tags" in by_url[base + "/docs/malformed.html"].content
    assert "Le café est prêt" in by_url[base + "/docs/latin.html"].content
    assert by_url[base + "/docs/guide/install.html"].title == "Install"

    out = tmp_path / "out"
    paths = write_site(bundle, out)
    text = (out / "llms.txt").read_text()
    assert llmstxt.validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Demo Docs"
    assert ref.summary == "Demo Docs: a tiny site for crawler tests."
    assert list(ref.sections)[-1] == "Optional"
    assert [e["url"] for e in ref.sections["Optional"]] == [base + "/docs/changelog.html"]
    assert "API" in ref.sections and "Guide" in ref.sections
    assert [e["title"] for e in ref.sections["Guide"]] == ["Install", "Usage"]
    install = next(e for e in ref.sections["Guide"] if e["title"] == "Install")
    assert install["desc"] == "Install the demo package with pip before anything else."
    ours = llmstxt.parse(text)
    assert {k: [e.url for e in v] for k, v in ours["sections"].items()} == {
        k: [e["url"] for e in v] for k, v in ref.sections.items()}
    # mirrors at the conventional paths, with front matter
    assert (out / "guide" / "install.md").read_text().startswith("---\ntitle: Install\n")
    assert (out / "api" / "index.md").is_file() and (out / "index.md").is_file()
    assert (out / "manual.pdf.md").is_file()
    assert out / "llms-full.txt" in paths
    full = (out / "llms-full.txt").read_text()
    assert f"Source: {base}/docs/guide/install.html" in full
    assert full.index("# Install") < full.index("# Changelog")  # Optional last
    assert "Copyright Demo" not in full  # the footer is chrome


def test_output_is_deterministic_and_rerun_is_conditional(docs_server, tmp_path):
    o = opts(tmp_path)
    first = render_site(ingest_site(WebPage(docs_server.base + "/docs/"), o))
    n_before = len(docs_server.log)
    second_bundle = ingest_site(WebPage(docs_server.base + "/docs/"), o)
    second = render_site(second_bundle)
    assert first == second
    rerun = [(p, h, s) for p, h, s in docs_server.log[n_before:] if p == "/docs/guide/install.html"]
    assert rerun and rerun[0][1].get("if-none-match") and rerun[0][2] == 304
    assert second_bundle.metadata["not_modified"] >= 5
    # and without a cache (all fresh, different timing) the output is the same bytes
    third = render_site(ingest_site(WebPage(docs_server.base + "/docs/"), opts(tmp_path, cache=False)))
    assert third == first


def test_sitemap_index_seeds_the_crawl(docs_server, tmp_path):
    result = crawl(docs_server.base + "/sm/", opts(tmp_path))
    urls = [p.url for p in result.pages]
    assert result.sitemap == docs_server.base + "/sm/sitemap.xml"
    assert docs_server.base + "/sm/orphan.html" in urls
    assert docs_server.base + "/sm/linked.html" not in urls  # sitemap mode does not follow links
    assert not any("/elsewhere/" in u for u in urls)
    bundle = build_bundle(result, opts(tmp_path), "sm")
    assert any(s.path.endswith("/sm/file.bin") and "not HTML" in s.reason for s in bundle.skipped)


def test_limits_globs_depth(docs_server, tmp_path):
    base = docs_server.base
    few = crawl(base + "/docs/", opts(tmp_path, max_pages=3, cache=False))
    assert len(few.pages) == 3 and few.pages[0].url == base + "/docs/"
    shallow = crawl(base + "/docs/", opts(tmp_path, depth=1, cache=False, exclude=["*slow*", "*flaky*"]))
    urls = [p.url for p in shallow.pages]
    assert base + "/docs/api/" in urls and base + "/docs/api/functions.html" not in urls
    assert not any("slow" in u or "flaky" in u for u in urls)
    only_guide = crawl(base + "/docs/", opts(tmp_path, include=["guide/*"], cache=False))
    assert sorted(p.url for p in only_guide.pages) == sorted(
        [base + "/docs/", base + "/docs/guide/install.html", base + "/docs/guide/usage.html",
         base + "/docs/guide/usage-print.html"])


def test_max_tokens_caps_llms_full_optional_first(docs_server, tmp_path):
    bundle = ingest_site(WebPage(docs_server.base + "/docs/"), opts(tmp_path))
    from llmingest.tokens import count

    full = render_site(bundle)["llms-full.txt"]
    budget = count(full) - 20
    capped = render_site(bundle, max_tokens=budget)["llms-full.txt"]
    assert count(capped) <= budget
    assert "## Cut to fit" in capped
    cut_section = capped.split("## Cut to fit", 1)[1]
    assert "Changelog" in cut_section  # Optional went first
    assert "Source: " + docs_server.base + "/docs/guide/install.html" in capped


def test_cli_site_end_to_end_and_published_note(docs_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["site", docs_server.base + "/docs/", "-o", str(out), "--max-page-size", "1MB",
                              "-e", "*slow*", "-e", "*flaky*", "-e", "*broken*", "-e", "*recovering*"])
    assert res.exit_code == 0, res.output
    assert (out / "llms.txt").is_file() and (out / "guide" / "usage.md").is_file()
    assert "skipped" in res.stderr and "missing.html" in res.stderr
    # --check against what was just written: up to date
    args = ["site", docs_server.base + "/docs/", "-o", str(out), "--check", "--max-page-size", "1MB",
            "-e", "*slow*", "-e", "*flaky*", "-e", "*broken*", "-e", "*recovering*"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    # the published llms.txt is noticed, and --use-published saves it instead of crawling
    before = len(docs_server.log)
    res = runner.invoke(app, ["site", docs_server.base + "/pub/", "-o", str(tmp_path / "pub")])
    assert res.exit_code == 0 and "--use-published" in res.stderr
    probes = [path for path, _, _ in docs_server.log[before:] if path.endswith("/llms.txt")]
    assert len(probes) == 1  # the crawl's own probe; the note does not ask the site a second time
    res = runner.invoke(app, ["site", docs_server.base + "/pub/", "-o", str(tmp_path / "pub2"), "--use-published"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pub2" / "llms.txt").read_text().startswith("# Pub\n\n> Published.")
    assert not (tmp_path / "pub2" / "index.md").exists()


def test_whole_site_failures_are_typed(docs_server, tmp_path):
    from llmingest.errors import SourceNotFound

    with pytest.raises(SourceNotFound):
        crawl(docs_server.base + "/nothing-here/", opts(tmp_path))


def test_server_mode_refuses_private_addresses(docs_server, tmp_path):
    from llmingest.errors import BlockedAddress

    with pytest.raises(BlockedAddress):
        crawl(docs_server.base + "/docs/", opts(tmp_path, allow_private=False))
    assert not any(p.startswith("/docs/") for p, _, _ in docs_server.log)


def test_python_api_kind_site(docs_server, tmp_path):
    from llmingest import ingest

    bundle = ingest(docs_server.base + "/docs/", kind="site", max_pages=4, cache_dir=tmp_path / "c",
                    extra={"backoff": 0.05, "retries": 1})
    assert bundle.kind == "site" and 1 <= len(bundle.documents) <= 4
    assert bundle.metadata["sections"] and bundle.total_tokens > 0


def test_unreachable_host_is_a_network_error(tmp_path):
    import socket

    from llmingest.errors import NetworkError

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError):
        crawl(f"http://127.0.0.1:{port}/docs/", opts(tmp_path))
    res = CliRunner().invoke(app, ["site", f"http://127.0.0.1:{port}/docs/", "-q"])
    assert res.exit_code == NetworkError.exit_code  # 5
