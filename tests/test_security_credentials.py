"""Credentials: a server lends none of its machine's, messages never echo any, URLs shed theirs.

Issue 12 findings #2 (server-side git used the operator's credential helper), #3 (quadratic
``redact()`` blocking the event loop), #9 (credentials in URLs stored and echoed) and #18 (the
registered-token set grew without bound). Everything runs against real servers on 127.0.0.1: the
private smart-HTTP git server of ``conftest.git_http_private`` (401 without the right basic auth)
and small page servers; the operator's HOME is a temp folder with a real ``credential.helper
store``, ``.git-credentials`` and ``.netrc`` that plain git would happily use.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from conftest import asgi_get, call_tool, respond, serve_loopback, web_service
from llmingest import errors
from llmingest.errors import AuthRequired, SourceNotFound, redact, register_secret, secret_scope
from llmingest.fetch import git_remote
from llmingest.fetch.cache import ResultCache
from llmingest.fetch.git_remote import checkout, git_env
from llmingest.mcp_server.limits import Limits
from llmingest.mcp_server.service import Service, build_service
from llmingest.mcp_server.web import create_app
from llmingest.options import Options
from llmingest.sources.parse import parse, public_url, split_userinfo

TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "GL_TOKEN")


# ---- an operator whose HOME lends credentials to any git it runs --------------------------------


@pytest.fixture
def operator_home(tmp_path, git_http_private, monkeypatch):
    """HOME with ``credential.helper store`` + ``.git-credentials`` + ``.netrc`` for the private
    server, an ``http.extraHeader`` in ~/.gitconfig, and no token in the environment."""
    home = tmp_path / "operator-home"
    home.mkdir()
    port, token = git_http_private["port"], git_http_private["token"]
    (home / ".gitconfig").write_text(
        "[credential]\n\thelper = store\n"
        f"[http \"http://127.0.0.1:{port}/\"]\n\tsslVerify = false\n")
    (home / ".git-credentials").write_text(f"http://u:{token}@127.0.0.1:{port}\n")
    (home / ".netrc").write_text(f"machine 127.0.0.1 login u password {token}\n")
    os.chmod(home / ".netrc", 0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("GIT_CONFIG_NOSYSTEM", raising=False)
    for var in TOKEN_VARS:
        monkeypatch.delenv(var, raising=False)
    # the premise: plain git, run by this operator, reads the private repository with no token given
    plain = subprocess.run(["git", "ls-remote", f"http://127.0.0.1:{port}/o/private.git", "HEAD"],
                           capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    assert plain.returncode == 0 and git_http_private["main"] in plain.stdout, plain.stderr
    return home


def _server_mode(tmp_path: Path, private: dict) -> Service:
    return web_service(tmp_path, host_map={"github.com": private["url"]})


def test_web_server_mode_never_uses_the_operators_credential_helper(tmp_path, git_http_private, operator_home):
    app = create_app(_server_mode(tmp_path, git_http_private), mount_mcp=False)
    anonymous = asgi_get(app, "/o/private")
    assert anonymous.status_code == 401
    assert git_http_private["token"] not in anonymous.text
    # the request's own token still works: isolation removes the machine's credentials, not the caller's
    ok = asgi_get(app, "/o/private", headers={"Authorization": f"Bearer {git_http_private['token']}"})
    assert ok.status_code == 200 and "second" in ok.text


def test_mcp_server_mode_never_uses_the_operators_credential_helper(tmp_path, git_http_private, operator_home):
    from llmingest.mcp_server.server import create_server

    server = create_server(_server_mode(tmp_path, git_http_private))
    result = call_tool(server, "read_repository_file", {"source": "o/private", "path": "README.md"},
                       raise_on_error=False)
    assert result.is_error
    text = result.content[0].text
    assert "private" in text and "second" not in text and git_http_private["token"] not in text


def test_serve_with_allow_private_still_isolates_git(tmp_path, git_http_private, operator_home):
    """``serve --allow-private`` trusts the network, not the caller: git is isolated all the same."""
    svc = build_service(server_mode=True, allow_private=True, cache_dir=tmp_path / "c",
                        host_map=f"github.com={git_http_private['url']}")
    assert svc.options.isolate_git and svc.options.allow_private
    with pytest.raises(AuthRequired):
        svc.bundle("o/private", "repo")
    assert not build_service(server_mode=False, cache_dir=tmp_path / "d").options.isolate_git


def test_cli_mode_keeps_the_users_own_git_setup(tmp_path, git_http_private, operator_home):
    """The documented choice: a CLI user's credential helper reads their private repos, as git would."""
    o = Options(cache_dir=tmp_path / "c", host_map={"github.com": git_http_private["url"]})
    assert checkout(parse("o/private"), o).commit == git_http_private["main"]


