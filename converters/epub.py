"""EPUB books become markdown: their chapters in spine (reading) order, each through the HTML
converter, under the book's title.

An EPUB is a ZIP: ``META-INF/container.xml`` names the package file (OPF), whose manifest lists
the chapters and whose spine orders them. Read with zipfile and lxml alone (no extra needed);
entities are never resolved and the unpacked size is bounded, so a hostile book cannot blow up
memory. Pure: bytes in, Document out.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from urllib.parse import unquote

from llmingest.converters.html import convert as html_to_markdown
from llmingest.errors import ConversionError
from llmingest.model import Document
from lxml import etree

MAX_UNPACKED = 256 << 20  # bytes of chapters read from one book
_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
       "dc": "http://purl.org/dc/elements/1.1/"}
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_CHAPTER_TYPES = ("application/xhtml+xml", "text/html")


def _xml(zf: zipfile.ZipFile, member: str):
    return etree.fromstring(zf.read(member), _XML)


def _chapters(zf: zipfile.ZipFile) -> tuple[str | None, list[str]]:
    """(title, chapter members in spine order)."""
    container = _xml(zf, "META-INF/container.xml")
    opf_path = container.find(".//c:rootfile", _NS).get("full-path")
    opf = _xml(zf, opf_path)
    base = posixpath.dirname(opf_path)
    title_node = opf.find(".//dc:title", _NS)
    title = " ".join((title_node.text or "").split()) if title_node is not None else ""
    manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", _NS)}
    members = []
    for ref in opf.iterfind(".//opf:spine/opf:itemref", _NS):
        item = manifest.get(ref.get("idref"))
        if item is None or item.get("media-type") not in _CHAPTER_TYPES or ref.get("linear") == "no":
            continue
        members.append(posixpath.normpath(posixpath.join(base, unquote(item.get("href", "")))))
    return title or None, members


def convert(data: bytes, *, name: str | None = None, **_: object) -> Document:
    """EPUB bytes -> markdown Document (kind ``page``): ``# title``, then every chapter in spine order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            title, members = _chapters(zf)
            sizes = {info.filename: info.file_size for info in zf.infolist()}
            if sum(sizes.get(m, 0) for m in members) > MAX_UNPACKED:
                raise ConversionError(f"{name or 'book'}: chapters unpack to more than {MAX_UNPACKED:,} bytes")
            chapters = [zf.read(m) for m in members if m in sizes]
    except (KeyError, AttributeError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError, ValueError) as exc:
        raise ConversionError(f"{name or 'book'} is not a readable EPUB file: {type(exc).__name__}") from None
    parts = [f"# {title}"] if title else []
    for chapter in chapters:
        body = html_to_markdown(chapter, None, select=False).content.strip("\n")
        if body:
            parts.append(body)
    return Document(path=name or "book.epub", content="\n\n".join(parts) + "\n", title=title, kind="page",
                    size=len(data), metadata={"format": "epub", "chapters": len(chapters)})
