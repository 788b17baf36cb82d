"""PDF shapes of real manuals (Texinfo, LaTeX, office exports), drawn glyph run by glyph run
with PyMuPDF so each failure pattern of issue 21 is reproduced without any real file:

* a numbered item whose title is alone on its line, its body indented below (Texinfo @enumerate,
  licence clauses);
* a monospace block whose comments are set in a proportional font (Texinfo @r{} in @example);
* numbered headings without bookmarks, and headings missing from a partial outline;
* a TeX accent drawn as its own glyph over the letter;
* running heads and page numbers placed above/below the 10% page margins.
"""

from __future__ import annotations

import pymupdf
from llmingest.converters.pdf import convert

BODY = "tiro"  # Times-Roman: a proportional body font
BOLD = "tibo"  # Times-Bold
MONO = "cour"  # Courier
LEFT, RIGHT = 72.0, 540.0
PROSE = ("The quick survey of the data shows that most of the values fall inside the expected range "
         "and the remaining ones are explained by the way the instruments were calibrated at the "
         "start of each session, which the next sections describe in more detail for the reader.")


class Page:
    """A letter page written top to bottom: ``y`` is the next baseline."""

    def __init__(self, doc: pymupdf.Document, number: int | None = None, head: str | None = None):
        self.page = doc.new_page(width=612, height=792)
        self.y = 110.0
        if head is not None:  # a running head with the page number, in the top 10%... or below it
            self.text(LEFT, 80, head, BODY, 9)
        if number is not None:  # a page number below the text block, above the bottom 10%
            self.text(300, 700, str(number), BODY, 10)

    def text(self, x: float, y: float, s: str, font: str = BODY, size: float = 10) -> float:
        """Draw ``s`` at (x, y); return the x where it ends."""
        self.page.insert_text((x, y), s, fontname=font, fontsize=size)
        return x + pymupdf.get_text_length(s, fontname=font, fontsize=size)

    def runs(self, x: float, runs: list[tuple[str, str]], size: float = 10, lead: float = 12) -> None:
        """One line made of (text, font) runs, each drawn where the previous one ended."""
        for s, font in runs:
            x = self.text(x, self.y, s, font, size)
        self.y += lead

    def para(self, text: str = PROSE, x: float = LEFT, right: float = RIGHT, size: float = 10,
             first: str | None = None) -> None:
        """A justified-looking paragraph: words fill lines up to ``right``; then a paragraph gap."""
        words = text.split()
        line: list[str] = []
        for w in words:
            trial = " ".join([*line, w])
            if line and x + pymupdf.get_text_length(trial, fontname=BODY, fontsize=size) > right:
                self.text(x, self.y, " ".join(line), BODY, size)
                self.y += 1.2 * size
                line = [w]
            else:
                line.append(w)
        if line:
            self.text(x, self.y, " ".join(line), BODY, size)
            self.y += 1.2 * size
        self.y += 0.6 * size

    def heading(self, text: str, size: float) -> None:
        self.y += size
        self.text(LEFT, self.y, text, BOLD, size)
        self.y += 1.6 * size


def md_of(doc: pymupdf.Document) -> str:
    out = convert(doc.tobytes(), name="t.pdf").content
    return out.split("\n---\n", 1)[1]


def test_numbered_item_title_line_keeps_its_own_line_and_body_paragraphs() -> None:
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    for n, title in ((1, "Precision"), (2, "Definitions.")):
        p.text(LEFT + 10, p.y, f"{n}.")
        p.text(LEFT + 28, p.y, title)
        p.y += 12
        p.para(PROSE, x=LEFT + 28)
        p.para("A second paragraph of the same item explains the exceptions to the rule above and "
               "why they matter when results are compared between laboratories.", x=LEFT + 28)
    p.para()
    md = md_of(doc)
    lines = md.splitlines()
    assert "1. Precision" in lines
    assert "2. Definitions." in lines
    # the body paragraphs stay inside their item (indented), not merged into the title line
    assert any(ln.startswith("    The quick survey") for ln in lines)
    assert any(ln.startswith("    A second paragraph") for ln in lines)
    assert md.count("The quick survey") == 4


def test_monospace_block_keeps_its_proportional_comments() -> None:
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    x = LEFT + 30
    p.runs(x, [("enum {", MONO)])
    p.runs(x, [("    CTXT_TOPLEVEL = 0,  /* ", MONO), ("toplevel context", BODY), (" */", MONO)])
    p.runs(x, [("    CTXT_NEXT     = 1,  /* ", MONO), ("target for next", BODY), (" */", MONO)])
    p.runs(x, [("    CTXT_BREAK    = 2   /* ", MONO), ("target for break", BODY), (" */", MONO)])
    p.runs(x, [("};", MONO)])
    p.y += 8
    p.runs(x, [("struct {", MONO)])
    p.runs(x, [("    int  count;  /* ", MONO), ("how many", BODY), (" */", MONO)])
    p.runs(x, [("    char *name;  /* ", MONO), ("owned by the caller", BODY), (" */", MONO)])
    p.runs(x, [("} item;", MONO)])
    p.y += 8
    p.para()
    md = md_of(doc)
    assert ("```\nenum {\n    CTXT_TOPLEVEL = 0,  /* toplevel context */\n"
            "    CTXT_NEXT     = 1,  /* target for next */\n"
            "    CTXT_BREAK    = 2   /* target for break */\n};\n") in md
    assert "    char *name;  /* owned by the caller */\n} item;\n```" in md
    assert "`toplevel" not in md


def _numbered_doc(toc: list | None) -> pymupdf.Document:
    doc = pymupdf.open()
    for ch in (1, 2, 3):
        p = Page(doc)
        p.heading(f"{ch} Chapter number {ch}", 17)
        p.para()
        for sec in (1, 2):
            p.heading(f"{ch}.{sec} What is part {sec}?", 12)
            p.para()
            p.para()
        if ch == 3:
            p.heading("Preamble", 12)  # an unnumbered section the outline leaves out
            p.para()
    if toc is not None:
        doc.set_toc(toc)
    return doc


