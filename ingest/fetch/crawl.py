"""Crawl a docs site politely and deterministically: URLs in, fetched pages in reading order out.

Only this module and :mod:`llmingest.fetch.http` touch the network (DESIGN rule 4). Every hop of every
redirect goes through :func:`llmingest.fetch.http.check_address` (the SSRF guard) and must stay inside
the crawl's scope. The crawl is:

* **seeded** by the site's sitemap (``robots.txt`` ``Sitemap:`` lines, ``<prefix>/sitemap.xml``,
  ``/sitemap.xml``, sitemap indexes followed) when there is one, else by following ``<a href>``
  links that stay under the start URL's path prefix;
* **polite**: robots.txt honoured (also its ``Crawl-delay``), at most ``concurrency`` requests in
  flight and ``per_host`` per host, retries with backoff on 429 (``Retry-After``) and 5xx;
* **incremental**: every page body is kept on disk with its ETag / Last-Modified, so a re-run sends
  conditional requests (a 304 costs no body) and a crawl stopped with Ctrl-C resumes from what it
  already has;
* **deterministic**: links are followed level by level (breadth first) in page order, and the
  reading order is computed from the link graph at the end, never from which response came first.

It knows nothing about markdown: :mod:`llmingest.sources.site` converts what it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import functools
import hashlib
import json
import os
import re
import signal
import threading
import time
import urllib.robotparser
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from xml.etree import ElementTree

from llmingest.converters import document_suffixes
from llmingest.errors import (
    BlockedAddress,
    IngestError,
    LimitExceeded,
    NetworkError,
    SourceNotFound,
    UsageError,
)
from llmingest.model import Skipped
from llmingest.options import Options
from llmingest.progress import task
from llmingest.tokens import default_cache_dir

if TYPE_CHECKING:
    import httpx

# httpx and llmingest.fetch.http are imported where a request is made: a rebuild from a folder
# never loads them (a fifth of a warm run's start-up)

__all__ = [
    "FetchedPage",
    "CrawlResult",
    "crawl",
    "crawl_folder",
    "scope_of",
    "normalize",
    "extract",
    "find_published",
    "reading_order",
]

MAX_PAGE_BYTES = 20_000_000
MAX_SITEMAPS = 50
RETRIES = 3
MAX_RETRY_AFTER = 60.0  # seconds; a server asking for longer is reported, not waited for
ROBOTS_AGENT = "llmingest"
#: link targets worth fetching as pages; other files (images, archives, sources) are not pages
PAGE_SUFFIXES = {"", ".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".md", ".pdf",
                 *document_suffixes()}  # and every document format the converters read (.docx, .epub...)
HTML_TYPES = {"text/html", "application/xhtml+xml"}
MARKDOWN_TYPES = {"text/markdown", "text/x-markdown"}
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


#: the site builder's hook: a fetched HTML page in, its (links, title, site name, description) out
#: as its converter found them, or None when it has none (the crawl then parses the page itself)
PageFacts = Callable[["FetchedPage"], Awaitable["tuple | list | None"]]


def _md_links(body: bytes) -> list[str]:
    """Link targets of a markdown page (inline links; fenced code is rarely linked, so not skipped)."""
    return [m for m in _MD_LINK.findall(body.decode("utf-8", "replace")) if not m.startswith(("#", "mailto:"))]


@dataclass
class FetchedPage:
    """One fetched URL: where it was asked for, where it ended, what came back."""

    url: str  # final URL after redirects (normalized)
    requested: str
    status: int
    content: bytes
    content_type: str
    charset: str | None = None
    depth: int = 0
    from_cache: bool = False  # answered 304 (or read from the folder) and served from the cache
    links: list[str] = field(default_factory=list)  # normalized in-scope link targets, page order
    title: str | None = None  # the raw <title>
    site_name: str | None = None  # og:site_name / application-name
    description: str | None = None  # meta description
    digest: str | None = None  # SHA-256 of the body: what caches key on, known without reading it again
    path: str | None = None  # where the body lies on disk when it was not read (a 304, an unchanged file)

    def body(self) -> bytes:
        """The page's bytes, read now if the crawl proved it unchanged without reading it."""
        if not self.content and self.path:
            try:
                self.content = Path(self.path).read_bytes()
            except OSError:
                pass
        return self.content

    def body_digest(self) -> str:
        """:attr:`digest`, computed from the body when the page did not come with one."""
        if self.digest is None:
            self.digest = hashlib.sha256(self.body()).hexdigest()
        return self.digest


@dataclass
class CrawlResult:
    start: str
    scope: str  # the URL prefix every page lives under
    pages: list[FetchedPage]  # in reading order
    skipped: list[Skipped]
    sitemap: str | None = None  # the sitemap that seeded the crawl, if any
    published: dict[str, str] = field(default_factory=dict)  # "llms.txt"/"llms-full.txt" -> URL
    interrupted: bool = False
    requests: int = 0
    not_modified: int = 0
    fresh: int = 0  # pages reused unasked: their Cache-Control max-age (or Expires) still held


# ---------------------------------------------------------------------------------------------
# URLs


@functools.lru_cache(maxsize=1 << 16)
def normalize(url: str) -> str:
    """Canonical form used as identity: no fragment, lower-case scheme/host, no default port.

    Cached: a docs site links the same few hundred pages from every page (23,000 links for
    python3-doc's 526 pages), and this was a tenth of a cold build's main process."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def scope_of(start: str) -> str:
    """The URL prefix a crawl stays under: the start URL's folder.

    >>> scope_of("https://d.test/docs/index.html"), scope_of("https://d.test/docs/v2")
    ('https://d.test/docs/', 'https://d.test/docs/v2/')
    """
    parts = urlsplit(normalize(start))
    path = parts.path
    if not path.endswith("/"):
        last = path.rsplit("/", 1)[-1]
        path = path.rsplit("/", 1)[0] + "/" if "." in last else path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def in_scope(url: str, scope: str) -> bool:
    u, s = urlsplit(url), urlsplit(scope)
    if u.netloc != s.netloc or u.scheme not in ("http", "https"):
        return False
    return u.path.startswith(s.path) or u.path + "/" == s.path


def relative(url: str, scope: str) -> str:
    """The URL's path below the scope (``guide/install.html``; ``""`` for the scope itself)."""
    path = urlsplit(url).path
    base = urlsplit(scope).path
    rel = path[len(base):] if path.startswith(base) else path.lstrip("/")
    query = urlsplit(url).query
    return unquote(rel) + (f"?{query}" if query else "")


