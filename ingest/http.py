"""The one place that fetches URLs (DESIGN rule 4): limits, redirects, SSRF guard, typed errors.

Redirects are followed by hand so every hop is checked against the address guard; a server-mode
caller (``allow_private=False``) can never be steered to 127.0.0.1, 10.x or 169.254.169.254 by a
redirect or a DNS answer.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__
from .errors import AuthRequired, BlockedAddress, LimitExceeded, NetworkError, SourceNotFound, UsageError
from .options import Options

USER_AGENT = f"llmingest/{__version__} (+https://pypi.org/project/llmingest/)"
DEFAULT_MAX_BYTES = 50_000_000
MAX_REDIRECTS = 10


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


def _is_public(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or ip in ipaddress.ip_network("100.64.0.0/10"))


def check_address(url: str, options: Options | None) -> None:
    """Refuse URLs that resolve to non-public addresses unless private addresses are allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"unsupported URL scheme {parts.scheme!r} in {url}")
    if options is None or options.allow_private:
        return
    host = parts.hostname or ""
    if host.lower() in {h.split(":")[0] for h in options.host_map}:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NetworkError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not _is_public(ip):
            raise BlockedAddress(f"refusing {host}: it resolves to a non-public address ({ip})",
                                 hint="private addresses are not fetched in server mode")


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
    """GET ``url`` with redirects checked hop by hop, a size cap and typed errors.

    ``check=False`` returns 4xx/5xx responses instead of raising (crawlers report and skip).
    """
    opts = options or Options()
    cap = (opts.extra or {}).get("max_page_bytes")  # a server's --max-page-size (llmingest serve)
    if cap:
        max_bytes = min(max_bytes, int(cap))
    own = client is None
    client = client or httpx.Client(timeout=opts.timeout, follow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})
    try:
        current = url
        seen: set[str] = set()
        for _ in range(MAX_REDIRECTS + 1):
            check_address(current, opts)
            if current in seen:
                raise NetworkError(f"redirect loop at {current}")
            seen.add(current)
            try:
                with client.stream("GET", current, headers=headers or {}) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        current = urljoin(current, resp.headers["location"])
                        continue
                    declared = int(resp.headers.get("content-length") or 0)
                    if declared > max_bytes:
                        raise LimitExceeded(f"{current} is {declared:,} bytes, over the {max_bytes:,}-byte limit")
                    chunks, size = [], 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise LimitExceeded(f"{current} is over the {max_bytes:,}-byte limit")
                        chunks.append(chunk)
                    out = Response(str(resp.url), resp.status_code, b"".join(chunks),
                                   {k.lower(): v for k, v in resp.headers.items()})
            except httpx.TimeoutException:
                raise NetworkError(f"timed out fetching {current} (after {opts.timeout:g}s)") from None
            except httpx.TransportError as exc:
                raise NetworkError(f"cannot fetch {current}: {exc}") from None
            if check:
                raise_for_status(out.status, current)
            return out
        raise NetworkError(f"too many redirects from {url}")
    finally:
        if own:
            client.close()
