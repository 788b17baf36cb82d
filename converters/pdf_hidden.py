"""Text a PDF page carries but never shows: found so it can be dropped (a prompt-injection vector).

Four ways, each read from what the page already gives us, cheap first:

* render mode 3 (neither filled nor stroked): PyMuPDF's span ``char_flags`` has neither the
  filled (16) nor the stroked (32) bit, or ``alpha`` is 0. An OCR'd scan's text layer is drawn
  this way and *is* the content, so it stays when the page is an image scan: a big image under
  the text and (almost) no visible text beside it;
* tiny text: under 1pt;
* text in the colour of what is behind it: the filled rectangle under it, else the white page
  (white text over an image is left alone: the image may be dark);
* text under an opaque box: a filled rectangle drawn *after* the text covering it. Which came
  first needs the drawing order, so ``page.get_texttrace()`` (about as costly as the text
  extraction itself) runs only on pages where a filled box overlaps text at all.

The rectangles come from ``page.get_cdrawings()``, which the table finder reads anyway.
"""

from __future__ import annotations

import functools

from .html_css import contrast

__all__ = ["hidden_spans", "filled_boxes"]

FILLED, STROKED = 16, 32  # FZ_STEXT_FILLED, FZ_STEXT_STROKED in a span's char_flags
TINY = 1.0  # pt
FAINT_CONTRAST = 1.1
MAX_BOXES = 200  # pages drawn as thousands of filled cells (heat maps): no colour or cover checks
OCR_VISIBLE_SHARE = 0.1  # an OCR layer is kept when visible text is under this share of it
OCR_IMAGE_COVER = 0.5

Box = tuple[float, float, float, float, tuple[float, float, float, float], int]  # x0, y0, x1, y1, rgba, seqno


def filled_boxes(drawings: list[dict]) -> list[Box]:
    """Opaque filled rectangles (a page's backgrounds and covers), in drawing order."""
    out: list[Box] = []
    for d in drawings:
        fill = d.get("fill")
        if fill is None or (d.get("fill_opacity") or 1.0) < 0.95 or "f" not in (d.get("type") or ""):
            continue
        items = d.get("items") or ()
        if not items or any(it[0] not in ("re", "qu") for it in items):
            continue
        x0, y0, x1, y1 = d["rect"]
        if x1 - x0 < 3 or y1 - y0 < 3:  # rules and underlines drawn as thin boxes cover no text
            continue
        rgb = tuple(float(c) * 255 for c in (tuple(fill) + (0.0, 0.0, 0.0))[:3])
        out.append((x0, y0, x1, y1, (rgb[0], rgb[1], rgb[2], 1.0), int(d.get("seqno", 0))))
    return out


def _rgba(color: int) -> tuple[float, float, float, float]:
    return (float((color >> 16) & 255), float((color >> 8) & 255), float(color & 255), 1.0)


@functools.lru_cache(maxsize=256)
def _faint_on(color: int, background: tuple[float, float, float, float] = (255.0, 255.0, 255.0, 1.0)) -> bool:
    """The sRGB colour ``color`` drawn on ``background`` has no readable contrast (memoized: a page
    uses a handful of colours)."""
    return contrast(_rgba(color), background) < FAINT_CONTRAST


def _invisible(span: dict) -> bool:
    if span.get("alpha", 255) == 0:
        return True
    flags = span.get("char_flags")
    return isinstance(flags, int) and not flags & (FILLED | STROKED)


def _under(span: dict, boxes: list[Box]) -> list[Box]:
    """Boxes that cover the span's text line (its middle band, end to end)."""
    x0, y0, x1, y1 = span["bbox"]
    cy = (y0 + y1) / 2
    band = 0.25 * (y1 - y0)
    return [b for b in boxes if b[0] - 1 <= x0 + 0.5 and x1 - 0.5 <= b[2] + 1 and b[1] <= cy - band and cy + band <= b[3]]


def _over_image(span: dict, images: list) -> bool:
    x0, y0, x1, y1 = span["bbox"]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in images)


def _image_rects(page) -> list:
    try:
        return [tuple(info["bbox"]) for info in page.get_image_info()]
    except Exception:
        return []


def _text_seqno(span: dict, trace: list[dict]) -> int | None:
    """When the span was drawn: the latest trace span whose box holds the span's centre."""
    x0, y0, x1, y1 = span["bbox"]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    found = [t["seqno"] for t in trace if t["bbox"][0] - 1 <= cx <= t["bbox"][2] + 1
             and t["bbox"][1] - 1 <= cy <= t["bbox"][3] + 1]
    return max(found) if found else None


def hidden_spans(page, blocks: list[dict], drawings: list[dict]) -> set[int]:
    """``id()`` of each span in ``blocks`` (``get_text("dict")`` blocks) that a reader cannot see."""
    spans = [s for b in blocks if b.get("type") == 0 for line in b["lines"] for s in line["spans"]
             if s["text"].strip()]
    if not spans:
        return set()
    hidden: set[int] = set()
    invisible = [s for s in spans if _invisible(s)]
    if invisible:
        shown = sum(len(s["text"].strip()) for s in spans if not _invisible(s))
        layer = sum(len(s["text"].strip()) for s in invisible)
        images = _image_rects(page) if shown <= OCR_VISIBLE_SHARE * layer else []
        area = abs(page.rect) or 1.0
        scan = any((r[2] - r[0]) * (r[3] - r[1]) >= OCR_IMAGE_COVER * area for r in images)
        for s in invisible:
            if not (scan and _over_image(s, images)):
                hidden.add(id(s))
    boxes = filled_boxes(drawings)
    if len(boxes) > MAX_BOXES:
        boxes = []
    images: list | None = None
    trace: list[dict] | None = None
    for s in spans:
        if id(s) in hidden:
            continue
        x0, y0, x1, y1 = s["bbox"]
        if s["size"] < TINY and y1 - y0 < 2 * TINY + 0.5:
            hidden.add(id(s))
            continue
        color = s.get("color", 0)
        under = _under(s, boxes) if boxes else []
        if not under:
            if _faint_on(color):
                images = _image_rects(page) if images is None else images
                if not _over_image(s, images):
                    hidden.add(id(s))
            continue
        if trace is None:
            try:
                trace = page.get_texttrace()
            except Exception:
                trace = []
        seqno = _text_seqno(s, trace)
        if seqno is None:
            continue
        if any(b[5] > seqno for b in under):
            hidden.add(id(s))  # a box drawn over the text
            continue
        behind = max(under, key=lambda b: b[5])
        if _faint_on(color, behind[4]):
            hidden.add(id(s))
    return hidden
