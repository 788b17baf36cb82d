"""DOCX, PPTX, XLSX and EPUB: real files built here with python-docx, python-pptx, openpyxl and
zipfile, read through the converters, the real CLI (`llmingest <file>`, `llmingest page`), a
real git repository digest, a bundle and a crawled site served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import docx  # python-docx, python-pptx, openpyxl: the test extra (pyproject.toml)
import openpyxl
import pptx
import pytest
from conftest import git, serve_folder
from llmingest import converters
from llmingest.cli import app, main
from llmingest.errors import ConversionError
from llmingest.options import Options
from typer.testing import CliRunner


def _png() -> bytes:
    """A real 2x2 PNG, written by hand (chunk CRCs and all), so no image library is needed."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = _png()


def _hyperlink(paragraph, text: str, url: str) -> None:
    """python-docx has no hyperlink API: add the w:hyperlink element and its relationship."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def make_docx() -> bytes:
    d = docx.Document()
    d.core_properties.title = "Quarterly Report"
    d.add_heading("Summary", 1)
    p = d.add_paragraph("Revenue grew by ")
    p.add_run("12%").bold = True
    p.add_run(" this quarter, see ")
    _hyperlink(p, "the dashboard", "https://example.org/dash")
    d.add_heading("Details", 2)
    d.add_paragraph("First point", style="List Bullet")
    d.add_paragraph("Second point", style="List Bullet")
    d.add_paragraph("Step one", style="List Number")
    d.add_paragraph("Step two", style="List Number")
    table = d.add_table(rows=3, cols=2)
    for r, row in enumerate([("Region", "Sales"), ("North", "10 | 20"), ("South", "7")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_picture(io.BytesIO(PNG))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def make_pptx() -> bytes:
    from pptx.util import Inches

    prs = pptx.Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[1])
    s1.shapes.title.text = "Roadmap"
    body = s1.placeholders[1].text_frame
    body.text = "Ship the dispatcher"
    sub = body.add_paragraph()
    sub.text, sub.level = "Office formats", 1
    run = body.add_paragraph().add_run()
    run.text = "the docs"
    run.hyperlink.address = "https://example.org/docs"
    s1.notes_slide.notes_text_frame.text = "Say it slowly."
    s2 = prs.slides.add_slide(prs.slide_layouts[5])
    s2.shapes.title.text = "Numbers"
    table = s2.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for (r, c), value in {(0, 0): "Quarter", (0, 1): "Sales", (1, 0): "Q1", (1, 1): "5"}.items():
        table.cell(r, c).text = value
    s2.shapes.add_picture(io.BytesIO(PNG), Inches(1), Inches(4))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Region", "Amount", "Date"])
    ws.append(["North", 10.0, dt.datetime(2024, 1, 2)])
    ws.append(["South|West", 2.5, None])
    ws.append([None, None, None])  # trailing empty row: dropped
    costs = wb.create_sheet("Costs")
    costs.append(["Item", "Cost"])
    costs.append(["Rent", 1200])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_epub() -> bytes:
    """A minimal valid EPUB 3 whose spine order differs from its manifest order."""
    def chapter(title: str, text: str) -> str:
        return (f"<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'><head>"
                f"<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>")

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml",
                    "<?xml version='1.0'?><container version='1.0' xmlns='urn:oasis:names:tc:opendocument:xmlns:container'>"
                    "<rootfiles><rootfile full-path='OEBPS/content.opf' media-type='application/oebps-package+xml'/>"
                    "</rootfiles></container>")
        zf.writestr("OEBPS/content.opf",
                    "<?xml version='1.0'?><package xmlns='http://www.idpf.org/2007/opf' version='3.0' unique-identifier='id'>"
                    "<metadata xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:title>The Little Book</dc:title>"
                    "<dc:identifier id='id'>x</dc:identifier></metadata><manifest>"
                    "<item id='c2' href='text/two.xhtml' media-type='application/xhtml+xml'/>"
                    "<item id='c1' href='text/one.xhtml' media-type='application/xhtml+xml'/>"
                    "<item id='css' href='style.css' media-type='text/css'/>"
                    "</manifest><spine><itemref idref='c1'/><itemref idref='c2'/></spine></package>")
        zf.writestr("OEBPS/text/one.xhtml", chapter("Chapter One", "It was a dark and stormy night."))
        zf.writestr("OEBPS/text/two.xhtml", chapter("Chapter Two", "The storm passed by morning."))
        zf.writestr("OEBPS/style.css", "p { margin: 0 }")
    return out.getvalue()


# ---- the converters ------------------------------------------------------------------------------


def test_docx_headings_lists_tables_links_and_images_as_attachments():
    result = converters.convert(make_docx(), ".docx", name="report.docx")
    md = result.document.content
    assert result.document.title == "Quarterly Report"
    assert "# Summary" in md and "## Details" in md
    assert "Revenue grew by **12%** this quarter, see [the dashboard](https://example.org/dash)" in md
    assert "- First point\n- Second point" in md
    assert "1. Step one\n2. Step two" in md
    assert "| Region | Sales |\n| --- | --- |\n| North | 10 \\| 20 |\n| South | 7 |" in md
    # the image is a value for the caller, linked by name; nothing was written anywhere
    assert [a.name for a in result.attachments] == ["image1.png"] and result.attachments[0].data == PNG
    assert "(image1.png)" in md


def test_pptx_slide_titles_bullets_tables_links_pictures_and_notes():
    result = converters.convert(make_pptx(), "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                name="deck.pptx")
    md = result.document.content
    assert md.index("## Slide 1: Roadmap") < md.index("## Slide 2: Numbers")
    assert "- Ship the dispatcher\n  - Office formats\n- [the docs](https://example.org/docs)" in md
    assert "### Notes\n\nSay it slowly." in md
    assert "| Quarter | Sales |\n| --- | --- |\n| Q1 | 5 |" in md
    assert len(result.attachments) == 1 and result.attachments[0].data == PNG
    assert f"]({result.attachments[0].name})" in md
    assert result.document.title == "Roadmap" and result.document.metadata["slides"] == 2


def test_xlsx_one_table_per_sheet_under_a_sheet_heading():
    md = converters.convert(make_xlsx(), ".xlsx", name="book.xlsx").document.content
    assert md == ("## Sales\n\n| Region | Amount | Date |\n| --- | --- | --- |\n| North | 10 | 2024-01-02 |\n"
                  "| South\\|West | 2.5 |  |\n\n## Costs\n\n| Item | Cost |\n| --- | --- |\n| Rent | 1200 |\n")


def test_epub_chapters_in_spine_order():
    doc = converters.convert(make_epub(), "application/epub+zip", name="book.epub").document
    assert doc.title == "The Little Book"
    md = doc.content
    assert md.startswith("# The Little Book\n")
    assert md.index("Chapter One") < md.index("dark and stormy") < md.index("Chapter Two") < md.index("storm passed")
    assert "margin" not in md  # the stylesheet is in the manifest, not in the spine


def test_broken_office_file_is_a_typed_conversion_error():
    with pytest.raises(ConversionError):
        converters.convert(b"PK\x03\x04 not really a zip", ".docx", name="bad.docx")
    with pytest.raises(ConversionError):
        converters.convert(b"PK\x03\x04 not really a zip", ".epub", name="bad.epub")


# ---- the paths: CLI, repository, bundle, site --------------------------------------------------


@pytest.fixture()
def office_files(tmp_path: Path) -> dict[str, Path]:
    files = {"docx": make_docx(), "pptx": make_pptx(), "xlsx": make_xlsx(), "epub": make_epub()}
    out = {}
    for ext, data in files.items():
        out[ext] = tmp_path / f"sample.{ext}"
        out[ext].write_bytes(data)
    return out


def test_cli_file_routes_each_format_to_its_converter(office_files, tmp_path: Path):
    expect = {"docx": "| North | 10 \\| 20 |", "pptx": "## Slide 2: Numbers", "xlsx": "## Costs",
              "epub": "The storm passed by morning."}
    for ext, path in office_files.items():
        out = tmp_path / f"{ext}.md"
        with pytest.raises(SystemExit) as exc:  # `llmingest sample.docx`: the subcommand is inferred
            main([str(path), "-o", str(out)])
        assert exc.value.code == 0, ext
        text = out.read_text("utf-8")
        assert text.startswith("---\ntitle: ") and expect[ext] in text, ext
    result = CliRunner().invoke(app, ["page", str(office_files["docx"]), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "page" and data["metadata"]["format"] == "docx"
    assert data["documents"][0]["title"] == "Quarterly Report"
    # a document without its name is known by its bytes
    nameless = tmp_path / "download"
    shutil.copy(office_files["pptx"], nameless)
    with pytest.raises(SystemExit) as exc:
        main([str(nameless), "-o", str(tmp_path / "nameless.md")])
    assert exc.value.code == 0 and "## Slide 1: Roadmap" in (tmp_path / "nameless.md").read_text("utf-8")


def test_page_path_writes_attachments_only_when_asked(office_files, tmp_path: Path):
    from llmingest import ingest

    images = tmp_path / "img"
    bundle = ingest(str(office_files["docx"]), Options(extra={"images_dir": str(images)}))
    assert (images / "image1.png").read_bytes() == PNG
    assert "(image1.png)" in bundle.documents[0].content
    before = sorted(p.name for p in tmp_path.iterdir())
    ingest(str(office_files["docx"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_git_repository_digest_reads_office_files(office_files, tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    for path in office_files.values():
        shutil.copy(path, repo / "docs" / path.name)
    (repo / "main.py").write_text("print('hi')\n")
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "init", cwd=repo)
    out = tmp_path / "digest.md"
    result = CliRunner().invoke(app, ["repo", str(repo), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    for name in ("docs/sample.docx", "docs/sample.pptx", "docs/sample.xlsx", "docs/sample.epub"):
        assert f"### `{name}`" in text, name
    assert "| South\\|West | 2.5 |  |" in text and "Slide 1: Roadmap" in text and "Chapter Two" in text
    assert "## Skipped" not in text


def test_bundle_reads_a_docx_source(office_files, tmp_path: Path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "a.py").write_text("x = 1\n")
    out = tmp_path / "ctx.md"
    result = CliRunner().invoke(app, ["bundle", str(tmp_path / "proj"), str(office_files["docx"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "Revenue grew by **12%**" in text and "x = 1" in text


def test_site_crawl_converts_linked_office_documents(office_files, tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    for path in office_files.values():
        shutil.copy(path, site / path.name)
    (site / "index.html").write_text(
        "<!doctype html><html><head><title>Docs</title></head><body><main><h1>Docs</h1>"
        "<p>Downloads for this project, linked from the start page of the docs site.</p><ul>"
        + "".join(f"<li><a href='{p.name}'>{p.stem} {ext}</a></li>" for ext, p in office_files.items())
        + "</ul></main></body></html>")
    base, stop = serve_folder(site)
    try:
        out = tmp_path / "out"
        result = CliRunner().invoke(app, ["site", base + "/", "-o", str(out)])
    finally:
        stop()
    assert result.exit_code == 0, result.output
    full = (out / "llms-full.txt").read_text("utf-8")
    assert "| North | 10 \\| 20 |" in full and "## Slide 2: Numbers" in full
    assert "## Costs" in full and "The storm passed by morning." in full
    llms = (out / "llms.txt").read_text("utf-8")
    assert "sample.docx" in llms and "sample.epub" in llms


# ---- the office extra missing ----------------------------------------------------------------------


@pytest.fixture()
def no_mammoth(monkeypatch):
    """An install without the office extra: importing mammoth fails (None in sys.modules)."""
    monkeypatch.setitem(sys.modules, "mammoth", None)
    monkeypatch.delitem(sys.modules, "llmingest.converters.office_docx", raising=False)


def test_missing_extra_is_a_typed_error_naming_the_extra(no_mammoth, office_files, tmp_path: Path):
    with pytest.raises(converters.MissingExtra) as exc:
        converters.convert(office_files["docx"].read_bytes(), ".docx")
    assert "pip install 'llmingest[office]'" in exc.value.render()
    with pytest.raises(SystemExit) as code:
        main([str(office_files["docx"])])
    assert code.value.code == ConversionError.exit_code


def test_missing_extra_in_a_repository_is_a_skipped_entry(no_mammoth, office_files, tmp_path: Path):
    from llmingest import ingest

    repo = tmp_path / "r"
    repo.mkdir()
    shutil.copy(office_files["docx"], repo / "a.docx")
    shutil.copy(office_files["xlsx"], repo / "b.xlsx")
    bundle = ingest(str(repo), Options(cache=False))
    assert [d.path for d in bundle.documents] == ["b.xlsx"]  # openpyxl is still there
    (skip,) = bundle.skipped
    assert skip.path == "a.docx" and "'office' extra" in skip.reason and "llmingest[office]" in skip.reason
