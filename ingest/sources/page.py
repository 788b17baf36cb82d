"""One HTML page (a URL or a local file) -> a Bundle with one Document, as `llmingest page` prints it.

Fetching goes through :func:`llmingest.fetch.http.fetch` (address guard, size cap, typed errors); the
conversion is :func:`llmingest.converters.html.convert`. A URL that answers with a PDF goes to the
PDF path, since users paste "page" links that turn out to be PDFs all the time.

Switches a caller may set in ``options.page`` (:class:`llmingest.options.PageOptions`): ``front_matter`` (default True), ``links``,
``images``, ``select`` (content selection, default True), ``base_url`` (resolve a local file's
links as if it were served there), ``charset`` (override the detected encoding).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit, urlunsplit

from llmingest import converters
from llmingest.errors import ConversionError, IngestError, LimitExceeded, SourceNotFound, UsageError
from llmingest.fetch.http import ACCEPT_MARKDOWN, DEFAULT_MAX_BYTES, Response, fetch, login_headers
from llmingest.model import Bundle, Document
from llmingest.options import Options
from llmingest.sources import parse as sources

HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xml", "text/xml"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
MARKDOWN_TYPES = {"text/markdown", "text/x-markdown"}


def looks_like_html(data: bytes) -> bool:
    """Servers lie about content types; a page that starts like HTML is HTML."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<!--"))


def _to_pdf(src: sources.Source, options: Options, url: str) -> Bundle:
    try:
        from llmingest.sources.pdf import ingest_pdf
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
    charset = options.page.charset
    if isinstance(src, sources.WebPage):
        resp = fetch(src.url, options, headers=request_headers(src.url, src.url, options))
        if options.prefer_markdown:
            found = markdown_alternate(resp, src.url, options)
            if found is not None:
                return markdown_bundle(found, options, source=src.display())
        if options.render and (resp.content_type in HTML_TYPES or looks_like_html(resp.content)):
            from llmingest.fetch.browser import render_page

            rendered = render_page(src.url, options)
            return page_bundle(rendered.html, sources.public_url(rendered.url), options, source=src.display(),
                               rendered=True)
        ctype = resp.content_type
        if ctype in PDF_TYPES or resp.content.startswith(b"%PDF-"):
            return _to_pdf(src, options, src.url)
        fmt = converters.sniff(urlsplit(resp.url).path, resp.content, ctype)  # a linked .docx, .epub...
        if fmt is not None and fmt.document:
            url = sources.public_url(str(resp.url))
            return document_bundle(resp.content, fmt, options, source=src.display(), url=url,
                                   name=PurePosixPath(urlsplit(url).path).name or None)
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
        if (fmt := converters.lookup(src.format)) is not None and fmt.document:  # docx, epub... (parse sniffed it)
            return document_bundle(data, fmt, options, source=str(src.path), name=src.path.name)
        if src.format != "html" and not looks_like_html(data):
            raise ConversionError(f"{src.path} does not look like an HTML file")
        # --base-url: where the file is served; a URL ending in "/" is its folder
        base = options.page.base_url
        url = (base + src.path.name if base.endswith("/") else base) if base else None
        display = str(src.path)
    else:
        raise UsageError(f"{src.display()} is not a page", hint="give an http(s) URL or an .html file")

    name = src.path.name if isinstance(src, sources.LocalFile) and not url else None
    return page_bundle(data, url, options, source=display, charset=charset, path=name)


def page_bundle(data: bytes | str, url: str | None, options: Options, *, source: str,
                charset: str | None = None, path: str | None = None, rendered: bool = False) -> Bundle:
    """Convert page bytes already in hand (a fetch, a file, stdin) into the one-Document Bundle."""
    from llmingest.converters.html import front_matter
    from llmingest.tokens import count

    page_opts = options.page
    doc = converters.convert(data, "html", url=url, charset=charset, links=page_opts.links,
                             images=page_opts.images, select=page_opts.select).document
    if not rendered and is_spa_shell(data, doc.content):
        raise ConversionError(f"{url or source} is a JavaScript app: its HTML holds no content, only scripts",
                              hint="run again with --render to load it in headless Chromium "
                                   "(pip install 'llmingest[render]' and a chromium)")
    body = doc.content
    if page_opts.front_matter:
        body = front_matter(doc) + body
        if rendered:
            body = with_front_matter(body, {"rendered": "headless chromium"})
    page = Document(
        path=path or doc.path, content=body, title=doc.title, url=doc.url, kind="page", size=doc.size,
        description=doc.description, metadata=doc.metadata,
        # a caller that shows no count (the CLI printing markdown) sets count_tokens=False: no
        # tokenizer is built then (~70 MB and ~40 ms, more than converting the page)
        tokens=count(body, options.encoding) if page_opts.count_tokens else 0,
    )
    return Bundle(source=source, kind="page", documents=[page], title=doc.title, description=doc.description,
                  metadata={"url": doc.url, "container": doc.metadata.get("container")}, encoding=options.encoding)