def _looks_like_page(url: str) -> bool:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    suffix = ("." + last.rsplit(".", 1)[-1].lower()) if "." in last else ""
    return suffix in PAGE_SUFFIXES


def _glob_ok(url: str, scope: str, include: list[str], exclude: list[str]) -> bool:
    """Include/exclude globs match either the full URL or the path below the scope."""
    candidates = (url, relative(url, scope), urlsplit(url).path)

    def hit(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(c, p) for p in patterns for c in candidates)

    if include and not hit(include):
        return False
    return not (exclude and hit(exclude))


# ---------------------------------------------------------------------------------------------
# HTML facts (links, title) without converting


def extract(data: bytes, url: str, charset: str | None = None) -> tuple[list[str], str | None, str | None, str | None]:
    """(absolute link targets in page order, <title>, site name, meta description) of an HTML page.

    The crawl's own parse, for pages the site builder's converter did not read (see ``page_facts``
    of :func:`crawl`) and for a folder's pages; the facts are :func:`llmingest.converters.html_links.crawl_facts`,
    the same function the converter applies to its tree. Malformed HTML yields what lxml can
    recover; nothing here raises.
    """
    import lxml.html
    from llmingest.converters.html_links import crawl_facts

    try:
        parser = lxml.html.HTMLParser(encoding=charset) if charset else None
        root = lxml.html.document_fromstring(data, parser=parser)
    except Exception:  # lxml raises ValueError, ParserError, XMLSyntaxError, LookupError on junk
        return [], None, None, None
    return crawl_facts(root, url)


# ---------------------------------------------------------------------------------------------
# the conditional-request cache


class HttpCache:
    """Bodies and validators (ETag, Last-Modified) per URL, one JSON + one body file each.

    A class because it holds a directory and a switch. Writes are atomic (temp + rename), so a
    crawl killed mid-write never leaves a half entry; a corrupt entry is a miss.
    """

    def __init__(self, directory: Path | None, enabled: bool = True) -> None:
        self.enabled = enabled and directory is not None
        self.dir = directory
        self._meta: dict[str, dict | None] = {}  # read once per crawl: validators, then the 304

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        assert self.dir is not None
        sub = self.dir / key[:2]
        return sub / f"{key}.json", sub / f"{key}.body"

    def validators(self, url: str) -> dict[str, str]:
        meta = self.meta(url)
        if not meta:
            return {}
        out = {}
        if meta.get("etag"):
            out["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            out["If-Modified-Since"] = meta["last_modified"]
        return out

    def meta(self, url: str) -> dict | None:
        if not self.enabled:
            return None
        if url in self._meta:
            return self._meta[url]
        self._meta[url] = found = self._read_meta(url)
        return found

    def _read_meta(self, url: str) -> dict | None:
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return meta if body_path.exists() else None

    def body(self, url: str) -> bytes | None:
        try:
            return self._paths(url)[1].read_bytes()
        except OSError:
            return None

    def stored(self, url: str) -> tuple[str, str] | None:
        """(SHA-256 of the kept body, its file) when the entry recorded the hash: a 304 then costs
        no read of the body (it is read only if the page must be converted again)."""
        meta = self.meta(url) or {}
        digest = meta.get("sha256")
        if not isinstance(digest, str) or len(digest) != 64:
            return None
        return digest, str(self._paths(url)[1])

    def put(self, url: str, headers: dict[str, str], body: bytes, digest: str | None = None,
            variant: str = "") -> None:
        """Keep ``body`` and its validators; ``digest``: its SHA-256 when the caller has it already;
        ``variant``: a key of the request headers that shaped the answer (see :meth:`fresh`)."""
        self._meta.pop(url, None)
        if not self.enabled or not (headers.get("etag") or headers.get("last-modified")):
            return
        meta = {"url": url, "etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
                "content_type": headers.get("content-type", ""), "sha256": digest or hashlib.sha256(body).hexdigest()}
        until = fresh_until(headers)
        if until is not None:
            meta.update(fresh_until=until, variant=variant)
        meta_path, body_path = self._paths(url)
        try:
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            self._write(body_path, body)
            self._write(meta_path, json.dumps(meta).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def fresh(self, url: str, variant: str) -> bool:
        """Whether the kept answer is still fresh: the server's ``Cache-Control: max-age`` (or
        ``Expires``) has not run out since it was given, for a request with the same headers
        (``variant``: a ``Vary`` on Accept or a login header must not mix answers). A fresh page is
        used without asking the server, as any HTTP cache does; ``--refresh`` asks anyway."""
        meta = self.meta(url)
        until = meta.get("fresh_until") if meta else None
        return isinstance(until, (int, float)) and time.time() < until and meta.get("variant") == variant

    def renew(self, url: str, headers: dict[str, str], variant: str) -> None:
        """A 304 that carries ``Cache-Control``/``Expires`` renews the kept answer's freshness (RFC
        9111 4.3.4: its headers update the stored ones); one without them changes nothing on disk."""
        until = fresh_until(headers)
        meta = self.meta(url)
        if until is None or not meta or not self.enabled:
            return
        meta = {**meta, "fresh_until": until, "variant": variant}
        self._meta[url] = meta
        try:
            self._write(self._paths(url)[0], json.dumps(meta).encode("utf-8"))
        except OSError:
            pass


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.I)
_NO_REUSE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\b", re.I)
MAX_FRESH = 7 * 86400.0  # seconds: a year-long max-age on a docs page is not trusted past a week


def fresh_until(headers: dict[str, str], now: float | None = None) -> float | None:
    """Until when (epoch seconds) an answer with these (lower-cased) headers may be reused unasked.

    What a private HTTP cache may do (RFC 9111 4.2): ``Cache-Control: max-age`` first (``s-maxage``
    is for shared caches), else ``Expires`` minus ``Date``; the ``Age`` it already had is taken
    off. ``no-cache``, ``no-store`` and ``Vary: *`` mean no freshness; so does an answer that states
    none (no heuristic freshness: a docs rebuild must see a change the server did not promise away).

    >>> fresh_until({"cache-control": "public, max-age=600", "age": "100"}, now=1000.0)
    1500.0
    >>> fresh_until({"cache-control": "no-cache, max-age=600"}, now=1000.0) is None
    True
    """
    now = time.time() if now is None else now
    cc = headers.get("cache-control", "")
    if _NO_REUSE.search(cc) or headers.get("vary", "").strip() == "*":
        return None
    m = _MAX_AGE.search(cc)
    if m:
        lifetime = float(m.group(1))
    elif headers.get("expires"):
        try:
            expires = parsedate_to_datetime(headers["expires"]).timestamp()
            date = parsedate_to_datetime(headers["date"]).timestamp() if headers.get("date") else now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None  # "Expires: 0" and other junk: already expired
        lifetime = expires - date
    else:
        return None
    try:
        age = float(headers.get("age", "0") or 0)
    except ValueError:
        age = 0.0
    lifetime = min(lifetime, MAX_FRESH) - max(age, 0.0)
    return now + lifetime if lifetime > 0 else None


def _cache_dir(options: Options) -> Path:
    return (options.cache_dir or default_cache_dir()) / "http"


class _JsonMap:
    """A JSON map kept in the cache folder across runs: loaded once, rewritten (atomically, only if
    it changed) with just the entries this run used, so entries for what is gone drop out. The
    base of :class:`FactsCache` and :class:`StatIndex`; losing the file only makes a run slower."""

    def __init__(self, directory: Path | None, folder: str, name: str, enabled: bool, *,
                 errors: str = "replace", ascii_only: bool = False) -> None:
        self.enabled = enabled and directory is not None
        digest = hashlib.sha256(name.encode("utf-8", errors)).hexdigest()[:24]
        self.path = directory / folder / f"{digest}.json" if directory is not None else None
        self._ascii = ascii_only
        self._old: dict[str, list] = {}
        self._new: dict[str, list] = {}
        if self.enabled:
            try:
                loaded = json.loads(self.path.read_text("utf-8"))
                self._old = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._old = {}

    def save(self) -> None:
        if not self.enabled or self._new == self._old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._new, separators=(",", ":"), ensure_ascii=self._ascii), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # only a slower next run


