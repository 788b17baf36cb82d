"""Tables from vector rules: bordered grids and booktabs-style (horizontal rules only) tables.

Why our own and not ``page.find_tables()``: it costs ~0.25 s a page (more than all the rest of
the conversion) and does not see booktabs tables, which have no vertical edges. Rules are cheap to
read (``get_cdrawings``); a table is a stack of horizontal rules with aligned text between them.
Columns come from the vertical rules when the table is bordered, else from gaps that no word
crosses in any row. Rows come from the rules when every row is ruled (bordered grids, so
multi-line cells join naturally), else from baselines (booktabs), with rows above the second
rule as the header.
"""

from __future__ import annotations

import re

from ._pymupdf import pymupdf
from .pdf_layout import TEXT_FLAGS, Seg, Table, VLine

MAX_DRAWINGS = 4000  # pages that are vector plots: no tables looked for (and no time lost)


def page_drawings(page: pymupdf.Page) -> list[dict]:
    """The page's vector drawings, read once for the tables and the hidden-text check."""
    try:
        return page.get_cdrawings()
    except Exception:  # a broken content stream: no rules rather than no page
        return []


def _rules(page: pymupdf.Page, drawings: list[dict] | None = None
           ) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal rules as (x0, y, x1) and vertical ones as (y0, x, y1), collinear pieces merged."""
    if drawings is None:
        drawings = page_drawings(page)
    if len(drawings) > MAX_DRAWINGS:
        return [], []
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    for d in drawings:
        for item in d.get("items", ()):
            if item[0] == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                if abs(y0 - y1) < 1 and abs(x1 - x0) > 8:
                    hs.append((min(x0, x1), (y0 + y1) / 2, max(x0, x1)))
                elif abs(x0 - x1) < 1 and abs(y1 - y0) > 4:
                    vs.append((min(y0, y1), (x0 + x1) / 2, max(y0, y1)))
            elif item[0] == "re":
                x0, y0, x1, y1 = tuple(item[1])
                x0, x1 = min(x0, x1), max(x0, x1)
                y0, y1 = min(y0, y1), max(y0, y1)
                w, h = x1 - x0, y1 - y0
                if h < 2.5 and w > 8:
                    hs.append((x0, (y0 + y1) / 2, x1))
                elif w < 2.5 and h > 4:
                    vs.append((y0, (x0 + x1) / 2, y1))
                elif "s" in d.get("type", "") and w > 8 and h > 4:  # stroked cell borders
                    hs += [(x0, y0, x1), (x0, y1, x1)]
                    vs += [(y0, x0, y1), (y0, x1, y1)]
    return _merge(hs), _merge(vs)


def _merge(rules: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Join pieces on the same line (cell-by-cell borders) into one rule.

    Positions within 1.5 pt are one line; on a line, pieces that touch (3 pt slack) are one rule.
    """
    rules = sorted(rules, key=lambda r: r[1])
    lines: list[list[tuple[float, float, float]]] = []
    for r in rules:
        if lines and r[1] - lines[-1][-1][1] < 1.5:
            lines[-1].append(r)
        else:
            lines.append([r])
    out: list[tuple[float, float, float]] = []
    for line in lines:
        pos = sum(r[1] for r in line) / len(line)
        cur: list[float] | None = None
        for a, _, b in sorted(line):
            if cur is not None and a <= cur[1] + 3:
                cur[1] = max(cur[1], b)
            else:
                if cur is not None:
                    out.append((cur[0], pos, cur[1]))
                cur = [a, b]
        if cur is not None:
            out.append((cur[0], pos, cur[1]))
    return out


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


_Rule = tuple[float, float, float]


def _rule_clusters(hs: list[_Rule], segs: list[Seg]) -> list[list[_Rule]]:
    """Horizontal rules grouped top-down into candidate tables: a rule joins the latest group it
    mostly overlaps, unless running text sits between them."""
    clusters: list[list[_Rule]] = []
    for rule in hs:
        x0, y, x1 = rule
        for cl in reversed(clusters):
            cx0 = min(r[0] for r in cl)
            cx1 = max(r[2] for r in cl)
            if _overlap(cx0, cx1, x0, x1) >= 0.7 * min(cx1 - cx0, x1 - x0) and not _prose_between(
                    segs, cx0, cx1, cl[-1][1], y):
                cl.append(rule)
                break
        else:
            clusters.append([rule])
    return clusters


