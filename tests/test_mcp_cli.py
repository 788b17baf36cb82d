"""The commands as users run them: `llmingest mcp` over stdio and --http, `llmingest serve`, --help."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time

import httpx
import pytest
from conftest import free_port, git
from fastmcp import Client
from fastmcp.client.transports import StdioTransport
from llmingest.cli import app
from llmingest.mcp_server.web import RedactingFilter
from typer.testing import CliRunner


def _env(tmp_path) -> dict[str, str]:
    return {**os.environ, "LLMINGEST_CACHE_DIR": str(tmp_path / "cache"), "LLMINGEST_NO_PROGRESS": "1"}


def _start(args: list[str], tmp_path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "llmingest.cli", *args], env=_env(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err or ""


@pytest.fixture()
def repo(tmp_path):
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "core.py").write_text("VALUE = 42\n")
    (root / "README.md").write_text("# Proj\n")
    git("init", "-q", "-b", "main", str(root))
    git("add", ".", cwd=root)
    git("commit", "-qm", "init", cwd=root)
    return root


def test_help_has_examples():
    runner = CliRunner()
    for cmd, needle in (("mcp", "claude mcp add llmingest -- llmingest mcp"), ("serve", "llmingest serve")):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0 and "Examples" in res.output and needle in res.output


def test_mcp_stdio_end_to_end(tmp_path, repo):
    transport = StdioTransport(command=sys.executable, args=["-m", "llmingest.cli", "mcp"], env=_env(tmp_path))

    async def go():
        async with Client(transport) as client:
            names = {t.name for t in await client.list_tools()}
            res = await client.call_tool("read_repository_file", {"source": str(repo), "path": "pkg/core.py"})
            return names, res.content[0].text

    names, text = asyncio.run(go())
    assert {"ingest_repository", "fetch_page", "docs_index"} <= names
    assert text == "VALUE = 42\n"  # stdio mode reads the agent's local paths


def test_mcp_http_is_server_mode(tmp_path, repo, git_daemon):
    port = free_port()
    proc = _start(["mcp", "--http", "--port", str(port), "--host-map", f"github.com={git_daemon['url']}"],
                  tmp_path, port)
    try:
        async def go():
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                tree = await client.call_tool("repository_tree", {"source": "o/r"})
                local = await client.call_tool("repository_tree", {"source": str(repo)}, raise_on_error=False)
                return tree.content[0].text, local

        tree, local = asyncio.run(go())
        assert "app.py" in tree
        assert local.is_error and "refusing local path" in local.content[0].text
        # DNS rebinding: a web page cannot drive a loopback MCP server through the user's browser
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        accept = {"Accept": "application/json, text/event-stream"}
        url = f"http://127.0.0.1:{port}/mcp"
        assert httpx.post(url, json=body, headers={**accept, "Host": "evil.example"}, timeout=10).status_code == 421
        assert httpx.post(url, json=body, headers={**accept, "Origin": "http://evil.example"}, timeout=10).status_code == 403
        assert httpx.post(url, json=body, headers=accept, timeout=10).status_code == 200
    finally:
        err = _stop(proc)
    assert "Traceback" not in err


def test_serve_end_to_end(tmp_path, git_daemon):
    port = free_port()
    proc = _start(["serve", "--port", str(port), "--host-map", f"github.com={git_daemon['url']}",
                   "--allowed-host", "digest.example.com", "--trust-proxy", "127.0.0.1", "--rate-limit", "1"],
                  tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        res = httpx.get(f"{base}/o/r/tree/main/src", timeout=60)
        assert res.status_code == 200 and "print('app')" in res.text and "# Demo" not in res.text
        assert httpx.get(f"{base}/http://127.0.0.1:{port}/", timeout=10).status_code == 403
        secret = "ghp_ACCESSLOGaccesslogACCESSLOG0123456789"
        leaked = httpx.get(f"{base}/https://user:{secret}@127.0.0.1:9/x", timeout=10)
        assert secret not in leaked.text
        assert "<form" in httpx.get(base + "/", timeout=10).text
        # behind a reverse proxy that keeps the public Host header, /mcp accepts the allowed host only
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        accept = {"Accept": "application/json, text/event-stream"}
        ok = httpx.post(f"{base}/mcp", json=body, headers={**accept, "Host": "digest.example.com"}, timeout=10)
        assert ok.status_code == 200 and "ingest_repository" in ok.text
        bad = httpx.post(f"{base}/mcp", json=body, headers={**accept, "Host": "evil.example"}, timeout=10)
        assert bad.status_code == 421
        # behind a trusted proxy the rate limit counts each real client (X-Forwarded-For), burst 20
        url = f"{base}/o/r/blob/main/README.md"
        codes = [httpx.get(url, headers={"X-Forwarded-For": "203.0.113.5"}, timeout=30).status_code for _ in range(21)]
        assert codes[:20] == [200] * 20 and codes[20] == 429
        assert httpx.get(url, headers={"X-Forwarded-For": "203.0.113.6"}, timeout=30).status_code == 200
    finally:
        err = _stop(proc)
    assert secret not in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["serve", "--timeout", "-1"], ["serve", "--rate-limit", "-3"],
                                  ["serve", "--max-files", "-1"], ["mcp", "--http", "--cache-ttl", "-5"]])
def test_negative_limits_are_refused_before_the_server_starts(tmp_path, args):
    # --timeout -1 used to start a server that answered 504 to every request at once
    port = str(free_port())
    proc = subprocess.run([sys.executable, "-m", "llmingest.cli", *args, "--port", port], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {args[-2]} must not be negative") and proc.stderr.count("\n") == 1


def test_redacting_filter_scrubs_credentials_from_log_records():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/https://x-access-token:s3cr3tTOKEN@github.com/o/r", "1.1", 200),
                               None)
    RedactingFilter().filter(record)
    assert "s3cr3tTOKEN" not in record.getMessage() and "***@github.com" in record.getMessage()



def test_redacting_filter_scrubs_percent_encoded_paths_and_token_query_values():
    # uvicorn's access log quotes the path: /https%3A//user%3Apw12345%40host/x slipped through
    for path, secret in (("/https%3A//user%3Apw12345%40example.invalid/x", "pw12345"),
                         ("/o/r?token=sekretABC&format=xml", "sekretABC"),
                         ("/https%3A//s3.example/f.pdf?X-Amz-Signature=abcdef123&a=1", "abcdef123")):
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                   ("127.0.0.1:5", "GET", path, "1.1", 200), None)
        RedactingFilter().filter(record)
        assert secret not in record.getMessage() and "***" in record.getMessage(), record.getMessage()
    plain = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", ("/o/r?format=xml&q=a%20b",), None)
    RedactingFilter().filter(plain)
    assert plain.getMessage() == "/o/r?format=xml&q=a%20b"  # nothing secret: left exactly as logged


def test_serve_with_two_workers_still_clones_once(tmp_path, git_daemon):
    from concurrent.futures import ThreadPoolExecutor

    from conftest import make_remote_repo

    make_remote_repo(git_daemon["base"], "o/alone")
    make_remote_repo(git_daemon["base"], "o/herd")
    port = free_port()
    proc = _start(["serve", "--port", str(port), "--workers", "2", "--rate-limit", "0",
                   "--host-map", f"github.com={git_daemon['url']}"], tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        before = git_daemon["requests"]()
        assert httpx.get(f"{base}/o/alone", timeout=60).status_code == 200
        one = git_daemon["requests"]() - before
        before = git_daemon["requests"]()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: httpx.get(f"{base}/o/herd", timeout=60), range(8)))
        assert [r.status_code for r in results] == [200] * 8 and len({r.text for r in results}) == 1
        assert git_daemon["requests"]() - before == one  # both workers, eight requests, one clone
    finally:
        err = _stop(proc)
    assert "Traceback" not in err


def test_mcp_http_has_a_per_client_rate_limit(tmp_path):
    """`mcp --http` had no rate limit at all (serve's /mcp had one): POSTs past it answer 429."""
    port = free_port()
    proc = _start(["mcp", "--http", "--port", str(port), "--rate-limit", "6"], tmp_path, port)
    try:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        accept = {"Accept": "application/json, text/event-stream"}
        codes = [httpx.post(f"http://127.0.0.1:{port}/mcp", json=body, headers=accept, timeout=10).status_code
                 for _ in range(30)]  # a burst of 20, then 6 a minute
    finally:
        err = _stop(proc)
    assert codes[0] == 200 and 429 in codes
    assert "Traceback" not in err
