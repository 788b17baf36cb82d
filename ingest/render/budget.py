"""Fit a digest into a token budget by a documented priority, and say what was left out.

Priority (README "Budgets"): 1. READMEs, 2. other docs and project manifests, 3. source code
(shallow paths first: entry points and packages before deep internals), 4. examples and
benchmarks, 5. tests. No single file may take more than a quarter of the budget: larger files are
truncated at a line end with a visible marker instead of crowding out everything else. Before
anything is dropped, source files are compressed (signatures kept, bodies left out) from the
lowest priority up, until the rest fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from llmingest.model import Document, Skipped
from llmingest.tokens import count, encode, prefix

_DOC_EXT = (".md", ".rst", ".txt", ".adoc", ".mdx", ".markdown")
_MANIFESTS = {"pyproject.toml", "setup.py", "setup.cfg", "package.json", "cargo.toml", "go.mod", "pom.xml",
              "build.gradle", "gemfile", "composer.json", "makefile", "dockerfile", "mkdocs.yml", "tsconfig.json"}
_TEST = re.compile(r"(^|/)(tests?|__tests__|spec|specs|testing|test_data|testdata|fixtures)/|(^|/)test_[^/]*$|"
                   r"_test\.[a-z]+$|\.(test|spec)\.[a-z]+$|(^|/)conftest\.py$")
_LOW = re.compile(r"(^|/)(examples?|samples?|benchmarks?|bench|demo|docs/_build)/")

PRIORITY_DOC = (
    "README files first, then docs and project manifests, then source code (shallow paths first), "
    "then examples and benchmarks, then tests; files over a quarter of the budget are truncated"
)


_BOILERPLATE = re.compile(r"^(licen[cs]e|copying|notice|authors|contributors|code_of_conduct|security|changelog|"
                         r"changes|history|news)(\.[a-z]+)?$|^\.")


def tier(path: str) -> int:
    lower = path.lower()
    name = lower.rsplit("/", 1)[-1]
    if name.startswith("readme"):
        return 0
    if _BOILERPLATE.search(name):
        return 3  # licences, changelogs and dotfiles: useful, but after the code
    if _TEST.search(lower):
        return 4
    if _LOW.search(lower):
        return 3
    if name.endswith(_DOC_EXT) or lower.startswith("docs/") or name in _MANIFESTS:
        return 1
    return 2


def truncate_document(doc: Document, max_tokens: int, encoding: str) -> Document:
    """Cut ``doc`` to ``max_tokens`` at a line end, with a marker saying how much was kept."""
    total = len(encode(doc.content, encoding))
    if total <= max_tokens:
        return doc
    head = prefix(doc.content, max(0, max_tokens - 30), encoding)
    cut = head.rfind("\n")
    if cut > len(head) // 2:
        head = head[: cut + 1]
    marker = f"\n… [truncated by llmingest: {count(head, encoding):,} of {total:,} tokens shown]\n"
    text = head + marker
    return replace(doc, content=text, tokens=count(text, encoding), truncated=True)


def _shrink_tail(order: list[Document], budget: int, per_file: int, cap: int,
                 shrink: Callable[[Document], Document | None]) -> tuple[list[Document], int]:
    """The compressed tier: while everything does not fit, replace the lowest-priority source file
    that still has its full text by its compressed form (signatures kept, bodies left out), from
    the end of the priority order up. Dropping comes after, and only if this was not enough."""
    cost = sum(min(d.tokens, cap) + per_file for d in order)
    out = list(order)
    shrunk = 0
    for i in range(len(out) - 1, -1, -1):
        if cost <= budget:
            break
        small = shrink(out[i])
        if small is not None:
            cost -= min(out[i].tokens, cap) - min(small.tokens, cap)
            out[i] = small
            shrunk += 1
    return out, shrunk


def _priority_order(docs: list[Document], churn: dict[str, int]) -> list[Document]:
    """By tier; within a tier most often changed first (``--sort-by-changes``), then shallow paths,
    then smaller files (more of the project fits), then by name."""
    return sorted(docs, key=lambda d: (tier(d.path), -churn.get(d.path, 0), d.path.count("/"), d.tokens, d.path))


def _place(doc: Document, cap: int, room: int, encoding: str) -> tuple[Document | None, bool]:
    """``doc`` as it fits in ``room`` tokens (its own overhead already taken), or None; and
    whether this cut it. A file over the per-file ``cap`` is cut to it; one that still does not
    fit is cut to the room left when that is at least 300 tokens (a useful beginning)."""
    capped = truncate_document(doc, cap, encoding) if doc.tokens > cap else doc
    if capped.tokens <= room:
        return capped, capped.truncated and not doc.truncated
    if room >= 300 and doc.tokens > room:
        cut = truncate_document(doc, room, encoding)
        if cut.tokens <= room:
            return cut, True
    return None, False


def fit(docs: list[Document], max_tokens: int, overhead: int, encoding: str, *,
        ordered: bool = False, shrink: Callable[[Document], Document | None] | None = None,
        changes: dict[str, int] | None = None) -> tuple[list[Document], list[Skipped], str]:
    """Choose documents (in priority order) whose tokens plus ``overhead`` fit ``max_tokens``.

    Returns kept documents (sorted by path, as they render; in the given order when ``ordered``,
    which multi-source bundles use), what was left out, and a one-line summary for the digest.
    ``shrink`` gives a source file's compressed form: lower-priority source is compressed before
    anything is dropped. ``changes`` (path -> commits that touched it) puts the most often
    changed files first within a tier (``--sort-by-changes``).
    """
    budget = max_tokens - overhead
    per_file_overhead = 25
    cap = max(200, max_tokens // 4)
    order = list(docs) if ordered else _priority_order(docs, changes or {})
    compressed = 0
    if shrink is not None:
        order, compressed = _shrink_tail(order, budget, per_file_overhead, cap, shrink)
    kept: list[tuple[int, Document]] = []
    left: list[Skipped] = []
    truncated = 0
    used = 0
    blocked_above: int | None = None  # once a tier overflows, lower-priority tiers get nothing
    for pos, doc in enumerate(order):
        doc_tier = tier(doc.path)
        if not ordered and blocked_above is not None and doc_tier > blocked_above:
            left.append(Skipped(doc.path, f"left out to fit the {max_tokens:,}-token budget ({doc.tokens:,} tokens)", doc.size))
            continue
        if doc.tokens > cap and shrink is not None and (small := shrink(doc)) is not None:
            doc = small  # a file over the cap keeps its whole outline rather than its first lines
        placed, was_cut = _place(doc, cap, budget - used - per_file_overhead, encoding)
        if placed is not None:
            kept.append((pos, placed))
            used += placed.tokens + per_file_overhead
            truncated += was_cut
            continue
        if blocked_above is None:
            blocked_above = doc_tier
        label = doc.metadata.get("source_label")
        where = f"{label}: {doc.path}" if label else doc.path
        left.append(Skipped(where, f"left out to fit the {max_tokens:,}-token budget ({doc.tokens:,} tokens)", doc.size))
    if ordered:
        kept_docs = [d for _, d in sorted(kept, key=lambda pd: pd[0])]
    else:
        kept_docs = sorted((d for _, d in kept), key=lambda d: d.path)
    return kept_docs, left, _note(max_tokens, kept_docs, left, truncated, shrink is not None, compressed)


def _note(max_tokens: int, kept: list[Document], left: list[Skipped], truncated: int, shrinking: bool,
          compressed: int) -> str:
    """The digest's ``Budget:`` line; the compressed count shows whenever anything was compressed."""
    squeezed_n = sum("compressed" in d.metadata for d in kept) if shrinking else 0
    squeezed = f"{squeezed_n:,} compressed, " if squeezed_n or compressed else ""
    return (f"token budget {max_tokens:,}: {len(kept):,} files kept, {squeezed}{truncated:,} truncated, "
            f"{len(left):,} left out (priority: {PRIORITY_DOC})")


