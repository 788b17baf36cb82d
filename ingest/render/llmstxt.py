"""The llms.txt set of a Bundle: ``llms.txt``, ``llms-full.txt`` and one ``.md`` mirror per document.

Three producers write such a set and used to assemble it each on its own: ``llmingest site``
(a crawled site), ``llmingest bundle --llms-txt`` (many sources) and the MkDocs/Sphinx plugins
(a site being built). They differ in how documents become entries (sections from URL folders,
one section per source, the generator's nav) and in their llms-full.txt (capped, streamed,
titled by the page's own H1); the assembling is :func:`assemble`, here once: the index, the full
text, the mirrors and the llms.txt v2 ``.md`` twins, with the line formats of
:mod:`llmingest.converters.llmstxt`.

Pure functions of their input: the same Bundle gives byte-identical files.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from llmingest.converters import llmstxt
from llmingest.converters.llmstxt import OPTIONAL, Entry, Section
from llmingest.model import Bundle, Document
from llmingest.render.bundle import _groups
from llmingest.tokens import count, count_many

__all__ = ["assemble", "render_llms", "site_files", "render_site", "bundle_files", "plugin_files",
           "page_body", "twin_of", "twin_path", "link_hints", "absolute_url", "HEADERS_FILE", "ROOT_SECTION"]

#: the H2 of pages outside any section (a site's top level, a plugin's top-level nav)
ROOT_SECTION = "Docs"
#: Netlify / Cloudflare Pages custom-headers file: where a static host takes its Link headers from
HEADERS_FILE = "_headers"

#: a file's text, or a function making it (in pieces) when it is written
Lazy = Callable[[], "str | Iterable[str]"]


def assemble(title: str, summary: str | None, sections: list[Section], full: str | Lazy | None,
             mirrors: dict[str, str | Lazy], *, details: str | None = None,
             twins: Iterable[tuple[str, str]] = ()) -> dict[str, str | Lazy]:
    """The one place an llms.txt set is put together: {relative name: text}.

    ``sections`` are llms.txt's H2 lists, ``full`` the llms-full.txt text (None: not written),
    ``mirrors`` the ``.md`` files by name, ``twins`` (mirror, twin name) pairs: each twin gets
    its mirror's text unless a file of that name is already in the set.
    """
    files: dict[str, str | Lazy] = {"llms.txt": llmstxt.build_llms_txt(title, summary, sections, details)}
    if full is not None:
        files["llms-full.txt"] = full
    files.update(mirrors)
    for mirror, twin in twins:
        if twin not in files:
            files[twin] = files[mirror]
    return files


def render_llms(bundle: Bundle, name: str = "llms.txt", **opts) -> str:
    """One file of a Bundle's llms.txt set (``llms.txt`` or ``llms-full.txt``), by the Bundle's kind:
    a crawled site as ``llmingest site`` writes it, anything else as ``llmingest bundle --llms-txt``
    does (a one-source Bundle is a bundle of one). ``opts``: ``base_url``, ``summary``, and for a
    site ``max_tokens`` (caps llms-full.txt)."""
    if bundle.kind == "site" and bundle.metadata.get("built_by"):  # a plugin's: as the plugin writes it
        files = plugin_files(bundle, bundle.metadata.get("base_url"))
    elif bundle.kind == "site":
        files = site_files(bundle, opts.get("base_url"), opts.get("max_tokens"), lazy=False)
    else:
        files = bundle_files(_as_bundle(bundle), opts.get("base_url"), opts.get("summary"))
    return files[name]  # type: ignore[return-value]


def _as_bundle(one: Bundle) -> Bundle:
    """A one-source Bundle as a bundle of one: its documents labelled with its name (copies; the
    caller's Bundle is not changed)."""
    if one.kind == "bundle":
        return one
    from dataclasses import replace

    label = one.title or str(one.metadata.get("name") or "") or one.source
    docs = [replace(d, metadata={**d.metadata, "source_label": label, "source_kind": one.kind}) for d in one.documents]
    return replace(one, kind="bundle", documents=docs, title=one.title or label)


# ---------------------------------------------------------------------------------------------
# a crawled site (``llmingest site``)

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n+", re.S)


def page_body(doc: Document) -> str:
    """The page's markdown without front matter (PDF documents carry theirs inside content)."""
    if doc.metadata.get("front_matter"):
        return _FRONT_MATTER.sub("", doc.content, count=1)
    return doc.content


def _link(doc: Document, base_url: str | None) -> str:
    if base_url:
        return base_url.rstrip("/") + "/" + doc.metadata.get("mirror", llmstxt.mirror_path(doc.path))
    return doc.url or doc.path


def _mirror_text(doc: Document) -> str:
    if doc.metadata.get("front_matter"):
        return doc.content.rstrip("\n") + "\n"
    from llmingest.converters.html import front_matter

    return front_matter(doc) + doc.content.strip("\n") + "\n"


def _fit(title: str, summary: str | None, docs: list[Document], max_tokens: int, encoding: str
         ) -> tuple[list[Document], list[Document]]:
    """Pages kept within ``max_tokens`` (Optional dropped first, then from the end, then smaller cut
    pages put back while they fit) and pages cut."""
    header = count(llmstxt.build_llms_full(title, summary, []), encoding)
    chunks = [llmstxt.build_llms_full("x", None, [(d.title or "", d.url or d.path, page_body(d))]) for d in docs]
    sizes = count_many(chunks, encoding)
    sizes = [max(0, s - 3) for s in sizes]  # minus the "# x" line of the dummy title
    cost = dict(zip((id(d) for d in docs), sizes, strict=True))

    def cut_note(cut: list[Document]) -> int:
        if not cut:
            return 0
        lines = [f"- [{d.title}]({d.url}) ({cost[id(d)]:,} tokens)" for d in cut]
        return count(f"\n## Cut to fit {max_tokens:,} tokens\n\n" + "\n".join(lines) + "\n", encoding) + 2

    kept = list(docs)
    cut: list[Document] = []
    # Optional first (from its end), then the rest from the end, until everything fits
    removal = [d for d in reversed(docs) if d.metadata.get("optional")] + \
              [d for d in reversed(docs) if not d.metadata.get("optional")]
    total = header + sum(sizes)
    for doc in removal:
        if total + cut_note(cut) <= max_tokens:
            break
        kept.remove(doc)
        cut.append(doc)
        total -= cost[id(doc)]
    # dropping a big page made room: put back the smaller cut pages that still fit (rest before
    # Optional, in reading order), so the budget is used and not left half empty
    for doc in sorted(cut, key=lambda d: (bool(d.metadata.get("optional")), docs.index(d))):
        rest = [d for d in cut if d is not doc]
        if total + cost[id(doc)] + cut_note(rest) <= max_tokens:
            total += cost[id(doc)]
            cut = rest
    gone = {id(d) for d in cut}
    kept = [d for d in docs if id(d) not in gone]
    cut.sort(key=docs.index)
    return kept, cut


def _site_sections(docs: list[Document], base_url: str | None) -> list[Section]:
    sections: list[Section] = []
    for doc in docs:
        name = doc.metadata.get("section") or ROOT_SECTION
        if not sections or sections[-1].name != name:
            sections.append(Section(name, []))
        sections[-1].entries.append(Entry(doc.title or doc.path, _link(doc, base_url), doc.description))
    return sections


def _site_details(bundle: Bundle, sections: int) -> str:
    docs = bundle.documents
    source = bundle.metadata.get("start_url") or bundle.source
    if source.endswith("/index.html"):
        source = source[: -len("index.html")]
    optional = sum(1 for d in docs if d.metadata.get("optional"))
    details = (f"Generated by llmingest from {source}: {len(docs)} page{'s' if len(docs) != 1 else ''} "
               f"in {sections} section{'s' if sections != 1 else ''}. llms-full.txt holds every page's "
               "markdown in this order")
    return details + ("; the Optional section can be skipped when a shorter context is needed." if optional else ".")


def _site_full(site: str, summary: str | None, docs: list[Document], max_tokens: int | None, encoding: str,
               *, lazy: bool) -> str | Lazy:
    """llms-full.txt of a site: every page in order; with ``max_tokens``, fitted (see :func:`_fit`)
    and the cut pages listed at its end; with ``lazy`` and no cap, a function streaming it."""
    if lazy and max_tokens is None:  # pieces made afresh on every call (written, hashed)
        return lambda: llmstxt.iter_llms_full(
            site, summary, ((d.title or d.path, d.url or d.path, page_body(d)) for d in docs))
    kept, cut = (docs, []) if max_tokens is None else _fit(site, summary, docs, max_tokens, encoding)
    while True:
        full = llmstxt.build_llms_full(site, summary, [(d.title or d.path, d.url or d.path, page_body(d)) for d in kept])
        if cut:
            full = full.rstrip("\n") + f"\n\n## Cut to fit {max_tokens:,} tokens\n\n" + "\n".join(
                f"- [{llmstxt._link_title(d.title or d.path)}]({d.url}) ({d.tokens:,} tokens)" for d in cut) + "\n"
        if max_tokens is None or not kept or count(full, encoding) <= max_tokens:
            return full
        # the estimate was off by a few tokens: drop one more page (Optional first) and recount
        victim = next((d for d in reversed(kept) if d.metadata.get("optional")), kept[-1])
        kept.remove(victim)
        cut = sorted([*cut, victim], key=docs.index)


def site_files(bundle: Bundle, base_url: str | None, max_tokens: int | None, *, lazy: bool,
               twins: bool = False) -> dict[str, str | Lazy]:
    """:func:`render_site`; with ``lazy``, llms-full.txt (without a cap) and the mirrors are
    functions making their text (llms-full.txt in pieces) when written, so a site is never held a
    second and third time while it is written (the peak was 5x the llms-full.txt)."""
    site = bundle.metadata.get("site_name") or bundle.title or "Documentation"
    summary = bundle.metadata.get("summary") or bundle.description
    docs = bundle.documents
    sections = _site_sections(docs, base_url)
    full = _site_full(site, summary, docs, max_tokens, bundle.encoding, lazy=lazy)
    mirror_of = {id(d): d.metadata.get("mirror") or llmstxt.mirror_path(d.path) for d in docs}
    mirrors = {mirror_of[id(d)]: functools.partial(_mirror_text, d) if lazy else _mirror_text(d) for d in docs}
    pairs = [(mirror_of[id(d)], twin) for d in docs if twins and (twin := twin_of(d.url or d.path, mirror_of[id(d)]))]
    files = assemble(site, summary, sections, full, mirrors, details=_site_details(bundle, len(sections)), twins=pairs)
    made = [twin for mirror, twin in pairs if files[twin] is files[mirror] and twin not in mirrors]
    if base_url and made:
        files[HEADERS_FILE] = link_hints(sorted(set(made)), base_url)
    return dict(sorted(files.items()))


def render_site(bundle: Bundle, base_url: str | None = None, *, max_tokens: int | None = None,
                twins: bool = False) -> dict[str, str]:
    """The output files of a site Bundle: relative path -> text (``llms.txt``, ``llms-full.txt``, mirrors).

    ``base_url`` is where the outputs are published: llms.txt then links each page's ``.md``
    mirror there; without it, it links the pages' original URLs. ``max_tokens`` caps llms-full.txt
    (dropping Optional pages first, then pages from the end, refilling with smaller cut pages that
    fit) and lists what was cut at its end.
    """
    return site_files(bundle, base_url, max_tokens, lazy=False, twins=twins)  # type: ignore[return-value]


def link_hints(twins: list[str], base_url: str) -> str:
    """A ``_headers`` file giving each page a ``Link: <twin>; rel="alternate"; type="text/markdown"``
    header (llms.txt v2), for static hosts that read one; paths under ``base_url``'s path."""
    root = urlsplit(base_url).path.rstrip("/")
    lines = ["# written by `llmingest site --md-twins`: each page's markdown twin as a Link header"]
    for twin in sorted(twins):
        page = twin[:-3]  # guide/install.html.md -> guide/install.html
        served = page[: -len("index.html")] if page == "index.html" or page.endswith("/index.html") else page
        lines += [f"{root}/{served}", f'  Link: <{root}/{twin}>; rel="alternate"; type="text/markdown"']
    return "\n".join(lines) + "\n"


def twin_of(url: str, mirror: str) -> str | None:
    """The llms.txt v2 ``.md`` twin of a page next to its mirror: ``<page URL>.md``, or
    ``index.html.md`` for a folder URL; None when the mirror already sits at that name
    (``/guide/install`` -> ``guide/install.md``).

    >>> twin_of("https://d/guide/install.html", "guide/install.md"), twin_of("https://d/g/", "g/index.md")
    ('guide/install.html.md', 'g/index.html.md')
    """
    path = urlsplit(url).path.lower()
    if not mirror.endswith(".md"):
        return None
    if path.endswith("/") or path == "":
        return mirror[:-3] + ".html.md"
    for ext in (".html", ".htm"):
        if path.endswith(ext):
            return mirror[:-3] + ext + ".md"
    return None


# ---------------------------------------------------------------------------------------------
# a multi-source bundle (``llmingest bundle --llms-txt``)


def is_prose(doc: Document) -> bool:
    """Markdown-like text (ours or the user's): gets a description line in llms.txt."""
    from llmingest.render.digest import inline_markdown

    return inline_markdown(doc) or doc.kind == "notebook" or doc.language in (None, "markdown", "rst", "text", "mdx")


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", re.sub(r"^https?://", "", text)).strip("-.")
    return slug[:80] or "source"


def _url_root(docs: list[Document]) -> str:
    """The folder all of a source's page URLs share (``/3/`` for a site under
    ``https://docs.python.org/3/``): mirrors are named relative to it, so the site's own base path
    is not repeated under the output's ``--base-url``."""
    folders = [urlsplit(d.url).path.rsplit("/", 1)[0].split("/") for d in docs if d.url]
    if not folders:
        return "/"
    common = folders[0]
    for parts in folders[1:]:
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/".join(common).rstrip("/") + "/"


def _doc_file(doc: Document, root: str = "/") -> str:
    path = doc.path
    if doc.url:
        url_path = urlsplit(doc.url).path or "/"
        if url_path.startswith(root):
            url_path = "/" + url_path[len(root):]
        return llmstxt.mirror_path(url_path)
    path = path.split(" (piece ")[0]
    return path if path.endswith(".md") else path + ".md"


def _bundle_mirror(doc: Document) -> str:
    if is_prose(doc):
        return doc.content
    from llmingest.render.digest import fence_for

    fence = fence_for(doc.content)
    return f"# {doc.path}\n\n{fence}{doc.language or ''}\n{doc.content.rstrip()}\n{fence}\n"


def bundle_files(bundle: Bundle, base_url: str | None = None, summary: str | None = None) -> dict[str, str]:
    """{relative path: text} for llms.txt, llms-full.txt and one .md per document; one H2 per source."""
    mirrors: dict[str, str] = {}
    sections: list[Section] = []
    full_pages: list[tuple[str, str, str]] = []
    prefix = (base_url.rstrip("/") + "/") if base_url else ""
    groups = _groups(bundle)
    for label, docs in groups:
        slug = _slug(label)
        entries = []
        root = _url_root(docs)
        for doc in docs:
            rel = f"{slug}/{_doc_file(doc, root)}"
            while rel in mirrors:
                rel = rel[:-3] + "-1.md"
            content = _bundle_mirror(doc)
            mirrors[rel] = content.rstrip("\n") + "\n"
            title = doc.title or doc.path
            desc = doc.description or (llmstxt.first_sentence(doc.content) if is_prose(doc) else None)
            entries.append(Entry(title, prefix + rel, desc))
            full_pages.append((title, doc.url or prefix + rel, content))
        sections.append(Section(label, entries))
    title = bundle.title or "bundle"
    summary = summary or f"Context bundle of {len(sections)} source{'s' if len(sections) != 1 else ''}: " + ", ".join(
        label for label, _ in groups)
    files = assemble(title, summary, sections, llmstxt.build_llms_full(title, summary, full_pages), mirrors)
    return {**mirrors, "llms.txt": files["llms.txt"], "llms-full.txt": files["llms-full.txt"]}  # type: ignore[dict-item]


# ---------------------------------------------------------------------------------------------
# a site being built (the MkDocs plugin, the Sphinx extension)

#: ``widgets[^1]``: a footnote marker means nothing in a one-line description
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\](?!:)")


