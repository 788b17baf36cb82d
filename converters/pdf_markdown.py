"""Ordered page columns -> markdown blocks: paragraphs, headings, lists, code, tables, images.

The :class:`Emitter` keeps state across columns and pages (a paragraph, list item, listing or
table may continue after a break, and only the next line can tell); the helpers above it render
spans with inline styles, join lines with de-hyphenation and guess a listing's language.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ._pymupdf import pymupdf
from .pdf_layout import Column, Image, Table, VLine
from .pdf_stats import HEADING_END, HEADING_TEXT, SECTION_NUMBER, Stats, line_style, loose_style, norm_title
from .pdf_tables import borderless

#: a line's font style: (size, bold)
_Style = tuple[float, bool]

#: glyph bullets may touch their text; a dash or star needs a space ("-c --stdout", "-1" are not items)
BULLET = re.compile(r"^\s*([•◦▪▫●○■□‣⁃∙·➢►✓](?=\s*\S)|[\-–—\*](?=\s+\S))\s*")
NUMBERED = re.compile(r"^\s*(\(?\d{1,3}[.)]|\(?[a-z]\)|[ivx]{1,4}\.|[a-z]\.)\s+(?=\S)")
#: a URL or e-mail address: author and affiliation lines carry them, headings do not
BYLINE = re.compile(r"https?://|www\.|\b[\w.+-]+@[\w-]+\.[\w.]+")
#: "Ada Lovelace, Alan M. Turing and Grace Hopper": two or more names of 2-4 capitalised words
_NAME = r"[A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]*\.?){1,3}\*?\d*"
AUTHORS = re.compile(rf"^(?=.*[,&]){_NAME}(?:\s*(?:,|,?\s+and|&)\s+{_NAME})+$")  # a comma: not "X Y and Z W"
NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)*|[A-Z](\.\d+)*)\.?\s+[A-Z]")
LEADER = re.compile(r"(\s*\.){4,}\s*|…{2,}\s*")  # dot leaders of a table of contents
TOC_LINE = re.compile(r"(\.\s*){4,}\s*\S{0,8}\d+\s*$|…\s*\d+\s*$")
CAPTION = re.compile(r"^(figure|fig\.|image|plate|chart|abbildung)\s*\d*", re.I)
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_BACKQUOTES = re.compile("\u2018([^\u2018\u2019\n]*)\u2018")
_CODE_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _inline(spans, *, plain: bool = False) -> str:
    """Spans -> markdown with bold/italic/code/links; a link wrapped over lines stays one link."""
    if plain:
        return "".join(s.text for s in spans)
    groups: list[tuple[str | None, list]] = []
    for s in spans:
        link = s.link if s.text.strip() else (groups[-1][0] if groups else None)
        if groups and groups[-1][0] == link:
            groups[-1][1].append(s)
        else:
            groups.append((link, [s]))
    out = []
    for link, group in groups:
        text = _styled(group)
        if link and _shows_url(group, link):
            link = None  # the text prints the address (LaTeX \url, Texinfo @uref): no second copy
        if link:
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            text = f"{lead}[{core}]({link}){trail}"
        out.append(text)
    return "".join(out)


def _shows_url(spans, link: str) -> bool:
    """Does the link's own text print its address (give or take the scheme and a final slash)?"""
    shown = re.sub(r"\s+", "", "".join(s.text for s in spans))
    bare = re.sub(r"^[a-z]+://|^mailto:", "", link).rstrip("/")
    return len(bare) >= 4 and bare in shown


def _style_runs(spans) -> list[list]:
    """Spans joined into runs of one style ([style, text]; style None: a footnote mark kept as is)."""
    runs: list[list] = []
    for s in spans:
        if s.sup and runs and _NOTE_MARK.fullmatch(s.text) and not runs[-1][1][-1:].isspace():
            # a raised number right after a word: a footnote reference, made [^n] when the
            # page's foot holds note n (Emitter.finish), else printed back as the number
            runs.append([None, f"\x00{s.text.strip()}\x00"])
            continue
        if not s.text.strip():
            if runs:
                runs[-1][1] += s.text
            else:
                runs.append([(False, False, False, None), s.text])
            continue
        style = (s.bold, s.italic, s.mono, None)
        if runs and runs[-1][0] == style:
            runs[-1][1] += s.text
        else:
            runs.append([style, s.text])
    return runs


def _marked(core: str, bold: bool, italic: bool, mono: bool) -> str:
    """One run's text with its markdown markers (none for symbols and math glyphs)."""
    if mono:
        tick = "``" if "`" in core else "`"
        return f"{tick}{core}{tick}"
    if not _ASCII_WORD.search(core):
        return core  # math italics and symbols: the glyphs carry their style, markers would be noise
    if bold and italic:
        return f"***{core}***"
    if bold:
        return f"**{core}**"
    if italic:
        return f"*{core}*"
    return core


def _styled(spans) -> str:
    """Spans -> markdown with bold/italic/code; whitespace spans take no style."""
    out = []
    for style, text in _style_runs(spans):
        core = text.strip()
        if style is None or not core:
            out.append(text)
            continue
        bold, italic, mono, link = style
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        core = _marked(core, bold, italic, mono)
        if link:
            core = f"[{core}]({link})"
        out.append(f"{lead}{core}{trail}")
    return "".join(out)


def _strip_chars(spans, n: int):
    """The spans without their first ``n`` characters (a list marker)."""
    out = []
    for s in spans:
        if n <= 0:
            out.append(s)
            continue
        if len(s.text) <= n:
            n -= len(s.text)
            continue
        x0 = s.x0 + (s.x1 - s.x0) * n / len(s.text)  # where the remaining text starts, roughly
        clone = type(s)(s.text[n:], x0, s.x1, s.size, s.bold, s.italic, s.mono)
        clone.link = s.link
        out.append(clone)
        n = 0
    while out and not out[0].text.strip():
        out.pop(0)
    return out


def _strip_leader_tail(spans):
    """Dot leaders inside a span ("Intro . . . . 3") become " ... " too."""
    out = []
    for s in spans:
        if LEADER.search(s.text) and not LEADER.fullmatch(s.text):
            clone = type(s)(LEADER.sub(" ... ", s.text), s.x0, s.x1, s.size, s.bold, s.italic, s.mono)
            clone.link = s.link
            out.append(clone)
        else:
            out.append(s)
    return out


def _keeps_hyphen(last: str, first: str, words: Counter | None) -> bool:
    """Is the hyphen at a line end part of a compound ("dataclass-like")? When both halves are
    words of this document and the joined form is not: TeX breaks compounds only at their hyphen."""
    if not words:
        return False
    a = re.search(r"([A-Za-z]+)-\s*$", last)
    b = re.match(r"[A-Za-z]+", first)
    if not a or not b:
        return False
    head, tail = a.group(1).lower(), b.group(0).lower()
    return words.get(head + tail, 0) == 0 and words.get(head, 0) > 0 and words.get(tail, 0) > 0


def _end_span_at(out: list, last, text: str) -> None:
    """Drop the blank spans after ``last`` and put a copy of it holding ``text`` in its place."""
    while out and out[-1] is not last:
        out.pop()
    clone = type(last)(text, last.x0, last.x1, last.size, last.bold, last.italic, last.mono)
    clone.link = last.link
    out[-1] = clone


