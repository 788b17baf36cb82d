"""Hostile inputs (issue 12): llms.txt links to local files, manifest injection, page names a file
system refuses, malformed swap paths, half-open HTTP requests.

Everything runs against real servers on 127.0.0.1, the real CLI (Typer's runner) and the web app
in-process (conftest's ``asgi_get`` / ``web_service``).
"""

from __future__ import annotations

import hashlib
import itertools
import socket
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import asgi_get, call_tool, free_port, local_service, respond, serve_loopback, web_service
from llmingest import output
from llmingest.cli import app
from llmingest.errors import IngestError, UsageError
from llmingest.sources.parse import parse
from llmingest.sources.site import NOT_REMOTE, OUTSIDE_FOLDER, resolve_link
from typer.testing import CliRunner

SECRET = "root:x:0:0:TOP-SECRET-LINE"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A secret file outside every output folder, and the cache kept under tmp_path."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    return tmp_path


class Site:
    """A small docs site whose pages and llms.txt are set per test (``routes``: path -> (type, body))."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?", 1)[0]
                if path in site.routes:
                    ctype, body = site.routes[path]
                    respond(self, 200, body, ctype)
                elif path.startswith("/docs/") and path not in ("/docs/llms.txt", "/docs/llms-full.txt",
                                                                 "/docs/sitemap.xml"):
                    body = (f"<html><head><title>{hashlib.sha256(path.encode()).hexdigest()[:8]}</title></head>"
                            f"<body><main><h1>Page {len(path)}</h1><p>Body of {path!r}.</p></main></body></html>")
                    respond(self, 200, body.encode(), "text/html; charset=utf-8")
                else:
                    respond(self, 404, b"not found", "text/plain")

        self.base, self.stop = serve_loopback(Handler)

    def index(self, links: list[str]) -> None:
        items = "".join(f'<li><a href="{href}">link {i}</a></li>' for i, href in enumerate(links))
        html = f"<html><head><title>Docs</title></head><body><main><h1>Docs</h1><ul>{items}</ul></main></body></html>"
        self.routes["/docs/"] = ("text/html; charset=utf-8", html.encode())


@pytest.fixture
def site():
    s = Site()
    yield s
    s.stop()


runner = CliRunner()


# ---------------------------------------------------------------------------------------------
# #6: a remote llms.txt never reads local files, nor says whether they exist


def _hostile_llms(env: Path) -> str:
    return ("# Hostile\n\n> Reads your disk.\n\n## Docs\n\n"
            "- [Good](page.md): a real page\n"
            f"- [Passwd](file://{env}/secret.txt)\n"
            f"- [Bare]({env}/secret.txt)\n"
            f"- [Key](file://{env}/.ssh/id_rsa)\n"
            "- [Home](~/.ssh/id_rsa)\n"
            "- [Js](javascript:void)\n"
            "- [Up](../../secret.txt)\n")


def test_remote_llms_txt_expand_reads_no_local_file(env: Path, site: Site) -> None:
    site.routes["/pub/llms.txt"] = ("text/plain", _hostile_llms(env).encode())
    site.routes["/pub/page.md"] = ("text/markdown", b"# Good page\n\nHello from the server.\n")
    out = env / "context.xml"
    res = runner.invoke(app, ["llmstxt", "expand", site.base + "/pub/llms.txt", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "Hello from the server." in text
    assert SECRET not in text and "file://" not in text
    lines = {line for line in res.stderr.splitlines() if line.startswith("skipped")}
    # the existing secret and the missing key are refused with the same words: no existence oracle
    assert f"skipped file://{env}/secret.txt: {NOT_REMOTE}" in lines
    assert f"skipped file://{env}/.ssh/id_rsa: {NOT_REMOTE}" in lines
    assert f"skipped javascript:void: {NOT_REMOTE}" in lines
    assert "No such file" not in res.stderr and "unreadable" not in res.stderr
    # a bare absolute path and ../ resolve against the remote URL: fetched from the server, not the disk
    assert f"{site.base}{env}/secret.txt" in res.stderr and f"{site.base}/secret.txt" in res.stderr


def test_resolve_link_rules(tmp_path: Path) -> None:
    remote = "https://docs.example/a/llms.txt"
    assert resolve_link("../b/c.md", remote) == ("https://docs.example/b/c.md", None, "")
    for link in ("file:///etc/passwd", "FILE:///etc/passwd", "data:text/plain,hi", "c:\\windows\\win.ini", "ftp://h/x"):
        assert resolve_link(link, remote)[1:] == (None, NOT_REMOTE), link
    assert resolve_link("page.md", None)[1:] == (None, NOT_REMOTE)  # unknown location: http(s) only
    local = str(tmp_path / "docs" / "llms.txt")
    target, path, why = resolve_link("guide/a.md", local)
    assert why == "" and path == (tmp_path / "docs" / "guide" / "a.md").resolve()


def test_local_llms_txt_reads_only_under_its_folder(env: Path) -> None:
    docs = env / "docs"
    docs.mkdir()
    (docs / "page.md").write_text("# Inside\n\nInside the folder.\n")
    (docs / "link.md").symlink_to(env / "secret.txt")
    (docs / "llms.txt").write_text(
        "# Local\n\n> Local docs.\n\n## Docs\n\n- [In](page.md)\n"
        f"- [InUri]({(docs / 'page.md').as_uri()})\n"
        "- [Up](../secret.txt)\n"
        f"- [Abs]({env}/secret.txt)\n"
        f"- [Uri](file://{env}/secret.txt)\n"
        "- [Link](link.md)\n")
    out = env / "ctx.xml"
    res = runner.invoke(app, ["llmstxt", "expand", str(docs / "llms.txt"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert text.count("Inside the folder.") == 2 and SECRET not in text
    skipped = [line for line in res.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 4 and all(line.endswith(OUTSIDE_FOLDER) for line in skipped), skipped


def test_mcp_docs_tools_and_web_llms_txt_never_expand_local_links(env: Path, site: Site) -> None:
    hostile = _hostile_llms(env)
    site.routes["/docs/llms.txt"] = ("text/plain", hostile.encode())
    site.index([f"file://{env}/secret.txt", f"{env}/secret.txt", "guide.html"])
    # the web route answers the published file as it is: links stay text, nothing is read
    svc = web_service(env, host_map={"127.0.0.1": site.base + "/"})
    from llmingest.mcp_server.web import create_app

    res = asgi_get(create_app(svc, mount_mcp=False), f"/llms.txt?url={site.base}/docs/")
    assert res.status_code == 200, res.text
    assert res.text == hostile and SECRET not in res.text
    # the MCP tools: the index is the published text; reading and searching the crawled site
    # never reaches the file links its pages carry
    from llmingest.mcp_server.server import create_server

    server = create_server(local_service(env))
    index = call_tool(server, "docs_index", {"url": site.base + "/docs/"})
    assert SECRET not in str(index.content)
    for section in ("Docs", f"file://{env}/secret.txt", f"{env}/secret.txt"):
        got = call_tool(server, "read_docs", {"url": site.base + "/docs/", "section": section}, raise_on_error=False)
        assert SECRET not in str(got.content)
    found = call_tool(server, "search_docs", {"url": site.base + "/docs/", "query": "TOP-SECRET-LINE root"})
    assert SECRET not in str(found.content)


# ---------------------------------------------------------------------------------------------
# #10: the manifest only names files this tool wrote; nothing else is ever deleted


def _user_files(out: Path) -> dict[Path, str]:
    files = {out / "index.html": "<h1>my site</h1>", out / "CNAME": "docs.example.org",
             out / "assets" / "app.js": "console.log(1)", out / "notes.md": "# my notes"}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return files


def test_site_manifest_injection_deletes_nothing_of_the_users(env: Path, site: Site) -> None:
    out = env / "public"
    mine = _user_files(out)
    site.index(["x%0Aindex.html%0Ay.html", "x%0ACNAME%0Ay.html", "x%0D%0Aassets/app.js", "x%E2%80%A8notes.md",
                "guide.html"])
    args = ["site", site.base + "/docs/", "-o", str(out), "-q", "--no-cache"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    listed = (out / output.MANIFEST).read_text().split("\n")
    entries = [line for line in listed if line and not line.startswith("#")]
    assert entries and all(output.valid_name(line.split("  ", 1)[1]) for line in entries)
    assert not any(line.split("  ", 1)[-1] in ("index.html", "CNAME", "assets/app.js", "notes.md") for line in listed)
    mirrors = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md") if p.name != "notes.md")
    # the hostile pages leave the site: their mirrors go, the user's files stay
    site.index(["guide.html"])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    for path, text in mine.items():
        assert path.read_text() == text, path
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md") if p.name != "notes.md")
    assert len(left) < len(mirrors) and "guide.md" in left


def test_planted_manifest_lines_are_ignored_and_edited_files_kept(env: Path, site: Site) -> None:
    out = env / "public"
    mine = _user_files(out)
    (env / "outside.md").write_text("# outside\n")
    (out / "old.md").write_text("# old mirror\n")
    (out / "edited.md").write_text("# edited by the user since\n")
    (out / "legacy.md").write_text("# from an older llmingest\n")
    sha = output.digest("# old mirror\n")
    other = output.digest("# what we wrote\n")
    planted = ["# a manifest someone wrote by hand", "index.html", "CNAME", "assets/app.js", "../outside.md",
               f"{env}/outside.md", "assets/../notes.md", "x\u2028notes.md", f"{sha}  old.md",
               f"{other}  edited.md", "legacy.md", f"{sha}  notes.md\r"]
    (out / output.MANIFEST).write_text("\n".join(planted) + "\n")
    assert output.stale_files(out, set()) == ["legacy.md", "old.md"]
    site.index(["guide.html"])
    res = runner.invoke(app, ["site", site.base + "/docs/", "-o", str(out), "-q", "--no-cache"])
    assert res.exit_code == 0, res.output
    for path, text in mine.items():
        assert path.read_text() == text, path
    assert (env / "outside.md").exists() and (out / "edited.md").exists()
    assert not (out / "old.md").exists() and not (out / "legacy.md").exists()


# ---------------------------------------------------------------------------------------------
# #14: page names a file system refuses are mapped, and the crawl goes on


def test_hostile_page_names_do_not_abort_site(env: Path, site: Site) -> None:
    long = "a" * 300
    site.index([f"{long}.html", "foo", "foo.md/", "foo.md/bar.html", "bad%00name.html", "llms.txt/x.html",
                "/".join(["d" * 200] * 8) + ".html", "guide.html"])
    out = env / "out"
    res = runner.invoke(app, ["site", site.base + "/docs/", "-o", str(out), "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "internal error" not in res.output
    entries = [line.split("  ", 1)[1] for line in (out / output.MANIFEST).read_text().splitlines()
               if line and not line.startswith("#")]
    assert len(entries) == len(set(entries)) >= 2 + 9  # llms.txt, llms-full.txt and every page's mirror
    assert all((out / e).is_file() and output.valid_name(e) for e in entries)
    assert (out / "foo.md").is_file() and (out / "llms.txt").is_file()
    assert any("\x00" not in e and "bad" in e for e in entries)
    # the same site twice: the same names (deterministic), and nothing to do
    before = sorted(entries)
    res = runner.invoke(app, ["site", site.base + "/docs/", "-o", str(out), "--check", "--no-cache"])
    assert res.exit_code == 0, res.output
    again = [line.split("  ", 1)[1] for line in (out / output.MANIFEST).read_text().splitlines()
             if line and not line.startswith("#")]
    assert sorted(again) == before


# ---------------------------------------------------------------------------------------------
# #16: malformed sources are UsageErrors; the web edge answers 4xx (and a bare 500 for bugs)

HOSTILE_SOURCES = [
    "git@127.0.0.1:o/r.git", "http:\\\\127.0.0.1:P\\x", "./http://127.0.0.1/x", "..%2f..%2fetc%2fpasswd",
    "https://a..b/", "https://[::1/x", "https://h:99999/", "https://h:-1/", "https://h: 80/", "ssh://h:abc/x",
    "git@a..b:o/r", "https://" + "a" * 300 + ".com/", "\x00", "a\x00b/c", "~nouser/x", "~" + "x" * 5000,
    "x" * 5000, "/".join(["y" * 255] * 20), "https://xn--/", "https://\u2028/", "https://ex ample.com/",
    "http://[fe80::1%25eth0]/", "file:///\x00", "file://" + "z" * 5000, "%", "http://", "https://",
    "git+ssh://", "ssh://", "::", "@:", "a@b:c", "https://github.com/o/r/tree/\x00", "https://u:p@s@h/x",
    "https://h:0/", "gitlab.com/a..b/c", "github.com/\udcff/x", "\ud800", "http://h:80:80/", "https://[::1]:x/",
    "https://[zz]/", "git@[::1]:o/r", "ssh://[::1/x", "", "   ",
]


def test_sources_parse_raises_only_ingest_errors(tmp_path: Path) -> None:
    prefixes = ["", "https://", "http://", "ssh://", "git@", "file://", "git+ssh://", "github.com/"]
    middles = ["", "127.0.0.1:o", "a..b", "[::1", "\x00", "h:99999", "\udcff", "x" * 300, "..", "%2e%2e"]
    suffixes = ["", "/o/r", "/o/r.git", ":o/r", "/tree/\x00/x"]
    cases = HOSTILE_SOURCES + ["".join(p) for p in itertools.product(prefixes, middles, suffixes)]
    rejected = 0
    for text in cases:
        try:
            parse(text, cwd=tmp_path)
        except IngestError:
            rejected += 1
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"parse({text[:60]!r}) raised {type(exc).__name__}: {exc}")
    assert rejected > len(HOSTILE_SOURCES) // 2
    # git@127.0.0.1:o/r.git itself is a fine scp-style git address; the swap route makes it this:
    for text in ("https://git@127.0.0.1:o/r.git", "https://a..b/", "https://h:99999/", "https://[::1/x"):
        with pytest.raises(UsageError):
            parse(text, cwd=tmp_path)


@pytest.mark.parametrize("path", ["/git@127.0.0.1:o/r.git", "/http:\\\\127.0.0.1:7\\x", "/http:\\\\127.0.0.1:P\\x",
                                  "/./http://127.0.0.1:9/x", "/..%2f..%2fetc%2fpasswd", "/https://a..b/x",
                                  "/https://[::1/x", "/https://127.0.0.1:abc/x", "/" + "a" * 70 + ".com/o/r",
                                  "/https%3A%2F%2Fh%3A99999%2Fx", "/llms.txt?url=https://a..b/",
                                  "/llms.txt?url=https://[::1/", "/llms.txt?url=file:///etc/passwd"])
def test_malformed_swap_paths_are_4xx_one_line(tmp_path: Path, path: str) -> None:
    from llmingest.mcp_server.web import create_app

    res = asgi_get(create_app(web_service(tmp_path), mount_mcp=False), path)
    assert 400 <= res.status_code < 500, (res.status_code, res.text)
    assert res.text.startswith("error: ") and res.text.count("\n") == 1
    assert "Traceback" not in res.text


def test_unexpected_exception_is_a_bare_500(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmingest.mcp_server.web import create_app

    svc = web_service(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nTraceback (most recent call last): secret detail")

    monkeypatch.setattr(svc, "parse", broken)
    res = asgi_get(create_app(svc, mount_mcp=False), "/octocat/Hello-World")
    assert res.status_code == 500 and res.text == "error: internal error\n"


# ---------------------------------------------------------------------------------------------
# #18 (half-open requests): unfinished headers are timed out; uvicorn gets a keep-alive timeout


async def _hello(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    while scope["method"] == "POST":  # read the whole body first, as the MCP app does
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture
def uvicorn_server():
    import uvicorn
    from llmingest.commands._server import HeaderTimeoutH11

    class Quick(HeaderTimeoutH11):
        header_timeout = 0.5

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_hello, host="127.0.0.1", port=port, http=Quick, timeout_keep_alive=1,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def _read_until_closed(sock: socket.socket) -> bytes:
    sock.settimeout(30)  # a safety net only: the server closes long before
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def test_half_open_request_headers_are_timed_out(uvicorn_server: int) -> None:
    with socket.create_connection(("127.0.0.1", uvicorn_server)) as sock:  # slowloris: headers never end
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
        assert _read_until_closed(sock) == b""
    with socket.create_connection(("127.0.0.1", uvicorn_server)) as sock:  # connects, says nothing
        assert _read_until_closed(sock) == b""
    with socket.create_connection(("127.0.0.1", uvicorn_server)) as sock:  # a real request still works,
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX-Slow:")  # then stalls
        data = _read_until_closed(sock)
        assert data.startswith(b"HTTP/1.1 200") and b"hello" in data and data.count(b"HTTP/1.1") == 1
    with socket.create_connection(("127.0.0.1", uvicorn_server)) as sock:  # a body that never ends
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":")
        assert b"hello" not in _read_until_closed(sock)
    with socket.create_connection(("127.0.0.1", uvicorn_server)) as sock:  # a whole POST is answered
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        assert b"hello" in _read_until_closed(sock)


def test_run_uvicorn_sets_the_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from llmingest.commands._server import KEEP_ALIVE_SECONDS, HeaderTimeoutH11, run_uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    run_uvicorn(_hello, "127.0.0.1", 1)
    assert seen["http"] is HeaderTimeoutH11 and seen["timeout_keep_alive"] == KEEP_ALIVE_SECONDS


def test_split_parts_cleanup_treats_the_output_name_as_a_name(env: Path) -> None:
    """``-o 'a?.md'`` once made the stale-part glob match the user's ``ab.12345.md``."""
    repo = env / "repo"
    repo.mkdir()
    for i in range(6):
        (repo / f"m{i}.py").write_text("\n".join(f"def f{i}_{n}(x):\n    return x * {n}\n" for n in range(60)))
    out = env / "out"
    out.mkdir()
    (out / "ab.12345.md").write_text("mine\n")
    res = runner.invoke(app, ["repo", str(repo), "-q", "-o", str(out / "a?.md"), "--split-tokens", "1000"])
    assert res.exit_code == 0, res.output
    parts = [p.name for p in out.iterdir() if p.name.startswith("a?.")]
    assert parts and (out / "ab.12345.md").read_text() == "mine\n"


