"""One library version's docs: the publisher's llms.txt, else its versioned site, else its repo at the tag.

:func:`library_docs` is what ``llmingest docs`` and the MCP ``library_docs`` tool call. The order is
the issue's: the publisher's ``llms-full.txt``/``llms.txt`` *for that version* (probed under the
versioned docs URL only, never the site root, which describes another version), else a crawl of the
versioned docs site, else the repository's docs folder and README at the matching tag. The latest
version may also be served from the project's unversioned docs (they describe it) or, when no tag
matches, from the default branch; either is said in the output. An older version with none of these
is an error naming what was tried: never a silent latest.

Results are cached by ecosystem:name@version (:class:`~llmingest.fetch.cache.ResultCache`); a pinned
version is answered from the cache without asking the index again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from llmingest.errors import IngestError, SourceNotFound
from llmingest.fetch.cache import ResultCache, make_key
from llmingest.model import Bundle, Document
from llmingest.options import Options
from llmingest.sources.libdocs import (
    LibrarySpec,
    Resolution,
    load_registry,
    parse_spec,
    remote_tags,
    resolve,
    version_candidates,
)
from llmingest.tokens import count, truncate

__all__ = ["library_docs", "render_docs", "sections", "Served", "DEFAULT_DOCS_TOKENS", "DOCS_MAX_PAGES"]

DEFAULT_DOCS_TOKENS = 8_000
DOCS_MAX_PAGES = 150  # a versioned docs crawl stops here (the index and the best sections need no more)
REPO_DOC_GLOBS = ["README*", "readme*", "docs/**", "doc/**", "documentation/**", "*.md", "*.rst"]
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class _Found:
    served_from: str  # llms-full.txt | llms.txt | site | repository
    location: str
    documents: list[Document]
    llms_txt: str | None
    note: str | None = None


# ---- probing ------------------------------------------------------------------------------------------


def _get(url: str, options: Options) -> tuple[int, str, str, str]:
    """(status, content type, text, final URL) or (0, ...) when the fetch failed (a probe, not an error)."""
    from llmingest.fetch.http import fetch

    try:
        resp = fetch(url, options, check=False, max_bytes=20_000_000)
    except IngestError:
        return 0, "", "", url
    return resp.status, resp.content_type, resp.content.decode(resp.charset or "utf-8", "replace"), resp.url


def _llms_files(base: str, options: Options) -> dict[str, tuple[str, str]]:
    """The llms.txt / llms-full.txt published right under ``base`` (name -> (URL, text))."""
    found: dict[str, tuple[str, str]] = {}
    for name in ("llms.txt", "llms-full.txt"):
        status, ctype, text, final = _get(base.rstrip("/") + "/" + name, options)
        if status == 200 and ctype not in _HTML_TYPES and text.lstrip().startswith("# "):
            found[name] = (final, text)
    return found


def _mentions(text: str, version: str) -> bool:
    """Does a docs page name this version (2.31.0, or its 2.31 series)? Guards against sites that
    answer 200 for any path: a page that does not say the version is not taken as its docs."""
    spells = [s for s in version_candidates(version) if not s.endswith(".x")]
    return any(re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", text) for s in spells)


def _versioned_base(res: Resolution, options: Options) -> str | None:
    for url in res.versioned_docs:
        status, ctype, text, _final = _get(url, options)
        if status == 200 and _mentions(text, res.version):
            return url
    return None


# ---- the three ways ----------------------------------------------------------------------------------


def _split_expanded(xml: str) -> list[Document]:
    """``llmstxt expand`` output -> one Document per ``<doc>``."""
    docs = []
    for m in re.finditer(r'<doc title="([^"]*)" url="([^"]*)"[^>]*>\n(.*?)\n</doc>', xml, re.S):
        title = m[1].replace("&quot;", '"').replace("&lt;", "<").replace("&amp;", "&")
        docs.append(Document(path=m[2], content=m[3], title=title, url=m[2].replace("&amp;", "&"), kind="markdown"))
    return docs


_REL_LINK = re.compile(r"\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^)\s]+)\)")


def _absolute(text: str, base: str) -> str:
    """Markdown links made absolute against ``base``: the answer is read far from the llms.txt."""
    from urllib.parse import urljoin

    return _REL_LINK.sub(lambda m: f"]({urljoin(base, m[1])})", text)


def _from_llms(files: dict[str, tuple[str, str]], options: Options, want_pages: bool) -> _Found:
    files = {name: (url, _absolute(text, url)) for name, (url, text) in files.items()}
    if "llms-full.txt" in files:
        url, text = files["llms-full.txt"]
        llms = files.get("llms.txt", (None, None))[1]
        return _Found("llms-full.txt", url, [Document(path="llms-full.txt", content=text, url=url, kind="markdown")], llms)
    url, text = files["llms.txt"]
    docs: list[Document] = []
    note = None
    if want_pages:
        from llmingest.sources.site import expand

        head, links = _first_links(text, DOCS_MAX_PAGES)
        if links > DOCS_MAX_PAGES:
            note = f"topic searched in the first {DOCS_MAX_PAGES} of the llms.txt's {links} pages"
        expanded, _skipped = expand(head, url, options, optional=False)
        docs = _split_expanded(expanded)
    return _Found("llms.txt", url, docs or [Document(path="llms.txt", content=text, url=url, kind="markdown")], text,
                  note)


def _first_links(text: str, limit: int) -> tuple[str, int]:
    """``text`` with at most ``limit`` link lines kept (a huge llms.txt is not fetched page by page),
    and how many it had."""
    kept, seen = [], 0
    for line in text.splitlines():
        if line.lstrip().startswith("- ["):
            seen += 1
            if seen > limit:
                continue
        kept.append(line)
    return "\n".join(kept) + "\n", seen


def _from_site(base: str, options: Options) -> _Found:
    from llmingest.api import ingest
    from llmingest.render.llmstxt import render_site

    opts = options.merged(max_pages=options.max_pages or DOCS_MAX_PAGES)
    bundle = ingest(base, opts, kind="site")
    if not bundle.documents:
        raise SourceNotFound(f"the docs site {base} gave no pages")
    return _Found("site", base, bundle.documents, render_site(bundle)["llms.txt"])


def _repo_index(res: Resolution, where: str, docs: list[Document]) -> str:
    lines = [f"# {res.name}", "", f"> {res.name} {res.version}: documentation from {where}", "", "## Docs", ""]
    for d in sorted(docs, key=lambda d: (not d.path.lower().startswith("readme"), d.path)):
        lines.append(f"- [{d.title or d.path}]({d.url or d.path})")
    return "\n".join(lines) + "\n"


def _from_repo(res: Resolution, options: Options) -> _Found:
    from llmingest.api import ingest

    if not res.repository:
        raise SourceNotFound(f"{res.name} {res.version}: the registry names no docs site and no repository")
    tags = remote_tags(res.repository, options)
    tag = next((t for t in res.tags if t in tags), None)
    note = None
    if tag is None:
        if not res.is_latest:
            shown = ", ".join(sorted(tags)[-10:]) or "(none)"
            raise SourceNotFound(
                f"no docs for {res.name} {res.version}: no versioned docs site answered"
                f"{' (' + ', '.join(res.versioned_docs[:3]) + ')' if res.versioned_docs else ''}"
                f" and {res.repository} has no tag {' / '.join(res.tags)}",
                hint=f"tags found: {shown}; ask for one of those versions, or the latest")
        note = f"no tag for {res.version} in {res.repository}: read its default branch"
    prefix = f"{res.directory.strip('/')}/" if res.directory else ""
    include = [prefix + g for g in REPO_DOC_GLOBS] + (REPO_DOC_GLOBS[:2] if prefix else [])
    bundle = ingest(res.repository, options.merged(ref=tag, include=include), kind="repo")
    docs = [d for d in bundle.documents if d.kind != "code" or d.path.lower().endswith((".md", ".rst", ".txt"))]
    if not docs:
        raise SourceNotFound(f"{res.repository} has no README or docs folder at {tag or 'its default branch'}")
    where = f"{res.repository} at tag {tag}" if tag else f"{res.repository} (default branch)"
    return _Found("repository", f"{res.repository}@{tag}" if tag else res.repository, docs,
                  _repo_index(res, where, docs), note)


def _find(res: Resolution, options: Options, want_pages: bool) -> _Found:
    base = _versioned_base(res, options)
    note = None
    if base is None and res.is_latest and res.docs_url:
        base = res.docs_url
        note = f"the project's current docs ({res.docs_url}); the index's latest release is {res.version}"
    if base is not None:
        files = _llms_files(base, options)
        if not files and base == res.docs_url and base.rstrip("/").count("/") > 2:
            from urllib.parse import urlsplit

            parts = urlsplit(base)
            files = _llms_files(f"{parts.scheme}://{parts.netloc}/", options)
        try:
            found = _from_llms(files, options, want_pages) if files else _from_site(base, options)
        except SourceNotFound:
            found = None
        if found is not None:
            found.note = "; ".join(n for n in (note, found.note) if n) or None
            return found
    return _from_repo(res, options)


# ---- the entry point -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """What a library-docs Bundle served and from where: the typed view every reader uses.

    Stored in ``Bundle.metadata`` under the same names as before (the result cache and the JSON
    output keep their shape); code reads these fields, never the string keys.
    """

    resolution: dict[str, Any]  # Resolution.to_dict(): name, ecosystem, version, requested, latest, urls
    served_from: str | None = None  # llms-full.txt | llms.txt | site | repository
    location: str | None = None
    llms_txt: str | None = None
    note: str | None = None

    @classmethod
    def of(cls, bundle: Bundle) -> Served:
        meta = bundle.metadata
        return cls(resolution=meta.get("resolution") or {}, served_from=meta.get("served_from"),
                   location=meta.get("location"), llms_txt=meta.get("llms_txt"), note=meta.get("note"))

    def metadata(self) -> dict[str, Any]:
        return {"resolution": self.resolution, "served_from": self.served_from, "location": self.location,
                "llms_txt": self.llms_txt, "note": self.note}


def _bundle(found: _Found, res: Resolution, options: Options) -> Bundle:
    meta = Served(res.to_dict(), found.served_from, found.location, found.llms_txt, found.note).metadata()
    return Bundle(source=f"{res.ecosystem}:{res.name}@{res.version}", kind="libdocs", documents=found.documents,
                  metadata=meta, title=res.name, encoding=options.encoding)


def library_docs(spec: str | LibrarySpec, options: Options | None = None, *, ecosystem: str | None = None,
                 version: str | None = None, index: str | None = None, cache: ResultCache | None = None,
                 topic: bool = False) -> Bundle:
    """The docs Bundle of one library version; ``metadata`` says what was served and from where.

    ``topic=True`` asks for every page's text (an llms.txt alone is expanded into its pages), which
    topic search needs; without it the llms.txt is enough.
    """
    opts = options or Options()
    sp = parse_spec(spec, ecosystem) if isinstance(spec, str) else spec
    if version:
        sp = LibrarySpec(sp.name, version, sp.ecosystem)
    context = (sp.ecosystem, index, opts.allow_private, sorted(opts.host_map.items()), topic)
    pinned = make_key("libdocs-pin", 1, sp.name, sp.version, *context) if sp.version else None
    if pinned and cache is not None:
        hit = cache.get(pinned)
        if hit is not None:
            return hit
    reg = load_registry(sp, opts, index)
    res = resolve(reg, sp.version)
    key = make_key("libdocs", 1, res.ecosystem, res.name, res.version, *context)
    if cache is not None:
        hit = cache.get(key)
        if hit is None and topic:  # a crawl or a repository read without a topic holds every page already
            plain = cache.get(make_key("libdocs", 1, res.ecosystem, res.name, res.version, *context[:-1], False))
            if plain is not None and Served.of(plain).served_from in ("site", "repository", "llms-full.txt"):
                hit = plain
        if hit is not None:
            if pinned:
                cache.put(pinned, hit)
            return hit
    bundle = _bundle(_find(res, opts, topic), res, opts)
    if cache is not None:
        cache.put(key, bundle)
        if pinned:
            cache.put(pinned, bundle)
    return bundle


# ---- topic search and rendering ---------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")


def _cut(text: str) -> list[tuple[str | None, str]]:
    """(heading, text) pieces of one markdown text, cut at #, ## and ### outside code fences."""
    pieces: list[tuple[str | None, str]] = []
    title: str | None = None
    current: list[str] = []
    fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        m = None if fence else _HEADING.match(line)
        if m and current:
            pieces.append((title, "\n".join(current)))
            current = []
        if m:
            title = m[2]
        current.append(line)
    pieces.append((title, "\n".join(current)))
    return [(t, body.strip("\n")) for t, body in pieces if body.strip()]