class FactsCache(_JsonMap):
    """Each page's links, title, site name and description, kept by (body hash, URL, charset).

    A re-run over an unchanged site gets its pages from 304s (or an unchanged folder) and would
    re-parse every one with lxml only to find these facts again: that was a third of a warm run.
    The body hash is the validator (it holds whatever ETag or Last-Modified promised, and works for
    folders and servers that send neither). One JSON map per crawl scope, loaded once, so a known
    page costs a dictionary lookup; it is rewritten with only what this crawl used, so a page
    gone from the site leaves it (bounded by the site's size). A class: a loaded map and a switch.
    """

    def __init__(self, directory: Path | None, scope: str, enabled: bool = True) -> None:
        super().__init__(directory, "facts", scope, enabled)

    @staticmethod
    def key(digest: str, url: str, charset: str | None) -> str:
        """Of the body's SHA-256 (:attr:`FetchedPage.digest`), so a page proven unchanged by its
        validators or its file's stat is looked up without reading or hashing its body."""
        h = hashlib.sha1(digest.encode("ascii"), usedforsecurity=False)
        h.update(b"\0" + url.encode("utf-8", "surrogatepass") + b"\0" + (charset or "").encode("ascii", "replace"))
        return h.hexdigest()

    def get(self, key: str) -> list | None:
        value = self._new.get(key) or self._old.get(key)
        if not (isinstance(value, list) and len(value) == 4 and isinstance(value[0], list)):
            return None
        self._new[key] = value
        return value

    def put(self, key: str, value: list) -> None:
        self._new[key] = value



class StatIndex(_JsonMap):
    """Each file of a built-HTML folder's (size, mtime, inode, ctime) and the SHA-256 of its bytes.

    What a 304 is to a server, an unchanged ``stat`` is to a folder: a re-run over the same
    ``_build/html`` then reads and hashes no page (50 MB for python3-doc) unless one must be
    converted again. Any change to the file (a rewrite, a touch, a copy) changes one of the four;
    a file modified within the last ``RACY`` seconds is not recorded (it may change again within
    the clock's tick, like git's racy-index rule). One JSON map per folder and base URL, rewritten
    with only this run's files. A class: a loaded map and a switch.
    """

    RACY = 2.0

    def __init__(self, directory: Path | None, name: str, enabled: bool = True) -> None:
        super().__init__(directory, "stat", name, enabled, errors="surrogatepass", ascii_only=True)
        self._now = time.time()

    @staticmethod
    def _sig(st: os.stat_result) -> list[int]:
        return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]

    def get(self, rel: str, st: os.stat_result) -> str | None:
        """The file's SHA-256 if its stat is the one recorded with it, else None (read it)."""
        entry = self._old.get(rel)
        if not (isinstance(entry, list) and len(entry) == 5 and entry[:4] == self._sig(st)):
            return None
        self._new[rel] = entry
        return entry[4] if isinstance(entry[4], str) else None

    def put(self, rel: str, st: os.stat_result, digest: str) -> None:
        if self._now - st.st_mtime >= self.RACY:
            self._new[rel] = [*self._sig(st), digest]


