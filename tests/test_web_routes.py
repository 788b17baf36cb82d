"""The URL-swap web service: routes, formats and options through httpx (ASGI) and a real uvicorn."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from conftest import asgi_get, free_port, make_remote_repo, web_service
from fastmcp import Client
from llmingest.errors import UsageError
from llmingest.mcp_server.service import Service
from llmingest.mcp_server.web import create_app, target_for_path
from llmingest.tokens import count

MAPPED = ("github.com", "gitlab.com", "codeberg.org", "git.example.test")


def make_service(tmp_path, daemon_url: str, **limits) -> Service:
    return web_service(tmp_path, {h: daemon_url for h in MAPPED}, **limits)


get = asgi_get


@pytest.fixture()
def app(tmp_path, git_daemon):
    return create_app(make_service(tmp_path, git_daemon["url"]), mount_mcp=False)


class Uvicorn:
    """A real uvicorn on 127.0.0.1 in a thread (what `llmingest serve` runs)."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_target_for_path_understands_every_swap_form():
    assert target_for_path("/o/r") == "https://github.com/o/r"
    assert target_for_path("/o/r/tree/feature/x/docs") == "https://github.com/o/r/tree/feature/x/docs"
    assert target_for_path("/gitlab.com/g/sub/r/-/tree/main") == "https://gitlab.com/g/sub/r/-/tree/main"
    assert target_for_path("/codeberg.org/o/r") == "https://codeberg.org/o/r"
    assert target_for_path("/git.example.test/o/r.git") == "https://git.example.test/o/r.git"
    assert target_for_path("/https://example.com/a/b") == "https://example.com/a/b"
    assert target_for_path("/https:/example.com/a") == "https://example.com/a"  # a proxy folded //
    assert target_for_path("/HTTP://example.com/") == "http://example.com/"
    assert target_for_path("/https%3A%2F%2Fexample.com%2Fa%2Fb.html") == "https://example.com/a/b.html"
    assert target_for_path("/HTTP%3a%2f%2fexample.com%2F") == "http://example.com/"
    for bad in ("/", "/onlyowner", "/file:///etc/passwd", "/ftp://x/y"):
        with pytest.raises(UsageError):
            target_for_path(bad)


def test_repo_digest_default_markdown_with_token_count(app):
    res = get(app, "/o/r")
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("text/markdown")
    assert "README.md" in res.text and "second" in res.text and "print('app')" in res.text
    assert int(res.headers["x-token-count"]) == count(res.text)
    assert res.headers["x-kind"] == "repo"


def test_tree_and_blob_urls_narrow_the_digest(app):
    res = get(app, "/o/r/tree/feature/x/docs")
    assert res.status_code == 200, res.text
    assert "# Feature" in res.text and "print('app')" not in res.text
    res = get(app, "/o/r/blob/main/src/app.py")
    assert res.status_code == 200, res.text
    assert "print('app')" in res.text and "# Demo" not in res.text


def test_formats_include_exclude_budget_and_download(app):
    data = json.loads(get(app, "/o/r?format=json").text)
    assert {d["path"] for d in data["documents"]} >= {"README.md", "src/app.py"}
    xml = get(app, "/o/r?format=xml")
    assert xml.headers["content-type"].startswith("application/xml") and xml.text.lstrip().startswith("<")
    plain = get(app, "/o/r?format=plain")
    assert plain.headers["content-type"].startswith("text/plain") and "print('app')" in plain.text
    res = get(app, "/o/r?format=json&include=docs/**&exclude=docs/guide/**")
    paths = {d["path"] for d in json.loads(res.text)["documents"]}
    assert paths == {"docs/a.md"}
    full = int(get(app, "/o/r").headers["x-token-count"])
    too_small = get(app, "/o/r?max_tokens=20")  # the summary alone does not fit: a clear 413, not a lie
    assert too_small.status_code == 413 and "too small" in too_small.text and too_small.text.count("\n") == 1
    for fmt in ("markdown", "xml", "json", "plain"):  # the budget holds in the format asked for
        whole = int(get(app, f"/o/r?format={fmt}").headers["x-token-count"])
        budget = whole - 1
        small = get(app, f"/o/r?format={fmt}&max_tokens={budget}")
        assert small.status_code == 200, (fmt, small.text)
        assert int(small.headers["x-token-count"]) <= budget < whole, fmt
    assert full >= 1
    dl = get(app, "/o/r?download=1")
    assert dl.headers["content-disposition"].startswith("attachment; filename=") and ".md" in dl.headers["content-disposition"]
    bad = get(app, "/o/r?format=docx")
    assert bad.status_code == 422 and bad.text.startswith("error: unknown format") and bad.text.count("\n") == 1


