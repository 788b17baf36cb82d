"""The one layer the MCP tools and the web routes share: guarded, cached, locked calls to ingest().

Both servers are thin edges (DESIGN rule 1). What they have in common lives here and only here:
server-mode guards (no local paths, no private addresses), the result cache, the per-key lock that
makes N simultaneous requests for one repo@ref clone once, server limits, and paging long text by
tokens with a cursor. No conversion happens here: text comes from :func:`llmingest.ingest` and
:func:`llmingest.render.digest.render`.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from llmingest.fetch.cache import ResultCache, make_key
from llmingest.fetch.http import check_address
from llmingest.sources import parse as sources

from ..api import ingest
from ..errors import BlockedAddress, LimitExceeded, SourceNotFound, UsageError, register_secret
from ..model import Bundle, Document
from ..options import Options
from ..tokens import count, truncate
from .limits import KeyedLocks, Limits

__all__ = ["Service", "TextPage", "paginate", "MIN_PAGE_TOKENS", "edge_message"]

_NOWHERE = Path("/nonexistent/llmingest-server")  # relative sources resolve here in server mode: never a file
MIN_PAGE_TOKENS = 200  # a smaller page could not make progress through a long line
RENDER_ENTRIES = 128  # rendered texts kept in memory (text, token count)


@dataclass
class TextPage:
    """One page of a long text, and how to get the next one."""

    text: str
    tokens: int
    total_tokens: int
    tokens_left_out: int
    next_cursor: str | None

    def with_trailer(self) -> str:
        """The text plus one line saying what was left out, so an agent knows to call again."""
        if self.next_cursor is None:
            return self.text
        sep = "" if self.text.endswith("\n") else "\n"
        return (f"{self.text}{sep}\n[... {self.tokens_left_out:,} tokens left out; "
                f"call again with cursor=\"{self.next_cursor}\" to read on]\n")

    def meta(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "total_tokens": self.total_tokens,
                "tokens_left_out": self.tokens_left_out, "next_cursor": self.next_cursor}


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _content_key(bundle: Bundle) -> str:
    """A hash of what a bundle holds, so a rendering memo never outlives an edit to a local file."""
    h = hashlib.sha256()
    for doc in bundle.documents:
        h.update(doc.path.encode("utf-8", "surrogatepass") + b"\0" + doc.content.encode("utf-8", "surrogatepass") + b"\0")
    for skipped in bundle.skipped:
        h.update(f"{skipped.path}\0{skipped.reason}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def paginate(text: str, max_tokens: int, cursor: str | None = None, encoding: str = "o200k_base",
             total_tokens: int | None = None) -> TextPage:
    """Cut ``text`` into pages of at most ``max_tokens`` tokens, resumable with an opaque cursor.

    The cursor is ``<char offset>.<text fingerprint>``: when the text changed between calls (a new
    commit was pushed) the fingerprint no longer matches and the caller is told to start over,
    rather than silently reading a page of something else.
    """
    max_tokens = max(MIN_PAGE_TOKENS, int(max_tokens))
    start = 0
    fingerprint = _fingerprint(text)
    if cursor:
        offset, _, mark = cursor.partition(".")
        if not offset.isdigit() or not mark:
            raise UsageError(f"bad cursor {cursor!r}", hint="pass the cursor a previous call returned, or none")
        if mark != fingerprint:
            raise UsageError("this cursor belongs to an older version of the result",
                             hint="call again without cursor to start over")
        start = int(offset)
        if start > len(text):
            raise UsageError(f"cursor {cursor!r} is past the end of the result")
    total = count(text, encoding) if total_tokens is None else total_tokens
    rest = text[start:]
    chunk = truncate(rest, max_tokens, encoding)
    if not chunk and rest:  # one token longer than a page cannot happen, but never loop forever
        chunk = rest[:1]
    end = start + len(chunk)
    if end >= len(text):
        return TextPage(chunk, count(chunk, encoding), total, 0, None)
    left = count(text[end:], encoding)
    return TextPage(chunk, count(chunk, encoding), total, left, f"{end}.{fingerprint}")


_TOKEN_HINT = "use --token or set GITHUB_TOKEN / GITLAB_TOKEN"
_EDGE_WORDS = {  # what the CLI calls an option -> what a web caller / an MCP agent passes instead
    "web": [(_TOKEN_HINT, "send an 'Authorization: Bearer <token>' header"), (", or use --split-tokens", ""),
            (" or use --split-tokens", ""), ("raise --max-tokens", "raise max_tokens="),
            ("(--token)", "(an 'Authorization: Bearer <token>' header)"), ("--max-tokens ", "max_tokens="),
            ("--max-tokens", "max_tokens="), ("--ref", "?ref="), (", or --hidden", ""), ("--include/--exclude", "include=/exclude="),
            ("--include", "include="), ("--exclude", "exclude="), ("--pages ", "?pages=")],
    "mcp": [(_TOKEN_HINT, "set GITHUB_TOKEN / GITLAB_TOKEN where the server runs, or send an 'Authorization: "
                          "Bearer <token>' header over HTTP"),
            ("(--token)", "(GITHUB_TOKEN / GITLAB_TOKEN, or an Authorization header over HTTP)"),
            ("use --ref", "pass ref"), ("--ref", "ref"), (", or --hidden", ""), ("--include/--exclude", "include/exclude"),
            ("--include", "include"), ("--exclude", "exclude"), ("--pages ", "pages=")],
}


def edge_message(text: str, edge: str) -> str:
    """An error line in the words of its reader: core errors name CLI flags (``use --ref``), which a
    browser user or an agent cannot pass; they get the query parameter or tool argument instead."""
    for old, new in _EDGE_WORDS[edge]:
        text = text.replace(old, new)
    return text


def _auth_key(src: sources.Source) -> str | None:
    """A hash of the credentials a source's URL carried (``https://u:pw@host/``), for the cache key:
    a result read with them must never be served to a caller without them."""
    auth = getattr(src, "auth", None)
    if auth is None and isinstance(src, sources.WebPage):
        auth = sources.split_userinfo(src.url)[1]
    return hashlib.sha256(repr(auth).encode()).hexdigest() if auth else None


def login_key(opts: Options) -> str | None:
    """A hash of the caller's --header/--cookie for cache keys: a page read behind a login is never
    served to a caller without it."""
    if not (opts.headers or opts.cookies):
        return None
    return hashlib.sha256(repr((sorted(opts.headers.items()), opts.cookies)).encode()).hexdigest()


def carries_credentials(src: sources.Source) -> bool:
    """Did the source's URL carry a user name or password (the result is then private to the caller)?"""
    return _auth_key(src) is not None


