"""MCP tools for reading code the way an agent does: search first, outline, then a line range.

- ``search_repository``: matches with file, line numbers and context. Words are ranked by BM25
  over windows of lines (identifiers split at ``_`` and camelCase, so "user name" finds
  ``getUserName``; a term matches where a word or word part starts, so "pars" finds "parser");
  a regex is exact and listed in path and line order. Paged by a cursor.
- ``repository_outline``: classes, functions, methods and types of a file or folder with their
  line ranges (the parse ``--compress`` uses), to pick what to read.

``register(tool, svc)`` adds them to the server (one call in ``create_server``); the repository
comes from the shared Service (guarded, cached), and a local git work tree is digested again only
when git says it changed (:func:`repo_bundle`). The search "index" (where each window starts) is
built once per bundle; ranking is computed per query (see :class:`_Index`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

from fastmcp.tools.base import ToolResult
from mcp.types import TextContent
from pydantic import Field

from ..errors import SourceNotFound, UsageError
from ..model import Bundle, Document
from .server import (
    DEFAULT_PAGE_TOKENS,
    PAGE_SCHEMA,
    Cursor,
    Globs,
    PageTokens,
    Source,
    _paged,
    _request_token,
)
from .service import Service

WINDOW = 40  # lines per BM25 passage: a function or two, small enough to point at
MAX_LINE = 300  # characters of one line shown; minified files must not flood a result

SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "source": {"type": "string"},
        "query": {"type": "string"},
        "regex": {"type": "boolean"},
        "total": {"type": "integer", "description": "matches found (before paging)"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": "integer", "description": "1-based line of the match"},
                    "start_line": {"type": "integer"},
                    "end_line": {"type": "integer"},
                    "score": {"type": "number"},
                    "context": {"type": "string", "description": "the lines start_line..end_line, numbered"},
                },
                "required": ["path", "line", "start_line", "end_line", "score", "context"],
            },
        },
        "next_cursor": {"type": ["string", "null"]},
    },
    "required": ["source", "query", "regex", "total", "results", "next_cursor"],
}

_PART = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z])|[A-Z][a-z]+|[a-z]{2,}|[A-Z]{2,}")
_COMPOUND = re.compile(r"\b[A-Za-z_]\w*?(?:[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9])\w*")
K1, B = 1.2, 0.75  # Okapi BM25's usual constants


def words(text: str) -> list[str]:
    """Search terms of ``text``, lowercased: the parts of every word (split at ``_`` and camelCase)
    and each compound identifier whole, so ``getUserName`` is found by "user name" and by
    "getusername". Regex and str methods only: no Python loop per word."""
    return (" ".join(_PART.findall(text)) + " " + " ".join(_COMPOUND.findall(text))).lower().split()


def _pattern(term: str) -> re.Pattern[str]:
    """A term where a word or word part starts: after a non-letter, or at a capital (camelCase).
    For one line (the best line of a window); whole texts are scanned by :meth:`_Index.search`."""
    head, rest = term[0], re.escape(term[1:])
    if not head.isalpha():
        return re.compile(re.escape(term), re.I)
    return re.compile(f"(?:(?<![A-Za-z])[{head}{head.upper()}]|{head.upper()}){rest}", re.I if rest else 0)




def _lower(text: str) -> str:
    """``text.lower()`` with every offset kept: a character whose lowercase is longer (İ) stays."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class _Index:
    """BM25 over windows of ``WINDOW`` lines, computed at query time from the texts themselves.

    Building an inverted index of a large repository costs tens of seconds in Python; finding a
    few query terms costs one literal scan per term in C. So the "index" is only where each window
    starts; term and document frequencies are counted per query, and the ranking is Okapi BM25
    (window lengths in characters)."""

    def __init__(self, docs: list[Document]) -> None:
        self.texts = [d.content for d in docs]
        # every document in one string (and its lowercase twin, which literal scans run over at C
        # speed), with where each document and each line starts: one scan per term for the repo
        self.text = "\n".join(self.texts)
        self.lowered = "\n".join(_lower(t) for t in self.texts)
        # every window of every document: where it starts in ``text``, its document, its first line
        line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        self.window_starts: list[int] = []
        self.window_doc: list[int] = []
        self.window_line: list[int] = []
        line = 0
        for i, text in enumerate(self.texts):
            count = text.count("\n") + 1
            for first in range(0, count, WINDOW):
                self.window_starts.append(line_starts[line + first])
                self.window_doc.append(i)
                self.window_line.append(first)
            line += count
        ends = [*self.window_starts[1:], len(self.text)]
        self.window_len = [max(1, e - s) for s, e in zip(self.window_starts, ends, strict=True)]
        self.windows = max(1, len(self.window_starts))
        self.avg = max(1.0, len(self.text) / self.windows)

    def doc_lines(self, i: int) -> list[str]:
        return self.texts[i].split("\n")

    def search(self, query: str, k: int) -> list[tuple[int, int, float]]:
        import heapq
        import math
        from bisect import bisect_right
        from collections import Counter

        terms = list(dict.fromkeys(words(query)))
        if not terms:
            return []
        text, starts = self.text, self.window_starts
        per_term: dict[str, Counter[int]] = {}
        for term in terms:
            # a literal: re finds it at memchr speed; then keep the hits where a word or part starts
            hits = [m.start() for m in re.finditer(re.escape(term), self.lowered)]
            hits = [p for p in hits if p == 0 or not text[p - 1].isalpha() or text[p].isupper()]
            per_term[term] = Counter(bisect_right(starts, p) - 1 for p in hits)
        idf = {t: math.log(1 + (self.windows - len(c) + 0.5) / (len(c) + 0.5)) for t, c in per_term.items()}
        lengths, avg = self.window_len, self.avg
        scores: dict[int, float] = {}
        for term, counts in per_term.items():
            weight = idf[term] * (K1 + 1)
            for w, c in counts.items():
                scores[w] = scores.get(w, 0.0) + weight * c / (c + K1 * (1 - B + B * lengths[w] / avg))
        best = heapq.nsmallest(k, scores.items(), key=lambda ws: (-ws[1], ws[0]))
        return [(self.window_doc[w], self.window_line[w], score) for w, score in best]