# ---------------------------------------------------------------------------------------------
# fetching


class _Skip(Exception):
    """A page-level failure: becomes a Skipped entry, never stops the crawl."""

    def __init__(self, message: str, *, transport: bool = False) -> None:
        super().__init__(message)
        self.transport = transport  # the host could not be reached at all


@dataclass
class _Host:
    sem: asyncio.Semaphore
    delay: float = 0.0
    next_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class _Fetcher:
    """Shared state of one crawl: client, limits, hosts, cache, counters (real state, so a class)."""

    def __init__(self, options: Options, scope: str, client: httpx.AsyncClient) -> None:
        self.options = options
        self.scope = scope
        self.client = client
        self.sem = asyncio.Semaphore(max(1, options.concurrency))
        self.hosts: dict[str, _Host] = {}
        self.cache = HttpCache(_cache_dir(options), options.cache)
        from llmingest.fetch.http import page_cap

        self.max_bytes = page_cap(options, MAX_PAGE_BYTES)  # --max-page-size of `site` and of `serve`
        self.requests = 0
        self.not_modified = 0
        self.fresh = 0  # pages answered from the cache unasked (their Cache-Control max-age holds)
        self._variants: dict[str, str] = {}
        self.unread: dict[str, tuple[str, str]] = {}  # URL answered 304 -> (body SHA-256, body file)
        self.digests: dict[str, str] = {}  # URL fetched -> its body's SHA-256

    def host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc
        if netloc not in self.hosts:
            self.hosts[netloc] = _Host(asyncio.Semaphore(max(1, self.options.per_host)))
        return self.hosts[netloc]

    async def _guard(self, url: str) -> None:
        from llmingest.fetch.http import check_address

        if self.options.allow_private:
            check_address(url, self.options)  # scheme check only; no DNS
        else:
            await asyncio.to_thread(check_address, url, self.options)

    async def _once(self, url: str, headers: dict[str, str], max_bytes: int) -> tuple[int, dict[str, str], bytes]:
        from llmingest.fetch.http import ACCEPT_MARKDOWN, aread_body, astream, deadline, login_headers

        host = self.host(url)
        async with self.sem, host.sem:
            if host.delay:
                async with host.lock:
                    wait = host.next_at - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    host.next_at = time.monotonic() + host.delay
            self.requests += 1
            # markdown first (a site that negotiates answers text/markdown), and the user's login
            # headers for the crawled site only (redirects never leave the scope)
            headers = {**login_headers(self.options, url, self.scope), **headers}
            if self.options.prefer_markdown:
                headers.setdefault("Accept", ACCEPT_MARKDOWN)
            # one deadline for the whole attempt (connect, headers, body): a dripping server is cut
            with deadline(self.options.timeout):
                async with astream(self.client, url, headers) as resp:
                    hdrs = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.is_redirect or resp.status_code == 304 or resp.status_code >= 400:
                        await _drain(resp)
                        return resp.status_code, hdrs, b""
                    # decoded while streaming, capped by bytes and compression ratio
                    return resp.status_code, hdrs, await aread_body(resp, url, max_bytes)

    async def request(self, url: str, headers: dict[str, str] | None = None, max_bytes: int | None = None,
                      retries: int | None = None) -> tuple[int, dict[str, str], bytes]:
        """One GET with retries on 429/5xx/transport errors; 4xx are returned, not raised."""
        import httpx

        max_bytes = max_bytes or self.max_bytes
        delay = float(self.options.crawl.backoff)
        if retries is None:
            retries = RETRIES if self.options.crawl.retries is None else int(self.options.crawl.retries)
        for attempt in range(retries + 1):
            try:
                status, hdrs, body = await self._once(url, headers or {}, max_bytes)
            except httpx.TimeoutException:
                if attempt == retries:
                    raise _Skip(f"timed out after {self.options.timeout:g}s ({attempt + 1} tries)",
                                transport=True) from None
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise _Skip(f"cannot fetch: {exc or type(exc).__name__}", transport=True) from None
            else:
                if status != 429 and status < 500:
                    return status, hdrs, body
                if attempt == retries:
                    return status, hdrs, body
                if status == 429 or status == 503:
                    wait = _retry_after(hdrs.get("retry-after"))
                    if wait is not None and wait > MAX_RETRY_AFTER:
                        raise _Skip(f"rate limited: the server asks to wait {wait:.0f}s")
                    if wait is not None:
                        await asyncio.sleep(wait)
                        continue
            await asyncio.sleep(delay)
            delay *= 2
        raise _Skip("gave up after retries")  # not reached

    async def get(self, url: str, *, conditional: bool = True) -> tuple[str, int, dict[str, str], bytes, bool]:
        """GET following redirects by hand (guard + scope on every hop) and using the cache.

        ``conditional=False`` is for robots.txt, sitemaps and llms.txt probes: no cache, no retries.
        Returns (final URL, status, headers, body, from_cache).
        """
        from llmingest.fetch.http import MAX_REDIRECTS

        retries = None if conditional else 0
        current = url
        seen: set[str] = set()
        for _hop in range(MAX_REDIRECTS + 1):
            if current in seen:
                raise _Skip(f"redirect loop at {current}")
            seen.add(current)
            await self._guard(current)
            if conditional and not self.options.crawl.refresh and self.cache.fresh(current, self.variant(current)):
                found = self._kept(current, {})  # fresh: the server said it would not change yet
                if found is not None:
                    self.fresh += 1
                    return found
            validators = self.cache.validators(current) if conditional else {}
            status, hdrs, body = await self.request(current, validators, retries=retries)
            if status in (301, 302, 303, 307, 308) and hdrs.get("location"):
                target = normalize(urljoin(current, hdrs["location"]))
                if not in_scope(target, self.scope):
                    raise _Skip(f"redirects out of scope to {target}")
                current = target
                continue
            if status == 304 and validators:
                found = self._kept(current, hdrs)
                if found is not None:
                    self.not_modified += 1
                    self.cache.renew(current, hdrs, self.variant(current))
                    return found
                status, hdrs, body = await self.request(current, {})
            if 200 <= status < 300 and conditional:
                digest = hashlib.sha256(body).hexdigest()
                self.digests[current] = digest  # hashed once: every cache keys on it
                self.cache.put(current, hdrs, body, digest, self.variant(current))
            return current, status, hdrs, body, False
        raise _Skip(f"more than {MAX_REDIRECTS} redirects")

    def _kept(self, url: str, hdrs: dict[str, str]) -> tuple[str, int, dict[str, str], bytes, bool] | None:
        """The cached answer for ``url`` as a 200 (after a 304, or while fresh); None if it is gone."""
        meta = self.cache.meta(url) or {}
        stored = self.cache.stored(url)
        if stored is not None and os.path.isfile(stored[1]):  # unchanged: read only if converted again
            self.unread[url] = stored
            hdrs.setdefault("content-type", meta.get("content_type", ""))
            return url, 200, hdrs, b"", True
        cached = self.cache.body(url)
        if cached is not None:
            hdrs.setdefault("content-type", meta.get("content_type", ""))
            return url, 200, hdrs, cached, True
        return None

    def variant(self, url: str) -> str:
        """A key of the request headers that can change the answer (Accept, the user's login
        headers): a kept answer is reused unasked only for the same ones. Hashed, never stored raw."""
        from llmingest.fetch.http import ACCEPT_MARKDOWN, login_headers

        netloc = urlsplit(url).netloc  # login headers go by host: one key per host
        if netloc not in self._variants:
            sent = sorted(login_headers(self.options, url, self.scope).items())
            accept = ACCEPT_MARKDOWN if self.options.prefer_markdown else ""
            key = json.dumps([accept, sent]).encode("utf-8", "surrogatepass")
            self._variants[netloc] = hashlib.sha256(key).hexdigest()[:32]
        return self._variants[netloc]


