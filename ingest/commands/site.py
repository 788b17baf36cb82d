"""``llmingest site``: a whole docs site (URL or built-HTML folder) -> llms.txt, llms-full.txt, .md mirrors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..options import CrawlOptions, Options, parse_size
from ._common import progress_wanted, write_output

HELP = """Turn a whole docs site into llms.txt, llms-full.txt and a .md mirror of every page.

Crawls from the start URL (its sitemap.xml when there is one, else the links under the start URL's path), honouring robots.txt, or reads a folder of built HTML served at --base-url. Re-runs send conditional requests (ETag/Last-Modified), and a crawl stopped with Ctrl-C keeps what it has and resumes from its cache.

Examples:

  # llms.txt + llms-full.txt + mirrors
  llmingest site https://docs.example.com/ -o llms/

  llmingest site https://example.org/guide/ --max-pages 200 -e '*/news/*'

  # Sphinx output
  llmingest site _build/html --base-url https://example.org/ -o _build/html

  # CI: fail if stale
  llmingest site site/ --base-url https://docs.example.com/ -o site --check

  # cap llms-full.txt
  llmingest site https://docs.example.com/ -o llms/ --max-tokens 200000

  # llms.txt on stdout
  llmingest site https://docs.example.com/
"""


def _skip_trio_probe() -> None:
    """Import httpcore without letting it import trio (0.06-0.08 s of every `site` run).

    httpcore imports trio, when it is installed, only to tell later whether it runs under trio; this
    CLI process runs its clients under asyncio, so trio is hidden from that one import and visible
    again right after (``import trio`` works as usual). Only the CLI does this: a program that
    imports llmingest as a library keeps httpcore as it is.
    """
    if "httpcore" in sys.modules or "trio" in sys.modules:
        return
    sys.modules["trio"] = None  # type: ignore[assignment]  # "import trio" raises ImportError
    try:
        import httpcore  # noqa: F401
    except ImportError:
        pass
    finally:
        del sys.modules["trio"]


def register(app: typer.Typer) -> None:
    app.command("site", help=HELP, no_args_is_help=True)(site)


def site(
    source: str = typer.Argument(..., help="Start URL of the docs site, or a folder of built HTML (needs --base-url)."),
    output: Path = typer.Option(None, "-o", "--output", help="Folder for llms.txt, llms-full.txt and the .md mirrors (else llms.txt on stdout)."),
    base_url: str = typer.Option(None, "--base-url", help="Where the site/outputs are served; llms.txt then links the .md mirrors there."),
    max_pages: int = typer.Option(None, "--max-pages", help="Stop after N pages."),
    depth: int = typer.Option(None, "--depth", help="Follow links at most N clicks from the start page."),
    include: list[str] = typer.Option([], "-i", "--include", help="Only URLs matching this glob (repeatable), e.g. '*/guide/*'."),
    exclude: list[str] = typer.Option([], "-e", "--exclude", help="Leave out URLs matching this glob (repeatable)."),
    concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight."),
    per_host: int = typer.Option(4, "--per-host", help="Requests in flight to one host (politeness)."),
    max_tokens: int = typer.Option(None, "--max-tokens", help="Cap llms-full.txt at N tokens (Optional pages cut first; cuts are listed)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 with a diff if the files in -o are out of date."),
    use_published: bool = typer.Option(False, "--use-published", help="If the site publishes llms.txt / llms-full.txt, save those instead of crawling."),
    no_robots: bool = typer.Option(False, "--no-robots", help="Ignore robots.txt (only for sites you own)."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
    max_page_size: str = typer.Option("20MB", "--max-page-size", help="Skip pages larger than this."),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer: o200k_base or cl100k_base."),
    no_cache: bool = typer.Option(False, "--no-cache", help="No conditional-request cache (fetch everything again)."),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the server about every cached page, even one its Cache-Control max-age says is still fresh."),
    header: list[str] = typer.Option(None, "--header", "-H", help="'Name: value' sent to the site's host only (repeatable; never printed)."),
    cookie: list[str] = typer.Option(None, "--cookie", help="'name=value' sent to the site's host only (repeatable; never printed)."),
    no_prefer_markdown: bool = typer.Option(False, "--no-prefer-markdown", help="Do not ask for text/markdown (convert every page's HTML)."),
    render: bool = typer.Option(False, "--render", help="Load every page in headless Chromium (JavaScript-rendered docs sites; extra 'render')."),
    md_twins: bool = typer.Option(False, "--md-twins", help="Also write each page's llms.txt v2 twin (page.html.md, index.html.md) in -o."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress or summary on stderr."),
) -> None:
    from llmingest.sources import parse as sources
    from llmingest.sources.site import diff_site, write_site

    from ..api import ingest
    from ..errors import StaleOutput, UsageError
    from ..options import parse_cookies, parse_headers

    if check and output is None:
        raise UsageError("--check needs -o DIR", hint="the folder holding the committed llms.txt")
    if max_pages is not None and max_pages < 1:
        raise UsageError("--max-pages must be at least 1")
    opts = Options(
        include=list(include), exclude=list(exclude), max_pages=max_pages, depth=depth,
        concurrency=max(1, concurrency), per_host=max(1, per_host), base_url=base_url, max_tokens=max_tokens,
        respect_robots=not no_robots, timeout=timeout, encoding=encoding, cache=not no_cache,
        progress=progress_wanted(quiet), max_page_size=parse_size(max_page_size) or None,
        headers=parse_headers(header), cookies=parse_cookies(cookie), prefer_markdown=not no_prefer_markdown,
        render=render, crawl=CrawlOptions(refresh=refresh),
    )
    src = sources.parse(source)
    if isinstance(src, sources.WebPage):
        _skip_trio_probe()
    if isinstance(src, sources.WebPage) and not check and use_published:
        if _published(src.url, opts, output, quiet):
            return

    bundle = ingest(src, opts, kind="site")
    meta = bundle.metadata
    if check:
        stale, diff = diff_site(bundle, output, base_url, max_tokens=max_tokens, twins=md_twins)
        if stale:
            sys.stderr.write(diff)
            shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
            raise StaleOutput(f"{len(stale)} file(s) in {output} are out of date: {shown}",
                              hint="run the same command without --check to update them")
        if not quiet:
            typer.echo(f"{output}: up to date ({len(bundle.documents)} pages)", err=True)
        return
    if output is None:
        from llmingest.render import render

        write_output(render(bundle, "llms.txt", base_url=base_url, max_tokens=max_tokens), None)
    else:
        paths = write_site(bundle, output, base_url, max_tokens=max_tokens, twins=md_twins, cache=opts.cache)
        if not quiet:
            typer.echo(f"wrote {output}: llms.txt, llms-full.txt and {len(paths) - 2} .md mirrors "
                       f"({len(bundle.documents)} pages, {bundle.total_tokens:,} tokens)", err=True)
    if not quiet:
        _note_published(meta)
        _report(bundle, meta)
    if meta.get("interrupted"):
        typer.echo("interrupted: kept the pages fetched so far; run the same command again to resume "
                   "(fetched pages are answered from the cache)", err=True)
        raise typer.Exit(130)


def _note_published(meta: dict) -> None:
    """The crawl probed for published llms.txt files already: say so, without a second probe."""
    found = {name: u for name, u in (("llms.txt", meta.get("llms_txt_published")),
                                     ("llms-full.txt", meta.get("llms_full_published"))) if u}
    if found:
        names = " and ".join(f"{name} ({u})" for name, u in found.items())
        typer.echo(f"note: the site already publishes {names}; pass --use-published to save those "
                   "instead of crawling", err=True)


def _report(bundle, meta: dict) -> None:
    if meta.get("requests"):
        extra = f", {meta['not_modified']} unchanged (304)" if meta.get("not_modified") else ""
        typer.echo(f"{meta['requests']} requests{extra}", err=True)
    if meta.get("fresh"):
        typer.echo(f"{meta['fresh']} pages reused without asking: still fresh by the server's Cache-Control "
                   "(--refresh asks anyway)", err=True)
    if bundle.skipped:
        typer.echo(f"skipped {len(bundle.skipped)}:", err=True)
        for s in bundle.skipped[:30]:
            typer.echo(f"  {s.path}: {s.reason}", err=True)
        if len(bundle.skipped) > 30:
            typer.echo(f"  ... and {len(bundle.skipped) - 30} more", err=True)


def _published(url: str, opts: Options, output: Path | None, quiet: bool) -> bool:
    """--use-published: save the llms.txt files the site publishes and stop (False: it publishes none)."""
    from ..api import ingest

    # the published files as a source: probed and fetched in one go (their --include is the crawl's)
    bundle = ingest(url, opts.merged(include=[]), kind="llms.txt")
    found, texts = bundle.metadata["published"], {d.path: d.content for d in bundle.documents}
    if not found:
        if not quiet:
            typer.echo("note: the site publishes no llms.txt or llms-full.txt; crawling it instead", err=True)
        return False
    if output is None:
        write_output(texts.get("llms.txt", texts.get("llms-full.txt", "")), None)
        return True
    for name, u in found.items():
        write_output(texts[name], Path(output) / name)
        if not quiet:
            typer.echo(f"wrote {Path(output) / name} (published at {u})", err=True)
    return True