def _table_box(cl: list[_Rule], vs: list[_Rule]) -> tuple[tuple[float, float, float, float], list[float]]:
    """The bbox of a cluster's table and its row rules' y positions; a row cut by a page break has
    side borders but no top (or bottom) rule, so the side borders extend it."""
    x0 = min(r[0] for r in cl) - 2
    x1 = max(r[2] for r in cl) + 2
    y0, y1 = cl[0][1] - 1, cl[-1][1] + 1
    rule_ys = [r[1] for r in cl]
    sides = [v for v in vs if x0 <= v[1] <= x1 and v[0] < y1 + 2 and v[2] > y0 - 2]
    if sides:
        top, bottom = min(v[0] for v in sides), max(v[2] for v in sides)
        if top < y0 - 4:
            y0 = top - 1
            rule_ys.insert(0, top)
        if bottom > y1 + 4:
            y1 = bottom + 1
            rule_ys.append(bottom)
    return (x0, y0, x1, y1), rule_ys


def _segs_inside(segs: list[Seg], used: set[int], bbox: tuple[float, float, float, float]) -> list[int]:
    """Indexes of the segments not yet in a table whose centre is inside ``bbox``."""
    x0, y0, x1, y1 = bbox
    return [i for i, s in enumerate(segs)
            if i not in used and x0 <= (s.x0 + s.x1) / 2 <= x1 and y0 <= (s.y0 + s.y1) / 2 <= y1]


def _mostly_mono(segs: list[Seg], inside: list[int]) -> bool:
    """At least 80% monospace text: a framed code listing or data file, not a table."""
    mono = sum(len(sp.text.strip()) for i in inside for sp in segs[i].spans if sp.mono)
    total = sum(len(sp.text.strip()) for i in inside for sp in segs[i].spans) or 1
    return mono >= 0.8 * total


def find_tables(page: pymupdf.Page, segs: list[Seg], page_no: int,
                drawings: list[dict] | None = None) -> tuple[list[Table], list[Seg]]:
    """Tables of the page and the segments that are not inside any of them."""
    hs, vs = _rules(page, drawings)
    if len(hs) < 2:
        return [], segs
    hs.sort(key=lambda r: (r[1], r[0]))
    tables: list[Table] = []
    used: set[int] = set()
    for cl in _rule_clusters(hs, segs):
        if len(cl) < 2:
            continue
        bbox, rule_ys = _table_box(cl, vs)
        inside = _segs_inside(segs, used, bbox)
        if not inside or _mostly_mono(segs, inside):
            continue
        table = _build(page, bbox, rule_ys, vs, page_no)
        if table is not None:
            tables.append(table)
            used.update(inside)
    if not tables:
        return [], segs
    return tables, [s for i, s in enumerate(segs) if i not in used]


def _prose_between(segs: list[Seg], x0: float, x1: float, ya: float, yb: float) -> bool:
    """True when running text sits between two rules: then they belong to different tables."""
    for s in segs:
        cy = (s.y0 + s.y1) / 2
        if ya < cy < yb and _overlap(s.x0, s.x1, x0, x1) > 0:
            if s.x0 < x0 - 6 or s.x1 > x1 + 6 or len(s.text.split()) >= 10:
                return True
    return False


def _ruled_bounds(vs: list[_Rule], bbox: tuple[float, float, float, float]) -> list[float]:
    """Column bounds from the inner vertical rules of a bordered table: pieces of one border (cell
    by cell, x jittering by a point) are clustered and their lengths summed; a border covers a
    quarter of the table's height at least."""
    x0, y0, x1, y1 = bbox
    pieces = sorted((v[1], _overlap(v[0], v[2], y0, y1)) for v in vs if x0 + 4 < v[1] < x1 - 4)
    clusters: list[list[float]] = []  # [x_first, x_last, covered]
    for x, cover in pieces:
        if clusters and x - clusters[-1][1] <= 3:
            clusters[-1][1] = x
            clusters[-1][2] += cover
        else:
            clusters.append([x, x, cover])
    return [(a + b) / 2 for a, b, cover in clusters if cover > 0.25 * (y1 - y0)]


def _gap_bounds(words: list, height: float) -> list[float]:
    """Column bounds from x gaps no word crosses (wider than about half a line height)."""
    spans = sorted((w[0], w[2]) for w in words)
    tol = 0.55 * height
    groups: list[list[float]] = []
    for a, b in spans:
        if groups and a <= groups[-1][1] + tol:
            groups[-1][1] = max(groups[-1][1], b)
        else:
            groups.append([a, b])
    return [(groups[i][1] + groups[i + 1][0]) / 2 for i in range(len(groups) - 1)]


