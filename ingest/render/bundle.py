"""Render a multi-source Bundle as one context file (markdown, xml, plain, json).

Documents are grouped by their source (``metadata["source_label"]``) in bundle order. Its
llms.txt set (one H2 per source, ``llms-full.txt``, one ``.md`` file per document) is
:func:`llmingest.render.llmstxt.bundle_files`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby

from llmingest.errors import UsageError
from llmingest.model import Bundle, Document
from llmingest.render.digest import (
    _xml_text,
    embed_markdown,
    fence_for,
    inline_markdown,
    skipped_list,
    tree_lines,
)

FORMATS = ("markdown", "xml", "plain", "json")


def _groups(bundle: Bundle) -> list[tuple[str, list[Document]]]:
    return [(label, list(docs)) for label, docs in groupby(bundle.documents, key=lambda d: d.metadata.get("source_label", ""))]


def _doc_heading(doc: Document) -> str:
    if doc.url:
        return f"{doc.title or doc.path} ({doc.url})"
    return f"`{doc.path}`"


def summary_lines(bundle: Bundle) -> list[str]:
    md = bundle.metadata
    srcs = md.get("sources", [])
    failed = sum(1 for s in srcs if s.get("status") == "failed")
    lines = [f"- Sources: {len(srcs)}" + (f" ({failed} failed)" if failed else ""),
             f"- Documents: {len(bundle.documents):,}",
             f"- Tokens: {bundle.total_tokens:,} ({bundle.encoding})"]
    if "actions" in md:
        a = md["actions"]
        lines.append(f"- Click-to-curl ({a['spec']}): {a['actions']} UI tasks became API calls, "
                     f"{a['manual']} stay manual, in {a['documents']} documents")
    if md.get("budget"):
        lines.append(f"- Budget: {md['budget']}")
    if bundle.redactions:
        lines.append(f"- Secrets redacted: {len(bundle.redactions)}")
    return lines


def _source_table(bundle: Bundle) -> str:
    rows = ["| # | Source | Kind | Documents | Tokens | Status |", "| ---: | --- | --- | ---: | ---: | --- |"]
    for i, s in enumerate(bundle.metadata.get("sources", []), 1):
        status = "ok" if s.get("status") == "ok" else f"failed: {s.get('error', '')}"
        rows.append(f"| {i} | {s.get('label', s['source'])} | {s.get('kind', '?')} | {s.get('documents', 0):,} | "
                    f"{s.get('tokens', 0):,} | {status.replace('|', '/')} |")
    return "\n".join(rows)


def compact_skipped(skipped: list) -> str:
    """Failures listed in full (up to 50); budget cuts as one line per source with a few names."""
    cut = [s for s in skipped if "left out to fit --max-tokens" in s.reason]
    other = [s for s in skipped if s not in cut]
    out = skipped_list(other, "- {path}: {reason}") if other else ""
    by_source: dict[str, list[str]] = {}
    for s in cut:
        label, _, path = s.path.partition(": ")
        by_source.setdefault(label if path else "", []).append(path or s.path)
    for label, paths in by_source.items():
        names = ", ".join(paths[:8]) + (f", ... (+{len(paths) - 8} more)" if len(paths) > 8 else "")
        out += f"- {label + ': ' if label else ''}{len(paths)} left out to fit --max-tokens: {names}\n"
    return out


def _markdown(bundle: Bundle) -> Iterator[str]:
    yield f"# {bundle.title or 'bundle'}\n\n" + "\n".join(summary_lines(bundle)) + "\n\n"
    yield "## Sources\n\n" + _source_table(bundle) + "\n\n"
    if bundle.skipped:
        yield "## Skipped\n\n" + compact_skipped(bundle.skipped) + "\n"
    if bundle.redactions:
        yield "## Redacted secrets\n\n" + "".join(f"- {r.path} line {r.line}: {r.kind}\n" for r in bundle.redactions[:50]) + (
            f"- ... and {len(bundle.redactions) - 50} more\n" if len(bundle.redactions) > 50 else "") + "\n"
    for label, docs in _groups(bundle):
        kind = docs[0].metadata.get("source_kind", "")
        yield f"## Source: {label} ({kind})\n\n"
        if kind == "repo" and len(docs) > 1:
            tree = "\n".join(tree_lines(sorted(d.path for d in docs), label.rsplit("/", 1)[-1] or label))
            yield f"{fence_for(tree)}text\n{tree}\n{fence_for(tree)}\n\n"
        for doc in docs:
            yield f"### {_doc_heading(doc)}\n\n"
            if inline_markdown(doc):
                yield embed_markdown(doc.content).rstrip("\n") + "\n\n"
            else:
                fence = fence_for(doc.content)
                body = doc.content if doc.content.endswith("\n") else doc.content + "\n"
                yield f"{fence}{doc.language or ''}\n{body}{fence}\n\n"


def _xml(bundle: Bundle) -> Iterator[str]:
    from llmingest.render.digest import _attr

    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f"<bundle name={_attr(bundle.title or 'bundle')} documents=\"{len(bundle.documents)}\" tokens=\"{bundle.total_tokens}\">\n"
    yield "<summary>\n" + _xml_text("\n".join(summary_lines(bundle))) + "\n</summary>\n"
    groups = dict(_groups(bundle))
    for s in bundle.metadata.get("sources", []):
        label = s.get("label", s["source"])
        attrs = f"label={_attr(label)} kind={_attr(s.get('kind', ''))} status={_attr(s.get('status', ''))}"
        if s.get("status") != "ok":
            yield f"<source {attrs} error={_attr(s.get('error', ''))}/>\n"
            continue
        yield f"<source {attrs}>\n"
        for doc in groups.get(label, []):
            extra = f" url={_attr(doc.url)}" if doc.url else ""
            yield f"<document path={_attr(doc.path)}{extra} tokens=\"{doc.tokens}\">\n{_xml_text(doc.content)}\n</document>\n"
        yield "</source>\n"
    if bundle.skipped:
        yield "<skipped>\n" + "".join(f"<item path={_attr(s.path)} reason={_attr(s.reason)}/>\n" for s in bundle.skipped) + "</skipped>\n"
    if bundle.redactions:
        yield "<redactions>\n" + "".join(
            f"<secret path={_attr(r.path)} line=\"{r.line}\" kind={_attr(r.kind)}/>\n" for r in bundle.redactions) + "</redactions>\n"
    yield "</bundle>\n"


def _plain(bundle: Bundle) -> Iterator[str]:
    sep = "=" * 48
    yield f"Bundle: {bundle.title or 'bundle'}\n" + "\n".join(line[2:] for line in summary_lines(bundle)) + "\n\n"
    for doc in bundle.documents:
        where = doc.url or doc.path
        yield f"{sep}\nFILE: {doc.metadata.get('source_label', '')}: {where}\n{sep}\n{doc.content.rstrip()}\n\n"


def _json(bundle: Bundle) -> Iterator[str]:
    yield json.dumps(bundle.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_chunks(bundle: Bundle, fmt: str = "markdown") -> Iterator[str]:
    renderers = {"markdown": _markdown, "xml": _xml, "plain": _plain, "json": _json}
    if fmt not in renderers:
        raise UsageError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")
    return renderers[fmt](bundle)


def render_bundle(bundle: Bundle, fmt: str = "markdown") -> str:
    return "".join(render_chunks(bundle, fmt))


def split_bundle(bundle: Bundle, fmt: str, max_tokens: int) -> list[str]:
    """Numbered parts of at most ``max_tokens`` each; big documents are cut at line ends."""
    from dataclasses import replace

    from llmingest.render.budget import pack_parts
    from llmingest.tokens import count

    if max_tokens < 300:
        raise UsageError("--split-tokens must be at least 300")
    empty = replace(bundle, documents=[], skipped=[])
    head = count(render_bundle(empty, fmt), bundle.encoding)

    def render_part(i: int, total: int, docs: list[Document]) -> str:
        sub = replace(bundle, documents=docs, skipped=bundle.skipped if i == 0 else [],
                      title=f"{bundle.title or 'bundle'} (part {i + 1} of {total})")
        return render_bundle(sub, fmt)

    return pack_parts(bundle.documents, max_tokens, bundle.encoding, render_part, first_head=head, head=head,
                      per_doc=60, min_room=100,
                      too_small=f"--split-tokens {max_tokens} is too small for the bundle header ({head:,} tokens)")
