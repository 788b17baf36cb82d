"""PowerPoint decks (.pptx) become markdown: one section per slide with its title, text as
lists, tables (GFM), links, pictures and the speaker notes.

Slides come in presentation order, shapes in reading order (top to bottom, then left to right),
so a two-column slide reads column by column only when its boxes sit that way. Pictures are
returned as :class:`~llmingest.converters.Attachment` values. Pure: bytes in, Result out.
Needs the ``office`` extra (python-pptx).
"""

from __future__ import annotations

import io
import zipfile

from llmingest.converters import Attachment, Result
from llmingest.converters._ooxml import core_title, gfm_table
from llmingest.errors import ConversionError
from llmingest.model import Document
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError

_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE)


def _is_title(shape) -> bool:
    return bool(shape.is_placeholder and shape.placeholder_format.type in _TITLES)


def _runs(paragraph) -> str:
    out = []
    for run in paragraph.runs:
        text = run.text.replace("\x0b", " ")
        address = run.hyperlink.address if run.hyperlink is not None else None
        out.append(f"[{text}]({address})" if address and text.strip() else text)
    return "".join(out).strip()


def _text_frame(frame, bullets: bool) -> list[str]:
    lines = []
    for paragraph in frame.paragraphs:
        text = _runs(paragraph)
        if text:
            lines.append(f"{'  ' * paragraph.level}- {text}" if bullets else text)
    return lines


def _shapes(shapes, attachments: list[Attachment], slide_no: int) -> list[str]:
    blocks: list[str] = []
    for shape in sorted(shapes, key=lambda s: ((s.top or 0), (s.left or 0))):
        if _is_title(shape):
            continue
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            blocks += _shapes(shape.shapes, attachments, slide_no)
        elif getattr(shape, "has_table", False):
            rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
            if rows:
                blocks.append(gfm_table(rows))
        elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            image = shape.image
            file = f"slide{slide_no}-image{len(attachments) + 1}.{image.ext}"
            attachments.append(Attachment(file, image.blob, image.content_type))
            alt = (shape._element._nvXxPr.cNvPr.get("descr") or shape.name or "").strip()
            blocks.append(f"![{alt}]({file})")
        elif shape.has_text_frame:
            lines = _text_frame(shape.text_frame, bullets=shape.is_placeholder or len(shape.text_frame.paragraphs) > 1)
            if lines:
                blocks.append("\n".join(lines))
    return blocks


def convert(data: bytes, *, name: str | None = None, **_: object) -> Result:
    """PPTX bytes -> markdown Document (kind ``page``): ``## Slide N: title``, body, ``### Notes``."""
    try:
        deck = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ConversionError(f"{name or 'deck'} is not a readable PPTX file: {type(exc).__name__}") from None
    attachments: list[Attachment] = []
    parts: list[str] = []
    first_title = None
    for number, slide in enumerate(deck.slides, 1):
        title_shape = next((s for s in slide.shapes if _is_title(s)), None)
        title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
        first_title = first_title or title or None
        parts.append(f"## Slide {number}: {title}" if title else f"## Slide {number}")
        parts += _shapes(slide.shapes, attachments, number)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = "\n".join(_text_frame(slide.notes_slide.notes_text_frame, bullets=False))
            if notes.strip():
                parts += ["### Notes", notes]
    named = core_title(data)  # the deck's own name heads the page; else the first slide's title names it
    title = named or first_title
    body = (f"# {named}\n\n" if named else "") + "\n\n".join(parts) + "\n"
    doc = Document(path=name or "deck.pptx", content=body, title=title, kind="page", size=len(data),
                   metadata={"format": "pptx", "slides": len(deck.slides)})
    return Result(doc, attachments)
