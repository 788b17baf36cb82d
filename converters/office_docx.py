"""Word documents (.docx) become markdown: headings, lists, tables (GFM), links, emphasis, images.

mammoth reads the document's structure (its styles say which paragraph is a heading, its
numbering which one is a list item) and writes clean HTML; the HTML converter turns that into
markdown, so tables and lists come out exactly as they do for web pages. Embedded images are
returned as :class:`~llmingest.converters.Attachment` values and linked by file name; nothing is
written here. Pure: bytes in, :class:`~llmingest.converters.Result` out. Needs the ``office`` extra.
"""

from __future__ import annotations

import io
import re
import zipfile

import mammoth
from llmingest.converters import Attachment, Result
from llmingest.converters._ooxml import core_title
from llmingest.converters.html import convert as html_to_markdown
from llmingest.errors import ConversionError
from lxml import etree

#: Word's own title style is a heading too (mammoth leaves it a plain paragraph)
STYLE_MAP = "p[style-name='Title'] => h1:fresh\np[style-name='Subtitle'] => h2:fresh"
_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/bmp": "bmp", "image/tiff": "tif",
        "image/svg+xml": "svg", "image/x-emf": "emf", "image/x-wmf": "wmf"}


def convert(data: bytes, *, name: str | None = None, **_: object) -> Result:
    """DOCX bytes -> markdown Document (kind ``page``) and its images as attachments."""
    attachments: list[Attachment] = []

    def image(img) -> dict[str, str]:
        with img.open() as fh:
            blob = fh.read()
        ext = _EXT.get(img.content_type, "bin")
        file = f"image{len(attachments) + 1}.{ext}"
        attachments.append(Attachment(file, blob, img.content_type or "application/octet-stream"))
        return {"src": file}

    try:
        out = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP,
                                      convert_image=mammoth.images.img_element(image))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ConversionError(f"{name or 'document'} is not a readable DOCX file: {type(exc).__name__}") from None
    page = html_to_markdown(f"<html><body>{out.value}</body></html>".encode(), None, select=False)
    heading = re.search(r"^#{1,6}[ \t]+(.+?)[ \t]*$", page.content, re.M)
    page.title = core_title(data) or (heading.group(1) if heading else None)
    page.path = name or "document.docx"
    page.size = len(data)
    page.metadata = {"format": "docx"}
    return Result(page, attachments)
