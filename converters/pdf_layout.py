"""Page layout for the PDF converter: spans -> segments -> columns -> visual lines.

PyMuPDF's "dict" output is precise but low level: one visual line is often several "lines"
(justified LaTeX splits at stretched spaces, table cells are separate lines, a section number is
apart from its title). This module turns one page into an ordered list of columns, each a list of
visual lines, tables and images, in reading order. It knows nothing about markdown.

Reading order rule: find a vertical gutter that (almost) no text crosses; text wholly left or right
of it is column text, text crossing it is full width (title, abstract, wide figures). The page is
cut into horizontal bands at full-width items; inside a band the left column is read before the
right one. One rule covers one-column pages, two-column papers and mixed first pages.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from ._pymupdf import pymupdf
from .pdf_hidden import hidden_spans

#: font names that mean "code" even when the font does not set the monospace flag
#: (NimbusMonL / TeXGyreCursor / pcrr are the Courier clones of LaTeX and Ghostscript PDFs)
MONO_FONT = re.compile(r"mono|courier|consol|menlo|typewriter|inconsolata|sourcecode|fixed|^cmtt|^sfmono|code"
                       r"|nimbusmon|cursor|^pcr[rbo]|^txtt|^ectt|^rm-lmtt", re.I)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.I)
ITALIC_FONT = re.compile(r"italic|oblique", re.I)
#: private-use glyphs and control characters: unmapped math/symbol glyphs come out as these
#: (and the invisible ones that smuggle text: Unicode tag characters, bidi overrides and isolates)
BAD_CHARS = re.compile("[\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069]")
#: ligatures expanded by PyMuPDF when TEXT_PRESERVE_LIGATURES is off; kept here for fonts that map them
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st", "\u00a0": " ", "\u2002": " ", "\u2003": " "})
TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
#: spacing accents that TeX's \accent (and old PostScript drivers) draw as glyphs of their own over
#: the next letter: "And\u00b4en" must read "And\u00e9n"
_COMBINING = {"\u00b4": "\u0301", "\u02ca": "\u0301", "\u02cb": "\u0300", "\u00a8": "\u0308", "\u02c6": "\u0302",
              "\u02dc": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306", "\u02d9": "\u0307",
              "\u02da": "\u030a", "\u00af": "\u0304", "\u02dd": "\u030b", "\u02db": "\u0328", "`": "\u0300"}
_ACCENT = re.compile("([\u00b4\u02ca\u02cb\u00a8\u02c6\u02dc\u00b8\u02c7\u02d8\u02d9\u02da\u00af\u02dd\u02db])"
                     " ?([A-Za-z\u0131\u0237])|(?<=[A-Za-z])(`)([aeiouAEIOU])")
_ANY_ACCENT = re.compile("[\u00b4\u02ca\u02cb\u00a8\u02c6\u02dc\u00b8\u02c7\u02d8\u02d9\u02da\u00af\u02dd\u02db`]")


def _accent(m: re.Match) -> str:
    accent, letter = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    letter = {"\u0131": "i", "\u0237": "j"}.get(letter, letter)  # TeX accents dotless i and j
    return unicodedata.normalize("NFC", letter + _COMBINING[accent])


def compose_accents(spans: list) -> None:
    """Fold separately drawn accents into their letters (NFC), in place; code keeps its backticks."""
    for i, s in enumerate(spans):
        if s.mono or not _ANY_ACCENT.search(s.text):
            continue
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt is not None and not nxt.mono and s.text[-1:] in _COMBINING and s.text[-1:] != "`" and nxt.text[:1].isalpha():
            s.text, nxt.text = s.text[:-1], _accent(_ACCENT.match(s.text[-1] + nxt.text[0])) + nxt.text[1:]
        s.text = _ACCENT.sub(_accent, s.text)


class Span:
    """A run of text in one style, with its horizontal extent (for code indentation and links)."""

    __slots__ = ("text", "x0", "x1", "size", "bold", "italic", "mono", "link", "sans", "sup")

    def __init__(self, text: str, x0: float, x1: float, size: float, bold: bool, italic: bool, mono: bool):
        self.text, self.x0, self.x1, self.size = text, x0, x1, size
        self.bold, self.italic, self.mono = bold, italic, mono
        self.link: str | None = None
        #: a sans-serif face: headings set in another family than the text (Word/LibreOffice
        #: headings in a sans over a serif body) are told apart at the text's own size
        self.sans = False
        #: raised above the baseline (PyMuPDF's superscript flag): a footnote mark in the text
        self.sup = False


class Seg:
    """One PyMuPDF line: spans on one baseline with no big gap (a table cell, half a justified line)."""

    __slots__ = ("x0", "y0", "x1", "y1", "spans", "base")

    def __init__(self, x0: float, y0: float, x1: float, y1: float, spans: list[Span], base: float | None = None):
        self.x0, self.y0, self.x1, self.y1, self.spans = x0, y0, x1, y1, spans
        #: the baseline: box tops differ by font (a bold or a quote glyph sets them higher), the
        #: baselines of a listing's lines keep its grid exactly
        self.base = y1 if base is None else base

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


def _joined_spans(segs: list[Seg]) -> list[Span]:
    """The segments' spans left to right, a space span put where a gap parts two segments."""
    spans: list[Span] = []
    prev: Seg | None = None
    for seg in segs:
        if prev is not None and spans:
            size = seg.spans[0].size
            if (seg.x0 - prev.x1 > 0.12 * size and not spans[-1].text.endswith(" ")
                    and not seg.spans[0].text.startswith(" ")):
                spans.append(Span(" ", prev.x1, seg.x0, size, False, False, spans[-1].mono and seg.spans[0].mono))
        spans.extend(seg.spans)
        prev = seg
    return spans


