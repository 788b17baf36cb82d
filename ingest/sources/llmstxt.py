"""llms.txt as a source: the one a docs site publishes, and one (file or URL) expanded into context.

Two kinds reach here through :func:`llmingest.ingest` (DESIGN rule 1: the ``site`` and ``llmstxt``
commands and the MCP ``docs_index`` tool used to fetch these files themselves):

* ``kind="llms.txt"``: what a site already publishes. The site is probed for ``llms.txt`` and
  ``llms-full.txt`` (:func:`llmingest.fetch.crawl.find_published`) and each found file becomes a
  Document (``path`` its name, ``url`` where it is published). ``Options.include`` narrows which
  of the two are fetched (``docs_index`` only wants ``llms.txt``); ``metadata["published"]`` maps
  every name found to its URL. A site that publishes neither gives a Bundle with no documents.
* ``kind="llms-ctx"``: an llms.txt and every page it links as one context file (the
  ``llms_txt2ctx`` job, :func:`llmingest.sources.site.expand`); one Document, the cut or refused
  links as Skipped entries. ``Options.max_tokens`` fits it; ``CrawlOptions.optional=False``
  leaves the Optional section out.

Every byte comes through :func:`llmingest.fetch.http.fetch`, with the user's ``--header`` /
``--cookie`` for the llms.txt's own host only (:func:`llmingest.fetch.http.login_headers`).
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

from llmingest.errors import SourceNotFound
from llmingest.model import Bundle, Document
from llmingest.options import Options

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def read(source: str, options: Options, *, follow_describedby: bool = False) -> tuple[str, str]:
    """(text, location) of an llms.txt given as a file path or an http(s) URL.

    ``follow_describedby``: a page URL (HTML) leads to the llms.txt it declares (llms.txt v2).
    """
    if _is_url(source):
        from llmingest.fetch.http import fetch, login_headers

        resp = fetch(source, options, headers=login_headers(options, source, source))
        if follow_describedby and (resp.content_type in HTML_TYPES
                                   or resp.content.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))):
            from llmingest.sources.llmstxt_v2 import describedby

            found = describedby(resp)
            if not found:
                raise SourceNotFound(f"{source} is an HTML page that declares no llms.txt",
                                     hint='v2 pages point to theirs with rel="describedby"; give the llms.txt URL')
            resp = fetch(found[0], options, headers=login_headers(options, found[0], source))
        return resp.content.decode(resp.charset or "utf-8", "replace"), resp.url
    path = Path(source)
    if not path.is_file():
        raise SourceNotFound(f"no such file: {source}")
    return path.read_text("utf-8", errors="replace"), str(path.resolve())


def ingest_published(url: str, options: Options) -> Bundle:
    """The llms.txt files the site at ``url`` publishes, probed then fetched (``kind="llms.txt"``, see above)."""
    from llmingest.fetch.crawl import find_published
    from llmingest.fetch.http import fetch, login_headers

    found = find_published(url, options)
    docs = []
    for name, where in found.items():
        if options.include and not any(fnmatch(name, pattern) for pattern in options.include):
            continue
        resp = fetch(where, options, headers=login_headers(options, where, url))
        docs.append(Document(path=name, content=resp.content.decode("utf-8", errors="replace"), url=where))
    return Bundle(source=url, kind="site", documents=docs, metadata={"published": dict(found)},
                  encoding=options.encoding)


def ingest_expanded(source: str, options: Options) -> Bundle:
    """An llms.txt (file or URL) and the pages it links as one context document (``kind="llms-ctx"``)."""
    from llmingest.sources.site import expand

    text, location = read(source, options)
    out, skipped = expand(text, location, options, max_tokens=options.max_tokens,
                          optional=options.crawl.optional)
    return Bundle(source=source, kind="llms-ctx", documents=[Document(path="llms-ctx.txt", content=out, url=location)],
                  skipped=list(skipped), metadata={"location": location}, encoding=options.encoding)