def chunk_document(doc: Document, max_tokens: int, encoding: str) -> list[Document]:
    """Split one document into pieces of at most ``max_tokens``, cutting at line ends."""
    if doc.tokens <= max_tokens:
        return [doc]
    pieces: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for line in doc.content.splitlines(keepends=True):
        n = count(line, encoding)
        while n > max_tokens:  # one enormous line: hard cut
            if current:
                pieces.append("".join(current))
                current, current_tokens = [], 0
            head = prefix(line, max_tokens, encoding)
            pieces.append(head)
            line = line[len(head):]
            n = count(line, encoding)
        if current and current_tokens + n > max_tokens:
            pieces.append("".join(current))
            current, current_tokens = [], 0
        current.append(line)
        current_tokens += n
    if current:
        pieces.append("".join(current))
    total = len(pieces)
    return [replace(doc, path=f"{doc.path} (piece {i + 1} of {total})", content=text, tokens=count(text, encoding))
            for i, text in enumerate(pieces)]


def pack_parts(docs: list[Document], max_tokens: int, encoding: str,
               render_part: Callable[[int, int, list[Document]], str], *, first_head: int, head: int,
               per_doc: int, min_room: int, too_small: str) -> list[str]:
    """``--split-tokens``: the documents packed in order into parts of at most ``max_tokens``.

    A document too big for a part is cut at line ends into pieces (nothing is lost). Part 1 costs
    ``first_head`` tokens before its documents (a summary, a tree), the others ``head``, and every
    document ``per_doc`` (its heading and fence). Each part is rendered by ``render_part(index,
    total, docs)`` and counted; when one still overflows, the packing is redone with a smaller
    share of the budget. Repo digests and bundles both split this way.
    """
    from llmingest.errors import UsageError

    for slack in (0.9, 0.75, 0.5):
        budget = int(max_tokens * slack)
        if budget - first_head < min_room:
            raise UsageError(too_small)
        pieces: list[Document] = []
        for doc in docs:
            for piece in chunk_document(doc, budget - per_doc - head, encoding):
                piece.metadata = dict(doc.metadata)  # pieces must not share one dict
                pieces.append(piece)
        parts: list[list[Document]] = [[]]
        used = first_head
        for piece in pieces:
            cost = piece.tokens + per_doc
            if parts[-1] and used + cost > budget:
                parts.append([])
                used = head
            parts[-1].append(piece)
            used += cost
        texts = [render_part(i, len(parts), part) for i, part in enumerate(parts)]
        if all(count(text, encoding) <= max_tokens for text in texts):
            return texts
    raise UsageError(f"cannot split into parts of {max_tokens} tokens", hint="use a larger --split-tokens")


