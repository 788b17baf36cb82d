"""What the two server commands (``mcp --http`` and ``serve``) share: building the Service, running uvicorn."""

from __future__ import annotations

import json
import os
from typing import Any

from ..mcp_server.service import build_service

__all__ = ["build_service", "run_uvicorn"]


def run_uvicorn(app, host: str, port: int, log_level: str = "info", *, workers: int = 1,
                settings: dict[str, Any] | None = None, trust_proxy: str | None = None) -> None:
    """Serve ``app`` with uvicorn; access-log lines go through the credential scrubber first.

    With ``workers > 1`` uvicorn needs an import string, so each worker process rebuilds the same
    app from ``settings`` (passed in ``LLMINGEST_SERVE_CONFIG``); they share the cache directory,
    whose file locks keep one ingest per source across workers. ``trust_proxy`` (addresses of a
    reverse proxy) makes uvicorn take the client address from its X-Forwarded-For, so the rate
    limit applies per real client instead of to the proxy as a whole.
    """
    import uvicorn

    from ..mcp_server.web import install_log_redaction

    install_log_redaction()
    proxy = {"proxy_headers": bool(trust_proxy), "forwarded_allow_ips": trust_proxy or None}
    if workers > 1:
        os.environ["LLMINGEST_SERVE_CONFIG"] = json.dumps(settings or {}, default=str)
        uvicorn.run("llmingest.mcp_server.web:app_from_env", factory=True, host=host, port=port,
                    log_level=log_level, workers=workers, **proxy)
        return
    uvicorn.run(app, host=host, port=port, log_level=log_level, **proxy)
