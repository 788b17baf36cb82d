"""The one place that fetches URLs (DESIGN rule 4): limits, redirects, SSRF guard, typed errors.

Every network path (page, PDF URL, OpenAPI spec, llms.txt, site crawl, sitemaps, git's redirect
probe) gets its client here, so the same guards hold everywhere:

* **Address pinned at connect time.** In server mode (``allow_private=False``) the connection
  backend resolves a host once, checks *every* address, and connects to the checked IP; httpx
  never resolves again, so a DNS answer that flips to 127.0.0.1 after the check (rebinding)
  reaches nothing. TLS still verifies the certificate for the hostname (SNI comes from the URL).
  Git over http(s) gets the same pin through ``http.curloptResolve`` (:func:`curl_resolve`).
* **Redirects by hand.** Every hop is address-checked; credentials (Authorization, Cookie,
  Proxy-Authorization, token/key headers) are dropped for good on the first hop that changes
  scheme, host or port (https -> http included).
* **One deadline per fetch.** ``Options.timeout`` is the wall time of the whole fetch (connect,
  redirects, headers, body): every socket read is clamped to what is left, so a server dripping
  one byte a second is cut at the deadline, and the socket is closed. A caller (the web service)
  can impose an outer deadline with :func:`deadline`.
* **Bounded bodies.** Bytes are counted while streaming, after decoding: gzip/deflate are
  decoded here in 64 KiB steps (never one unbounded ``decompress``), capped by bytes and by
  ratio, so a 1 MB gzip bomb stops at the limit instead of inflating to 1 GiB.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import ipaddress
import os
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from llmingest import __version__
from llmingest.errors import (
    AuthRequired,
    BlockedAddress,
    LimitExceeded,
    NetworkError,
    SourceNotFound,
    UsageError,
)
from llmingest.options import Options

USER_AGENT = f"llmingest/{__version__} (+https://pypi.org/project/llmingest/)"
DEFAULT_MAX_BYTES = 50_000_000
MAX_REDIRECTS = 10
#: encodings decoded here with bounded output; others are not asked for (br/zstd need extra deps)
ACCEPT_ENCODING = "gzip, deflate"
DECODE_STEP = 65_536  # bytes of decoded output per decompression step
#: a body decoding to more than RATIO x its compressed size (past RATIO_FLOOR bytes) is a bomb;
#: real HTML/XML compresses 5-30x, sitemaps up to ~50x
MAX_RATIO = 200
RATIO_FLOOR = 2_000_000
#: what page fetches ask for (markdown first, llms.txt v2); ``--no-prefer-markdown`` leaves it out
ACCEPT_MARKDOWN = "text/markdown, text/html;q=0.9, */*;q=0.8"
#: request headers that carry credentials; never sent to another origin
CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "cookie"}
_CREDENTIAL_WORDS = ("token", "auth", "key", "secret", "session", "password", "credential")

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("llmingest_fetch_deadline", default=None)


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"').lower()
        return None


# ---- the address guard ---------------------------------------------------------------------------

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels to (mapped, 6to4, Teredo client, NAT64, compat)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64) or (int(ip) >> 32 == 0 and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routable unicast address, looking through every IPv6 embedding of an IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and not _is_public(inner):
            return False
        if ip.ipv4_mapped or ip in _NAT64[0]:
            return True  # ::ffff:a.b.c.d and 64:ff9b::a.b.c.d reach that IPv4 address, judged above
        if ip.is_site_local or any(ip in net for net in _NAT64[1:]):
            return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or ip in _SHARED)


def _trusted(host: str, options: Options) -> bool:
    """Hosts the operator mapped with ``host_map`` (a mirror they chose) skip the address check."""
    return host.lower().rstrip(".") in {h.split(":")[0].lower() for h in options.host_map}


def resolve_checked(host: str, port: int, options: Options | None = None) -> list[str]:
    """Resolve ``host`` once and return its addresses, refusing them all if any is non-public.

    The caller connects to one of these addresses (never resolving the name again), so what was
    checked is what is reached. Private addresses pass when ``options.allow_private``.
    """
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise NetworkError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if options is not None and not options.allow_private and not _trusted(host, options):
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not _is_public(ip):
                raise BlockedAddress(f"refusing {host}: it resolves to a non-public address ({ip})",
                                     hint="private addresses are not fetched in server mode")
    if not addresses:
        raise NetworkError(f"cannot resolve {host}: no addresses")
    return addresses


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def check_address(url: str, options: Options | None) -> None:
    """Refuse URLs that resolve to non-public addresses unless private addresses are allowed.

    An early, clear refusal; the binding guarantee is the pinned connection (:class:`_GuardedBackend`).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"unsupported URL scheme {parts.scheme!r} in {url}")
    if options is None or options.allow_private:
        return
    host = parts.hostname or ""
    if _trusted(host, options):
        return
    try:
        port = parts.port or _default_port(parts.scheme)
    except ValueError:
        raise UsageError(f"bad port in {url}") from None
    resolve_checked(host, port, options)