DRAIN_BYTES = 65536


async def _drain(resp: httpx.Response) -> None:
    """Read the (empty or short) body of an answer whose body is not wanted, so its kept-alive
    connection goes back to the pool: httpcore closes a connection whose response was not read
    to its end, and a 304 unread cost every revalidation a new connection (and TLS handshake).
    A long error page is not read: its connection is closed instead."""
    if resp.status_code != 304 and int(resp.headers.get("content-length") or DRAIN_BYTES + 1) > DRAIN_BYTES:
        return
    seen = 0
    async for chunk in resp.aiter_raw():
        seen += len(chunk)
        if seen > DRAIN_BYTES:
            return


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _content_type(hdrs: dict[str, str]) -> tuple[str, str | None]:
    raw = hdrs.get("content-type", "")
    ctype = raw.split(";")[0].strip().lower()
    charset = None
    for part in raw.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return ctype, charset


def _status_reason(status: int) -> str:
    if status in (404, 410):
        return f"HTTP {status} (not found)"
    if status in (401, 403):
        return f"HTTP {status} (needs credentials)"
    if status == 429:
        return "HTTP 429 (rate limited, still after retries)"
    if status >= 500:
        return f"HTTP {status} (server error, still after retries)"
    return f"HTTP {status}"


# ---------------------------------------------------------------------------------------------
# robots, sitemaps, published llms.txt


async def _robots(fetcher: _Fetcher, root: str) -> urllib.robotparser.RobotFileParser | None:
    try:
        _, status, _, body, _ = await fetcher.get(root + "/robots.txt", conditional=False)
    except _Skip as exc:
        if exc.transport:  # nothing answers there: fail now, not after every probe's timeout
            raise NetworkError(f"{root}: {exc}") from None
        return None
    except IngestError:
        return None
    if status != 200:
        return None
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(body.decode("utf-8", "replace").splitlines())
    return rp