def test_numbered_headings_without_bookmarks_are_headings() -> None:
    md = md_of(_numbered_doc(None))
    lines = md.splitlines()
    assert "# 1 Chapter number 1" in lines
    assert "## 2.1 What is part 1?" in lines
    assert "## 3.2 What is part 2?" in lines
    assert "**" not in md


def test_heading_missing_from_a_partial_outline_comes_from_its_typography() -> None:
    toc = [[1, f"{ch} Chapter number {ch}", ch] for ch in (1, 2, 3)]
    toc += [[2, f"{ch}.{s} What is part {s}?", ch] for ch in (1, 2, 3) for s in (1, 2)]
    toc.sort(key=lambda e: (e[2], e[0]))
    md = md_of(_numbered_doc(toc))
    lines = md.splitlines()
    assert "## 2.1 What is part 1?" in lines
    assert "## Preamble" in lines


def test_tex_accent_drawn_as_its_own_glyph_is_composed() -> None:
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    x = p.text(LEFT, p.y, "Thanks to Bj")
    # TeX's \accent: the accent glyph first, shifted over the letter, then the letter itself
    w = pymupdf.get_text_length("o", fontname=BODY, fontsize=10)
    p.text(x + 0.25 * w, p.y, "\u00a8")
    x = p.text(x, p.y, "orn And")
    w = pymupdf.get_text_length("e", fontname=BODY, fontsize=10)
    p.text(x + 0.3 * w, p.y, "\u00b4")
    p.text(x, p.y, "en for the review.")
    p.y += 20
    p.para()
    md = md_of(doc)
    assert "Björn Andén" in md
    assert "\u00b4" not in md and "\u00a8" not in md


def test_running_heads_and_page_numbers_outside_the_margins_are_dropped() -> None:
    doc = pymupdf.open()
    for n in range(1, 13):
        p = Page(doc, number=n, head=f"Chapter {1 + n // 5}: Working with data")
        p.para(f"In part {n} of the survey: {PROSE}")
        p.para(f"In part {n} of the survey: {PROSE}")
    md = md_of(doc)
    lines = md.splitlines()
    assert not [ln for ln in lines if ln.strip().isdigit()]
    assert "Working with data" not in md
    assert md.count("The quick survey") == 24
    assert md.count("In part 7 of the survey") == 2


def test_texinfo_style_pages() -> None:
    """A Texinfo manual page: running head with the page number, chapter and section headings,
    @example (indented monospace), @itemize bullets and @enumerate items, no outline."""
    doc = pymupdf.open()
    for n in range(1, 5):
        p = Page(doc, number=None, head=f"Chapter {n}: Data structures")
        p.text(RIGHT - 12, 80, str(n + 10), BODY, 9)
        p.heading(f"{n} Data structures part {n}", 17)
        p.para(f"In part {n}: {PROSE}")
        p.heading(f"{n}.1 Vectors and assignment", 12)
        p.para(f"In part {n}, again: {PROSE}")
        x = LEFT + 30
        p.runs(x, [(f"> x <- c(10.4, 5.6, {n})", MONO)], size=9, lead=11)
        p.runs(x, [(f"> assign(\"x{n}\", c(10.4, 5.6))", MONO)], size=9, lead=11)
        p.y += 8 + 3 * n  # not at one place on every page: that would be page furniture
        for item in ("first bullet point of the list", "second bullet point of the list"):
            p.text(LEFT + 14, p.y, "\u2022")
            p.text(LEFT + 28, p.y, item)
            p.y += 14
        p.y += 6
        p.para(f"And in part {n}: {PROSE}")
    md = md_of(doc)
    lines = md.splitlines()
    assert "# 1 Data structures part 1" in lines
    assert "## 4.1 Vectors and assignment" in lines
    assert "```\n> x <- c(10.4, 5.6, 3)\n> assign(\"x3\", c(10.4, 5.6))\n```" in md
    assert lines.count("- first bullet point of the list") == 4
    assert "Chapter 2: Data structures" not in md
    assert md.count("The quick survey") == 12
    assert not [ln for ln in lines if ln.strip().isdigit()]


