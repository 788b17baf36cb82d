"""The URL-swap web service: replace ``github.com`` with this server's host and get the digest.

Routes (all GET, all thin edges over the shared :class:`~llmingest.mcp_server.service.Service`):

- ``/{owner}/{repo}``, ``/{owner}/{repo}/tree/{ref}/{path}``, ``/{owner}/{repo}/blob/{ref}/{path}``:
  a GitHub repository digest (``?format=markdown|xml|plain|json``, ``?include=``, ``?exclude=``,
  ``?max_tokens=``, ``?ref=``, ``?download=1``);
- ``/gitlab.com/...``, ``/codeberg.org/...``, ``/host/path.git``: the same with the host first;
- ``/https://any.site/page`` a page as markdown, ``/https://host/file.pdf`` a PDF as markdown;
- ``/llms.txt?url=https://docs.site/`` the site's llms.txt;
- ``/`` a small landing page, ``/mcp`` the MCP server (streamable HTTP) on the same process.

Errors are rendered here, once: an ``IngestError`` becomes its ``http_status`` with a one-line
text body; limits answer 413/429/504 with a sentence saying which limit and what to do.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode

import anyio
from llmingest.fetch import http as fetching
from llmingest.sources.parse import public_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..errors import IngestError, SourceNotFound, UsageError, redact, secret_scope
from ..options import check_format
from .docs import docs_index_text
from .service import Service, carries_credentials, edge_message

__all__ = ["create_app", "app_from_env", "target_for_path", "RedactingFilter", "install_log_redaction"]

STATIC = Path(__file__).parent / "static"
MEDIA_TYPES = {
    "markdown": "text/markdown; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "plain": "text/plain; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
EXTENSIONS = {"markdown": "md", "xml": "xml", "plain": "txt", "json": "json"}
#: query parameters the service reads; every other one belongs to the target page's URL
OWN_PARAMS = {"format", "include", "exclude", "max_tokens", "ref", "download", "pages", "top"}

#: a lone first segment with one of these suffixes is a file request, never a host to fetch
_FILE_SUFFIXES = {"ico", "png", "jpg", "jpeg", "gif", "svg", "webp", "txt", "xml", "json", "webmanifest", "js",
                  "css", "map", "html", "htm", "php"}
ROBOTS = "User-agent: *\nAllow: /$\nDisallow: /\n"  # digests are made on demand; crawling them all helps no one

log = logging.getLogger("llmingest.web")


#: query parameters that carry credentials in signed or token URLs (scrubbed from log lines only)
_QUERY_SECRET = re.compile(r"(?i)([?&](?:access_token|private_token|token|api_key|apikey|key|password|secret|"
                           r"sig|signature|x-amz-signature|x-amz-credential)=)[^&\s\"]*")


def _scrub(text: str) -> str:
    """``redact`` for log lines: uvicorn percent-encodes the path (``user%3Atok%40host``), so a URL's
    credentials are looked for in the decoded text too, and secret-looking query values are masked."""
    if "%" in text:
        plain = unquote(text)
        if redact(plain) != plain:
            text = plain
    return _QUERY_SECRET.sub(r"\1***", redact(text))


class RedactingFilter(logging.Filter):
    """Scrub credentials from log records (an access log line may echo ``https://user:tok@host``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(_scrub(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _scrub(record.msg)
        return True


class _InternalError(Exception):
    """An unexpected bug in a request's worker, its message already redacted inside the request's scope."""


def target_for_path(path: str) -> str:
    """What the user swapped in: ``/o/r/tree/x`` -> ``https://github.com/o/r/tree/x``, ``/https://...`` as is.

    >>> target_for_path("/gitlab.com/group/sub/repo")
    'https://gitlab.com/group/sub/repo'
    """
    rest = path.lstrip("/")
    if re.match(r"^https?%3A", rest, re.I):  # the whole URL percent-encoded (encodeURIComponent): decode once
        rest = unquote(rest)
    m = re.match(r"^(https?):/+(.*)$", rest, re.I)  # proxies and browsers may fold // into /
    if m:
        return f"{m.group(1).lower()}://{m.group(2)}"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", rest) and not re.match(r"^[^/]+\.[^/]+", rest):
        raise UsageError(f"unsupported address {rest.split('/', 1)[0]!r}", hint="use an http(s) URL")
    segments = [s for s in rest.split("/") if s]
    if not segments:
        raise UsageError("no source in the path", hint="e.g. /owner/repo or /https://example.com/page")
    if "." in segments[0] or ":" in segments[0]:
        if len(segments) == 1 and segments[0].rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
            # /apple-touch-icon.png, /sitemap.xml: a browser or crawler asking this server for a file
            raise SourceNotFound(f"/{segments[0]} is not here", hint="use /owner/repo or /https://site/page")
        return "https://" + rest
    if len(segments) < 2:
        raise UsageError(f"/{rest} is not a repository", hint="use /owner/repo, /host/group/repo or /https://...")
    return "https://github.com/" + rest


def install_log_redaction() -> None:
    """Put :class:`RedactingFilter` on the loggers a server writes (uvicorn's access log above all)."""
    for name in ("uvicorn.access", "uvicorn.error", "llmingest.web"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def app_from_env() -> Starlette:
    """The app of one ``llmingest serve --workers N`` worker, built from ``LLMINGEST_SERVE_CONFIG``."""
    import json
    import os

    from .service import build_service

    settings = json.loads(os.environ.get("LLMINGEST_SERVE_CONFIG") or "{}")
    mount = settings.pop("mount_mcp", True)
    hosts = settings.pop("allowed_hosts", None)
    install_log_redaction()
    return create_app(build_service(**settings), mount_mcp=mount, allowed_hosts=hosts)


def _too_many(svc: Service, wait: float) -> Response:
    """429 with whole seconds, rounded up, in the body and in Retry-After alike (never "retry in 0s")."""
    secs = max(1, math.ceil(wait))
    return PlainTextResponse(f"error: rate limit: at most {svc.limits.rate_per_minute:g} requests per minute per "
                             f"client; retry in {secs}s\n", status_code=429, headers={"Retry-After": str(secs)})


def _error(exc: IngestError) -> Response:
    return PlainTextResponse(f"error: {edge_message(exc.render(), 'web')}\n", status_code=exc.http_status)


def _list(params: list[tuple[str, str]], name: str) -> list[str]:
    out: list[str] = []
    for key, value in params:
        if key == name:
            out += [v.strip() for v in value.split(",") if v.strip()]
    return out


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not {value!r}") from None
    if n < 0:
        raise UsageError(f"{name} must not be negative")
    return n


def _token(request: Request) -> str | None:
    """A token for private repositories, only from the Authorization header (never the URL)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None


_ACCEPT_FORMATS = {"text/markdown": "markdown", "text/x-markdown": "markdown", "application/json": "json",
                   "application/xml": "xml", "text/xml": "xml", "text/plain": "plain", "text/html": "html"}


def _negotiated(accept: str, *, html: bool = False) -> str:
    """The format an ``Accept`` header prefers (markdown when it names none we serve).

    ``html=True`` is for pages this server renders as HTML (the landing page): "html" wins ties
    and is the default, so a browser keeps its page and an agent sending text/markdown gets markdown.
    """
    best, best_q = ("html" if html else "markdown"), -1.0
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        fmt = _ACCEPT_FORMATS.get(media.lower())
        if fmt is None or (fmt == "html" and not html):
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q or (q == best_q and html and fmt == "html"):
            best, best_q = fmt, q
    return best if best_q > 0 or best_q == -1.0 else ("html" if html else "markdown")


@functools.lru_cache(maxsize=1)
def _landing_markdown(html: str, base: str) -> str:
    """The landing page as markdown (converted once with the page converter)."""
    from llmingest.sources.page import page_bundle

    from ..options import Options

    bundle = page_bundle(html, base, Options(), source="landing", path="index.html")
    return bundle.documents[0].content


def _filename(source: str, fmt: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", re.sub(r"^https?://", "", source)).strip("-.")[:80] or "digest"
    return f"{stem}.{EXTENSIONS[fmt]}"


def create_app(service: Service | None = None, *, mount_mcp: bool = True,
               allowed_hosts: list[str] | None = None) -> Starlette:
    """The ASGI app: URL swap, landing page, llms.txt and (unless ``mount_mcp=False``) MCP at /mcp.

    ``allowed_hosts``: host names /mcp accepts besides localhost (DNS-rebinding guard), for a
    server on loopback behind a reverse proxy that keeps the public Host header.
    """
    svc = service or Service()
    limiter = anyio.CapacityLimiter(max(1, svc.limits.max_workers))
    rate = _rate_limiter(svc)

    def scoped(func, *args):
        with secret_scope():  # the caller's token is scrubbed from this request's messages, then forgotten
            try:
                return func(*args)
            except IngestError:
                raise  # already redacted when it was made, inside this scope
            except Exception as exc:
                raise _InternalError(redact(str(exc)) or type(exc).__name__) from None

    async def run(func, *args):
        """Run blocking ingest work in a worker thread under the request timeout (504 past it).

        Nothing slow runs on the event loop: /healthz and other clients are served meanwhile.
        """
        timeout = svc.limits.request_timeout or None
        func, args = fetching.run_with_deadline, (timeout, func, *args)  # the thread's fetches stop at the 504
        with anyio.fail_after(timeout):
            return await anyio.to_thread.run_sync(scoped, func, *args, limiter=limiter, abandon_on_cancel=True)

    async def guarded(request: Request, work) -> Response:
        client = request.client.host if request.client else "unknown"
        wait = rate.acquire(client) if rate else 0.0
        if wait > 0:
            return _too_many(svc, wait)
        try:
            return await run(work)
        except TimeoutError:
            return PlainTextResponse(
                f"error: request timed out after {svc.limits.request_timeout:g}s "
                "(narrow the source with include=/exclude= or a subfolder URL)\n", status_code=504)
        except IngestError as exc:
            return _error(exc)
        except Exception as exc:  # the edge: an unexpected bug still gets one line, never a traceback
            log.error("internal error: %s", str(exc) if isinstance(exc, _InternalError) else
                      redact(str(exc)) or type(exc).__name__)
            return PlainTextResponse("error: internal error\n", status_code=500)

    async def swap(request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode()
        path = raw.decode("latin-1").split("?", 1)[0]
        params = parse_qsl(request.url.query, keep_blank_values=True)
        try:
            target = target_for_path(path)
            own = {k: v for k, v in params if k in OWN_PARAMS}
            foreign = [(k, v) for k, v in params if k not in OWN_PARAMS]
            if foreign:
                target += ("&" if "?" in target else "?") + urlencode(foreign)
            fmt = check_format(own.get("format") or _negotiated(request.headers.get("accept", "")))
            max_tokens = _int(own.get("max_tokens"), "max_tokens")
            top = _int(own.get("top"), "top")
            overrides = {
                "include": _list(params, "include"), "exclude": _list(params, "exclude"),
                "max_tokens": max_tokens or None, "ref": own.get("ref") or None,
                "pages": own.get("pages") or None, "token": _token(request),
            }
        except IngestError as exc:
            return _error(exc)
        download = own.get("download", "") not in ("", "0", "false")

        def work() -> Response:
            src = svc.parse(target, overrides["ref"])
            kind = src.kind
            bundle, key = svc.bundle(target, kind, fmt=fmt, **overrides)
            private = bool(overrides["token"]) or carries_credentials(src)
            text, tokens = svc.rendered(bundle, key, fmt, 10 if top is None else top)
            headers = {"X-Token-Count": str(tokens), "X-Source": quote(public_url(bundle.source), safe=":/?&=@%+,;~#"),
                       "X-Kind": bundle.kind,
                       "Cache-Control": "private, max-age=300" if private else "public, max-age=300",
                       "Vary": "Authorization, Accept"}
            if download:
                headers["Content-Disposition"] = f'attachment; filename="{_filename(bundle.source, fmt)}"'
            etag = '"' + hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest() + '"'
            headers["ETag"] = etag
            if etag in request.headers.get("if-none-match", ""):  # a reload or a CDN revalidating: no body
                return Response(status_code=304, headers=headers)
            return Response(text, media_type=MEDIA_TYPES[fmt], headers=headers)

        return await guarded(request, work)

    async def llms_txt(request: Request) -> Response:
        url = request.query_params.get("url", "").strip()
        if not url:
            return _error(UsageError("missing ?url=", hint="e.g. /llms.txt?url=https://docs.example.com/"))

        def work() -> Response:
            text = docs_index_text(svc, url)
            return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")

        return await guarded(request, work)

    async def landing(request: Request) -> Response:
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        if _negotiated(request.headers.get("accept", ""), html=True) == "markdown":  # an agent asking for markdown
            return Response(_landing_markdown(html, str(request.base_url)), media_type=MEDIA_TYPES["markdown"], headers={"Vary": "Accept"})
        return HTMLResponse(html, headers={"Vary": "Accept", "Link": '</>; rel="alternate"; type="text/markdown"'})

    async def health(request: Request) -> Response:
        cache = svc.cache
        return JSONResponse({"status": "ok", "ingests": svc.ingests,
                             "cache_hits": cache.hits if cache else 0, "cache_misses": cache.misses if cache else 0})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def robots(request: Request) -> Response:
        return PlainTextResponse(ROBOTS)

    routes = [Route("/", landing), Route("/healthz", health), Route("/llms.txt", llms_txt),
              Route("/favicon.ico", favicon), Route("/robots.txt", robots)]
    lifespan = None
    if mount_mcp:
        from .server import create_server

        mcp_app = create_server(svc).http_app(path="/mcp", stateless_http=True, host_origin_protection="auto",
                                              allowed_hosts=allowed_hosts or None)
        mcp_route = _RateLimited(mcp_app, rate, svc)
        routes += [Route("/mcp", mcp_route), Route("/mcp/", mcp_route)]  # clients configured with a slash too
        inner = mcp_app.lifespan

        @asynccontextmanager
        async def lifespan(app: Starlette):
            async with inner(app):
                yield

    routes.append(Route("/{path:path}", swap, methods=["GET", "HEAD"]))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = svc
    return app


class _RateLimited:
    """The MCP app behind the same per-client rate limit as the swap routes (POSTs are the calls).

    A class, not a function: Starlette wraps plain functions as request/response endpoints.
    """

    def __init__(self, app, rate, svc: Service) -> None:
        self.app, self.rate, self.svc = app, rate, svc

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("path") == "/mcp/":  # the MCP app routes /mcp only
            scope = {**scope, "path": "/mcp", "raw_path": b"/mcp"}
        if self.rate is not None and scope["type"] == "http" and scope.get("method") == "POST":
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.rate.acquire(client)
            if wait > 0:
                await _too_many(self.svc, wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _rate_limiter(svc: Service):
    from .limits import RateLimiter

    if not svc.limits.rate_per_minute:
        return None
    return RateLimiter(svc.limits.rate_per_minute, svc.limits.burst)


def rate_limited_mcp(app, svc: Service):
    """``mcp --http``: the FastMCP app behind the per-client rate limit ``serve`` gives /mcp."""
    rate = _rate_limiter(svc)
    return app if rate is None else _RateLimited(app, rate, svc)
