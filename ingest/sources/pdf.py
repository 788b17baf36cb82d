"""PDF sources: read the bytes (disk or HTTP), convert them, wrap the one Document in a Bundle.

The conversion itself lives in :mod:`llmingest.converters.pdf` (pure); this module only knows
where bytes come from and which Options map to which converter knobs. Converter-specific knobs
travel in ``Options.pdf`` (:class:`llmingest.options.PdfOptions`): ``images_dir`` (extract images
there), ``page_markers`` (``<!-- page N -->`` before each page), ``ocr`` (Tesseract on scanned
pages), ``images_ref`` (how the markdown links the images folder, e.g. relative to the output file).
"""

from __future__ import annotations

from pathlib import Path

from llmingest.errors import SourceNotFound, UsageError
from llmingest.model import Bundle
from llmingest.options import Options
from llmingest.sources.parse import LocalFile, WebPage


def read_bytes(src: LocalFile | WebPage, options: Options) -> tuple[bytes, str, str]:
    """(bytes, document name, display source) for a local file or a URL."""
    if isinstance(src, LocalFile):
        try:
            data = src.path.read_bytes()
        except FileNotFoundError:
            raise SourceNotFound(f"no such file: {src.path}") from None
        except IsADirectoryError:
            raise UsageError(f"{src.path} is a folder, not a PDF") from None
        except PermissionError:
            raise SourceNotFound(f"cannot read {src.path}: permission denied") from None
        return data, src.path.name, str(src.path)
    if isinstance(src, WebPage):
        from llmingest.fetch.http import fetch

        resp = fetch(src.url, options)
        from urllib.parse import unquote, urlsplit

        name = Path(unquote(urlsplit(resp.url).path)).name or "document.pdf"
        return resp.content, name, src.display()  # no userinfo or secret query values in any output
    raise UsageError(f"{src.display()} is not a PDF file or URL", hint="give a .pdf path or an http(s) URL")


def _check_images_dir(path: Path) -> None:
    """Make the --images folder up front: a file in the way is the user's mistake, said before converting."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--images {path}: that is a file, not a folder", hint="give a folder for the images")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--images {path}: cannot create the folder: {exc.strerror or exc}") from None


def ingest_pdf(src: LocalFile | WebPage, options: Options) -> Bundle:
    """One PDF -> a Bundle (kind ``pdf``) with one Document: front matter + markdown body."""
    from llmingest import converters, progress, tokens

    data, name, display = read_bytes(src, options)
    images_dir = options.pdf.images_dir
    if images_dir:
        _check_images_dir(Path(images_dir))
    with progress.task(options, f"PDF {name}", None) as bar:
        def on_page(done: int, total: int) -> None:
            bar.advance(1, total=total)

        doc = converters.convert(data, "pdf", name=name, pages=options.pages, password=options.password,
                                 images_dir=Path(images_dir) if images_dir else None,
                                 page_markers=bool(options.pdf.page_markers), ocr=bool(options.pdf.ocr),
                                 on_page=on_page, images_ref=options.pdf.images_ref).document
    if isinstance(src, WebPage):
        doc.url = src.display()
    doc.tokens = tokens.count(doc.content, options.encoding)
    return Bundle(source=display, kind="pdf", documents=[doc], title=doc.title, encoding=options.encoding,
                  metadata={k: v for k, v in doc.metadata.items() if v not in (None, [], 0) or k == "pages"})