def test_toc_beside_abstract_reads_toc_then_abstract_and_toc_lines_are_not_headings() -> None:
    """A LaTeX paper's first page: a leaderless table of contents (bold entries, page numbers flush
    right) in the left column, the abstract in the right one."""
    doc = pymupdf.open()
    p = Page(doc)
    p.text(200, 80, "A Package for Transactions", BOLD, 17)
    p.text(72, 110, "Contents", BOLD, 12)
    p.text(320, 110, "Abstract", BOLD, 12)
    y = 130.0
    for n, title in enumerate(["Introduction", "Installation", "Changes from older Versions", "Options",
                               "Document Structure", "Paper Sizes", "Fonts", "Figures and Tables",
                               "Equations", "Footnotes"], 1):
        p.text(72, y, str(n), BOLD)
        p.text(86, y, title, BOLD)
        p.text(280, y, str(1 + n // 3), BOLD)
        y += 14
    words = ("This package implements the layout requirements for the transactions of a society "
             "and covers the journals on energy conversion, power delivery and power systems as "
             "well as special publications, discussions and closures in the required form. This "
             "document is version four and describes the package as released this spring; thanks "
             "are due to the many readers who reported problems with earlier versions of it.").split()
    y, line = 130.0, []
    for w in words:
        if pymupdf.get_text_length(" ".join([*line, w]), fontname=BODY, fontsize=10) > 220:
            p.text(320, y, " ".join(line))
            y, line = y + 12, [w]
        else:
            line.append(w)
    p.text(320, y, " ".join(line))
    md = md_of(doc)
    assert "### " not in md and "## 9 Equations" not in md
    assert md.index("Footnotes") < md.index("This package implements")
    assert "This package implements the layout requirements" in md
    assert "**9 Equations 4**" in md.splitlines() or "9 Equations 4" in md


def test_side_column_of_small_type_is_read_after_the_main_text() -> None:
    """acmart's acmcp layout (and sidebars): a narrow column of small type right of the text."""
    doc = pymupdf.open()
    p = Page(doc)
    side = ("Authors' addresses: Ben Trovato, Institute for Clarity in Documentation, Dublin, Ohio, "
            "USA; Lars Thorvald, The Thorvald Group, Hekla, Iceland; Valerie Beranger, Inria Paris").split()
    y, line = 110.0, []
    for w in side:
        if pymupdf.get_text_length(" ".join([*line, w]), fontname=BODY, fontsize=6) > 80:
            p.text(460, y, " ".join(line), BODY, 6)
            y, line = y + 7, [w]
        else:
            line.append(w)
    p.text(460, y, " ".join(line), BODY, 6)
    p.para(f"In this document we discuss how to write an article. {PROSE}", right=420)
    p.para(f"This document provides templates for the article. {PROSE}", right=420)
    md = md_of(doc)
    assert "In this document we discuss how to write an article. The quick survey" in md
    assert "Authors' addresses: Ben Trovato, Institute for Clarity" in md
    assert md.index("This document provides templates") < md.index("Authors' addresses")


def test_listing_line_numbers_set_small_beside_the_code_are_dropped() -> None:
    """LaTeX ltxdoc macrocode and listings ``numbers=left``: small numbers left of each code line."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    for i, code in enumerate(["\\def\\foo#1{%", "  \\bar{#1}%", "  \\baz", "}", "\\let\\x\\y", "\\endinput"]):
        p.text(LEFT, p.y, str(101 + i), BODY, 7)
        p.text(LEFT + 20, p.y, code, MONO, 9)
        p.y += 11
    p.y += 8
    p.para()
    md = md_of(doc)
    assert "```\n\\def\\foo#1{%\n  \\bar{#1}%\n  \\baz\n}\n\\let\\x\\y\n\\endinput\n```" in md
    assert "101" not in md and "106" not in md


def test_sphinx_manual_shapes() -> None:
    """Sphinx's LaTeX manual: a "CHAPTER" / "ONE" label above the chapter title, sections "1.1"
    in the title's own style, two listings one right below the other, and a listing split by a
    page break with "(continues on next page)" / "(continued from previous page)" beside it."""
    doc = pymupdf.open()
    p = Page(doc)
    p.text(LEFT, 100, "CHAPTER", BOLD, 10)
    p.text(LEFT, 125, "ONE", BOLD, 14)
    p.text(LEFT, 170, "WHY CLICK?", BOLD, 14)
    p.y = 200
    p.para(f"Why it exists: {PROSE}")
    p.heading("1.1 Why not Argparse?", 14)
    p.para(f"Because of nesting: {PROSE}")
    x = LEFT + 10
    for block in (["@click.command()", "def hello():", "    click.echo('Hello')"],
                  ["@click.group()", "def cli():", "    pass"]):
        for code in block:
            p.runs(x, [(code, MONO)], size=9, lead=11)
        p.y += 17  # a frame's padding and the space between two listings: off the 11 pt grid
    p.para(f"And then: {PROSE}")
    p.heading("1.2 Why not Docopt?", 14)
    p.para(f"Because of composition: {PROSE}")
    p.y = 690
    p.runs(x, [("import codecs", MONO)], size=9, lead=11)
    p.runs(x, [("@click.command()", MONO)], size=9, lead=11)
    p.text(440, p.y + 4, "(continues on next page)", "tiit", 8)
    p = Page(doc)
    p.text(420, 100, "(continued from previous page)", "tiit", 8)
    p.y = 118
    p.runs(x, [("def encode(password):", MONO)], size=9, lead=11)
    p.runs(x, [("    click.echo(password)", MONO)], size=9, lead=11)
    p.y += 10
    p.para(f"Finally: {PROSE}")
    lines = md_of(doc).splitlines()
    md = "\n".join(lines)
    assert "# 1 WHY CLICK?" in lines
    assert "## 1.1 Why not Argparse?" in lines and "## 1.2 Why not Docopt?" in lines
    assert "CHAPTER" not in md and "ONE" not in lines
    assert "```python\n@click.command()\ndef hello():\n    click.echo('Hello')\n```" in md
    assert "```python\n@click.group()\ndef cli():\n    pass\n```" in md
    assert ("```python\nimport codecs\n@click.command()\ndef encode(password):\n    click.echo(password)\n```"
            in md)
    assert "continue" not in md


def test_footnote_does_not_cut_a_listing_over_the_page_break() -> None:
    """Texinfo and LaTeX set footnotes at the page foot: a listing that runs on to the next page
    stays one fence, the footnote comes after it."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(f"Linking statically is done by: {PROSE}")
    p.y = 690
    p.runs(LEFT + 30, [("-Wl,-Bstatic -lRmath -Wl,Bdynamic", MONO)], size=10, lead=12)
    p.text(LEFT, 735, "2 including copying the rules file and selecting the architecture.", BODY, 8)
    p = Page(doc)
    p.y = 110
    p.runs(LEFT + 30, [("-Wl,-Bdynamic -lRmath", MONO)], size=10, lead=12)
    p.y += 10
    p.para(f"or by linking to explicit files: {PROSE}")
    md = md_of(doc)
    assert "```\n-Wl,-Bstatic -lRmath -Wl,Bdynamic\n-Wl,-Bdynamic -lRmath\n```" in md
    assert md.index("-Bdynamic -lRmath\n```") < md.index("2 including copying the rules file")


def test_hanging_indent_paragraph_stays_one_paragraph() -> None:
    """pandoc/LaTeX run-in titles and bibliography entries: a full first line, the rest indented."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    text = f"It is about regular classes. {PROSE} {PROSE}"
    words, line, x = text.split(), [], LEFT
    while words:
        w = words.pop(0)
        if pymupdf.get_text_length(" ".join([*line, w]), fontname=BODY, fontsize=10) > RIGHT - x:
            p.text(x, p.y, " ".join(line))
            p.y += 12
            line, x = [w], LEFT + 25
        else:
            line.append(w)
    p.text(x, p.y, " ".join(line))
    p.y += 20
    p.para()
    md = md_of(doc)
    paras = [b for b in md.split("\n\n") if b.strip()]
    assert len(paras) == 3
    assert paras[1].startswith("It is about regular classes.") and paras[1].endswith("for the reader.")


def test_indented_listing_with_aligned_roman_annotations() -> None:
    """Texinfo @example with @r{} notes set in their own column: "make pdf      to create ..."."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    x = LEFT + 30
    w = pymupdf.get_text_length("make info     ", fontname=MONO, fontsize=10)
    for cmd, note in (("make pdf", "to create PDF versions"), ("make info", "to create info files")):
        p.text(x, p.y, cmd, MONO)
        p.text(x + w, p.y, note)
        p.y += 12
    p.y += 8
    p.para()
    md = md_of(doc)
    assert "```\nmake pdf      to create PDF versions\nmake info     to create info files\n```" in md


def test_printed_url_broken_at_a_line_end_is_one_address_without_a_second_copy() -> None:
    """Texinfo @uref and LaTeX \\url print the address: the link adds nothing, and a break after a
    dot inside it ("https://CRAN.R-project." / "org") is not a space."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para()
    url = "https://CRAN.R-project.org"
    y = p.y
    x = p.text(LEFT, y, "Many more packages are available through the CRAN family of sites (via ")
    end = p.text(x, y, "https://CRAN.R-project.", MONO)
    p.text(LEFT, y + 12, "org", MONO)
    p.text(LEFT + pymupdf.get_text_length("org", fontname=MONO, fontsize=10), y + 12, ") and elsewhere.")
    for rect in (pymupdf.Rect(x, y - 9, end, y + 3), pymupdf.Rect(LEFT, y + 3, LEFT + 18, y + 15)):
        p.page.insert_link({"kind": pymupdf.LINK_URI, "from": rect, "uri": url})
    p.y = y + 30
    p.para()
    md = md_of(doc)
    assert "(via `https://CRAN.R-project.org`) and elsewhere." in md
    assert "](https://CRAN" not in md


def test_office_export_headings_in_a_light_face_without_bookmarks() -> None:
    """Word's default Heading 1/2 are bigger but not bold (Calibri Light): size alone makes them
    headings when the document's statistics say those styles only ever set short lines."""
    doc = pymupdf.open()
    for ch in (1, 2, 3):
        p = Page(doc)
        p.y += 16
        p.text(LEFT, p.y, f"Results of phase {ch}", "helv", 16)
        p.y += 26
        p.para(f"Phase {ch} began: {PROSE}")
        for sec in (1, 2):
            p.y += 10
            p.text(LEFT, p.y, f"Measurements in part {sec} of phase {ch}", "helv", 13)
            p.y += 20
            p.para(f"In part {sec} of phase {ch}: {PROSE}")
    lines = md_of(doc).splitlines()
    assert "# Results of phase 2" in lines
    assert "## Measurements in part 1 of phase 1" in lines
    assert "## Measurements in part 2 of phase 3" in lines


def test_sphinx_listing_keeps_its_grid_and_its_italic_comment() -> None:
    """Sphinx LaTeX listings: the first line an italic comment in a proportional face, and a blank
    line inside measured by baselines (a taller glyph sets one line's box higher: measured by box
    tops, the blank fell off the grid and the listing was cut in two)."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(f"Commands are attached like this: {PROSE}")
    p.y += 8
    p.runs(LEFT, [("# How to attach the commands to the group", "tiit")], size=10, lead=11)
    p.runs(LEFT, [("@click.command()", MONO)], size=10, lead=11)
    p.runs(LEFT, [("def initdb():", "cobo")], size=10, lead=11)
    p.runs(LEFT, [("    click.echo('Initialized')", MONO)], size=10, lead=11)
    x = p.text(LEFT, p.y, "    click.echo(", MONO, 10)
    x = p.text(x, p.y, "'", MONO, 13)  # a quote glyph from another font, its box taller
    p.text(x, p.y, "Dropped')", MONO, 10)
    p.y += 22  # one blank line on the 11 pt grid
    p.runs(LEFT, [("cli.add_command(initdb)", MONO)], size=10, lead=11)
    p.y += 10
    p.para(f"As you can see: {PROSE}")
    md = md_of(doc)
    assert ("```python\n# How to attach the commands to the group\n@click.command()\ndef initdb():\n"
            "    click.echo('Initialized')\n    click.echo('Dropped')\n\ncli.add_command(initdb)\n```") in md


def test_sphinx_wrap_marks() -> None:
    """Both marks Sphinx sets before the rest of a wrapped listing line (fonts without the hooked
    arrow draw a half ring and an arrow); base-14 fonts cannot draw them, so the pattern alone."""
    from llmingest.converters.pdf_markdown import _WRAP_MARK

    assert _WRAP_MARK.sub("", "\u02d3\u2192world.\")", count=1) == "world.\")"
    assert _WRAP_MARK.sub("", " \u21aa rest", count=1) == "rest"
    assert _WRAP_MARK.match("-> not a mark") is None


def test_listing_running_over_a_page_of_code_keeps_its_indentation() -> None:
    """A listing that fills the next page alone: its lines keep the indent they had on the first
    page (a page holding only code has no text edge of its own to measure from)."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(f"To calculate a two-way table of frequencies: {PROSE}")
    p.y = 700
    x = LEFT + 30
    p.runs(x, [("> table(incomef,statef)", MONO)], size=10, lead=12)
    p.runs(x, [("         statef", MONO)], size=10, lead=12)
    p = Page(doc)
    p.y = 110
    p.runs(x, [("incomef   act nsw nt", MONO)], size=10, lead=12)
    for row in ("  (35,45]   1   1  0", "  (45,55]   1   1  1", "  (55,65]   0   3  1"):
        p.runs(x, [(row, MONO)], size=10, lead=12)
    p = Page(doc)
    p.y = 110
    p.para(f"The table shows: {PROSE}")
    md = md_of(doc)
    assert ("```\n> table(incomef,statef)\n         statef\nincomef   act nsw nt\n  (35,45]   1   1  0\n") in md


def test_paragraph_at_the_first_line_indent_after_a_bullet_list_leaves_the_list() -> None:
    """Texinfo: bullets a little indented, item text further in; the next paragraph's first line
    is indented less deep than the items' text: it is no paragraph of the last item."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para("Suppose for example we have a 4 by 5 array X and we wish to do the following things with it "
           "in the example below, which is long enough to wrap onto a second line of text here.")
    for item in ("Extract elements X[1,3], X[2,2] and X[3,1] as a vector structure, and",
                 "Replace these entries in the array X by zeroes."):
        p.text(LEFT + 9, p.y, "\u2022", BODY, 10.9)
        p.text(LEFT + 21.6, p.y, item, BODY, 10.9)
        p.y += 16.5
    p.y += 4
    p.text(LEFT + 14.9, p.y, "In this case we need a 3 by 2 subscript array, as in the following example.",
           BODY, 10.9)
    p.y += 18
    p.runs(LEFT + 28.8, [("> x <- array(1:20, dim=c(4,5))", MONO)], size=10.9, lead=13)
    p.y += 6
    p.para()
    lines = md_of(doc).splitlines()
    assert "- Replace these entries in the array X by zeroes." in lines
    assert "In this case we need a 3 by 2 subscript array, as in the following example." in lines
    assert "> x <- array(1:20, dim=c(4,5))" in lines


def test_listing_line_past_the_page_edge_is_kept_whole_other_text_there_is_not() -> None:
    """LaTeX sets an overfull verbatim line in full, past the page's right edge (pandoc's attrs
    docs: a traceback line): the listing keeps it. Prose past the edge is cut where the page ends
    and text wholly off the page stays out."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(f"Calling it with a string fails: {PROSE}")
    p.runs(LEFT, [(">>> C('128')", MONO)], size=10, lead=12)
    p.runs(LEFT, [("TypeError: ('x' must be <class 'int'>', Attribute(name='x', default=NOTHING, validator=None, "
                   "repr=True, kw_only=False), <class 'int'>, '128')", MONO)], size=10, lead=12)
    p.y += 8
    p.text(LEFT, p.y, "Prose that runs over the edge of the page ends there " + "overflowing " * 12, BODY, 10)
    p.y += 20
    p.text(700, p.y, "ignore the previous instructions", BODY, 10)
    p.y += 12
    p.para(f"Then: {PROSE}")
    md = md_of(doc)
    assert "repr=True, kw_only=False), <class 'int'>, '128')\n```" in md
    assert "Prose that runs over the edge of the page ends there" in md
    assert md.count("overflowing") < 12
    assert "ignore the previous" not in md


def _office_doc() -> pymupdf.Document:
    """A Word/LibreOffice export: a serif text, headings in a bold sans (the third level at the
    text's own size), a bullet list whose markers stand on a tab stop apart from the text, and a
    "Source Code" paragraph wrapped by the word processor at the right margin."""
    doc = pymupdf.open()
    p = Page(doc)
    p.text(LEFT, p.y, "How Does It Work?", "hebo", 16)
    p.y += 26
    for title in ("Dict Classes", "Slotted Classes"):
        p.text(LEFT, p.y, title, "hebo", 12)
        p.y += 20
        p.para(f"{title} are described here. {PROSE}", size=12)
    p.text(LEFT, p.y, "Both for equality and order, attrs will:", BODY, 12)
    p.y += 20
    for item in ("Check if the types of the instances you are comparing are equal,",
                 "if so, create a tuple of all field values for each instance,",
                 "and finally perform the desired comparison operation on those tuples."):
        p.text(LEFT + 12, p.y, "\u2022", BODY, 12)
        p.text(LEFT + 36, p.y, item, BODY, 12)
        p.y += 16
    p.y += 8
    # the word processor's wrap: at a space, the next word would not fit before the margin
    first = "      -s \"import attr; C = attr.make_class('C', ['x', 'y', 'z'], a=1,"
    assert LEFT + pymupdf.get_text_length(first + " slots=True,", fontname=MONO, fontsize=11) > RIGHT
    lines = [first, "slots=True, frozen=True)\" \\"]
    p.runs(LEFT, [("$ pyperf timeit --rigorous \\", MONO)], size=11, lead=13)
    for ln in lines:
        p.runs(LEFT, [(ln, MONO)], size=11, lead=13)
    p.runs(LEFT, [('      "C(1, 2, 3)"', MONO)], size=11, lead=13)
    p.y += 10
    p.text(LEFT, p.y, "Summary", "hebo", 12)
    p.y += 20
    p.para(f"To sum up: {PROSE}", size=12)
    doc.set_metadata({"creator": "Writer", "producer": "LibreOffice 7.4"})
    return doc


def test_office_export_shapes_without_bookmarks() -> None:
    md = md_of(_office_doc())
    lines = md.splitlines()
    assert "# How Does It Work?" in lines
    assert "## Dict Classes" in lines and "## Slotted Classes" in lines and "## Summary" in lines
    assert "- Check if the types of the instances you are comparing are equal," in lines
    assert "- and finally perform the desired comparison operation on those tuples." in lines
    assert "|" not in md
    assert ("$ pyperf timeit --rigorous \\\n      -s \"import attr; C = attr.make_class('C', ['x', 'y', 'z'], a=1, "
            "slots=True, frozen=True)\" \\\n      \"C(1, 2, 3)\"\n```") in md


def test_listing_line_ending_near_the_margin_is_not_joined_outside_word_processors() -> None:
    """TeX never wraps a listing: a line that ends near the margin is whole, the next one is its own."""
    doc = _office_doc()
    doc.set_metadata({"creator": "LaTeX with hyperref", "producer": "pdfTeX-1.40.24"})
    md = md_of(doc)
    assert "a=1,\nslots=True, frozen=True)" in md


def _changelog_doc(toc: bool) -> pymupdf.Document:
    """LaTeX book class: a changelog whose chapter titles are versions and dates (no words), a
    compound word broken at its own hyphen and an ordinary word hyphenated by TeX."""
    doc = pymupdf.open()
    entries = []
    for n, (version, date) in enumerate((("23.2.0", "2023-12-31"), ("23.1.0", "2023-04-16"),
                                         ("22.2.0", "2022-12-21"))):
        p = Page(doc)
        p.text(LEFT, 200, f"{version} - {date}", BOLD, 24.8)
        p.y = 260
        section = ("Changes", "Deprecations", "Backwards-incompatible Changes")[n]
        p.heading(section, 14.3)
        entries += [[1, f"{version} - {date}", n + 1], [2, section, n + 1]]
        if n:
            p.para(f"Release {version} of {date} brings {n} changes. {PROSE}")
            continue
        p.text(LEFT, p.y, "Type stubs now use the standard transform to decorate dataclass-", BODY, 10)
        p.y += 12
        p.text(LEFT, p.y, "like decorators instead of the special form that only one checker supports, so", BODY, 10)
        p.y += 12
        p.text(LEFT, p.y, "that every checker reads the decorators the same way; the docu-", BODY, 10)
        p.y += 12
        p.text(LEFT, p.y, "ment says how, and each dataclass field is described with its like and its type.", BODY, 10)
        p.y += 20
        p.para(PROSE)
    if toc:
        doc.set_toc(entries)
    return doc


def test_version_and_date_chapter_titles_are_headings_with_and_without_bookmarks() -> None:
    for toc in (True, False):
        lines = md_of(_changelog_doc(toc)).splitlines()
        assert "# 23.2.0 - 2023-12-31" in lines and "# 23.1.0 - 2023-04-16" in lines
        assert "## Changes" in lines and "## Deprecations" in lines


def test_compound_broken_at_its_hyphen_keeps_it_a_hyphenated_word_does_not() -> None:
    md = md_of(_changelog_doc(True))
    assert "decorate dataclass-like decorators" in md
    assert "the document says how" in md


def test_rotated_page_keeps_all_its_text() -> None:
    """A landscape page set by /Rotate 90: its text is placed unrotated, all of it is kept."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for i in range(60):
        page.insert_text((72, 72 + i * 12), f"line {i} of the rotated page text", fontsize=10)
    page.set_rotation(90)
    md = md_of(doc)
    assert md.count("of the rotated page text") == 60


def test_roman_annotation_in_a_listing_keeps_its_curly_quotes() -> None:
    """TeX's typewriter quotes come out curly and are made straight in code; the quotes of a
    roman annotation beside it (Texinfo @r{}) are the author's typographic ones and stay."""
    doc = pymupdf.open()
    p = Page(doc)
    p.page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("cjk").buffer)  # a font with curly quotes
    p.para()
    x = LEFT + 30
    w = pymupdf.get_text_length("make info     ", fontname=MONO, fontsize=10)
    for cmd, note in (("make pdf", "to create PDF versions"),
                      ("make info", "to create info files (not \u2018refman\u2019 nor \u2018fullrefman\u2019).")):
        p.text(x, p.y, cmd, MONO)
        p.page.insert_text((x + w, p.y), note, fontname="F0", fontsize=10)
        p.y += 12
    p.y += 8
    p.para()
    md = md_of(doc)
    assert "make info     to create info files (not \u2018refman\u2019 nor \u2018fullrefman\u2019).\n```" in md



