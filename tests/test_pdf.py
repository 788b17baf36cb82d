"""PDF -> markdown: PDFs are generated here with PyMuPDF (Story for HTML layouts, insert_text and
draw_line for low-level cases) and the structure must come back out."""

from __future__ import annotations

import http.server
import io
import re
import shutil
import threading
from pathlib import Path

import pymupdf
import pytest
from llmingest import converters, ingest
from llmingest.cli import app
from llmingest.converters.pdf import convert, parse_pages
from llmingest.errors import AuthRequired, ConversionError, UsageError
from llmingest.options import Options
from typer.testing import CliRunner

LETTER = pymupdf.paper_rect("letter")


def story_pdf(html: str, *, columns: int = 1, css: str = "", metadata: dict | None = None) -> bytes:
    """Lay ``html`` out with PyMuPDF's Story on letter pages, in one or two columns."""
    story = pymupdf.Story(html=html, user_css=css)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    if columns == 1:
        rects = [pymupdf.Rect(54, 54, 558, 738)]
    else:
        rects = [pymupdf.Rect(54, 54, 296, 738), pymupdf.Rect(316, 54, 558, 738)]
    more = True
    while more:
        dev = writer.begin_page(LETTER)
        for rect in rects:
            if not more:
                break
            more, _ = story.place(rect)
            story.draw(dev)
        writer.end_page()
    writer.close()
    if metadata:
        doc = pymupdf.open(stream=buf.getvalue(), filetype="pdf")
        doc.set_metadata(metadata)
        return doc.tobytes()
    return buf.getvalue()


def words(prefix: str, n: int) -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


def body(md: str) -> str:
    """The markdown after the front matter."""
    assert md.startswith("---\n")
    return md.split("\n---\n", 1)[1]


# ------------------------------------------------------------------------------------- structure


def test_headings_paragraphs_and_inline_styles():
    html = (
        "<h1>Annual Engine Report</h1><p>Intro text with <b>bold words</b> and <i>slanted</i> and "
        "<code>inline_code</code> kept as they are written here.</p>"
        "<h2>Methods Used</h2><p>" + words("alpha", 40) + "</p>"
        "<h3>Data Sources</h3><p>" + words("beta", 40) + "</p>"
        "<h2>Results Found</h2><p>" + words("gamma", 40) + "</p>"
    )
    md = convert(story_pdf(html), name="r.pdf").content
    heads = re.findall(r"^(#+) (.+)$", md, re.M)
    assert heads == [("#", "Annual Engine Report"), ("##", "Methods Used"), ("###", "Data Sources"),
                     ("##", "Results Found")]
    assert "**bold words**" in md and "*slanted*" in md and "`inline_code`" in md
    # a paragraph is one line: the 40 words come back joined
    assert re.search(r"^alpha0 alpha1 .* alpha39$", md, re.M)


def test_lists_nested_and_numbered():
    html = ("<p>Before the list.</p><ul><li>First bullet item</li><li>Second bullet item<ul>"
            "<li>Nested child item</li></ul></li><li>Third bullet item</li></ul>"
            "<p>Between the lists.</p><ol><li>Step one here</li><li>Step two here</li></ol><p>After.</p>")
    md = body(convert(story_pdf(html)).content)
    assert "- First bullet item\n- Second bullet item\n    - Nested child item\n- Third bullet item" in md
    assert "1. Step one here\n2. Step two here" in md


def test_bordered_table_with_header_and_multiline_cell():
    html = ("<p>Table follows.</p><table border='1'><tr><th>Name</th><th>Value</th><th>Note</th></tr>"
            "<tr><td>alpha</td><td>1.5</td><td>short</td></tr>"
            "<tr><td>beta</td><td>22</td><td>a much longer note that wraps onto several lines inside its cell</td></tr>"
            "<tr><td>gamma</td><td>333</td><td>end</td></tr></table><p>After the table.</p>")
    md = body(convert(story_pdf(html, css="td, th {width: 120px; border: 1px solid black;} table {border-collapse: collapse;}")).content)
    assert "| Name | Value | Note |\n|---|---|---|\n| alpha | 1.5 | short |" in md
    assert "| beta | 22 | a much longer note that wraps onto several lines inside its cell |" in md
    assert "| gamma | 333 | end |" in md


