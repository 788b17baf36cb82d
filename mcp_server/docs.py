"""Docs sites for agents: the llms.txt index, one page or section, and search (MCP tools + /llms.txt).

Thin: a published llms.txt is a source (``ingest(url, kind="llms.txt")``), crawling and writing
llms.txt live in :mod:`llmingest.fetch.crawl` and :mod:`llmingest.sources.site`, the text views in
:mod:`llmingest.render.text`; this module only decides what to show. A site that publishes its own
llms.txt is answered with that file (one request, no crawl); otherwise the site is crawled once,
the Bundle cached, and every later call (index, read, search) reads that cached Bundle.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from llmingest.fetch.cache import make_key
from llmingest.sources import parse as sources

from ..errors import SourceNotFound, UsageError
from ..model import Bundle, Document
from .service import Service

__all__ = ["docs_index", "docs_index_text", "read_docs_text", "site_bundle"]


def _check_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[::1/": urlsplit's own complaint is not a 500
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{url[:200]!r} is not a docs site URL", hint="give its start URL, e.g. https://docs.example.com/")
    sources.parse(url)  # a malformed host or port is a UsageError here, not a UnicodeError in the resolver
    return url


def login(headers: dict[str, str] | None = None, cookies: list[str] | None = None) -> dict[str, Any]:
    """Option overrides for a docs site behind a login (values registered as secrets: never printed)."""
    from ..options import parse_cookies, parse_headers

    out: dict[str, Any] = {}
    if headers:
        out["headers"] = parse_headers([f"{k}: {v}" for k, v in headers.items()])
    if cookies:
        out["cookies"] = parse_cookies(cookies)
    return out


def site_bundle(svc: Service, url: str, **login_opts: Any) -> tuple[Bundle, str]:
    """The crawled site (cached), and its cache key."""
    return svc.bundle(_check_url(url), "site", **login_opts)


def docs_index(svc: Service, url: str, **login_opts: Any) -> Bundle:
    """A one-document Bundle holding the site's llms.txt; ``metadata["published"]`` says whose it is."""
    url = _check_url(url)
    svc.guard_location(url)

    def produce() -> Bundle:
        from llmingest.api import ingest

        opts = svc.options_for(**login_opts)  # with the server's --max-page-size: a published llms.txt too
        published = ingest(url, opts, kind="llms.txt", include=["llms.txt"])
        if published.documents:
            return Bundle(source=url, kind="site", documents=published.documents,
                          metadata={"published": published.documents[0].url})
        from llmingest.render.llmstxt import render_site

        bundle, _key = site_bundle(svc, url, **login_opts)
        text = render_site(bundle)["llms.txt"]
        return Bundle(source=url, kind="site", documents=[Document(path="llms.txt", content=text)],
                      metadata={"published": None, "pages": len(bundle.documents)})

    from .service import login_key

    key = make_key("llms-index", 1, url, svc.options.allow_private, sorted(svc.options.host_map.items()),
                   login_key(svc.options.merged(**login_opts)))
    return svc.cached(key, produce)


def docs_index_text(svc: Service, url: str, **login_opts: Any) -> str:
    """The llms.txt text itself (what ``/llms.txt?url=`` returns)."""
    return docs_index(svc, url, **login_opts).documents[0].content


def _norm(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    for suffix in ("/index.html", "/index.htm", "/index.md", ".html", ".htm", ".md"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.netloc.lower()}{path}"


def find_pages(bundle: Bundle, section: str) -> list[Document]:
    """The pages ``section`` names: a page URL, path or .md mirror; else a section name; else a title."""
    want = section.strip()
    if not want:
        raise UsageError("empty section", hint="give a page URL from docs_index, or a section name")
    docs = bundle.documents
    if "://" in want:
        target = _norm(want)
        hits = [d for d in docs if d.url and _norm(d.url) == target]
    else:
        rel = want.lstrip("/")
        hits = [d for d in docs if d.path.lstrip("/") == rel or d.metadata.get("mirror") == rel
                or _norm("x://h/" + d.path.lstrip("/")) == _norm("x://h/" + rel)]
    if hits:
        return hits[:1]
    low = want.lower()
    in_section = [d for d in docs if str(d.metadata.get("section", "")).lower() == low]
    if in_section:
        return in_section
    titled = [d for d in docs if (d.title or "").lower() == low]
    if titled:
        return titled[:1]
    names = list(dict.fromkeys(str(d.metadata.get("section")) for d in docs if d.metadata.get("section")))
    hint = f"sections: {', '.join(names[:12])}; or a page URL from docs_index" if names else "call docs_index for the page URLs"
    raise SourceNotFound(f"no page or section {want!r} in {bundle.source}", hint=hint)


def read_docs_text(svc: Service, url: str, section: str, **login_opts: Any) -> str:
    """One page, or every page of one section, as markdown with each page's title and URL."""
    bundle, _key = site_bundle(svc, url, **login_opts)
    from llmingest.render.text import pages_text

    return pages_text(find_pages(bundle, section))
