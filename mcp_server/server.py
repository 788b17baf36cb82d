"""The MCP server: llmingest as tools a coding agent calls (FastMCP).

Every tool is a thin edge: parse arguments, call the shared :class:`~llmingest.mcp_server.service.Service`
(guarded, cached, locked ``ingest()``), render, page. Long results never flood an agent's context:
each tool takes ``page_tokens`` and returns one page plus a line saying how many tokens were left out
and which ``cursor`` reads on. Errors become one-line MCP tool errors (``IngestError.render()``);
no traceback ever reaches the client.

>>> from fastmcp import Client
>>> from llmingest.mcp_server.server import create_server
>>> # async with Client(create_server()) as c: await c.call_tool("ingest_repository", {"source": "."})
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.exceptions import ValidationError as FastMCPValidationError
from fastmcp.server.middleware import Middleware
from fastmcp.tools.base import ToolResult
from mcp.types import TextContent, ToolAnnotations
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from .. import __version__
from ..errors import IngestError, redact, secret_scope
from . import api_tools, library_tools
from .docs import docs_index_text, login, read_docs_text, site_bundle
from .service import Service, edge_message

__all__ = ["create_server", "INSTRUCTIONS"]

INSTRUCTIONS = """llmingest turns repositories, web pages, PDFs and docs sites into text for you.
- Repositories (local path, git URL, owner/repo, GitHub/GitLab/Codeberg URL incl. /tree/<ref>/<dir>):
  look first with repository_tree, search_repository or repository_outline, then read_repository_file
  (a line range) for single files, or ingest_repository (include/exclude globs, compress) for a digest.
- Web pages: fetch_page. PDFs: convert_pdf (pages="1-5,9").
- Docs sites: docs_index for the llms.txt map, then read_docs(section=<page URL, path or section name>)
  or search_docs(query) to read only what you need.
- A library's docs for one version: resolve_library(name), then library_docs(name, version, topic).
- Docs that say "go to Settings and click Create": curl_actions(source, openapi) gives the API calls.
Long results come in pages: pass the returned cursor to read on."""

DEFAULT_PAGE_TOKENS = 20_000

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=True)

PAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "source": {"type": "string", "description": "what was read, credentials removed"},
        "tokens": {"type": "integer", "description": "tokens in this page"},
        "total_tokens": {"type": "integer", "description": "tokens in the whole result"},
        "tokens_left_out": {"type": "integer", "description": "tokens after this page"},
        "next_cursor": {"type": ["string", "null"], "description": "pass as cursor to read on; null at the end"},
    },
    "required": ["source", "tokens", "total_tokens", "tokens_left_out", "next_cursor"],
}

SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": ["string", "null"]},
                    "url": {"type": ["string", "null"]},
                    "path": {"type": "string"},
                    "score": {"type": "number"},
                    "snippet": {"type": "string"},
                },
                "required": ["title", "url", "path", "score", "snippet"],
            },
        },
    },
    "required": ["query", "results"],
}

Source = Annotated[str, Field(description="Local path, git URL, owner/repo, or a GitHub/GitLab/Codeberg URL "
                                          "(…/tree/<ref>/<dir>, …/blob/<ref>/<file>).")]
PageTokens = Annotated[int, Field(ge=200, le=1_000_000, description="Tokens per answer; longer results "
                                                                     "are paged (see next_cursor).")]
Cursor = Annotated[str | None, Field(description="The next_cursor of a previous call, to read the next page.")]
Globs = Annotated[list[str] | None, Field(description="gitignore-style globs, e.g. ['src/**/*.py', '*.md'].")]
Headers = Annotated[dict[str, str] | None, Field(description="For a docs site behind a login: request headers "
                                                             "sent to the site's own host only, never printed.")]
Cookies = Annotated[list[str] | None, Field(description="For a docs site behind a login: 'name=value' cookies "
                                                        "sent to the site's own host only, never printed.")]

F = TypeVar("F", bound=Callable[..., Any])


def _edge(fn: F) -> F:
    """Turn IngestErrors (and bugs) into one-line tool errors; never let a traceback out."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with secret_scope():  # a caller's token is scrubbed from this call's messages, then forgotten
            try:
                return fn(*args, **kwargs)
            except ToolError:
                raise
            except IngestError as exc:
                raise ToolError(edge_message(exc.render(), "mcp")) from None
            except Exception as exc:  # the edge: an unexpected bug still gets one line
                raise ToolError(f"internal error: {redact(str(exc)) or type(exc).__name__}") from None

    return wrapper  # type: ignore[return-value]


