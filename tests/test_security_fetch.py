"""The guarded fetcher (llmingest.fetch.http) against real HTTP servers on 127.0.0.1.

Issue 12 findings: gzip bombs (#4), DNS rebinding between check and connect (#5), credentials
following cross-origin redirects (#7), abandoned timed-out fetches (#8), --max-page-size in crawls
(#15) and IPv6 embeddings of private IPv4s (#18). DNS answers are faked in-process by patching
``socket.getaddrinfo`` (a name that answers public, then 127.0.0.1); nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import gzip
import http.server
import socket
import sys
import threading
import time
import tracemalloc
import zlib

import httpx
import pytest
from conftest import respond, serve_loopback
from llmingest.errors import AuthRequired, BlockedAddress, LimitExceeded, NetworkError
from llmingest.fetch import http as fetcher
from llmingest.fetch.crawl import crawl
from llmingest.fetch.git_remote import checkout
from llmingest.fetch.http import check_address, curl_resolve, fetch, run_with_deadline
from llmingest.options import Options
from llmingest.sources.parse import parse

PUBLIC = "93.184.216.34"  # only ever *answered*, never connected to


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """Start handler classes on 127.0.0.1; every server is stopped at the end of the test."""
    stops = []

    def start(handler):
        base, stop = serve_loopback(handler)
        stops.append(stop)
        return base

    yield start
    for stop in stops:
        stop()


def fake_dns(monkeypatch, host: str, answers: list[str], callers: list[str] | None = None) -> list[str]:
    """Make ``host`` resolve to ``answers`` in turn (the last one repeats); returns the answers given.

    ``callers`` collects the name of the function that asked (``create_connection`` is a socket
    connect resolving the name itself, which a pinned connection never does).
    """
    real = socket.getaddrinfo
    given: list[str] = []

    def getaddrinfo(name, port, *args, **kwargs):
        if str(name).lower() == host:
            if callers is not None:
                callers.append(sys._getframe(1).f_code.co_name)
            ip = answers[min(len(given), len(answers) - 1)]
            given.append(ip)
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (ip, int(port or 0)))]
        return real(name, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def counting_handler(hits: list[dict]):
    class H(Quiet):
        def do_GET(self):
            hits.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            respond(self, 200, b"<html><body><p>hello</p></body></html>", "text/html")

    return H


SERVER_MODE = dict(allow_private=False)


# ---- #18: addresses ----------------------------------------------------------------------------

LOOPBACK_AND_PRIVATE = [
    "127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "017700000001",
    "0x7f.1", "0177.1", "127.127.127.127", "127.255.255.254", "localhost", "LOCALHOST", "LocalHost",
    "0", "0.0.0.0", "[::1]", "[0:0:0:0:0:0:0:1]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    "[::127.0.0.1]", "[2002:7f00:1::]", "[2002:7f00:1:1234::5]", "[fec0::1]", "[fec0:1::2]",
    "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::1]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    "[fe80::1]", "[fc00::1]", "[fd00::1]", "[ff02::1]", "[2002:a9fe:a9fe::]", "[2002:c0a8:1::]",
    "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]", "169.254.169.254", "10.0.0.1", "172.16.0.1",
    "192.168.0.1", "100.64.0.1", "198.18.0.1", "240.0.0.1", "224.0.0.1", "255.255.255.255",
]


@pytest.mark.parametrize("host", LOOPBACK_AND_PRIVATE)
def test_non_public_spellings_are_refused(host):
    with pytest.raises(BlockedAddress):
        check_address(f"http://{host}:8080/x", Options(**SERVER_MODE))


@pytest.mark.parametrize("host", ["[2002:5db8:d822::]", "[64:ff9b::5db8:d822]", "[2606:4700::1111]", "93.184.216.34"])
def test_public_addresses_and_their_embeddings_pass(host):
    check_address(f"http://{host}/", Options(**SERVER_MODE))  # no DNS: literals


# ---- #5: DNS rebinding ------------------------------------------------------------------------


def test_rebinding_after_the_check_never_reaches_loopback(server, monkeypatch):
    hits: list[dict] = []
    port = server(counting_handler(hits)).rsplit(":", 1)[1]
    given = fake_dns(monkeypatch, "rebind.test", [PUBLIC, "127.0.0.1"])
    with pytest.raises(BlockedAddress):
        fetch(f"http://rebind.test:{port}/", Options(**SERVER_MODE))
    assert given[:2] == [PUBLIC, "127.0.0.1"]  # the connect-time answer was checked and refused
    assert hits == []


def test_connection_goes_to_the_checked_address_with_the_original_host(server, monkeypatch):
    """The pin: after the check, the name is never resolved again (a 3rd answer would be 127.0.0.2,
    where nothing listens); the request reaches the checked 127.0.0.1 with Host: pinned.test."""
    hits: list[dict] = []
    port = server(counting_handler(hits)).rsplit(":", 1)[1]
    monkeypatch.setattr(fetcher, "_is_public", lambda ip: str(ip) == "127.0.0.1")  # pretend it is public
    callers: list[str] = []
    given = fake_dns(monkeypatch, "pinned.test", ["127.0.0.1", "127.0.0.1", "127.0.0.2"], callers)
    resp = fetch(f"http://pinned.test:{port}/page", Options(**SERVER_MODE))
    assert resp.status == 200 and b"hello" in resp.content
    assert given == ["127.0.0.1", "127.0.0.1"]  # early check + connect-time check, nothing more
    assert callers == ["resolve_checked", "resolve_checked"]  # the socket connected to an IP, not the name
    assert hits[0]["host"] == f"pinned.test:{port}" and hits[0]["path"] == "/page"


def test_async_client_checks_at_connect_time(server, monkeypatch):
    hits: list[dict] = []
    port = server(counting_handler(hits)).rsplit(":", 1)[1]
    fake_dns(monkeypatch, "rebind.test", ["127.0.0.1"])

    async def go():
        async with fetcher.make_async_client(Options(**SERVER_MODE)) as client:
            await client.get(f"http://rebind.test:{port}/")

    with pytest.raises(BlockedAddress):
        asyncio.run(go())
    assert hits == []


def test_crawl_rebinding_reaches_nothing(server, monkeypatch, tmp_path):
    hits: list[dict] = []
    port = server(counting_handler(hits)).rsplit(":", 1)[1]
    fake_dns(monkeypatch, "rebind.test", [PUBLIC, PUBLIC, "127.0.0.1"])
    with pytest.raises(NetworkError, match="refusing rebind.test"):  # no page at all: the crawl fails
        crawl(f"http://rebind.test:{port}/", Options(cache_dir=tmp_path, **SERVER_MODE))
    assert hits == []


def test_git_connects_to_the_checked_address(git_http_private, monkeypatch, tmp_path):
    """git resolves names itself; ``http.curloptResolve`` pins it to what we checked. The name
    ``gitpin.invalid`` cannot be resolved by git, so reaching the server (its 401) proves the pin."""
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "GL_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(fetcher, "_is_public", lambda ip: str(ip) == "127.0.0.1")
    fake_dns(monkeypatch, "gitpin.invalid", ["127.0.0.1"])
    url = f"http://gitpin.invalid:{git_http_private['port']}/o/private.git"
    opts = Options(cache_dir=tmp_path, **SERVER_MODE)
    assert curl_resolve(url, opts) == f"gitpin.invalid:{git_http_private['port']}:127.0.0.1"
    with pytest.raises(AuthRequired):
        checkout(parse(url), opts)


def test_git_pin_refuses_a_rebound_name(monkeypatch, tmp_path):
    fake_dns(monkeypatch, "gitpin.invalid", [PUBLIC, "127.0.0.1"])
    opts = Options(cache_dir=tmp_path, **SERVER_MODE)
    assert curl_resolve("https://gitpin.invalid/o/r.git", opts) == f"gitpin.invalid:443:{PUBLIC}"
    with pytest.raises(BlockedAddress):
        curl_resolve("https://gitpin.invalid/o/r.git", opts)


# ---- #7: credentials and redirects --------------------------------------------------------------


SECRETS = {"Authorization": "Bearer s3cret", "Cookie": "sid=s3cret", "Proxy-Authorization": "Basic s3cret",
           "X-Api-Key": "s3cret", "Private-Token": "s3cret"}


def _redirector(target: str):
    class R(Quiet):
        def do_GET(self):
            if self.path == "/same":
                respond(self, 302, Location="/final")
            elif self.path == "/final":
                respond(self, 200, self.headers.get("Authorization", "none").encode(), "text/plain")
            else:
                respond(self, 302, Location=target)

    return R


def test_credentials_are_dropped_on_a_cross_origin_redirect(server):
    hits: list[dict] = []
    other = server(counting_handler(hits))
    origin = server(_redirector(other + "/landing"))
    resp = fetch(origin + "/start", Options(), headers=dict(SECRETS))
    assert resp.status == 200 and hits[0]["path"] == "/landing"
    assert not {k.lower() for k in SECRETS} & set(hits[0]), hits[0]
    assert "s3cret" not in repr(hits)


def test_same_host_other_port_or_name_is_another_origin(server):
    hits: list[dict] = []
    other = server(counting_handler(hits)).replace("127.0.0.1", "localhost")
    origin = server(_redirector(other + "/landing"))
    fetch(origin + "/start", Options(), headers={"Authorization": "Bearer s3cret"})
    assert "authorization" not in hits[0]


def test_credentials_stay_on_a_same_origin_redirect(server):
    origin = server(_redirector("unused"))
    assert fetch(origin + "/same", Options(), headers={"Authorization": "Bearer s3cret"}).content == b"Bearer s3cret"


def test_page_token_does_not_follow_a_redirect_to_another_host(server, tmp_path):
    from llmingest import ingest

    hits: list[dict] = []
    other = server(counting_handler(hits))
    origin = server(_redirector(other + "/landing"))
    ingest(origin + "/doc", Options(token="ghp_s3cretTOKEN", cache_dir=tmp_path))
    assert hits and "authorization" not in hits[0]


def test_https_to_http_is_a_different_origin():
    assert fetcher.origin("https://a.example/x") != fetcher.origin("http://a.example/x")
    assert fetcher.origin("https://a.example/x") == fetcher.origin("https://A.example:443/y")
    assert fetcher.strip_credentials({"Authorization": "x", "Accept": "y", "X-Auth-Token": "z"}) == {"Accept": "y"}


# ---- #4: compression bombs ----------------------------------------------------------------------

BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # ~64 KB -> 64 MiB


def _serving(body: bytes, **headers: str):
    class H(Quiet):
        def do_GET(self):
            if self.path in ("/", "/bomb", "/sitemap.xml", "/sitemap.xml.gz"):
                respond(self, 200, body, headers.pop("content_type", None) or "text/html", **headers)
            else:
                respond(self, 404)

    return H


def test_content_encoding_bomb_stops_at_the_page_limit(server):
    base = server(_serving(BOMB, Content_Encoding="gzip"))
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match="decompresses to more than the 5,000,000-byte limit"):
            fetch(base + "/bomb", Options(extra={"max_page_bytes": 5_000_000}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # bounded steps: never the 64 MiB the body inflates to


def test_content_encoding_bomb_is_stopped_by_ratio_under_a_large_limit(server):
    base = server(_serving(BOMB, Content_Encoding="gzip"))
    with pytest.raises(LimitExceeded, match="inflates more than"):
        fetch(base + "/bomb", Options(), max_bytes=1_000_000_000)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_real_compressed_pages_still_decode(server, encoding):
    text = b"<html><body>" + b"".join(b"<p>line %d</p>" % i for i in range(20000)) + b"</body></html>"
    if encoding == "gzip":
        body = gzip.compress(text)
    elif encoding == "deflate":
        body = zlib.compress(text)
    else:
        c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body, encoding = c.compress(text) + c.flush(), "deflate"
    base = server(_serving(body, Content_Encoding=encoding))
    assert fetch(base + "/", Options()).content == text


def test_unrequested_encoding_is_a_clear_error(server):
    base = server(_serving(b"\x0b\x00\x80hello\x03", Content_Encoding="br"))
    with pytest.raises(NetworkError, match="unsupported Content-Encoding 'br'"):
        fetch(base + "/", Options())


def _site_with_sitemap(sitemap_path: str, body: bytes, **headers: str):
    class H(Quiet):
        def do_GET(self):
            if self.path == "/robots.txt":
                respond(self, 200, f"Sitemap: http://{self.headers['Host']}{sitemap_path}\n".encode(), "text/plain")
            elif self.path == sitemap_path:
                respond(self, 200, body, "application/xml", **headers)
            elif self.path == "/":
                respond(self, 200, b"<html><head><title>Home</title></head><body><p>home</p></body></html>",
                        "text/html")
            else:
                respond(self, 404)

    return H


@pytest.mark.parametrize("path, headers", [("/sitemap.xml.gz", {}), ("/sitemap.xml", {"Content_Encoding": "gzip"})])
def test_sitemap_bomb_is_a_reported_skip(server, tmp_path, path, headers):
    base = server(_site_with_sitemap(path, BOMB, **headers))
    result = crawl(base + "/", Options(cache_dir=tmp_path, extra={"max_page_size": 5_000_000}))
    assert [p.url for p in result.pages] == [base + "/"]
    reasons = [s.reason for s in result.skipped if s.path.endswith(path)]
    assert reasons and "sitemap skipped" in reasons[0] and "limit" in reasons[0]


def test_gzipped_sitemap_still_seeds_the_crawl(server, tmp_path):
    class H(Quiet):
        def do_GET(self):
            host = self.headers["Host"]
            if self.path == "/robots.txt":
                respond(self, 200, f"Sitemap: http://{host}/sm.xml.gz\n".encode(), "text/plain")
            elif self.path == "/sm.xml.gz":
                xml = (f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>http://{host}/</loc></url>"
                       f"<url><loc>http://{host}/a</loc></url></urlset>").encode()
                respond(self, 200, gzip.compress(xml), "application/gzip")
            elif self.path in ("/", "/a"):
                respond(self, 200, b"<html><head><title>T</title></head><body><p>x</p></body></html>", "text/html")
            else:
                respond(self, 404)

    base = server(H)
    result = crawl(base + "/", Options(cache_dir=tmp_path))
    assert result.sitemap == base + "/sm.xml.gz"
    assert sorted(p.url for p in result.pages) == [base + "/", base + "/a"]


# ---- #15: the server's --max-page-size in crawls --------------------------------------------------


def test_crawl_enforces_the_server_page_limit_while_streaming(server, tmp_path):
    class H(Quiet):  # HTTP/1.0 without Content-Length: the size is only known by reading
        def do_GET(self):
            if self.path == "/":
                respond(self, 200, b"<html><body><a href='/big'>big</a></body></html>", "text/html")
            elif self.path == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body>" + b"<p>big</p>" * 10_000 + b"</body></html>")
            else:
                respond(self, 404)

    base = server(H)
    result = crawl(base + "/", Options(cache_dir=tmp_path, extra={"max_page_bytes": 10_000}))
    assert [p.url for p in result.pages] == [base + "/"]
    assert any(s.path == base + "/big" and "10,000-byte limit" in s.reason for s in result.skipped)


# ---- #8: one deadline per fetch -----------------------------------------------------------------


def _drip(closed: threading.Event, *, in_headers: bool = False):
    class H(Quiet):
        def do_GET(self):
            if self.path != "/":
                respond(self, 404)
                return
            try:
                if in_headers:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                for _ in range(3000):
                    self.wfile.write(b"X-Drip: 1\r\n" if in_headers else b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                closed.set()  # the client hung up: the fetch was stopped, not abandoned

    return H


@pytest.mark.parametrize("in_headers", [False, True])
def test_a_dripping_server_is_cut_at_the_deadline_and_the_socket_closed(server, in_headers):
    closed = threading.Event()
    base = server(_drip(closed, in_headers=in_headers))
    with pytest.raises(NetworkError, match="timed out"):
        fetch(base + "/", Options(timeout=1))
    assert closed.wait(30)


def test_an_outer_deadline_bounds_fetches_inside_it(server):
    closed = threading.Event()
    base = server(_drip(closed))
    with pytest.raises(NetworkError, match="timed out"):
        run_with_deadline(1, fetch, base + "/", Options(timeout=600))
    assert closed.wait(30)


def test_a_dripping_page_is_skipped_by_the_crawl(server, tmp_path):
    closed = threading.Event()
    base = server(_drip(closed))
    with pytest.raises(NetworkError, match="timed out"):  # the only page: the crawl fails
        crawl(base + "/", Options(cache_dir=tmp_path, timeout=1, extra={"retries": 0}))
    assert closed.wait(30)


def test_an_mcp_tool_timeout_bounds_its_fetches(server):
    from fastmcp.exceptions import ToolError
    from llmingest.mcp_server.server import _edge

    closed = threading.Event()
    base = server(_drip(closed))
    tool = _edge(fetcher.with_deadline(lambda: fetch(base + "/", Options(timeout=600)), 1))  # as create_server does
    with pytest.raises(ToolError, match="timed out"):
        tool()
    assert closed.wait(30)


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for ``pinned.test``; records SNI."""
    import ssl
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=pinned.test", "-addext", "subjectAltName=DNS:pinned.test"],
                   check=True, capture_output=True)
    names: list[str | None] = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.sni_callback = lambda sock, name, _ctx: names.append(name)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), counting_handler([]))
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1], cert, names
    httpd.shutdown()
    httpd.server_close()


