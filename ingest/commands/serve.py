"""``llmingest serve``: the URL-swap web service (and the MCP server at /mcp) in one process."""

from __future__ import annotations

from pathlib import Path

import typer

HELP = """Serve digests over HTTP: swap github.com for this host and get the repository as text.

Routes: /owner/repo, /owner/repo/tree/REF/PATH, /gitlab.com/..., /host/path.git, /https://site/page, /https://host/file.pdf, /llms.txt?url=URL, / (landing page), /mcp (MCP for agents). Query: ?format=markdown|xml|plain|json, include=, exclude=, max_tokens=, download=1.

Examples:

  # http://127.0.0.1:8000/
  llmingest serve

  curl http://127.0.0.1:8000/octocat/Hello-World    # a GitHub repo's digest

  curl 'http://127.0.0.1:8000/https://example.com/page'

  # clone from a mirror
  llmingest serve --host-map github.com=http://127.0.0.1:9418/

Server mode: private, loopback and link-local addresses (and local paths) are refused unless --allow-private. Tokens for private repos come from the server's environment (GITHUB_TOKEN, GITLAB_TOKEN) or the request's Authorization header, never from the URL.
"""


def register(app: typer.Typer) -> None:
    app.command("serve", help=HELP)(serve)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    host_map: list[str] = typer.Option([], "--host-map", help="Send a forge's clones to a mirror: github.com=http://127.0.0.1:9418/ (repeatable or comma-separated; also LLMINGEST_HOST_MAP)."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Also fetch loopback/private addresses and local paths (trusted networks only)."),
    cache_dir: Path = typer.Option(None, "--cache-dir", help="Where cached results and clones live (default ~/.cache/llmingest)."),
    cache_ttl: float = typer.Option(3600, "--cache-ttl", help="Seconds a cached result is served before fetching again."),
    cache_size: str = typer.Option("512MB", "--cache-size", help="Total size of cached results on disk."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Fetch every request again."),
    rate_limit: float = typer.Option(60, "--rate-limit", help="Requests per minute per client address (0: no limit)."),
    timeout: float = typer.Option(120, "--timeout", help="Seconds before a request answers 504."),
    max_files: int = typer.Option(5000, "--max-files", help="Files in one digest before 413."),
    max_repo_size: str = typer.Option("100MB", "--max-repo-size", help="Text in one digest before 413."),
    max_page_size: str = typer.Option("20MB", "--max-page-size", help="Bytes of one page or PDF before 413."),
    no_mcp: bool = typer.Option(False, "--no-mcp", help="Do not serve MCP at /mcp."),
    allowed_host: list[str] = typer.Option([], "--allowed-host", help="Host name /mcp accepts besides localhost when behind a reverse proxy (repeatable)."),
    trust_proxy: str = typer.Option(None, "--trust-proxy", help="Reverse-proxy address(es) whose X-Forwarded-For names the client (rate limits per real client), e.g. 127.0.0.1."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (they share the cache; rate limits are per worker)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    from ..errors import UsageError
    from ..mcp_server.web import create_app
    from ._server import build_service, check_listen, run_uvicorn

    if workers < 1:
        raise UsageError("--workers must be at least 1")
    check_listen(host, port)
    settings = dict(server_mode=True, allow_private=allow_private, host_map=",".join(host_map) or None, cache_dir=cache_dir,
                    no_cache=no_cache, cache_ttl=cache_ttl, cache_size=cache_size, rate_limit=rate_limit,
                    timeout=timeout, max_files=max_files, max_repo_size=max_repo_size, max_page_size=max_page_size)
    svc = build_service(**settings)  # also validates every setting before uvicorn starts
    typer.echo(f"llmingest serving on http://{host}:{port}/" + ("" if no_mcp else " (MCP at /mcp)"), err=True)
    hosts = list(allowed_host) or None
    run_uvicorn(create_app(svc, mount_mcp=not no_mcp, allowed_hosts=hosts), host, port, log_level, workers=workers,
                settings={**settings, "mount_mcp": not no_mcp, "allowed_hosts": hosts}, trust_proxy=trust_proxy)