_indexes: OrderedDict[str, tuple[Bundle, list[Document], _Index]] = OrderedDict()
_lock = threading.Lock()


def _index(bundle: Bundle, key: str, docs: list[Document], scope: str) -> _Index:
    memo = f"{key}\0{scope}"
    with _lock:
        hit = _indexes.get(memo)
        if hit is not None and hit[0] is bundle:
            _indexes.move_to_end(memo)
            return hit[2]
    index = _Index(docs)
    with _lock:
        _indexes[memo] = (bundle, docs, index)
        while len(_indexes) > 8:
            _indexes.popitem(last=False)
    return index


def _context(lines: list[str], line: int, around: int) -> tuple[int, int, str]:
    """(first, last, numbered text) of the lines around 0-based ``line``."""
    first, last = max(0, line - around), min(len(lines) - 1, line + around)
    width = len(str(last + 1))
    text = "\n".join(f"{n + 1:>{width}}{':' if n == line else '-'} {lines[n][:MAX_LINE]}" for n in range(first, last + 1))
    return first + 1, last + 1, text


def _best_line(lines: list[str], start: int, query: str) -> int:
    """The line of a window that holds most of the query's terms (the first on a tie)."""
    patterns = [_pattern(t) for t in dict.fromkeys(words(query))]
    best, best_score = start, -1
    for n in range(start, min(len(lines), start + WINDOW)):
        score = sum(1 for p in patterns if p.search(lines[n]))
        if score > best_score:
            best, best_score = n, score
    return best


