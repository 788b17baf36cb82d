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
    """The (size, bold) of at least 90% of a line's characters (a footnote mark does not count), else None."""
    weights: Counter = Counter()
    for s in line.spans:
        n = len(s.text.strip())
        if n:
            weights[(round(s.size * 2) / 2, s.bold)] += n
    if not weights:
        return None
    style, n = weights.most_common(1)[0]
    return style if n >= 0.9 * sum(weights.values()) else None


def norm_title(text: str) -> str:
    text = re.sub(r"^\s*(\d+(\.\d+)*\.?|[A-Z]\.)\s+", "", text)
    return re.sub(r"[^0-9a-z]+", "", text.lower())


@dataclass
class Stats:
    body_size: float = 10.0
    levels: dict[tuple[float, bool], int] = field(default_factory=dict)
    numbered_level: int = 0  # level for numbered bold body-size headings (0: none)
    remove: set[tuple[str, str]] = field(default_factory=set)
    gutter: float | None = None
    toc: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    toc_offset: int = 0
    #: margin lines whose exact text (digits included) repeats: running heads, not per-page headings
    exact_margins: set[tuple[str, str]] = field(default_factory=set)


def gather_stats(pages: list[PageData], toc: list, page_count: int) -> Stats:
    st = Stats()
    chars: Counter = Counter()
    short: Counter = Counter()
    lines: Counter = Counter()
    margins: Counter = Counter()
    gutters: Counter = Counter()
    first_page_styles: set = set()
    first = pages[0].number if pages else 0
    for pd in pages:
        keys = set()
        for t in pd.tables:
            keys.add(table_key(t))
        for seg in pd.segs:
            k = margin_key(seg, pd.height)
            if k:
                keys.add(k)
                keys.add(("exact", exact_margin_key(seg, k)))
            keys.add(place_key(seg))
            if all(s.mono for s in seg.spans if s.text.strip()):
                continue
            for s in seg.spans:
                chars[_style(s)] += len(s.text.strip())
            style = line_style(seg)
            if style is None:
                continue
            if not re.search(r"[A-Za-z]", seg.text):
                continue
            lines[style] += 1
            words = seg.text.split()
            if len(words) <= 14 and not SENTENCE_END.search(seg.text.strip()):
                short[style] += 1
                if pd.number == first:
                    first_page_styles.add(style)
        margins.update(keys)
        if len(pd.segs) >= 8:
            g = find_gutter([(s.x0, s.x1) for s in pd.segs], min(s.x0 for s in pd.segs), max(s.x1 for s in pd.segs))
            if g is not None:
                gutters[round(g / 4) * 4] += 1
    n = max(1, len(pages))
    # running heads and feet repeat in the margins; other page furniture (a sidebar, a logo
    # line, a "quick links" box) repeats at the same place on most pages
    st.remove = {k for k, c in margins.items()
                 if k[0] != "exact" and c >= (max(2, 0.25 * n) if k[0] in ("top", "bottom") else max(3, 0.5 * n))}
    st.exact_margins = {k[1] for k, c in margins.items() if k[0] == "exact" and c >= 2}
    if gutters:
        g, c = gutters.most_common(1)[0]
        if c >= max(2, 0.3 * n):
            st.gutter = float(g)
    if not chars:
        return st
    body = max(((k, v) for k, v in chars.items() if not k[1]), key=lambda kv: (kv[1], -kv[0][0]), default=None)
    st.body_size = body[0][0] if body else chars.most_common(1)[0][0][0]
    total = sum(chars.values())
    cands = [k for k in short if k[0] >= st.body_size + 1.0 and short[k] >= 0.6 * lines[k]
             and (chars[k] < 0.3 * total or short[k] == lines[k] <= 3)]
    if cands:
        biggest = max(k[0] for k in cands)
        cands = [k for k in cands if k[1] or (k[0] == biggest and k in first_page_styles and short[k] <= 3)]
    cands.sort(key=lambda k: (-k[0], not k[1]))
    for i, k in enumerate(cands[:5]):
        st.levels[k] = i + 1
    st.numbered_level = min(6, len(st.levels) + 1)
    if toc and len(toc) >= 3:
        for level, title, page in toc:
            if page >= 1 and title.strip():
                st.toc.setdefault(page - 1, []).append((norm_title(title), int(level)))
        # a title set above the outline's level 1 keeps its own H1
        top = [k for k in st.levels if st.levels[k] == 1]
        st.toc_offset = 1 if top and top[0] in first_page_styles and short[top[0]] <= 2 else 0
        st.levels = {k: v for k, v in st.levels.items() if v == 1 and st.toc_offset}
    return st