def test_borderless_table_without_any_rules():
    """Columns aligned by position only (no lines drawn): found from the alignment, header centred."""
    html = ("<p>Some text before the table.</p><table><tr><th>Name</th><th>Value</th><th>Note</th></tr>"
            "<tr><td>alpha</td><td>1.5</td><td>short</td></tr><tr><td>beta</td><td>22</td><td>long one</td></tr>"
            "<tr><td>gamma</td><td>333</td><td>end</td></tr></table><p>Some text after the table.</p>")
    md = body(convert(story_pdf(html, css="td, th {width: 120px;}")).content)
    assert ("| Name | Value | Note |\n|---|---|---|\n| alpha | 1.5 | short |\n| beta | 22 | long one |\n"
            "| gamma | 333 | end |") in md
    assert md.index("Some text before") < md.index("| Name") < md.index("Some text after")


def test_justified_prose_is_not_a_table():
    html = "".join(f"<p style='text-align: justify'>{words(f'q{k}z', 80)}</p>" for k in range(4))
    md = convert(story_pdf(html)).content
    assert "|" not in md


def test_code_block_keeps_indentation_and_language():
    code = "def parse(path):\n    out = []\n    for i in range(3):\n        out.append(i)\n\n    return out"
    html = f"<p>Code below.</p><pre>{code}</pre><p>Code above.</p>"
    md = convert(story_pdf(html)).content
    assert f"```python\n{code}\n```" in md


