"""Render: a Bundle in, text out. Edges call :func:`render` (or :func:`render_chunks`) and nothing
else to produce output.

:func:`render` picks the layout by the Bundle's kind and the format:

- ``llms.txt`` / ``llms-full.txt``: :mod:`.llmstxt` (a crawled site as ``llmingest site`` writes
  it, a site a plugin builds as the plugin does, anything else as ``bundle --llms-txt`` does);
- a multi-source Bundle (``kind == "bundle"``): :mod:`.bundle` (one H2 per source);
- one source (repo, page, pdf, site, actions): :mod:`.digest` (summary, tree, files).

:mod:`.budget` fits a token budget by priority: ``max_tokens=`` fits the Bundle in the layout it
is rendered in (the renderer measures itself), so callers never fit by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llmingest.errors import UsageError
from llmingest.model import Bundle

__all__ = ["render", "render_chunks", "fit", "FORMATS", "TEXT_FORMATS", "LLMS_FORMATS"]

TEXT_FORMATS = ("markdown", "xml", "plain", "json")
LLMS_FORMATS = ("llms.txt", "llms-full.txt")
FORMATS = TEXT_FORMATS + LLMS_FORMATS


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


def render_chunks(bundle: Bundle, fmt: str = "markdown", **opts: Any) -> Iterator[str]:
    """:func:`render` as pieces, so a digest of a huge repository streams to its file.

    ``opts``: ``top`` and ``token_tree`` (one-source digests); ``base_url``, ``summary`` and
    ``max_tokens`` (llms.txt sets).
    """
    _check(fmt)
    if fmt in LLMS_FORMATS:
        from .llmstxt import render_llms

        return iter([render_llms(bundle, fmt, **opts)])
    if bundle.kind == "bundle":
        from .bundle import render_chunks as chunks

        return chunks(bundle, fmt)
    from .digest import render_chunks as chunks

    return chunks(bundle, fmt, top=opts.get("top", 10), token_tree=opts.get("token_tree", False))


def render(bundle: Bundle, fmt: str = "markdown", **opts: Any) -> str:
    """``bundle`` as ``markdown``, ``xml``, ``plain``, ``json``, ``llms.txt`` or ``llms-full.txt`` text,
    in the layout its kind calls for (see the module docstring).

    >>> from llmingest import ingest, render
    >>> text = render(ingest(".", include=["*.py"]), "xml")
    """
    return "".join(render_chunks(bundle, fmt, **opts))


def fit(bundle: Bundle, max_tokens: int, fmt: str = "markdown", **opts: Any) -> None:
    """Fit ``bundle`` in place so that ``render(bundle, fmt)`` is at most ``max_tokens`` tokens.

    The layout decides: a one-source digest keeps files by priority (READMEs, docs, code, examples,
    tests; see :mod:`.budget`), a multi-source bundle keeps sources in order. The Bundle's
    ``metadata["budget"]`` says what was kept and left out. ``opts`` as for :func:`render_chunks`,
    plus ``shrink`` (a document's compressed form) and ``changes`` (path -> commits, for
    ``--sort-by-changes``).
    """
    from .budget import fit_layout

    fit_layout(bundle, max_tokens, fmt, **opts)
