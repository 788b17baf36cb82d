"""Server mode: SSRF refusals (addresses and redirects that point inward), tokens, limits (413/429/504)."""

from __future__ import annotations

import asyncio
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from conftest import asgi_get, respond, web_service
from llmingest.fetch.cache import ResultCache
from llmingest.mcp_server.limits import Limits
from llmingest.mcp_server.service import Service
from llmingest.mcp_server.web import create_app
from llmingest.options import Options


def get(app, path: str, headers: dict | None = None, client=("198.51.100.7", 5555)) -> httpx.Response:
    """From a public client address by default: server mode judges callers by it."""
    return asgi_get(app, path, headers, client)


service = web_service


class Recorder(BaseHTTPRequestHandler):
    """Redirects /to/<addr> inward and records every request it gets."""

    seen: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).seen.append(self.path)
        if self.path == "/big":
            respond(self, 200, b"<html><body><main><p>" + b"big page " * 30_000 + b"</p></main></body></html>",
                    "text/html")
            return
        if self.path.startswith("/to/"):
            respond(self, 302, Location="http://" + self.path[len("/to/"):])
            return
        respond(self, 200, b"<html><head><title>Hi</title></head><body><main><h1>Hi</h1><p>hello</p></main></body></html>",
                "text/html")


@pytest.fixture()
def recorder():
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", [
    "/http://127.0.0.1:9/page",
    "/http://localhost:9/page",
    "/http://10.0.0.1/page",
    "/http://169.254.169.254/latest/meta-data/",
    "/https://[::1]:9/x.pdf",
    "/http://100.64.0.1/page",
    "/http://2130706433/page",  # 127.0.0.1 as a decimal number
    "/http://0x7f.1/page",  # 127.0.0.1 in hex shorthand
    "/http://[::ffff:127.0.0.1]/page",  # IPv4-mapped IPv6
    "/http://0.0.0.0:9/page",
    "/10.0.0.1/o/r.git",
    "/127.0.0.1:9/group/repo.git",
])
def test_inward_addresses_are_refused_before_connecting(tmp_path, path):
    res = get(create_app(service(tmp_path), mount_mcp=False), path)
    assert res.status_code == 403, res.text
    assert "non-public address" in res.text and res.text.count("\n") == 1


def test_allowed_with_allow_private(tmp_path, recorder):
    svc = Service(options=Options(allow_private=True, cache_dir=tmp_path / "c"), limits=Limits(rate_per_minute=0),
                  cache=ResultCache(tmp_path / "c" / "r"))
    res = get(create_app(svc, mount_mcp=False), f"/http://127.0.0.1:{recorder}/page")
    assert res.status_code != 403
    assert Recorder.seen  # it really went there


@pytest.mark.parametrize("inward", ["169.254.169.254/latest/meta-data/", "10.0.0.1/admin", "localhost:9/x"])
def test_redirects_that_point_inward_are_refused(tmp_path, recorder, inward):
    # the first hop is allowed (the operator host-mapped 127.0.0.1), the redirect target is not
    svc = service(tmp_path, host_map={"127.0.0.1": f"http://127.0.0.1:{recorder}/"})
    res = get(create_app(svc, mount_mcp=False), f"/http://127.0.0.1:{recorder}/to/{inward}")
    assert res.status_code == 403, res.text
    assert inward.split("/")[0].split(":")[0] in res.text
    assert Recorder.seen == [f"/to/{inward}"]  # one request to the allowed host, none further