def twin_path(mirror: str) -> str | None:
    """The llms.txt v2 ``.md`` twin of a page, next to its HTML: ``guide/install.md`` (the mirror of
    ``guide/install.html``) -> ``guide/install.html.md``; ``guide/index.md`` -> ``guide/index.html.md``.

    Agents that know the convention fetch ``<page URL>.md`` (``index.html.md`` for a folder URL)
    without reading llms.txt first. None for a mirror that is no HTML page's.
    """
    if not mirror.endswith(".md") or mirror.endswith(".html.md"):
        return None
    return mirror[:-3] + ".html.md"


def _fallback_summary(site_name: str, docs: list[Document]) -> str:
    """The ``> summary`` line llms.txt requires when the project sets no description (a fresh
    ``mkdocs new`` has no ``site_description``): the home page's first sentence, else a plain line."""
    home = next((d for d in docs if d.metadata["mirror"] in ("index.md", "index.html.md")), docs[0] if docs else None)
    sentence = llmstxt.first_sentence(_FOOTNOTE_REF.sub("", home.content)) if home else ""
    return sentence or f"Documentation of {site_name}."


def absolute_url(base_url: str | None, path: str) -> str:
    """``path`` (relative to the site root) under ``base_url``; ``path`` itself when there is no base."""
    if base_url is None or urlsplit(path).scheme:
        return path
    return urljoin(base_url, path.lstrip("/") if not path.startswith("//") else path)