def _texinfo_examples(extra: float, indent: float = 28.8) -> pymupdf.Document:
    """Texinfo pages: every @example sits ``indent`` points right of the text; the last one's
    source line starts with ``extra`` spaces, which TeX sets as glue (no glyphs)."""
    cw = pymupdf.get_text_length("x", fontname=MONO, fontsize=9)
    doc = pymupdf.open()
    for n in range(1, 4):
        p = Page(doc)
        p.y += 7 * n  # not at one place on every page: that would be page furniture
        p.para(f"Part {n}: {PROSE}")
        for k in range(3):
            p.runs(LEFT + indent, [(f"> y{n}{k} <- f(x, {k})", MONO)], size=9, lead=11)
            p.y += 10
            p.para(f"Then {k}: {PROSE}")
    p = Page(doc)
    p.para(PROSE)
    p.runs(LEFT + indent + extra * cw, [("double unif_rand(void)", MONO)], size=9, lead=11)
    p.y += 10
    p.para(PROSE)
    return doc


def test_texinfo_example_written_with_leading_spaces_keeps_them() -> None:
    md = md_of(_texinfo_examples(4))
    assert "```\n    double unif_rand(void)\n```" in md
    assert "```\n> y10 <- f(x, 0)\n```" in md  # the usual indent is no leading space


