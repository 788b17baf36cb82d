"""`llmingest page` end to end: a real HTTP server on 127.0.0.1, the CLI, files, stdin, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from llmingest import ingest
from llmingest.errors import ConversionError, SourceNotFound

DOC = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Guide — Demo 1.0 documentation</title><meta name="description" content="How to use Demo.">
</head><body>
<div class="related" role="navigation"><a href="index.html">Demo 1.0</a></div>
<div class="document"><div class="documentwrapper"><div class="body" role="main">
<section id="guide"><h1>Guide<a class="headerlink" href="#guide">¶</a></h1>
<p>Read <a href="api.html#demo.run">run()</a> first.</p>
<div class="highlight-python3 notranslate"><div class="highlight"><pre><span></span>import demo
demo.run()
</pre></div></div></section></div></div></div>
<div class="sphinxsidebar" role="navigation"><h3>Quick search</h3></div>
<div class="footer">&copy; Copyright 2024.</div></body></html>
"""

LATIN = ("<html><head><title>Caf\xe9</title></head><body><main><h1>Caf\xe9 \u201cnoir\u201d</h1>"
         "<p>Un caf\xe9 co\xfbte 2 \u20ac, servi au comptoir tous les matins.</p></main></body></html>")


def _minimal_pdf() -> bytes:
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 72), "Hello from a PDF page served as a link")
    data = pdf.tobytes()
    pdf.close()
    return data


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/docs/guide.html": (200, "text/html; charset=utf-8", DOC.encode()),
    "/docs/latin.html": (200, "text/html; charset=iso-8859-1", LATIN.encode("cp1252")),
    "/docs/untyped": (200, "application/octet-stream", DOC.encode()),
    "/data.json": (200, "application/json", b'{"a": 1}'),
    "/gone.html": (404, "text/html", b"<h1>Not found</h1>"),
    "/broken.html": (500, "text/html", b"<h1>Oops</h1>"),
    "/old.html": (301, "text/html", b""),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path == "/paper.pdf":
            status, ctype, body = 200, "application/pdf", _minimal_pdf()
        else:
            status, ctype, body = ROUTES.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/docs/guide.html")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmingest.cli", *args], input=stdin, capture_output=True,
                          timeout=120, env={"LLMINGEST_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin",
                                            "HOME": "/tmp"})


def test_page_url_through_the_cli(server):
    res = _cli("page", f"{server}/docs/guide.html")
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert out == (
        "---\ntitle: Guide — Demo 1.0 documentation\n"
        f"url: {server}/docs/guide.html\ndescription: How to use Demo.\nlang: en\n---\n\n"
        f"# Guide\n\nRead [run()]({server}/docs/api.html#demo.run) first.\n\n"
        "```python\nimport demo\ndemo.run()\n```\n"
    )


def test_source_sniffing_picks_page_for_a_url(server):
    res = _cli(f"{server}/docs/guide.html", "--no-front-matter")
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().startswith("# Guide\n")


def test_json_format_and_output_file(server, tmp_path):
    out = tmp_path / "page.json"
    res = _cli("page", f"{server}/docs/guide.html", "--format", "json", "-o", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    assert data["kind"] == "page"
    doc = data["documents"][0]
    assert doc["title"] == "Guide — Demo 1.0 documentation"
    assert doc["metadata"]["links"] == [f"{server}/docs/api.html#demo.run"]
    assert doc["tokens"] > 10 and doc["content"].startswith("---\ntitle:")


def test_redirect_followed_and_final_url_used(server):
    bundle = ingest(f"{server}/old.html", kind="page")
    assert bundle.documents[0].url == f"{server}/docs/guide.html"
    assert f"({server}/docs/api.html#demo.run)" in bundle.documents[0].content


def test_http_header_charset(server):
    doc = ingest(f"{server}/docs/latin.html", kind="page").documents[0]
    assert "# Café “noir”" in doc.content and "2 €" in doc.content


def test_404_exit_code_3(server):
    res = _cli("page", f"{server}/gone.html")
    assert res.returncode == 3
    assert res.stderr.decode().startswith("error: ") and "404" in res.stderr.decode()
    assert "Traceback" not in res.stderr.decode()
    with pytest.raises(SourceNotFound):
        ingest(f"{server}/gone.html", kind="page")


def test_500_exit_code_5(server):
    res = _cli("page", f"{server}/broken.html")
    assert res.returncode == 5 and "500" in res.stderr.decode()


def test_non_html_content_type_is_a_conversion_error(server):
    res = _cli("page", f"{server}/data.json")
    assert res.returncode == 6
    assert "application/json" in res.stderr.decode() and "not an HTML page" in res.stderr.decode()
    with pytest.raises(ConversionError):
        ingest(f"{server}/data.json", kind="page")


def test_mislabelled_html_is_still_read(server):
    doc = ingest(f"{server}/docs/untyped", kind="page").documents[0]
    assert "# Guide" in doc.content


def test_pdf_content_type_goes_to_the_pdf_path(server):
    bundle = ingest(f"{server}/paper.pdf", kind="page")
    assert bundle.kind == "pdf"
    assert "Hello from a PDF page" in bundle.documents[0].content


def test_local_file_base_url_and_stdin(tmp_path):
    page = tmp_path / "guide.html"
    page.write_text(DOC, encoding="utf-8")
    res = _cli("page", str(page), "--base-url", "https://demo.example/docs/", "--no-front-matter")
    assert res.returncode == 0, res.stderr
    assert "[run()](https://demo.example/docs/api.html#demo.run)" in res.stdout.decode()
    # without --base-url, links stay as written; front matter has no url
    res = _cli("page", str(page))
    out = res.stdout.decode()
    assert "[run()](api.html#demo.run)" in out and "\nurl:" not in out
    # HTML on stdin
    res = _cli("page", "-", "--base-url", "https://demo.example/docs/guide.html", stdin=DOC.encode())
    assert res.returncode == 0, res.stderr
    assert "url: https://demo.example/docs/guide.html" in res.stdout.decode()


def test_full_no_links_no_images(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(DOC.replace("<p>Read", '<p><img src="x.png" alt="pic">Read'), encoding="utf-8")
    out = _cli("page", str(page), "--full", "--no-links", "--no-images", "--no-front-matter").stdout.decode()
    assert "Quick search" in out  # --full keeps the whole body
    assert "Read run() first." in out and "](" not in out and "pic" not in out


def test_missing_file_and_help():
    res = _cli("page", "/nonexistent/page.html")
    assert res.returncode == 3
    res = _cli("page", "--help")
    assert res.returncode == 0 and "llmingest page https://" in res.stdout.decode()


def test_blocked_address_in_server_mode(server):
    from llmingest.errors import BlockedAddress

    with pytest.raises(BlockedAddress):
        ingest(f"{server}/docs/guide.html", kind="page", allow_private=False)
