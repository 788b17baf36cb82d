"""Click-to-curl as a transform: a Bundle of docs in, a Bundle of rewritten docs out.

Each document's "go to Settings and click Create" steps become curl calls from an OpenAPI index
(:func:`llmingest.converters.actions.rewrite`), and an HTML document's forms become HTTP requests
too. The docs Bundle comes from ``ingest(source, kind="docs")`` (:mod:`llmingest.sources.actions`),
so the CLI and the MCP ``curl_actions`` tool read and rewrite the same way.
"""

from __future__ import annotations

from llmingest.converters.actions import ActionsResult, forms_from_html, rewrite
from llmingest.model import Bundle, Document
from llmingest.options import Options
from llmingest.progress import task as progress_task

#: where a docs Bundle keeps an HTML document's own bytes (its forms are read from them)
HTML_KEY = "html"


def rewrite_document(doc: Document, index, *, base_url: str | None = None, threshold: float | None = None,
                     candidates: int = 0) -> ActionsResult:
    """One document's UI steps as curl calls (and its HTML forms as requests)."""
    result = rewrite(doc.content, index, base_url=base_url, threshold=threshold, source_name=doc.path,
                     show_candidates=candidates)
    html = doc.metadata.get(HTML_KEY)
    if html is not None:
        forms = forms_from_html(html, doc.url)
        if forms:
            result.tasks.extend(forms)
            result.matched += len(forms)
            lines = ["", "## Forms on this page (as HTTP requests)", ""]
            for f in forms:
                lines += [f"**{f.title}**", "", "```bash", *(f.curl or "").splitlines(), "```", ""]
            result.markdown = result.markdown.rstrip("\n") + "\n" + "\n".join(lines)
    return result


def curl_actions(bundle: Bundle, index, options: Options | None = None, *, base_url: str | None = None,
                 threshold: float | None = None, candidates: int = 0,
                 count_tokens: bool = False) -> tuple[Bundle, list[ActionsResult]]:
    """``bundle``'s documents rewritten: an ``actions`` Bundle (one document per input, with
    ``matched``/``manual`` in its metadata) and the full results (tasks, for ``--format json``).

    ``count_tokens``: fill each document's token count (the MCP tool pages by tokens; the CLI
    shows none and never builds a tokenizer).
    """
    opts = options or Options()
    results = []
    with progress_task(opts, "finding UI steps", len(bundle.documents)) as bar:
        for doc in bundle.documents:
            results.append(rewrite_document(doc, index, base_url=base_url, threshold=threshold, candidates=candidates))
            bar.advance()
    if count_tokens:
        from llmingest.tokens import count
    docs = [Document(path=r.source or bundle.source, content=r.markdown, kind="actions",
                     tokens=count(r.markdown, bundle.encoding) if count_tokens else 0,
                     metadata={"matched": r.matched, "manual": r.manual}) for r in results]
    out = Bundle(source=bundle.source, kind="actions", documents=docs, encoding=bundle.encoding,
                 metadata={"folder": bool(bundle.metadata.get("folder"))})
    return out, results