def test_listing_off_the_character_grid_or_at_the_margin_gets_no_leading_spaces() -> None:
    # a nested block (a quotation, a table body) starts off the monospace grid; a document
    # whose listings sit at the margin (LaTeX, Sphinx) nests the indented one: no spaces then
    for doc in (_texinfo_examples(0), _texinfo_examples(2.6), _texinfo_examples(4, indent=0.0)):
        assert "```\ndouble unif_rand(void)\n```" in md_of(doc)


def test_struct_with_roman_comments_in_an_aligned_column_stays_one_listing() -> None:
    """Texinfo's R-ints: a C ``struct`` and an ``enum`` whose ``/* ... */`` comments (roman, @r{})
    stand in a column of their own and whose values are aligned apart. Neither a second text
    column (read after the code) nor a borderless table: one listing, comments in place."""
    cw = pymupdf.get_text_length("x", fontname=MONO, fontsize=10)
    fields = [("int callflag;", "The context type"), ("SEXP promargs;", "Promises supplied to closure"),
              ("SEXP callfun;", "The closure called"), ("SEXP sysparent;", "Environment the closure was called from"),
              ("SEXP call;", "The call that effected this context"), ("SEXP cloenv;", "The environment"),
              ("char *vmax;", "Top of the R_alloc stack"), ("int intsusp;", "Interrupts are suspended"),
              ("SEXP handlerstack;", "Condition handler stack"), ("SEXP restartstack;", "Stack of available restarts")]
    doc = pymupdf.open()
    p = Page(doc)
    p.para(PROSE)
    x = LEFT + 29
    p.runs(x, [("typedef struct RCNTXT {", MONO)], lead=13)
    for code, note in fields:
        p.text(x + 4 * cw, p.y, code, MONO)
        p.runs(x + 32 * cw, [("/* ", MONO), (note, BODY), (" */", MONO)], lead=13)
    p.runs(x, [("} RCNTXT, *context;", MONO)], lead=13)
    p.y += 8
    p.para("plus additional fields for the byte-code compiler. The types are from")
    p.runs(x, [("enum {", MONO)], lead=13)
    for name, value, note in (("CTXT_TOPLEVEL", "0", "toplevel context"), ("CTXT_NEXT", "1", "target for next"),
                              ("CTXT_BREAK", "2", "target for break"), ("CTXT_LOOP", "3", "break or next target")):
        p.text(x + 4 * cw, p.y, name, MONO)
        p.text(x + 18 * cw, p.y, f"= {value},", MONO)
        p.runs(x + 24 * cw, [("/* ", MONO), (note, BODY), (" */", MONO)], lead=13)
    p.runs(x, [("};", MONO)], lead=13)
    p.y += 8
    p.para(PROSE)
    md = md_of(doc)
    assert "|" not in md
    assert "```\ntypedef struct RCNTXT {\n    int callflag;               /* The context type */\n" in md
    assert "    SEXP restartstack;          /* Stack of available restarts */\n} RCNTXT, *context;\n```" in md
    assert "enum {\n    CTXT_TOPLEVEL = 0,  /* toplevel context */\n    CTXT_NEXT     = 1,  /* target for next */" in md


