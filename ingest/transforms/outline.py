"""The outline of a repository (or one folder or file of it): its symbols with line ranges.

What ``llmingest repo --outline`` prints and the MCP tool ``repository_outline`` returns: per
source file, its classes, functions, methods and types, nested, each with the lines it spans and
its signature, so an agent can read just those lines (``read_repository_file`` with a range).
Symbols come from :func:`llmingest.converters.code_compress.outline` (the parse ``--compress``
uses); files without a grammar are counted, not listed.
"""

from __future__ import annotations

from typing import Any

from llmingest.model import Bundle, Document
from llmingest.render.digest import code_span


def _under(doc: Document, path: str | None) -> bool:
    if not path:
        return True
    want = path.strip().strip("/")
    while want.startswith("./"):
        want = want[2:]
    return not want or doc.path == want or doc.path.startswith(want + "/")


def outlines(bundle: Bundle, path: str | None = None) -> tuple[list[tuple[str, list[Any]]], int]:
    """(path, symbols) for every parsable source file under ``path``, and how many other files
    there were (docs, configs, unknown languages, unparsable sources)."""
    from llmingest.converters.code_compress import language_of, outline

    out: list[tuple[str, list[Any]]] = []
    other = 0
    for doc in sorted(bundle.documents, key=lambda d: d.path):
        if not _under(doc, path):
            continue
        symbols = outline(doc.content, doc.path) if doc.kind == "code" and language_of(doc.path) else None
        if symbols is None:
            other += 1
        else:
            out.append((doc.path, symbols))
    return out, other


def outline_markdown(bundle: Bundle, path: str | None = None) -> str:
    """The outline as markdown: one heading per file, a nested list of its symbols."""
    from llmingest.converters.code_compress import outline_lines

    files, other = outlines(bundle, path)
    name = bundle.metadata.get("name") or bundle.title or "repo"
    scope = f" ({path.strip('/')})" if path and path.strip("/") else ""
    parts = [f"# Outline of {name}{scope}\n\n- Source: {bundle.source}\n"
             f"- Files outlined: {len(files):,} ({other:,} other files without symbols or grammar)\n"]
    for file, symbols in files:
        body = "\n".join(outline_lines(symbols)) if symbols else "(no symbols)"
        parts.append(f"## {code_span(file)}\n\n{body}\n")
    return "\n".join(parts)


def outline_json(bundle: Bundle, path: str | None = None) -> str:
    """The outline as JSON: ``{"source", "files": [{"path", "symbols": [...]}], "other_files"}``."""
    import json

    files, other = outlines(bundle, path)
    data = {"source": bundle.source, "files": [{"path": p, "symbols": [s.to_dict() for s in syms]} for p, syms in files],
            "other_files": other}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
