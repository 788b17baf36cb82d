"""``llmingest docs``: one library version's docs by name, from its registry metadata."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..options import Options, check_format, parse_host_map
from ._common import write_output

HELP = """A library's docs for the version you use: resolve NAME on PyPI or npm (or a GitHub owner/repo)
to its docs site and repository, then print that version's llms.txt, or with a TOPIC the sections
about it (BM25) within --max-tokens. Tried in order: the publisher's llms-full.txt / llms.txt for
that version, a crawl of the versioned docs site, the repository's docs folder and README at the
version's tag. The version served is always stated; a version that does not exist is an error
listing the versions that do.

Examples:

  # the sections about a topic, for one version
  llmingest docs requests==2.31.0 "session retries"

  # an npm package of a series, within 4000 tokens
  llmingest docs npm:react@18 hooks --max-tokens 4000

  # a GitHub repository: its tags are its versions
  llmingest docs pallets/flask@3.0.0

  # a private mirror of the index
  llmingest docs mypkg --index-url https://pypi.internal.example/
"""


def register(app: typer.Typer) -> None:
    app.command("docs", help=HELP, no_args_is_help=True)(docs)


def docs(
    name: str = typer.Argument(..., help="NAME, NAME==VERSION, NAME@VERSION, pypi:NAME, npm:NAME or owner/repo."),
    topic: str = typer.Argument(None, help="What you want to know; without it the docs' llms.txt is printed."),
    ecosystem: str = typer.Option(None, "--ecosystem", "-e", help="pypi | npm | github (default: PyPI, then npm)."),
    version: str = typer.Option(None, "--version", "-V", help="The version (same as NAME==VERSION)."),
    index_url: str = typer.Option(None, "--index-url", help="Package index base URL (default: $LLMINGEST_PYPI_URL / "
                                                            "$LLMINGEST_NPM_URL, else the public one)."),
    max_tokens: int = typer.Option(None, "--max-tokens", help="Token budget of the answer (default 8000)."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout (atomic)."),
    fmt: str = typer.Option("markdown", "-f", "--format", help="markdown | json (the resolution and the answer)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask the index and fetch the docs again."),
    host_map: list[str] = typer.Option(None, "--host-map", help="Forge host -> git mirror (host=URL)."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No messages on stderr."),
) -> None:
    from llmingest.fetch.cache import ResultCache
    from llmingest.sources.libdocs_content import Served, library_docs, render_docs

    fmt = check_format(fmt, ("markdown", "json"))
    opts = Options(timeout=timeout, cache=not no_cache, host_map=parse_host_map(host_map))
    cache = ResultCache(enabled=not no_cache)
    bundle = library_docs(name, opts, ecosystem=ecosystem, version=version, index=index_url, cache=cache,
                          topic=bool(topic))
    text = render_docs(bundle, topic, max_tokens)
    served = Served.of(bundle)
    if fmt == "json":
        text = json.dumps({"resolution": served.resolution or None, "served_from": served.served_from,
                           "location": served.location, "note": served.note, "topic": topic,
                           "text": text}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_output(text, output)
    if not quiet:
        res = served.resolution
        typer.echo(f"{res.get('name')} {res.get('version')} ({res.get('ecosystem')}): "
                   f"{served.served_from} {served.location}", err=True)
