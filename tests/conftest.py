"""Shared fixtures. Add yours with small, separate edits; keep each fixture self-contained."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

# Every cache a test (or a CLI it starts) writes goes to a temp dir, never the user's ~/.cache:
# the default cache root follows XDG_CACHE_HOME, and subprocesses inherit it.
_TEST_CACHE = tempfile.mkdtemp(prefix="llmingest-test-cache-")
os.environ["XDG_CACHE_HOME"] = _TEST_CACHE
os.environ.pop("LLMINGEST_CACHE_DIR", None)
atexit.register(shutil.rmtree, _TEST_CACHE, True)

# ---- git servers on 127.0.0.1 (remote repositories without the internet) ------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": os.environ.get("HOME", "/tmp"),
}


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git for a fixture (fixed identity and dates, so shas are reproducible)."""
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def make_remote_repo(base: Path, name: str = "o/r") -> dict:
    """A bare repo at ``base/<name>.git`` with branches (incl. ``feature/x``), tags and 3 commits.

    main:      README.md, docs/a.md, docs/guide/b.md, src/app.py, src/[x].py
    feature/x: main + docs/feature.md
    release:   a branch, next to a tag ``release/1.0`` (longest match must pick the tag)
    v1 (light, on the first commit), v2 (annotated, on main)
    """
    work = base / ".work" / name
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("# Demo\n\nfirst\n")
    (work / "docs").mkdir()
    (work / "docs" / "a.md").write_text("# A\n")
    git("add", ".", cwd=work)
    git("commit", "-qm", "first", cwd=work)
    first = git("rev-parse", "HEAD", cwd=work)
    git("tag", "v1", cwd=work)
    (work / "docs" / "guide").mkdir()
    (work / "docs" / "guide" / "b.md").write_text("# B\n")
    (work / "src").mkdir()
    (work / "src" / "app.py").write_text("print('app')\n")
    (work / "src" / "[x].py").write_text("X = 1\n")
    (work / "README.md").write_text("# Demo\n\nsecond\n")
    git("add", ".", cwd=work)
    git("commit", "-qm", "second", cwd=work)
    git("tag", "-a", "v2", "-m", "v2", cwd=work)
    git("branch", "release", cwd=work)
    git("tag", "release/1.0", first, cwd=work)
    git("checkout", "-q", "-b", "feature/x", cwd=work)
    (work / "docs" / "feature.md").write_text("# Feature\n")
    git("add", ".", cwd=work)
    git("commit", "-qm", "feature", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    bare = base / f"{name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    git("clone", "-q", "--bare", str(work), str(bare))
    git("config", "uploadpack.allowFilter", "true", cwd=bare)
    return {
        "bare": bare,
        "work": work,
        "first": first,
        "main": git("rev-parse", "main", cwd=work),
        "feature": git("rev-parse", "feature/x", cwd=work),
    }


@pytest.fixture(scope="module")
def git_daemon(tmp_path_factory):
    """``git daemon`` on 127.0.0.1 serving ``o/r.git`` and an empty ``o/empty.git``.

    Yields a dict with ``url`` (``git://127.0.0.1:<port>/``), ``base``, the repo facts from
    :func:`make_remote_repo`, and ``requests()``: how many upload-pack requests the daemon served
    so far (a clone = ls-remote + fetch; a cache hit = ls-remote only).
    """
    base = tmp_path_factory.mktemp("gitd")
    info = make_remote_repo(base, "o/r")
    git("init", "-q", "--bare", str(base / "o" / "empty.git"))
    port = free_port()
    log = base / "daemon.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", f"--base-path={base}", "--export-all", f"--port={port}",
             "--listen=127.0.0.1", "--verbose", "--log-destination=stderr"],
            stdout=fh, stderr=fh,
        )
    try:
        _wait_port(port, proc)

        def requests() -> int:
            time.sleep(0.2)  # the daemon logs from its forked child; let it flush
            return log.read_text(errors="replace").count("Request upload-pack")

        yield {**info, "url": f"git://127.0.0.1:{port}/", "port": port, "base": base, "requests": requests}
    finally:
        stop_process(proc)


_HTTP_SERVER = r'''
import base64, os, subprocess, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, PORT, TOKEN = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self):
        auth = self.headers.get("Authorization", "")
        user_pass = ""
        if auth.startswith("Basic "):
            user_pass = base64.b64decode(auth[6:]).decode()
        if not user_pass.endswith(":" + TOKEN):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        body = self._body() if self.command == "POST" else b""
        env = {**os.environ, "GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path,
               "QUERY_STRING": query, "REQUEST_METHOD": self.command, "REMOTE_USER": "u",
               "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": self.headers.get("Content-Type", ""),
               "CONTENT_LENGTH": str(len(body)), "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
               "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", "")}
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            if not line:
                continue
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            else:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
'''