def test_a_page_file_that_becomes_a_folder_is_replaced(env: Path, site: Site) -> None:
    out = env / "out"
    args = ["site", site.base + "/docs/", "-o", str(out), "-q", "--no-cache"]
    site.index(["foo.md", "guide.html"])
    assert runner.invoke(app, args).exit_code == 0
    assert (out / "foo.md").is_file()
    site.index(["foo.md/bar.html", "guide.html"])  # the old file's name is now a folder's
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert (out / "foo.md" / "bar.md").is_file()


@pytest.mark.parametrize("source", ["ssh://[::1]/o/r", "ssh://git@[::1]:22/o/r", "git@[::1]:o/r", "https://[::1/x",
                                    "https://a..b/", "ssh://h:abc/x", "git@127.0.0.1:o/r.git", "http:\\\\127.0.0.1:P\\x",
                                    "file:///etc/passwd", "/etc/passwd", "..%2f..%2fetc%2fpasswd"])
def test_server_mode_service_answers_hostile_sources_with_4xx_errors(tmp_path: Path, source: str) -> None:
    """What the MCP tools and swap routes call: a typed 4xx error, never a ValueError (nor a fetch)."""
    svc = web_service(tmp_path)
    with pytest.raises(IngestError) as info:
        svc.bundle(source)
    assert 400 <= info.value.http_status < 500
