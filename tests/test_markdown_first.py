"""Markdown first, sites behind a login, and JavaScript apps (--render), on servers at 127.0.0.1."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from conftest import chromium, respond, serve_loopback
from llmingest.cli import app
from llmingest.errors import ConversionError
from llmingest.options import Options
from typer.testing import CliRunner

HTML = (b"<!doctype html><html><head><title>Guide</title>{head}</head><body><main><h1>Guide (html)</h1>"
        b"<p>This is the HTML version of the guide with enough words to be content.</p></main></body></html>")
MARKDOWN = b"# Guide\n\nThe publisher's own markdown.\n"
SPA = (b"<!doctype html><html><head><title>App</title></head><body><div id='root'></div>"
       b"<script src='/app.js'></script></body></html>")
APP_JS = (b"document.getElementById('root').innerHTML = '<main><h1>Rendered docs</h1><p>Configure the client "
          b"with a timeout of five seconds and three retries.</p></main>';"
          b"fetch('http://localhost:' + location.port + '/secret.json').then(r => r.text())"
          b".then(t => { const p = document.createElement('p'); p.textContent = 'LEAK ' + t;"
          b" document.querySelector('main').appendChild(p); }).catch(() => {});")


class Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.seen.append({"path": self.path, "accept": self.headers.get("Accept", ""),
                             "cookie": self.headers.get("Cookie"), "x": self.headers.get("X-Team")})
        accept = self.headers.get("Accept", "")
        if self.path == "/negotiated":
            if "text/markdown" in accept:
                return respond(self, 200, MARKDOWN, "text/markdown; charset=utf-8", Vary="Accept")
            return respond(self, 200, HTML.replace(b"{head}", b""), "text/html")
        if self.path == "/linked":
            return respond(self, 200, HTML.replace(b"{head}", b""), "text/html",
                           Link='</md/linked.md>; rel="alternate"; type="text/markdown"')
        if self.path == "/element":
            head = b'<link rel="alternate" type="text/markdown" href="/md/element.md">'
            return respond(self, 200, HTML.replace(b"{head}", head), "text/html")
        if self.path in ("/md/linked.md", "/md/element.md", "/twin.html.md"):
            return respond(self, 200, MARKDOWN, "text/markdown")
        if self.path == "/twin.html":
            return respond(self, 200, HTML.replace(b"{head}", b""), "text/html")
        if self.path == "/private":
            if self.headers.get("Cookie") != "session=s3cr3t-cookie" or self.headers.get("X-Team") != "t0ken-team":
                return respond(self, 403, b"login first", "text/plain")
            body = HTML.replace(b"{head}", b"").replace(b"the HTML version", b"the members-only version")
            return respond(self, 200, body.replace(b"</main>", b"<a href='" + self.server_other.encode() +
                                                   b"/x'>x</a></main>"), "text/html")
        if self.path == "/docs/":
            head = b'<link rel="describedby" type="text/plain" href="/docs/llms.txt">'
            return respond(self, 200, HTML.replace(b"{head}", head), "text/html")
        if self.path == "/docs/llms.txt":
            return respond(self, 200, b"# Docs\n\n> The docs.\n\n## Parts\n\n- [API](api/llms.txt): the API's own "
                                      b"llms.txt\n- [Guide](guide.md): the guide\n", "text/plain")
        if self.path == "/app":
            return respond(self, 200, SPA, "text/html")
        if self.path == "/app.js":
            return respond(self, 200, APP_JS, "application/javascript")
        if self.path == "/secret.json":
            return respond(self, 200, b"internal-secret", "application/json", Access_Control_Allow_Origin="*")
        return respond(self, 404, b"no", "text/plain")


@pytest.fixture(scope="module")
def server():
    base, stop = serve_loopback(Handler)
    Handler.server_other = "http://localhost:1"
    yield base
    stop()


def _page(*args: str):
    return CliRunner().invoke(app, ["page", *args])


def test_markdown_answer_is_used_and_said(server) -> None:
    out = _page(f"{server}/negotiated")
    assert out.exit_code == 0, out.output
    assert "The publisher's own markdown." in out.stdout and "Guide (html)" not in out.stdout
    assert "markdown: content-negotiation" in out.stdout
    assert Handler.seen[-1]["accept"].startswith("text/markdown, text/html;q=0.9")
    off = _page(f"{server}/negotiated", "--no-prefer-markdown")
    assert "Guide (html)" in off.stdout and "markdown:" not in off.stdout
    assert "text/markdown" not in Handler.seen[-1]["accept"]


@pytest.mark.parametrize(("path", "how", "md"), [("/linked", "link-header", "/md/linked.md"),
                                                  ("/element", "link-element", "/md/element.md"),
                                                  ("/twin.html", "md-twin", "/twin.html.md")])
def test_markdown_alternates(server, path, how, md) -> None:
    out = _page(server + path)
    assert out.exit_code == 0, out.output
    assert "The publisher's own markdown." in out.stdout
    assert f"markdown: {how}" in out.stdout and f"markdown_url: {server}{md}" in out.stdout


def test_login_headers_go_to_the_start_host_only_and_never_print(server) -> None:
    denied = _page(f"{server}/private")
    assert denied.exit_code == 4
    Handler.seen.clear()
    out = _page(f"{server}/private", "--cookie", "session=s3cr3t-cookie", "-H", "X-Team: t0ken-team",
                "--format", "json")
    assert out.exit_code == 0, out.output
    assert "members-only" in out.stdout
    assert "s3cr3t-cookie" not in out.output and "t0ken-team" not in out.output
    assert all(s["cookie"] == "session=s3cr3t-cookie" for s in Handler.seen)
    from llmingest.fetch.http import login_headers

    opts = Options(headers={"X-Team": "t"}, cookies=["a=b"])
    assert login_headers(opts, f"{server}/other", server) == {"X-Team": "t", "Cookie": "a=b"}
    assert login_headers(opts, "http://localhost:1/x", server) == {}
    assert login_headers(opts, "http://example.org/x", "https://example.org/") == {}  # no https -> http


def test_spa_shell_is_named_and_render_is_offered(server) -> None:
    out = _page(f"{server}/app")
    assert out.exit_code == ConversionError.exit_code
    assert "JavaScript app" in out.output and "--render" in out.output


def test_render_loads_the_app_and_guards_every_request(server) -> None:
    with chromium():
        pass  # skips with an install hint where Debian's chromium is missing
    from llmingest.fetch.browser import render_page

    # server mode, 127.0.0.1 trusted as the operator's mirror: the page's own request to
    # localhost (a private address) is refused by the route guard
    opts = Options(allow_private=False, host_map={"127.0.0.1": server}, timeout=30)
    rendered = render_page(f"{server}/app", opts)
    assert b"Rendered docs" in rendered.html and b"internal-secret" not in rendered.html
    assert any("localhost" in u and "secret.json" in u for u in rendered.blocked)
    out = _page(f"{server}/app", "--render")
    assert out.exit_code == 0, out.output
    assert "Rendered docs" in out.stdout and "three retries" in out.stdout
    assert "rendered: headless chromium" in out.stdout


def test_site_crawl_sends_login_and_accept_markdown(server, tmp_path) -> None:
    Handler.seen.clear()
    out = CliRunner().invoke(app, ["site", f"{server}/private", "--cookie", "session=s3cr3t-cookie",
                                   "-H", "X-Team: t0ken-team", "-o", str(tmp_path / "out"), "-q", "--no-cache"])
    assert out.exit_code == 0, out.output
    assert "members-only" in (tmp_path / "out" / "llms-full.txt").read_text()
    page = [s for s in Handler.seen if s["path"] == "/private"]
    assert page and page[0]["cookie"] == "session=s3cr3t-cookie" and page[0]["accept"].startswith("text/markdown")
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert "s3cr3t-cookie" not in path.read_text(errors="replace")


def test_serve_negotiates_markdown_and_varies_on_accept(tmp_path) -> None:
    from conftest import asgi_get, web_service
    from llmingest.mcp_server.web import create_app

    app_ = create_app(web_service(tmp_path), mount_mcp=False)
    browser = asgi_get(app_, "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html") and "Accept" in browser.headers["vary"]
    assert 'type="text/markdown"' in browser.headers["link"]
    agent = asgi_get(app_, "/", headers={"Accept": "text/markdown, text/html;q=0.9"})
    assert agent.status_code == 200 and agent.headers["content-type"].startswith("text/markdown")
    assert "<html" not in agent.text.lower() and agent.text.startswith("---\n")
    assert "Accept" in agent.headers["vary"]


def test_mcp_docs_tools_take_a_login_and_never_share_it(server, tmp_path) -> None:
    from conftest import call_tool, local_service
    from llmingest.mcp_server.server import create_server

    mcp = create_server(local_service(tmp_path))
    login = {"cookies": ["session=s3cr3t-cookie"], "headers": {"X-Team": "t0ken-team"}}
    res = call_tool(mcp, "read_docs", {"url": f"{server}/private", "section": f"{server}/private", **login})
    text = res.content[0].text
    assert "members-only" in text and "s3cr3t-cookie" not in text and "t0ken-team" not in text
    index = call_tool(mcp, "docs_index", {"url": f"{server}/private", **login})
    assert "Guide" in index.content[0].text
    # the same site without the login is not answered from the logged-in cache entry
    anon = call_tool(mcp, "read_docs", {"url": f"{server}/private", "section": f"{server}/private"},
                     raise_on_error=False)
    assert anon.is_error or "members-only" not in anon.content[0].text


def test_llmstxt_validate_knows_subpaths_and_describedby(server) -> None:
    out = CliRunner().invoke(app, ["llmstxt", "validate", f"{server}/docs/"])
    assert out.exit_code == 0, out.output
    assert f'its llms.txt (rel="describedby") is {server}/docs/llms.txt' in out.stdout
    assert f"a subpath llms.txt (v2): it describes {server}/docs/" in out.stdout
    assert "links 1 subpath llms.txt file(s) (v2): api/llms.txt" in out.stdout
    assert 'points to it with rel="describedby"' in out.stdout
    none = CliRunner().invoke(app, ["llmstxt", "validate", f"{server}/twin.html"])
    assert none.exit_code == 3 and "declares no llms.txt" in none.output


def test_site_writes_md_twins_when_asked(server, tmp_path) -> None:
    out = CliRunner().invoke(app, ["site", f"{server}/twin.html", "--md-twins", "-o", str(tmp_path / "o"), "-q",
                                   "--no-cache", "--max-pages", "1"])
    assert out.exit_code == 0, out.output
    mirror, twin = tmp_path / "o" / "twin.md", tmp_path / "o" / "twin.html.md"
    assert twin.read_text() == mirror.read_text() and "Guide" in twin.read_text()
    check = CliRunner().invoke(app, ["site", f"{server}/twin.html", "--md-twins", "-o", str(tmp_path / "o"),
                                     "--check", "-q", "--no-cache", "--max-pages", "1"])
    assert check.exit_code == 0, check.output


def test_site_names_spa_pages_and_renders_them(server, tmp_path) -> None:
    plain = CliRunner().invoke(app, ["site", f"{server}/app", "-o", str(tmp_path / "a"), "--no-cache",
                                     "--max-pages", "1"])
    assert "JavaScript app" in plain.output and "--render" in plain.output
    with chromium():
        pass  # skips with an install hint where Debian's chromium is missing
    out = CliRunner().invoke(app, ["site", f"{server}/app", "--render", "-o", str(tmp_path / "b"), "-q",
                                   "--no-cache", "--max-pages", "1"])
    assert out.exit_code == 0, out.output
    full = (tmp_path / "b" / "llms-full.txt").read_text()
    assert "Rendered docs" in full and "three retries" in full


def test_accept_negotiation_rules() -> None:
    from llmingest.mcp_server.web import _negotiated

    assert _negotiated("") == "markdown" and _negotiated("*/*") == "markdown"
    assert _negotiated("application/json") == "json"
    assert _negotiated("text/html,application/xhtml+xml") == "markdown"  # the swap has no HTML: markdown
    assert _negotiated("text/markdown;q=0.5, application/json;q=0.9") == "json"
    assert _negotiated("text/html,*/*;q=0.8", html=True) == "html"
    assert _negotiated("text/markdown, text/html;q=0.9", html=True) == "markdown"
    assert _negotiated("text/markdown, text/html", html=True) == "html"  # a tie keeps the page


def test_site_md_twins_with_base_url_write_link_hints_but_never_over_the_users(server, tmp_path) -> None:
    args = ["site", f"{server}/twin.html", "--md-twins", "--base-url", "https://docs.example.com/v2/", "-q",
            "--no-cache", "--max-pages", "1", "-o"]
    out = CliRunner().invoke(app, [*args, str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    hints = (tmp_path / "o" / "_headers").read_text()
    assert '/v2/twin.html\n  Link: </v2/twin.html.md>; rel="alternate"; type="text/markdown"' in hints
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_headers").write_text("/*\n  X-Frame-Options: DENY\n")
    out = CliRunner().invoke(app, [*args, str(mine)])
    assert out.exit_code == 0, out.output
    assert (mine / "_headers").read_text() == "/*\n  X-Frame-Options: DENY\n"