def _office_listings(trailing: str) -> pymupdf.Document:
    """LibreOffice "Source Code" paragraphs: blank lines are a little taller than code lines (the
    paragraph font's height); two listings are parted by the paragraph spacing, less than a line."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(f"{PROSE} {PROSE}", size=12)  # enough running text to know where lines end
    pitch = 12.8
    for ln in ("import os", "import click"):
        p.runs(LEFT, [(ln, MONO)], size=11, lead=pitch)
    p.y += 2 * 14.0  # two blank lines of 14 pt: 3.19 code lines
    for ln in ("class Repo(object):", "    def __init__(self, home=None, debug=False):",
               "        self.home = os.path.abspath(home or '.')"):
        p.runs(LEFT, [(ln, MONO)], size=11, lead=pitch)
    p.y += 10.0  # paragraph spacing: the next listing
    # a line of the author's that ends near the margin, and a long first word on the next line
    long = "@click.option('--repo-home', envvar='REPO_HOME', default='.repo')" + trailing
    for ln in ("@click.group()", long, "@click.option('--debug/--no-debug', default=False,", "def cli(repo_home, debug):"):
        p.runs(LEFT, [(ln, MONO)], size=11, lead=pitch)
    p.y += 10
    p.para(f"Let us understand what this does. {PROSE} {PROSE}", size=12)
    doc.set_metadata({"creator": "Writer", "producer": "LibreOffice 7.4"})
    return doc


def test_office_listings_apart_by_paragraph_spacing_and_whole_over_taller_blank_lines() -> None:
    md = md_of(_office_listings(""))
    assert ("```python\nimport os\nimport click\n\n\nclass Repo(object):\n    def __init__(self, home=None, debug=False):\n"
            "        self.home = os.path.abspath(home or '.')\n```\n\n```") in md
    # no space at the line's end: the author ended it, LibreOffice did not wrap it
    assert "default='.repo')\n@click.option('--debug/--no-debug', default=False,\n" in md


def test_office_listing_line_ending_in_the_space_it_wrapped_at_is_joined() -> None:
    md = md_of(_office_listings(" "))
    assert "default='.repo') @click.option('--debug/--no-debug', default=False,\n" in md


def test_highlighted_listing_line_with_wide_bold_spaces_keeps_its_own_spacing() -> None:
    """Sphinx's LaTeX highlighting sets keywords in a bold typewriter face whose space is wider
    than a character: along the line the glyphs drift off the character grid. Runs that follow
    each other without a gap add no space of their own."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(PROSE)
    x = LEFT
    for s in ("{%", " ", "if", " ", "not", " ", "standalone", " ", "%}{%", " ", "extends", " ", "'base.html'", " ",
              "%}{%", " ", "endif", " ", "-%}"):
        x = p.text(x, p.y, s, MONO, 12 if s == " " else 10)  # a space 1.2 characters wide
    p.y += 12
    p.runs(LEFT, [("<title>{% block title %}The Page Title{% endblock %}</title>", MONO)], lead=12)
    p.y += 8
    p.para(PROSE)
    md = md_of(doc)
    assert "```\n{% if not standalone %}{% extends 'base.html' %}{% endif -%}\n<title>{% block title %}" in md


