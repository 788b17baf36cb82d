"""Helpers the Office converters share, with no third-party imports (so one missing library
never breaks the others): the title in an OOXML file's properties, GFM tables."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

_DC = "{http://purl.org/dc/elements/1.1/}"


def core_title(data: bytes) -> str | None:
    """The title set in the file's properties (``docProps/core.xml``; DOCX, PPTX and XLSX alike)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = etree.fromstring(zf.read("docProps/core.xml"),
                                    etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError, ValueError):
        return None
    node = root.find(f"{_DC}title")
    text = " ".join((node.text or "").split()) if node is not None else ""
    return text or None


def _escape(text: str) -> str:
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def gfm_table(rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table; the first row is the header, rows padded to one width."""
    width = max(len(r) for r in rows)
    rows = [[_escape(c) for c in r] + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(["---"] * width) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)
