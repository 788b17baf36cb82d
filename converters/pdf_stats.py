"""Per-document statistics for the PDF converter: body size, heading styles, page furniture.

Pass 1 of :func:`llmingest.converters.pdf.convert` reads every page (or a spread sample of a long
document) and this module turns what it saw into a :class:`Stats`: which (size, bold) styles are
heading levels, which lines repeat in the margins or at one place on most pages (running heads,
page numbers, sidebars) and so are dropped, where the usual column gutter is, and the outline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .pdf_layout import PageData, Seg, Table, VLine, find_gutter

PAGE_NUMBER = re.compile(r"^\W*(page\s*)?(\d{1,5}|[ivxlc]{1,6})(\s*(of|/)\s*\d+)?\W*$", re.I)
SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")
#: how running text ends; a question ("2.1 What is R?") is still a heading shape
SECTION_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?(?:\s|$)")
_WORD = re.compile(r"[A-Za-z]{2,}")
#: what a heading has: a word, or a version or date ("23.2.0 - 2023-12-31" in a changelog)
HEADING_TEXT = re.compile(r"[A-Za-z]|\d+[.\-/]\d+[.\-/]\d+")
HEADING_END = re.compile(r"[.!:;,]['\")\]]?$")


def margin_key(seg: Seg, height: float) -> tuple[str, str] | None:
    if seg.y1 < 0.1 * height:
        zone = "top"
    elif seg.y0 > 0.9 * height:
        zone = "bottom"
    else:
        return None
    text = re.sub(r"\d+", "#", " ".join(seg.text.lower().split()))
    return zone, text


def exact_margin_key(seg: Seg, key: tuple[str, str]) -> tuple[str, str]:
    return key[0], " ".join(seg.text.split())


def place_key(seg: Seg) -> tuple[str, str]:
    text = " ".join(seg.text.split())  # exact text: "Page 3 of ..." in the body is content
    return "place", f"{round(seg.x0 / 3)}:{round(seg.y0 / 3)}:{text}"


def table_key(t: Table) -> tuple[str, str]:
    return "table", f"{round(t.x0 / 3)}:{round(t.y0 / 3)}:{'|'.join(t.rows[0])}"


def _style(span_or_line) -> tuple[float, bool]:
    return round(span_or_line.size * 2) / 2, bool(getattr(span_or_line, "bold", False))


def line_style(line: VLine | Seg) -> tuple[float, bool] | None:
    """The (size, bold) of at least 90% of a line's characters (a footnote mark does not count), else None.

    Monospace spans count for their size only: a heading with inline code ("4.2 The function
    ``tapply()`` and ragged arrays", Texinfo @code in @section) keeps its bold style."""
    weights: Counter = Counter()
    mono: Counter = Counter()
    for s in line.spans:
        n = len(s.text.strip())
        if n:
            if s.mono:
                mono[round(s.size * 2) / 2] += n
            else:
                weights[(round(s.size * 2) / 2, s.bold)] += n
    if not weights:
        return None
    style, n = weights.most_common(1)[0]
    n += mono.get(style[0], 0)
    return style if n >= 0.9 * (sum(weights.values()) + sum(mono.values())) else None


def loose_style(line: VLine | Seg) -> tuple[float, bool] | None:
    """The style of a line whose first span and at least 60% of its letters share it.

    For headings that mix small caps or a logo font ("2.1 New B\u026aB T\u1d07X features" in LaTeX
    documents that set BibTeX with \\textsc and lowered letters): the strict style is None there."""
    weights: Counter = Counter()
    first = None
    for s in line.spans:
        n = len(s.text.strip())
        if n:
            key = (round(s.size * 2) / 2, s.bold)
            weights[key] += n
            first = first or key
    if not weights:
        return None
    style, n = weights.most_common(1)[0]
    return style if style == first and n >= 0.6 * sum(weights.values()) else None


def edge_keys(pd: PageData) -> dict[int, tuple[str, str]]:
    """Keys of the lines at the very top and bottom of a page when a wide gap sets them apart.

    Running heads and folios sit apart from the text block but not always inside the 10% page
    margins (LaTeX article footers at 85% of the page, Texinfo heads at 10.1%): these keys say
    "this place and style" so that a head whose text changes per chapter still repeats."""
    segs = [s for s in pd.segs if s.spans]
    if len(segs) < 3:
        return {}
    out: dict[int, tuple[str, str]] = {}
    for zone in ("top", "bottom"):
        # linear scans, no sorting: this runs twice per page
        edge = min(segs, key=lambda s: s.y0) if zone == "top" else max(segs, key=lambda s: s.y1)
        band = [s for s in segs if min(s.y1, edge.y1) - max(s.y0, edge.y0) > 0.5 * min(s.y1 - s.y0, edge.y1 - edge.y0)]
        if len(band) == len(segs):
            continue
        ids = {id(s) for s in band}
        h = max(s.y1 - s.y0 for s in band)
        if zone == "top":
            gap = min(s.y0 for s in segs if id(s) not in ids) - max(s.y1 for s in band)
            inside = max(s.y1 for s in band) < 0.2 * pd.height
        else:
            gap = min(s.y0 for s in band) - max(s.y1 for s in segs if id(s) not in ids)
            inside = min(s.y0 for s in band) > 0.8 * pd.height
        if not inside or gap < 1.5 * h:
            continue
        size = max(sp.size for s in band for sp in s.spans)
        for s in band:
            out[id(s)] = ("edge", f"{zone}:{round(edge.y0 / 3)}:{size:.1f}")
    return out


def norm_title(text: str) -> str:
    text = re.sub(r"^\s*(\d+(\.\d+)*\.?|[A-Z]\.)\s+", "", text)
    return re.sub(r"[^0-9a-z]+", "", text.lower())


@dataclass
class Stats:
    body_size: float = 10.0
    levels: dict[tuple[float, bool], int] = field(default_factory=dict)
    numbered_level: int = 0  # level for numbered bold body-size headings (0: none)
    #: a heading style shared by unnumbered titles and numbered sections of depth split_depth
    #: (see gather_stats): its numbered lines are one level below its unnumbered ones
    split_style: tuple[float, bool] | None = None
    split_depth: int = 0
    remove: set[tuple[str, str]] = field(default_factory=set)
    gutter: float | None = None
    toc: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    toc_offset: int = 0
    #: margin lines whose exact text (digits included) repeats: running heads, not per-page headings
    exact_margins: set[tuple[str, str]] = field(default_factory=set)
    #: (size, bold) styles of the lines that match the outline, with their outline level: headings
    #: the outline leaves out (Texinfo @heading, a licence's "Preamble") are found by their style
    toc_styles: dict[tuple[float, bool], int] = field(default_factory=dict)
    #: the running text is set in a sans-serif face
    body_sans: bool = False
    #: short bold lines at the text's size in the other family (sans over a serif text or the
    #: reverse): Word/LibreOffice "Heading 3" at the body size; two or more make it a heading style
    family_heads: int = 0
    #: words seen inside lines (not first or last on a line, where hyphenation cuts them): tells
    #: "dataclass-" + "like" (both words here, "dataclasslike" not) from "docu-" + "ment"
    words: Counter = field(default_factory=Counter)
    #: where running text ends in a one-column document (95th percentile of long prose lines'
    #: right edges; None with two columns or little prose): a page of code has no edge of its own
    text_right: float | None = None
    #: how far right of the running text most listing lines start (Texinfo's @example: 0.4in;
    #: LaTeX, Sphinx, Word: 0), None when the document has few listing lines
    listing_indent: float | None = None
    #: the running text's usual left edge over the pages (where listing_indent is measured from)
    text_left: float | None = None


@dataclass
class _Tally:
    """What :func:`gather_stats` counts over every page before it decides anything."""

    first: int = 0  # number of the first page read (its title may be loosely styled)
    chars: Counter = field(default_factory=Counter)  # characters per (size, bold, ...) style
    sans_chars: Counter = field(default_factory=Counter)  # regular text characters: sans or serif
    rights: list[float] = field(default_factory=list)  # right edges of long lines
    bold_family: Counter = field(default_factory=Counter)  # short bold lines per (size, sans)
    short: Counter = field(default_factory=Counter)  # short unterminated lines per style
    lines: Counter = field(default_factory=Counter)  # heading-like lines per style
    margins: Counter = field(default_factory=Counter)  # pages each margin/place/table key is on
    gutters: Counter = field(default_factory=Counter)  # pages per column gutter position
    first_page_styles: set = field(default_factory=set)
    toc_hits: dict[tuple[float, bool], Counter] = field(default_factory=dict)  # outline levels per style
    depths: dict[tuple[float, bool], Counter] = field(default_factory=dict)  # section-number depths per style
    unnumbered: Counter = field(default_factory=Counter)
    pages_of: Counter = field(default_factory=Counter)  # pages each style is on
    listing_x: Counter = field(default_factory=Counter)  # monospace line starts right of the page's text
    lefts: Counter = field(default_factory=Counter)  # pages per running-text left edge


def _read_toc(st: Stats, toc: list) -> None:
    """The outline's normalised titles and levels by page index (only an outline of 3+ entries)."""
    if toc and len(toc) >= 3:
        for level, title, page in toc:
            if page >= 1 and title.strip():
                st.toc.setdefault(page - 1, []).append((norm_title(title), int(level)))


def _tally_heading_line(t: _Tally, st: Stats, seg: Seg, style, pd: PageData, entries: list, edges: dict,
                        seen_here: set) -> None:
    """Count one heading-like line of ``style``: outline match, pages, short, bold family, numbering."""
    if entries and id(seg) not in edges:
        key = norm_title(seg.text)
        level = next((lv for title, lv in entries if key and (key == title or (len(key) >= 6 and title.startswith(key)))),
                     None)
        if level is not None:
            t.toc_hits.setdefault(style, Counter())[level] += 1
    t.lines[style] += 1
    if style not in seen_here:
        seen_here.add(style)
        t.pages_of[style] += 1
    words = seg.text.split()
    if len(words) >= 8:
        t.rights.append(seg.x1)
    if style[1] and len(words) <= 10 and not HEADING_END.search(seg.text.strip()):
        fams = {s.sans for s in seg.spans if s.text.strip() and not s.mono}
        if len(fams) == 1:
            t.bold_family[(style[0], fams.pop())] += 1
    if len(words) <= 14 and not HEADING_END.search(seg.text.strip()):
        t.short[style] += 1
        m = SECTION_NUMBER.match(seg.text)
        if m:
            t.depths.setdefault(style, Counter())[m.group(1).count(".") + 1] += 1
        else:
            t.unnumbered[style] += 1
        if pd.number == t.first:
            t.first_page_styles.add(style)


def _tally_page(t: _Tally, st: Stats, pd: PageData) -> None:
    """Count one page: its furniture keys, word and style characters, heading-like lines, gutter."""
    keys = set()
    seen_here: set = set()
    entries = (st.toc.get(pd.number, []) + st.toc.get(pd.number - 1, [])) if st.toc else []
    edges = edge_keys(pd)
    keys.update(edges.values())
    for tb in pd.tables:
        keys.add(table_key(tb))
    for seg in pd.segs:
        k = margin_key(seg, pd.height)
        if k:
            keys.add(k)
            keys.add(("exact", exact_margin_key(seg, k)))
        keys.add(place_key(seg))
        if all(s.mono for s in seg.spans if s.text.strip()):
            continue
        inner = _WORD.findall(seg.text)[1:-1]
        if inner:
            st.words.update(w.lower() for w in inner)
        for s in seg.spans:
            t.chars[_style(s)] += len(s.text.strip())
            if not s.bold and not s.mono:
                t.sans_chars[s.sans] += len(s.text.strip())
        style = line_style(seg)
        if style is None and pd.number == t.first:
            style = loose_style(seg)  # a title with small caps or a logo ("BIBTEXing")
        if style is None:
            continue
        if not HEADING_TEXT.search(seg.text):
            continue
        _tally_heading_line(t, st, seg, style, pd, entries, edges, seen_here)
    t.margins.update(keys)
    _tally_listing_x(t, pd)
    if len(pd.segs) >= 8:
        g = find_gutter([(s.x0, s.x1) for s in pd.segs], min(s.x0 for s in pd.segs), max(s.x1 for s in pd.segs))
        if g is not None:
            t.gutters[round(g / 4) * 4] += 1


def _tally_listing_x(t: _Tally, pd: PageData) -> None:
    """Where the page's monospace lines start, measured from its running text's left edge (the
    leftmost start of three or more prose lines)."""
    starts: Counter = Counter()
    mono: list[float] = []
    for seg in pd.segs:
        spans = [s for s in seg.spans if s.text.strip()]
        if not spans:
            continue
        if all(s.mono for s in spans):
            mono.append(seg.x0)
        else:
            starts[round(seg.x0)] += 1
    left = next((x for x in sorted(starts) if starts[x] >= 3), None)
    if left is not None:
        t.lefts[left] += 1
        t.listing_x.update(round((x - left) * 2) / 2 for x in mono)


def _page_furniture(st: Stats, t: _Tally, n: int) -> None:
    """Repeated keys to remove, exact running heads, the column gutter and the text's right edge."""
    # running heads and feet repeat in the margins; other page furniture (a sidebar, a logo
    # line, a "quick links" box) repeats at the same place on most pages
    st.remove = {k for k, c in t.margins.items()
                 if k[0] != "exact" and c >= (max(2, 0.25 * n) if k[0] in ("top", "bottom")
                                              else max(3, 0.4 * n) if k[0] == "edge" else max(3, 0.5 * n))}
    st.exact_margins = {k[1] for k, c in t.margins.items() if k[0] == "exact" and c >= 2}
    if t.gutters:
        g, c = t.gutters.most_common(1)[0]
        if c >= max(2, 0.3 * n):
            st.gutter = float(g)
    if t.rights and len(t.rights) >= 10 and st.gutter is None:
        t.rights.sort()
        st.text_right = t.rights[int(0.95 * (len(t.rights) - 1))]


def _body_style(st: Stats, t: _Tally) -> None:
    """The running text's size and family; edge keys set bigger than the text are kept (titles)."""
    chars = t.chars
    body = max(((k, v) for k, v in chars.items() if not k[1]), key=lambda kv: (kv[1], -kv[0][0]), default=None)
    st.body_size = body[0][0] if body else chars.most_common(1)[0][0][0]
    st.body_sans = t.sans_chars[True] > t.sans_chars[False]
    st.family_heads = t.bold_family[(round(st.body_size * 2) / 2, not st.body_sans)]
    # a line apart at the page edge, at one place on many pages, is a running head or folio when it
    # is not set bigger than the text (a chapter title opening each page is bigger)
    st.remove = {k for k in st.remove if k[0] != "edge" or float(k[1].rsplit(":", 1)[1]) <= 1.2 * st.body_size}


def _heading_levels(st: Stats, t: _Tally) -> None:
    """Heading styles, biggest first, as levels 1-5; the level of numbered body-size headings."""
    chars, short, lines = t.chars, t.short, t.lines
    total = sum(chars.values())
    cands = [k for k in short if k[0] >= st.body_size + 1.0 and short[k] >= 0.6 * lines[k]
             and (chars[k] < 0.3 * total or short[k] == lines[k] <= 3)]
    if cands:
        biggest = max(k[0] for k in cands)
        # regular-weight heading styles (Word's and LibreOffice's "Heading 1/2" in a light face):
        # clearly bigger, every line short, used on more than one page, a small share of the text
        light = {k for k in cands if not k[1] and k[0] >= st.body_size + 2.0 and short[k] == lines[k] >= 2
                 and t.pages_of[k] >= 2 and chars[k] < 0.1 * total}
        cands = [k for k in cands if k[1] or k in light
                 or (k[0] == biggest and k in t.first_page_styles and short[k] <= 3)]
    cands.sort(key=lambda k: (-k[0], not k[1]))
    for i, k in enumerate(cands[:5]):
        st.levels[k] = i + 1
    st.numbered_level = min(6, len(st.levels) + 1)


def _split_numbered(st: Stats, t: _Tally) -> None:
    """One style for unnumbered chapter titles and numbered sections "1.1" (Sphinx manuals, whose
    chapter number sits in a "CHAPTER ONE" label): no heading anywhere is numbered "1", so the
    unnumbered titles are the parents and the "1.1" headings go one level down."""
    present = {d for c in t.depths.values() for d in c}
    for style, level in sorted(st.levels.items(), key=lambda kv: kv[1]):
        ds = t.depths.get(style)
        if ds and t.unnumbered[style] and min(ds) >= 2 and min(ds) - 1 not in present:
            st.split_style, st.split_depth = style, min(ds)
            st.levels = {k: (v + 1 if v > level else v) for k, v in st.levels.items()}
            st.numbered_level = min(6, st.numbered_level + 1)
            break


def _outline_styles(st: Stats, t: _Tally) -> None:
    """Styles whose lines match one outline level; a title set above the outline's level 1 keeps its H1."""
    for style, hits in t.toc_hits.items():
        level, c = hits.most_common(1)[0]
        if (sum(hits.values()) >= 2 and c >= 0.8 * sum(hits.values()) and style != (st.body_size, False)
                and (style[1] or style[0] >= st.body_size + 1.0)):
            st.toc_styles[style] = level
    top = [k for k in st.levels if st.levels[k] == 1]
    st.toc_offset = 1 if top and top[0] in t.first_page_styles and t.short[top[0]] <= 2 else 0
    st.levels = {k: v for k, v in st.levels.items() if v == 1 and st.toc_offset}


def gather_stats(pages: list[PageData], toc: list, page_count: int) -> Stats:
    """The document's styles and furniture, counted over every page before any is emitted."""
    st = Stats()
    t = _Tally(first=pages[0].number if pages else 0)
    _read_toc(st, toc)
    for pd in pages:
        _tally_page(t, st, pd)
    _page_furniture(st, t, max(1, len(pages)))
    if t.listing_x:
        x, c = t.listing_x.most_common(1)[0]
        if c >= 10 and c >= 0.15 * sum(t.listing_x.values()):
            st.listing_indent = x
            st.text_left = float(t.lefts.most_common(1)[0][0])
    if not t.chars:
        return st
    _body_style(st, t)
    _heading_levels(st, t)
    _split_numbered(st, t)
    if st.toc:
        _outline_styles(st, t)
    return st
