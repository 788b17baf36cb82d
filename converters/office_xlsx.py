"""Excel workbooks (.xlsx) become markdown: one ``## sheet`` heading and one GFM table per sheet.

Values are the cached results of formulas (what Excel shows), dates in ISO form, whole floats
without ``.0``. Empty trailing rows and columns are dropped; the first row is the header, as it
is in nearly every sheet a person writes. Pure: bytes in, Document out. Needs the ``office``
extra (openpyxl).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from llmingest.converters._ooxml import gfm_table
from llmingest.errors import ConversionError
from llmingest.model import Document
from openpyxl import load_workbook

MAX_CELLS = 2_000_000  # a sheet past this is cut, and says so


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _sheet_rows(sheet) -> tuple[list[list[str]], bool]:
    rows: list[list[str]] = []
    cells, cut = 0, False
    for raw in sheet.iter_rows(values_only=True):
        row = [_cell(v) for v in raw]
        cells += len(row)
        if cells > MAX_CELLS:
            cut = True
            break
        rows.append(row)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    width = max((max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in rows), default=0)
    return [r[:width] for r in rows], cut


def convert(data: bytes, *, name: str | None = None, **_: object) -> Document:
    """XLSX bytes -> markdown Document (kind ``page``) with one table per sheet, in workbook order."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ConversionError(f"{name or 'workbook'} is not a readable XLSX file: {type(exc).__name__}") from None
    try:
        title = (book.properties.title or "").strip() or None
        parts: list[str] = [f"# {title}"] if title else []
        for sheet in book.worksheets:
            rows, cut = _sheet_rows(sheet)
            parts.append(f"## {sheet.title}")
            parts.append(gfm_table(rows) if rows else "*(empty sheet)*")
            if cut:
                parts.append(f"*(cut at {MAX_CELLS:,} cells)*")
        sheets = len(book.worksheets)
    finally:
        book.close()
    return Document(path=name or "workbook.xlsx", content="\n\n".join(parts) + "\n", title=title, kind="page",
                    size=len(data), metadata={"format": "xlsx", "sheets": sheets})