def _sitemap_locs(data: bytes, url: str = "sitemap", max_bytes: int = MAX_PAGE_BYTES) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index; junk yields nothing.

    A ``.gz`` sitemap is inflated with the body caps (bytes and ratio): a 1 MB file can inflate to
    1 GiB. Over the cap raises LimitExceeded (the caller reports it as a skip).
    """
    if data[:2] == b"\x1f\x8b":
        from llmingest.fetch.http import gunzip

        try:
            data = gunzip(data, max_bytes, url)
        except NetworkError:
            return [], []
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return [], []
    tag = root.tag.rsplit("}", 1)[-1]
    locs = [(el.text or "").strip() for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "loc"]
    locs = [loc for loc in locs if loc]
    return ([], locs) if tag == "sitemapindex" else (locs, [])


async def _sitemap(fetcher: _Fetcher, candidates: list[str], accept,
                   skipped: dict[str, Skipped] | None = None) -> tuple[str | None, list[str]]:
    for first in candidates:
        queue, pages, fetched = [first], [], 0
        while queue and fetched < MAX_SITEMAPS:
            url = queue.pop(0)
            fetched += 1
            try:
                _, status, _, body, _ = await fetcher.get(url, conditional=False)
                if status != 200:
                    continue
                locs, children = _sitemap_locs(body, url, fetcher.max_bytes)
            except LimitExceeded as exc:  # a sitemap (or gzip bomb) over the page limit: say so
                if skipped is not None:
                    skipped.setdefault(url, Skipped(url, f"sitemap skipped: {exc}"))
                continue
            except (_Skip, IngestError):
                continue
            pages += [normalize(u) for u in locs]
            queue += [normalize(u) for u in children if urlsplit(u).netloc == urlsplit(first).netloc]
        kept = [u for u in dict.fromkeys(pages) if accept(u)]
        if kept:
            return first, kept
    return None, []


async def _published(fetcher: _Fetcher, scope: str) -> dict[str, str]:
    parts = urlsplit(scope)
    root = f"{parts.scheme}://{parts.netloc}/"
    found: dict[str, str] = {}
    for name in ("llms.txt", "llms-full.txt"):
        for base in dict.fromkeys([scope, root]):
            url = base + name
            try:
                final, status, hdrs, body, _ = await fetcher.get(url, conditional=False)
            except _Skip as exc:
                if exc.transport:
                    return found  # the host does not answer; the crawl reports it
                continue
            except IngestError:
                continue
            ctype, _ = _content_type(hdrs)
            if status == 200 and ctype not in HTML_TYPES and body.lstrip()[:2] == b"# ":
                found[name] = final
                break
    return found


def find_published(start: str, options: Options | None = None) -> dict[str, str]:
    """Which of ``llms.txt`` / ``llms-full.txt`` the site already publishes (name -> URL)."""
    opts = options or Options()
    scope = scope_of(start)

    async def run() -> dict[str, str]:
        async with _client(opts) as client:
            return await _published(_Fetcher(opts, scope, client), scope)

    return asyncio.run(run())


# ---------------------------------------------------------------------------------------------
# the crawl


def _client(options: Options) -> httpx.AsyncClient:
    import httpx
    from llmingest.fetch.http import make_async_client

    limits = httpx.Limits(max_connections=max(1, options.concurrency), max_keepalive_connections=max(1, options.concurrency))
    return make_async_client(options, limits=limits)  # pinned addresses, deadlines, bounded decoding


@dataclass
class _State:
    """What the crawl has so far; survives a Ctrl-C so the caller can keep it."""

    pages: dict[str, FetchedPage] = field(default_factory=dict)  # by final URL, first writer wins
    skipped: dict[str, Skipped] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # requested -> final
    order: list[str] = field(default_factory=list)  # final URLs in scheduling order
    sitemap: str | None = None
    published: dict[str, str] = field(default_factory=dict)


_RENDERING = threading.BoundedSemaphore(2)  # headless Chromiums at once (each is a few hundred MB)


async def _render(url: str, options: Options) -> bytes:
    """``url`` loaded in headless Chromium (:mod:`llmingest.fetch.browser`, same guards), off the event loop."""
    from llmingest.fetch.browser import render_page

    def run() -> bytes:
        with _RENDERING:
            return render_page(url, options).html

    return await asyncio.to_thread(run)


async def _crawl(start: str, options: Options, state: _State, on_page: Callable[[FetchedPage], None] | None,
                 page_facts: PageFacts | None = None) -> _Fetcher:
    scope = scope_of(start)
    parts = urlsplit(scope)
    root = f"{parts.scheme}://{parts.netloc}"
    async with _client(options) as client:
        fetcher = _Fetcher(options, scope, client)
        facts = FactsCache(_cache_dir(options), scope, options.cache)
        await fetcher._guard(start)
        robots = await _robots(fetcher, root) if options.respect_robots else None
        if robots is not None:
            delay = robots.crawl_delay(ROBOTS_AGENT)
            if delay:
                fetcher.host(scope).delay = min(float(delay), 30.0)

        def allowed(url: str) -> str | None:
            """None when the URL may be crawled, else why not (only robots is worth reporting)."""
            if not in_scope(url, scope):
                return "out of scope"
            if url != start and not _glob_ok(url, scope, options.include, options.exclude):
                return "excluded"
            if robots is not None and not robots.can_fetch(ROBOTS_AGENT, url):
                return "disallowed by robots.txt"
            return None

        state.published = await _published(fetcher, scope)
        candidates = [normalize(u) for u in (robots.site_maps() or [] if robots else [])
                      if urlsplit(u).netloc == parts.netloc]
        candidates += [scope + "sitemap.xml", root + "/sitemap.xml"]
        state.sitemap, seeds = await _sitemap(fetcher, list(dict.fromkeys(candidates)), lambda u: allowed(u) is None,
                                              state.skipped)
        follow_links = state.sitemap is None
        frontier: list[tuple[str, int]] = [(start, 0)] + [(u, 1) for u in seeds if u != start]
        pages_of: dict[str, str | None] = {}

        def page_link(link: str) -> str | None:
            """The link normalized if it is a page of the site, else None; memoized (a docs site
            links the same few hundred pages from every page: 23,000 links for python3-doc)."""
            if link not in pages_of:
                n = normalize(link)
                pages_of[link] = n if in_scope(n, scope) and _looks_like_page(n) else None
            return pages_of[link]
        seen = {u for u, _ in frontier}
        limit = options.max_pages

        async def one(url: str, depth: int) -> FetchedPage | None:
            why = allowed(url)
            if why == "disallowed by robots.txt":
                state.skipped.setdefault(url, Skipped(url, why))
                return None
            if why is not None and url != start:
                return None
            try:
                final, status, hdrs, body, cached = await fetcher.get(url)
            except _Skip as exc:
                state.skipped.setdefault(url, Skipped(url, str(exc)))
                return None
            except LimitExceeded as exc:
                state.skipped.setdefault(url, Skipped(url, str(exc)))
                return None
            except (BlockedAddress, NetworkError, UsageError, SourceNotFound) as exc:
                state.skipped.setdefault(url, Skipped(url, exc.render()))
                return None
            digest = fetcher.digests.pop(final, None)
            if final != url:
                state.redirects[url] = final
            if not 200 <= status < 300:
                state.skipped.setdefault(url, Skipped(url, _status_reason(status)))
                return None
            ctype, charset = _content_type(hdrs)
            if options.render and ctype in HTML_TYPES:  # site --render: the page after its scripts ran
                try:
                    body, charset, digest = await _render(final, options), "utf-8", None
                except IngestError as exc:
                    state.skipped.setdefault(url, Skipped(url, f"not rendered: {exc.render()}"))
                    return None
            page = FetchedPage(final, url, status, body, ctype, charset, depth, cached)
            if cached and not body and final in fetcher.unread:  # a 304: the body is read only if needed
                page.digest, page.path = fetcher.unread.pop(final)
            else:
                page.digest = digest
            if final in state.pages:
                state.skipped.setdefault(url, Skipped(url, f"duplicate of {final} (redirect)"))
                return None
            state.pages[final] = page
            state.order.append(final)
            data = page.content  # on_page may drop it (a page converted already)
            if on_page is not None:
                on_page(page)  # conversion starts now; its parse may bring the facts below
            if ctype in MARKDOWN_TYPES:  # a negotiated markdown answer: follow its markdown links
                page.links = [n for n in dict.fromkeys(normalize(urljoin(final, m)) for m in _md_links(data or page.body()))
                              if in_scope(n, scope) and _looks_like_page(n)]
            elif ctype in HTML_TYPES or (not ctype and _looks_like_page(final)):
                key = facts.key(page.body_digest(), final, charset)
                known = facts.get(key)
                if known is None:  # a page not seen before (or changed): its converter's facts, else parse it
                    raw = await page_facts(page) if page_facts is not None else None
                    links, title, site_name, desc = raw if raw is not None else extract(data or page.body(), final, charset)
                    links = list(dict.fromkeys(n for n in map(page_link, links) if n is not None))
                    facts.put(key, known := [links, title, site_name, desc])
                page.links, page.title, page.site_name, page.description = list(known[0]), *known[1:]
            bar.advance(1, total=len(seen) if not follow_links else None)
            return page

        with task(options, f"crawling {scope}", None) as bar:
            while frontier:
                if limit is not None:
                    room = limit - len(state.pages)
                    if room <= 0:
                        break
                    batch, rest = frontier[:room], frontier[room:]
                else:
                    batch, rest = frontier, []
                results = await asyncio.gather(*(one(u, d) for u, d in batch))
                nxt: list[tuple[str, int]] = []
                if follow_links:
                    for (_, d), page in zip(batch, results, strict=True):
                        if page is None or (options.depth is not None and d >= options.depth):
                            continue
                        seen.add(page.url)
                        for link in page.links:
                            if link not in seen and allowed(link) != "out of scope":
                                seen.add(link)
                                nxt.append((link, d + 1))
                frontier = rest + nxt
        facts.save()
        return fetcher


def reading_order(start: str, pages: dict[str, FetchedPage], redirects: dict[str, str], fallback: Iterable[str]) -> list[FetchedPage]:
    """Breadth first over the link graph from the start page, links in page order; then the rest.

    Depends only on the pages' content, so concurrent fetching cannot change it.
    """
    def resolve(u: str) -> str:
        return redirects.get(u, u)

    out: list[str] = []
    placed: set[str] = set()
    first = resolve(start)
    queue = [first] if first in pages else []
    placed.update(queue)
    while queue:
        url = queue.pop(0)
        out.append(url)
        for link in pages[url].links:
            target = resolve(link)
            if target in pages and target not in placed:
                placed.add(target)
                queue.append(target)
    for url in fallback:
        url = resolve(url)
        if url in pages and url not in placed:
            placed.add(url)
            out.append(url)
    return [pages[u] for u in out]


@contextlib.contextmanager
def _sigint_noted():
    """Ctrl-C raises KeyboardInterrupt as usual, and is also noted in the yielded list.

    asyncio.run (3.11+) turns Ctrl-C into a cancellation of the main task, and a task that
    swallows it (an await in a cleanup path, a library's cancel scope) then finishes normally: the
    crawl would wait for the slowest request and report no interruption. A handler of our own keeps
    the plain KeyboardInterrupt, and the note catches the case where it was swallowed anyway.
    Signals can only be handled on the main thread; elsewhere (the MCP server, the web service)
    nothing changes.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def note(signum, frame):
        received.append(signum)
        signal.default_int_handler(signum, frame)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


def crawl(start: str, options: Options | None = None, *, on_page: Callable[[FetchedPage], None] | None = None,
          page_facts: PageFacts | None = None) -> CrawlResult:
    """Crawl the site at ``start``; pages in reading order, failures as Skipped entries.

    ``on_page`` is called with each page as soon as it is fetched (the site converter starts
    converting while the crawl goes on). ``page_facts`` (the site converter's) is awaited for an
    HTML page the facts cache does not know: its links, title, site name and description as the
    converter read them off its own parse (:func:`llmingest.converters.html_links.crawl_facts`), so
    the page is not parsed twice; None from it (or no ``page_facts``) and the crawl parses the page. A Ctrl-C stops the crawl and returns what was fetched so far with ``interrupted=True``
    (everything fetched is also in the on-disk cache, so the next run resumes cheaply).
    """
    opts = options or Options()
    start = normalize(start)
    if urlsplit(start).scheme not in ("http", "https"):
        raise UsageError(f"not an http(s) URL: {start}")
    state = _State()
    interrupted = False
    fetcher: _Fetcher | None = None
    holder: list[_Fetcher] = []

    async def main() -> None:
        holder.append(await _crawl(start, opts, state, on_page, page_facts))

    with _sigint_noted() as received:
        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            interrupted = True
    interrupted = interrupted or bool(received)
    fetcher = holder[0] if holder else None
    if not state.pages:
        if interrupted:
            raise KeyboardInterrupt
        reason = state.skipped.get(start).reason if start in state.skipped else "no pages"
        raise _whole_site_error(start, reason)
    pages = reading_order(start, state.pages, state.redirects, state.order)
    skipped = sorted(state.skipped.values(), key=lambda s: s.path)
    return CrawlResult(start, scope_of(start), pages, skipped, state.sitemap, state.published, interrupted,
                       fetcher.requests if fetcher else 0, fetcher.not_modified if fetcher else 0,
                       fetcher.fresh if fetcher else 0)


def _whole_site_error(start: str, reason: str) -> IngestError:
    if "not found" in reason:
        return SourceNotFound(f"{start}: {reason}")
    if "robots" in reason:
        return UsageError(f"{start} is {reason}", hint="pass --no-robots if you own the site")
    return NetworkError(f"{start}: {reason}")


# ---------------------------------------------------------------------------------------------
# a local folder of built HTML

#: error pages generators write next to the docs (MkDocs, Docusaurus, Jekyll): not content
_FOLDER_SKIP_FILES = {"404.html", "404.htm", "500.html"}
_FOLDER_SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "_modules", "assets", "static", "node_modules"}


