"""One HTML page (a URL or a local file) -> a Bundle with one Document, as `llmingest page` prints it.

Fetching goes through :func:`llmingest.http.fetch` (address guard, size cap, typed errors); the
conversion is :func:`llmingest.converters.html.convert`. A URL that answers with a PDF goes to the
PDF path, since users paste "page" links that turn out to be PDFs all the time.

Switches a caller may set in ``options.extra``: ``front_matter`` (default True), ``links``,
``images``, ``select`` (content selection, default True), ``base_url`` (resolve a local file's
links as if it were served there), ``charset`` (override the detected encoding).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from . import sources
from .errors import ConversionError, LimitExceeded, SourceNotFound, UsageError
from .http import DEFAULT_MAX_BYTES, fetch
from .model import Bundle, Document
from .options import Options

HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xml", "text/xml"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}


def looks_like_html(data: bytes) -> bool:
    """Servers lie about content types; a page that starts like HTML is HTML."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<!--"))


def _to_pdf(src: sources.Source, options: Options, url: str) -> Bundle:
    try:
        from .pdf import ingest_pdf
    except ImportError:
        raise ConversionError(f"{url} is a PDF, and PDF support is not available in this install") from None
    return ingest_pdf(src, options)


def _read_local(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceNotFound(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > DEFAULT_MAX_BYTES:
        raise LimitExceeded(f"{path} is {size:,} bytes, over the {DEFAULT_MAX_BYTES:,}-byte limit")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceNotFound(f"cannot read {path}: {exc.strerror or exc}") from None


def ingest_page(src: sources.LocalFile | sources.WebPage, options: Options) -> Bundle:
    """Fetch or read one page and convert it; ``.content`` is the full output (front matter + body)."""
    extra = options.extra or {}
    charset = extra.get("charset")
    if isinstance(src, sources.WebPage):
        token = options.resolved_token(urlsplit(src.url).hostname or "")
        resp = fetch(src.url, options, headers={"Authorization": f"Bearer {token}"} if token else None)
        ctype = resp.content_type
        if ctype in PDF_TYPES or resp.content.startswith(b"%PDF-"):
            return _to_pdf(src, options, src.url)
        if ctype and ctype not in HTML_TYPES and not looks_like_html(resp.content):
            raise ConversionError(f"{resp.url} is {ctype}, not an HTML page",
                                  hint="llmingest page reads HTML; PDFs go to llmingest pdf")
        # links, front matter and the Bundle show the URL without userinfo or secret query values
        data, url, display = resp.content, sources.public_url(str(resp.url)), src.display()
        charset = charset or resp.charset
    elif isinstance(src, sources.LocalFile):
        if src.format == "pdf":
            return _to_pdf(src, options, str(src.path))
        data = _read_local(src.path)
        if src.format != "html" and not looks_like_html(data):
            raise ConversionError(f"{src.path} does not look like an HTML file")
        # --base-url: where the file is served; a URL ending in "/" is its folder
        base = extra.get("base_url")
        url = (base + src.path.name if base.endswith("/") else base) if base else None
        display = str(src.path)
    else:
        raise UsageError(f"{src.display()} is not a page", hint="give an http(s) URL or an .html file")

    name = src.path.name if isinstance(src, sources.LocalFile) and not url else None
    return page_bundle(data, url, options, source=display, charset=charset, path=name)


def page_bundle(data: bytes | str, url: str | None, options: Options, *, source: str,
                charset: str | None = None, path: str | None = None) -> Bundle:
    """Convert page bytes already in hand (a fetch, a file, stdin) into the one-Document Bundle."""
    from .converters.html import convert, front_matter
    from .tokens import count

    extra = options.extra or {}
    doc = convert(data, url, charset=charset, links=extra.get("links", True), images=extra.get("images", True),
                  select=extra.get("select", True))
    body = doc.content
    if extra.get("front_matter", True):
        body = front_matter(doc) + body
    page = Document(
        path=path or doc.path, content=body, title=doc.title, url=doc.url, kind="page", size=doc.size,
        description=doc.description, metadata=doc.metadata,
        # a caller that shows no count (the CLI printing markdown) sets count_tokens=False: no
        # tokenizer is built then (~70 MB and ~40 ms, more than converting the page)
        tokens=count(body, options.encoding) if extra.get("count_tokens", True) else 0,
    )
    return Bundle(source=source, kind="page", documents=[page], title=doc.title, description=doc.description,
                  metadata={"url": doc.url, "container": doc.metadata.get("container")}, encoding=options.encoding)
