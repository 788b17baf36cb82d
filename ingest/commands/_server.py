"""Options the two server commands (``mcp --http`` and ``serve``) share: limits, cache, SSRF mode."""

from __future__ import annotations

from pathlib import Path

from ..cache import DEFAULT_MAX_BYTES, DEFAULT_TTL, ResultCache
from ..options import Options, parse_host_map, parse_size


def build_service(*, server_mode: bool, allow_private: bool, host_map: str | None, cache_dir: Path | None,
                  no_cache: bool, cache_ttl: float = DEFAULT_TTL, cache_size: str | int = DEFAULT_MAX_BYTES,
                  rate_limit: float | None = None, timeout: float | None = None, max_files: int | None = None,
                  max_repo_size: str | None = None, max_page_size: str | None = None):
    """A Service for a server: ``allow_private`` is False in server mode unless the operator says so."""
    from ..mcp_server.limits import Limits
    from ..mcp_server.service import Service

    options = Options(
        allow_private=allow_private or not server_mode, host_map=parse_host_map(host_map),
        cache=not no_cache, cache_dir=cache_dir,
    )
    limits = Limits()
    if rate_limit is not None:
        limits.rate_per_minute = rate_limit
    if timeout is not None:
        limits.request_timeout = timeout
    if max_files is not None:
        limits.max_files = max_files
    if max_repo_size is not None:
        limits.max_total_bytes = parse_size(max_repo_size)
    if max_page_size is not None:
        limits.max_page_bytes = parse_size(max_page_size)
    cache = ResultCache(cache_dir / "results" if cache_dir else None, ttl=cache_ttl,
                        max_bytes=parse_size(cache_size), enabled=not no_cache)
    return Service(options=options, limits=limits, cache=cache)


def run_uvicorn(app, host: str, port: int, log_level: str = "info") -> None:
    """Serve ``app`` with uvicorn; access-log lines go through the credential scrubber first."""
    import logging

    import uvicorn

    from ..mcp_server.web import RedactingFilter

    for name in ("uvicorn.access", "uvicorn.error", "llmingest.web"):
        logging.getLogger(name).addFilter(RedactingFilter())
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)
