"""Pure converters: bytes or text in, markdown out. No network, no disk beyond their input.

This module is the one dispatcher every path uses (repositories, pages, sites, bundles, single
files, click-to-curl documents): :func:`sniff` says which :class:`Format` some bytes are (from
the file name, the HTTP content type, then magic bytes), :func:`convert` runs that format's
converter. A new format is one module and one :func:`register` line below (DESIGN rule 3), in
the manner of markitdown's ``DocumentConverter`` registry. Converter modules are imported
lazily, so a run that meets no PDF never imports PyMuPDF.

Converters return a :class:`~llmingest.model.Document` or a :class:`Result` (a Document plus
artefacts such as images, as values): the caller decides what is written where.
"""

from __future__ import annotations

import importlib
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from llmingest.errors import ConversionError
from llmingest.model import Document

__all__ = ["Format", "Result", "Attachment", "MissingExtra", "register", "sniff", "lookup", "convert",
           "document_suffixes", "FORMATS"]


@dataclass(frozen=True)
class Format:
    """One file format the toolkit reads, and where its converter lives.

    ``target`` is ``"module:function"`` (a module of this package, or a dotted absolute one such as
    ``"mypkg.conv:convert"``) or the function itself; it takes ``(data, **options)`` and returns a
    Document or a :class:`Result`. ``zip_member`` recognises a ZIP container
    (DOCX, EPUB...) by a file it holds; ``magic`` by its first bytes. ``extra`` names the optional
    install extra that brings the converter's libraries (``pip install 'llmingest[office]'``).
    ``in_trees``: a file of this format inside a repository is converted (False for HTML, whose
    source a digest shows as it is). ``document``: a file of this format read on its own (``llmingest
    x.docx``, a page URL, a link in a crawled site) becomes one converted Document; False for
    formats with a path of their own there (HTML pages, notebooks in a digest).
    """

    name: str
    target: str | Callable
    suffixes: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()
    magic: bytes | None = None
    zip_member: str | None = None
    extra: str | None = None
    in_trees: bool = True
    document: bool = True


@dataclass(frozen=True)
class Attachment:
    """An artefact a conversion produced (an embedded image), as bytes for the caller to write."""

    name: str  # file name the markdown links to
    data: bytes
    media_type: str = "application/octet-stream"


@dataclass
class Result:
    """What :func:`convert` returns: the Document and any artefacts (never written by a converter)."""

    document: Document
    attachments: list[Attachment] = field(default_factory=list)


class MissingExtra(ConversionError):
    """The format is known, but the libraries that read it are not installed (an optional extra)."""


#: format name -> Format
FORMATS: dict[str, Format] = {}
_BY_KEY: dict[str, Format] = {}

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register(fmt: Format) -> Format:
    """Add a format, so every edge (repo walk, page, bundle, MCP) reads it; a later registration wins."""
    FORMATS[fmt.name] = fmt
    for key in (*fmt.suffixes, *fmt.media_types):
        _BY_KEY[key.lower()] = fmt
    return fmt


# ---- the registry: one line per format ---------------------------------------------------------
register(Format("notebook", "notebook:convert", (".ipynb",), ("application/x-ipynb+json",), document=False))
register(Format("pdf", "pdf:convert", (".pdf",), ("application/pdf", "application/x-pdf"), magic=b"%PDF-"))
register(Format("html", "html:convert", (".html", ".htm", ".xhtml"), ("text/html", "application/xhtml+xml"),
                in_trees=False, document=False))
register(Format("docx", "office_docx:convert", (".docx",), (DOCX_TYPE,), zip_member="word/document.xml", extra="office"))
register(Format("pptx", "office_pptx:convert", (".pptx",), (PPTX_TYPE,), zip_member="ppt/presentation.xml", extra="office"))
register(Format("xlsx", "office_xlsx:convert", (".xlsx",), (XLSX_TYPE,), zip_member="xl/workbook.xml", extra="office"))
register(Format("epub", "epub:convert", (".epub",), ("application/epub+zip",), zip_member="META-INF/container.xml"))
# -------------------------------------------------------------------------------------------------