def crawl_folder(root: Path, base_url: str, options: Options | None = None, *,
                 on_page: Callable[[FetchedPage], None] | None = None,
                 page_facts: Callable[[FetchedPage], tuple | list | None] | None = None) -> CrawlResult:
    """A built site on disk (Sphinx ``_build/html``, MkDocs ``site/``) read as if served at ``base_url``.

    Every ``*.html`` file is a page (``_static``-like folders and dot-folders left out); the reading
    order comes from the links, starting at ``index.html``. ``on_page`` and ``page_facts`` are the
    site builder's, as for :func:`crawl`: a page the facts cache does not know is handed to
    ``on_page`` (its conversion starts) and, once every file is read, its facts are taken from
    ``page_facts`` (blocking), so no page is parsed twice; without them (or on None) it is parsed here.
    """
    from llmingest.fetch.walk import unreadable_reason  # here: a crawl over HTTP never loads the walker

    opts = options or Options()
    root = Path(root)
    if not root.is_dir():
        raise SourceNotFound(f"no such folder: {root}")
    scope = scope_of(base_url if base_url.endswith("/") else base_url + "/")
    files: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _FOLDER_SKIP_DIRS)
        for name in sorted(filenames):
            if name.lower().endswith((".html", ".htm", ".xhtml")) and name.lower() not in _FOLDER_SKIP_FILES:
                path = Path(dirpath) / name
                rel = path.relative_to(root).as_posix()
                files.append((rel, path))
    files.sort()
    pages: dict[str, FetchedPage] = {}
    skipped: list[Skipped] = []
    order: list[str] = []
    facts = FactsCache(_cache_dir(opts), "folder:" + scope, opts.cache)
    stats = StatIndex(_cache_dir(opts), f"{scope}\0{root.resolve()}", opts.cache)
    unknown: list[tuple[FetchedPage, str]] = []  # pages whose facts their conversion brings
    with task(opts, f"reading {root}", len(files)) as bar:
        for rel, path in files:
            url = normalize(urljoin(scope, "/".join(_quote_segment(s) for s in rel.split("/"))))
            if not _glob_ok(url, scope, opts.include, opts.exclude):
                continue
            reason = unreadable_reason(root, path)  # a link out of the folder, or a FIFO: never opened
            if reason:
                skipped.append(Skipped(rel, reason))
                continue
            try:
                st = path.stat()
                digest = stats.get(rel, st)
                data = b"" if digest is not None else path.read_bytes()  # unchanged: read only if converted
            except OSError as exc:
                skipped.append(Skipped(rel, f"unreadable: {exc.strerror or exc}"))
                continue
            if digest is None:
                digest = hashlib.sha256(data).hexdigest()
                stats.put(rel, st, digest)
            key = facts.key(digest, url, None)
            known = facts.get(key)
            page = FetchedPage(url, url, 200, data, "text/html", None, 0, True, digest=digest, path=str(path))
            pages[url] = page
            order.append(url)
            if known is None:  # a file not seen before (or changed): its converter's facts, else parse it
                if page_facts is not None and on_page is not None and opts.max_pages is None:
                    page.content = data or path.read_bytes()
                    on_page(page)
                    unknown.append((page, key))
                else:
                    known = _folder_facts(extract(data or path.read_bytes(), url), scope)
                    facts.put(key, known)
            if known is not None:
                page.links, page.title, page.site_name, page.description = list(known[0]), *known[1:]
            bar.advance()
    for page, key in unknown:  # converting meanwhile: their facts come with their conversion
        raw = page_facts(page) if page_facts is not None else None
        known = _folder_facts(raw if raw is not None else extract(page.body(), page.url), scope)
        facts.put(key, known)
        page.links, page.title, page.site_name, page.description = list(known[0]), *known[1:]
    facts.save()
    stats.save()
    if not pages:
        raise SourceNotFound(f"no HTML files in {root}", hint="point at the built site (e.g. _build/html or site/)")
    start = scope + "index.html"
    ordered = reading_order(start, pages, {}, order)
    if opts.max_pages is not None:
        for page in ordered[opts.max_pages:]:
            skipped.append(Skipped(relative(page.url, scope), f"over --max-pages {opts.max_pages}"))
        ordered = ordered[: opts.max_pages]
    return CrawlResult(start, scope, ordered, sorted(skipped, key=lambda s: s.path))


def _folder_facts(raw: tuple | list, scope: str) -> list:
    """[in-scope links (a folder's ``x/`` is ``x/index.html``), title, site name, description]."""
    links, title, site_name, desc = raw
    local_links = []
    for link in dict.fromkeys(normalize(v) for v in links):
        if in_scope(link, scope):
            if link.endswith("/"):
                link += "index.html"
            local_links.append(link)
    return [local_links, title, site_name, desc]


def _quote_segment(segment: str) -> str:
    from urllib.parse import quote

    return quote(segment, safe="!$&'()*+,;=:@-._~")