@pytest.fixture(scope="module")
def git_http_private(tmp_path_factory):
    """A private smart-HTTP git server (``git http-backend``) on 127.0.0.1 that wants a token.

    Any request without ``Authorization: Basic <user>:<token>`` gets 401, like a forge with a
    private repo. Yields ``url`` (``http://127.0.0.1:<port>/``), ``token`` and the repo facts.
    """
    base = tmp_path_factory.mktemp("githttp")
    info = make_remote_repo(base, "o/private")
    port = free_port()
    token = "ghp_FAKEfakeFAKEfake0123456789abcdefXYZ"
    script = base / "server.py"
    script.write_text(_HTTP_SERVER)
    proc = subprocess.Popen([sys.executable, str(script), str(base), str(port), token],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc)
        yield {**info, "url": f"http://127.0.0.1:{port}/", "port": port, "token": token, "base": base}
    finally:
        stop_process(proc)


# ---- MCP tests: one in-memory client call, one local service, one loopback HTTP server ------------


def call_tool(server, name: str, args: dict, raise_on_error: bool = True):
    """Call one MCP tool through FastMCP's in-memory client."""
    import asyncio

    from fastmcp import Client

    async def go():
        async with Client(server) as client:
            return await client.call_tool(name, args, raise_on_error=raise_on_error)

    return asyncio.run(go())


def local_service(tmp_path: Path):
    """A Service with its caches under ``tmp_path`` (private addresses allowed: tests serve on 127.0.0.1)."""
    from llmingest.fetch.cache import ResultCache
    from llmingest.mcp_server.service import Service
    from llmingest.options import Options

    return Service(options=Options(cache_dir=tmp_path / "c"), cache=ResultCache(tmp_path / "c" / "r"))


def respond(handler, status: int, body: bytes = b"", content_type: str | None = None, **headers: str) -> None:
    """Send one whole response from a test server's ``BaseHTTPRequestHandler``."""
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a test's server process, killing it if it does not stop in 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def chromium():
    """Debian's headless chromium driven by playwright (no browser download); closed on exit.

    Skips, naming the package, where no chromium is installed: the README's test command must stay
    true on a fresh machine (.ci/run installs it, so CI always runs these tests).
    """
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def web_service(tmp_path: Path, host_map: dict | None = None, **limits):
    """A server-mode Service (no local paths, no private addresses) with its own cache; no rate
    limit unless ``rate_per_minute`` is given."""
    from llmingest.fetch.cache import ResultCache
    from llmingest.mcp_server.limits import Limits
    from llmingest.mcp_server.service import Service
    from llmingest.options import Options

    limits.setdefault("rate_per_minute", 0)
    opts = Options(allow_private=False, cache_dir=tmp_path / "cache", host_map=host_map or {})
    return Service(options=opts, limits=Limits(**limits), cache=ResultCache(tmp_path / "cache" / "results"))


def asgi_get(app, path: str, headers: dict | None = None, client: tuple[str, int] = ("127.0.0.1", 123)):
    """GET ``path`` from an ASGI app in-process (httpx), as from ``client``."""
    import asyncio

    import httpx

    async def go():
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.get(path, headers=headers or {})

    return asyncio.run(go())


def serve_loopback(handler):
    """Start a threaded HTTP server for ``handler`` on 127.0.0.1; returns (base_url, stop)."""
    import threading
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}", stop


def serve_folder(directory: Path):
    """Serve a built site folder on 127.0.0.1, quietly; returns (base_url, stop)."""
    import functools
    from http.server import SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return serve_loopback(functools.partial(Quiet, directory=str(directory)))


# click-to-curl: a mini spec, its one task and the task's first candidate (tests/test_actions_*.py)
def spec(doc: dict, name: str):
    import json

    from llmingest.converters.openapi import load_spec

    return load_spec(json.dumps(doc), name=name)


def task(md: str, s, **kw):
    from llmingest.converters.actions import rewrite

    result = rewrite(md, s, **kw)
    assert len(result.tasks) == 1, [t.title for t in result.tasks]
    return result.tasks[0]


def top(t) -> tuple[str, str]:
    return t.candidates[0]["method"], t.candidates[0]["path"]


def json_body(props: dict, required: list[str] | None = None) -> dict:
    """A JSON request body for a mini spec: an object with these properties."""
    schema: dict = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return {"content": {"application/json": {"schema": schema}}}


def mini_op(path: str, method: str, summary: str, body: dict | None = None, required: list[str] | None = None,
            description: str = "") -> dict:
    """One operation of a mini spec, its path parameters taken from the path's ``{names}``."""
    params = [{"name": n.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
              for n in path.split("/") if n.startswith("{")]
    op: dict = {"operationId": f"{method}{path}".replace("/", "_").replace("{", "").replace("}", "").replace(".", "_"),
                "summary": summary, "parameters": params}
    if description:
        op["description"] = description
    if body is not None:
        op["requestBody"] = json_body(body, required)
    return {method: op}


def mini_spec(title: str, ops: list[tuple[str, dict]]) -> dict:
    """A mini OpenAPI document from (path, operation) pairs."""
    paths: dict = {}
    for path, op in ops:
        paths.setdefault(path, {}).update(op)
    return {"openapi": "3.0.0", "info": {"title": title}, "servers": [{"url": "https://api.test"}], "paths": paths}