def document_bundle(data: bytes, fmt: converters.Format, options: Options, *, source: str, url: str | None = None,
                    name: str | None = None) -> Bundle:
    """A document the converters read (DOCX, PPTX, XLSX, EPUB...) as the one-Document page Bundle.

    Front matter as for a page; images the converter returned are written only when the caller
    asked for them (``options.pdf.images_dir``, the one images folder option), since a converter never writes."""
    from llmingest.converters.html import front_matter
    from llmingest.tokens import count

    result = converters.convert(data, fmt, name=name)
    doc = result.document
    doc.url, doc.title = url, doc.title or name  # a workbook without a title is named by its file
    body = front_matter(doc) + doc.content if options.page.front_matter else doc.content
    images_dir = options.pdf.images_dir
    if images_dir and result.attachments:
        folder = Path(images_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for item in result.attachments:  # names are the converter's own (image1.png), never a path
            (folder / PurePosixPath(item.name).name).write_bytes(item.data)
    page = Document(path=name or doc.path, content=body, title=doc.title, url=url, kind="page", size=len(data),
                    description=doc.description, metadata=doc.metadata,
                    tokens=count(body, options.encoding) if options.page.count_tokens else 0)
    return Bundle(source=source, kind="page", documents=[page], title=doc.title, description=doc.description,
                  metadata={"url": url, "format": fmt.name}, encoding=options.encoding)


# ---- markdown first --------------------------------------------------------------------------------
#
# Publishers now serve markdown themselves (llms.txt v2): an answer to ``Accept: text/markdown``,
# a ``Link: <...>; rel="alternate"; type="text/markdown"`` header, a ``<link rel="alternate"
# type="text/markdown">`` element, or a ``page.html.md`` twin. Their markdown beats any conversion
# of the HTML, so it is used as is, and the front matter says which way it was found.


def request_headers(url: str, start: str, options: Options) -> dict[str, str]:
    """Accept (markdown first), the token for the start host, and the user's --header/--cookie."""
    headers = login_headers(options, url, start)
    host = urlsplit(start).hostname or ""
    token = options.resolved_token(host) if (urlsplit(url).hostname or "") == host else None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if options.prefer_markdown:
        headers["Accept"] = ACCEPT_MARKDOWN
    return headers


def is_markdown(resp: Response) -> bool:
    """A markdown answer: text/markdown, or plain text at a .md URL that does not look like HTML."""
    ctype = resp.content_type
    if ctype in MARKDOWN_TYPES:
        return True
    return ctype in ("text/plain", "") and urlsplit(resp.url).path.lower().endswith((".md", ".markdown")) \
        and not looks_like_html(resp.content)


_LINK_HEADER = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _param(params: str, name: str) -> str:
    m = re.search(rf"(?i)\b{name}\s*=\s*(?:\"([^\"]*)\"|([^;\s]+))", params)
    return (m[1] or m[2] or "").strip().lower() if m else ""


def linked(resp: Response, rel: str, types: set[str] | None = None) -> list[tuple[str, str]]:
    """(where, URL) of every ``rel`` link of a response: its ``Link`` header ("link-header") and the
    ``<link>`` elements of its HTML head ("link-element"); ``types`` filters on the type attribute."""
    out: list[tuple[str, str]] = []
    for m in _LINK_HEADER.finditer(resp.headers.get("link", "")):
        if rel in _param(m[2], "rel").split() and (types is None or _param(m[2], "type") in types):
            out.append(("link-header", urljoin(resp.url, m[1].strip())))
    head = resp.content[:200_000]
    end = head.lower().find(b"</head>")
    for tag in _LINK_TAG.findall(head[: end if end != -1 else None]):
        attrs = {k.lower().decode(): (a or b or c).decode("utf-8", "replace") for k, a, b, c in _ATTR.findall(tag)}
        if rel in attrs.get("rel", "").lower().split() and attrs.get("href") and \
                (types is None or attrs.get("type", "").lower() in types):
            out.append(("link-element", urljoin(resp.url, attrs["href"].strip())))
    return out


def markdown_links(resp: Response) -> list[tuple[str, str]]:
    """(how, URL) of the page's markdown alternates: Link header, then <link> element, then the .md twin."""
    out = linked(resp, "alternate", MARKDOWN_TYPES)
    parts = urlsplit(resp.url)
    path = parts.path or "/"
    twin = path + "index.html.md" if path.endswith("/") else path + ".md"
    if not path.lower().endswith((".md", ".txt", ".pdf")):
        out.append(("md-twin", urlunsplit((parts.scheme, parts.netloc, twin, parts.query, ""))))
    return list(dict.fromkeys(out))


@dataclass
class MarkdownPage:
    text: str
    url: str  # the page's URL
    markdown_url: str  # where the markdown came from (the same URL for content negotiation)
    how: str  # content-negotiation | link-header | link-element | md-twin


def markdown_alternate(resp: Response, start: str, options: Options) -> MarkdownPage | None:
    """The publisher's markdown for the page ``resp`` answered, or None (then the HTML is converted)."""
    page_url = sources.public_url(resp.url)
    if is_markdown(resp):
        return MarkdownPage(_decode(resp), page_url, page_url, "content-negotiation")
    if resp.content_type not in HTML_TYPES and not looks_like_html(resp.content):
        return None
    for how, link in markdown_links(resp):
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        try:
            alt = fetch(link, options, headers=request_headers(link, start, options), check=False)
        except IngestError:
            continue
        if alt.status == 200 and alt.content.strip() and not looks_like_html(alt.content) and \
                (alt.content_type in MARKDOWN_TYPES or alt.content_type in ("text/plain", "")):
            return MarkdownPage(_decode(alt), page_url, sources.public_url(alt.url), how)
    return None


def _decode(resp: Response) -> str:
    text = resp.content.decode(resp.charset or "utf-8", errors="replace")
    return text.lstrip("\ufeff")


def with_front_matter(body: str, rows: dict[str, str]) -> str:
    """Add ``rows`` at the end of ``body``'s front matter (or as a new one)."""
    lines = "".join(f"{k}: {yaml_scalar(v)}\n" for k, v in rows.items() if v)
    if body.startswith("---\n"):
        end = body.find("\n---\n", 4)
        if end != -1:
            return body[: end + 1] + lines + body[end + 1:]
    return f"---\n{lines}---\n\n{body}"


def markdown_bundle(page: MarkdownPage, options: Options, *, source: str) -> Bundle:
    """The one-Document Bundle of a page whose publisher served its markdown (no HTML conversion)."""
    from llmingest.tokens import count

    text = page.text
    if text.startswith("---\n"):  # the publisher's own front matter: keep its body, ours states the facts
        end = text.find("\n---\n", 4)
        text = text[end + 5:].lstrip("\n") if end != -1 else text
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), None)
    body = text if text.endswith("\n") else text + "\n"
    if options.page.front_matter:
        rows = {"title": title or "", "url": page.url, "markdown": page.how}
        if page.markdown_url != page.url:
            rows["markdown_url"] = page.markdown_url
        body = _fm(rows) + body
    name = PurePosixPath(urlsplit(page.url).path).name or "index"
    doc = Document(path=name if name.endswith(".md") else name + ".md", content=body, title=title, url=page.url,
                   kind="page", size=len(page.text.encode()), tokens=count(body, options.encoding),
                   metadata={"markdown": page.how, "markdown_url": page.markdown_url})
    return Bundle(source=source, kind="page", documents=[doc], title=title,
                  metadata={"url": page.url, "markdown": page.how}, encoding=options.encoding)