def test_other_forges_and_any_git_host_first(app):
    for path in ("/gitlab.com/o/r", "/codeberg.org/o/r/src/branch/main/docs", "/git.example.test/o/r.git"):
        res = get(app, path)
        assert res.status_code == 200, (path, res.text)
        assert "docs/a.md" in res.text
    assert "print('app')" not in get(app, "/codeberg.org/o/r/src/branch/main/docs").text


def test_errors_are_one_line_with_the_right_status(app):
    res = get(app, "/o/missing")
    assert res.status_code == 404
    assert res.text.startswith("error: ") and res.text.count("\n") == 1 and "Traceback" not in res.text
    res = get(app, "/o/r/tree/no-such-branch")
    assert res.status_code == 404 and "no-such-branch" in res.text
    res = get(app, "/o/r?max_tokens=lots")
    assert res.status_code == 422 and "max_tokens" in res.text



def test_error_hints_name_what_a_web_caller_can_send_not_cli_flags(app):
    # the core says "use --token" / "raise --max-tokens"; a browser or curl user passes a header or ?param=
    missing = get(app, "/o/missing").text
    assert "--" not in missing and "Authorization: Bearer <token>" in missing
    small = get(app, "/o/r?max_tokens=20").text
    assert "--" not in small and "max_tokens=20" in small and "raise max_tokens=" in small and ",)" not in small
    nothing = get(app, "/o/r?include=*.rs")
    assert nothing.status_code == 404 and "--" not in nothing.text and "include=/exclude=" in nothing.text


def test_landing_page_and_health(app):
    res = get(app, "/")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    assert 'id="url"' in res.text and 'id="copy"' in res.text and 'id="download"' in res.text
    assert get(app, "/healthz").json()["status"] == "ok"
    assert get(app, "/llms.txt").status_code == 422


def test_real_uvicorn_serves_digests_and_mcp_on_one_app(tmp_path, git_daemon):
    svc = make_service(tmp_path, git_daemon["url"])
    with Uvicorn(create_app(svc)) as base:
        res = httpx.get(f"{base}/o/r/tree/main/docs", timeout=30)
        assert res.status_code == 200 and "docs/guide/b.md" in res.text

        async def mcp_call(url):
            async with Client(url) as client:
                names = {t.name for t in await client.list_tools()}
                tree = await client.call_tool("repository_tree", {"source": "o/r"})
                return names, tree.content[0].text

        for url in (f"{base}/mcp", f"{base}/mcp/"):  # a client configured with a trailing slash got 405
            names, tree = asyncio.run(mcp_call(url))
            assert "ingest_repository" in names and "search_docs" in names, url
            assert "app.py" in tree
    assert svc.ingests == 2  # the docs subtree and the whole repo; the MCP call read the same cache


def test_concurrent_requests_for_one_repo_clone_once(tmp_path, git_daemon):
    make_remote_repo(git_daemon["base"], "o/solo")
    make_remote_repo(git_daemon["base"], "o/crowd")
    svc = make_service(tmp_path, git_daemon["url"], max_workers=8)
    with Uvicorn(create_app(svc, mount_mcp=False)) as base:
        before = git_daemon["requests"]()
        assert httpx.get(f"{base}/o/solo", timeout=60).status_code == 200
        one_request = git_daemon["requests"]() - before  # what a single cold request costs the git server
        assert one_request >= 1
        before = git_daemon["requests"]()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: httpx.get(f"{base}/o/crowd", timeout=60), range(8)))
        assert [r.status_code for r in results] == [200] * 8
        assert len({r.text for r in results}) == 1  # byte-identical
        assert git_daemon["requests"]() - before == one_request  # eight requests, one clone
    assert svc.ingests == 2


def test_etag_revalidation_answers_304_without_a_body(app):
    first = get(app, "/o/r")
    etag = first.headers["etag"]
    again = get(app, "/o/r", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = get(app, "/o/r?format=xml", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_browser_and_crawler_files_are_not_fetched_as_hosts(app):
    assert get(app, "/favicon.ico").status_code == 204
    robots = get(app, "/robots.txt")
    assert robots.status_code == 200 and "Disallow: /" in robots.text
    for path in ("/apple-touch-icon.png", "/sitemap.xml", "/manifest.webmanifest"):
        res = get(app, path)
        assert res.status_code == 404 and "is not here" in res.text
    assert get(app, "/o/r").headers["vary"] == "Authorization, Accept"  # the format follows Accept too