#: media types that say nothing about the format (then the name and the bytes decide)
_VAGUE_TYPES = frozenset({"", "application/octet-stream", "application/zip", "application/x-zip-compressed",
                          "binary/octet-stream", "application/download", "application/force-download"})


def lookup(key: str) -> Format | None:
    """The format for an extension (``.docx``), a media type or a format name, or None."""
    key = (key or "").split(";", 1)[0].strip().lower()
    return _BY_KEY.get(key) or FORMATS.get(key)


def _suffix(name: str) -> str:
    """The extension of a file name, a path or a URL's path (``a#b.ipynb`` is a file name, not a URL)."""
    if "://" in name:
        name = urlsplit(name).path
    return os.path.splitext(name.rstrip("/").rsplit("/", 1)[-1])[1].lower()


def _zip_names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return set()


def sniff(name: str | None = None, data: bytes | None = None, content_type: str | None = None) -> Format | None:
    """Which registered format this is: the HTTP content type when it is specific, then the file
    name's extension, then the bytes (``%PDF-``, a ZIP holding ``word/document.xml``...). None
    when nothing registered claims it (the caller then treats it as text, or skips it as binary).

    Only the first bytes are looked at, except for ZIP containers, whose member list is read.

    >>> sniff("report.DOCX").name
    'docx'
    >>> sniff("download", b"%PDF-1.7 ...").name
    'pdf'
    """
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if ctype not in _VAGUE_TYPES and (fmt := _BY_KEY.get(ctype)) is not None:
        return fmt
    if name and (fmt := _BY_KEY.get(_suffix(name))) is not None:
        return fmt
    if not data:
        return None
    head = data[:1024].lstrip(b"\r\n\t \x00\xef\xbb\xbf")
    for fmt in FORMATS.values():
        if fmt.magic and head.startswith(fmt.magic):
            return fmt
    if data.startswith(b"PK\x03\x04"):
        members = _zip_names(data)
        for fmt in FORMATS.values():
            if fmt.zip_member and fmt.zip_member in members:
                return fmt
    return None


def document_suffixes() -> frozenset[str]:
    """Extensions of the formats read as documents of their own (what a crawl follows links to)."""
    return frozenset(s for f in FORMATS.values() if f.document for s in f.suffixes)


#: bytes a ZIP-based document may unpack to: a 100 KB zip bomb must not become gigabytes in a converter
MAX_UNPACKED = 256 << 20


def _check_unpacked(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a ZIP at all: the converter says so in its own words
    if total > MAX_UNPACKED:
        raise ConversionError(f"{name} unpacks to {total:,} bytes, over the {MAX_UNPACKED:,}-byte limit")


def _load(fmt: Format) -> Callable:
    if callable(fmt.target):
        return fmt.target
    module, func = fmt.target.split(":")
    try:
        mod = importlib.import_module(module if "." in module else f"{__name__}.{module}")
    except ImportError as exc:
        if fmt.extra:
            raise MissingExtra(f"reading {fmt.name.upper()} files needs the '{fmt.extra}' extra ({exc.name or exc} "
                               "is not installed)", hint=f"pip install 'llmingest[{fmt.extra}]'") from None
        raise
    return getattr(mod, func)


def convert(data: bytes | str, media_type_or_suffix: str | Format, **options) -> Result:
    """Convert ``data`` with the converter registered for an extension, media type or format
    name; ``options`` go to that converter (``name=``, ``url=``...). A :class:`ConversionError`
    when no converter is registered, :class:`MissingExtra` when its libraries are not installed.

    >>> convert(b'{"cells": []}', ".ipynb", name="empty.ipynb").document.kind
    'notebook'
    """
    fmt = media_type_or_suffix if isinstance(media_type_or_suffix, Format) else lookup(media_type_or_suffix)
    if fmt is None:
        raise ConversionError(f"no converter for {media_type_or_suffix!r}",
                              hint=f"readable formats: {', '.join(sorted(FORMATS))}")
    if fmt.zip_member and isinstance(data, bytes):
        _check_unpacked(data, options.get("name") or fmt.name)
    out = _load(fmt)(data, **options)
    return out if isinstance(out, Result) else Result(out)