def _line_break(out: list, first, words: Counter | None) -> None:
    """Join the paragraph so far to a line starting with span ``first``: a word broken at the
    line end loses its hyphen (unless the hyphen belongs to the word), an address broken at the
    line end goes on without a space, anything else gets one space."""
    last = next((s for s in reversed(out) if s.text.strip()), None)
    if last is not None and re.search(r"[A-Za-z]-\s*$", last.text) and re.match(r"[a-z]", first.text):
        keep = _keeps_hyphen(last.text, first.text, words)
        _end_span_at(out, last, last.text.rstrip() if keep else last.text.rstrip()[:-1])
    elif last is not None and last.link and first.link == last.link and _url_goes_on(last, first):
        pass  # an address broken at a line end ("https://CRAN.R-project." / "org") has no space
    elif not out[-1].text.endswith(" "):
        out.append(type(first)(" ", 0, 0, first.size, False, False, False))


def _join(parts: list[list], words: Counter | None = None) -> list:
    """Join lines' spans into one paragraph, de-hyphenating words broken at line ends.

    Works on spans rather than rendered text so that a word broken inside an italic run comes
    back as one italic word, not ``*col-* *umn*``.
    """
    out: list = []
    for spans in parts:
        spans = [s for s in spans]
        while spans and not spans[0].text.strip():
            spans.pop(0)
        if not spans:
            continue
        if out:
            _line_break(out, spans[0], words)
        out.extend(spans)
    return out


def _url_goes_on(last, first) -> bool:
    """The two pieces, joined without a space, continue the link's own address."""
    bare = re.sub(r"^[a-z]+://|^mailto:", "", last.link or "")
    joined = re.sub(r"\s+", "", last.text) + first.text.strip().split(" ")[0]
    joined = re.sub(r"^[a-z]+://|^mailto:", "", re.sub(r"^.*?(?=[a-z]+://|$)", "", joined) or joined)
    tail = joined[-12:] if len(joined) > 12 else joined
    return bool(tail) and tail in bare and not last.text.endswith(" ")


def _mostly_display(line, body_size: float) -> bool:
    """Most of the line's characters are bold or bigger than body text (a heading with mixed fonts)."""
    total = strong = 0
    for s in line.spans:
        n = len(s.text.strip())
        total += n
        if s.bold or s.size >= body_size + 0.5:
            strong += n
    return total > 0 and strong >= 0.5 * total


_FOOTNOTE = re.compile(r"^\s*(\d{1,3}|[*\u2020\u2021\u00a7\u00b6])\s*[^\s\d.]")
_NOTE_MARK = re.compile(r"\s*\d{1,3}\s*")
_NOTE_REF = re.compile("\x00(\\d{1,3})\x00")
_NOTE_DEF = re.compile("\x01(\\d+)\x01")
#: Sphinx's mark before the rest of a wrapped listing line: a hooked arrow, or (fonts without
#: one) a modifier half ring and an arrow, "\u02d3\u2192"
_WRAP_MARK = re.compile(r"^\s*(\u21aa|\u02d3\u2192?)\s*")
#: a line that is a comment in most languages: opener, then a space
_COMMENT_LINE = re.compile(r"^\s*(#+|//|/\*|--|;+|%+|\(\*)\s+\S")
_WORD_PROCESSOR = re.compile(r"LibreOffice|OpenOffice|Microsoft|\bWord\b|Google Docs|WPS|Pages|AbiWord", re.I)
_CONTINUED = re.compile(r"^\(?(continues on next page|continued from previous page)\)?$", re.I)
_LABEL_WORD = re.compile(r"chapter|appendix|kapitel|chapitre|cap[ií]tulo", re.I)
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty").split()


def _label_number(words: list[str]) -> str | None:
    """The number of a chapter label: "ONE" -> "1", "IV" -> "4", "3" -> "3", "A" -> "A"."""
    last = words[-1].strip(".:").lower()
    if last.isdigit():
        return last
    if last in _NUMBER_WORDS:
        return str(_NUMBER_WORDS.index(last) + 1)
    if re.fullmatch(r"[ivxl]{1,6}", last):
        values = {"i": 1, "v": 5, "x": 10, "l": 50}
        total = 0
        for a, b in zip(last, last[1:] + " ", strict=False):
            total += -values[a] if b != " " and values[b] > values[a] else values[a]
        return str(total)
    if re.fullmatch(r"[a-z]", last):
        return last.upper()
    return None


def _toc_entry(line) -> bool:
    """A table-of-contents entry without dot leaders (LaTeX article and report classes set
    section entries bold, title then the page number far right): text, a wide gap, a number."""
    cells = getattr(line, "cells", None)
    if not cells or len(cells) < 2 or not re.fullmatch(r"\d{1,4}|[ivxlc]{1,6}", cells[-1][2]):
        return False
    size = getattr(line, "size", 0) or 10.0
    if cells[-1][0] - cells[-2][1] < 3 * size or not re.search(r"[A-Za-z]{2}", cells[-2][2]):
        return False
    # a numbered entry ("2.1 Setup ... 7") or a bold one; a table row of a name and a count is neither
    numbered = re.match(r"(\d+(\.\d+)*|[A-Z](\.\d+)*)\.?$", cells[0][2].split()[0] if cells[0][2] else "")
    return bool(numbered) or all(s.bold for s in line.spans if s.text.strip())


def _prose_left(col: Column) -> float | None:
    """The column's left text edge: the leftmost start of at least three running (not monospace)
    lines (the most common start is no mark: a page of list items starts most lines at the
    items' text); None when no start has three."""
    starts: dict[int, int] = {}
    for it in col.items:
        if isinstance(it, VLine) and not all(s.mono for s in it.spans if s.text.strip()):
            starts[round(it.x0)] = starts.get(round(it.x0), 0) + 1
    return next((float(x) for x in sorted(starts) if starts[x] >= 3), None)


def _guess_language(lines: list[str]) -> str:
    text = "\n".join(lines)
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first.startswith(("{", "[")) and re.search(r'"\s*:', text):
        return "json"
    if re.search(r"^\s*(def |class \w+.*:|import \w|from \w+ import )", text, re.M) and not re.search(r";\s*$", text, re.M):
        return "python"
    if re.search(r"^#include\s*[<\"]", text, re.M):
        return "c"
    if re.search(r"^\s*(function\s+\w+\s*\(|const \w+ = |let \w+ = |console\.log\()", text, re.M):
        return "javascript"
    if re.search(r"^\s*(SELECT|INSERT INTO|CREATE TABLE|UPDATE \w+ SET)\b", text, re.M):
        return "sql"
    if first.startswith("$ ") or re.match(r"^(#!/bin/(ba)?sh|apt-get |pip install |cd |export )", first):
        return "bash"
    if re.match(r"^<(\?xml|!DOCTYPE|html|\w+[ >])", first):
        return "html" if re.search(r"<(html|div|body|p)\b", text, re.I) else "xml"
    return ""


@dataclass
class _LineContext:
    """One line being placed, with what every placement rule asks about it: its visible spans, its
    size, the line before it, whether that was in the same column, and the gap to it."""

    line: VLine
    text: str
    visible: list
    size: float
    prev: VLine | None
    same_col: bool
    gap: float
    col: Column


def _item_marker(token: str, bullet: bool) -> str:
    """A list item's markdown marker: "- " for bullets, "3. " for numbers, "- a) " / "- (iv) " for
    letters and roman numerals (markdown numbers lists with digits only)."""
    if bullet:
        return "- "
    num = re.sub(r"[^\dA-Za-z]", "", token)
    if num.isdigit():
        return num + ". "
    return "- " + token + " "


