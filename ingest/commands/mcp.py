"""``llmingest mcp``: the MCP server for coding agents (stdio by default, streamable HTTP with --http)."""

from __future__ import annotations

from pathlib import Path

import typer

HELP = """Run the MCP server: repositories, pages, PDFs and docs sites as tools for agents.

Tools: ingest_repository, repository_tree, read_repository_file, fetch_page, convert_pdf, docs_index, read_docs, search_docs, curl_actions. Long results are paged (max_tokens + cursor).

Examples:

  claude mcp add llmingest -- llmingest mcp          # Claude Code (stdio)

  # streamable HTTP at http://127.0.0.1:8000/mcp
  llmingest mcp --http --port 8000

In stdio mode the agent's local paths are readable. With --http the server is in server mode: local paths and private/loopback addresses are refused unless --allow-private.
"""


def register(app: typer.Typer) -> None:
    app.command("mcp", help=HELP)(mcp)


def mcp(
    http: bool = typer.Option(False, "--http", help="Serve streamable HTTP instead of stdio."),
    host: str = typer.Option("127.0.0.1", "--host", help="With --http: address to listen on."),
    port: int = typer.Option(8000, "--port", help="With --http: port to listen on."),
    host_map: list[str] = typer.Option([], "--host-map", help="Send a forge's clones to a mirror: github.com=http://127.0.0.1:9418/ (repeatable or comma-separated; also LLMINGEST_HOST_MAP)."),
    allow_private: bool = typer.Option(False, "--allow-private", help="With --http: also read local paths and private addresses."),
    cache_dir: Path = typer.Option(None, "--cache-dir", help="Where cached results and clones live."),
    cache_ttl: float = typer.Option(3600, "--cache-ttl", help="Seconds a cached result is served before fetching again."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Fetch every call again."),
    timeout: float = typer.Option(120, "--timeout", help="Seconds one tool call may take."),
    rate_limit: float = typer.Option(60, "--rate-limit", help="With --http: tool calls per minute per client address (0: no limit)."),
    allowed_host: list[str] = typer.Option([], "--allowed-host", help="With --http: host name accepted besides localhost when behind a reverse proxy (repeatable)."),
) -> None:
    from ..mcp_server.server import create_server
    from ._server import build_service, check_listen, run_uvicorn

    svc = build_service(server_mode=http, allow_private=allow_private, host_map=",".join(host_map) or None, cache_dir=cache_dir,
                        no_cache=no_cache, cache_ttl=cache_ttl, rate_limit=rate_limit if http else 0,
                        timeout=timeout)
    server = create_server(svc)
    if not http:
        server.run(transport="stdio", show_banner=False)
        return
    check_listen(host, port)
    typer.echo(f"llmingest MCP on http://{host}:{port}/mcp", err=True)
    from ..mcp_server.web import rate_limited_mcp

    app = rate_limited_mcp(server.http_app(path="/mcp", stateless_http=True, host_origin_protection="auto",
                                           allowed_hosts=list(allowed_host) or None), svc)
    run_uvicorn(app, host, port)