def _row_bands(words: list, rule_ys: list[float], height: float, grid_ruled: bool
               ) -> tuple[list[tuple[float, float]], int, list[tuple[float, float]]]:
    """Row bands (between rules when every row is ruled, else by baseline), the number of header
    rows (those above the second rule), and the ruled rows that hold text."""
    ys = sorted(rule_ys)
    centers = sorted((w[1] + w[3]) / 2 for w in words)
    ruled_rows = [(ys[i], ys[i + 1]) for i in range(len(ys) - 1)
                  if any(ys[i] < c < ys[i + 1] for c in centers)]
    baseline_rows: list[list[float]] = []
    for c in centers:
        if baseline_rows and c - baseline_rows[-1][1] < 0.5 * height:
            baseline_rows[-1][1] = c
        else:
            baseline_rows.append([c, c])
    if len(ruled_rows) >= 2 and (len(ruled_rows) >= len(baseline_rows) or (grid_ruled and len(ys) >= 4)):
        return [(a, b) for a, b in ruled_rows], 1, ruled_rows
    row_bands = [(a - 0.5 * height, b + 0.5 * height) for a, b in baseline_rows]
    header_rows = 1
    if len(ys) >= 3:
        n_head = sum(1 for a, _ in row_bands if a < ys[1])
        header_rows = max(1, n_head)
    return row_bands, header_rows, ruled_rows


def _cell_texts(words: list, row_bands: list[tuple[float, float]], bounds: list[float]) -> list[list[str]]:
    """Each word into the cell of its centre (read top-down, left to right); empty rows dropped."""
    ncols = len(bounds) + 1
    grid: list[list[list[tuple[float, float, str]]]] = [[[] for _ in range(ncols)] for _ in row_bands]
    for w in words:
        cy, cx = (w[1] + w[3]) / 2, (w[0] + w[2]) / 2
        r = next((i for i, (a, b) in enumerate(row_bands) if a <= cy <= b), None)
        if r is None:
            continue
        c = sum(1 for b in bounds if cx > b)
        grid[r][c].append((round(w[1], 0), w[0], w[4]))
    rows = [[" ".join(t for _, _, t in sorted(cell)) for cell in row] for row in grid]
    return [r for r in rows if any(r)]


def _is_data_grid(rows: list[list[str]], ncols: int, grid_ruled: bool) -> bool:
    """Rows of short cells, most of them filled: not a boxed listing or figure (prose-sized "cells"
    between two rules), nor a diagram with a few labels."""
    multi = sum(1 for r in rows if sum(1 for c in r if c) >= 2)
    filled = sum(1 for r in rows for c in r if c)
    if not grid_ruled and any(len(c.split()) > 40 for r in rows for c in r):
        return False
    return not (multi < 0.5 * len(rows) or filled < 0.6 * len(rows) * ncols)