def test_two_column_reading_order_with_full_width_title():
    """Left column first, then right; the title above both columns comes first."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((180, 70), "Wide Title Over Columns", fontsize=20, fontname="hebo")
    y = 110
    for i in range(30):
        page.insert_text((50, y), f"left{i} " + "lorem ipsum dolor sit amet", fontsize=10)
        page.insert_text((320, y), f"right{i} " + "consectetur adipiscing elit", fontsize=10)
        y += 14
    md = convert(doc.tobytes()).content
    order = re.findall(r"\b(left\d+|right\d+)\b", md)
    assert order == [f"left{i}" for i in range(30)] + [f"right{i}" for i in range(30)]
    assert md.index("Wide Title Over Columns") < md.index("left0")


def test_story_two_columns_paragraph_continues_across_the_gutter():
    html = "<h1>Two Column Paper</h1>" + "".join(f"<p>{words(f'p{k}w', 60)}</p>" for k in range(8))
    md = body(convert(story_pdf(html, columns=2)).content)
    tokens = re.findall(r"p\d+w\d+", md)
    expected = [f"p{k}w{i}" for k in range(8) for i in range(60)]
    assert tokens == expected
    for k in range(8):  # every paragraph whole, even the one split between the columns
        assert re.search(rf"^p{k}w0 .* p{k}w59$", md, re.M)


def test_running_headers_footers_and_page_numbers_removed():
    doc = pymupdf.open()
    for n in range(1, 5):
        page = doc.new_page(width=612, height=792)
        page.insert_text((50, 40), "ACME Confidential Report", fontsize=8)
        page.insert_text((300, 770), f"{n}", fontsize=8)
        page.insert_text((50, 100), f"Body text of page {n} says hello.", fontsize=11)
    md = convert(doc.tobytes()).content
    assert "ACME Confidential" not in md
    assert not re.search(r"^\d$", md, re.M)
    assert all(f"Body text of page {n} says hello." in md for n in range(1, 5))


def test_sidebar_repeated_on_every_page_is_removed():
    doc = pymupdf.open()
    for n in range(1, 6):
        page = doc.new_page(width=612, height=792)
        page.insert_text((470, 300), "QUICK LINKS", fontsize=9)
        page.insert_text((72, 300), f"Chapter text number {n} goes here.", fontsize=11)
    md = convert(doc.tobytes()).content
    assert "QUICK LINKS" not in md
    assert all(f"Chapter text number {n} goes here." in md for n in range(1, 6))


def test_draft_line_numbers_in_the_margin_are_dropped():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for i in range(12):
        page.insert_text((40, 100 + 14 * i), str(i + 1), fontsize=7)
        page.insert_text((72, 100 + 14 * i), f"- item number {i}" if i >= 8 else f"prose line {i} of the draft",
                         fontsize=10)
    md = body(convert(doc.tobytes()).content)
    assert md.startswith("\nprose line 0 of the draft prose line 1")
    assert "- item number 8\n- item number 9" in md
    assert not re.search(r"\b1[0-2] ", md)


def test_booktabs_table_between_rules_is_a_pipe_table():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 80), "Results are below in the table.", fontsize=10)
    xs = [100, 200, 300]
    rows = [["Model", "Speed", "Score"], ["small", "12.5", "0.91"], ["medium", "8.2", "0.95"], ["large", "3.1", "0.98"]]
    page.draw_line((90, 100), (360, 100), width=0.8)
    y = 114
    for r, row in enumerate(rows):
        for x, cell in zip(xs, row, strict=False):
            page.insert_text((x, y), cell, fontsize=10)
        if r == 0:
            page.draw_line((90, y + 5), (360, y + 5), width=0.5)
            y += 6
        y += 14
    page.draw_line((90, y - 8), (360, y - 8), width=0.8)
    page.insert_text((72, y + 20), "Text after the table.", fontsize=10)
    md = convert(doc.tobytes()).content
    assert ("| Model | Speed | Score |\n|---|---|---|\n| small | 12.5 | 0.91 |\n| medium | 8.2 | 0.95 |\n"
            "| large | 3.1 | 0.98 |") in md
    assert "Text after the table." in md


def test_code_listing_across_a_page_break_is_one_fence():
    doc = pymupdf.open()
    lines = ["def main():", "    total = 0", "    for x in range(10):", "        total += x", "    return total"]
    p1 = doc.new_page(width=612, height=792)
    p1.insert_text((72, 100), "A listing that runs over the page break.", fontsize=10)
    p1.insert_text((72, 740), lines[0], fontsize=9, fontname="cour")
    p1.insert_text((72, 751), lines[1], fontsize=9, fontname="cour")
    p2 = doc.new_page(width=612, height=792)
    for i, line in enumerate(lines[2:]):
        p2.insert_text((72, 72 + 11 * i), line, fontsize=9, fontname="cour")
    p2.insert_text((72, 140), "Text after the listing.", fontsize=10)
    md = convert(doc.tobytes()).content
    assert md.count("```") == 2
    assert "```python\n" + "\n".join(lines) + "\n```" in md


def test_dehyphenation_and_links():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 100), "The conversion of hyphen-", fontsize=11)
    page.insert_text((72, 114), "ated words is seamless and see the homepage now.", fontsize=11)
    rect = pymupdf.Rect(72, 118, 160, 132)
    page.insert_text((72, 128), "Project homepage", fontsize=11)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": rect, "uri": "https://example.org/home"})
    md = convert(doc.tobytes()).content
    assert "hyphenated words" in md
    assert "[Project homepage](https://example.org/home)" in md


# ------------------------------------------------------------------------- options and metadata


def test_front_matter_pages_and_markers():
    html = "".join(f"<h2>Chapter {k}</h2><p>{words(f'c{k}x', 400)}</p>" for k in range(1, 4))
    data = story_pdf(html, metadata={"title": "The Big Manual", "author": "Ada Lovelace"})
    full = convert(data, name="manual.pdf")
    n = full.metadata["page_count"]
    assert n >= 3
    assert full.content.startswith(f'---\ntitle: "The Big Manual"\nauthor: "Ada Lovelace"\npages: {n}\n---\n')
    assert full.title == "The Big Manual" and full.kind == "pdf" and full.path == "manual.pdf"
    part = convert(data, pages="2-3", page_markers=True).content
    assert "pages: 2\n" in part and f"page_count: {n}" in part
    assert "<!-- page 2 -->" in part and "<!-- page 3 -->" in part and "<!-- page 1 -->" not in part
    assert "c1x0 " not in part  # page 1 left out


def test_parse_pages():
    assert parse_pages("1-3,5", 10) == [0, 1, 2, 4]
    assert parse_pages("8-", 10) == [7, 8, 9]
    assert parse_pages(None, 3) == [0, 1, 2]
    for bad in ("0", "3-1", "x", "11"):
        with pytest.raises(UsageError):
            parse_pages(bad, 10)


def test_output_is_deterministic():
    data = story_pdf("<h1>Same</h1><p>" + words("w", 300) + "</p>")
    assert convert(data).content == convert(data).content


# ------------------------------------------------------------------------------------ bad input


def _simple_pdf(text: str = "Secret plans inside.") -> pymupdf.Document:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text, fontsize=12)
    return doc


def test_encrypted_pdf_needs_the_password():
    data = _simple_pdf().tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="s3cret")
    with pytest.raises(AuthRequired, match="encrypted") as exc:
        convert(data)
    assert "--password" in exc.value.render()
    with pytest.raises(AuthRequired, match="wrong password"):
        convert(data, password="nope")
    assert "Secret plans inside." in convert(data, password="s3cret").content


def test_not_a_pdf_is_a_conversion_error(tmp_path: Path):
    with pytest.raises(ConversionError, match=r"not a PDF: starts with '<html>"):
        convert(b"<html><body>hi</body></html>")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"PK\x03\x04 this is a zip")
    result = CliRunner().invoke(app, ["pdf", str(fake)])
    assert result.exit_code == 6
    assert "not a PDF" in result.output
    # control bytes are escaped once, so the message reads like the file's first bytes
    with pytest.raises(ConversionError) as exc:
        convert(b"import os\nprint(1)\n")
    assert "starts with 'import os\\nprint('" in str(exc.value)


def test_truncated_pdf_is_repaired_or_refused():
    doc = pymupdf.open()
    for i in range(5):
        doc.new_page().insert_text((72, 300), f"Page {i} keeps its words.", fontsize=12)
    data = doc.tobytes(garbage=0, deflate=False)
    cut = data[: len(data) - 100]  # a download cut short: the xref table and trailer are gone
    result = convert(cut)
    assert "repaired" in result.content.split("\n---\n")[0]
    assert result.metadata["warnings"]
    assert "Page 0 keeps its words." in result.content
    with pytest.raises(ConversionError):
        convert(data[:60])


def test_image_only_page_gets_a_note_and_ocr(tmp_path: Path):
    src = pymupdf.open()
    src.new_page(width=400, height=200).insert_text((30, 100), "HELLO SCANNED WORLD", fontsize=28)
    pix = src[0].get_pixmap(dpi=200)
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_image(page.rect, stream=pix.tobytes("png"))
    data = doc.tobytes()
    md = convert(data).content
    assert "[page 1: scanned image, no text layer; use --ocr]" in md
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (.ci/run installs tesseract-ocr)")
    ocr = convert(data, ocr=True).content
    assert "HELLO SCANNED WORLD" in ocr.upper().replace("\n", " ")
    # Tesseract's GlyphLessFont is flagged monospace; OCR'd prose must not become a code fence
    assert "```" not in ocr


def test_three_hundred_pages_stream_and_convert():
    doc = pymupdf.open()
    for i in range(300):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 72), f"Section {i}", fontsize=16, fontname="hebo")
        page.insert_text((72, 100), f"Body of page {i} has some words.", fontsize=10)
    seen = []
    result = convert(doc.tobytes(), on_page=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (300, 300) and len(seen) == 300
    assert "pages: 300" in result.content
    assert "Body of page 0 has some words." in result.content and "Body of page 299 has some words." in result.content
    # "Section N" tops every page: it repeats only with digits masked, so it is a heading, not a running head
    assert re.findall(r"^#+ (Section \d+)$", result.content, re.M) == [f"Section {i}" for i in range(300)]


def test_page_top_headings_kept_while_running_heads_go():
    doc = pymupdf.open()
    for i in range(12):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 40), f"The Manual, page {i + 1}", fontsize=9)
        page.insert_text((72, 72), f"Part {i}", fontsize=16, fontname="hebo")
        page.insert_text((72, 110), f"Body of part {i} in plain words.", fontsize=11)
        page.insert_text((300, 770), "Big Bold Footer", fontsize=16, fontname="hebo")
        page.insert_text((300, 780), str(i + 1), fontsize=9)
    md = body(convert(doc.tobytes()).content)
    assert re.findall(r"^#+ (.+)$", md, re.M) == [f"Part {i}" for i in range(12)]
    assert "The Manual" not in md and "Big Bold Footer" not in md and not re.search(r"^\d+$", md, re.M)


def test_images_are_extracted_or_placeholdered(tmp_path: Path):
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
    pix.set_rect(pix.irect, (200, 30, 30))
    page.insert_image(pymupdf.Rect(72, 72, 272, 272), stream=pix.tobytes("png"))
    page.insert_text((72, 290), "Figure 1: A red square.", fontsize=10)
    data = doc.tobytes()
    assert "[image: Figure 1: A red square.]" in convert(data).content
    out = tmp_path / "img"
    md = convert(data, images_dir=out).content
    files = sorted(p.name for p in out.iterdir())
    assert files == ["page0001-1.png"]
    assert f"![Figure 1: A red square.]({out.as_posix()}/page0001-1.png)" in md
    # --images naming a file is a usage error before any work, not an internal error
    pdf = tmp_path / "fig.pdf"
    pdf.write_bytes(data)
    result = CliRunner().invoke(app, ["pdf", str(pdf), "-q", "--images", str(pdf)])
    assert result.exit_code == 2 and "not a folder" in result.output and "internal error" not in result.output
    # with -o, image links are relative to the markdown file, so the written file shows its images
    md_file = tmp_path / "out" / "fig.md"
    result = CliRunner().invoke(app, ["pdf", str(pdf), "-q", "--images", str(tmp_path / "out" / "pics"),
                                      "-o", str(md_file)])
    assert result.exit_code == 0, result.output
    assert "![Figure 1: A red square.](pics/page0001-1.png)" in md_file.read_text()
    assert (md_file.parent / "pics" / "page0001-1.png").is_file()


# --------------------------------------------------------------------------------- edges and API


def test_cli_pdf_command_and_source_sniffing(tmp_path: Path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(story_pdf("<h1>Paper Title Here</h1><p>Hello from the paper body.</p>"))
    runner = CliRunner()
    result = runner.invoke(app, ["pdf", str(pdf), "--pages", "1"])
    assert result.exit_code == 0, result.output
    assert "# Paper Title Here" in result.output and "Hello from the paper body." in result.output
    out = tmp_path / "out.md"
    from llmingest.cli import main

    with pytest.raises(SystemExit) as exc:
        main([str(pdf), "-o", str(out), "-q"])
    assert exc.value.code == 0
    assert "Hello from the paper body." in out.read_text()
    result = runner.invoke(app, ["pdf", str(pdf), "--format", "json"])
    assert result.exit_code == 0
    import json

    data = json.loads(result.output)
    assert data["kind"] == "pdf" and data["documents"][0]["tokens"] > 0
    assert "Exampl" in runner.invoke(app, ["pdf", "--help"]).output


def test_cli_encrypted_exit_code(tmp_path: Path):
    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(_simple_pdf().tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="pw12"))
    runner = CliRunner()
    result = runner.invoke(app, ["pdf", str(pdf)])
    assert result.exit_code == 4 and "--password" in result.output
    result = runner.invoke(app, ["pdf", str(pdf), "--password", "pw12"])
    assert result.exit_code == 0 and "Secret plans inside." in result.output


def test_ingest_pdf_from_a_local_http_server(tmp_path: Path):
    (tmp_path / "spec.pdf").write_bytes(story_pdf("<h1>Served Spec</h1><p>Served over HTTP.</p>"))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(tmp_path), **kw)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/spec.pdf"
        bundle = ingest(url, Options(extra={"page_markers": True}), kind="pdf")
    finally:
        server.shutdown()
    doc = bundle.documents[0]
    assert bundle.kind == "pdf" and doc.url == url and doc.path == "spec.pdf"
    assert "# Served Spec" in doc.content and "<!-- page 1 -->" in doc.content
    assert doc.tokens > 0


def test_registry_serves_the_repo_digest():
    assert converters.lookup(".pdf") is converters.lookup("application/pdf") is converters.FORMATS["pdf"]
    doc = converters.convert(_simple_pdf("Inside a repo.").tobytes(), ".pdf", name="docs/guide.pdf").document
    assert doc.path == "docs/guide.pdf" and "Inside a repo." in doc.content


def test_progress_is_reported_per_page(tmp_path: Path):
    pdf = tmp_path / "long.pdf"
    doc = pymupdf.open()
    for i in range(7):
        doc.new_page().insert_text((72, 300), f"Page body {i}.", fontsize=11)
    pdf.write_bytes(doc.tobytes())
    calls = []
    bundle = ingest(str(pdf), kind="pdf", on_progress=lambda what, done, total: calls.append((done, total)))
    assert calls == [(i, 7) for i in range(1, 8)]
    assert bundle.metadata["pages"] == 7 and bundle.title is None


def test_outline_gives_heading_levels():
    """With a TOC, its levels win, even for headings set in the body font (no size signal)."""
    doc = pymupdf.open()
    toc = []
    for n, (level, title) in enumerate([(1, "Getting Started"), (2, "Install Steps"), (2, "First Run"),
                                        (1, "Reference Part")], start=1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 90), title, fontsize=11, fontname="hebo")
        page.insert_text((72, 120), f"Body paragraph {n} of the manual with plain words.", fontsize=11)
        toc.append([level, title, n])
    doc.set_toc(toc)
    md = convert(doc.tobytes()).content
    assert re.findall(r"^(#+) (.+)$", md, re.M) == [("#", "Getting Started"), ("##", "Install Steps"),
                                                    ("##", "First Run"), ("#", "Reference Part")]


def test_outline_heading_with_inline_code_font():
    """A heading set in bold with a monospace word (ReportLab's "2.6 Other `canvas` methods") has no
    single style; its exact outline title on the page still makes it a heading."""
    doc = pymupdf.open()
    toc = []
    for n, (level, parts) in enumerate([(1, [("Chapter One", "hebo")]),
                                        (2, [("1.1 Other ", "hebo"), ("canvas", "cour"), (" methods", "hebo")]),
                                        (2, [("1.2 Plain Part", "hebo")])], start=1):
        page = doc.new_page(width=612, height=792)
        x = 72.0
        for text, font in parts:
            page.insert_text((x, 90), text, fontsize=14, fontname=font)
            x += pymupdf.get_text_length(text, fontname=font, fontsize=14)
        page.insert_text((72, 120), f"Body paragraph {n} of the manual with plain words.", fontsize=11)
        toc.append([level, "".join(t for t, _ in parts), n])
    doc.set_toc(toc)
    md = convert(doc.tobytes()).content
    found = re.findall(r"^(#+) (.+)$", md, re.M)
    assert [t for _, t in found] == ["Chapter One", "1.1 Other canvas methods", "1.2 Plain Part"]
    chapter, mixed, plain = (len(h) for h, _ in found)
    assert mixed == plain == chapter + 1


def test_link_inside_a_same_style_sentence_is_kept():
    """Link text in the body font (only its colour differs) must not melt into the sentence's run."""
    story = pymupdf.Story(html="<p>Read the <a href='https://example.com/guide'>install guide</a> before you "
                               "start, and <b>then</b> continue with the rest.</p>")
    out = story.write_with_links(lambda n, filled: (LETTER, pymupdf.Rect(72, 72, 540, 720), None))
    md = body(convert(out.tobytes()).content)
    assert "Read the [install guide](https://example.com/guide) before you start" in md


def test_ghostscript_courier_clone_is_code():
    """LaTeX/Ghostscript PDFs name Courier 'NimbusMonL-Regu' without the monospace flag (bzip2's manual)."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 80), "The call looks like this:", fontsize=10)
    for i, line in enumerate(["typedef struct {", "    char *next_in;", "    unsigned int avail_in;", "} bz_stream;"]):
        page.insert_text((72, 110 + 12 * i), line, fontname="cour", fontsize=10)
    page.insert_text((72, 180), "Then the text goes on.", fontsize=10)
    for xref, _, _, name, *_ in doc.get_page_fonts(0):
        if name == "Courier":
            doc.xref_set_key(xref, "BaseFont", "/NimbusMonL-Regu")
    md = body(convert(doc.tobytes()).content)
    assert "```\ntypedef struct {\n    char *next_in;\n    unsigned int avail_in;\n} bz_stream;\n```" in md


def test_dash_touching_a_word_is_not_a_bullet():
    """'-v', '-1' and '*info' start lines of option lists and wrapped C prototypes; only '- x' is an item."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 80), "Options:", fontsize=11)
    page.insert_text((72, 110), "-v Say more about what happens.", fontsize=11)
    page.insert_text((72, 140), "-1 Compress fast and not so well.", fontsize=11)
    page.insert_text((72, 170), "- a real item", fontsize=11)
    page.insert_text((72, 185), "- another real item", fontsize=11)
    md = body(convert(doc.tobytes()).content)
    assert "-v Say more about what happens." in md and "- v Say" not in md
    assert "-1 Compress fast and not so well." in md and "- 1 Compress" not in md
    assert "- a real item\n- another real item" in md


def test_author_lines_in_a_big_bold_font_are_not_headings():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 80), "A Study of Things", fontsize=20, fontname="hebo")
    page.insert_text((72, 110), "Ada Lovelace, Alan M. Turing and Grace Hopper", fontsize=12, fontname="hebo")
    page.insert_text((72, 128), "Jane Roe, https://example.org/jane", fontsize=12, fontname="hebo")
    for n, title in enumerate(["1 Introduction", "2 Method"]):
        page.insert_text((72, 170 + 120 * n), title, fontsize=12, fontname="hebo")
        for i in range(4):
            page.insert_text((72, 190 + 120 * n + 14 * i), f"Body text line {i} of section {n} with words.", fontsize=10)
    md = body(convert(doc.tobytes()).content)
    assert re.findall(r"^#+ (.+)$", md, re.M) == ["A Study of Things", "1 Introduction", "2 Method"]
    assert "Ada Lovelace, Alan M. Turing and Grace Hopper" in md and "Jane Roe" in md


