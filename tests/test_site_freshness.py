"""Warm `site` rebuilds over HTTP: kept-alive connections, and the freshness window a server grants.

Real parts: a built site folder served by http.server on 127.0.0.1, speaking HTTP/1.1 (keep-alive)
and sending ``Cache-Control: max-age`` when a test asks; it counts the page requests it answers and
the connections they came on. No timing assertions: what is checked is who asked what.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import serve_loopback
from llmingest.fetch.crawl import HttpCache, fresh_until
from llmingest.options import CrawlOptions, Options
from llmingest.render.llmstxt import render_site
from llmingest.sources.parse import WebPage
from llmingest.sources.site import ingest_site


def _site(root: Path, pages: int = 5) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    nav = "".join(f"<li><a href='p{i}.html'>Page {i}</a></li>" for i in range(pages))
    (root / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Home — Demo</title></head><body><main>"
        f"<h1>Home</h1><p>Start here.</p><ul>{nav}</ul></main></body></html>", "utf-8")
    for i in range(pages):
        (root / f"p{i}.html").write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>Page {i} — Demo</title></head><body><main>"
            f"<h1>Page {i}</h1><p>Body of page {i}, {'some words ' * (i + 2)}.</p></main></body></html>", "utf-8")
    return root


class _Server:
    """A counting HTTP/1.1 docs server; ``max_age`` (seconds) is sent as Cache-Control when set."""

    def __init__(self, root: Path, protocol: str = "HTTP/1.1") -> None:
        self.max_age: int | None = None
        self.pages: list[tuple[str, int]] = []  # (path, status) of every .html request
        self.connections: set[int] = set()  # client ports the page requests came from
        self.lock = threading.Lock()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            protocol_version = protocol

            def end_headers(self) -> None:
                if server.max_age is not None:
                    self.send_header("Cache-Control", f"max-age={server.max_age}")
                super().end_headers()

            def log_request(self, code="-", size="-") -> None:
                with server.lock:  # pages only: http.server closes the connection of every 404 (the probes)
                    if self.path.endswith(".html") or self.path.endswith("/"):
                        server.connections.add(self.client_address[1])
                        server.pages.append((self.path, int(code) if str(code).isdigit() else 0))

            def log_message(self, *args) -> None:
                pass

        self.base, self.stop = serve_loopback(functools.partial(Handler, directory=str(root)))
        self.url = self.base + "/"

    def take(self) -> tuple[list[tuple[str, int]], set[int]]:
        with self.lock:
            out = (list(self.pages), set(self.connections))
            self.pages.clear()
            self.connections.clear()
        return out


@pytest.fixture
def server(tmp_path):
    srv = _Server(_site(tmp_path / "html"))
    yield srv
    srv.stop()


def test_fresh_until_follows_what_a_private_http_cache_may_do():
    assert fresh_until({"cache-control": "public, max-age=600"}, now=1000.0) == 1600.0
    assert fresh_until({"cache-control": "max-age=600", "age": "100"}, now=1000.0) == 1500.0
    assert fresh_until({"cache-control": "max-age=60", "age": "100"}, now=1000.0) is None  # already stale
    assert fresh_until({"cache-control": "s-maxage=600"}, now=1000.0) is None  # for shared caches only
    for cc in ("no-cache", "no-store, max-age=600", "max-age=600, no-cache"):
        assert fresh_until({"cache-control": cc}, now=1000.0) is None, cc
    assert fresh_until({"cache-control": "max-age=600", "vary": "*"}, now=1000.0) is None
    expires = {"date": "Sat, 05 Dec 2026 10:00:00 GMT", "expires": "Sat, 05 Dec 2026 10:05:00 GMT"}
    assert fresh_until(expires, now=1000.0) == 1300.0  # Expires minus Date: the server's own clock
    assert fresh_until({"expires": "0"}, now=1000.0) is None
    assert fresh_until({"last-modified": "Sat, 05 Dec 2020 10:00:00 GMT"}, now=1000.0) is None  # no heuristics
    assert fresh_until({"cache-control": "max-age=31536000"}, now=0.0) == 7 * 86400.0  # capped at a week


def test_keep_alive_connections_are_reused_for_the_conditional_requests(server, tmp_path):
    options = Options(cache_dir=tmp_path / "cache", concurrency=2, per_host=2)
    cold = ingest_site(WebPage(server.url), options)
    server.take()
    warm = ingest_site(WebPage(server.url), options)
    pages, connections = server.take()
    assert warm.metadata["not_modified"] == 6 and sorted(s for _, s in pages) == [304] * 6
    # every page asked again, on at most two kept-alive connections (concurrency 2), not one each
    assert 1 <= len(connections) <= 2
    assert render_site(warm) == render_site(cold)


def test_an_http10_server_still_gets_a_connection_per_request_and_the_same_output(tmp_path):
    srv = _Server(_site(tmp_path / "html"), protocol="HTTP/1.0")
    try:
        options = Options(cache_dir=tmp_path / "cache")
        cold = ingest_site(WebPage(srv.url), options)
        srv.take()
        warm = ingest_site(WebPage(srv.url), options)
        pages, connections = srv.take()
        assert len(pages) == 6 and len(connections) >= 6  # nothing to reuse: the server closes each
        assert render_site(warm) == render_site(cold)
    finally:
        srv.stop()


def test_pages_inside_their_max_age_are_not_asked_for_and_refresh_asks_anyway(server, tmp_path):
    options = Options(cache_dir=tmp_path / "cache")
    server.max_age = 600
    cold = ingest_site(WebPage(server.url), options)
    first, _ = server.take()
    assert len(first) == 6 and cold.metadata["fresh"] == 0
    warm = ingest_site(WebPage(server.url), options)
    pages, _ = server.take()
    assert pages == [] and warm.metadata["fresh"] == 6 and warm.metadata["not_modified"] == 0
    assert render_site(warm) == render_site(cold)
    refreshed = ingest_site(WebPage(server.url), Options(cache_dir=tmp_path / "cache", crawl=CrawlOptions(refresh=True)))
    pages, _ = server.take()
    assert sorted(s for _, s in pages) == [304] * 6 and refreshed.metadata["fresh"] == 0
    assert render_site(refreshed) == render_site(cold)


def test_a_page_changed_inside_its_window_is_seen_with_refresh(server, tmp_path):
    import os
    import time

    options = Options(cache_dir=tmp_path / "cache")
    server.max_age = 600
    ingest_site(WebPage(server.url), options)
    page = tmp_path / "html" / "p2.html"
    page.write_text(page.read_text("utf-8").replace("Body of page 2", "New body of page 2"), "utf-8")
    later = time.time() + 5
    os.utime(page, (later, later))
    stale = ingest_site(WebPage(server.url), options)  # what the server promised: no change yet
    assert "New body" not in next(d for d in stale.documents if d.url.endswith("/p2.html")).content
    new = ingest_site(WebPage(server.url), Options(cache_dir=tmp_path / "cache", crawl=CrawlOptions(refresh=True)))
    assert "New body of page 2" in next(d for d in new.documents if d.url.endswith("/p2.html")).content


def test_a_304_with_max_age_opens_the_window_and_one_without_keeps_it_shut(server, tmp_path):
    options = Options(cache_dir=tmp_path / "cache")
    ingest_site(WebPage(server.url), options)  # no Cache-Control: nothing is fresh
    server.take()
    ingest_site(WebPage(server.url), options)
    pages, _ = server.take()
    assert sorted(s for _, s in pages) == [304] * 6  # revalidated, every one
    server.max_age = 600  # the 304s now carry max-age: they renew the kept answers
    ingest_site(WebPage(server.url), options)
    pages, _ = server.take()
    assert sorted(s for _, s in pages) == [304] * 6
    again = ingest_site(WebPage(server.url), options)
    pages, _ = server.take()
    assert pages == [] and again.metadata["fresh"] == 6


def test_a_fresh_answer_is_not_reused_for_other_request_headers(server, tmp_path):
    """A server may Vary on Accept or on a login cookie: an answer kept for one is not fresh for another."""
    server.max_age = 600
    ingest_site(WebPage(server.url), Options(cache_dir=tmp_path / "cache"))
    server.take()
    other = ingest_site(WebPage(server.url), Options(cache_dir=tmp_path / "cache", prefer_markdown=False))
    pages, _ = server.take()
    assert len(pages) == 6 and other.metadata["fresh"] == 0
    cookie = ingest_site(WebPage(server.url), Options(cache_dir=tmp_path / "cache", prefer_markdown=False,
                                                     cookies=["session=abc"]))
    pages, _ = server.take()
    assert len(pages) == 6 and cookie.metadata["fresh"] == 0
    cache = HttpCache(tmp_path / "cache" / "http")
    meta = cache.meta(server.url + "p1.html")
    assert meta and "abc" not in str(meta)  # the login header is only in a hash


def test_the_cli_refresh_flag_revalidates_fresh_pages(server, tmp_path, monkeypatch):
    from llmingest.cli import app
    from typer.testing import CliRunner

    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    server.max_age = 600
    runner = CliRunner()
    out = tmp_path / "out"
    first = runner.invoke(app, ["site", server.url, "-o", str(out)])
    assert first.exit_code == 0, first.output
    server.take()
    second = runner.invoke(app, ["site", server.url, "-o", str(out)])
    assert second.exit_code == 0 and "6 pages reused without asking" in second.stderr
    assert server.take()[0] == []
    third = runner.invoke(app, ["site", server.url, "-o", str(out), "--refresh"])
    assert third.exit_code == 0 and "6 unchanged (304)" in third.stderr
    assert sorted(s for _, s in server.take()[0]) == [304] * 6
