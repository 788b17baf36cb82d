"""The one dispatcher: converters.sniff picks a format from a content type, a name or the bytes,
converters.convert runs it, and every path (repository, single file, page, actions) goes through
them - registering a format is enough for a repository digest to read it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import git
from llmingest import converters, ingest
from llmingest.cli import app
from llmingest.converters import Format, Result
from llmingest.errors import ConversionError
from llmingest.model import Document
from llmingest.options import Options
from llmingest.sources.parse import parse
from typer.testing import CliRunner


def _zip(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in members:
            zf.writestr(name, "<x/>")
    return out.getvalue()


@pytest.fixture()
def registry(monkeypatch):
    """The registry as a private copy, so a test's registrations never leak into the next test."""
    for name in ("FORMATS", "_BY_KEY"):
        monkeypatch.setattr(converters, name, dict(getattr(converters, name)))
    return converters


def _toy(data: bytes, *, name: str | None = None, **_: object) -> Result:
    words = data.replace(b"\x00", b" ").decode("ascii", "replace").split()
    doc = Document(path=name or "x.toy", content="# Toy\n\n" + " ".join(words[1:]) + "\n", title="Toy", kind="page")
    return Result(doc)


# ---- sniffing ----------------------------------------------------------------------------------


def test_sniff_by_name_content_type_and_bytes():
    assert converters.sniff("Report.DOCX").name == "docx"
    assert converters.sniff("https://x.org/dl/book.epub?v=2").name == "epub"
    assert converters.sniff("a.ipynb").name == "notebook"
    assert converters.sniff("odd#name?.ipynb").name == "notebook"  # a file name, not a URL
    assert converters.sniff("page.htm").name == "html"
    # a specific content type beats the name; a vague one leaves it to the name
    assert converters.sniff("a.pdf", b"", "text/html; charset=utf-8").name == "html"
    assert converters.sniff("a.docx", b"", "application/octet-stream").name == "docx"
    # no name: the bytes
    assert converters.sniff(None, b"\xef\xbb\xbf  %PDF-1.4\n...").name == "pdf"
    assert converters.sniff(None, _zip("[Content_Types].xml", "word/document.xml")).name == "docx"
    assert converters.sniff(None, _zip("[Content_Types].xml", "ppt/presentation.xml")).name == "pptx"
    assert converters.sniff(None, _zip("[Content_Types].xml", "xl/workbook.xml")).name == "xlsx"
    assert converters.sniff(None, _zip("mimetype", "META-INF/container.xml")).name == "epub"
    # nothing registered claims these
    assert converters.sniff("notes.txt", b"hello") is None
    assert converters.sniff(None, _zip("some/file.txt")) is None
    assert converters.sniff(None, b"PK\x03\x04 truncated") is None
    assert converters.sniff("blob", b"\x00\x01\x02") is None


def test_convert_by_suffix_media_type_or_name_and_unknown_is_typed():
    nb = b'{"cells": [{"cell_type": "markdown", "source": "# Hi"}], "metadata": {}}'
    for key in (".ipynb", "application/x-ipynb+json", "notebook"):
        result = converters.convert(nb, key, name="n.ipynb")
        assert isinstance(result, Result) and result.document.content == "# Hi\n" and result.attachments == []
    with pytest.raises(ConversionError) as exc:
        converters.convert(b"x", ".nope")
    assert "no converter for '.nope'" in str(exc.value) and "docx" in exc.value.render()


# ---- the registry has production callers ------------------------------------------------------


