"""``llmingest pdf``: one PDF (file or URL) as markdown that keeps its structure."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..options import Options, PdfOptions, check_format
from ._common import progress_wanted, write_output

HELP = """Convert a PDF to markdown: headings, lists, tables, code and reading order kept.

Examples:

  # markdown with front matter to stdout
  llmingest pdf paper.pdf

  # same: a .pdf source picks this command
  llmingest paper.pdf -o paper.md

  llmingest pdf https://example.org/spec.pdf --pages 1-5,9 --page-markers

  # OCR scanned pages (needs tesseract)
  llmingest pdf scan.pdf --ocr

  llmingest pdf report.pdf --images img/ --password s3cret --format json
"""


def register(app: typer.Typer) -> None:
    app.command("pdf", help=HELP, no_args_is_help=True)(pdf)


def pdf(
    source: str = typer.Argument(..., help="A .pdf path or an http(s) URL of a PDF."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout (atomic)."),
    fmt: str = typer.Option("markdown", "-f", "--format", help="markdown | json"),
    pages: str = typer.Option(None, "--pages", help="Only these pages, 1-based: 1-5,9 or 10-"),
    page_markers: bool = typer.Option(False, "--page-markers", help="Put <!-- page N --> before each page."),
    images: Path = typer.Option(None, "--images", help="Extract images into DIR and link them."),
    ocr: bool = typer.Option(False, "--ocr", help="OCR scanned pages with Tesseract (apt-get install tesseract-ocr)."),
    password: str = typer.Option(None, "--password", help="Password of an encrypted PDF.", show_default=False),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer for the token count: o200k_base or cl100k_base."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress on stderr."),
) -> None:
    from ..api import ingest
    from ..errors import register_secret

    fmt = check_format(fmt, ("markdown", "json"))
    register_secret(password)
    images_ref = None
    if images is not None and output is not None and str(output) != "-":
        # links relative to the markdown file, so `-o out/doc.md --images out/img` opens right
        images_ref = Path(os.path.relpath(images.absolute(), output.absolute().parent)).as_posix()
    pdf = PdfOptions(images_dir=images, images_ref=images_ref, page_markers=page_markers, ocr=ocr)
    opts = Options(pages=pages, password=password, encoding=encoding, pdf=pdf, progress=progress_wanted(quiet))
    bundle = ingest(source, opts, kind="pdf")
    if fmt == "json":
        from llmingest.render.digest import bundle_json

        text = bundle_json(bundle)
    else:
        text = bundle.documents[0].content
    write_output(text, output)
    if output is not None and not quiet:
        doc = bundle.documents[0]
        typer.echo(f"wrote {output}: {doc.metadata.get('pages')} pages, {doc.tokens:,} tokens", err=True)
