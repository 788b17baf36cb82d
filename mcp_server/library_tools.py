"""MCP tools for "how does version X of library Y do Z": ``resolve_library`` and ``library_docs``.

Thin edge over :mod:`llmingest.sources.libdocs` (name -> docs URL, repository, versions) and
:mod:`llmingest.sources.libdocs_content` (that version's llms.txt or best sections). The package index is
the operator's choice (``LLMINGEST_PYPI_URL`` / ``LLMINGEST_NPM_URL`` where the server runs), never
an argument: an agent must not point the server at an address of its choosing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastmcp.tools.base import ToolResult
from mcp.types import TextContent
from pydantic import Field

from .service import Service

__all__ = ["register"]

VERSIONS_SHOWN = 30

RESOLVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "ecosystem": {"type": "string"},
        "version": {"type": "string", "description": "the latest version (what library_docs serves by default)"},
        "latest": {"type": ["string", "null"]},
        "docs_url": {"type": ["string", "null"]},
        "docs_from": {"type": ["string", "null"], "description": "the metadata field the docs URL came from"},
        "repository": {"type": ["string", "null"]},
        "directory": {"type": ["string", "null"], "description": "the package's folder in a monorepo"},
        "versioned_docs": {"type": "array", "items": {"type": "string"}},
        "versions_found": {"type": "array", "items": {"type": "string"},
                           "description": f"the newest {VERSIONS_SHOWN} versions, oldest first"},
        "versions": {"type": "integer", "description": "how many versions the index lists"},
    },
    "required": ["name", "ecosystem", "version", "docs_url", "repository", "versions_found"],
}

DOCS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "library": {"type": "string"},
        "ecosystem": {"type": "string"},
        "version": {"type": "string", "description": "the version actually served"},
        "served_from": {"type": "string", "description": "llms-full.txt | llms.txt | site | repository"},
        "location": {"type": "string"},
        "tokens": {"type": "integer"},
    },
    "required": ["library", "ecosystem", "version", "served_from", "location", "tokens"],
}

Name = Annotated[str, Field(description="Package name (requests, react, @angular/core), optionally with "
                                        "==VERSION or @VERSION; or a GitHub owner/repo.")]
Ecosystem = Annotated[Literal["pypi", "npm", "github"] | None,
                      Field(description="Which index; default: PyPI, then npm (owner/repo is GitHub).")]


def register(tool: Callable[..., Callable[[Any], Any]], svc: Service) -> None:
    """Add ``resolve_library`` and ``library_docs`` to the server ``tool`` belongs to."""

    @tool(output_schema=RESOLVE_SCHEMA)
    def resolve_library(name: Name, ecosystem: Ecosystem = None) -> ToolResult:
        """Find a library's docs site, source repository and versions from its registry metadata.

        Then call library_docs(name, version, topic) for one version's docs.
        """
        from llmingest.sources.libdocs import load_registry, parse_spec, resolve

        spec = parse_spec(name, ecosystem)
        reg = load_registry(spec, svc.options_for())
        res = resolve(reg, spec.version)
        data = res.to_dict()
        data.pop("requested", None)
        data.pop("tags", None)
        data["versions_found"] = reg.versions[-VERSIONS_SHOWN:]
        lines = [f"{res.name} ({res.ecosystem}) {res.version}" + (" (latest)" if res.is_latest else ""),
                 f"docs: {res.docs_url or '(none listed)'}" + (f" [from {res.docs_from}]" if res.docs_from else ""),
                 f"repository: {res.repository or '(none listed)'}" + (f" ({res.directory})" if res.directory else ""),
                 f"versioned docs (tried in order): {', '.join(res.versioned_docs) or '(none)'}",
                 f"versions ({len(reg.versions)}): {', '.join(reg.versions[-VERSIONS_SHOWN:])}"]
        return ToolResult(content=[TextContent(type="text", text="\n".join(lines) + "\n")], structured_content=data)

    @tool(output_schema=DOCS_SCHEMA)
    def library_docs(
        name: Name,
        version: Annotated[str | None, Field(description="Exact version or a series (2.31, 18); default: "
                                                          "the latest. A version that does not exist is an "
                                                          "error listing those that do.")] = None,
        topic: Annotated[str | None, Field(description="What you want to know, e.g. 'retry on timeout'; "
                                                        "without it you get the docs' llms.txt index.")] = None,
        max_tokens: Annotated[int, Field(ge=200, le=200_000, description="Token budget of the answer.")] = 8_000,
        ecosystem: Ecosystem = None,
    ) -> ToolResult:
        """One library version's docs: its llms.txt, or the sections about ``topic`` within ``max_tokens``.

        Read from the publisher's llms.txt for that version, else its versioned docs site, else the
        repository's docs at the version's tag; the header states the version served and the source.
        """
        from llmingest.sources.libdocs_content import Served, render_docs
        from llmingest.sources.libdocs_content import library_docs as fetch_docs

        from ..tokens import count

        bundle = fetch_docs(name, svc.options_for(), ecosystem=ecosystem, version=version, cache=svc.cache,
                            topic=bool(topic))
        text = render_docs(bundle, topic, max_tokens)
        served = Served.of(bundle)
        res = served.resolution
        data = {"library": res.get("name"), "ecosystem": res.get("ecosystem"), "version": res.get("version"),
                "served_from": served.served_from, "location": served.location,
                "tokens": count(text, svc.options.encoding)}
        return ToolResult(content=[TextContent(type="text", text=text)], structured_content=data)