def curl_resolve(url: str, options: Options) -> str:
    """``host:port:address`` for git's ``http.curloptResolve``: git connects to the checked address.

    Git resolves names itself; without the pin a DNS answer could be public for our check and
    127.0.0.1 for git's connection (rebinding).
    """
    parts = urlsplit(url)
    port = parts.port or _default_port(parts.scheme)
    address = resolve_checked(parts.hostname or "", port, options)[0]
    return f"{parts.hostname}:{port}:{f'[{address}]' if ':' in address else address}"


def pin_git_env(env: dict[str, str], url: str, options: Options) -> None:
    """Add ``http.curloptResolve`` (see :func:`curl_resolve`) to a git child's environment config."""
    n = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    env[f"GIT_CONFIG_KEY_{n}"] = "http.curloptResolve"
    env[f"GIT_CONFIG_VALUE_{n}"] = curl_resolve(url, options)
    env["GIT_CONFIG_COUNT"] = str(n + 1)


# ---- deadlines -------------------------------------------------------------------------------------


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Every fetch inside this block (this thread or task) ends within ``seconds`` of now.

    Nested deadlines keep the earlier one. Socket reads and connects are clamped to the time
    left; past it they raise a read timeout, which :func:`fetch` turns into a NetworkError.
    """
    if not seconds or seconds <= 0:
        yield
        return
    outer = _DEADLINE.get()
    mine = time.monotonic() + seconds
    token = _DEADLINE.set(mine if outer is None else min(outer, mine))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _left(timeout: float | None, error: type[Exception] = httpcore.ReadTimeout) -> float | None:
    """``timeout`` clamped to the current deadline; raises ``error`` when the deadline passed."""
    end = _DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the fetch deadline passed")
    return left if timeout is None else min(timeout, left)


def _expired() -> bool:
    end = _DEADLINE.get()
    return end is not None and time.monotonic() >= end


# ---- the connection backends (pinning + deadline) --------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write is clamped to the fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolve once, check every address, connect to a checked IP (DNS-rebinding proof)."""

    def __init__(self, inner: httpcore.NetworkBackend, options: Options | None) -> None:
        self._inner = inner
        self._options = options

    def _targets(self, host: str, port: int) -> list[str]:
        if self._options is None or self._options.allow_private:
            return [host]  # no guard: let the system connect as usual (proxies, happy eyeballs)
        return resolve_checked(host, port, self._options)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self._targets(host, port):
            try:
                stream = self._inner.connect_tcp(address, port, _left(timeout, httpcore.ConnectTimeout),
                                                 local_address, socket_options)
                return _DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _left(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        inner = await self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        return _AsyncDeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """The asyncio twin of :class:`_GuardedBackend` (the site crawler's client)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, options: Options | None) -> None:
        self._inner = inner
        self._options = options

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        import anyio

        if self._options is None or self._options.allow_private:
            targets = [host]
        else:
            targets = await anyio.to_thread.run_sync(resolve_checked, host, port, self._options)
        error: Exception | None = None
        for address in targets:
            try:
                stream = await self._inner.connect_tcp(address, port, _left(timeout, httpcore.ConnectTimeout),
                                                       local_address, socket_options)
                return _AsyncDeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _wrap_pools(client: httpx.Client | httpx.AsyncClient, options: Options | None, backend: type) -> None:
    """Put the guarded backend under every connection pool of ``client`` (direct and proxies).

    httpx does not take a network backend, but its transports hold an httpcore pool that does;
    the pool reads ``_network_backend`` at every connect, so wrapping it is enough.
    """
    transports = [client._transport, *client._mounts.values()]  # noqa: SLF001 - see docstring
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if transport is None:  # a no_proxy mount
            continue
        if pool is None or not hasattr(pool, "_network_backend"):
            raise RuntimeError("httpx/httpcore changed: cannot install the guarded network backend")
        if not isinstance(pool._network_backend, backend):
            pool._network_backend = backend(pool._network_backend, options)


def _ssl_context(trust_env: bool) -> ssl.SSLContext:
    """The TLS context httpx would build for a client, built once per process (and per CA setting).

    httpx loads the CA bundle for every new Client (~30 ms), and every fetch makes one; the
    context is the same each time. Keyed by the CA environment variables a ``trust_env`` client
    reads, so changing them still takes effect.
    """
    cas = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")) if trust_env else (None, None)
    return _ssl_context_for(trust_env, cas)


@functools.lru_cache(maxsize=8)
def _ssl_context_for(trust_env: bool, cas: tuple[str | None, str | None]) -> ssl.SSLContext:
    return httpx.create_ssl_context(trust_env=trust_env)


def make_client(options: Options | None = None, *, ssl_context: ssl.SSLContext | None = None) -> httpx.Client:
    """A sync client with the guards: pinned addresses in server mode, deadlines, no auto-decoding.

    Server mode ignores proxy environment variables: the address check must see the real target.
    ``ssl_context`` replaces the shared one (a caller that trusts its own certificate).
    """
    opts = options or Options()
    guarded = not opts.allow_private
    c = httpx.Client(timeout=opts.timeout, follow_redirects=False, trust_env=not guarded,
                     verify=ssl_context or _ssl_context(not guarded),
                     headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING})
    _wrap_pools(c, opts, _GuardedBackend)
    return c


def make_async_client(options: Options | None = None, *, limits: httpx.Limits | None = None) -> httpx.AsyncClient:
    """The asyncio twin of :func:`make_client` (used by the site crawler)."""
    opts = options or Options()
    guarded = not opts.allow_private
    c = httpx.AsyncClient(timeout=opts.timeout, follow_redirects=False, trust_env=not guarded,
                          verify=_ssl_context(not guarded), limits=limits or httpx.Limits(),
                          headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING})
    _wrap_pools(c, opts, _AsyncGuardedBackend)
    return c


# ---- bodies: bounded decoding ----------------------------------------------------------------------


class _Inflate:
    """Streaming gzip/deflate with bounded output per step (``max_length``), members concatenated."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.raw_deflate = False
        self.started = False
        self.members = 0  # complete gzip members seen
        self.trailing = False  # past the last member: the rest is ignored
        self._new()

    def _new(self) -> None:
        if self.encoding == "gzip":
            wbits = 16 + zlib.MAX_WBITS
        else:
            wbits = -zlib.MAX_WBITS if self.raw_deflate else zlib.MAX_WBITS
        self.d = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.trailing:
            return
        if self.d.eof and data:
            self._new()  # the next gzip member starts in this chunk
        while True:
            try:
                out = self.d.decompress(data, DECODE_STEP)
            except zlib.error:
                if self.encoding == "deflate" and not self.started and not self.raw_deflate:
                    self.raw_deflate = True  # some servers send raw deflate without the zlib header
                    self._new()
                    continue
                if self.members:  # junk after a complete member: ignore it, as browsers do
                    self.trailing = True
                    return
                raise
            self.started = True
            if out:
                yield out
            if self.d.eof:
                self.members += 1
                data = self.d.unused_data
                if not data.strip(b"\x00"):
                    return
                self._new()  # another gzip member follows
                continue
            data = self.d.unconsumed_tail
            if not data and len(out) < DECODE_STEP:
                return  # all input taken and no output held back

    def finish(self) -> Iterator[bytes]:
        if self.started and not self.d.eof and not self.trailing:
            tail = self.d.flush(DECODE_STEP)
            if tail:
                yield tail


class Body:
    """Collects one response body: decodes Content-Encoding and enforces size, ratio and deadline.

    Pure (no I/O), so the sync fetcher, the async crawler and sitemap ``.gz`` files share it.
    """

    def __init__(self, url: str, content_encoding: str | None, max_bytes: int) -> None:
        self.url = url
        self.max_bytes = max_bytes
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        for coding in codings:
            if coding not in ("gzip", "x-gzip", "deflate"):
                raise NetworkError(f"{url}: unsupported Content-Encoding {coding!r}")
        # the last coding applied is the first undone
        self.decoders = [_Inflate("gzip" if c == "x-gzip" else c) for c in reversed(codings)]
        self.raw = 0
        self.size = 0
        self.chunks: list[bytes] = []

    def _take(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self.max_bytes:
            what = "decompresses to more than" if self.decoders else "is over"
            raise LimitExceeded(f"{self.url} {what} the {self.max_bytes:,}-byte limit")
        if self.decoders and self.size > RATIO_FLOOR and self.size > MAX_RATIO * self.raw:
            raise LimitExceeded(f"{self.url} inflates more than {MAX_RATIO}:1 (a compression bomb?); skipped")
        self.chunks.append(piece)

    def _through(self, data: bytes, level: int) -> None:
        if level == len(self.decoders):
            self._take(data)
            return
        for piece in self.decoders[level].feed(data):
            self._through(piece, level + 1)

    def feed(self, raw: bytes) -> None:
        if _expired():
            raise NetworkError(f"timed out fetching {self.url} (the fetch deadline passed)")
        self.raw += len(raw)
        try:
            self._through(raw, 0)
        except zlib.error as exc:
            raise NetworkError(f"{self.url}: cannot decode the compressed body ({exc})") from None

    def finish(self) -> bytes:
        try:
            for level, decoder in enumerate(self.decoders):
                for piece in decoder.finish():
                    self._through(piece, level + 1)
        except zlib.error as exc:
            raise NetworkError(f"{self.url}: cannot decode the compressed body ({exc})") from None
        return b"".join(self.chunks)


def gunzip(data: bytes, max_bytes: int, what: str = "gzip data") -> bytes:
    """Decompress a ``.gz`` file (a sitemap.xml.gz) with the same byte and ratio caps as a body."""
    body = Body(what, "gzip", max_bytes)
    body.feed(data)
    return body.finish()


@contextlib.asynccontextmanager
async def astream(client: httpx.AsyncClient, url: str, headers: dict[str, str]):
    """``client.stream("GET", url)`` without the layers a crawler does not use.

    The crawler follows redirects itself and sends no auth, so the client's auth, redirect and
    event-hook layers (and reading every answer's cookies into a jar: a third of a 304's CPU with
    them) are skipped: the request goes straight to the transport the client would pick, with the
    same pool, guarded backend, deadlines and cookies (the jar's are sent; a ``Set-Cookie`` is kept).
    Where httpx no longer has that seam, this is ``client.stream``.
    """
    pick = getattr(client, "_transport_for_url", None)
    if pick is None:  # pragma: no cover - a future httpx: the ordinary path
        async with client.stream("GET", url, headers=headers) as resp:
            yield resp
        return
    request = client.build_request("GET", url, headers=headers)  # the client's headers, cookies, timeout
    resp = await pick(request.url).handle_async_request(request)
    resp.request = request
    try:
        if "set-cookie" in resp.headers:
            client.cookies.extract_cookies(resp)
        yield resp
    finally:
        await resp.aclose()


def page_cap(options: Options | None, default: int) -> int:
    """The byte limit of one fetched body: ``default`` lowered by ``--max-page-size`` (CLI or server)."""
    cap = options.max_page_size if options else None
    return min(default, cap) if cap else default


def _declared_too_big(url: str, headers: httpx.Headers, max_bytes: int) -> None:
    try:
        declared = int(headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes and not headers.get("content-encoding"):
        raise LimitExceeded(f"{url} is {declared:,} bytes, over the {max_bytes:,}-byte limit")
    if declared > max_bytes * 2:  # compressed and still larger than twice the cap: hopeless
        raise LimitExceeded(f"{url} is {declared:,} bytes, over the {max_bytes:,}-byte limit")


def read_body(resp: httpx.Response, url: str, max_bytes: int) -> bytes:
    """Stream ``resp``'s raw bytes through :class:`Body` (caps apply before the whole body is read)."""
    _declared_too_big(url, resp.headers, max_bytes)
    body = Body(url, resp.headers.get("content-encoding"), max_bytes)
    for raw in resp.iter_raw():
        body.feed(raw)
    return body.finish()


async def aread_body(resp: httpx.Response, url: str, max_bytes: int) -> bytes:
    """The asyncio twin of :func:`read_body`."""
    _declared_too_big(url, resp.headers, max_bytes)
    body = Body(url, resp.headers.get("content-encoding"), max_bytes)
    async for raw in resp.aiter_raw():
        body.feed(raw)
    return body.finish()


# ---- redirects ------------------------------------------------------------------------------------


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in: what "same origin" compares."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _default_port(scheme)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower().rstrip("."), port


def is_credential_header(name: str) -> bool:
    """Authorization, Cookie, Proxy-Authorization and anything named like a token or key."""
    low = name.lower()
    return low in CREDENTIAL_HEADERS or any(word in low for word in _CREDENTIAL_WORDS)


def strip_credentials(headers: dict[str, str], also: Iterable[str] = ()) -> dict[str, str]:
    """``headers`` without credentials; ``also`` names more headers to drop (the user's --header)."""
    extra = {name.lower() for name in also}
    return {k: v for k, v in headers.items() if not is_credential_header(k) and k.lower() not in extra}


def basic_credentials(user: str, token: str) -> str:
    """The value after ``Authorization: Basic`` for ``user``/``token`` (git over https)."""
    import base64

    return base64.b64encode(f"{user}:{token}".encode()).decode()


def auth_headers(token: str | None, *, user: str | None = None) -> dict[str, str]:
    """``Authorization`` for a token: ``Bearer`` by default, ``Basic`` when ``user`` is given (git).

    Built here so every credential header comes from the module that also drops it on a
    redirect to another origin (:func:`strip_credentials`).
    """
    if not token:
        return {}
    if user is not None:
        return {"Authorization": f"Basic {basic_credentials(user, token)}"}
    return {"Authorization": f"Bearer {token}"}


def login_headers(options: Options | None, url: str, start: str) -> dict[str, str]:
    """The user's ``--header`` / ``--cookie`` for ``url``: only when it is on ``start``'s host.

    A site behind a login gets its session on its own pages; a link to another host (a CDN, a
    tracker, a redirect elsewhere) never sees it. :func:`fetch` also drops them on a redirect
    that changes origin.
    """
    if options is None or not (options.headers or options.cookies):
        return {}
    if origin(url)[1:] != origin(start)[1:] or origin(url)[0] not in ("http", "https"):
        return {}
    if origin(start)[0] == "https" and origin(url)[0] != "https":
        return {}  # never downgrade a session to plain http
    out = dict(options.headers)
    if options.cookies:
        out["Cookie"] = "; ".join([*([out["Cookie"]] if "Cookie" in out else []), *options.cookies])
    return out


def raise_for_status(status: int, url: str) -> None:
    if status in (401, 403):
        raise AuthRequired(f"{url} answered {status}", hint="the resource needs credentials (--token)")
    if status in (404, 410):
        raise SourceNotFound(f"{url} answered {status} (not found)")
    if status == 413:
        raise LimitExceeded(f"{url} answered 413")
    if status >= 400:
        raise NetworkError(f"{url} answered HTTP {status}")


def fetch(url: str, options: Options | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
          headers: dict[str, str] | None = None, client: httpx.Client | None = None, check: bool = True) -> Response:
    """GET ``url`` with redirects checked hop by hop, a size cap, one deadline and typed errors.

    ``check=False`` returns 4xx/5xx responses instead of raising (crawlers report and skip).
    Credentials in ``headers`` go to ``url``'s origin only (see the module docstring).
    """
    opts = options or Options()
    max_bytes = page_cap(opts, max_bytes)
    own = client is None
    if client is None:
        client = make_client(opts)
    try:
        with deadline(opts.timeout):
            return _follow(url, opts, max_bytes, dict(headers or {}), client, check)
    finally:
        if own:
            client.close()


def _follow(url: str, opts: Options, max_bytes: int, headers: dict[str, str], http: httpx.Client,
            check: bool) -> Response:
    current = url
    first = origin(url)
    seen: set[str] = set()
    for _ in range(MAX_REDIRECTS + 1):
        check_address(current, opts)
        if current in seen:
            raise NetworkError(f"redirect loop at {current}")
        seen.add(current)
        if origin(current) != first:  # and they stay dropped for every later hop
            headers = strip_credentials(headers, also=opts.headers)
        try:
            timeout = _left(opts.timeout, httpx.ReadTimeout)
            with http.stream("GET", current, headers=headers, timeout=timeout) as resp:
                if resp.is_redirect and "location" in resp.headers:
                    current = urljoin(current, resp.headers["location"])
                    continue
                content = read_body(resp, current, max_bytes)
                out = Response(str(resp.url), resp.status_code, content,
                               {k.lower(): v for k, v in resp.headers.items()})
        except httpx.TimeoutException:
            raise NetworkError(f"timed out fetching {current} (after {opts.timeout:g}s)") from None
        except httpx.TransportError as exc:
            raise NetworkError(f"cannot fetch {current}: {exc}") from None
        if check:
            raise_for_status(out.status, current)
        return out
    raise NetworkError(f"too many redirects from {url}")


def with_deadline(fn: Callable[..., Any], seconds: float | None) -> Callable[..., Any]:
    """``fn`` with every fetch of a call bounded by ``seconds`` (an MCP tool and its timeout)."""
    if not seconds:
        return fn

    @functools.wraps(fn)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        with deadline(seconds):
            return fn(*args, **kwargs)

    return bounded


def run_with_deadline(seconds: float | None, func: Callable[..., Any], *args: Any) -> Any:
    """Call ``func(*args)`` with every fetch inside it bounded by one outer deadline (web workers)."""
    with deadline(seconds):
        return func(*args)
