"""Small text views of a Bundle that the MCP tools and web routes show (DESIGN rule 1).

The edges only page what these return; how a repository tree, a docs page or a set of rewritten
click-to-curl documents reads as text is decided here, next to the digest renderer, so a CLI
command or another edge showing the same thing gets the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from llmingest.model import Bundle, Document


def tree_text(bundle: Bundle) -> str:
    """A repository's summary, its tree with tokens per file and folder, and what was skipped."""
    from llmingest.render.digest import summary_lines, tree_lines

    tokens = {d.path: d.tokens for d in bundle.documents}
    name = str(bundle.metadata.get("name") or bundle.title or "repo")
    lines = summary_lines(bundle, top=0) + ["", *tree_lines(sorted(tokens), name, tokens)]
    if bundle.skipped:
        lines += ["", "Skipped:"] + [f"- {s.path}: {s.reason}" for s in sorted(bundle.skipped, key=lambda s: s.path)]
    return "\n".join(lines) + "\n"


def page_text(doc: Document) -> str:
    """One docs page as markdown under its title and source URL (its own front matter dropped:
    the header says the same, and an agent reads it once)."""
    head = f"# {doc.title}\n\nSource: {doc.url}\n\n" if doc.title else f"Source: {doc.url}\n\n"
    body = doc.content
    if body.startswith("---\n"):
        end = body.find("\n---\n", 4)
        body = body[end + 5:] if end != -1 else body
    body = body.strip("\n")
    if doc.title and body.startswith(f"# {doc.title}"):
        body = body[len(f"# {doc.title}"):].lstrip("\n")
    return head + body + "\n"


def pages_text(docs: Iterable[Document]) -> str:
    """Several docs pages, one after the other (``read_docs`` for a whole section)."""
    return "\n".join(page_text(d) for d in docs)


def documents_text(bundle: Bundle) -> str:
    """One document as it is, or each under a ``# path`` heading (``curl_actions`` on a folder)."""
    if len(bundle.documents) == 1:
        return bundle.documents[0].content
    return "\n".join(f"# {d.path}\n\n{d.content.rstrip()}\n" for d in bundle.documents)
