"""Loading for click-to-curl: docs and specs from files, folders and URLs, and the index cache.

The converters (``llmingest.converters.actions`` / ``.openapi``) are pure; this module is the part
that touches disk and network (DESIGN rule 4): it reads documents (markdown as is, HTML through
the HTML converter), fetches specs through :func:`llmingest.fetch.http.fetch`, and caches each spec's
index by content hash, because parsing and indexing GitHub's 13 MB spec on every run would cost
more than everything else together.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmingest import converters
from llmingest.converters.actions import ActionsResult, forms_from_html, prepare, rewrite
from llmingest.converters.openapi import INDEX_VERSION, SpecIndex, build_index, parse_document, spec_hash
from llmingest.errors import ConversionError, SourceNotFound, UsageError
from llmingest.fetch.walk import confine_local, unreadable_reason
from llmingest.options import Options
from llmingest.progress import task as progress_task

DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".txt", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
DEFAULT_REPORT_PAGES = 500  # a --report URL crawls at most this many pages unless max_pages says otherwise


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _read_bytes(source: str, options: Options, what: str) -> tuple[bytes, str | None, str]:
    """(bytes, content type, final URL or path) of a file or URL."""
    if _is_url(source):
        from llmingest.fetch.http import fetch

        headers = {"Authorization": f"Bearer {options.token}"} if options.token else None
        resp = fetch(source, options, headers=headers)
        return resp.content, resp.content_type, resp.url
    path = Path(source).expanduser()
    if not path.exists():
        raise SourceNotFound(f"{what} {source} does not exist")
    confine_local(path)  # a symlink in a repository may not lead out of it (OutsideTree)
    if path.is_dir():
        raise UsageError(f"{what} {source} is a folder, expected a file")
    try:
        return path.read_bytes(), None, str(path)
    except OSError as exc:
        raise SourceNotFound(f"cannot read {what} {source}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------------
# specs and their cache


def cache_path(digest: str, options: Options | None = None) -> Path:
    from llmingest.tokens import default_cache_dir

    base = (options.cache_dir if options and options.cache_dir else default_cache_dir())
    return Path(base) / "openapi" / f"{digest}.v{INDEX_VERSION}.pickle"


def load_index(spec: str, options: Options | None = None) -> SpecIndex:
    """The index of the spec at ``spec`` (path or URL), from the cache when its bytes are known.

    The cache key is the hash of the spec's bytes, so an edited spec is re-indexed and an
    unchanged one (even fetched again from a URL) loads in milliseconds.
    """
    opts = options or Options()
    data, _ctype, where = _read_bytes(spec, opts, "OpenAPI spec")
    digest = spec_hash(data)
    name = os.path.basename(where.rstrip("/")) or where
    path = cache_path(digest, opts)
    if opts.cache:
        try:
            with open(path, "rb") as fh:
                index = pickle.load(fh)
            if isinstance(index, SpecIndex) and index.index_version == INDEX_VERSION:
                index.name = name
                return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            pass  # no cache, or a stale/corrupt one: rebuild below
    try:
        index = build_index(parse_document(data, name), name=name, digest=digest)
    except RecursionError:
        raise ConversionError(f"{name} nests too deeply to index") from None
    if index.servers and not index.servers[0].startswith(("http://", "https://")) and _is_url(where):
        from urllib.parse import urljoin

        index.servers = [urljoin(where, s or "/").rstrip("/") for s in index.servers]
    prepare(index)  # grounding facts per operation, pickled with the index
    if opts.cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written is only a slower next run
    return index


# ---------------------------------------------------------------------------------------------
# documents


@dataclass
class Doc:
    name: str  # path relative to the folder, file path, or URL
    markdown: str
    html: bytes | None = None
    url: str | None = None


def _html_to_markdown(data: bytes, url: str | None) -> str:
    try:
        from llmingest.converters.html import convert
    except ImportError:  # the HTML converter is optional at this layer; markdownify is a dependency
        from markdownify import markdownify

        return markdownify(data.decode("utf-8", "replace"), heading_style="ATX")
    return convert(data, url).content


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _doc_from_bytes(name: str, data: bytes, ctype: str | None, url: str | None) -> Doc:
    is_html = (ctype or "").endswith("html") or name.lower().endswith(HTML_SUFFIXES) or (
        ctype is None and data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")))
    if is_html:
        return Doc(name, _html_to_markdown(data, url), data, url)
    fmt = converters.sniff(name, data, ctype)  # a .docx of instructions, a PDF manual: the dispatcher reads it
    if fmt is not None and fmt.document:
        return Doc(name, converters.convert(data, fmt, name=Path(name).name).document.content, None, url)
    return Doc(name, _decode(data), None, url)


def _is_document(name: str) -> bool:
    """A document format a folder scan reads (PDFs stay out, as before: `actions x.pdf` reads one)."""
    fmt = converters.sniff(name)
    return fmt is not None and fmt.document and fmt.name != "pdf"


def read_docs(source: str, options: Options) -> tuple[list[Doc], bool]:
    """The documents of ``source`` and whether it was a folder (sorted, deterministic)."""
    if _is_url(source):
        data, ctype, final = _read_bytes(source, options, "document")
        return [_doc_from_bytes(source, data, ctype, final)], False
    path = Path(source).expanduser()
    if not path.exists():
        raise SourceNotFound(f"{source} does not exist")
    confine_local(path)
    if path.is_file():
        data, _c, _w = _read_bytes(source, options, "document")
        return [_doc_from_bytes(source, data, None, None)], False
    docs = []
    files = sorted(p for p in path.rglob("*") if p.is_file() and (p.suffix.lower() in DOC_SUFFIXES or _is_document(p.name))
                   and not any(part.startswith(".") for part in p.relative_to(path).parts))
    for f in files:
        if unreadable_reason(path, f):  # a link out of the folder (or to a FIFO) is never read
            continue
        try:
            data = f.read_bytes()
        except OSError:
            continue
        if b"\x00" in data[:8192] and not _is_document(f.name):
            continue  # binary, whatever its name says
        try:
            docs.append(_doc_from_bytes(f.relative_to(path).as_posix(), data, None, None))
        except ConversionError:
            continue  # one unreadable document (or a missing extra) never sinks the folder
    return docs, True


# ---------------------------------------------------------------------------------------------
# the public entry points


def _convert(doc: Doc, index: SpecIndex | None, base_url: str | None, threshold: float | None,
             candidates: int = 0) -> ActionsResult:
    result = rewrite(doc.markdown, index, base_url=base_url, threshold=threshold, source_name=doc.name,
                     show_candidates=candidates)
    if doc.html is not None:
        forms = forms_from_html(doc.html, doc.url)
        if forms:
            result.tasks.extend(forms)
            result.matched += len(forms)
            lines = ["", "## Forms on this page (as HTTP requests)", ""]
            for f in forms:
                lines += [f"**{f.title}**", "", "```bash", *(f.curl or "").splitlines(), "```", ""]
            result.markdown = result.markdown.rstrip("\n") + "\n" + "\n".join(lines)
    return result


def _check_args(threshold: float | None, base_url: str | None) -> None:
    """Bad options fail before any fetch: a base URL that is not http(s) would put a broken URL
    into every curl."""
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise UsageError(f"threshold {threshold} is outside 0..1")
    if base_url is not None and not (_is_url(base_url) and len(base_url.split("://", 1)[1].strip("/")) > 0):
        raise UsageError(f"--base-url {base_url!r} is not an http(s) URL", hint="e.g. --base-url http://localhost:8080")


def actions_for(source: str, openapi: str | None, options: Options | None = None, *, base_url: str | None = None,
                threshold: float | None = None, candidates: int = 0, **_kw: Any) -> ActionsResult | list[ActionsResult]:
    """Rewrite the UI steps of ``source`` (file, folder or URL) into curl calls from ``openapi``.

    Returns one :class:`ActionsResult`, or a list of them (sorted by path) for a folder.
    ``candidates``: list that many likely operations under every task (for a person or agent to pick).

    >>> result = actions_for("docs/webhooks.md", "openapi.json")   # doctest: +SKIP
    >>> print(result.markdown)                                      # doctest: +SKIP
    """
    opts = options or Options()
    _check_args(threshold, base_url)
    if not 0 <= candidates <= 50:
        raise UsageError(f"--candidates {candidates} is outside 0..50")
    index = load_index(openapi, opts) if openapi else None
    docs, is_dir = read_docs(source, opts)
    results = []
    with progress_task(opts, "finding UI steps", len(docs)) as bar:
        for doc in docs:
            results.append(_convert(doc, index, base_url, threshold, candidates))
            bar.advance()
    if is_dir:
        return results
    return results[0]


def _site_results(url: str, openapi: str | None, options: Options, base_url: str | None,
                  threshold: float | None) -> list[ActionsResult]:
    """Crawl a docs site (the site source, same guards and limits) and rewrite every page."""
    from llmingest.api import ingest

    opts = options if options.max_pages else options.merged(max_pages=DEFAULT_REPORT_PAGES)
    index = load_index(openapi, opts) if openapi else None
    bundle = ingest(url, opts, kind="site")
    return [rewrite(doc.content, index, base_url=base_url, threshold=threshold, source_name=doc.url or doc.path)
            for doc in sorted(bundle.documents, key=lambda d: d.path)]


def readiness_report(source: str, openapi: str | None, options: Options | None = None, *,
                     threshold: float | None = None, base_url: str | None = None, crawl: bool = True) -> dict[str, Any]:
    """How ready a docs set is for agents: pages, UI tasks, how many have an API equivalent, and
    the pages that still need a person (most manual tasks first).

    A folder is read file by file; a URL is crawled as a docs site (``crawl=False``: that page only).
    """
    opts = options or Options()
    _check_args(threshold, base_url)
    if _is_url(source) and crawl:
        results = _site_results(source, openapi, opts, base_url, threshold)
    else:
        out = actions_for(source, openapi, opts, base_url=base_url, threshold=threshold)
        results = out if isinstance(out, list) else [out]
    pages = []
    for r in results:
        ui = [t for t in r.tasks if not t.title.startswith("Form: ")]
        pages.append({
            "page": r.source, "tasks": len(r.tasks), "ui_steps": sum(len(t.steps) for t in ui),
            "with_api": r.matched, "manual": r.manual,
            "manual_tasks": [t.title or t.steps[0][:60] if t.steps else t.title for t in r.tasks if t.status != "action"],
        })
    total_tasks = sum(p["tasks"] for p in pages)
    with_api = sum(p["with_api"] for p in pages)
    need_work = sorted((p for p in pages if p["manual"]), key=lambda p: (-p["manual"], p["page"]))
    return {
        "source": source,
        "spec": os.path.basename(openapi) if openapi else None,
        "pages": len(pages),
        "pages_with_ui_steps": sum(1 for p in pages if p["tasks"]),
        "tasks": total_tasks,
        "ui_steps": sum(p["ui_steps"] for p in pages),
        "with_api": with_api,
        "manual": total_tasks - with_api,
        "agent_ready": round(with_api / total_tasks, 3) if total_tasks else 1.0,
        "pages_needing_work": [{k: p[k] for k in ("page", "manual", "tasks", "manual_tasks")} for p in need_work],
        "per_page": pages,
    }


def render_report(report: dict[str, Any]) -> str:
    """The readiness report as plain text for a terminal."""
    lines = [
        f"Agent-readiness of {report['source']}" + (f" against {report['spec']}" if report["spec"] else ""),
        "",
        f"pages:                {report['pages']}",
        f"pages with UI steps:  {report['pages_with_ui_steps']}",
        f"UI tasks:             {report['tasks']} ({report['ui_steps']} steps)",
        f"with an API call:     {report['with_api']}",
        f"manual only:          {report['manual']}",
        f"agent-ready:          {report['agent_ready'] * 100:.0f}%",
    ]
    if report["pages_needing_work"]:
        lines += ["", "Pages that need work (manual tasks first):"]
        for p in report["pages_needing_work"]:
            lines.append(f"  {p['page']}: {p['manual']} of {p['tasks']} task(s) manual")
            for title in p["manual_tasks"]:
                lines.append(f"    - {title}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# the agent decides: the edges' entry points for choosing an operation and getting its curl


def operations_for_task(task: str, openapi: str, options: Options | None = None, *, k: int = 5) -> dict[str, Any]:
    """The k operations of ``openapi`` most likely to do what ``task`` (UI steps or a sentence)
    describes, each with method, path, summary, required parameters, body in brief, probability
    and why."""
    from llmingest.converters.actions import candidates, describe, explain, task_from_text

    if not task or not task.strip():
        raise UsageError("describe the task", hint='e.g. "Set a channel topic" or the UI steps in markdown')
    if not 1 <= k <= 50:
        raise UsageError(f"k {k} is outside 1..50")
    index = load_index(openapi, options or Options())
    title, steps = task_from_text(task)
    found = candidates(index, title, steps, k)
    return {"task": title, "spec": index.title,
            "candidates": [describe(op, p, explain(parts["features"])) for p, op, parts in found]}


def curl_for_operation(openapi: str, operation: str, values: dict[str, Any] | None = None,
                       options: Options | None = None, *, base_url: str | None = None) -> dict[str, Any]:
    """The curl for the operation an agent picked (``"POST /path"`` or an operationId), with its
    values, auth as env placeholders and every missing required field a named placeholder."""
    from llmingest.converters.actions import find_operation, operation_curl

    _check_args(None, base_url)
    index = load_index(openapi, options or Options())
    try:
        op = find_operation(index, operation)
    except LookupError:
        raise UsageError(f"no operation {operation!r} in {index.title}",
                         hint='give "METHOD /path" exactly as find_api_operation lists it, or an operationId') from None
    try:
        return operation_curl(index, op, values, base_url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
