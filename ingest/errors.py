"""Typed errors, rendered once at the edge (CLI, MCP, HTTP).

Every failure of a whole source raises an :class:`IngestError` subclass. Each class carries the
CLI exit code and the HTTP status the edges use, so the mapping lives in one place and is
documented in the README ("Exit codes"). Messages are one line, readable, and never contain a
token: :func:`redact` scrubs credentials out of anything that may echo a URL or a command line.
"""

from __future__ import annotations

import re

__all__ = [
    "IngestError",
    "UsageError",
    "SourceNotFound",
    "AuthRequired",
    "NetworkError",
    "ConversionError",
    "LimitExceeded",
    "BlockedAddress",
    "StaleOutput",
    "redact",
    "EXIT_CODES",
]


class IngestError(Exception):
    """Base class: something about the source as a whole failed."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(redact(message))
        self.hint = redact(hint) if hint else None

    def render(self) -> str:
        """One line for a human: the message and, when we know one, what to do about it."""
        text = str(self)
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(IngestError):
    """The arguments make no sense (unknown format, bad range, unparseable source)."""

    exit_code = 2
    http_status = 422


class SourceNotFound(IngestError):
    """The path, repository, ref, page or file does not exist (or a 404)."""

    exit_code = 3
    http_status = 404


class AuthRequired(IngestError):
    """The source exists but needs credentials we do not have (private repo, 401/403, password)."""

    exit_code = 4
    http_status = 401


class NetworkError(IngestError):
    """The network failed: DNS, refused connection, timeout, 5xx after retries."""

    exit_code = 5
    http_status = 502


class ConversionError(IngestError):
    """The bytes were fetched but cannot be converted (corrupt PDF, not a PDF, bad spec)."""

    exit_code = 6
    http_status = 422


class LimitExceeded(IngestError):
    """A configured limit was hit (max repo size, max files, page too large)."""

    exit_code = 7
    http_status = 413


class BlockedAddress(IngestError):
    """A URL resolves to a private/loopback/link-local address while such addresses are refused."""

    exit_code = 8
    http_status = 403


class StaleOutput(IngestError):
    """`--check` found committed outputs that differ from what would be generated now."""

    exit_code = 1
    http_status = 409


EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "other error, or --check found stale output",
    2: "bad usage (unknown option, unparseable source, bad value)",
    3: "source not found (missing path, 404, unknown repository or ref)",
    4: "authentication required (private repository, 401/403, encrypted PDF)",
    5: "network failure (DNS, connection, timeout, server error)",
    6: "conversion failed (corrupt or unsupported input)",
    7: "a size or count limit was exceeded",
    8: "address refused (private or loopback address in server mode)",
}

_SECRET_PATTERNS = [
    # credentials embedded in URLs: https://user:token@host/ or https://token@host/
    (re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s:]+(?::[^/@\s]*)?@"), r"\g<scheme>***@"),
    # Authorization headers and extraheader configs
    (re.compile(r"(?i)(authorization:\s*(?:bearer|basic|token)\s+)\S+"), r"\1***"),
    # well-known token shapes
    (re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})\b"), "***"),
]


def redact(text: str) -> str:
    """Remove credentials from a message before anyone can see it.

    Git and HTTP errors like to echo the URL they were given; ours may carry a token.
    """
    for pattern, repl in _SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    for secret in _registered_secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


_registered_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a token the user gave us so that no message can ever echo it."""
    if value:
        _registered_secrets.add(value)