class _OneLineArgumentErrors(Middleware):
    """Bad arguments fail in FastMCP's validation, before :func:`_edge`: pydantic's several-line
    report (with a docs URL) becomes one line, ``bad arguments: page_tokens: Input should be ...``."""

    async def on_call_tool(self, context: Any, call_next: Any) -> Any:
        try:
            return await call_next(context)
        except FastMCPValidationError as exc:
            cause = exc.__cause__ or exc.__context__
            errors = cause.errors() if isinstance(cause, PydanticValidationError) else []
            parts = [f"{'.'.join(str(p) for p in e.get('loc', ())) or 'arguments'}: {e.get('msg', '')}" for e in errors]
            text = "; ".join(parts) or " ".join(str(exc).split())
            raise ToolError(f"bad arguments: {text}") from None


def _request_token() -> str | None:
    """Over HTTP, the caller's ``Authorization: Bearer <token>`` is its token for private sources.

    It is never read from arguments (an agent would echo it into its transcript) and, like every
    token, never printed; stdio calls have no header and use the environment as the CLI does.
    """
    from fastmcp.server.dependencies import get_http_headers

    value = get_http_headers(include={"authorization"}).get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "token") and token.strip() else None


def _paged(service: Service, text: str, source: str, max_tokens: int, cursor: str | None,
           total: int | None = None) -> ToolResult:
    page = service.page(text, max_tokens, cursor, total)
    return ToolResult(content=[TextContent(type="text", text=page.with_trailer())],
                      structured_content={"source": source, **page.meta()})


