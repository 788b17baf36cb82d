"""Jupyter notebooks (.ipynb) become markdown: markdown cells as they are, code cells fenced.

Outputs are dropped: they are large (images as base64), stale, and not what a reader of the code
needs. Pure: bytes in, Document out.
"""

from __future__ import annotations

import json

from llmingest.errors import ConversionError
from llmingest.model import Document


def _fence(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def convert(data: bytes | str, *, name: str | None = None) -> Document:
    try:
        nb = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConversionError(f"{name or 'notebook'} is not valid notebook JSON: {exc}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ConversionError(f"{name or 'notebook'} has no cells")
    meta = nb.get("metadata") or {}
    language = ((meta.get("kernelspec") or {}).get("language") or (meta.get("language_info") or {}).get("name")
                or "python")
    parts: list[str] = []
    for cell in nb["cells"]:
        text = _source(cell).rstrip()
        if not text:
            continue
        kind = cell.get("cell_type")
        if kind == "markdown":
            parts.append(text)
        elif kind == "code":
            fence = _fence(text)
            parts.append(f"{fence}{language}\n{text}\n{fence}")
        else:  # raw cells: keep, unformatted
            fence = _fence(text)
            parts.append(f"{fence}\n{text}\n{fence}")
    return Document(path=name or "notebook.ipynb", content="\n\n".join(parts) + "\n", kind="notebook",
                    language="markdown", metadata={"notebook_language": language})