def search(bundle: Bundle, key: str, query: str, *, regex: bool = False, include: list[str] | None = None,
           context_lines: int = 2, limit: int = 1000) -> list[dict[str, Any]]:
    """Every match (up to ``limit``) of ``query`` in ``bundle``, best first; see the module docstring."""
    if not query.strip():
        raise UsageError("empty query", hint="e.g. query='parse config' or regex=true, query='def \\w+_config'")
    docs = [d for d in bundle.documents if d.kind not in ("pdf",)]
    if include:
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(include)
        docs = [d for d in docs if spec.match_file(d.path)]
    results: list[dict[str, Any]] = []
    if regex:
        try:
            pattern = re.compile(query)
        except re.error as exc:
            raise UsageError(f"bad regex {query!r}: {exc}", hint="escape special characters, or pass regex=false") from None
        for doc in sorted(docs, key=lambda d: d.path):
            lines = doc.content.split("\n")
            for n, line in enumerate(lines):
                if pattern.search(line):
                    first, last, text = _context(lines, n, context_lines)
                    results.append({"path": doc.path, "line": n + 1, "start_line": first, "end_line": last,
                                    "score": 1.0, "context": text})
                    if len(results) >= limit:
                        return results
        return results
    index = _index(bundle, key, docs, "\0".join(sorted(include or [])))
    for doc_i, start, score in index.search(query, limit):
        lines = index.doc_lines(doc_i)
        n = _best_line(lines, start, query)
        first, last, text = _context(lines, n, context_lines)
        results.append({"path": docs[doc_i].path, "line": n + 1, "start_line": first, "end_line": last,
                        "score": round(score, 4), "context": text})
    return results


def line_range(doc: Document, start: int | None, end: int | None) -> tuple[str, str]:
    """Lines ``start``..``end`` (1-based, inclusive; either may be open) of ``doc``, and the
    ``#L10-L20`` suffix naming them. A range past the end is an error that says how long the file is."""
    lines = doc.content.split("\n")
    if lines and lines[-1] == "" and doc.content.endswith("\n"):
        lines.pop()
    first = start or 1
    last = min(end or len(lines), len(lines))
    if first > len(lines):
        raise UsageError(f"start_line {first} is past the end of {doc.path} ({len(lines):,} lines)")
    if last < first:
        raise UsageError(f"end_line {end} is before start_line {first}")
    return "\n".join(lines[first - 1:last]) + "\n", f"#L{first}-L{last}"