class Emitter:
    """Turns ordered columns into markdown blocks, carrying state across columns and pages.

    State is real here: a paragraph, list item, code listing or table can continue across a
    column or page break, and only the next item tells whether it does.
    """

    def __init__(self, stats: Stats, images_dir: Path | None, doc: pymupdf.Document | None, page_markers: bool):
        self.st = stats
        self.blocks: list[str] = []
        self.images_dir = images_dir
        self.images_ref: str | None = None  # the folder as the markdown links it, when not images_dir
        self.doc = doc
        self.page_markers = page_markers
        self.pending_markers: list[str] = []
        self.title: str | None = None
        # open block state
        self.kind: str | None = None  # para | item | code | heading | table
        self.parts: list[str] = []
        self.item_prefix = ""
        self.heading_level = 0
        self.code: list[tuple[list[tuple[float, str]], float, int]] = []  # (spans(x,text), baseline, page)
        self.code_cw = 0.0
        self.code_left = 0.0
        self.code_last: tuple[float, int] | None = None  # (y, page) of the listing's last line
        self.code_pitch: float | None = None
        self.code_in_item = False
        self.code_origin = 0.0  # x that listing positions are measured from (moves with columns)
        self.code_col: Column | None = None
        self.table: Table | None = None
        self.list_stack: list[float] = []
        self.item_text_x = 0.0
        self.list_loose = False
        self.toc_span: tuple[float, float] | None = None
        self.label: list[str] = []  # a chapter label ("CHAPTER", "ONE") waiting for its title
        self.label_level = 0
        self.heading_prefix = ""
        self.item_para = False  # the open item text is a further paragraph of the item above
        self.block_right = 0.0  # right edge of the open paragraph's lines (for the fit test)
        self.block_lines = 0
        self.prev: VLine | None = None
        self.prev_col: Column | None = None
        self.col: Column | None = None
        self.image_count = 0
        self.last_item = False
        #: footnotes with a number mark set small or raised: (number, text, the text as printed)
        self.note_defs: list[tuple[str, str, str]] = []
        #: listings set apart (not in a list item): (block index, start right of the prose text, character width)
        self.listings: list[tuple[int, float, float]] = []
        #: word processors wrap a long code paragraph at the margin; TeX and HTML-to-PDF engines
        #: never do (a verbatim line that ends near the margin is whole there)
        meta = (doc.metadata or {}) if doc is not None else {}
        made_by = f"{meta.get('creator') or ''} {meta.get('producer') or ''}"
        self.wraps_code = bool(_WORD_PROCESSOR.search(made_by))
        #: LibreOffice draws the space it wrapped a line at (see :meth:`_soft_wrapped`)
        self.keeps_wrap_space = bool(re.search(r"LibreOffice|OpenOffice", made_by))

    # ---- blocks
    def close(self) -> None:
        """Render the open block (paragraph, item, heading, listing or table) into ``blocks``."""
        was_item = self.last_item
        if self.kind is not None:
            self.last_item = False
        if self.kind in ("para", "item") and self.parts:
            self._close_text(was_item)
        elif self.kind == "heading" and self.parts:
            self._close_heading()
        elif self.kind == "code" and self.code:
            self._close_code(was_item)
        elif self.kind == "table" and self.table is not None:
            self.blocks.append(_render_table(self.table))
        self.kind, self.parts, self.code, self.table = None, [], [], None
        if self.pending_markers:
            self.blocks.extend(self.pending_markers)
            self.pending_markers = []

    def _close_text(self, was_item: bool) -> None:
        """A paragraph, or a list item: a further paragraph of the item above, the next item of
        the list (a blank line between when the list is loose), or a list's first item."""
        text = re.sub(r"(?<=\S)  +", " ", _inline(_join(self.parts, self.st.words)).strip())
        if self.kind != "item":
            if text.startswith("#"):
                text = "\\" + text
            self.blocks.append(text)
            return
        if self.item_para and self.blocks:
            self.blocks[-1] += "\n\n" + self._item_indent() + text
            self.list_loose = True
        elif was_item and self.blocks:
            # after a multi-paragraph item the list is loose: a blank line keeps "2." an item
            self.blocks[-1] += ("\n\n" if self.list_loose else "\n") + self.item_prefix + text
        else:
            self.blocks.append(self.item_prefix + text)
            self.list_loose = False
        self.last_item = True

    def _close_heading(self) -> None:
        """A heading (its chapter number first); the first level-1 heading is the title."""
        text = self.heading_prefix + " ".join(_inline(_join(self.parts), plain=True).split())
        self.heading_prefix = ""
        self.blocks.append("#" * self.heading_level + " " + text)
        if self.title is None and self.heading_level == 1:
            self.title = text

    def _close_code(self, was_item: bool) -> None:
        """A listing; one inside a list item (Texinfo @example in @itemize, LaTeX verbatim in
        enumerate) is indented to the item's text so the list goes on after it."""
        if self.code_in_item and was_item and self.blocks:
            pad = self._item_indent()
            self.blocks[-1] += "\n\n" + "\n".join(pad + ln if ln else ln for ln in self._render_code().split("\n"))
            self.list_loose = self.last_item = True
        else:
            self.blocks.append(self._render_code())
            offset = self._listing_offset()
            if offset is not None:
                self.listings.append((len(self.blocks) - 1, offset, self.code_cw or 5.0))

    def _listing_offset(self) -> float | None:
        """How far right of its column's prose text the open listing starts (None: no prose there)."""
        col = self.code_col
        left = _prose_left(col) if col is not None else None
        base = min((sp[0][0] for sp, _, _ in self.code if sp), default=None)
        return None if left is None or base is None else base + self.code_origin - left

    def finish(self) -> None:
        """Close the last block, then give back the leading spaces of listings that start right
        of the document's usual listing indent.

        Texinfo sets every @example a fixed 0.4in right of the text and keeps the author's leading
        spaces as glue, not glyphs: a one-line example written "    double unif_rand(void)" starts
        four character widths right of the others, and only that position tells. When most
        listings share one indent, a listing that starts a whole number of character widths
        (1-16) right of it gets that many spaces; one off the character grid (a listing nested in
        a quotation or a table body) is left alone. Generators that set listings at the text's
        margin (LaTeX verbatim, Sphinx, Word) drop or keep leading spaces themselves, and a
        listing further in is nested in a list or a box there: those are left alone too."""
        self.close()
        self._indent_listings()
        self._link_footnotes()

    def _indent_listings(self) -> None:
        """See :meth:`finish`."""
        offsets = Counter(round(off * 2) / 2 for _, off, _ in self.listings)
        if not offsets:
            return
        usual, n = offsets.most_common(1)[0]
        cw = self.code_cw or 5.0
        if n < 5 or n < 0.6 * len(self.listings) or usual < 2 * cw:
            return  # listings at the margin (LaTeX, Sphinx, Word): one set further in is nested
        for idx, off, cw in self.listings:
            steps = (off - usual) / cw
            k = round(steps)
            block = self.blocks[idx]
            if not 1 <= k <= 16 or abs(steps - k) > 0.12 or not block.startswith("```"):
                continue
            head, _, rest = block.partition("\n")
            body, _, fence = rest.rpartition("\n")
            pad = " " * k
            self.blocks[idx] = "\n".join([head, *(pad + ln if ln else ln for ln in body.split("\n")), fence])

    def _link_footnotes(self) -> None:
        """Markdown footnotes: the k-th raised reference to number n in the text points to the
        k-th footnote numbered n (numbers restart per chapter in book classes), whose text moves
        to the end of the document, as ``[^n]: text``. A reference without its note is the plain
        number again; a note nothing points to stays where it was printed."""
        defs = self.note_defs
        count: Counter = Counter()
        labels, by_mark = [], {}
        for i, (mark, _, _) in enumerate(defs):
            count[mark] += 1
            labels.append(mark if count[mark] == 1 else f"{mark}.{count[mark]}")
            by_mark.setdefault(mark, []).append(i)
        used: set[int] = set()
        seen: Counter = Counter()

        def ref(m: re.Match) -> str:
            mark = m.group(1)
            k = seen[mark]
            seen[mark] += 1
            if k < len(by_mark.get(mark, [])):
                used.add(by_mark[mark][k])
                return f"[^{labels[by_mark[mark][k]]}]"
            return mark

        self.blocks = [_NOTE_REF.sub(ref, b) if "\x00" in b else b for b in self.blocks]
        if not defs:
            return
        self.blocks = [_NOTE_DEF.sub(lambda m: "" if int(m.group(1)) in used else defs[int(m.group(1))][2], b)
                       if "\x01" in b else b for b in self.blocks]
        self.blocks += [f"[^{labels[i]}]: {defs[i][1]}" for i in range(len(defs)) if i in used]

    def page_marker(self, number: int) -> None:
        marker = f"<!-- page {number} -->"
        if self.kind in ("code", "table", "para", "item"):
            self.pending_markers.append(marker)
        else:
            self.close()
            self.blocks.append(marker)
            self.last_item = False

    def note(self, text: str) -> None:
        self.close()
        self.last_item = False
        self.list_stack = []
        self.blocks.append(text)

    # ---- columns
    def column(self, col: Column) -> None:
        self.prev_col, self.col = self.col, col
        first = True
        items = borderless(col.items, lambda ln: bool(TOC_LINE.search(ln.text)) or _toc_entry(ln))
        # a printed table of contents: its numbered lines are entries, not headings
        toc = [it for it in items if isinstance(it, VLine) and (TOC_LINE.search(it.text) or _toc_entry(it))]
        self.toc_span = (toc[0].y0, toc[-1].y1) if len(toc) >= 5 else None
        cut = self._footnote_start(items)
        items, notes = items[:cut], items[cut:]
        skip = 0
        for i, it in enumerate(items):
            if skip:
                skip -= 1  # caption lines already used by the image before them
                continue
            if isinstance(it, Table):
                self._table(it, first)
            elif isinstance(it, Image):
                skip = self._image(it, items[i + 1:i + 5])
            else:
                self._line(it, first)
            first = False
        if notes:
            self._footnotes(notes)

    def _footnote_start(self, items: list) -> int:
        """Index of the footnotes at the foot of a column: trailing lines in type smaller than the
        text, apart from it, the first one opening with a mark ("2 including copying ...")."""
        k = len(items)
        while k > 0 and isinstance(items[k - 1], VLine) and 0 < items[k - 1].size <= self.st.body_size - 0.9:
            k -= 1
        if k == len(items):
            return self._marked_notes_start(items)
        if k == 0:
            return len(items)
        first = items[k]
        if not _FOOTNOTE.match(first.text) or first.y0 - items[k - 1].y1 < 0.8 * first.size:
            return len(items)
        return k

    def _marked_notes_start(self, items: list) -> int:
        """Footnotes in the text's own size (Word and LibreOffice exports): the last lines of the
        column, apart from the text above, the first one opening with a number set small or
        raised ("¹ We considered ..."); len(items) when there are none."""
        start = len(items)
        for i in range(len(items) - 1, max(0, len(items) - 12), -1):
            it = items[i]
            if not isinstance(it, VLine):
                break
            prev = items[i - 1]
            if (_note_mark(it.spans) is not None and _FOOTNOTE.match(it.text)
                    and it.y0 - prev.y1 >= 0.8 * (it.size or self.st.body_size)):
                start = i
        return start

    def _footnotes(self, lines: list) -> None:
        """Footnotes go out after the block that is open at the page break, so a paragraph or a
        listing that goes on over the page is not cut by them (Texinfo, LaTeX footnotes)."""
        notes: list[list] = []
        for ln in lines:
            if _FOOTNOTE.match(ln.text) or not notes:
                notes.append([ln.spans])
            else:
                notes[-1].append(ln.spans)
        texts = []
        for parts in notes:
            text = re.sub(r"(?<=\S)  +", " ", _inline(_join(parts, self.st.words)).strip())
            mark = _note_mark(parts[0])
            if mark is not None:  # kept in place until finish() knows whether the text points to it
                body = _inline(_join([parts[0][mark[1]:], *parts[1:]], self.st.words))
                self.note_defs.append((mark[0], re.sub(r"(?<=\S)  +", " ", body.strip()), _NOTE_REF.sub(r"\1", text)))
                text = f"\x01{len(self.note_defs) - 1}\x01"
            texts.append(text)
        if self.kind in ("code", "para", "item", "table"):
            self.pending_markers.extend(texts)
        else:
            self.close()
            self.blocks.extend(texts)
            self.last_item = False

    def _table(self, t: Table, first_in_col: bool) -> None:
        if self.kind == "table" and self.table is not None:
            prev = self.table
            if len(prev.rows[0]) == len(t.rows[0]) and (t.page != prev.page or first_in_col):
                rows = t.rows[t.header_rows:] if t.rows[:t.header_rows] == prev.rows[:prev.header_rows] else t.rows
                prev.rows.extend(rows)
                prev.page = t.page
                return
        self.close()
        self.list_stack = []
        if t.caption:
            self.blocks.append(f"**{t.caption}**")
        self.kind, self.table = "table", Table(t.bbox, [list(r) for r in t.rows], t.header_rows, t.page)
        self.prev = None

    def _image(self, im: Image, following: list) -> int:
        """Emit an image (extracted or a placeholder); return how many caption lines it used."""
        self.close()
        caption = ""
        lines: list[VLine] = []
        nxt = following[0] if following else None
        if isinstance(nxt, VLine) and CAPTION.match(nxt.text.strip()) and nxt.y0 - im.y1 < 3 * max(nxt.height, 8):
            lines = [nxt]
            for ln in following[1:]:  # a caption wraps: take its lines while they follow closely
                if not isinstance(ln, VLine) or ln.y0 - lines[-1].y1 > 0.5 * max(ln.height, 1):
                    break
                lines.append(ln)
            caption = " ".join(_inline(_join([ln.spans for ln in lines]), plain=True).split())
        self.image_count += 1
        if self.images_dir is not None and self.doc is not None and im.xref:
            try:
                info = self.doc.extract_image(im.xref)
            except Exception:
                info = None
            if info and info.get("image"):
                name = f"page{im.page + 1:04d}-{self.image_count}.{info.get('ext', 'png')}"
                self.images_dir.mkdir(parents=True, exist_ok=True)
                (self.images_dir / name).write_bytes(info["image"])
                alt = caption.replace("[", "(").replace("]", ")") or f"image {self.image_count}"
                ref = f"{self.images_ref.rstrip('/')}/{name}" if self.images_ref else (self.images_dir / name).as_posix()
                self.blocks.append(f"![{alt}]({ref})")
                self.prev = None
                return len(lines)
        self.blocks.append(f"[image: {caption}]" if caption else "[image]")
        self.prev = None
        return len(lines)

    def _heading_level(self, line: VLine) -> int:
        """The line's heading level (1-6), or 0 for not a heading: from the outline when the PDF
        has one, else from the font styles the document uses for headings."""
        text = line.text.strip()
        if self._never_heading(line, text):
            return 0
        style = line_style(line)
        if self.st.toc:
            return self._outline_level(line, text, style)
        return self._typography_level(line, text, style)

    def _never_heading(self, line: VLine, text: str) -> bool:
        """Too long, no letters, a bullet, a byline, or an entry of a printed table of contents."""
        if len(text) > 160 or not HEADING_TEXT.search(text) or BULLET.match(text):
            return True
        if BYLINE.search(text) or (line.page == 0 and AUTHORS.match(text)):
            return True  # an author line in a big or bold font is not a section
        span = self.toc_span
        return bool(_toc_entry(line) or (span and span[0] <= line.y0 <= span[1] and SECTION_NUMBER.match(text)))

    def _outline_title_level(self, line: VLine, text: str, style: _Style | None) -> int | None:
        """The level of the outline entry on this page (or the one before) the line's text is, if any."""
        entries = self.st.toc.get(line.page, []) + self.st.toc.get(line.page - 1, [])
        key = norm_title(text)
        if key and style is not None and (style[1] or style[0] >= self.st.body_size + 0.5):
            for title, level in entries:
                if key == title or (len(key) >= 6 and title.startswith(key)):
                    return min(6, level + self.st.toc_offset)
        elif key and style is None and _mostly_display(line, self.st.body_size):
            # a heading with inline code ("2.6 Other `canvas` methods") has no single style;
            # the exact outline title on its page is enough then
            for title, level in entries:
                if key == title:
                    return min(6, level + self.st.toc_offset)
        return None

    def _outline_level(self, line: VLine, text: str, style: _Style | None) -> int:
        """A heading level when the PDF has an outline: an outline title, the title, or a heading
        in a style the outline's headings use."""
        level = self._outline_title_level(line, text, style)
        if level is not None:
            return level
        if style is not None and self.st.levels.get(style) == 1 and self.title is None:
            return 1
        # a heading the outline leaves out (Texinfo @heading and @unnumbered in an appendix,
        # a licence's "Preamble"): set in a style that the outline's headings use
        level = self.st.toc_styles.get(style) if style is not None else None
        # not in the front matter before the outline's first entry (a printed table of
        # contents there is set in the heading styles too)
        if level and line.page >= min(self.st.toc) and self._heading_shape(line, text):
            return min(6, level + self.st.toc_offset)
        return 0

    def _typography_level(self, line: VLine, text: str, style: _Style | None) -> int:
        """A heading level from font styles alone (no outline)."""
        if style is None:
            # small caps or a logo inside a heading ("2.1 New BibTeX features" in LaTeX classes)
            style = loose_style(line)
            if style is None or not (NUMBERED_HEADING.match(text) or (self.title is None and self.st.levels.get(style) == 1)):
                return 0
        level = self.st.levels.get(style, 0)
        if level:
            return self._split_style_level(text, style, level)
        if self._body_size_heading(line, text, style):
            return self.st.numbered_level
        return 0

    def _split_style_level(self, text: str, style: _Style, level: int) -> int:
        """One style for two levels (the split style): the section number's depth tells them apart."""
        if style == self.st.split_style:
            m = SECTION_NUMBER.match(text)
            if m:
                level = min(6, level + 1 + m.group(1).count(".") + 1 - self.st.split_depth)
        return level

    def _body_size_heading(self, line: VLine, text: str, style: _Style) -> bool:
        """A bold body-size heading-shaped line that is numbered, or set in the other font family
        (Word's Heading 3) when the document does that for headings."""
        if not (style[1] and abs(style[0] - self.st.body_size) <= 0.5 and self._heading_shape(line, text)):
            return False
        if NUMBERED_HEADING.match(text):
            return True
        return (self.st.family_heads >= 2 and len(text.split()) <= 10
                and {s.sans for s in line.spans if s.text.strip() and not s.mono} == {not self.st.body_sans})

    def _chapter_label(self, line: VLine, text: str) -> bool:
        """Hold a chapter label set above its title (LaTeX report/book "Chapter 1", Sphinx manuals'
        "CHAPTER" / "ONE"): the title that follows takes its number."""
        words = text.split()
        if not words or len(words) > 2 or not _mostly_display(line, self.st.body_size):
            return False
        if _LABEL_WORD.fullmatch(words[0]) and (len(words) == 1 or _label_number(words[1:])):
            self.close()
            self.label = words
            self.label_level = self._heading_level(line)
            self.prev = line
            return True
        if len(words) == 1 and self.label and len(self.label) == 1 and _label_number(words):
            self.label.append(words[0])
            self.label_level = self._heading_level(line) or self.label_level
            self.prev = line
            return True
        return False

    def _heading_shape(self, line: VLine, text: str) -> bool:
        """Short, not a sentence, and at the column's left edge (an indented "1. Title" is a list item)."""
        col = self.col
        size = line.size or self.st.body_size
        return (len(text.split()) <= 12 and not HEADING_END.search(text)
                and (col is None or line.x0 <= col.left + 0.8 * size))

    def _line(self, line: VLine, first_in_col: bool) -> None:
        """Place one text line: in a listing, a heading, a list item, a table-of-contents line, or
        running text, by the first of :attr:`_LINE_RULES` that takes it."""
        visible = [s for s in line.spans if s.text.strip()]
        if not visible:
            return
        prev = self.prev
        same_col = not first_in_col and prev is not None
        col = self.col
        assert col is not None
        c = _LineContext(line, line.text, visible, line.size or self.st.body_size, prev, same_col,
                         line.y0 - prev.y1 if same_col and prev is not None else 0.0, col)
        for rule in (self._code_rules, self._heading_rules, self._list_item, self._toc_line):
            if rule(c):
                return
        self._running_text(c)

    # -- code

    def _code_rules(self, c: _LineContext) -> bool:
        """Monospace lines and the lines that belong to a listing; True when the line is placed."""
        line, visible = c.line, c.visible
        if self.kind == "code" and _CONTINUED.match(c.text.strip()) and not visible[0].mono:
            return True  # Sphinx's "(continues on next page)" beside a listing split by a page break
        if self.kind == "code" and self.code and _WRAP_MARK.match(visible[0].text) and c.same_col:
            self._wrapped_code(line)  # Sphinx wraps long listing lines with a hooked arrow
            return True
        all_mono = all(s.mono for s in visible)
        if (self._listing_comment(c) or (not all_mono and self._mixed_code(line, visible, c.gap, c.same_col))
                or (all_mono and not self._glued_mono(c))):
            self._code_line(line, c.gap, c.same_col)
            return True
        return False

    def _listing_comment(self, c: _LineContext) -> bool:
        """A comment line of the open listing set in roman/italic, right below it."""
        return (self.kind == "code" and bool(self.code) and c.same_col and not c.visible[0].mono
                and c.gap < 2.6 * c.size and c.line.x0 >= self.code_left - 0.5 * c.size
                and bool(_COMMENT_LINE.match(c.text))
                and (c.gap < 1.0 * c.size or all(s.italic for s in c.visible if not s.mono)))

    def _glued_mono(self, c: _LineContext) -> bool:
        """An all-monospace line that ends the paragraph or item above (a short wrapped tail, or the
        rest of inline code that the line above ended with): running text, not a listing."""
        prev, line, size, col = c.prev, c.line, c.size, c.col
        if not (self.kind in ("para", "item") and c.same_col and prev is not None and c.gap < 0.5 * size
                and prev.x1 > col.right - 3 * size):
            return False
        if line.x1 < col.right - 3 * size and len(c.text.split()) <= 2:
            return True
        prev_visible = [s for s in prev.spans if s.text.strip()]
        prev_mono_end = bool(prev_visible) and prev_visible[-1].mono
        return (prev_mono_end and not all(s.mono for s in prev_visible)
                and line.x0 <= max(prev.x0, self.item_text_x if self.kind == "item" else 0) + 2)

    # -- headings

    def _heading_rules(self, c: _LineContext) -> bool:
        """A chapter label, or a heading line (a new heading or the next line of a wrapped one)."""
        line = c.line
        if self._chapter_label(line, c.text):
            return True
        level = self._heading_level(line)
        if self.label:
            self._place_label(level, c.text)
        if not level and self._wrapped_heading(c):
            level = self.heading_level  # the second line of a wrapped heading
        if not level:
            return False
        if self.kind == "heading" and self.heading_level == level and c.same_col and c.prev is not None \
                and c.gap < 0.8 * c.size:
            self.parts.append(line.spans)
        else:
            self.close()
            self.list_stack = []
            self.kind, self.heading_level, self.parts = "heading", level, [line.spans]
        self.prev = line
        return True

    def _place_label(self, level: int, text: str) -> None:
        """The held chapter label: the number of the heading below it, or a heading (or text) itself."""
        number = _label_number(self.label)
        if level and number and not NUMBERED_HEADING.match(text):
            self.heading_prefix = number + " "  # "# 1 Why Click?", not "CHAPTER ONE" apart
        else:  # no title below: the label was the heading itself ("Chapter One"), or text
            self.close()
            self.blocks.append(("#" * self.label_level + " " if self.label_level else "") + " ".join(self.label))
        self.label = []

    def _wrapped_heading(self, c: _LineContext) -> bool:
        """A short line right below a heading, in the heading's style."""
        return (self.kind == "heading" and c.same_col and c.prev is not None and c.gap < 0.5 * c.size
                and line_style(c.line) is not None and line_style(c.line) == line_style(c.prev)
                and len(c.text.split()) <= 8)

    # -- list items and table-of-contents lines

    def _list_item(self, c: _LineContext) -> bool:
        """A line that starts with a bullet or a number starts a list item (nested by its indent)."""
        line, text = c.line, c.text
        bullet = BULLET.match(text)
        number = None if bullet else NUMBERED.match(text)
        marker = bullet or number
        if marker and (bullet and bullet.group(1) in "-*" or number and re.fullmatch(r"[a-z]\.", number.group(1))) \
                and self.kind == "para" and c.same_col and c.gap < 0.3 * c.size:
            marker = None  # a dash, or "a." (Texinfo's @enumerate a), that starts a wrapped line of running text
        if not marker:
            return False
        self.close()
        depth = self._list_depth(line.x0)
        self.kind, self.item_prefix = "item", "    " * depth + _item_marker(marker.group(1), bool(bullet))
        self.item_para = False
        rest = _strip_chars(line.spans, marker.end())
        self.parts = [rest]
        self.item_text_x = rest[0].x0 if rest else line.x0 + c.size
        self.prev = line
        return True

    def _list_depth(self, x: float) -> int:
        """The nesting depth of an item whose marker is at ``x``: deeper when indented past the
        open item's, back out to the level it lines up with."""
        while self.list_stack and x < self.list_stack[-1] - 2:
            self.list_stack.pop()
        if not self.list_stack or x > self.list_stack[-1] + 2:
            self.list_stack.append(x)
        return len(self.list_stack) - 1

    def _toc_line(self, c: _LineContext) -> bool:
        """A table-of-contents line ("1.2 Setup . . . . 7") is a line of its own, leaders shortened."""
        if not (TOC_LINE.search(c.text) or _toc_entry(c.line)):
            return False
        spans = [type(s)(" ... ", s.x0, s.x1, s.size, False, False, False) if LEADER.fullmatch(s.text) else s
                 for s in c.line.spans]
        spans = _strip_leader_tail(spans)
        self.close()
        self.kind, self.parts, self.prev = "para", [spans], c.line
        self.close()
        return True

    # -- running text

    def _running_text(self, c: _LineContext) -> None:
        """Continue the open paragraph or item, or start a new paragraph."""
        line = c.line
        if self._paragraph_after_list(c):
            return
        new_para = self._new_paragraph(c)
        if self.kind == "item" and c.same_col and c.prev is not None \
                and self._item_paragraph(line, c.prev, c.gap, c.size, new_para):
            self.close()
            self.kind, self.item_para, self.parts, self.prev = "item", True, [line.spans], line
            return
        if new_para and self.kind == "code" and self.code_in_item and c.same_col \
                and abs(line.x0 - self.item_text_x) <= 0.6 * c.size and c.gap < 3.0 * c.size:
            self.close()  # the item's text goes on after its listing
            self.kind, self.item_para, self.parts, self.prev = "item", True, [line.spans], line
            return
        if new_para:
            self.close()
            self.list_stack = []  # running text ends any list; the next marker starts a new one
            self.kind, self.parts = "para", [line.spans]
        else:
            self.parts.append(line.spans)
        self.prev = line

    def _paragraph_after_list(self, c: _LineContext) -> bool:
        """The "item paragraph" was the indented first line of a paragraph after the list (Texinfo
        and LaTeX indent first lines as deep as item text): turn it into a paragraph, this line
        its second."""
        line, size = c.line, c.size
        if not (self.kind == "item" and c.prev is not None and c.same_col and self.item_para
                and len(self.parts) == 1 and c.gap <= 0.7 * size
                and abs(line.x0 - c.col.left) <= 0.6 * size < self.item_text_x - line.x0):
            return False
        self.kind, self.item_para, self.list_stack = "para", False, []
        self.parts.append(line.spans)
        self.prev = line
        return True

    def _new_paragraph(self, c: _LineContext) -> bool:
        """Does the line start a new paragraph rather than continue the open paragraph or item?"""
        prev, line, size, gap, col = c.prev, c.line, c.size, c.gap, c.col
        if self.kind not in ("para", "item") or prev is None:
            return True
        if not c.same_col:
            return self._new_paragraph_across(c)
        if self.kind == "item":
            return gap > 0.7 * size or line.x0 < self.item_text_x - 0.6 * size
        indented = line.x0 > col.left + 0.8 * size and line.x0 > prev.x0 + 0.8 * size
        # a hanging indent (pandoc/LaTeX run-in titles, bibliography and glossary
        # entries): the paragraph's full first line at the margin, the rest indented
        hanging = (indented and len(self.parts) == 1 and prev.x0 <= col.left + 0.5 * size
                   and prev.x1 >= self._text_right(col) - size and gap <= 0.5 * size)
        return (gap > 0.7 * size or (indented and not hanging and abs(size - prev.size) < 0.6)
                or abs(size - prev.size) > 1)

    def _new_paragraph_across(self, c: _LineContext) -> bool:
        """Across a column or page break: the previous line must reach its column's right edge and
        this one must start where a continuation line would (not indented for a paragraph, at the
        item's text indent for a list item)."""
        prev, size, col = c.prev, c.size, c.col
        assert prev is not None
        prev_col = self.prev_col
        full = prev_col is None or prev.x1 > prev_col.right - 3 * size
        indent = c.line.x0 - col.left
        if self.kind == "item":
            want = self.item_text_x - (prev_col.left if prev_col is not None else col.left)
            return not full or abs(indent - want) > 0.8 * size
        return not full or indent > 0.8 * size

    def _item_indent(self) -> str:
        """Indent of an item's further blocks: 4 columns past the marker's start (pandoc's)."""
        marker = self.item_prefix.lstrip(" ")
        return " " * (len(self.item_prefix) - len(marker) + max(4, len(marker)))

    def _item_paragraph(self, line: VLine, prev: VLine, gap: float, size: float, new_para: bool) -> bool:
        """Does ``line`` start a further paragraph of the open list item?

        Items with a title line ("1. Precision" alone, its text below; licence clauses "0.
        Definitions.") and items of several paragraphs (Texinfo @enumerate, LaTeX enumerate,
        Word numbered paragraphs) keep their text at the item's text indent. A new paragraph
        there either follows a paragraph gap or follows a line that stopped short although the
        next line's first word would have fitted: wrapped text never does that."""
        col = self.col
        if col is None or self.item_text_x <= col.left + 0.8 * size:
            return False
        if abs(line.x0 - self.item_text_x) > 0.6 * size:
            return False
        if new_para:
            return gap < 3.0 * size
        words = line.text.split()
        first = next((s for s in line.spans if s.text.strip()), None)
        if not words or first is None:
            return False
        stripped = first.text.lstrip()
        per_char = (first.x1 - first.x0) / max(1, len(first.text))
        need = per_char * (len(words[0]) + 1) if stripped.startswith(words[0]) else 3 * size
        return self._text_right(col) - prev.x1 > need + 0.5 * size

    def _text_left(self, col: Column) -> float:
        """Where most of the column's lines start (labels set out in the margin do not move it)."""
        if col.text_left is not None:
            return col.text_left
        starts: dict[int, int] = {}
        for it in col.items:
            if isinstance(it, VLine):
                starts[round(it.x0)] = starts.get(round(it.x0), 0) + 1
        left = float(max(starts, key=lambda x: (starts[x], -x))) if starts else col.left
        col.text_left = left
        return left

    def _text_right(self, col: Column) -> float:
        """Where the column's running text ends: the 75th percentile of its lines' right edges
        (an overfull code line or a wide table does not move it)."""
        if col.text_right is not None:
            return col.text_right
        ends = sorted(it.x1 for it in col.items if isinstance(it, VLine))
        right = ends[int(0.75 * (len(ends) - 1))] if len(ends) >= 5 else col.right
        col.text_right = right
        return right

    def _wrapped_code(self, line: VLine) -> None:
        """Join a wrapped listing line ("\u21aa rest") to the line it continues."""
        spans, y, page = self.code[-1]
        rest = _WRAP_MARK.sub("", "".join(s.text for s in line.spans), count=1)
        if spans:
            x, text, mono, x1 = spans[-1]
            text = text.rstrip().rstrip("\u2423").rstrip()
            sep = " " if spans[-1][1].rstrip().endswith("\u2423") else ""
            spans = [*spans[:-1], (x, text + sep + rest, mono, x1)]
        self.code[-1] = (spans, y, page)
        self.prev = line

    def _mixed_code(self, line: VLine, visible: list, gap: float, same_col: bool) -> bool:
        """A listing line with proportional text beside its monospace: comments set in roman
        (Texinfo ``@r{}`` in @example, LaTeX listings with ``commentstyle``), found by a comment
        opener in the monospace text just before the proportional run, or by following a listing."""
        if not visible[0].mono:
            return False
        comment = False
        last_mono = ""
        last_span = None
        for s in visible:
            if s.mono:
                last_mono += s.text
                last_span = s
            elif re.search(r"\S\s*(/\*|//|#+|--|;|%|\(\*)\s*$", last_mono):
                comment = True  # code, then a comment opener, then the roman comment
                break
            else:
                # an annotation set apart in a column of its own (Texinfo @r{} in an indented
                # @example: "make pdf      to create PDF versions")
                cw = (last_span.x1 - last_span.x0) / max(1, len(last_span.text)) if last_span else 0
                col = self.col
                size = line.size or self.st.body_size
                comment = (last_span is not None and s.x0 - last_span.x1 >= 2.5 * cw > 0 and col is not None
                           and line.x0 > self._text_left(col) + size  # indented, not a margin label
                           and line.x1 < self._text_right(col) - 2 * size)  # prose runs to the margin
                break
        size = line.size or self.st.body_size
        in_code = (self.kind == "code" and bool(self.code) and (not same_col or gap < 1.0 * size)
                   and line.x0 >= self.code_left - 0.5 * size)
        # inside a listing, a comment opener anywhere in the monospace ("> i  # i is ...") will
        # do; prose that starts with inline code right below a listing has none
        opener = any(re.search(r"(/\*|//|#|--|;|%|\(\*)", s.text) for s in visible if s.mono)
        return comment or (in_code and opener)

    def _code_line(self, line: VLine, gap: float, same_col: bool) -> None:
        """Add a monospace line to the listing it continues, or start a listing with it."""
        col = self.col
        assert col is not None
        size = line.size or self.st.body_size
        cont = self._continues_listing(line, gap, same_col, size)
        lead = None if cont else self._comment_lead(line, gap, same_col, size)
        if lead is not None:
            self.kind, self.parts = None, []
        if not cont:
            self._start_listing(line, col, size)
        elif col is not self.code_col:
            self._code_move(col)
        self._narrow_char_width(line, size)
        if cont and same_col and gap < 0.5 * size and self._soft_wrapped(line, col):
            self._join_wrapped(line)
            return
        if lead is not None:
            self._code_add(self._code_spans(lead), lead.base, lead.page)
        if self.code and same_col:
            self._blank_code_lines(line, size)
        self._code_add(self._code_spans(line), line.base, line.page)
        self.prev = line

    def _continues_listing(self, line: VLine, gap: float, same_col: bool, size: float) -> bool:
        """Whether the line goes on with the open listing: close below it, or in another column,
        and on its line grid (a second listing right below the first one, as in Sphinx framed
        blocks, is not)."""
        if not (self.kind == "code" and bool(self.code)):
            return False
        if not same_col:
            return True
        if gap < 2.6 * size:
            return not self._off_grid(line, size)
        # two or three blank lines (PEP 8 between definitions), on the listing's known grid
        last = self.code_last
        return (gap < 4.0 * size and self.code_pitch is not None and last is not None and last[1] == line.page
                and not self._off_grid(line, size))

    def _comment_lead(self, line: VLine, gap: float, same_col: bool, size: float) -> VLine | None:
        """The listing's first line when it was a comment set in a proportional face (Sphinx's
        italic comments), read as a one-line paragraph before the listing showed up."""
        prev = self.prev
        if (self.kind == "para" and len(self.parts) == 1 and same_col and prev is not None
                and gap < 0.6 * size and abs(prev.x0 - line.x0) <= 0.3 * size and _COMMENT_LINE.match(prev.text)):
            return prev
        return None

    def _start_listing(self, line: VLine, col: Column, size: float) -> None:
        """Close what is open and start a listing at the line (inside a list item when indented
        past the item's text)."""
        self.close()
        in_item = (self.kind == "item" or (self.last_item and self.kind is None)) and bool(self.list_stack)
        self.code_in_item = in_item and line.x0 > self.item_text_x + 0.5 * size and not self._top_listing(line, col)
        if not self.code_in_item:
            self.list_stack = []
        self.kind, self.code, self.code_cw = "code", [], 0.0
        self.code_last, self.code_pitch = None, None
        self.code_left = line.x0
        self.code_origin, self.code_col = col.left, col

    def _top_listing(self, line: VLine, col: Column) -> bool:
        """A listing at the document's own listing indent from the text (Texinfo's @example,
        0.4in in), not the item's: it follows a paragraph after the list, not the item (a
        listing inside an item stands that far right of the item's text)."""
        indent = self.st.listing_indent
        # a page of list items has no running text at the margin: one column's margin is the document's
        left = self.st.text_left if self.st.gutter is None else _prose_left(col)
        size = line.size or self.st.body_size
        return (indent is not None and indent >= size and left is not None
                and abs(line.x0 - left - indent) <= 0.25 * size)

    def _narrow_char_width(self, line: VLine, size: float) -> None:
        """The listing's character width: the narrowest monospace advance seen (0.6 em until one is).
        Beside a roman comment a typewriter space can be the comment's glue, narrower than a
        character: there only runs without a space at either end are measured."""
        mixed = any(not s.mono for s in line.spans if s.text.strip())
        for s in line.spans:
            n = len(s.text)
            if s.mono and n >= 2 and s.x1 > s.x0 and not (mixed and s.text.strip() != s.text):
                cw = (s.x1 - s.x0) / n
                if self.code_cw == 0 or cw < self.code_cw * 0.98:
                    self.code_cw = cw
        if self.code_cw == 0:
            self.code_cw = 0.6 * size

    def _code_spans(self, line: VLine) -> list:
        """The line's spans as (x, text, mono, x1) relative to the listing's origin."""
        o = self.code_origin
        return [(s.x0 - o, s.text, s.mono, s.x1 - o) for s in line.spans]

    def _join_wrapped(self, line: VLine) -> None:
        """Append a soft-wrapped line's text to the listing line above it."""
        spans = self.code[-1][0]
        x, text, mono, _ = spans[-1]
        rest = self._code_spans(line)
        self.code[-1] = ([*spans[:-1], (x, text.rstrip() + " " + "".join(t for _, t, _, _ in rest).lstrip(),
                                        mono, rest[-1][3])], line.base, line.page)
        self.code_last = (line.base, line.page)
        self.prev = line

    def _blank_code_lines(self, line: VLine, size: float) -> None:
        """Blank lines inside the listing from the vertical gap above the line (at most 3)."""
        prev_y = self.code[-1][1]
        pitch = self._code_pitch(size)
        blanks = round((line.base - prev_y) / pitch) - 1
        for _ in range(max(0, min(blanks, 3))):
            self.code.append(([], line.base, line.page))

    def _soft_wrapped(self, line: VLine, col: Column) -> bool:
        """Is ``line`` the rest of the listing line above, wrapped by a word processor? Word and
        LibreOffice wrap a long "Source Code" paragraph at a space: the line above stops near the
        text's right edge although the first word here would not have fitted, and this line starts
        at the listing's left edge. (TeX never wraps a listing: an overfull line runs on.)"""
        right = self.st.text_right
        if (not self.wraps_code or right is None or not self.code or not self.code[-1][0]
                or line.x0 > self.code_left + 0.5 * self.code_cw):
            return False
        last = self.code[-1][0][-1]
        x1 = last[3] + self.code_origin
        words = line.text.split()
        cw = self.code_cw or 5.0
        if not words or re.match(r"(>>>|\.\.\.|\$|#|%|>)$", words[0]):
            return False  # a prompt starts a line of its own
        if line.text[:1].isspace():
            return False  # a wrap keeps the run of spaces it breaks at on the line above
        # LibreOffice keeps the space it wrapped at; a line ending without one and short of the
        # margin (a token too long for the line is cut where the line is full) was ended by its author
        if (self.keeps_wrap_space and not last[1][-1:].isspace() and last[1][-1:] not in "-/\u00ad\u2010"
                and x1 < right - 1.5 * cw):
            return False
        return (right - 8 * cw < x1 <= right + cw and x1 + cw * (len(words[0]) + 1) > right + 0.5 * cw
                and not last[1].rstrip().endswith("\\"))

    def _code_move(self, col: Column) -> None:
        """A listing goes on in another column or page: shift its x origin by how far the
        column's running text moved. Each column's own leftmost line is no common mark (a page
        holding only the listing's tail starts at the listing's indent); the text's usual start
        is, and with no running text beside it a one-column document keeps its page positions."""
        old = self.code_col
        a, b = (_prose_left(old) if old is not None else None), _prose_left(col)
        if a is not None and b is not None:
            self.code_origin += b - a
        elif self.st.gutter is not None:
            self.code_origin = col.left
        self.code_col = col

    def _off_grid(self, line: VLine, size: float) -> bool:
        """Blank lines inside a listing keep its line grid; the space between two listings
        (each in its own frame or with its own spacing) falls off it. A word processor's blank
        line can be a little taller than a code line (it has the paragraph font's height), never
        shorter: a gap short of whole lines by more than a sixth is the spacing between two
        listings (LibreOffice's "Source Code" paragraphs)."""
        last = self.code_last
        if last is None or last[1] != line.page or self.code_pitch is None:
            return False  # fewer than two lines of this listing on this page: no grid yet
        steps = (line.base - last[0]) / self.code_pitch
        return steps > 1.5 and not -0.15 <= steps - round(steps) <= 0.25

    def _code_pitch(self, size: float) -> float:
        """The listing's line pitch: the smallest step between its consecutive lines on one page
        (kept as lines come, not recounted: long listings stay linear)."""
        return self.code_pitch or 1.2 * size

    def _code_add(self, spans: list, y: float, page: int) -> None:
        self.code.append((spans, y, page))
        if not spans:
            return
        last = self.code_last
        if last is not None and last[1] == page and y > last[0]:
            step = y - last[0]
            self.code_pitch = step if self.code_pitch is None else min(self.code_pitch, step)
        self.code_last = (y, page)

    def _render_code(self) -> str:
        """The listing as a fenced block (its language guessed), each line's text placed at its
        character column; a lone displayed URL is a link instead."""
        cw = self.code_cw or 5.0
        base = min((sp[0][0] for sp, _, _ in self.code if sp), default=0.0)
        lines = [_code_text(spans, base, cw) for spans, _, _ in self.code]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if len(lines) == 1 and re.fullmatch(r"https?://[^\s<>]+", lines[0].strip()):
            return f"<{lines[0].strip()}>"  # a displayed URL (texinfo @url) is a link, not a listing
        lang = _guess_language(lines)
        body = "\n".join(lines)
        fence = "````" if "```" in body else "```"
        return f"{fence}{lang}\n{body}\n{fence}"


