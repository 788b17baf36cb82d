"""``--compress`` for a digest's documents, and the compressed tier of a token budget.

The conversion itself is :mod:`llmingest.converters.code_compress` (pure, one file at a time);
this module applies it to a Bundle's source files, recounts their tokens and says what it did.
Parsing holds the GIL, so a large repository is shared out over worker processes (spawned, not
forked: the digest runs threads); a small one is done here, where a worker's start-up (~0.2 s)
would cost more than it saves. Docs, configs and files without a grammar are never touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from llmingest.model import Document
from llmingest.tokens import count, count_many

PARALLEL_AT = 4_000_000  # characters of source; below this one process is faster (measured on the stdlib)


def _compressible(doc: Document) -> bool:
    from llmingest.converters.code_compress import language_of

    return doc.kind == "code" and not doc.truncated and language_of(doc.path) is not None


def _compress_one(item: tuple[str, str]) -> tuple[str, bool, int, int, str | None]:
    from llmingest.converters.code_compress import compress

    c = compress(item[1], item[0])
    return c.text if c.changed else "", c.changed, c.bodies, c.omitted_lines, c.reason


def _compress_all(items: list[tuple[str, str]]) -> list[tuple[str, bool, int, int, str | None]]:
    size = sum(len(text) for _, text in items)
    workers = min(os.cpu_count() or 1, 8)
    if size < PARALLEL_AT or workers < 2 or len(items) < 8:
        return [_compress_one(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # big files first, so no worker is left with one large file at the end
    order = sorted(range(len(items)), key=lambda i: -len(items[i][1]))
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            done = list(pool.map(_compress_one, [items[i] for i in order], chunksize=16))
    except Exception:  # no processes here (a sandbox, a broken pool): one process does it all
        return [_compress_one(item) for item in items]
    out: list = [None] * len(items)
    for i, result in zip(order, done, strict=True):
        out[i] = result
    return out


def compress_documents(docs: list[Document], encoding: str) -> dict[str, int]:
    """Compress ``docs`` in place (source files only) and recount them; return the totals."""
    chosen = [i for i, d in enumerate(docs) if _compressible(d)]
    results = _compress_all([(docs[i].path, docs[i].content) for i in chosen])
    changed = [(i, r) for i, r in zip(chosen, results, strict=True) if r[1]]
    before = sum(docs[i].tokens for i, _ in changed)
    counts = count_many([r[0] for _, r in changed], encoding)
    for (i, r), tokens in zip(changed, counts, strict=True):
        doc = docs[i]
        doc.metadata = {**doc.metadata, "compressed": {"bodies": r[2], "omitted_lines": r[3], "tokens_before": doc.tokens}}
        doc.content, doc.tokens = r[0], tokens
    return {"files": len(changed), "bodies": sum(r[2] for _, r in changed), "kept_whole": len(chosen) - len(changed),
            "tokens_before": before, "tokens_after": sum(counts)}


def summary(stats: dict[str, int]) -> str:
    """The digest's summary line: what --compress did."""
    return (f"{stats['files']:,} source files compressed ({stats['bodies']:,} function bodies left out, "
            f"{stats['tokens_before']:,} -> {stats['tokens_after']:,} tokens); docs and configs whole")


def shrinker(encoding: str) -> Callable[[Document], Document | None]:
    """For a budget: the compressed form of a source document (memoised), or None when it has none
    or compressing does not make it smaller."""
    memo: dict[str, Document | None] = {}

    def shrink(doc: Document) -> Document | None:
        key = doc.path
        if key in memo:
            return memo[key]
        out = None
        if _compressible(doc) and "compressed" not in doc.metadata:
            text, changed, bodies, omitted, _ = _compress_one((doc.path, doc.content))
            if changed:
                tokens = count(text, encoding)
                if tokens < doc.tokens:
                    out = replace(doc, content=text, tokens=tokens, metadata={
                        **doc.metadata, "compressed": {"bodies": bodies, "omitted_lines": omitted,
                                                       "tokens_before": doc.tokens}})
        memo[key] = out
        return out

    return shrink