def test_private_repo_token_only_from_authorization_header_and_never_echoed(tmp_path, git_http_private):
    token = git_http_private["token"]
    app = create_app(service(tmp_path, host_map={"github.com": git_http_private["url"]}), mount_mcp=False)
    res = get(app, "/o/private")
    assert res.status_code == 401 and "token" in res.text.lower()
    ok = get(app, "/o/private", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200, ok.text
    assert "second" in ok.text and token not in ok.text
    assert ok.headers["cache-control"].startswith("private")
    # the authorized result is cached under its own key: a caller without the token still gets 401
    again = get(app, "/o/private")
    assert again.status_code == 401 and token not in again.text
    wrong = "ghp_WRONGwrongWRONGwrong0123456789abcdef"
    bad = get(app, "/o/private", headers={"Authorization": f"token {wrong}"})
    assert bad.status_code == 401 and wrong not in bad.text and token not in bad.text
    # a token in the URL is never how credentials travel, and never printed back
    leaked = get(app, f"/https://x-access-token:{wrong}@github.com/o/private")
    assert wrong not in leaked.text


def test_too_many_files_is_413_with_a_hint(tmp_path, git_daemon):
    app = create_app(service(tmp_path, host_map={"github.com": git_daemon["url"]}, max_files=2), mount_mcp=False)
    res = get(app, "/o/r")
    assert res.status_code == 413
    assert "over this server's limit of 2" in res.text and "include=" in res.text
    assert get(app, "/o/r/blob/main/README.md").status_code == 200  # one file fits


def test_rate_limit_per_client_is_429_with_retry_after(tmp_path, git_daemon):
    app = create_app(service(tmp_path, host_map={"github.com": git_daemon["url"]}, rate_per_minute=6, burst=2),
                     mount_mcp=False)
    codes = [get(app, "/o/r/blob/main/README.md").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    res = get(app, "/o/r/blob/main/README.md")
    assert res.status_code == 429 and int(res.headers["retry-after"]) >= 1 and "per minute" in res.text
    other = get(app, "/o/r/blob/main/README.md", client=("198.51.100.8", 1))
    assert other.status_code == 200  # another client is not punished


def test_rate_limit_says_the_same_whole_seconds_in_body_and_header(tmp_path):
    # a bucket that refills in under half a second said "retry in 0s" while Retry-After said 1
    from llmingest.mcp_server.web import _too_many

    svc = service(tmp_path, rate_per_minute=600, burst=1)
    for wait, secs in ((0.2, "1"), (1.0, "1"), (1.4, "2")):  # rounded up: retrying earlier is refused again
        res = _too_many(svc, wait)
        assert res.status_code == 429 and res.headers["retry-after"] == secs
        assert res.body.decode() == f"error: rate limit: at most 600 requests per minute per client; retry in {secs}s\n"


def test_slow_source_is_504(tmp_path):
    # a "git server" on 127.0.0.1 that accepts and never answers
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    try:
        app = create_app(service(tmp_path, host_map={"github.com": f"http://127.0.0.1:{port}/"},
                                 request_timeout=1.0), mount_mcp=False)
        res = get(app, "/o/slow")
        assert res.status_code == 504
        assert "timed out after 1s" in res.text
    finally:
        listener.close()  # the abandoned git call sees the connection close and ends


def test_server_env_tokens_never_travel_to_page_hosts(tmp_path, monkeypatch):
    from llmingest.mcp_server.service import _RequestTokenOnly

    monkeypatch.setenv("GITHUB_TOKEN", "ghp_SERVERserverSERVERserver0123456789ab")
    assert Options().resolved_token("github.attacker.example") is None  # hosts match exactly, never by substring
    assert Options().resolved_token("api.github.com") == "ghp_SERVERserverSERVERserver0123456789ab"  # the CLI's convenience...
    opts = _RequestTokenOnly(allow_private=False)
    assert opts.resolved_token("github.attacker.example") is None  # ...is off for pages in server mode
    assert opts.merged(token="ghp_request").resolved_token("x") == "ghp_request"


def test_page_over_the_size_limit_is_413(tmp_path, recorder):
    svc = service(tmp_path, host_map={"127.0.0.1": f"http://127.0.0.1:{recorder}/"}, max_page_bytes=100_000)
    res = get(create_app(svc, mount_mcp=False), f"/http://127.0.0.1:{recorder}/big")
    assert res.status_code == 413 and "100,000-byte limit" in res.text


@pytest.mark.parametrize("source", ["/etc", "/no/such/dir", "~/.ssh", "./secrets", "file:///etc/passwd", "C:\\Windows"])
def test_server_mode_never_looks_at_its_own_disk(tmp_path, source):
    svc = service(tmp_path)
    from llmingest.errors import BlockedAddress

    with pytest.raises(BlockedAddress, match="refusing local path"):
        svc.bundle(source, "repo")


def test_mcp_over_http_takes_the_token_from_authorization_and_is_rate_limited(tmp_path, git_http_private):
    from fastmcp import Client
    from test_web_routes import Uvicorn

    token = git_http_private["token"]
    svc = service(tmp_path, host_map={"github.com": git_http_private["url"]}, rate_per_minute=60, burst=6)
    with Uvicorn(create_app(svc)) as base:
        async def go(auth):
            async with Client(f"{base}/mcp", auth=auth) as client:
                return await client.call_tool("read_repository_file", {"source": "o/private", "path": "README.md"},
                                              raise_on_error=False)

        ok = asyncio.run(go(token))
        assert not ok.is_error and ok.content[0].text == "# Demo\n\nsecond\n"
        denied = asyncio.run(go(None))
        assert denied.is_error and token not in denied.content[0].text
        codes = []
        for _ in range(8):
            codes.append(httpx.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                    headers={"Accept": "application/json, text/event-stream"}, timeout=10).status_code)
        assert 429 in codes


def test_too_many_files_is_refused_before_checkout_and_leaves_no_clone(tmp_path, git_daemon):
    """The limit is enforced on the fetched tree, before files are checked out or read: nothing of
    the oversized repository stays in the clone cache (issue 12 #15)."""
    svc = service(tmp_path, host_map={"github.com": git_daemon["url"]}, max_files=2)
    app = create_app(svc, mount_mcp=False)
    res = get(app, "/o/r")
    assert res.status_code == 413 and "over this server's limit of 2" in res.text
    repos = [p for p in tmp_path.rglob("*") if p.is_dir() and p.parent.name == "repos"]
    assert not [p for p in repos if p.name.startswith(".tmp-")]
    assert not [p for p in repos if (p / ".git").exists()], "no checkout of the refused repository"
    assert get(app, "/o/r/blob/main/README.md").status_code == 200  # the control: one file fits, and is cached
    repos = [p for p in tmp_path.rglob("*") if p.is_dir() and p.parent.name == "repos"]
    assert [p for p in repos if (p / ".git").exists()]