def _note_mark(spans: list) -> tuple[str, int] | None:
    """A footnote's number mark: its first span, digits only, raised or set smaller than the
    note's text (LaTeX's "¹The word is ..."); (number, spans it takes) or None."""
    visible = [i for i, s in enumerate(spans) if s.text.strip()]
    if len(visible) < 2 or not _NOTE_MARK.fullmatch(spans[visible[0]].text):
        return None
    first, nxt = spans[visible[0]], spans[visible[1]]
    if not (first.sup or first.size <= 0.85 * nxt.size):
        return None
    return first.text.strip(), visible[0] + 1


def _code_text(spans: list, base: float, cw: float) -> str:
    """One listing line: each span at the character column its x gives (``base`` is column 0,
    ``cw`` the character width), trailing blanks dropped."""
    buf = ""
    after_prop, prev_x1, fitted = False, 0.0, False
    for x, text, mono, x1 in spans:
        if after_prop:
            # proportional text (a roman comment) breaks the x -> column mapping: what
            # follows it on the line is placed by spacing, not by position
            if x - prev_x1 > 0.3 * cw and not buf.endswith(" ") and not text.startswith(" "):
                buf += " "
        elif not (fitted and abs(x - prev_x1) <= 0.25 * cw):
            # a span right where the last one ended, when that one's text filled its width,
            # adds no space: the text has the spacing (a bold typewriter space is wider than a
            # character in some fonts, so positions drift off the grid along a highlighted line;
            # a space glyph stretched over several columns does not fill its width)
            col = max(0, round((x - base) / cw))
            if len(buf) < col and not (buf.endswith(" ") and not text.strip()):
                buf += " " * (col - len(buf))
        # TeX typesets ' and " in typewriter fonts as curly quotes; in code they are
        # straight, and its backquote is an opening one: a pair of opening quotes is a
        # shell `...` pair. A roman comment's curly quotes are the author's own.
        buf += _BACKQUOTES.sub(r"`\1`", text).translate(_CODE_QUOTES) if mono else text
        if text.strip():
            after_prop = after_prop or not mono
        prev_x1 = x1
        fitted = bool(text) and abs((x1 - x) / len(text) - cw) <= 0.3 * cw
    return buf.rstrip()


def _render_table(t: Table) -> str:
    ncols = max(len(r) for r in t.rows)
    rows = [[c.replace("|", "\\|").replace("\n", " ").strip() for c in r] + [""] * (ncols - len(r)) for r in t.rows]
    head_n = max(1, t.header_rows)
    if head_n > 1:
        header = [" ".join(c for c in col if c) for col in zip(*rows[:head_n], strict=False)]
    else:
        header = rows[0]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * ncols]
    lines += ["| " + " | ".join(r) + " |" for r in rows[head_n:]]
    return "\n".join(lines)