def test_registering_a_format_makes_the_repository_path_use_it(registry, tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.toy").write_bytes(b"TOY1\x00alpha\x00beta")  # binary (NUL bytes): skipped before
    (repo / "renamed.dat").write_bytes(b"TOY1\x00gamma")  # known by its magic bytes, not its name
    (repo / "main.py").write_text("print(1)\n")
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "init", cwd=repo)

    before = ingest(str(repo), Options(cache=False))
    assert sorted(s.path for s in before.skipped) == ["a.toy", "renamed.dat"]

    registry.register(Format("toy", _toy, (".toy",), ("application/x-toy",), magic=b"TOY1"))
    out = tmp_path / "digest.md"
    result = CliRunner().invoke(app, ["repo", str(repo), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "### `a.toy`" in text and "alpha beta" in text
    assert "### `renamed.dat`" in text and "gamma" in text
    assert "## Skipped" not in text


def test_registering_a_format_makes_single_files_and_actions_use_it(registry, tmp_path: Path):
    registry.register(Format("toy", _toy, (".toy",), magic=b"TOY1"))
    path = tmp_path / "x.toy"
    path.write_bytes(b"TOY1\x00hello\x00world")
    assert parse(str(path)).kind == "page"
    bundle = ingest(str(path))
    assert bundle.kind == "page" and "hello world" in bundle.documents[0].content
    assert bundle.metadata["format"] == "toy"

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "steps.toy").write_bytes(b"TOY1\x00click\x00Save")
    (folder / "notes.md").write_text("# Notes\n")
    docs = ingest(str(folder), Options(), kind="docs")  # what click-to-curl reads
    assert docs.metadata["folder"] and [d.path for d in docs.documents] == ["notes.md", "steps.toy"]
    assert "click Save" in docs.documents[1].content


def test_site_conversion_goes_through_the_dispatcher(registry):
    from llmingest.sources.site import to_document

    registry.register(Format("toy", _toy, (".toy",), ("application/x-toy",)))
    doc, reason = to_document(b"TOY1 from the site", "https://d.example/files/a.bin", "application/x-toy")
    assert reason == "" and doc.url == "https://d.example/files/a.bin" and "from the site" in doc.content
    # unknown formats are still skipped with the reason they always had
    assert to_document(b"\x00\x01", "https://d.example/x.bin", "application/x-nothing") == \
        (None, "not HTML (application/x-nothing)")


# ---- unknown formats are Skipped entries, never silent drops ----------------------------------


def test_unknown_binary_and_unconverted_documents_are_skipped_with_a_reason(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "blob.xyz").write_bytes(bytes(range(256)) * 4)
    (repo / "legacy.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # OLE2: old Word
    (repo / "slides.odp").write_bytes(_zip("mimetype", "content.xml"))  # OpenDocument: no converter
    (repo / "ok.txt").write_text("fine\n")
    bundle = ingest(str(repo), Options(cache=False))
    assert [d.path for d in bundle.documents] == ["ok.txt"]
    reasons = {s.path: s.reason for s in bundle.skipped}
    assert set(reasons) == {"blob.xyz", "legacy.doc", "slides.odp"}
    assert all(r.startswith("binary") for r in reasons.values())
    # still default-ignored without a word: images, archives (listed nowhere by design)
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    assert "logo.png" not in {s.path for s in ingest(str(repo), Options(cache=False)).skipped}


def test_a_broken_document_in_a_repository_is_a_skipped_entry(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip at all")
    (repo / "ok.md").write_text("# ok\n")
    bundle = ingest(str(repo), Options(cache=False))
    (skip,) = bundle.skipped
    assert skip.path == "broken.docx" and skip.reason.startswith("conversion failed: ")


def test_html_in_a_repository_stays_source_text(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "index.html").write_text("<!doctype html><html><body><h1>Hi</h1></body></html>\n")
    (doc,) = ingest(str(repo), Options(cache=False)).documents
    assert doc.kind == "code" and doc.content.startswith("<!doctype html>")


def test_a_zip_bomb_is_refused_before_any_converter_unpacks_it(monkeypatch):
    monkeypatch.setattr(converters, "MAX_UNPACKED", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<a/>" + " " * 5000)
    with pytest.raises(ConversionError, match="over the 1,000-byte limit"):
        converters.convert(out.getvalue(), ".docx", name="bomb.docx")
