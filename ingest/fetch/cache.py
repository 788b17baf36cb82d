"""Result cache on disk: a second request for the same source is answered without fetching again.

The MCP server and the web service both sit in front of :func:`llmingest.ingest`, which may clone a
repository or crawl a site. Agents call the same tool again and again (paging with a cursor, reading
one file after looking at the tree), and web users reload; so the Bundle a source produced is kept
on disk, keyed by everything that shaped it (kind, source, commit when known, options), for a
bounded time (TTL) and a bounded total size (least recently used entries are evicted first).

Entries are JSON files written atomically (temp file + rename), so concurrent processes never read
half a file; a corrupt or unreadable entry is treated as a miss. Nothing here ever stores a token:
keys are hashes, and a request made with credentials gets a key of its own (so a private result is
never served to a caller without them).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from dataclasses import fields
from pathlib import Path
from typing import Any

from llmingest.model import Bundle, Document, Redaction, Skipped
from llmingest.tokens import default_cache_dir

__all__ = ["ResultCache", "make_key", "bundle_to_json", "bundle_from_json", "DEFAULT_TTL", "DEFAULT_MAX_BYTES"]

DEFAULT_TTL = 3600.0  # seconds; a branch moves, so a digest of "main" should not live for days
DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # total size of the entries on disk
MEMORY_ENTRIES = 64  # decoded Bundles kept in memory in front of the disk


def make_key(*parts: Any) -> str:
    """A stable hex key from any JSON-serialisable parts (order matters, dict keys are sorted)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def bundle_to_json(bundle: Bundle) -> str:
    return json.dumps(bundle.to_dict(), sort_keys=True, separators=(",", ":"), default=str)


def _pick(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def bundle_from_json(text: str) -> Bundle:
    """The inverse of :func:`bundle_to_json` (unknown keys ignored, so old entries still load)."""
    data = json.loads(text)
    bundle = _pick(Bundle, {k: v for k, v in data.items() if k not in ("documents", "skipped", "redactions")})
    bundle.documents = [_pick(Document, d) for d in data.get("documents", [])]
    bundle.skipped = [_pick(Skipped, s) for s in data.get("skipped", [])]
    bundle.redactions = [_pick(Redaction, r) for r in data.get("redactions", [])]
    return bundle


class ResultCache:
    """Bundles on disk under ``directory``, with a TTL and a total-size bound.

    State is real (a directory, an in-memory LRU, a lock), hence a class. ``enabled=False`` makes
    every call a miss and every put a no-op, which is what ``--no-cache`` means.
    """

    def __init__(self, directory: Path | None = None, *, ttl: float = DEFAULT_TTL,
                 max_bytes: int = DEFAULT_MAX_BYTES, enabled: bool = True) -> None:
        self.directory = Path(directory) if directory else default_cache_dir() / "results"
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.enabled = enabled
        self.hits = 0
        self.misses = 0
        self._memory: OrderedDict[str, tuple[float, Bundle]] = OrderedDict()
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Bundle | None:
        """The cached Bundle for ``key`` if it is younger than the TTL, else None."""
        if not self.enabled:
            return None
        now = time.time()
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None and now - hit[0] <= self.ttl:
                self._memory.move_to_end(key)
                self.hits += 1
                return hit[1]
        path = self._path(key)
        try:
            stamp = path.stat().st_mtime
            if now - stamp > self.ttl:
                self._discard(path)
                raise FileNotFoundError
            bundle = bundle_from_json(path.read_text(encoding="utf-8"))
            os.utime(path, (now, stamp))  # atime = last use, for LRU eviction; mtime = age, for TTL
        except (OSError, ValueError, TypeError):
            with self._lock:
                self.misses += 1
            return None
        self._remember(key, stamp, bundle)
        with self._lock:
            self.hits += 1
        return bundle

    def put(self, key: str, bundle: Bundle) -> None:
        """Store ``bundle`` atomically; a cache that cannot be written only makes the next call slower."""
        if not self.enabled:
            return
        now = time.time()
        self._remember(key, now, bundle)
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(bundle_to_json(bundle), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            return
        self.evict()

    def _remember(self, key: str, stamp: float, bundle: Bundle) -> None:
        with self._lock:
            self._memory[key] = (stamp, bundle)
            self._memory.move_to_end(key)
            while len(self._memory) > MEMORY_ENTRIES:
                self._memory.popitem(last=False)

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass

    def evict(self) -> int:
        """Drop expired entries, then least recently used ones until the total fits; returns bytes freed."""
        entries = []
        now = time.time()
        freed = 0
        for path in self.directory.glob("*/*.json"):
            try:
                st = path.stat()
            except OSError:
                continue
            if now - st.st_mtime > self.ttl:
                self._discard(path)
                freed += st.st_size
                continue
            entries.append((max(st.st_atime, st.st_mtime), st.st_size, path))
        for lock in self.directory.glob(".locks/*.lock"):  # per-key lock files of the servers
            try:
                if now - lock.stat().st_mtime > 2 * self.ttl:
                    lock.unlink()
            except OSError:
                pass
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            self._discard(path)
            with self._lock:
                self._memory.pop(path.stem, None)
            total -= size
            freed += size
        return freed

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()
        for path in self.directory.glob("*/*.json"):
            self._discard(path)