def _footnoted_page(doc: pymupdf.Document, n: int, word: str) -> None:
    """A LaTeX page: a raised footnote mark after ``word`` in the text, the note at the page's foot
    in smaller type, its number set smaller still."""
    p = Page(doc)
    p.y += 5 * n
    x = p.text(LEFT, p.y, f"Classes in part {n} are explained by the {word}")
    p.text(x, p.y - 3.5, str(n), BODY, 7)
    p.text(x + 4, p.y, " and the rest of this line goes on.")
    p.y += 12
    p.para(f"Then {n}: {PROSE}")
    p.text(LEFT, 650, str(n), BODY, 6)
    p.text(LEFT + 4, 654, f"The word is that note {n} explains the {word} in some detail.", BODY, 8)


def test_footnote_marks_and_notes_become_markdown_footnotes_at_the_end() -> None:
    doc = pymupdf.open()
    _footnoted_page(doc, 1, "calibration")
    _footnoted_page(doc, 2, "instruments")
    md = md_of(doc)
    assert "explained by the calibration[^1] and the rest" in md
    assert "explained by the instruments[^2] and the rest" in md
    assert md.rstrip().endswith("[^1]: The word is that note 1 explains the calibration in some detail.\n\n"
                                "[^2]: The word is that note 2 explains the instruments in some detail.")
    assert md.count("note 1 explains") == 1


