"""What the two server commands (``mcp --http`` and ``serve``) share: building the Service, running uvicorn."""

from __future__ import annotations

import json
import os
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..mcp_server.service import build_service

__all__ = ["build_service", "check_listen", "run_uvicorn", "HeaderTimeoutH11", "KEEP_ALIVE_SECONDS"]

#: seconds an idle keep-alive connection stays open after a response (uvicorn's ``timeout_keep_alive``)
KEEP_ALIVE_SECONDS = 5


class HeaderTimeoutH11(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for reading a request.

    uvicorn has no request read timeout: a connection that sends nothing, or a few header bytes a
    minute (slowloris), is held open for ever, and every byte even cancels the keep-alive timer.
    Here each connection gets ``header_timeout`` seconds from opening (and from the end of each
    response) until its request is read: headers, and the body when there is one (this service
    takes GETs and small MCP POSTs); past that it is closed. The app's own work is bounded by
    the service's request timeout, not here.
    """

    header_timeout: float = 10.0

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline = None
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._header_deadline_passed)

    def _cancel_header_deadline(self) -> None:
        timer = getattr(self, "_header_deadline", None)
        if timer is not None:
            timer.cancel()
            self._header_deadline = None

    def _waiting_for_headers(self) -> bool:
        import h11

        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._waiting_for_headers():
            self._cancel_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self._waiting_for_headers():
            self._arm_header_deadline()

    def connection_lost(self, exc) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _header_deadline_passed(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing() and self._waiting_for_headers():
            self.transport.close()


def check_listen(host: str, port: int) -> None:
    """Fail before uvicorn starts, in one line: a bad port, an unknown address or a port in use.

    uvicorn reports these with a traceback (bad port) or after the "serving on" line, exiting 3
    or 1; a user should get one line and the exit code for bad usage (2) or a network failure (5).
    """
    import errno
    import socket

    from ..errors import NetworkError, UsageError

    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port number (0-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: cannot use this address ({exc.strerror or exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise NetworkError(f"port {port} on {host} is already in use",
                                   hint="stop the other server or pick another --port") from None
            if exc.errno == errno.EACCES:
                raise NetworkError(f"not allowed to listen on {host}:{port}",
                                   hint="ports below 1024 need root; pick another --port") from None
            raise NetworkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run_uvicorn(app, host: str, port: int, log_level: str = "info", *, workers: int = 1,
                settings: dict[str, Any] | None = None, trust_proxy: str | None = None) -> None:
    """Serve ``app`` with uvicorn; access-log lines go through the credential scrubber first.

    With ``workers > 1`` uvicorn needs an import string, so each worker process rebuilds the same
    app from ``settings`` (passed in ``LLMINGEST_SERVE_CONFIG``); they share the cache directory,
    whose file locks keep one ingest per source across workers. ``trust_proxy`` (addresses of a
    reverse proxy) makes uvicorn take the client address from its X-Forwarded-For, so the rate
    limit applies per real client instead of to the proxy as a whole. Half-open connections are
    closed: idle keep-alives after ``KEEP_ALIVE_SECONDS``, unfinished request headers after
    :attr:`HeaderTimeoutH11.header_timeout`.
    """
    import uvicorn

    from ..mcp_server.web import install_log_redaction

    install_log_redaction()
    extra = {"proxy_headers": bool(trust_proxy), "forwarded_allow_ips": trust_proxy or None,
             "http": HeaderTimeoutH11, "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    if workers > 1:
        os.environ["LLMINGEST_SERVE_CONFIG"] = json.dumps(settings or {}, default=str)
        uvicorn.run("llmingest.mcp_server.web:app_from_env", factory=True, host=host, port=port,
                    log_level=log_level, workers=workers, **extra)
        return
    uvicorn.run(app, host=host, port=port, log_level=log_level, **extra)
