"""``llmingest llmstxt validate|expand``: lint an llms.txt, or turn one into a single context file."""

from __future__ import annotations

from pathlib import Path

import typer

from ..options import CrawlOptions, Options
from ._common import progress_wanted, write_output

HELP = """Work with llms.txt files (https://llmstxt.org).

Examples:

  llmingest llmstxt validate llms.txt

  llmingest llmstxt validate https://docs.example.com/llms.txt

  llmingest llmstxt expand https://example.org/llms.txt -o ctx.xml
"""

VALIDATE_HELP = """Lint an llms.txt against the llmstxt.org format and the llms-txt reference parser.

Reports what breaks the format or makes the reference parser crash or misread the file (prose or H3s under an H2, a multi-line blockquote, ']' in a link title, a second H1...), one per line as FILE:LINE: level: message. Exit 1 when there are errors (with --strict, also on warnings).

Examples:

  llmingest llmstxt validate llms.txt

  llmingest llmstxt validate https://docs.example.com/llms.txt --strict
"""

EXPAND_HELP = """Fetch every page an llms.txt links and write them as one context file (like llms_txt2ctx).

HTML pages are converted to markdown, .md files kept as they are, PDFs converted. Output is <project><section><doc title url>...</doc></section></project>. With --max-tokens, pages of the Optional section are dropped first, then pages from the end (smaller ones that still fit are put back); cuts are reported on stderr.

A remote llms.txt only leads to http(s) URLs (file://, paths and other schemes are skipped); a local one may also link files under its own folder, never outside it.

Examples:

  llmingest llmstxt expand llms.txt -o context.xml

  llmingest llmstxt expand https://example.org/llms.txt --no-optional
"""


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help=HELP, no_args_is_help=True)
    sub.command("validate", help=VALIDATE_HELP, no_args_is_help=True)(validate)
    sub.command("expand", help=EXPAND_HELP, no_args_is_help=True)(expand)
    app.add_typer(sub, name="llmstxt")


def _read(source: str, opts: Options, *, follow_describedby: bool = False) -> tuple[str, str]:
    """(text, location) of an llms.txt given as a file path or an http(s) URL.

    ``follow_describedby``: a page URL (HTML) leads to the llms.txt it declares (llms.txt v2).
    """
    from ..errors import SourceNotFound

    if source.startswith(("http://", "https://")):
        from llmingest.fetch.http import fetch, login_headers

        resp = fetch(source, opts, headers=login_headers(opts, source, source))
        if follow_describedby and (resp.content_type in ("text/html", "application/xhtml+xml")
                                   or resp.content.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))):
            from llmingest.sources.llmstxt_v2 import describedby

            found = describedby(resp)
            if not found:
                raise SourceNotFound(f"{source} is an HTML page that declares no llms.txt",
                                     hint='v2 pages point to theirs with rel="describedby"; give the llms.txt URL')
            resp = fetch(found[0], opts, headers=login_headers(opts, found[0], source))
        return resp.content.decode(resp.charset or "utf-8", "replace"), resp.url
    path = Path(source)
    if not path.is_file():
        raise SourceNotFound(f"no such file: {source}")
    return path.read_text("utf-8", errors="replace"), str(path.resolve())


def validate(
    source: str = typer.Argument(..., help="An llms.txt file or URL."),
    strict: bool = typer.Option(False, "--strict", help="Warnings count as errors."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds for fetching a URL."),
) -> None:
    from llmingest.sources.llmstxt_v2 import notes

    from ..converters import llmstxt

    opts = Options(timeout=timeout)
    text, location = _read(source, opts, follow_describedby=True)
    if location != source and location.startswith(("http://", "https://")) and source.startswith(("http://", "https://")):
        typer.echo(f"{source}: info: its llms.txt (rel=\"describedby\") is {location}")
        source = location
    problems = llmstxt.check(text)
    for p in problems:
        where = f"{source}:{p.line}" if p.line else source
        typer.echo(f"{where}: {p.level}: {p.message}")
    errors = [p for p in problems if p.level == "error" or strict]
    if errors:
        typer.echo(f"{source}: {len(errors)} problem(s)", err=True)
        raise typer.Exit(1)
    for note in notes(location, text, opts):
        typer.echo(f"{source}: info: {note.message}")
    parsed = llmstxt.parse(text)
    links = sum(len(v) for v in parsed["sections"].values())
    typer.echo(f"{source}: valid llms.txt ({len(parsed['sections'])} sections, {links} links)", err=True)


def expand(
    source: str = typer.Argument(..., help="An llms.txt file or URL."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout (atomic)."),
    max_tokens: int = typer.Option(None, "--max-tokens", help="Fit the context into N tokens (Optional first to go)."),
    optional: bool = typer.Option(True, "--optional/--no-optional", help="Include the Optional section's pages."),
    concurrency: int = typer.Option(8, "--concurrency", help="Pages fetched at once."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer: o200k_base or cl100k_base."),
    header: list[str] = typer.Option(None, "--header", "-H", help="'Name: value' sent to the llms.txt's host only (repeatable; never printed)."),
    cookie: list[str] = typer.Option(None, "--cookie", help="'name=value' sent to the llms.txt's host only (repeatable; never printed)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress or summary on stderr."),
) -> None:
    from llmingest.sources.site import expand as do_expand

    from ..options import parse_cookies, parse_headers
    from ..tokens import count

    opts = Options(timeout=timeout, concurrency=max(1, concurrency), encoding=encoding, progress=progress_wanted(quiet),
                   headers=parse_headers(header), cookies=parse_cookies(cookie), crawl=CrawlOptions(login_start=source))
    text, location = _read(source, opts)
    out, skipped = do_expand(text, location, opts, max_tokens=max_tokens, optional=optional)
    write_output(out, output)
    if not quiet:
        for s in skipped:
            typer.echo(f"skipped {s.path}: {s.reason}", err=True)
        if output is not None:
            typer.echo(f"wrote {output}: {count(out, encoding):,} tokens", err=True)