def _fm(rows: dict[str, str]) -> str:
    return "---\n" + "".join(f"{k}: {yaml_scalar(v)}\n" for k, v in rows.items() if v) + "---\n\n"


def yaml_scalar(value: str) -> str:
    """A YAML scalar: plain when safe, else a JSON string (valid YAML), as the page front matter writes them."""
    value = " ".join(value.split())
    plain = (value and not re.match(r"^[-?:,\[\]{}#&*!|>'\"%@`]", value) and ": " not in value
             and " #" not in value and not value.endswith(":")
             and value.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "~"))
    return value if plain else json.dumps(value, ensure_ascii=False)


# ---- JavaScript apps ------------------------------------------------------------------------------------

_SCRIPT = re.compile(rb"<script\b", re.I)


def is_spa_shell(data: bytes | str, converted: str) -> bool:
    """Static HTML with no content but scripts (a React/Vue/Angular shell): converting it gives nothing.

    True when the converted text has fewer than 40 characters of words and the HTML loads scripts.
    """
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if not _SCRIPT.search(raw[:500_000]):
        return False
    words = re.sub(r"(?s)^---\n.*?\n---\n", "", converted)
    words = re.sub(r"[#*_>`\-\[\]()|!]", " ", words)
    return len("".join(words.split())) < 40
