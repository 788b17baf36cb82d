"""Docs-site helpers for the MCP tools and the web route: the llms.txt index, one section, search.

Thin: the crawl and the llms.txt writing live in :mod:`llmingest.site` and
:mod:`llmingest.converters.llmstxt`; this module only picks what to show.
"""

from __future__ import annotations

from .service import Service


def docs_index_text(svc: Service, url: str) -> str:
    raise NotImplementedError


def read_docs_text(svc: Service, url: str, section: str) -> str:
    raise NotImplementedError
