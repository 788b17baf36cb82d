"""docs_index, read_docs and search_docs via the in-memory MCP client, and /llms.txt?url= on the web app.

Two docs sites are served from 127.0.0.1 by a real threaded HTTP server: one that publishes its
own llms.txt, one that does not (so the index is built by crawling it).
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from conftest import asgi_get, call_tool, local_service, respond, serve_loopback, web_service
from llmingest.fetch.cache import ResultCache
from llmingest.mcp_server.limits import Limits
from llmingest.mcp_server.server import create_server
from llmingest.mcp_server.service import Service
from llmingest.mcp_server.web import create_app
from llmingest.options import Options


def html(title: str, body: str, links: list[str] = ()) -> bytes:
    nav = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return (f"<!doctype html><html><head><title>{title} - Widget Docs</title>"
            f'<meta name="description" content="{title} of the Widget toolkit."></head>'
            f"<body><nav>{nav}</nav><main><h1>{title}</h1>{body}</main></body></html>").encode()


LINKS = ["/docs/", "/docs/guide/install.html", "/docs/guide/configure.html", "/docs/api/client.html",
         "/docs/api/server.html"]
PAGES = {
    "/docs/": html("Widget Docs", "<p>Widget is a toolkit for building gadgets.</p>", LINKS),
    "/docs/guide/install.html": html("Installation", "<p>Install widget with pip.</p>"
                                     "<pre><code class='language-bash'>pip install widget</code></pre>", LINKS),
    "/docs/guide/configure.html": html("Configuration", "<p>Set the proxy timeout in widget.toml to tune "
                                       "network behaviour.</p>", LINKS),
    "/docs/api/client.html": html("Client API", "<p>The Client class opens connections to a gadget "
                                  "server.</p>", LINKS),
    "/docs/api/server.html": html("Server API", "<p>The Server class listens for gadgets.</p>", LINKS),
}
PUBLISHED = b"# Gizmo\n\n> Gizmo's own index.\n\n## Docs\n\n- [Start](https://gizmo.example/start): start here\n"


class DocsSite(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits.append(self.path)
        path = self.path.split("?")[0]
        if path == "/gizmo/llms.txt":
            body, ctype = PUBLISHED, "text/plain; charset=utf-8"
        elif path == "/gizmo/":
            body, ctype = html("Gizmo", "<p>Gizmo docs.</p>"), "text/html"
        elif path in PAGES:
            body, ctype = PAGES[path], "text/html; charset=utf-8"
        else:
            respond(self, 404)
            return
        respond(self, 200, body, ctype)


@pytest.fixture(scope="module")
def docs_site():
    url, stop = serve_loopback(DocsSite)
    yield url
    stop()


call = call_tool
service = local_service


def test_docs_index_is_built_by_crawling_when_the_site_publishes_none(tmp_path, docs_site):
    svc = service(tmp_path)
    server = create_server(svc)
    text = call(server, "docs_index", {"url": f"{docs_site}/docs/"}).content[0].text
    assert text.startswith("# Widget Docs")
    for title in ("Installation", "Configuration", "Client API", "Server API"):
        assert f"[{title}]({docs_site}/docs/" in text
    assert "## " in text  # grouped in sections
    DocsSite.hits = []
    call(server, "docs_index", {"url": f"{docs_site}/docs/"})
    assert DocsSite.hits == []  # cached: no request at all


def test_docs_index_returns_the_published_llms_txt_without_crawling(tmp_path, docs_site):
    DocsSite.hits = []
    text = call(create_server(service(tmp_path)), "docs_index", {"url": f"{docs_site}/gizmo/"}).content[0].text
    assert text == PUBLISHED.decode()
    assert not any(h.startswith("/docs/") for h in DocsSite.hits)


def test_read_docs_by_url_path_title_and_section(tmp_path, docs_site):
    server = create_server(service(tmp_path))
    base = f"{docs_site}/docs/"
    page = call(server, "read_docs", {"url": base, "section": f"{docs_site}/docs/guide/install.html"}).content[0].text
    assert page.startswith("# Installation") and "pip install widget" in page and "Configuration" not in page
    assert f"Source: {docs_site}/docs/guide/install.html" in page
    by_title = call(server, "read_docs", {"url": base, "section": "Client API"}).content[0].text
    assert "opens connections" in by_title and "listens for gadgets" not in by_title
    index = call(server, "docs_index", {"url": base}).content[0].text
    api_section = next(line[3:] for line in index.splitlines() if line.startswith("## ") and "pi" in line.lower())
    section = call(server, "read_docs", {"url": base, "section": api_section}).content[0].text
    assert "opens connections" in section and "listens for gadgets" in section and "pip install" not in section
    res = call(server, "read_docs", {"url": base, "section": "Nonexistent page"}, raise_on_error=False)
    assert res.is_error and "sections:" in res.content[0].text


def test_search_docs_ranks_pages_with_bm25(tmp_path, docs_site):
    server = create_server(service(tmp_path))
    res = call(server, "search_docs", {"url": f"{docs_site}/docs/", "query": "proxy timeout", "k": 3})
    results = res.structured_content["results"]
    assert results and results[0]["title"] == "Configuration"
    assert results[0]["url"] == f"{docs_site}/docs/guide/configure.html"
    assert "proxy timeout" in results[0]["snippet"]
    assert "Configuration" in res.content[0].text
    none = call(server, "search_docs", {"url": f"{docs_site}/docs/", "query": "zzzqqq"})
    assert none.structured_content["results"] == [] and "No page" in none.content[0].text


def test_web_llms_txt_route(tmp_path, docs_site):
    app = create_app(web_service(tmp_path, {"127.0.0.1": docs_site}), mount_mcp=False)

    res = asgi_get(app, f"/llms.txt?url={docs_site}/gizmo/")
    assert res.status_code == 200 and res.text == PUBLISHED.decode()
    res = asgi_get(app, f"/llms.txt?url={docs_site}/docs/")
    assert res.status_code == 200 and res.text.startswith("# Widget Docs")
    refused = asgi_get(app, "/llms.txt?url=http://10.0.0.1/docs/")
    assert refused.status_code == 403
    bad = asgi_get(app, "/llms.txt?url=docs")
    assert bad.status_code == 422


def test_search_snippet_is_the_line_that_matches_most_not_the_heading():
    from llmingest.mcp_server.server import _snippet

    page = "# Proxy settings\n\nProxies are optional.\n\nConfigure the proxy timeout with PROXY_TIMEOUT.\n"
    assert _snippet(page, "proxy timeout") == "Configure the proxy timeout with PROXY_TIMEOUT."
    assert _snippet("# Proxy\n\nNothing else here.\n", "proxy") == "# Proxy"  # a heading when it is all there is
    assert _snippet("plain text\n", "zzz") == "plain text"


def test_published_llms_txt_over_the_page_size_limit_is_refused(tmp_path, docs_site):
    # --max-page-size held for pages and PDFs but not for a site's own llms.txt
    svc = Service(options=Options(cache_dir=tmp_path / "c"), limits=Limits(max_page_bytes=len(PUBLISHED) - 1),
                  cache=ResultCache(tmp_path / "c" / "r"))
    res = call(create_server(svc), "docs_index", {"url": f"{docs_site}/gizmo/"}, raise_on_error=False)
    assert res.is_error and "limit" in res.content[0].text and res.content[0].text.count("\n") == 0
    svc.limits.max_page_bytes = len(PUBLISHED)
    assert call(create_server(svc), "docs_index", {"url": f"{docs_site}/gizmo/"}).content[0].text == PUBLISHED.decode()
