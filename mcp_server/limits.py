"""What keeps a public server up: per-client rate limits, per-key locks and size limits.

A server in front of ``git clone`` and a crawler must not let one client exhaust it, must not clone
the same repository ten times because ten requests arrived at once, and must answer oversized or
slow requests with a clear HTTP error (413, 429, 504) instead of falling over. These are the small,
thread-safe pieces the web routes and the MCP tools share.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX; elsewhere the lock is per process only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from ..errors import LimitExceeded
from ..model import Bundle


@dataclass
class Limits:
    """Server-side limits; 0 or None switches one off."""

    max_files: int = 5_000  # documents in one digest
    max_total_bytes: int = 100_000_000  # bytes of converted text in one digest ("max repo size")
    max_page_bytes: int = 20_000_000  # one fetched page or PDF
    request_timeout: float = 120.0  # seconds for one request before 504
    rate_per_minute: float = 60.0  # requests per client address per minute (0: no limit)
    burst: int = 20  # requests a client may make at once before the rate applies
    max_workers: int = 4  # ingests running at the same time (threads)

    def check_bundle(self, bundle: Bundle) -> None:
        """Refuse a digest that is over the file-count or size limit (HTTP 413)."""
        if self.max_files and len(bundle.documents) > self.max_files:
            raise LimitExceeded(
                f"{bundle.source} has {len(bundle.documents):,} files, over this server's limit of {self.max_files:,}",
                hint="narrow it with include=/exclude= or a /tree/<ref>/<subfolder> URL",
            )
        size = sum(d.size or len(d.content) for d in bundle.documents)
        if self.max_total_bytes and size > self.max_total_bytes:
            raise LimitExceeded(
                f"{bundle.source} is {size:,} bytes, over this server's limit of {self.max_total_bytes:,}",
                hint="narrow it with include=/exclude= or a /tree/<ref>/<subfolder> URL",
            )


class RateLimiter:
    """A token bucket per client key: ``burst`` requests at once, then ``rate_per_minute``.

    Buckets of clients that have been quiet long enough to be full again are dropped, so memory
    stays bounded by the number of recently active clients.
    """

    def __init__(self, rate_per_minute: float, burst: int) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = time.monotonic()

    def acquire(self, key: str) -> float:
        """Take one request for ``key``: 0.0 when allowed, else the seconds to wait before retrying."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if now - self._last_sweep > 60:
                self._sweep(now)
        return wait

    def _sweep(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
        self._last_sweep = now


class KeyedLocks:
    """One lock per key (``repo@ref``, a URL), created on demand and dropped when nobody holds it.

    Concurrent requests for the same source queue behind the first one, which fills the result
    cache; the others then read it. So N simultaneous requests clone once. With ``directory``, the
    lock also spans processes (an ``fcntl`` lock on ``directory/<key>.lock``), so the workers of
    ``llmingest serve --workers N`` sharing one cache directory still ingest each source once.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        lock.acquire()
        try:
            with self._file_lock(key):
                yield
        finally:
            lock.release()
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    @contextmanager
    def _file_lock(self, key: str) -> Iterator[None]:
        if self.directory is None or fcntl is None:
            yield
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fh = open(self.directory / f"{key[:64]}.lock", "a+b")  # noqa: SIM115 - closed below
        except OSError:  # an unwritable lock dir only loses the cross-process guarantee
            yield
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            fh.close()  # closing releases the lock

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)