def _cells(segs: list[Seg]) -> list[tuple[float, float, str]]:
    """Text runs separated by wide gaps: the cells of a borderless table, if the line is a row."""
    cells: list[list] = []
    for seg in segs:
        size = seg.spans[0].size
        if cells and seg.x0 - cells[-1][1] < 0.8 * size:
            cells[-1][1] = max(cells[-1][1], seg.x1)
            cells[-1][2] += (" " if not cells[-1][2].endswith(" ") else "") + seg.text
        else:
            cells.append([seg.x0, seg.x1, seg.text])
    return [(a, b, " ".join(t.split())) for a, b, t in cells]


def _dominant_size(spans: list[Span]) -> float:
    """The font size most of the line's characters are set in (the larger on a tie)."""
    weights: dict[float, int] = {}
    for s in spans:
        n = len(s.text.strip())
        if n:
            weights[s.size] = weights.get(s.size, 0) + n
    return max(weights, key=lambda k: (weights[k], k)) if weights else (spans[0].size if spans else 0.0)


class VLine:
    """A visual line inside one column: segments on the same baseline, joined left to right."""

    __slots__ = ("x0", "y0", "x1", "y1", "spans", "size", "page", "cells", "base")

    def __init__(self, segs: list[Seg], page: int):
        segs.sort(key=lambda s: s.x0)
        self.x0 = min(s.x0 for s in segs)
        self.x1 = max(s.x1 for s in segs)
        self.y0 = min(s.y0 for s in segs)
        self.y1 = max(s.y1 for s in segs)
        self.base = max(segs, key=lambda s: s.spans[0].size if s.spans else 0.0).base
        self.page = page
        self.spans = _joined_spans(segs)
        self.cells = _cells(segs)
        self.size = _dominant_size(self.spans)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


class _Placed:
    """Edges of ``bbox`` by name, for the things the reading order places (tables, images)."""

    bbox: tuple[float, float, float, float]

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def y0(self) -> float:
        return self.bbox[1]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    @property
    def y1(self) -> float:
        return self.bbox[3]


@dataclass
class Table(_Placed):
    """A detected table: rows of cell strings, how many of them are header rows, where it sits."""

    bbox: tuple[float, float, float, float]
    rows: list[list[str]]
    header_rows: int = 1
    page: int = 0
    caption: str = ""


@dataclass
class Image(_Placed):
    """An image on the page (xref for extraction) and its place in the reading order."""

    bbox: tuple[float, float, float, float]
    xref: int
    page: int = 0


