"""Typed errors, rendered once at the edge (CLI, MCP, HTTP).

Every failure of a whole source raises an :class:`IngestError` subclass. Each class carries the
CLI exit code and the HTTP status the edges use, so the mapping lives in one place and is
documented in the README ("Exit codes"). Messages are one line, readable, and never contain a
token: :func:`redact` scrubs credentials out of anything that may echo a URL or a command line.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
    "clip",
    "register_secret",
    "secret_scope",
    "run_scope",
    "EXIT_CODES",
]


class IngestError(Exception):
    """Base class: something about the source as a whole failed."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(clip(redact(message)))
        self.hint = clip(redact(hint), 500) if hint else None

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
    8: "address or path refused (a private or loopback address in server mode, or a path or link that leads out of the tree)",
}

#: an error message longer than this is cut (after redaction): a 200 KB request path must not come
#: back in full, nor cost anything to render
MAX_MESSAGE_CHARS = 2000

# Every pattern here runs in linear time on any input: a request path of any length goes through
# them. Each starts at a literal or at the *first* character of a run (a lookbehind refuses starts
# inside a run), and a failed attempt gives up at the next '/', '@', '&' or space, so no position
# is scanned more than a constant number of times. (The old URL pattern started a scheme
# at every letter of a long run of letters: quadratic, 7 s for a 60 KB path.)
_SECRET_PATTERNS = [
    # credentials embedded in URLs: https://user:token@host/ or https://token@host/
    (re.compile(r"(?<![A-Za-z0-9+.-])(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s:][^/@\s]*@"),
     r"\g<scheme>***@"),
    # Authorization headers and extraheader configs
    (re.compile(r"(?i)(authorization:\s*(?:bearer|basic|token)\s+)\S+"), r"\1***"),
    # well-known token shapes
    (re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_])"),
     "***"),
    # secret-looking query parameters of signed or token URLs: ?token=..., &sig=...
    (re.compile(r"(?i)([?&](?:access_token|private_token|token|api_key|apikey|key|password|passwd|secret|"
                r"client_secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#\s\"']+"),
     r"\1***"),
]


def redact(text: str) -> str:
    """Remove credentials from a message before anyone can see it (linear time in ``len(text)``).

    Git and HTTP errors like to echo the URL they were given; ours may carry a token.

    >>> redact("fatal: https://u:ghp_0123456789abcdefghijABCD@h/x?sig=abc&a=1")
    'fatal: https://***@h/x?sig=***&a=1'
    """
    for pattern, repl in _SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    for secret in _secrets_now():
        if secret in text:
            text = text.replace(secret, "***")
    return text


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters with a note of how much was left out (messages only)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit:,} more characters]"


# ---- tokens the user gave us, scrubbed from every message ---------------------------------------
#
# Two stores, both bounded, so redact() costs the same on the millionth request as on the first:
# a request-scoped set (a ContextVar opened by the servers around each request with
# :func:`secret_scope`; a caller's Bearer token lives exactly as long as its request), and a small
# process-wide LRU for the process's own tokens (--token, GITHUB_TOKEN, a PDF --password).

#: at most this many process-wide secrets are remembered (least recently registered go first)
MAX_GLOBAL_SECRETS = 64
#: at most this many secrets per request scope
MAX_SCOPED_SECRETS = 64
_MIN_SECRET = 8  # shorter values are ordinary words ("--password wrong" masked "wrong password"); no token is that short

_global_secrets: OrderedDict[str, None] = OrderedDict()
_global_lock = threading.Lock()
_scoped: ContextVar[OrderedDict[str, None] | None] = ContextVar("llmingest_secrets", default=None)


def _remember(store: OrderedDict[str, None], value: str, limit: int) -> None:
    store[value] = None
    store.move_to_end(value)
    while len(store) > limit:
        store.popitem(last=False)


def register_secret(value: str | None) -> None:
    """Remember a token the user gave us so that no message can ever echo it.

    Inside a :func:`secret_scope` (a server request) it is remembered for that scope only.
    """
    if not value or len(value) < _MIN_SECRET:
        return
    scoped = _scoped.get()
    if scoped is not None:
        _remember(scoped, value, MAX_SCOPED_SECRETS)
        return
    with _global_lock:
        _remember(_global_secrets, value, MAX_GLOBAL_SECRETS)


def _secrets_now() -> list[str]:
    """The secrets to scrub now, longest first (a token inside a longer one is scrubbed with it)."""
    with _global_lock:
        found = list(_global_secrets)
    scoped = _scoped.get()
    if scoped:
        found += list(scoped)
    return sorted(set(found), key=len, reverse=True)


@contextmanager
def run_scope() -> Iterator[None]:
    """One CLI run: the process-wide secrets registered during it are forgotten when it ends.

    Process-wide during the run, not a ContextVar like :func:`secret_scope`: worker threads of the
    run (a thread pool does not inherit context variables) must scrub the run's tokens too. After
    it, an embedding program or the next in-process run starts from the set as it was.
    """
    with _global_lock:
        saved = OrderedDict(_global_secrets)
    try:
        yield
    finally:
        with _global_lock:
            _global_secrets.clear()
            _global_secrets.update(saved)


@contextmanager
def secret_scope() -> Iterator[None]:
    """Secrets registered inside this block are forgotten when it ends (one server request)."""
    reset = _scoped.set(OrderedDict())
    try:
        yield
    finally:
        _scoped.reset(reset)