def test_ocr_failure_is_a_front_matter_warning(tmp_path: Path, monkeypatch):
    """Tesseract that cannot start (no language data here) is said in the front matter, not only on the page."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (.ci/run installs tesseract-ocr)")
    src = pymupdf.open()
    src.new_page(width=400, height=200).insert_text((30, 100), "HELLO", fontsize=28)
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_image(page.rect, stream=src[0].get_pixmap(dpi=100).tobytes("png"))
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "no-tessdata"))
    result = convert(doc.tobytes(), ocr=True)
    assert "OCR failed" in result.content.split("\n---\n", 1)[0]
    assert any(w.startswith("OCR failed on 1 page(s)") for w in result.metadata["warnings"])


def test_page_selection_keeps_the_documents_heading_levels():
    """--pages 3 alone must not turn the page's H2 into an H1: the statistics are the document's."""
    doc = pymupdf.open()
    for i in range(6):
        page = doc.new_page(width=612, height=792)
        y = 100
        if i % 3 == 0:
            page.insert_text((72, y), f"Chapter {i // 3 + 1} Overview", fontsize=20, fontname="hebo")
            y += 40
        page.insert_text((72, y), f"Section {i} Details", fontsize=14, fontname="hebo")
        for j in range(6):
            page.insert_text((72, y + 30 + 14 * j), f"Body line {j} on page {i} with ordinary words.", fontsize=10)
    data = doc.tobytes()
    full = re.findall(r"^(#+) (.+)$", convert(data).content, re.M)
    assert ("##", "Section 2 Details") in full and ("#", "Chapter 1 Overview") in full
    assert re.findall(r"^(#+) (.+)$", convert(data, pages="3").content, re.M) == [("##", "Section 2 Details")]


def test_narrow_table_columns_are_not_page_columns():
    """A padding-less Story table: its last column sits apart, but 30 pt is no page column (its
    cells came out after the paragraph below the table)."""
    rows = "".join(f"<tr><td>alpha{i}</td><td>{i * 1.5}</td><td>unit{i}</td></tr>" for i in range(5))
    data = story_pdf(f"<p>Intro text paragraph.</p><table><tr><th>Name</th><th>Value</th><th>Unit</th></tr>"
                     f"{rows}</table><p>After.</p>")
    md = body(convert(data).content)
    order = [md.index(w) for w in ["Intro text", "alpha0", "unit0", "alpha4", "unit4", "After."]]
    assert order == sorted(order)


def test_displayed_url_in_typewriter_is_a_link_not_a_listing():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 80), "The project lives at", fontsize=10)
    page.insert_text((90, 100), "https://example.org/project/", fontname="cour", fontsize=10)
    page.insert_text((72, 130), "and its code is below.", fontsize=10)
    page.insert_text((90, 150), "make install", fontname="cour", fontsize=10)
    md = body(convert(doc.tobytes()).content)
    assert "<https://example.org/project/>" in md and "```\nhttps://" not in md
    assert "```\nmake install\n```" in md


def test_latex_copyright_sign_is_one_character():
    """LaTeX draws \\copyright as 'c' plus U+20DD (combining enclosing circle); readers want one '©'."""
    md = body(convert(story_pdf("<p>Copyright c&#x20DD;2004 The Authors.</p>")).content)
    assert "Copyright ©2004 The Authors." in md and "\u20dd" not in md


def test_no_text_at_all_is_a_warning_not_a_silent_empty_body():
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.draw_rect(pymupdf.Rect(100, 100, 300, 300), color=(0, 0, 0))  # only vector graphics
    result = convert(doc.tobytes())
    assert result.metadata["warnings"] == ["no text found on the selected pages (damaged content, or text drawn as shapes)"]
    assert "no text found" in result.content.split("\n---\n", 1)[0]
    assert convert(story_pdf("<p>Some words.</p>")).metadata["warnings"] == []


def test_pdf_cut_short_before_its_page_tree_is_a_conversion_error(tmp_path):
    """A download cut off early opens, then fails on the page count: exit 6, one line."""
    import io

    import pymupdf
    from llmingest.cli import app
    from typer.testing import CliRunner

    story = pymupdf.Story("<h1>Title</h1>" + "<p>text paragraph here.</p>" * 200)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    more = 1
    while more:
        dev = writer.begin_page(pymupdf.paper_rect("a4"))
        more, _ = story.place(pymupdf.paper_rect("a4") + (36, 36, -36, -36))
        story.draw(dev)
        writer.end_page()
    writer.close()
    path = tmp_path / "cut.pdf"
    path.write_bytes(buf.getvalue()[:2000])  # the page tree lives at the end of a Story PDF
    result = CliRunner().invoke(app, ["pdf", str(path), "-q"])
    assert result.exit_code == 6, result.output
    assert "internal error" not in result.output and "damaged" in result.output


def test_a_wrong_short_password_is_not_scrubbed_out_of_the_message(tmp_path):
    """`--password wrong` printed 'error: *** password for the encrypted PDF': the scrubber took the
    ordinary word for the secret. Short values are not registered; the message reads as written."""
    import subprocess
    import sys

    import pymupdf

    path = tmp_path / "locked.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "classified")
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner-pw", user_pw="s3cret-pw")
    out = subprocess.run([sys.executable, "-m", "llmingest", "pdf", str(path), "--password", "wrong"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 4
    assert out.stderr.startswith("error: wrong password for the encrypted PDF")


def test_the_pdf_converter_does_not_load_pymupdfs_layout_engine():
    """PyMuPDF 2.x imports its onnxruntime layout model on `import pymupdf` (1.3 s a run); llmingest
    never uses it, so it stays unloaded, and a program that wants it can still import it."""
    import subprocess
    import sys

    code = ("import sys; import llmingest.converters.pdf as p; "
            "print('onnxruntime' in sys.modules, 'pymupdf.layout' in sys.modules, sys.modules.get('pymupdf.layout', 1) is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "False"]