def _build(page: pymupdf.Page, bbox: tuple[float, float, float, float], rule_ys: list[float],
           vs: list[_Rule], page_no: int) -> Table | None:
    """The table inside ``bbox`` (its row rules at ``rule_ys``), or None when the words there do
    not form a grid of data."""
    x0, y0, x1, y1 = bbox
    words = page.get_text("words", clip=pymupdf.Rect(x0, y0, x1, y1), flags=TEXT_FLAGS)
    words = [w for w in words if w[4].strip()]
    if len(words) < 4:
        return None
    height = sorted(w[3] - w[1] for w in words)[len(words) // 2] or 10.0
    # columns: inner vertical rules of a bordered table, else x gaps no word crosses
    bounds = _ruled_bounds(vs, bbox)
    grid_ruled = bool(bounds)
    if not bounds:
        bounds = _gap_bounds(words, height)
    ncols = len(bounds) + 1
    if ncols < 2:
        return None
    row_bands, header_rows, ruled_rows = _row_bands(words, rule_ys, height, grid_ruled)
    rows = _cell_texts(words, row_bands, bounds)
    if len(row_bands) != len(ruled_rows) or len(ruled_rows) < 2:
        rows, header_rows = _join_continuations(rows, header_rows)
    if len(rows) < 2:
        return None
    caption = ""
    if len(rows) >= 3 and sum(1 for c in rows[0] if c) == 1 and header_rows == 1:
        caption = next(c for c in rows[0] if c)  # a title row spanning the table
        rows = rows[1:]
    if not _is_data_grid(rows, ncols, grid_ruled):
        return None
    return Table(bbox, rows, min(header_rows, len(rows) - 1), page_no, caption)


def _join_continuations(rows: list[list[str]], header_rows: int) -> tuple[list[list[str]], int]:
    """A row whose first cell is empty continues the row above (multi-line cells), header included."""
    out: list[list[str]] = []
    heads = header_rows
    for i, row in enumerate(rows):
        if out and not row[0] and any(row) and i != header_rows:
            prev = out[-1]
            out[-1] = [(a + " " + b).strip() if b else a for a, b in zip(prev, row, strict=False)]
            if i < header_rows:
                heads -= 1
        else:
            out.append(row)
    if header_rows > 1:
        # several header lines of one header row are one row
        head = out[:heads]
        if heads > 1 and all(len(h) == len(head[0]) for h in head):
            merged = [" ".join(c for c in col if c) for col in zip(*head, strict=False)]
            out = [merged] + out[heads:]
            heads = 1
    return out, max(1, heads)


def borderless(items: list, toc_line) -> list:
    """Runs of 3+ lines whose wide-gap cells line up column by column become a Table.

    No rules to go by, so this is strict: every row has the same number of cells (2 or more),
    every cell is short, each column is aligned left, right or centre across all rows, and rows
    follow each other closely. Justified prose, TOC lines and code never pass all of that.
    """
    out: list = []
    run: list[VLine] = []

    def flush() -> None:
        table = _aligned_table(run)
        if table is None:
            out.extend(run)
        else:
            out.append(table)
        run.clear()

    for it in items:
        ok = (isinstance(it, VLine) and len(it.cells) >= 2 and all(len(c[2].split()) <= 6 for c in it.cells)
              and not all(s.mono for s in it.spans if s.text.strip()) and not _commented_code(it) and not toc_line(it))
        if ok and run and (len(it.cells) != len(run[0].cells) or it.y0 - run[-1].y1 > 1.5 * max(it.height, 1)):
            flush()
        if ok:
            run.append(it)
        else:
            if run:
                flush()
            out.append(it)
    if run:
        flush()
    return out


_COMMENT_CELL = re.compile(r"\s*(/\*|//|#|--|;|%|\(\*)")


def _commented_code(line: VLine) -> bool:
    """A listing line with its comment in roman beside it (``SEXP call;   /* The call */``):
    monospace first, a cell opening a comment after it; aligned like a table, but code."""
    first = next((s for s in line.spans if s.text.strip()), None)
    return first is not None and first.mono and any(_COMMENT_CELL.match(c[2]) for c in line.cells[1:])


#: a cell that is only a list marker: a bullet glyph, a dash, "1." / "a)" / "(iv)"
_MARKER_CELL = re.compile(r"^([•◦▪▫●○■□‣⁃∙·➢►✓\-–—*]|\(?(\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)])$")


def _header_in_slot(lines: list[VLine], j: int) -> bool:
    """The header cell of column ``j`` sits in its column's slot: after the previous column, before
    the next (a header is often centred over a left- or right-aligned column)."""
    body = lines[1:]
    head = lines[0].cells[j]
    prev_hi = max(ln.cells[j - 1][1] for ln in body) if j else float("-inf")
    next_lo = min(ln.cells[j + 1][0] for ln in body) if j + 1 < len(lines[0].cells) else float("inf")
    return head[0] > prev_hi and head[1] < next_lo


def _column_aligned(lines: list[VLine], j: int) -> bool:
    """The body cells of column ``j`` line up at their left edges, right edges or centres."""
    col = [ln.cells[j] for ln in lines[1:]]
    for key in (lambda c: c[0], lambda c: c[1], lambda c: (c[0] + c[1]) / 2):
        vals = [key(c) for c in col]
        if max(vals) - min(vals) <= 4:
            return True
    return False


def _aligned_table(lines: list[VLine]) -> Table | None:
    """The run of lines as a table when every column is aligned and none overlaps the next."""
    if len(lines) < 3:
        return None
    if all(_MARKER_CELL.match(ln.cells[0][2]) for ln in lines):
        return None  # a list whose markers stand apart from the text (Word/LibreOffice tab stops)
    n = len(lines[0].cells)
    for j in range(n):
        if not (_header_in_slot(lines, j) and _column_aligned(lines, j)):
            return None
    # columns must not overlap: each column ends before the next one starts, in every row
    for j in range(n - 1):
        if max(ln.cells[j][1] for ln in lines) >= min(ln.cells[j + 1][0] for ln in lines):
            return None
    rows = [[c[2] for c in ln.cells] for ln in lines]
    bbox = (min(ln.x0 for ln in lines), lines[0].y0, max(ln.x1 for ln in lines), lines[-1].y1)
    return Table(bbox, rows, 1, lines[0].page)