def _own_h1(markdown: str) -> str | None:
    """The text of the H1 ``markdown`` opens with (ensure_title guarantees one), if any."""
    m = re.match(r"#[ \t]+(.+?)[ \t#]*(?:\n|$)", markdown.lstrip("\n"))
    return m.group(1) if m else None


def plugin_files(bundle: Bundle, base_url: str | None, *, full_text: bool = True, twins: bool = True) -> dict[str, str]:
    """The files of a site a plugin builds: its Bundle's documents carry ``url`` (where the HTML
    page is served), ``content`` (the mirror's markdown) and ``metadata`` ``mirror`` (the mirror's
    path under the site root), ``section`` and ``optional``; the Bundle's ``metadata["details"]``
    is llms.txt's free-text paragraph.

    llms.txt links each page's mirror under ``base_url``; llms-full.txt (``full_text``) puts each
    page under its own H1 (a nav label "Home" over "# Widgets" would say it twice); ``twins`` also
    writes each page's ``page.html.md`` twin next to its HTML (llms.txt v2).
    """
    docs = bundle.documents
    site_name = bundle.title or ""
    summary = bundle.description or _fallback_summary(site_name, docs)
    by_section: dict[str, list[Entry]] = {}
    for doc in docs:
        name = OPTIONAL if doc.metadata.get("optional") else doc.metadata.get("section", ROOT_SECTION)
        description = doc.description or llmstxt.first_sentence(_FOOTNOTE_REF.sub("", doc.content)) or None
        by_section.setdefault(name, []).append(Entry(doc.title or "", absolute_url(base_url, doc.metadata["mirror"]),
                                                     description))
    full = llmstxt.build_llms_full(site_name, summary, [(_own_h1(d.content) or d.title or "", d.url or "", d.content)
                                                        for d in docs]) if full_text else None
    mirrors: dict[str, str | Lazy] = {}
    for doc in docs:
        mirrors[doc.metadata["mirror"]] = doc.content.rstrip("\n") + "\n"
    pairs = [(d.metadata["mirror"], twin) for d in docs if twins and (twin := twin_path(d.metadata["mirror"]))]
    return assemble(site_name, summary, [Section(n, e) for n, e in by_section.items()], full, mirrors,  # type: ignore[return-value]
                    details=bundle.metadata.get("details"), twins=pairs)
