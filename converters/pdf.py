"""PDF -> markdown that keeps headings, lists, tables, code and reading order (pure: bytes in).

Why our own heuristics rather than pymupdf4llm: its layout mode runs an ONNX model (~1.7 pages/s)
and still interleaves two-column pages and strips code indentation; its legacy mode misses H3s
and borderless tables. Digitally-born PDFs carry enough signal in fonts and positions:

* headings: the PDF outline (TOC) when it has one, else per-document font statistics: the body
  size is the style with most characters; bigger bold styles (and the single largest style, the
  title) used on short lines are heading levels, biggest first; numbered bold lines ("2.3 Results")
  at body size are the next level. Running heads repeat and are removed before that.
* reading order, columns, lines: :mod:`.pdf_layout`; tables: :mod:`.pdf_tables`; the
  statistics: :mod:`.pdf_stats`; markdown blocks: :mod:`.pdf_markdown`.
* code: lines whose spans are all monospace; indentation from x offsets divided by the glyph
  width, so a listing split by a page or column break is one fence with its indentation intact.

Two passes: the first reads every page (a spread sample of 150 pages for long documents) for the
statistics, the second emits markdown page by page, so memory stays flat for 2,000-page PDFs.
The only disk access is writing extracted images when ``images_dir`` is given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from llmingest.errors import AuthRequired, ConversionError, UsageError
from llmingest.model import Document

from ._pymupdf import pymupdf
from .pdf_layout import (
    PageData,
    drop_line_numbers,
    extract_segments,
    image_boxes,
    image_coverage,
    link_rects,
    order_columns,
)
from .pdf_markdown import Emitter
from .pdf_stats import (
    PAGE_NUMBER,
    Stats,
    edge_keys,
    exact_margin_key,
    gather_stats,
    line_style,
    margin_key,
    place_key,
    table_key,
)
from .pdf_tables import find_tables, page_drawings

__all__ = ["convert", "parse_pages"]

SAMPLE_PAGES = 150  # pages read for statistics (and kept) before the emitting pass
CONTEXT_PAGES = 40  # unselected pages read for statistics when --pages picks part of a document


# ------------------------------------------------------------------------------------------- open


def _open(data: bytes, password: str | None) -> tuple[pymupdf.Document, list[str]]:
    """Open the bytes as a PDF or raise the right typed error; return warnings (repairs)."""
    head = data[:1024]
    if b"%PDF" not in head:
        shown = ascii(data[:16].decode("latin-1"))  # one escape level: 'a\nb', not 'a\\nb'
        raise ConversionError(f"not a PDF: starts with {shown}" if data else "not a PDF: the file is empty")
    warnings: list[str] = []
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise ConversionError(f"cannot open the PDF: {exc}", hint="the file is damaged beyond repair") from None
    if getattr(doc, "is_repaired", False):
        warnings.append("the PDF was damaged and has been repaired; some content may be missing")
    if doc.needs_pass:
        if not password:
            raise AuthRequired("the PDF is encrypted", hint="give its password with --password")
        if not doc.authenticate(password):
            raise AuthRequired("wrong password for the encrypted PDF", hint="check --password")
    try:
        pages = doc.page_count
    except Exception as exc:  # a truncated page tree fails here, after open() succeeded
        raise ConversionError(f"cannot read the PDF's pages: {exc}", hint="the file is damaged beyond repair") from None
    if pages == 0:
        raise ConversionError("the PDF has no pages (damaged or truncated)")
    return doc, warnings


def parse_pages(spec: str | None, count: int) -> list[int]:
    """``"1-5,9"`` (1-based, inclusive) -> sorted 0-based page indexes; bad ranges are usage errors."""
    if not spec or not spec.strip():
        return list(range(count))
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d+)?\s*-\s*(\d+)?|(\d+)", part)
        if not m:
            raise UsageError(f"bad page range {part!r}", hint="e.g. --pages 1-5,9 or --pages 3-")
        if m.group(3):
            a = b = int(m.group(3))
        else:
            a = int(m.group(1) or 1)
            b = int(m.group(2) or count)
        if a < 1 or b < a:
            raise UsageError(f"bad page range {part!r}", hint="pages count from 1; ranges go low-high")
        if a > count:
            raise UsageError(f"page {a} is past the end: the PDF has {count} pages")
        out.update(range(a - 1, min(b, count)))
    if not out:
        raise UsageError(f"no pages selected by {spec!r}")
    return sorted(out)


# -------------------------------------------------------------------------------------- page read


def read_page(doc: pymupdf.Document, pno: int, ocr: bool) -> PageData:
    page = doc.load_page(pno)
    textpage = None
    links = link_rects(page)
    drawings = page_drawings(page)
    dropped: list[int] = []
    segs = extract_segments(page, links=links, drawings=drawings, dropped=dropped)
    scanned, ocr_error = False, None
    if not segs and image_coverage(page) >= 0.5:
        scanned = True
        if ocr:
            try:
                textpage = page.get_textpage_ocr(language="eng", dpi=300, full=True)
                segs = extract_segments(page, textpage=textpage, links=links)
                # Tesseract's text layer uses GlyphLessFont, flagged monospace: without this every
                # OCR'd page came back as one fenced code block
                for seg in segs:
                    for span in seg.spans:
                        span.mono = False
            except Exception as exc:  # tesseract missing or failing: say so on that page
                ocr_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    segs = drop_line_numbers(segs)
    tables, segs = find_tables(page, segs, pno, drawings) if not scanned else ([], segs)
    images = [] if scanned else image_boxes(page, pno)
    return PageData(pno, segs, tables, images, page.rect.height, page.rect.width, scanned, ocr_error, sum(dropped))


# ------------------------------------------------------------------------------------------ main


def _page_heading(seg, key: tuple[str, str], st: Stats) -> bool:
    """A heading at the top of every page ("Section 1", "Section 2", ...) repeats only once digits are
    masked: it is content, unlike a running head, whose exact text repeats or which is set small."""
    style = line_style(seg)
    return (style is not None and style in st.levels and style[0] >= st.body_size + 1.0
            and not PAGE_NUMBER.match(seg.text.strip()) and exact_margin_key(seg, key) not in st.exact_margins)


def _page_items(pd: PageData, st: Stats) -> list:
    segs = []
    edges = edge_keys(pd)
    for seg in pd.segs:
        if edges and edges.get(id(seg)) in st.remove:
            continue  # a running head or folio apart from the text block (see edge_keys)
        key = margin_key(seg, pd.height)
        if key is not None and (key in st.remove or PAGE_NUMBER.match(seg.text.strip())):
            if not _page_heading(seg, key, st):
                continue
        if st.remove and place_key(seg) in st.remove:
            continue
        segs.append(seg)
    tables = [t for t in pd.tables if table_key(t) not in st.remove]
    return segs + tables + list(pd.images)


def convert(data: bytes, *, name: str | None = None, pages: str | None = None, password: str | None = None,
            images_dir: Path | None = None, page_markers: bool = False, ocr: bool = False,
            on_page: Callable[[int, int], None] | None = None, images_ref: str | None = None) -> Document:
    """Convert PDF bytes to a markdown :class:`Document` (front matter + body).

    >>> doc = convert(open("paper.pdf", "rb").read(), name="paper.pdf", pages="1-3")
    >>> doc.content.splitlines()[0]
    '---'

    ``images_ref`` is how the markdown links ``images_dir`` (e.g. relative to where the markdown
    is written); by default the images_dir path itself.
    """
    doc, warnings = _open(data, password)
    try:
        return _convert(doc, warnings, name=name, pages=pages, images_dir=images_dir,
                        page_markers=page_markers, ocr=ocr, on_page=on_page, size=len(data), images_ref=images_ref)
    finally:
        doc.close()


def _convert(doc: pymupdf.Document, warnings: list[str], *, name, pages, images_dir, page_markers, ocr, on_page,
             size: int, images_ref: str | None = None) -> Document:
    selected = parse_pages(pages, doc.page_count)
    total = len(selected)
    # pass 1: statistics over all pages, or a spread sample of long documents (kept for pass 2)
    if total <= SAMPLE_PAGES:
        sample = selected
    else:
        step = total / SAMPLE_PAGES
        sample = [selected[int(i * step)] for i in range(SAMPLE_PAGES)]
    cache: dict[int, PageData] = {}
    read: list[PageData] = []
    for pno in sample:
        pd = _safe_read(doc, pno, ocr, warnings)
        read.append(pd)
        if total <= SAMPLE_PAGES:
            cache[pno] = pd
    # --pages picks part of a document: a spread of the other pages joins the statistics, so the
    # body size and heading levels are the document's, not the selection's ("2 Method" alone on
    # page 5 stays an H2); their read problems are not the user's warnings, and no OCR for them
    selected_set = set(selected)
    others = [p for p in range(doc.page_count) if p not in selected_set]
    k = min(len(others), CONTEXT_PAGES, max(0, SAMPLE_PAGES - len(sample)))
    for i in range(k):
        read.append(_safe_read(doc, others[int(i * len(others) / k)], False, []))
    read.sort(key=lambda pd: pd.number)
    try:
        toc = doc.get_toc(simple=True)
    except Exception:
        toc = []
    st = gather_stats(read, toc, doc.page_count)
    del read

    em = Emitter(st, Path(images_dir) if images_dir else None, doc, page_markers)
    em.images_ref = images_ref
    scanned_notes = 0
    hidden_runs = 0
    ocr_failures: list[str] = []
    for done, pno in enumerate(selected, 1):
        pd = cache.pop(pno, None) or _safe_read(doc, pno, ocr, warnings)
        hidden_runs += pd.hidden
        if page_markers:
            em.page_marker(pno + 1)
        if pd.scanned and not pd.segs:
            scanned_notes += 1
            if ocr and pd.ocr_error:
                ocr_failures.append(pd.ocr_error)
                em.note(f"[page {pno + 1}: scanned image, OCR failed: {pd.ocr_error}]")
            elif ocr:
                em.note(f"[page {pno + 1}: scanned image, OCR found no text]")
            else:
                em.note(f"[page {pno + 1}: scanned image, no text layer; use --ocr]")
        else:
            for col in order_columns(_page_items(pd, st), pno, st.gutter):
                em.column(col)
        if on_page is not None:
            on_page(done, total)
    em.finish()

    meta = doc.metadata or {}
    title = (meta.get("title") or "").strip() or em.title
    author = (meta.get("author") or "").strip() or None
    if scanned_notes:
        warnings.append(f"{scanned_notes} page(s) are scanned images" + ("" if ocr else "; use --ocr to read them"))
    if hidden_runs:  # invisible text is a prompt-injection vector: say that some was there
        warnings.append(f"{hidden_runs} text run(s) drawn invisibly (white on white, under 1pt, covered, or render"
                        " mode 3 beside visible text) were left out")
    if ocr_failures:  # said in the front matter too, not only on the page: is tesseract installed?
        warnings.append(f"OCR failed on {len(ocr_failures)} page(s): {ocr_failures[0]}")
    if not any(b.strip() for b in em.blocks):  # an empty body must not look like a successful conversion
        warnings.append("no text found on the selected pages (damaged content, or text drawn as shapes)")
    front = ["---"]
    if title:
        front.append(f"title: {json.dumps(title, ensure_ascii=False)}")
    if author:
        front.append(f"author: {json.dumps(author, ensure_ascii=False)}")
    front.append(f"pages: {total}")
    if total != doc.page_count:
        front.append(f"page_count: {doc.page_count}")
        front.append(f"page_range: {json.dumps(pages)}")
    if warnings:
        front.append("warnings:")
        front += [f"  - {json.dumps(w, ensure_ascii=False)}" for w in dict.fromkeys(warnings)]
    front.append("---")
    body = "\n\n".join(b for b in em.blocks if b.strip())
    if "\u20dd" in body:  # LaTeX's \copyright: a 'c' under an enclosing-circle glyph from another font
        body = re.sub(r"[cC]\u20dd", "©", body)
    content = "\n".join(front) + "\n\n" + body + "\n"
    return Document(
        path=name or "document.pdf", content=content, title=title, kind="pdf", size=size,
        metadata={"pages": total, "page_count": doc.page_count, "author": author,
                  "warnings": list(dict.fromkeys(warnings)), "scanned_pages": scanned_notes},
    )


def _safe_read(doc: pymupdf.Document, pno: int, ocr: bool, warnings: list[str]) -> PageData:
    """One unreadable page becomes a note and a warning, not a failed document."""
    try:
        return read_page(doc, pno, ocr)
    except Exception as exc:
        warnings.append(f"page {pno + 1} could not be read: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
        return PageData(pno, [], [], [], 792.0, 612.0)