def sections(docs: list[Document]) -> list[Document]:
    """Every document cut at its headings: the units a topic ranks."""
    out: list[Document] = []
    for doc in docs:
        text = doc.content
        if text.startswith("---\n"):  # a page's own front matter is not a section
            end = text.find("\n---\n", 4)
            text = text[end + 5:] if end != -1 else text
        for title, body in _cut(text):
            out.append(Document(path=f"{doc.path}#{len(out)}", content=body, title=title or doc.title or doc.path,
                                url=doc.url, kind="markdown", metadata={"page": doc.title or doc.path}))
    return out


def best_sections(docs: list[Document], topic: str, max_tokens: int, encoding: str) -> list[Document]:
    """The sections that answer ``topic`` best (BM25), in rank order, within ``max_tokens``."""
    import bm25s

    units = sections(docs)
    if not units or not topic.strip():
        return []
    corpus = [f"{u.title}\n{u.metadata.get('page', '')}\n{u.content}" for u in units]
    retriever: Any = bm25s.BM25()
    try:
        retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
        ids, scores = retriever.retrieve(bm25s.tokenize([topic], stopwords="en", show_progress=False),
                                         k=min(len(units), 50), show_progress=False)
    except ValueError:  # no indexable word anywhere
        return []
    ranked = [(units[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if float(s) > 0]
    ranked.sort(key=lambda h: (-h[1], h[0].path))
    chosen, used = [], 0
    for unit, _score in ranked:
        cost = count(unit.content, encoding) + 20
        if used + cost > max_tokens:
            if not chosen:  # the best section alone is too long: its beginning
                unit.content = truncate(unit.content, max(50, max_tokens - 40), encoding)
                chosen.append(unit)
            continue
        chosen.append(unit)
        used += cost
    return chosen


def _yaml(value: Any) -> str:
    text = "" if value is None else str(value)
    if not text or ": " in text or " #" in text or text.endswith(":") or text[0] in "[]{}&*!|>'\"%@`#,?-" \
            or text != text.strip() or "\n" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def header(bundle: Bundle, topic: str | None = None) -> str:
    """Front matter that always states the version served and where the text came from."""
    served = Served.of(bundle)
    res = served.resolution
    rows = [("library", res.get("name")), ("ecosystem", res.get("ecosystem")), ("version", res.get("version")),
            ("requested", res.get("requested") or "latest"), ("latest", res.get("latest")),
            ("served_from", served.served_from), ("location", served.location),
            ("docs_url", res.get("docs_url")), ("repository", res.get("repository"))]
    if served.note:
        rows.append(("note", served.note))
    if topic:
        rows.append(("topic", topic))
    return "---\n" + "".join(f"{k}: {_yaml(v)}\n" for k, v in rows if v is not None) + "---\n\n"


def render_docs(bundle: Bundle, topic: str | None = None, max_tokens: int | None = None) -> str:
    """The answer: header + the llms.txt (no topic) or the best sections for ``topic`` within the budget."""
    enc = bundle.encoding
    budget = max_tokens or DEFAULT_DOCS_TOKENS
    head = header(bundle, topic)
    if topic and topic.strip():
        chosen = best_sections(bundle.documents, topic, max(100, budget - count(head, enc)), enc)
        if not chosen:
            return head + f"No section of these docs matches {topic!r}.\n"
        parts = []
        for unit in chosen:
            where = unit.url or unit.metadata.get("page") or ""
            body = unit.content.strip("\n")
            if not body.lstrip().startswith("#"):
                body = f"## {unit.title}\n\n{body}"
            parts.append(f"{body}\n\n(source: {where})\n")
        return head + "\n".join(parts)
    text = Served.of(bundle).llms_txt or "\n\n".join(d.content for d in bundle.documents)
    body = truncate(text, max(100, budget - count(head, enc)), enc)
    if len(body) < len(text):
        body = body.rstrip() + f"\n\n[... cut to {budget:,} tokens; pass a topic to get the sections about it]\n"
    return head + body
