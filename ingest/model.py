"""The one data model every source produces and every edge renders.

A :class:`Bundle` is what :func:`llmingest.ingest` returns: the documents it could convert, the
ones it skipped with a reason (errors are values until the edge), and facts about the source
(ref, commit, site name, page count...) that renderers print in their summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Document:
    """One converted unit: a file of a repo, a page of a site, a whole PDF.

    ``path`` is where the document sits inside its source (repo-relative path, URL path, file
    name); renderers sort and print by it. ``content`` is markdown for converted documents and the
    file's text for source code.
    """

    path: str
    content: str
    title: str | None = None
    url: str | None = None
    language: str | None = None  # fence language for code files; None for markdown documents
    kind: str = "text"  # text | code | markdown | notebook | pdf | page
    tokens: int = 0
    size: int = 0  # bytes on disk / on the wire
    truncated: bool = False
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Skipped:
    """A file or page left out, and why (binary, too large, unreadable, 404, over budget...)."""

    path: str
    reason: str
    size: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Redaction:
    """A secret replaced in place: which file, which line, which detector."""

    path: str
    line: int
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Bundle:
    """Everything one source produced, ready to render."""

    source: str  # what the user typed, with credentials removed
    kind: str  # repo | page | site | pdf | actions | bundle
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    redactions: list[Redaction] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    description: str | None = None
    encoding: str = "o200k_base"

    @property
    def total_tokens(self) -> int:
        return sum(d.tokens for d in self.documents)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "encoding": self.encoding,
            "total_tokens": self.total_tokens,
            "metadata": self.metadata,
            "documents": [d.to_dict() for d in self.documents],
            "skipped": [s.to_dict() for s in self.skipped],
            "redactions": [r.to_dict() for r in self.redactions],
        }