@dataclass
class Column:
    """Items of one column of one band, top to bottom, and the column's text edges."""

    items: list = field(default_factory=list)  # VLine | Table | Image
    left: float = 0.0
    right: float = 0.0
    page: int = 0
    #: where most lines start and where running text ends (set by the emitter when first needed)
    text_left: float | None = None
    text_right: float | None = None


@functools.lru_cache(maxsize=4096)
def _font_style(font: str, flags: int) -> tuple[bool, bool, bool]:
    """(bold, italic, mono) from the span flags and the font name (memoized: names repeat a lot)."""
    return (bool(flags & 16) or bool(BOLD_FONT.search(font)),
            bool(flags & 2) or bool(ITALIC_FONT.search(font)),
            bool(flags & 8) or bool(MONO_FONT.search(font)))


SANS_FONT = re.compile(r"sans|arial|helvet|calibri|carlito|verdana|segoe|tahoma|roboto|lato|gothic|grotesk|"
                       r"frutiger|futura|myriad|gill|trebuchet|cmss|lmss", re.I)


@functools.lru_cache(maxsize=4096)
def is_sans(font: str) -> bool:
    return bool(SANS_FONT.search(font))


def link_rects(page: pymupdf.Page) -> list[tuple[pymupdf.Rect, str]]:
    return [(pymupdf.Rect(lk["from"]), lk["uri"]) for lk in page.get_links() if lk.get("uri")]


def _link_at(links: list[tuple[pymupdf.Rect, str]], bbox) -> str | None:
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    for rect, uri in links:
        if rect.x0 - 1 <= cx <= rect.x1 + 1 and rect.y0 - 2 <= cy <= rect.y1 + 2:
            return uri
    return None


def _page_text(page: pymupdf.Page, textpage) -> tuple[dict, float | None]:
    """The page's text dict, and the page's right edge when text past it is read too.

    A listing line longer than the text block runs past the page's right edge (LaTeX sets overfull
    verbatim lines in full); only such monospace ends are kept (:func:`_clip_at_edge`). A rotated
    page's text is placed unrotated: the clip by the page's edges is PyMuPDF's there."""
    if textpage is None and page.rotation == 0:
        r = page.rect
        d = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE,
                          clip=pymupdf.Rect(r.x0, r.y0, r.x1 + 4 * r.width, r.y1))
        return d, r.x1
    return page.get_text("dict", flags=TEXT_FLAGS, textpage=textpage), None


def _same_run(last: Span, s: dict, size: float, style: tuple[bool, bool, bool], x0: float, link: str | None,
              text: str, links: list | None) -> bool:
    """Does span ``s`` go on with ``last``: same style, touching, and the same link (text only)?
    A wide space, the skip after a list marker, stays apart: the text's own start is known then."""
    return (last.size == size and (last.bold, last.italic, last.mono) == style
            and x0 - last.x1 < 0.1 * size and last.sans == is_sans(s["font"])
            and not (last.text.isspace() and last.x1 - last.x0 > 0.5 * size * len(last.text))
            and (not links or last.link == link or not text.strip()))


def _line_spans(line: dict, hidden, links: list | None) -> tuple[list[Span], bool]:
    """The visible spans of a text line, same-style runs merged, and whether any text has accents."""
    spans: list[Span] = []
    accents = False
    for s in line["spans"]:
        text = s["text"]
        if not text or (hidden and id(s) in hidden):
            continue
        text = text.translate(LIGATURES)
        accents = accents or bool(_ANY_ACCENT.search(text))
        if BAD_CHARS.search(text):
            text = BAD_CHARS.sub("", text)
            if not text:
                continue
        bold, italic, mono = _font_style(s["font"], s["flags"] & 26)
        x0, _, x1, _ = s["bbox"]
        size = round(s["size"], 1)
        link = _link_at(links, s["bbox"]) if links and text.strip() else None
        last = spans[-1] if spans else None
        if last is not None and _same_run(last, s, size, (bold, italic, mono), x0, link, text, links):
            # PDFs that place glyph by glyph: one span per style run
            last.text += text
            last.x1 = x1
            continue
        spans.append(Span(text, x0, x1, size, bold, italic, mono))
        spans[-1].link = link
        spans[-1].sans = is_sans(s["font"])
        spans[-1].sup = bool(s["flags"] & 1)
    return spans, accents


