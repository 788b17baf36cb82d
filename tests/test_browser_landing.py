"""The landing page in a real browser: headless Debian chromium driven by playwright (no browser download).

A real uvicorn serves the app on 127.0.0.1 in server mode, with github.com host-mapped to a local
git daemon; the browser pastes a URL, reads the digest and its token count, copies it to the
clipboard, downloads it, and sees a one-line error for a repository that does not exist.
"""

from __future__ import annotations

import httpx
import pytest
from conftest import chromium
from llmingest.mcp_server.web import create_app
from playwright.sync_api import expect
from test_web_routes import Uvicorn, make_service


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_landing_page_digest_copy_download_and_error(tmp_path, git_daemon, browser):
    with Uvicorn(create_app(make_service(tmp_path, git_daemon["url"]), mount_mcp=False)) as base:
        context = browser.new_context(accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        page.goto(base + "/")
        assert "llmingest" in page.title()
        assert page.locator(".host").first.inner_text() == base.split("//")[1]

        page.fill("#url", "https://github.com/o/r/tree/main/docs")
        page.click("#go")
        expect(page.locator("#result")).to_be_visible(timeout=30_000)
        output = page.locator("#output").inner_text()
        assert "docs/a.md" in output and "docs/guide/b.md" in output and "print('app')" not in output
        expected = httpx.get(f"{base}/o/r/tree/main/docs", timeout=30)
        assert output.strip() == expected.text.strip()
        shown = int(page.locator("#tokens").inner_text().replace(",", ""))
        assert shown == int(expected.headers["x-token-count"]) > 0

        page.click("#copy")
        expect(page.locator("#status")).to_have_text("Copied!")
        assert page.evaluate("navigator.clipboard.readText()").strip() == expected.text.strip()

        with page.expect_download() as info:
            page.click("#download")
        download = info.value
        assert download.suggested_filename.endswith(".md")
        with open(download.path(), encoding="utf-8") as fh:
            assert fh.read() == expected.text

        page.fill("#url", "github.com/o/r")
        page.select_option("#format", "xml")
        page.fill("#include", "README.md")
        page.click("#go")
        expect(page.locator("#output")).to_contain_text("<", timeout=30_000)
        xml = page.locator("#output").inner_text()
        assert "second" in xml and "docs/a.md" not in xml.split("</directory_structure>")[-1]

        page.fill("#include", "")
        page.fill("#url", "o/does-not-exist")
        page.click("#go")
        expect(page.locator("#error")).to_be_visible(timeout=30_000)
        assert page.locator("#error").inner_text().startswith("error:")
        expect(page.locator("#result")).to_be_hidden()
        context.close()


def test_landing_page_keeps_a_pages_own_query_string(tmp_path, git_daemon, browser):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            lang = "en" if "lang=en" in self.path else "none"
            body = f"<html><head><title>Guide</title></head><body><main><h1>Guide</h1><p>Language is {lang}.</p>" \
                   "</main></body></html>"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    svc = make_service(tmp_path, git_daemon["url"])
    svc.options.host_map["127.0.0.1"] = site  # the operator trusts this host (a server-mode app otherwise refuses it)
    try:
        with Uvicorn(create_app(svc, mount_mcp=False)) as base:
            page = browser.new_page()
            page.goto(base + "/")
            page.fill("#url", f"{site}/guide?lang=en#install")
            page.select_option("#format", "plain")
            page.click("#go")
            expect(page.locator("#result")).to_be_visible(timeout=30_000)
            assert "Language is en." in page.locator("#output").inner_text()
            page.close()
    finally:
        server.shutdown()
        server.server_close()