class _RequestTokenOnly(Options):
    """Options whose token is only the one the request carried, never the server's environment.

    Pages, PDFs and sites may live on any host; in server mode the operator's GITHUB_TOKEN must
    not be sent to ``https://github.attacker.example/`` just because its name says "github".
    """

    def resolved_token(self, host: str = "") -> str | None:
        return self.token


@dataclass
class Service:
    """Base options for every call (server mode or not), limits, the cache and the locks."""

    options: Options = field(default_factory=Options)
    limits: Limits = field(default_factory=Limits)
    cache: ResultCache | None = None
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    ingests: int = 0  # ingest() calls that actually ran (cache misses): the load bench reports it

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = ResultCache(self.options.cache_dir / "results" if self.options.cache_dir else None,
                                     enabled=self.options.cache)
        if self.cache.enabled and self.locks.directory is None:  # one ingest per key across processes too
            self.locks.directory = self.cache.directory / ".locks"
        self._rendered: OrderedDict[tuple, tuple[Bundle, str, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._indexes: OrderedDict[str, Any] = OrderedDict()

    @property
    def server_mode(self) -> bool:
        return not self.options.allow_private

    # ------------------------------------------------------------------------------------------ guards
    def _guard(self, src: sources.Source, opts: Options) -> None:
        """Server mode reads nothing from the server's own disk or network (SSRF)."""
        if not self.server_mode:
            return
        if isinstance(src, (sources.LocalDir, sources.LocalFile)):
            raise BlockedAddress(f"refusing local path {src.display()}: this server only reads public URLs")
        if isinstance(src, sources.WebPage):
            check_address(src.url, opts)
            return
        url = src.url
        scheme = urlsplit(url).scheme if "://" in url else "ssh"
        if scheme == "file":
            raise BlockedAddress("refusing a file:// repository: this server only reads public URLs")
        if scheme in ("http", "https"):
            check_address(url, opts)
        else:  # ssh://, git://, git@host:path: check the host the same way (an IPv6 one in brackets)
            check_address(f"https://[{src.host}]/" if ":" in src.host else f"https://{src.host}/", opts)

    def parse(self, source: str, ref: str | None = None) -> sources.Source:
        """``sources.parse``, except that a server never looks at its own disk for the answer.

        Otherwise "refusing local path" vs "not found" would tell a caller which paths exist.
        """
        if not self.server_mode:
            return sources.parse(source, ref=ref)
        text = source.strip()
        if text.startswith(("/", "~", "\\", ".")) or text.lower().startswith("file:") or re.match(r"^[A-Za-z]:[\\/]", text):
            raise BlockedAddress(f"refusing local path {text}: this server only reads public URLs")
        return sources.parse(text, ref=ref, cwd=_NOWHERE)

    # ------------------------------------------------------------------------------------------ bundles
    def options_for(self, **overrides: Any) -> Options:
        """The Options of one request: the server's, the caller's overrides, then the server's limits.

        Every tool and route takes its Options from here, so ``--max-page-size`` and ``--max-files``
        bound every fetch and crawl a request makes (the docs tools' crawls included).
        """
        token = overrides.get("token")
        if token:
            register_secret(token)
        opts = self.options.merged(**overrides)
        for name, limit in (("max_page_size", self.limits.max_page_bytes), ("max_files", self.limits.max_files)):
            if limit:  # the server's limit holds whatever the request asked for (0 switches it off)
                setattr(opts, name, min(limit, getattr(opts, name) or limit))
        return opts

    def bundle(self, source: str, kind: str | None = None, *, fmt: str = "markdown",
               **overrides: Any) -> tuple[Bundle, str]:
        """The Bundle for ``source`` (from the cache when fresh) and its cache key.

        Concurrent calls with the same key wait for the first one, then read what it cached.
        ``fmt`` is the format the caller will render: a ``max_tokens`` budget is fitted to that
        format's overhead (XML and JSON cost more per file than markdown), as the CLI does.
        """
        opts = self.options_for(**overrides)
        if opts.max_tokens:
            opts = opts.merged(output=replace(opts.output, format=fmt))
        src = self.parse(source, opts.ref)
        kind = kind or src.kind
        local = isinstance(src, (sources.LocalDir, sources.LocalFile))
        host = getattr(src, "host", "") or urlsplit(getattr(src, "url", "")).hostname or ""
        token = opts.resolved_token(host)
        key = make_key(
            "bundle", 1, kind, src.display(), getattr(src, "url", None), getattr(src, "ref_path", None),
            opts.ref, sorted(opts.include), sorted(opts.exclude), opts.max_tokens, opts.pages, opts.encoding,
            opts.max_file_size, opts.hidden, opts.default_ignores, opts.redact_secrets, opts.convert_pdfs,
            opts.git_log, sorted(opts.host_map.items()), opts.allow_private, fmt if opts.max_tokens else None,
            opts.compress, opts.diff_ref, opts.with_context, opts.sort_by_changes, opts.changes_window, opts.submodules,
            hashlib.sha256(token.encode()).hexdigest() if token else None,
            _auth_key(src), login_key(opts),
            str(src.path) if local else None,
        )
        if local or self.cache is None:  # a folder on disk changes under us: never serve it stale
            self._guard(src, opts)
            bundle = self._run(src, kind, opts)
            return bundle, key + ":" + _content_key(bundle)
        hit = self.cache.get(key)
        if hit is not None:
            return hit, key
        with self.locks.hold(key):
            hit = self.cache.get(key)
            if hit is not None:
                return hit, key
            # the address guard runs before anything is fetched; a cache hit fetches nothing (and a
            # refused source never got an entry: allow_private and the host map are part of the key)
            self._guard(src, opts)
            bundle = self._run(src, kind, opts)
            self.cache.put(key, bundle)
        return bundle, key

    def cached(self, key: str, produce: Callable[[], Bundle]) -> Bundle:
        """``produce()`` once per key: from the cache when fresh, else under the key's lock."""
        if self.cache is None:
            return produce()
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        with self.locks.hold(key):
            hit = self.cache.get(key)
            if hit is not None:
                return hit
            with self._lock:
                self.ingests += 1
            bundle = produce()
            self.cache.put(key, bundle)
        return bundle

    def guard_location(self, location: str) -> None:
        """In server mode a spec or document location must be a public http(s) URL."""
        if not self.server_mode:
            return
        if not location.startswith(("http://", "https://")):
            raise BlockedAddress(f"refusing local path {location}: this server only reads public URLs")
        check_address(location, self.options)

    def _run(self, src: sources.Source, kind: str, opts: Options) -> Bundle:
        with self._lock:
            self.ingests += 1
        if self.server_mode and kind != "repo":
            opts = _RequestTokenOnly(**{f.name: getattr(opts, f.name) for f in fields(opts)})
        bundle = ingest(src, opts, kind=kind)
        self.limits.check_bundle(bundle)
        return bundle

    # ------------------------------------------------------------------------------------------ text
    def rendered(self, bundle: Bundle, key: str, fmt: str = "markdown", top: int = 10) -> tuple[str, int]:
        """The bundle rendered in ``fmt`` and its token count (memoised: paging re-reads it often).

        A memo entry is only valid for the very Bundle object it was made from: when the cache
        entry expires and the source is ingested again, the new Bundle is rendered anew.
        """
        from llmingest.render.digest import render

        memo = (key, fmt, top)
        with self._lock:
            hit = self._rendered.get(memo)
            if hit is not None and hit[0] is bundle:
                self._rendered.move_to_end(memo)
                return hit[1], hit[2]
        text = render(bundle, fmt, top=top)
        tokens = count(text, bundle.encoding or self.options.encoding)
        with self._lock:
            self._rendered[memo] = (bundle, text, tokens)
            while len(self._rendered) > RENDER_ENTRIES:
                self._rendered.popitem(last=False)
        return text, tokens

    def page(self, text: str, max_tokens: int, cursor: str | None, total: int | None = None) -> TextPage:
        return paginate(text, max_tokens, cursor, self.options.encoding, total)

    # ------------------------------------------------------------------------------------------ repos
    @staticmethod
    def find_document(bundle: Bundle, path: str) -> Document:
        """The document at ``path`` (repo-relative, leading ./ or / ignored), or a helpful error."""
        want = path.strip()
        while want.startswith(("./", "/")):
            want = want[2:] if want.startswith("./") else want[1:]
        for doc in bundle.documents:
            if doc.path == want:
                return doc
        for skipped in bundle.skipped:
            if skipped.path == want:
                raise LimitExceeded(f"{want} was left out of the digest: {skipped.reason}")
        near = _near_paths(want, [d.path for d in bundle.documents])
        hint = f"did you mean {', '.join(near)}?" if near else "call repository_tree to see the paths"
        raise SourceNotFound(f"no file {want!r} in {bundle.source}", hint=hint)

    # ------------------------------------------------------------------------------------------ docs
    def bm25(self, bundle: Bundle, key: str) -> Any:
        """A BM25 index over the site's pages (title + text), built once per cached bundle."""
        with self._lock:
            hit = self._indexes.get(key)
            if hit is not None and hit[0] is bundle:  # a re-crawled site gets a new index
                return hit[1]
        import bm25s

        corpus = [f"{d.title or ''}\n{d.path}\n{d.content}" for d in bundle.documents]
        retriever: Any = bm25s.BM25()
        try:
            retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
        except ValueError:  # no indexable word in any page (empty or one-letter pages): nothing can match
            retriever = None
        with self._lock:
            self._indexes[key] = (bundle, retriever)
            while len(self._indexes) > 16:
                self._indexes.popitem(last=False)
        return retriever

    def search(self, bundle: Bundle, key: str, query: str, k: int) -> list[tuple[Document, float]]:
        if not query.strip():
            raise UsageError("empty query", hint="e.g. query='install with pip'")
        if not bundle.documents:
            return []
        import bm25s

        retriever = self.bm25(bundle, key)
        if retriever is None:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        k = max(1, min(int(k), len(bundle.documents)))
        ids, scores = retriever.retrieve(tokens, k=k, show_progress=False)
        hits = [(bundle.documents[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if float(s) > 0]
        return sorted(hits, key=lambda h: (-h[1], h[0].path))


def build_service(*, server_mode: bool, allow_private: bool = False, host_map: str | None = None,
                  cache_dir: Path | str | None = None, no_cache: bool = False, cache_ttl: float | None = None,
                  cache_size: str | int | None = None, rate_limit: float | None = None, timeout: float | None = None,
                  max_files: int | None = None, max_repo_size: str | int | None = None,
                  max_page_size: str | int | None = None) -> Service:
    """A Service from command-line settings: ``allow_private`` is False in server mode unless asked."""
    from llmingest.fetch.cache import DEFAULT_MAX_BYTES, DEFAULT_TTL

    from ..options import parse_host_map, parse_size

    for flag, value in (("--cache-ttl", cache_ttl), ("--rate-limit", rate_limit), ("--timeout", timeout),
                        ("--max-files", max_files)):
        if value is not None and value < 0:  # -1 for "no limit" would be read as "fail every request"
            raise UsageError(f"{flag} must not be negative, not {value:g}", hint="0 switches it off")
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "GL_TOKEN"):
        register_secret(os.environ.get(var))  # the server's own tokens: scrubbed for its whole life
    cache_dir = Path(cache_dir) if cache_dir else None
    options = Options(allow_private=allow_private or not server_mode, host_map=parse_host_map(host_map),
                      cache=not no_cache, cache_dir=cache_dir, isolate_git=server_mode)
    limits = Limits()
    if rate_limit is not None:
        limits.rate_per_minute = rate_limit
    if timeout is not None:
        limits.request_timeout = timeout
    if max_files is not None:
        limits.max_files = max_files
    if max_repo_size is not None:
        limits.max_total_bytes = parse_size(max_repo_size)
    if max_page_size is not None:
        limits.max_page_bytes = parse_size(max_page_size)
    cache = ResultCache(cache_dir / "results" if cache_dir else None,
                        ttl=DEFAULT_TTL if cache_ttl is None else cache_ttl,
                        max_bytes=parse_size(DEFAULT_MAX_BYTES if cache_size is None else cache_size),
                        enabled=not no_cache)
    return Service(options=options, limits=limits, cache=cache)


def _near_paths(want: str, paths: list[str], n: int = 5) -> list[str]:
    """Paths an agent probably meant: the same file name elsewhere (``calc.py`` for ``src/calc.py``),
    then names a typo away (``scaner.py`` for ``scanner.py``), then paths a typo away."""
    import difflib

    name = Path(want).name.lower()
    by_name: dict[str, list[str]] = {}
    for p in paths:
        by_name.setdefault(Path(p).name.lower(), []).append(p)
    same = sorted(by_name.get(name, []))
    if same:
        return same[:n]
    close = difflib.get_close_matches(name, sorted(by_name), n=n, cutoff=0.75)
    found = [p for c in close for p in sorted(by_name[c])]
    if not found:
        found = difflib.get_close_matches(want.lower(), sorted(paths), n=n, cutoff=0.75)
    return found[:n]