def create_server(service: Service | None = None) -> FastMCP:
    """A FastMCP server whose tools read through ``service`` (stdio, HTTP, or mounted in the web app)."""
    svc = service or Service()
    mcp = FastMCP("llmingest", instructions=INSTRUCTIONS, version=__version__, mask_error_details=True)
    mcp.add_middleware(_OneLineArgumentErrors())
    timeout = svc.limits.request_timeout or None
    from llmingest.fetch.http import (
        with_deadline,  # a tool's fetches end by its timeout instead of running on
    )

    def tool(**kw: Any) -> Callable[[F], F]:
        def register(fn: F) -> F:
            mcp.tool(_edge(with_deadline(fn, timeout)), annotations=READ_ONLY, timeout=timeout, **kw)
            return fn

        return register

    @tool(output_schema=PAGE_SCHEMA)
    def ingest_repository(
        source: Source,
        include: Globs = None,
        exclude: Globs = None,
        max_tokens: Annotated[int | None, Field(ge=200, le=10_000_000, description=(
            "Fit the whole digest into this many tokens: README and docs first, then source, tests last; "
            "what does not fit is listed, not lost silently. Default: everything (paged)."))] = None,
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
        ref: Annotated[str | None, Field(description="Branch, tag or commit (default: the URL's, else HEAD).")] = None,
        format: Annotated[Literal["markdown", "xml", "plain", "json"], Field(description="Output format.")] = "markdown",
        compress: Annotated[bool, Field(description="Source files as imports, signatures, docstrings and types, "
                                                    "function bodies left out (about a third of the tokens).")] = False,
    ) -> ToolResult:
        """Digest of a repository: summary, directory tree and file contents with exact token counts.

        Narrow it with include/exclude globs or a /tree/<ref>/<dir> URL; ``max_tokens`` fits the digest
        to a budget (as the CLI's --max-tokens); long digests are paged by ``page_tokens``.
        """
        bundle, key = svc.bundle(source, "repo", fmt=format, include=list(include or []),
                                 exclude=list(exclude or []), ref=ref, max_tokens=max_tokens,
                                 token=_request_token(), compress=compress)
        text, total = svc.rendered(bundle, key, format)
        return _paged(svc, text, bundle.source, page_tokens, cursor, total)

    @tool(output_schema=PAGE_SCHEMA)
    def repository_tree(
        source: Source,
        ref: Annotated[str | None, Field(description="Branch, tag or commit.")] = None,
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
    ) -> ToolResult:
        """The directory tree of a repository with tokens per file and folder, and what was skipped.

        Call this before reading everything; then read_repository_file or ingest_repository with include.
        """
        from llmingest.render.digest import summary_lines, tree_lines

        bundle, _key = svc.bundle(source, "repo", ref=ref, token=_request_token())
        tokens = {d.path: d.tokens for d in bundle.documents}
        name = str(bundle.metadata.get("name") or bundle.title or "repo")
        lines = summary_lines(bundle, top=0) + ["", *tree_lines(sorted(tokens), name, tokens)]
        if bundle.skipped:
            lines += ["", "Skipped:"] + [f"- {s.path}: {s.reason}" for s in sorted(bundle.skipped, key=lambda s: s.path)]
        return _paged(svc, "\n".join(lines) + "\n", bundle.source, page_tokens, cursor)

    @tool(output_schema=PAGE_SCHEMA)
    def read_repository_file(
        source: Source,
        path: Annotated[str, Field(description="Repo-relative path of one file, as repository_tree lists it.")],
        ref: Annotated[str | None, Field(description="Branch, tag or commit.")] = None,
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
        start_line: Annotated[int | None, Field(ge=1, description="First line to read (1-based).")] = None,
        end_line: Annotated[int | None, Field(ge=1, description="Last line to read (inclusive).")] = None,
    ) -> ToolResult:
        """The text of one file of a repository (secrets redacted), or lines start_line..end_line of it."""
        from .code_tools import line_range, repo_bundle

        bundle, _key = repo_bundle(svc, source, ref)  # a local work tree is read again only when it changed
        doc = svc.find_document(bundle, path)
        if start_line is None and end_line is None:
            return _paged(svc, doc.content, f"{bundle.source}:{doc.path}", page_tokens, cursor, doc.tokens or None)
        text, where = line_range(doc, start_line, end_line)
        return _paged(svc, text, f"{bundle.source}:{doc.path}{where}", page_tokens, cursor)

    @tool(output_schema=PAGE_SCHEMA)
    def fetch_page(
        url: Annotated[str, Field(description="http(s) URL of one web page (or a local .html file).")],
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
    ) -> ToolResult:
        """One web page as clean markdown: main content only, code fenced with languages, links absolute."""
        from llmingest.sources.parse import GitRepo

        from ..errors import UsageError

        if isinstance(svc.parse(url), GitRepo):
            raise UsageError(f"{url} is a git repository, not a page",
                             hint="call ingest_repository (or repository_tree / read_repository_file) with it")
        bundle, key = svc.bundle(url, "page", token=_request_token())
        text, total = svc.rendered(bundle, key)
        return _paged(svc, text, bundle.source, page_tokens, cursor, total)

    @tool(output_schema=PAGE_SCHEMA)
    def convert_pdf(
        source: Annotated[str, Field(description="URL or local path of a PDF.")],
        pages: Annotated[str | None, Field(description="Page ranges, e.g. '1-5,9' (default: all).")] = None,
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
    ) -> ToolResult:
        """A PDF as markdown: headings, lists, tables and page markers."""
        bundle, key = svc.bundle(source, "pdf", pages=pages, token=_request_token())
        text, total = svc.rendered(bundle, key)
        return _paged(svc, text, bundle.source, page_tokens, cursor, total)

    @tool(output_schema=PAGE_SCHEMA)
    def docs_index(
        url: Annotated[str, Field(description="Start URL of a documentation site.")],
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
        headers: Headers = None,
        cookies: Cookies = None,
    ) -> ToolResult:
        """The llms.txt of a docs site: its own if it publishes one, else built by crawling the site.

        Lists every page with title, URL and a one-line description, grouped in sections.
        """
        text = docs_index_text(svc, url, **login(headers, cookies))
        return _paged(svc, text, url, page_tokens, cursor)

    @tool(output_schema=PAGE_SCHEMA)
    def read_docs(
        url: Annotated[str, Field(description="Start URL of the documentation site (as given to docs_index).")],
        section: Annotated[str, Field(description="A page URL or path from docs_index, a page title, or a "
                                                  "section name (all its pages).")],
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
        headers: Headers = None,
        cookies: Cookies = None,
    ) -> ToolResult:
        """Read one page or one section of a docs site as markdown, paged when long."""
        text = read_docs_text(svc, url, section, **login(headers, cookies))
        return _paged(svc, text, url, page_tokens, cursor)

    @tool(output_schema=SEARCH_SCHEMA)
    def search_docs(
        url: Annotated[str, Field(description="Start URL of the documentation site.")],
        query: Annotated[str, Field(description="Words to look for, e.g. 'configure proxy timeout'.")],
        k: Annotated[int, Field(ge=1, le=50, description="How many pages to return.")] = 5,
        headers: Headers = None,
        cookies: Cookies = None,
    ) -> ToolResult:
        """Search a docs site's pages (BM25 ranking); returns the best pages with a snippet each.

        Then read a hit in full with read_docs(url, section=<its url>).
        """
        bundle, key = site_bundle(svc, url, **login(headers, cookies))
        hits = svc.search(bundle, key, query, k)
        results = [{"title": d.title, "url": d.url, "path": d.path, "score": round(score, 4),
                    "snippet": _snippet(d.content, query)} for d, score in hits]
        if results:
            lines = [f"{i}. [{r['title'] or r['path']}]({r['url'] or r['path']}) (score {r['score']})\n   {r['snippet']}"
                     for i, r in enumerate(results, 1)]
            text = "\n".join(lines) + "\n"
        else:
            text = f"No page of {bundle.source} matches {query!r}.\n"
        return ToolResult(content=[TextContent(type="text", text=text)],
                          structured_content={"query": query, "results": results})

    if importlib.util.find_spec("llmingest.sources.actions") is not None:
        _register_actions(tool, svc)
        api_tools.register(tool, svc)
    library_tools.register(tool, svc)
    from . import code_tools

    code_tools.register(tool, svc)
    return mcp