def test_a_private_commit_in_the_clone_cache_is_not_served_to_an_anonymous_caller(tmp_path, git_http_private,
                                                                                  operator_home):
    """Another caller's token filled the clone cache; a full sha must still need this caller's access."""
    app = create_app(_server_mode(tmp_path, git_http_private), mount_mcp=False)
    sha = git_http_private["main"]
    auth = {"Authorization": f"Bearer {git_http_private['token']}"}
    assert asgi_get(app, f"/o/private/commit/{sha}", headers=auth).status_code == 200
    anonymous = asgi_get(app, f"/o/private/commit/{sha}?format=plain")  # another result-cache key, same clone
    assert anonymous.status_code == 401 and "second" not in anonymous.text


def test_isolated_git_env_reads_no_user_system_or_inherited_config(tmp_path, operator_home, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'http.extraheader'='Authorization: Basic b3A6c2VjcmV0'")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "credential.helper")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "store")
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    monkeypatch.setenv("GIT_ASKPASS", "/bin/echo")
    env = git_env("https://example.org/o/r.git", None, isolated=True)
    home = Path(env["HOME"])
    assert home != operator_home and home.is_dir() and not any(home.iterdir())
    assert "GIT_CONFIG_PARAMETERS" not in env and "SSH_AUTH_SOCK" not in env and env["GIT_ASKPASS"] == ""
    assert "-F /dev/null" in env["GIT_SSH_COMMAND"] and "IdentityAgent=none" in env["GIT_SSH_COMMAND"]
    shown = subprocess.run(["git", "config", "--list", "--show-origin"], cwd=tmp_path, env=env,
                           capture_output=True, text=True).stdout
    assert "extraheader" not in shown.lower() and "helper=store" not in shown
    assert str(operator_home) not in shown
    helpers = subprocess.run(["git", "config", "--get-all", "credential.helper"], cwd=tmp_path, env=env,
                             capture_output=True, text=True).stdout
    assert helpers.strip() == ""
    # without isolation (the CLI) the user's configuration is kept
    plain = git_env("https://example.org/o/r.git", None)
    assert plain["HOME"] == str(operator_home)


# ---- redact(): linear, bounded, request-scoped -----------------------------------------------------


@pytest.mark.parametrize("shape", [
    "a" * 1_000_000,  # one run of scheme letters with no "://": the old pattern was quadratic here
    "a://" + "b" * 1_000_000,  # a scheme, then no '@' for a megabyte
    "x" * 1_000_000 + "@",
    "ghp_" + "a" * 1_000_000 + "_",
    "a://b:" * 150_000,
])
def test_redact_handles_adversarial_megabytes(shape):
    """Correct on inputs that made the old pattern backtrack (no timing asserted: a regression hangs)."""
    assert redact(shape) == shape  # nothing secret in any of them


def test_url_pattern_cannot_start_inside_a_run():
    """Why redact is linear: the scheme may only start where a run of scheme characters starts."""
    url_pattern = errors._SECRET_PATTERNS[0][0]
    assert url_pattern.pattern.startswith("(?<![A-Za-z0-9+.-])")
    assert url_pattern.search("xhttps://u:p@h").group(0) == "xhttps://u:p@"  # whole run taken as the scheme
    assert url_pattern.search("ahttps://u:p@h", 1) is None  # never a start inside the run


def test_redact_still_scrubs_every_kind_of_secret():
    text = ("fatal: unable to access 'https://x-access-token:ghp_abcdefghijklmnopqrstuvwx12@host/o/r.git' "
            "Authorization: Bearer s3cr3t-value https://h/p?token=T0KEN&page=2&sig=S1G")
    out = redact(text)
    for secret in ("ghp_abcdefghijklmnopqrstuvwx12", "x-access-token", "s3cr3t-value", "T0KEN", "S1G"):
        assert secret not in out
    assert "page=2" in out and "https://***@host/o/r.git" in out


def _raw_get(app, path: str) -> tuple[int, bytes]:
    """One GET straight through ASGI (httpx refuses URLs over 64 KB; a server behind a proxy does not)."""
    messages: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": unquote(path), "raw_path": path.encode("latin-1"), "query_string": b"",
             "root_path": "", "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1),
             "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


def test_huge_request_path_gets_a_short_4xx(tmp_path):
    app = create_app(web_service(tmp_path), mount_mcp=False)
    for path in ("/" + "a" * 200_000, "/" + "a" * 200_000 + ":x", "/x" + "b" * 200_000 + ".png",
                 "/ftp://" + "u" * 200_000):
        status, body = _raw_get(app, path)
        assert 400 <= status < 500, (status, body[:200])
        assert body.startswith(b"error: ") and len(body) < 3_000  # the message is clipped, not echoed whole
    assert asgi_get(app, "/healthz").status_code == 200


def test_healthz_answers_while_a_request_is_blocked(tmp_path, monkeypatch):
    """Ingest work runs in a worker thread: a request stuck in it does not hold /healthz."""
    svc = web_service(tmp_path)
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def stuck(*args, **kwargs):
        started.set()
        release.wait(120)
        finished.set()
        raise SourceNotFound("released by the test")

    monkeypatch.setattr(svc, "bundle", stuck)
    app = create_app(svc, mount_mcp=False)

    async def go():
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            slow = asyncio.create_task(http.get("/o/r"))
            while not started.is_set():
                await asyncio.sleep(0.01)
            health = await http.get("/healthz")
            in_flight = not finished.is_set()
            release.set()
            return health, in_flight, await slow

    health, in_flight, slow = asyncio.run(go())
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert in_flight  # /healthz was answered while the other request was still blocked
    assert slow.status_code == 404


def test_registered_secrets_are_bounded_and_request_scoped():
    for i in range(10_000):
        register_secret(f"process-token-{i:05d}")
    assert len(errors._global_secrets) <= errors.MAX_GLOBAL_SECRETS
    assert redact("x process-token-09999 y") == "x *** y"  # the newest are kept

    seen: dict[str, str] = {}

    def request(name: str, barrier: threading.Barrier) -> None:
        with secret_scope():
            register_secret(f"caller-{name}-secret")
            barrier.wait(30)
            seen[name] = redact("caller-a-secret caller-b-secret")
            barrier.wait(30)

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=request, args=(n, barrier)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert seen == {"a": "*** caller-b-secret", "b": "caller-a-secret ***"}  # each sees only its own
    assert redact("caller-a-secret") == "caller-a-secret"  # forgotten when the request ended
    before = len(errors._global_secrets)
    with secret_scope():
        for i in range(1_000):
            register_secret(f"scoped-{i:04d}")
    assert len(errors._global_secrets) == before  # a request's tokens never reach the global set


# ---- credentials in URLs ---------------------------------------------------------------------------


def test_url_userinfo_and_secret_query_values_are_split_off():
    assert split_userinfo("https://u:p%40ss@h.example/o/r.git") == ("https://h.example/o/r.git", ("u", "p@ss"))
    assert public_url("http://alice:PW@h.example/p?token=T&a=1&api_key=K#f") == "http://h.example/p?a=1#f"
    src = parse("https://x-access-token:ghp_abcdefghijklmnopqrstuv1234@git.example.org/o/r.git")
    assert src.url == "https://git.example.org/o/r.git" and "ghp_" not in repr(src) + src.display()
    assert src.auth == ("x-access-token", "ghp_abcdefghijklmnopqrstuv1234")
    assert parse("https://tok1234@github.com/o/r/tree/main").auth == ("tok1234", None)
    page = parse("http://alice:PW@h.example/p?token=T")
    assert page.display() == "http://h.example/p"


def test_url_credentials_reach_git_only_through_the_environment(tmp_path, git_http_private, monkeypatch):
    for var in TOKEN_VARS:
        monkeypatch.delenv(var, raising=False)
    token, port = git_http_private["token"], git_http_private["port"]
    argv: list[list[str]] = []
    real_run = git_remote._run

    def spy(args, **kwargs):
        argv.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(git_remote, "_run", spy)
    url = f"http://x-access-token:{token}@127.0.0.1:{port}/o/private.git"
    co = checkout(parse(url), Options(cache_dir=tmp_path / "c", isolate_git=True))
    assert co.commit == git_http_private["main"]
    assert argv and not any(token in " ".join(a) or "x-access-token" in " ".join(a) for a in argv)
    config = (co.root / ".git" / "config").read_text()
    assert f"url = http://127.0.0.1:{port}/o/private.git" in config and token not in config
    stored = "".join(p.read_text(errors="replace") for p in (co.root / ".git").rglob("*")
                     if p.is_file() and p.stat().st_size < 1_000_000)
    assert token not in stored


def test_url_credentials_are_never_echoed_by_the_web_service(tmp_path, git_http_private, monkeypatch):
    for var in TOKEN_VARS:
        monkeypatch.delenv(var, raising=False)
    token, port = git_http_private["token"], git_http_private["port"]
    # loopback needs allow_private; git stays isolated as on any server
    svc = Service(options=Options(allow_private=True, isolate_git=True, cache_dir=tmp_path / "c"),
                  limits=Limits(rate_per_minute=0), cache=ResultCache(tmp_path / "c" / "results"))
    app = create_app(svc, mount_mcp=False)
    with_creds = asgi_get(app, f"/http://x-access-token:{token}@127.0.0.1:{port}/o/private.git")
    assert with_creds.status_code == 200 and "second" in with_creds.text
    shown = with_creds.text + " ".join(f"{k}: {v}" for k, v in with_creds.headers.items())
    assert token not in shown and token not in unquote(shown) and "x-access-token" not in unquote(shown)
    assert with_creds.headers["cache-control"].startswith("private")
    # the result cache keys the credentials: the same URL without them is not served the private digest
    anonymous = asgi_get(app, f"/http://127.0.0.1:{port}/o/private.git")
    assert anonymous.status_code == 401
    assert not _files_containing(tmp_path / "c", token)


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b"<html><head><title>Secret page</title></head><body><main><h1>Hello</h1>"
                b"<p>See <a href='next.html'>the next page</a> and <a href='?page=2'>more</a>.</p>"
                b"</main></body></html>")
        respond(self, 200, body, "text/html; charset=utf-8")

    def log_message(self, *args):
        pass