def _clip_at_edge(spans: list[Span], edge: float) -> list[Span]:
    """A line running past the page's right edge: nothing when wholly off the page, kept whole
    when it is monospace (an overfull listing line), else prose cut where the page ends."""
    if not spans or spans[-1].x1 <= edge + 1:
        return spans
    if spans[0].x0 >= edge - 1:
        return []  # wholly off the page
    if not all(s.mono for s in spans if s.text.strip()):
        spans = [s for s in spans if s.x0 < edge - 1]  # prose is cut where the page ends
        if spans and spans[-1].x1 > edge:
            cut = spans[-1]
            keep = max(0, int(len(cut.text) * (edge - cut.x0) / max(1e-6, cut.x1 - cut.x0)))
            cut.text, cut.x1 = cut.text[:keep], edge
    return spans


def _line_box(line: dict, edge: float | None) -> tuple[float, float, float, float, float]:
    """(x0, y0, x1, y1, baseline) of a text line. Fonts with tall ascenders/descenders give boxes
    that overlap the next line; a box from the baseline and the size keeps lines apart and gaps
    comparable across fonts. The layout (columns, right edges) ends with the page."""
    x0, y0, x1, y1 = line["bbox"]
    if edge is not None:
        x1 = min(x1, edge)
    big = max(line["spans"], key=lambda sp: sp["size"])
    size, base = big["size"], big["origin"][1]
    if y1 - y0 > 1.3 * size and y0 <= base <= y1:
        y0, y1 = max(y0, base - 0.8 * size), min(y1, base + 0.25 * size)
    return x0, y0, x1, y1, base