def _git_out(path: str, *args: str) -> bytes | None:
    import subprocess

    from llmingest.fetch.walk import local_git_env

    try:
        proc = subprocess.run(["git", "-C", path, *args], capture_output=True, timeout=30, env=local_git_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def local_fingerprint(path: str) -> str | None:
    """What a local git work tree holds, cheaply: HEAD, the index (blob ids of tracked files) and
    ``git status`` with the size and mtime of every file it lists (modified or untracked). Equal
    fingerprints mean the digest would read the same files. None outside git (no shortcut)."""
    import hashlib
    import os

    top = _git_out(path, "rev-parse", "--show-toplevel")
    index = _git_out(path, "ls-files", "-s", "-z")
    status = _git_out(path, "--no-optional-locks", "status", "--porcelain=v1", "-z", "-uall")  # never writes the index
    if top is None or index is None or status is None:
        return None
    root = top.decode("utf-8", "surrogateescape").strip()
    h = hashlib.sha256()
    for part in (_git_out(path, "rev-parse", "-q", "--verify", "HEAD") or b"", index, status):
        h.update(part + b"\0")
    for entry in status.split(b"\0"):
        rel = entry[3:].decode("utf-8", "surrogateescape") if len(entry) > 3 else ""
        if rel:
            try:
                st = os.lstat(os.path.join(root, rel))
                h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
            except OSError:
                h.update(f"{rel}\0gone\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def repo_bundle(svc: Service, source: str, ref: str | None) -> tuple[Bundle, str]:
    """``svc.bundle(source)`` for the code tools, which an agent calls many times in a row: a local
    git work tree is read again only when its :func:`local_fingerprint` changed (the Service reads
    a local folder on every call, so that it is never stale; this keeps that promise at the cost
    of three git calls instead of a whole digest). Everything else goes through the Service."""
    from llmingest.sources import parse as sources

    src = svc.parse(source, ref)
    if svc.server_mode or not isinstance(src, sources.LocalDir) or ref:
        return svc.bundle(source, "repo", ref=ref, token=_request_token())
    with _lock:  # per Service: another server may read with other options
        local = svc.__dict__.setdefault("_code_tools_local", OrderedDict())
    memo = str(src.path)
    mark = local_fingerprint(memo)
    with _lock:
        hit = local.get(memo)
    if mark is not None and hit is not None and hit[0] == mark:
        return hit[1], hit[2]
    bundle, key = svc.bundle(source, "repo", ref=ref, token=_request_token())
    if mark is not None:
        with _lock:
            local[memo] = (mark, bundle, key)
            while len(local) > 8:
                local.popitem(last=False)
    return bundle, key


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit():
        raise UsageError(f"bad cursor {cursor!r}", hint="pass the next_cursor a previous call returned, or none")
    return int(cursor)


def register(tool: Callable[..., Callable[[Any], Any]], svc: Service) -> None:
    """Add search_repository and repository_outline to a server whose tools read through ``svc``."""
    @tool(output_schema=SEARCH_SCHEMA)
    def search_repository(
        source: Source,
        query: Annotated[str, Field(description="Words (ranked by BM25; identifiers match by their parts) or, "
                                                "with regex=true, a Python regular expression matched per line.")],
        regex: Annotated[bool, Field(description="Treat query as a regular expression (exact, in path order).")] = False,
        include: Globs = None,
        context_lines: Annotated[int, Field(ge=0, le=20, description="Lines shown before and after each match.")] = 2,
        max_results: Annotated[int, Field(ge=1, le=200, description="Matches per answer; see next_cursor.")] = 20,
        ref: Annotated[str | None, Field(description="Branch, tag or commit.")] = None,
        cursor: Cursor = None,
    ) -> ToolResult:
        """Search a repository's files: matches with path, line numbers and context, best first.

        Then read more around a hit with read_repository_file(path, start_line, end_line).
        """
        bundle, key = repo_bundle(svc, source, ref)
        start = _offset(cursor)
        hits = search(bundle, key, query, regex=regex, include=include, context_lines=context_lines,
                      limit=start + max_results + 1)
        page = hits[start:start + max_results]
        more = len(hits) > start + max_results
        nxt = str(start + max_results) if more else None
        if page:
            blocks = [f"{start + i}. {h['path']}:{h['line']} (lines {h['start_line']}-{h['end_line']}, score {h['score']})"
                      f"\n{h['context']}" for i, h in enumerate(page, 1)]
            text = "\n\n".join(blocks) + "\n"
            if nxt:
                text += f"\n[more matches: call again with cursor=\"{nxt}\"]\n"
        else:
            text = f"No match for {query!r} in {bundle.source}.\n"
        return ToolResult(content=[TextContent(type="text", text=text)],
                          structured_content={"source": bundle.source, "query": query, "regex": regex,
                                              "total": len(hits) if not more else start + len(page) + 1,
                                              "results": page, "next_cursor": nxt})

    @tool(output_schema=PAGE_SCHEMA)
    def repository_outline(
        source: Source,
        path: Annotated[str | None, Field(description="A file or folder (repo-relative); default: the whole "
                                                      "repository.")] = None,
        ref: Annotated[str | None, Field(description="Branch, tag or commit.")] = None,
        page_tokens: PageTokens = DEFAULT_PAGE_TOKENS,
        cursor: Cursor = None,
    ) -> ToolResult:
        """The symbols (classes, functions, methods, types) of a file or folder with their line ranges.

        Read one with read_repository_file(path, start_line, end_line).
        """
        from llmingest.transforms.outline import outline_markdown

        bundle, _key = repo_bundle(svc, source, ref)
        if path and path.strip().strip("/") and path.strip().strip("/") != ".":
            want = path.strip().strip("/")
            if not any(d.path == want or d.path.startswith(want + "/") for d in bundle.documents):
                svc.find_document(bundle, want)  # raises the helpful "no file ..., did you mean" error
                raise SourceNotFound(f"no file under {want!r} in {bundle.source}")
        return _paged(svc, outline_markdown(bundle, path), bundle.source, page_tokens, cursor)
