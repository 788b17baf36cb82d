"""fetch_page and convert_pdf through the in-memory MCP client, and the same sources via the web swap.

A real HTTP server on 127.0.0.1 serves an HTML page and a PDF generated in the test with PyMuPDF.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pymupdf
import pytest
from conftest import asgi_get, call_tool, local_service, respond, serve_loopback, web_service
from llmingest.fetch.cache import ResultCache
from llmingest.mcp_server.server import create_server
from llmingest.mcp_server.service import Service
from llmingest.mcp_server.web import create_app
from llmingest.options import Options

PAGE = b"""<!doctype html><html><head><title>Install guide</title>
<meta name="description" content="How to install the tool."></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<main><h1>Install guide</h1><p>Run the installer, then check the version.</p>
<pre><code class="language-bash">pip install demo-tool
demo --version</code></pre>
<p>See <a href="/docs/config">configuration</a>.</p></main>
<footer>Copyright footer text</footer></body></html>"""


def make_pdf(pages: int = 3) -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        page.insert_text((72, 72), f"Chapter {i + 1}", fontsize=20)
        page.insert_text((72, 120), f"Body text of page {i + 1} about llamas.", fontsize=11)
    return doc.tobytes()


class Site(BaseHTTPRequestHandler):
    hits: list[str] = []
    pdf = b""

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits.append(self.path)
        if self.path.startswith("/guide"):
            body, ctype = PAGE, "text/html; charset=utf-8"
        elif self.path.startswith("/files/manual.pdf"):
            body, ctype = type(self).pdf, "application/pdf"
        else:
            respond(self, 404)
            return
        respond(self, 200, body, ctype)


@pytest.fixture(scope="module")
def site():
    Site.pdf = make_pdf()
    url, stop = serve_loopback(Site)
    yield url
    stop()


call = call_tool


def test_fetch_page_returns_clean_markdown_and_is_cached(tmp_path, site):
    svc = local_service(tmp_path)
    server = create_server(svc)
    Site.hits = []
    res = call(server, "fetch_page", {"url": f"{site}/guide/install"})
    text = res.content[0].text
    assert "# Install guide" in text and "```bash" in text and "pip install demo-tool" in text
    assert f"({site}/docs/config)" in text  # links absolute
    assert "Copyright footer" not in text and "About" not in text
    assert res.structured_content["next_cursor"] is None
    call(server, "fetch_page", {"url": f"{site}/guide/install"})
    # second call served from the cache (the first also probed the page's .md twin: markdown first)
    assert Site.hits == ["/guide/install", "/guide/install.md"]
    res = call(server, "fetch_page", {"url": f"{site}/missing"}, raise_on_error=False)
    assert res.is_error and "404" in res.content[0].text
    res = call(server, "fetch_page", {"url": "https://github.com/o/r/tree/main/docs"}, raise_on_error=False)
    assert res.is_error and "call ingest_repository" in res.content[0].text


def test_convert_pdf_local_and_remote_with_page_ranges(tmp_path, site):
    server = create_server(local_service(tmp_path))
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(make_pdf())
    text = call(server, "convert_pdf", {"source": str(pdf)}).content[0].text
    assert "page 1 about llamas" in text and "page 3 about llamas" in text
    text = call(server, "convert_pdf", {"source": str(pdf), "pages": "2"}).content[0].text
    assert "page 2 about" in text and "page 1 about" not in text and "page 3 about" not in text
    text = call(server, "convert_pdf", {"source": f"{site}/files/manual.pdf", "pages": "3"}).content[0].text
    assert "page 3 about" in text and "page 2 about" not in text
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    res = call(server, "convert_pdf", {"source": str(bad)}, raise_on_error=False)
    assert res.is_error and "Traceback" not in res.content[0].text
    res = call(server, "convert_pdf", {"source": str(pdf), "pages": "abc"}, raise_on_error=False)
    assert res.is_error and "--pages" not in res.content[0].text and "pages=1-5,9" in res.content[0].text


def test_web_swap_for_pages_and_pdfs(tmp_path, site):
    # server mode, with the test server's host mapped in by the operator (as a GHE mirror would be)
    app = create_app(web_service(tmp_path, {"127.0.0.1": site}), mount_mcp=False)

    page = asgi_get(app, f"/{site}/guide/install")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/markdown") and page.headers["x-kind"] == "page"
    assert page.text.startswith("---\n") and "# Install guide" in page.text
    pdf = asgi_get(app, f"/{site}/files/manual.pdf?pages=1")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["x-kind"] == "pdf" and "page 1 about" in pdf.text and "page 2 about" not in pdf.text
    as_json = asgi_get(app, f"/{site}/guide/install?format=json")
    assert as_json.json()["documents"][0]["title"] == "Install guide"
    # the page's own query string is passed on to the page, ours is consumed
    Site.hits = []
    asgi_get(app, f"/{site}/guide/install?lang=en&format=plain")
    assert Site.hits[0] == "/guide/install?lang=en" and all(".md" in h for h in Site.hits[1:])
    # the whole URL percent-encoded (a script's encodeURIComponent) is the same page, not a 404
    from urllib.parse import quote

    encoded = asgi_get(app, "/" + quote(f"{site}/guide/install", safe=""))
    assert encoded.status_code == 200 and encoded.text == page.text


SPEC = {
    "openapi": "3.0.3", "info": {"title": "Trackly", "version": "1"},
    "servers": [{"url": "https://api.trackly.test/v2"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {"/projects": {
        "get": {"operationId": "listProjects", "summary": "List projects"},
        "post": {"operationId": "createProject", "summary": "Create a project", "requestBody": {"content": {
            "application/json": {"schema": {"type": "object", "required": ["name"],
                                            "properties": {"name": {"type": "string"}}}}}}}}},
}
STEPS = """# Projects

## Create a project

1. Go to **Projects** in the sidebar.
2. Click **New project**.
3. Enter a **Name**, then click **Create project**.
"""


def test_curl_actions_rewrites_ui_steps_and_is_refused_for_local_files_in_server_mode(tmp_path):
    import json

    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    (tmp_path / "doc.md").write_text(STEPS)
    svc = local_service(tmp_path)
    res = call(create_server(svc), "curl_actions", {"source": str(tmp_path / "doc.md"),
                                                    "openapi": str(tmp_path / "spec.json")})
    text = res.content[0].text
    assert "curl -X POST" in text and "https://api.trackly.test/v2/projects" in text
    assert "Steps in the web UI" in text
    call(create_server(svc), "curl_actions", {"source": str(tmp_path / "doc.md"), "openapi": str(tmp_path / "spec.json")})
    assert svc.ingests == 1  # cached
    server_mode = Service(options=Options(allow_private=False, cache_dir=tmp_path / "s"),
                          cache=ResultCache(tmp_path / "s" / "r"))
    res = call(create_server(server_mode), "curl_actions", {"source": str(tmp_path / "doc.md")}, raise_on_error=False)
    assert res.is_error and "refusing local path" in res.content[0].text
