"""The one entry point every edge calls (DESIGN rule 1).

``ingest(source, options) -> Bundle`` parses the source once and hands it to the module that
knows how to fetch and convert it. Those modules are imported lazily so ``llmingest repo`` never
pays for PyMuPDF or trafilatura start-up.
"""

from __future__ import annotations

from typing import Any

from llmingest.sources import parse as sources

from .errors import UsageError
from .model import Bundle
from .options import Options

KINDS = ("repo", "page", "site", "pdf")


def ingest(source: str | sources.Source, options: Options | None = None, *, kind: str | None = None,
           **overrides: Any) -> Bundle:
    """Turn ``source`` into a :class:`Bundle`.

    ``source`` is anything a user can type: a path, a git URL, ``owner/repo``, a forge web URL
    (``/tree/<ref>/<path>``, ``/blob/...``), an http(s) page or PDF URL. ``kind`` forces how it is
    read (``"site"`` crawls a whole docs site instead of one page). Keyword overrides are
    :class:`Options` fields.

    >>> bundle = ingest(".", include=["*.py"], max_tokens=50_000)
    """
    opts = (options or Options()).merged(**overrides) if overrides else (options or Options())
    src = sources.parse(source, ref=opts.ref) if isinstance(source, str) else source
    kind = kind or src.kind
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}", hint=f"choose one of {', '.join(KINDS)}")
    if kind == "repo":
        from llmingest.sources.repo import ingest_repo

        return ingest_repo(src, opts)
    if kind == "pdf":
        from llmingest.sources.pdf import ingest_pdf

        return ingest_pdf(src, opts)
    if kind == "page":
        from llmingest.sources.page import ingest_page

        return ingest_page(src, opts)
    from llmingest.sources.site import ingest_site

    return ingest_site(src, opts)


def render(bundle: Bundle, format: str = "markdown", **kwargs: Any) -> str:
    """Render a Bundle as ``markdown``, ``xml``, ``plain``, ``json``, ``llms.txt`` or ``llms-full.txt``
    text, in the layout of its kind: one source as a digest, many (:func:`llmingest.bundle`) with
    one section per source. See :func:`llmingest.render.render`.

    >>> from llmingest import bundle, render
    >>> text = render(bundle([".", "docs/design.pdf"]), "markdown")
    """
    from llmingest.render import render as _render

    return _render(bundle, format, **kwargs)