def _register_actions(tool: Callable[..., Callable[[F], F]], svc: Service) -> None:
    """curl_actions: the click-to-curl rewrite, when this install has it (llmingest.sources.actions)."""
    from llmingest.fetch.cache import make_key

    from ..model import Bundle, Document
    from ..tokens import count

    @tool(output_schema=PAGE_SCHEMA)
    def curl_actions(
        source: Annotated[str, Field(description="A docs page URL (or a local .md/.html file or folder) with "
                                                 "click-through UI instructions.")],
        openapi: Annotated[str | None, Field(description="URL or path of the product's OpenAPI spec "
                                                         "(JSON or YAML).")] = None,
        base_url: Annotated[str | None, Field(description="API base URL for the curl commands (default: the "
                                                          "spec's first server).")] = None,
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
    ) -> ToolResult:
        """Rewrite "go to Settings and click Create" instructions into runnable curl commands.

        Each UI task is matched to an API operation of the spec; tasks with no API equivalent are marked.
        """
        from llmingest.sources.actions import actions_for

        svc.guard_location(source)
        if openapi:
            svc.guard_location(openapi)

        def produce() -> Bundle:
            out = actions_for(source, openapi, svc.options_for(), base_url=base_url)
            results = out if isinstance(out, list) else [out]
            docs = [Document(path=r.source or source, content=r.markdown, kind="actions",
                             tokens=count(r.markdown, svc.options.encoding),
                             metadata={"matched": r.matched, "manual": r.manual}) for r in results]
            return Bundle(source=source, kind="actions", documents=docs, encoding=svc.options.encoding)

        key = make_key("actions", 1, source, openapi, base_url, svc.options.allow_private)
        bundle = svc.cached(key, produce)
        if len(bundle.documents) == 1:
            text = bundle.documents[0].content
        else:
            text = "\n".join(f"# {d.path}\n\n{d.content.rstrip()}\n" for d in bundle.documents)
        return _paged(svc, text, source, page_tokens, cursor)


def _snippet(text: str, query: str, width: int = 240) -> str:
    """The line that mentions most query words, trimmed: enough to judge a hit without reading it.

    Prose beats a heading on a tie: the heading usually repeats the title the result already shows.
    """
    words = sorted({w.lower() for w in query.split() if len(w) > 2}) or [query.lower()]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("---")]
    best, best_score = "", (0, False)
    for line in lines:
        low = line.lower()
        score = (sum(w in low for w in words), not line.startswith("#"))
        if score[0] and score > best_score:
            best, best_score = line, score
    if best:
        return best if len(best) <= width else best[: width - 1] + "…"
    first = lines[0] if lines else ""
    return first if len(first) <= width else first[: width - 1] + "…"