def test_page_urls_are_shown_without_userinfo_or_secret_query_values(tmp_path):
    base, stop = serve_loopback(_Page)
    try:
        host = urlsplit(base).netloc
        svc = Service(options=Options(allow_private=True, cache_dir=tmp_path / "c"),
                      limits=Limits(rate_per_minute=0), cache=ResultCache(tmp_path / "c" / "results"))
        app = create_app(svc, mount_mcp=False)
        resp = asgi_get(app, f"/http://alice:PaSsW0rd@{host}/docs/page.html?token=SEKRET1&access_token=SEKRET2&a=1")
    finally:
        stop()
    assert resp.status_code == 200 and "Hello" in resp.text
    shown = unquote(resp.text + " ".join(f"{k}: {v}" for k, v in resp.headers.items()))
    for secret in ("PaSsW0rd", "alice", "SEKRET1", "SEKRET2"):
        assert secret not in shown
    assert f"url: http://{host}/docs/page.html?a=1" in resp.text  # front matter
    assert f"(http://{host}/docs/next.html)" in resp.text  # links made absolute, without userinfo
    assert unquote(resp.headers["x-source"]) == f"http://{host}/docs/page.html?a=1"
    assert resp.headers["cache-control"].startswith("private")
    assert not _files_containing(tmp_path / "c", "PaSsW0rd") and not _files_containing(tmp_path / "c", "SEKRET1")


def _files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]