def _trusting_client(opts: Options, cert):
    ctx = httpx.create_ssl_context()
    ctx.load_verify_locations(cert)  # trust the test's certificate (its own context: the shared one stays as it is)
    return fetcher.make_client(opts, ssl_context=ctx)


def test_pinned_https_verifies_the_certificate_for_the_hostname(tls_server, monkeypatch):
    port, cert, names = tls_server
    monkeypatch.setattr(fetcher, "_is_public", lambda ip: str(ip) == "127.0.0.1")
    fake_dns(monkeypatch, "pinned.test", ["127.0.0.1"])
    opts = Options(**SERVER_MODE)
    with _trusting_client(opts, cert) as client:
        resp = fetch(f"https://pinned.test:{port}/", opts, client=client)
    assert resp.status == 200 and names == ["pinned.test"]  # SNI is the name, not the pinned IP


def test_pinned_https_still_refuses_a_certificate_for_another_name(tls_server, monkeypatch):
    port, cert, _ = tls_server
    monkeypatch.setattr(fetcher, "_is_public", lambda ip: str(ip) == "127.0.0.1")
    fake_dns(monkeypatch, "other.test", ["127.0.0.1"])
    opts = Options(**SERVER_MODE)
    with _trusting_client(opts, cert) as client, pytest.raises(NetworkError, match="(?i)certificate"):
        fetch(f"https://other.test:{port}/", opts, client=client)


def test_clients_share_one_tls_context_and_it_follows_the_ca_settings(monkeypatch, tmp_path):
    """Every fetch makes a client; the CA bundle is loaded once per process, not per client
    (~30 ms each), and a trust_env client still honours a changed SSL_CERT_FILE."""
    a = fetcher._ssl_context(True)
    assert fetcher._ssl_context(True) is a
    assert fetcher._ssl_context(False) is not a  # server mode reads no CA environment variables
    with fetcher.make_client(Options(allow_private=True)) as c1, fetcher.make_client(Options(allow_private=True)) as c2:
        assert c1._transport._pool._ssl_context is c2._transport._pool._ssl_context is a
    import certifi

    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(open(certifi.where(), "rb").read())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert fetcher._ssl_context(True) is not a