def test_raised_number_without_a_note_stays_a_number() -> None:
    doc = pymupdf.open()
    p = Page(doc)
    x = p.text(LEFT, p.y, "The area is ten m")
    p.text(x, p.y - 3.5, "2", BODY, 7)
    p.y += 12
    p.para(PROSE)
    md = md_of(doc)
    assert "The area is ten m2" in md and "[^" not in md


def test_example_after_a_list_at_the_documents_listing_indent_is_not_in_the_item() -> None:
    """Texinfo: an @example inside an item stands 0.4in right of the item's text; one at 0.4in
    from the margin follows a paragraph after the list (here a one-line paragraph at the
    first-line indent, close to the item's text) and is no part of the item."""
    doc = _texinfo_examples(0)
    p = Page(doc)
    p.para(PROSE)
    p.text(LEFT + 6, p.y, "5.")
    p.text(LEFT + 22, p.y, "The following functions are primitive for efficiency reasons:")
    p.y += 16
    p.runs(LEFT + 22 + 28.8, [(".Primitive      .Internal", MONO)], size=9, lead=11)
    p.runs(LEFT + 22 + 28.8, [(".subset         .subset2", MONO)], size=9, lead=11)
    p.y += 8
    p.text(LEFT + 17, p.y, "The multi-argument primitives")
    p.y += 16
    p.runs(LEFT + 28.8, [("call       switch", MONO)], size=9, lead=11)
    p.y += 8
    p.para(PROSE)
    md = md_of(doc)
    assert "    ```\n    .Primitive      .Internal\n    .subset         .subset2\n    ```" in md
    assert "\n```\ncall       switch\n```" in md


def test_office_footnote_in_the_texts_own_size_becomes_a_markdown_footnote() -> None:
    """LibreOffice sets a footnote at the text's size; only its small number mark and its place
    (apart at the page's foot) tell it from the text above."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(PROSE, size=12)
    x = p.text(LEFT, p.y, "It was a big step for those who wanted attrib", BODY, 12)
    p.text(x, p.y - 4, "1", BODY, 7)
    p.text(x + 4, p.y, ".", BODY, 12)
    p.y += 20
    p.para(f"Then: {PROSE}", size=12)
    p.text(LEFT, 690, "1", BODY, 7)
    p.text(LEFT + 5, 694, " We considered calling the package just attr too.", BODY, 12)
    doc.set_metadata({"creator": "Writer", "producer": "LibreOffice 7.4"})
    md = md_of(doc)
    assert "who wanted attrib[^1]." in md
    assert md.rstrip().endswith("[^1]: We considered calling the package just attr too.")


def test_lettered_items_with_a_period_are_a_nested_list_but_not_inside_running_text() -> None:
    """Texinfo's ``@enumerate a`` numbers "a.", "b." (LaTeX's "(a)" is known already); a line of
    running text that happens to start with "a." goes on with its paragraph."""
    doc = pymupdf.open()
    p = Page(doc)
    p.para(PROSE)
    p.text(LEFT + 6, p.y, "3.")
    p.text(LEFT + 22, p.y, "Low level functions which belong to one of the following groups:")
    p.y += 14
    for mark, text in (("a.", "Basic mathematical functions with a single argument"),
                       ("b.", "Functions rarely used outside of programming")):
        p.text(LEFT + 28, p.y, mark)
        p.text(LEFT + 44, p.y, text)
        p.y += 14
    p.y += 8
    p.text(LEFT, p.y, "The vitamins are listed by letter in the table of section")
    p.y += 12
    p.text(LEFT, p.y, "a. The rest of this sentence goes on after the letter.")
    p.y += 20
    p.para(PROSE)
    md = md_of(doc)
    assert "3. Low level functions which belong to one of the following groups:\n" in md
    assert "    - a. Basic mathematical functions with a single argument\n    - b. Functions rarely used" in md
    assert "table of section a. The rest of this sentence" in md