def fit_rendered(bundle, max_tokens: int, fmt: str, render_fn, *, ordered: bool = False,
                 extra_overhead: int = 150, priority_note: str | None = None,
                 shrink: Callable[[Document], Document | None] | None = None,
                 changes: dict[str, int] | None = None) -> None:
    """Fit ``bundle`` so that ``render_fn(bundle, fmt)`` is at most ``max_tokens`` tokens.

    The header is measured by rendering the bundle without documents; if the real output is still
    over, the overflow is added to the overhead and the fit repeats. A budget too small for even
    the summary raises LimitExceeded (exit 7): never an oversized output with exit 0.
    """
    from dataclasses import replace

    from llmingest.errors import LimitExceeded

    all_docs = list(bundle.documents)
    before = list(bundle.skipped)
    overhead = count(render_fn(replace(bundle, documents=[]), fmt), bundle.encoding) + extra_overhead
    total = 0
    for _ in range(6):
        kept, left, note = fit(all_docs, max_tokens, overhead, bundle.encoding, ordered=ordered, shrink=shrink,
                               changes=changes)
        bundle.documents = kept
        bundle.skipped = before + left if ordered else sorted(before + left, key=lambda s: s.path)
        bundle.metadata["budget"] = note.replace(PRIORITY_DOC, priority_note) if priority_note else note
        total = count(render_fn(bundle, fmt), bundle.encoding)
        if total <= max_tokens:
            bundle.metadata["budget_rendered_tokens"] = total
            return
        overhead += (total - max_tokens) + 50
    raise LimitExceeded(f"--max-tokens {max_tokens:,} is too small: the summary alone takes {total:,} tokens in {fmt}",
                        hint="raise --max-tokens, narrow with --include, or use --split-tokens")


BUNDLE_PRIORITY = "sources in order; within a source, " + PRIORITY_DOC


def fit_layout(bundle, max_tokens: int, fmt: str = "markdown", *, top: int = 10, token_tree: bool = False,
               changes: dict[str, int] | None = None, **_: object) -> None:
    """:func:`llmingest.render.fit`: fit ``bundle`` into ``max_tokens`` as the layout of its kind
    renders it in ``fmt``. Source files are compressed (lowest priority first) before any is dropped.

    A one-source digest is measured exactly as it will be written (``--top`` list, token tree) and
    keeps files by priority; its tree grows with every file, so that much is reserved up front. A
    multi-source bundle keeps its documents in source order.
    """
    from functools import partial

    from llmingest.transforms.compress import shrinker

    if bundle.kind == "bundle":
        from llmingest.render.bundle import render_bundle

        fit_rendered(bundle, max_tokens, fmt, render_bundle, ordered=True, shrink=shrinker(bundle.encoding),
                     priority_note=BUNDLE_PRIORITY)
        return
    from llmingest.render.digest import render

    tree_cost = count("\n".join(d.path for d in bundle.documents), bundle.encoding) + 2 * len(bundle.documents)
    fit_rendered(bundle, max_tokens, fmt, partial(render, top=top, token_tree=token_tree),
                 extra_overhead=tree_cost + 200, shrink=shrinker(bundle.encoding), changes=changes)
