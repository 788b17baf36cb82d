"""``llmingest page``: one HTML documentation page (URL or file) as clean markdown."""

from __future__ import annotations

from pathlib import Path

import typer

from ..options import Options, PageOptions, check_format
from ._common import write_output

HELP = """Convert one HTML page to clean markdown: main content only, code fences with languages, GFM tables, admonitions, absolute links; front matter with title, url, description and, when the page states them, author, date, modified, sitename, lang, image, tags (from meta tags and JSON-LD).

Examples:

  # markdown to stdout
  llmingest page https://docs.python.org/3/library/json.html

  llmingest page _build/html/api.html --base-url https://example.org/

  curl -s https://example.org/ | llmingest page - --base-url https://example.org/

  llmingest page https://example.org/guide/ --format json --no-front-matter

  # the whole <body>, no content selection (like markitdown)
  llmingest page page.html --full

  # a JavaScript app behind a login
  llmingest page https://app.example.com/docs --render --cookie 'sid=...'

Markdown first: the request asks for text/markdown; a markdown answer, a Link header or <link
rel="alternate" type="text/markdown">, or a page.html.md twin is used instead of converting the
HTML (front matter "markdown:" says which). --no-prefer-markdown turns that off.
"""


def register(app: typer.Typer) -> None:
    app.command("page", help=HELP, no_args_is_help=True)(page)


def page(
    source: str = typer.Argument(..., help="An http(s) URL, an .html file, or - for HTML on stdin."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout (atomic)."),
    fmt: str = typer.Option("markdown", "-f", "--format", help="markdown | json"),
    no_front_matter: bool = typer.Option(False, "--no-front-matter", help="Leave out the front matter block (title, url, author, date...)."),
    base_url: str = typer.Option(None, "--base-url", help="Resolve a local file's links as if served here."),
    charset: str = typer.Option(None, "--charset", help="Override the detected character encoding."),
    no_links: bool = typer.Option(False, "--no-links", help="Keep link text, drop link targets."),
    no_images: bool = typer.Option(False, "--no-images", help="Leave images out."),
    full: bool = typer.Option(False, "--full", help="Convert the whole <body> instead of the main content."),
    token: str = typer.Option(None, "--token", help="Bearer token for pages behind auth (never printed).", show_default=False),
    header: list[str] = typer.Option(None, "--header", "-H", help="'Name: value' sent to the page's host only (repeatable; never printed)."),
    cookie: list[str] = typer.Option(None, "--cookie", help="'name=value' sent to the page's host only (repeatable; never printed)."),
    no_prefer_markdown: bool = typer.Option(False, "--no-prefer-markdown", help="Convert the HTML even when the site serves markdown."),
    render: bool = typer.Option(False, "--render", help="Load the page in headless Chromium first (JavaScript apps; extra 'render')."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer for the token count: o200k_base or cl100k_base."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No messages on stderr."),
) -> None:
    from ..api import ingest
    from ..errors import register_secret

    register_secret(token)  # no message may ever echo it
    fmt = check_format(fmt, ("markdown", "json"))
    page = PageOptions(front_matter=not no_front_matter, links=not no_links, images=not no_images,
                       select=not full, base_url=base_url, charset=charset,
                       count_tokens=fmt == "json" or (output is not None and not quiet))  # only a shown count is made
    from ..options import parse_cookies, parse_headers

    opts = Options(token=token, timeout=timeout, encoding=encoding, page=page, prefer_markdown=not no_prefer_markdown,
                   render=render, headers=parse_headers(header), cookies=parse_cookies(cookie))
    from llmingest.sources.parse import Stdin

    bundle = ingest(Stdin() if source == "-" else source, opts, kind="page")
    if fmt == "json":
        from llmingest.render.digest import bundle_json

        text = bundle_json(bundle)
    else:
        text = "\n\n".join(doc.content.rstrip("\n") for doc in bundle.documents) + "\n"
    write_output(text, output)
    if output is not None and not quiet:
        typer.echo(f"wrote {output}: {bundle.total_tokens:,} tokens", err=True)