def extract_segments(page: pymupdf.Page, textpage=None, links: list | None = None,
                     drawings: list | None = None, dropped: list | None = None) -> list[Seg]:
    """Horizontal text lines of the page as Segs (rotated text such as margin stamps is dropped).

    ``links`` (from :func:`link_rects`) keeps link text a span of its own: merged into the
    surrounding same-style run, "see the reference link here" lost its link. Given the page's
    ``drawings`` (``get_cdrawings()``), text drawn invisibly is left out (:mod:`.pdf_hidden`) and
    counted in ``dropped``; an OCR ``textpage`` is kept whole."""
    d, edge = _page_text(page, textpage)
    hidden = hidden_spans(page, d["blocks"], drawings) if textpage is None and drawings is not None else ()
    if hidden and dropped is not None:
        dropped.append(len(hidden))
    out: list[Seg] = []
    for block in d["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            dx, dy = line["dir"]
            if abs(dy) > 0.05 or dx < 0:
                continue
            spans, accents = _line_spans(line, hidden, links)
            if edge is not None:
                spans = _clip_at_edge(spans, edge)
            if not spans or not any(s.text.strip() for s in spans):
                continue
            if accents:
                compose_accents(spans)
            x0, y0, x1, y1, base = _line_box(line, edge)
            out.append(Seg(x0, y0, x1, y1, spans, base))
    return out


MIN_COLUMN = 100.0  # points (~20 characters of 10 pt text): narrowest column that holds running text


def find_gutter(boxes: list[tuple[float, float]], lo: float, hi: float,
                segs: list[Seg] | None = None) -> float | None:
    """The x of a vertical gutter between two columns, or None for a one-column page.

    Counts, for every x between 30% and 70% of the text width, how many segments cross it; runs
    of near-minimal crossing are candidates, longest first, and the first that parts two real
    columns wins: few segments cross, both sides hold a fair share of the text, and (with
    ``segs``, the boxes' segments) the lines right of it do not start with page numbers. That
    last test keeps the inner gap of a table of contents (titles | page numbers) from passing for
    the gutter beside it.
    """
    n = len(boxes)
    if n < 8:
        return None
    width = hi - lo
    start, stop = int(lo + 0.3 * width), int(lo + 0.7 * width)
    if stop - start < 4:
        return None
    diff = [0] * (stop - start + 2)
    for x0, x1 in boxes:
        a, b = max(int(x0) + 1, start), min(int(x1), stop)  # x in (x0, x1) crosses
        if a <= b:
            diff[a - start] += 1
            diff[b - start + 1] -= 1
    cross, run = [], 0
    for i in range(stop - start + 1):
        run += diff[i]
        cross.append(run)
    best = min(cross)
    if best > 0.3 * n:
        return None
    limit = best + (max(2, int(0.05 * n)) if segs is not None else 0)
    runs: list[tuple[int, int, float]] = []  # (max crossing, -length, mid)
    i = 0
    while i < len(cross):
        if cross[i] <= limit:
            j = i
            while j + 1 < len(cross) and cross[j + 1] <= limit:
                j += 1
            if j - i + 1 >= 3:
                runs.append((max(cross[i:j + 1]), -(j - i + 1), start + (i + j) / 2))
            i = j + 1
        else:
            i += 1
    for _, _, mid in sorted(runs)[:4]:
        if _columns_at(boxes, lo, hi, mid, segs):
            return mid
    return None


def _toc_left_of(boxes: list[tuple[float, float]], mid: float) -> bool:
    """A table of contents left of ``mid`` (beside an abstract, on first pages of LaTeX papers and
    manuals): its entries are split into number, title and page, but the page numbers end flush
    right, near the gutter."""
    ends = [round(x1) for _, x1 in boxes if x1 <= mid]
    edge = max(ends, default=0)
    return sum(1 for e in ends if abs(e - edge) <= 2) >= 5 and mid - edge <= 30


def _page_numbers_right_of(segs: list[Seg], mid: float) -> bool:
    """Most lines right of ``mid`` start with a page number: the inner gap of a table of contents
    (titles | page numbers), not a gutter."""
    first: dict[int, Seg] = {}  # the leftmost segment right of the gutter, per baseline
    for seg in segs:
        if seg.x0 >= mid:
            key = round(seg.y1 / 2)
            if key not in first or seg.x0 < first[key].x0:
                first[key] = seg
    numbers = sum(1 for seg in first.values() if _PAGE_REF.match(seg.text))
    return numbers >= 5 and numbers >= 0.3 * len(first)


def _columns_at(boxes: list[tuple[float, float]], lo: float, hi: float, mid: float, segs: list[Seg] | None) -> bool:
    """Do the boxes form two real columns on either side of ``mid``? (see :func:`find_gutter`)"""
    n = len(boxes)
    if mid - lo < MIN_COLUMN or hi - mid < MIN_COLUMN:
        return False  # too narrow for running text: the columns of a small table, not of the page
    rights = sorted(x1 for _, x1 in boxes)
    lefts = sorted(x0 for x0, _ in boxes)
    n_left = bisect.bisect_right(rights, mid)
    n_right = n - bisect.bisect_left(lefts, mid)
    if n_left < 0.2 * n or n_right < 0.2 * n:
        return False
    # real columns hold running text: lines that fill most of their column (table cells do not)
    wide_left = sum(1 for x0, x1 in boxes if x1 <= mid and x1 - x0 >= 0.6 * (mid - lo))
    wide_right = sum(1 for x0, x1 in boxes if x0 >= mid and x1 - x0 >= 0.6 * (hi - mid))
    if wide_left < 2 and not _toc_left_of(boxes, mid):
        return False
    if wide_right < 2:
        return False
    return not (segs is not None and (_page_numbers_right_of(segs, mid) or _code_annotations_right_of(segs, mid)))


_COMMENT_OPENER = re.compile(r"\s*(/\*|//|#|--|;|%|\(\*)")


def _code_annotations_right_of(segs: list[Seg], mid: float) -> bool:
    """Most segments right of ``mid`` go on a monospace line left of it, and open in monospace or
    with a comment: a listing's aligned values and comments (a C ``struct`` or ``enum`` with
    ``/* ... */`` set in roman, Texinfo @r{}), not a second column of running text."""
    code_bases = {round(s.base) for s in segs if s.x1 <= mid and all(sp.mono for sp in s.spans if sp.text.strip())}
    right = [s for s in segs if s.x0 >= mid]
    if not right or not code_bases:
        return False
    notes = 0
    for s in right:
        first = next((sp for sp in s.spans if sp.text.strip()), None)
        if first is not None and (round(s.base) in code_bases or round(s.base) - 1 in code_bases
                                  or round(s.base) + 1 in code_bases) and (first.mono or _COMMENT_OPENER.match(s.text)):
            notes += 1
    return notes >= 0.5 * len(right)


def find_sidebar(segs: list) -> float | None:
    """The x that parts a side column of smaller type from the main text, or None.

    A margin column (acmart's ``acmcp`` and Tufte-style layouts, Word sidebars) is too narrow
    and too far to one side for :func:`find_gutter`; it is told apart by its type, set smaller
    than all of the main text, its lines starting at one x, and almost nothing crossing over."""
    if len(segs) < 10:
        return None
    lo = min(s.x0 for s in segs)
    hi = max(s.x1 for s in segs)
    width = hi - lo
    size = {id(s): max(sp.size for sp in s.spans) for s in segs}
    starts: dict[int, int] = {}
    for s in segs:
        starts[round(s.x0)] = starts.get(round(s.x0), 0) + 1
    for x, n in sorted(starts.items()):
        if n < 5 or lo + 0.1 * width < x < lo + 0.6 * width:
            continue
        edge = _side_column_at(segs, x, x > lo + 0.5 * width, size)
        if edge is not None:
            return edge
    return None


def _side_column_at(segs: list, x: float, right: bool, size: dict[int, float]) -> float | None:
    """The edge of a side column whose lines start (right of the text) or end (left of it) at
    ``x``: nearly every line is on one side, and the side's type is smaller than the main text's."""
    side = [s for s in segs if (s.x0 >= x - 1 if right else s.x1 <= x + 1)]
    main = [s for s in segs if (s.x1 <= x - 4 if right else s.x0 >= x + 4)]
    if len(side) < 5 or len(main) < 5 or len(side) + len(main) < 0.9 * len(segs):
        return None
    main_sizes = sorted(size[id(s)] for s in main)
    body = main_sizes[len(main_sizes) // 2]
    if sum(1 for s in side if size[id(s)] <= 0.85 * body) < 0.85 * len(side):
        return None
    return x - 2 if right else max(s.x1 for s in side) + 2


def _fits_hint(text_boxes: list[tuple[float, float]], hint: float) -> bool:
    """Does the document's gutter part this page's text too (few boxes cross it, some on each side)?"""
    crossing = sum(1 for x0, x1 in text_boxes if x0 < hint - 2 < hint + 2 < x1)
    left = sum(1 for _, x1 in text_boxes if x1 <= hint)
    return bool(text_boxes) and crossing <= 0.3 * len(text_boxes) and bool(left) and left < len(text_boxes)


def _page_gutter(items: list, gutter_hint: float | None) -> float | None:
    """The x between the page's two columns (or beside its sidebar), or None for one column. A
    page whose columns are short (last page of a paper) still uses the document's gutter."""
    segs = [it for it in items if isinstance(it, Seg)]
    text_boxes = [(it.x0, it.x1) for it in segs]
    lo = min(it.x0 for it in items)
    hi = max(it.x1 for it in items)
    gutter = find_gutter(text_boxes, lo, hi, segs)
    if gutter is None and len(text_boxes) >= 10:
        gutter = find_sidebar(segs)
    if gutter is None and gutter_hint is not None and lo < gutter_hint < hi and _fits_hint(text_boxes, gutter_hint):
        gutter = gutter_hint
    return gutter


def _split_at_gutter(items: list, gutter: float, page_no: int) -> list[Column]:
    """Bands top-down: items left and right of the gutter make two columns (left first), an item
    across it makes a full-width band of its own that ends the columns above."""
    columns: list[Column] = []
    left: list = []
    right: list = []
    full: list = []

    def flush_cols() -> None:
        if left:
            columns.append(_column(left, page_no))
        if right:
            columns.append(_column(right, page_no))
        left.clear()
        right.clear()

    for it in items:
        if it.x1 > gutter + 1 and it.x0 < gutter - 1:  # across the gutter
            flush_cols()
            full.append(it)
            continue
        if full:
            columns.append(_column(list(full), page_no))
            full.clear()
        (left if it.x1 <= gutter + 1 else right).append(it)
    if full:
        columns.append(_column(list(full), page_no))
    flush_cols()
    return columns


def order_columns(items: list, page_no: int, gutter_hint: float | None = None) -> list[Column]:
    """Cut the page into bands and columns in reading order (see the module docstring)."""
    if not items:
        return []
    gutter = _page_gutter(items, gutter_hint)
    items = sorted(items, key=lambda it: (it.y0, it.x0))
    if gutter is None:
        return [_column(items, page_no)]
    return _split_at_gutter(items, gutter, page_no)


def _column(items: list, page_no: int) -> Column:
    segs = [it for it in items if isinstance(it, Seg)]
    others = [it for it in items if not isinstance(it, Seg)]
    lines = group_lines(segs, page_no)
    merged = sorted(lines + others, key=lambda it: (it.y0, it.x0))
    left = min((ln.x0 for ln in lines), default=min((o.x0 for o in others), default=0.0))
    right = max((ln.x1 for ln in lines), default=max((o.x1 for o in others), default=0.0))
    return Column(merged, left, right, page_no)


def group_lines(segs: list[Seg], page_no: int) -> list[VLine]:
    """Segments sharing a baseline (vertical overlap over half the smaller height) form a line."""
    segs = sorted(segs, key=lambda s: (round((s.y0 + s.y1) / 2, 1), s.x0))
    lines: list[list[Seg]] = []
    for seg in segs:
        placed = False
        for group in reversed(lines[-3:]):
            g0, g1 = min(s.y0 for s in group), max(s.y1 for s in group)
            overlap = min(g1, seg.y1) - max(g0, seg.y0)
            if overlap > 0.5 * min(g1 - g0, seg.y1 - seg.y0):
                group.append(seg)
                placed = True
                break
        if not placed:
            lines.append([seg])
    return [VLine(group, page_no) for group in lines]


def image_boxes(page: pymupdf.Page, page_no: int) -> list[Image]:
    """Images big enough to matter (icons and rules drawn as images are ignored)."""
    out = []
    area = abs(page.rect)
    seen = set()
    for info in page.get_image_info(xrefs=True):
        r = pymupdf.Rect(info["bbox"]) & page.rect
        if r.is_empty or r.width < 24 or r.height < 24 or abs(r) < 0.003 * area:
            continue
        key = (info.get("xref", 0), round(r.x0), round(r.y0))
        if key in seen:
            continue
        seen.add(key)
        out.append(Image((r.x0, r.y0, r.x1, r.y1), info.get("xref", 0), page_no))
    return out


def image_coverage(page: pymupdf.Page) -> float:
    """Share of the page area covered by its largest image (a scanned page is one big image)."""
    area = abs(page.rect) or 1.0
    best = 0.0
    for info in page.get_image_info():
        r = pymupdf.Rect(info["bbox"]) & page.rect
        if not r.is_empty:
            best = max(best, abs(r) / area)
    return best


class _Baselines:
    """Text segments indexed by height on the page: which one follows a number on its baseline."""

    def __init__(self, text: list[Seg]):
        self.text = sorted(text, key=lambda t: t.y0)
        self.y0s = [t.y0 for t in self.text]

    def beside(self, n: Seg, reach: float) -> Seg | None:
        """The nearest segment starting right of ``n`` (within ``reach``) on its baseline."""
        mid = (n.y0 + n.y1) / 2
        lo = bisect.bisect_left(self.y0s, mid - 40)
        hi = bisect.bisect_right(self.y0s, mid)
        best = None
        for t in self.text[lo:hi]:
            if t.y1 >= mid and 0 <= t.x0 - n.x1 <= reach and (best is None or t.x0 < best.x0):
                best = t
        return best


def _entry_numbers(group: list[Seg], lines: _Baselines) -> bool:
    """Numbers set in the very style of the text beside them on their baseline: the numbers of
    numbered entries (a table of contents, a numbered list), not line numbers in a margin."""
    same = 0
    for n in group:
        t = lines.beside(n, 30)
        if t is not None:
            a, b = n.spans[0], t.spans[0]
            same += abs(a.size - b.size) < 0.3 and a.bold == b.bold and a.mono == b.mono
    return same >= 0.8 * len(group)


def _numbering_lines(group: list[Seg], lines: _Baselines, median: float) -> bool:
    """Numbers set smaller than the text, each followed on its baseline by a line of text: the
    line numbers of a listing (LaTeX ltxdoc macrocode, listings ``numbers=left``), not a margin."""
    if max(sp.size for s in group for sp in s.spans) > median - 1.0:
        return False
    followed = sum(1 for n in group if lines.beside(n, 4 * median) is not None)
    return followed >= 0.8 * len(group)


@dataclass
class PageData:
    """What pass 1 keeps of one page: text segments, tables, images, and whether it is a scan."""

    number: int
    segs: list[Seg]
    tables: list[Table]
    images: list[Image]
    height: float
    width: float
    scanned: bool = False
    ocr_error: str | None = None
    hidden: int = 0  # text runs left out as invisible (pdf_hidden)


_PAGE_REF = re.compile(r"^\s*(\d{1,4}|[ivxlc]{1,6})\s*$")
_LINE_NUMBER = re.compile(r"^\s*\d{1,5}\s*$")


def _number_groups(numbers: list[Seg]) -> list[list[Seg]]:
    """Numbers that line up: right-aligned (lineno) or left-aligned, 6 pt buckets."""
    groups: dict[tuple[str, int], list[Seg]] = {}
    for s in numbers:
        groups.setdefault(("right", round(s.x1 / 6)), []).append(s)
        groups.setdefault(("left", round(s.x0 / 6)), []).append(s)
    return list(groups.values())


def _counts_up(group: list[Seg]) -> bool:
    """Top-down, the numbers mostly increase, by one step: line numbers count in one step (1, or 5
    when every fifth is printed); the page numbers of a table of contents jump irregularly."""
    values = [int(s.text) for s in group]
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    increasing = sum(1 for d in steps if d > 0) >= 0.8 * len(steps)
    regular = max(steps.count(d) for d in set(steps)) >= 0.8 * len(steps)
    return increasing and regular


def _text_frame(text: list[Seg]) -> tuple[float, float, float]:
    """Where the text's lines start and end (10th percentiles: a few outliers do not move them),
    and its median font size."""
    left = sorted(s.x0 for s in text)[len(text) // 10]
    right = sorted(s.x1 for s in text)[-(len(text) // 10) - 1]
    sizes = sorted(sp.size for s in text for sp in s.spans)
    return left, right, sizes[len(sizes) // 2]


def drop_line_numbers(segs: list[Seg]) -> list[Seg]:
    """Remove the line numbers of a draft manuscript (a column of increasing numbers in a margin).

    Without this each number becomes the first word of its line and breaks lists and headings.
    """
    numbers = [s for s in segs if _LINE_NUMBER.match(s.text)]
    if len(numbers) < 5:
        return segs
    groups = _number_groups(numbers)
    text = [s for s in segs if not _LINE_NUMBER.match(s.text)]
    if not text:
        return segs
    left, right, median = _text_frame(text)
    drop: set[int] = set()
    lines: _Baselines | None = None
    for group in groups:
        if len(group) < 5 or all(id(s) in drop for s in group):
            continue
        group.sort(key=lambda s: s.y0)
        if not _counts_up(group):
            continue
        lines = lines or _Baselines(text)
        in_margin = all(s.x1 <= left + 2 for s in group) or all(s.x0 >= right - 2 for s in group)
        if (in_margin or _numbering_lines(group, lines, median)) and not _entry_numbers(group, lines):
            drop.update(id(s) for s in group)
    return [s for s in segs if id(s) not in drop] if drop else segs
