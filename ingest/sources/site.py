"""A whole docs site -> Bundle -> ``llms.txt``, ``llms-full.txt`` and one ``.md`` mirror per page.

:func:`ingest_site` is what ``llmingest.ingest(..., kind="site")`` calls: it crawls a URL (or reads
a folder of built HTML served at ``--base-url``) with :mod:`llmingest.fetch.crawl`, converts every page
with the HTML converter (PDFs with the PDF converter), drops duplicates (same canonical URL or same
content), names the site, and groups pages into sections by the first segment of their URL path,
with changelogs, indexes, search and release notes in the spec's ``Optional`` section.

:func:`llmingest.render.llmstxt.render_site` turns that Bundle into the output files (a pure
function of the Bundle, so output is byte-identical for the same site), :func:`write_site` writes
them through :mod:`llmingest.output` and :func:`diff_site` is ``--check``. :func:`expand` is
``llmingest llmstxt expand``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from llmingest import converters, output
from llmingest.converters import llmstxt
from llmingest.converters.llmstxt import OPTIONAL, Entry
from llmingest.errors import ConversionError, IngestError, UsageError
from llmingest.fetch.crawl import CrawlResult, FetchedPage, crawl, crawl_folder, in_scope, normalize, relative
from llmingest.model import Bundle, Document, Skipped
from llmingest.options import Options
from llmingest.progress import task
from llmingest.render.llmstxt import HEADERS_FILE, ROOT_SECTION, render_site, site_files, twin_of
from llmingest.render.llmstxt import page_body as _body
from llmingest.sources import parse as sources
from llmingest.tokens import count, count_cached, count_many

__all__ = ["ingest_site", "write_site", "diff_site", "expand", "to_document", "ROOT_SECTION"]

_OPTIONAL_PATH = re.compile(
    r"(^|/)(changelog|changes|history|news|release[-_]?notes?|releases|whatsnew|what-?s-?new|genindex[^/]*|"
    r"py-modindex|modindex|np-modindex|search|404|copyright|license|sitemap|glossary-index|contents|toc)(\.[a-z]+|/|$)",
    re.I,
)
# a changelog may say more ("2. NEWS", "Changes in 3.1"); an index or search page is only that word
_OPTIONAL_TITLE = re.compile(
    r"^(\d+(\.\d+)*\.?\s+)?(change ?log|changes|release notes|what'?s new|(older )?news)\b"
    r"|^(\d+(\.\d+)*\.?\s+)?(index|search|general index|search page|search results)\s*$", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|—–·»]\s+|\s+-\s+")
_TITLE_PAREN = re.compile(r"^.*\S\s+\(([^()]+)\)$")  # texinfo: "Node name (Manual Title)"


# ---------------------------------------------------------------------------------------------
# converting one fetched thing


def to_document(data: bytes, url: str, content_type: str, charset: str | None = None, *,
                facts: list | None = None) -> tuple[Document | None, str]:
    """Convert fetched bytes by media type: (Document, "") or (None, why it was skipped).

    ``facts``: a list that receives an HTML page's crawl facts (links, title, site name,
    description) read off the converter's parse, also for a page then skipped (a JavaScript app's
    shell still links the rest of the site)."""
    path = urlsplit(url).path
    suffix = os.path.splitext(path)[1].lower()
    ctype = content_type or ""
    try:
        if ctype in ("text/html", "application/xhtml+xml") or (not ctype and suffix in ("", ".html", ".htm")):
            from llmingest.sources.page import is_spa_shell

            doc = converters.convert(data, "html", url=url, charset=charset, crawl_facts=facts is not None).document
            if facts is not None:
                facts.append(doc.metadata.pop("crawl_facts", None))
            if is_spa_shell(data, doc.content):
                return None, "a JavaScript app: its HTML holds no content, only scripts (run site with --render)"
            return doc, ""
        if ctype == "application/pdf" or (suffix == ".pdf" and ctype in ("", "application/octet-stream")):
            try:
                doc = converters.convert(data, "pdf", name=unquote(path.rsplit("/", 1)[-1]) or "document.pdf").document
            except ImportError:
                return None, "PDF (no PDF converter installed)"
            doc.url = url
            doc.metadata["front_matter"] = True
            return doc, ""
        if ctype in ("text/markdown", "text/x-markdown") or (ctype in ("text/plain", "") and suffix in (".md", ".txt")):
            text = data.decode(charset or "utf-8", "replace")
            m = re.search(r"^#\s+(.+)$", text, re.M)
            return Document(path=path, content=text, title=m.group(1).strip() if m else None, url=url,
                            kind="markdown", size=len(data)), ""
        fmt = converters.sniff(path, data, ctype)  # a linked .docx, .epub...: the dispatcher's formats
        if fmt is not None and fmt.document and fmt.name != "pdf":
            try:
                doc = converters.convert(data, fmt, name=unquote(path.rsplit("/", 1)[-1]) or None).document
            except IngestError:
                raise
            except Exception as exc:  # a library's own error on a broken file skips that file only
                return None, f"conversion failed: {type(exc).__name__}: {str(exc)[:200]}"
            doc.url = url
            return doc, ""
    except IngestError as exc:
        return None, f"conversion failed: {exc.render()}"
    except (ValueError, LookupError, RecursionError, MemoryError) as exc:
        return None, f"conversion failed: {type(exc).__name__}: {str(exc)[:200]}"
    return None, f"not HTML ({ctype or 'unknown content type'})"


# ---------------------------------------------------------------------------------------------
# naming, sections


def _site_name(pages: list[FetchedPage], start: FetchedPage | None, host: str) -> str:
    for page in ([start] if start else []) + pages:
        if page.site_name:
            return page.site_name
    tails = Counter()
    for page in pages:
        parts = _TITLE_SPLIT.split(page.title or "")
        if len(parts) > 1:
            tails[parts[-1].strip()] += 1
        elif m := _TITLE_PAREN.match(page.title or ""):
            tails[m.group(1).strip()] += 1
    if tails:
        name, n = tails.most_common(1)[0]
        if n >= max(2, len(pages) // 2):
            return name
    if start and start.title:
        return start.title
    return host


def _page_title(raw: str | None, site: str, content: str, fallback: str) -> str:
    """The page's own H1 when it has one (what the page calls itself), else <title> minus the site name."""
    m = re.search(r"^#[ \t]+(.+?)[ \t#]*$", content, re.M)
    if m and m.group(1).strip():
        return m.group(1).strip()
    title = (raw or "").strip()
    for suffix in (" — ", " | ", " – ", " · ", " » ", " - ", " ("):
        suffix += site + (")" if suffix == " (" else "")
        if title.endswith(suffix) and len(title) > len(suffix):
            title = title[: -len(suffix)].strip()
            break
    if not title or title == site:
        m = re.search(r"^#\s+(.+?)\s*#*$", content, re.M)
        if m and not title:
            title = m.group(1).strip()
    return title or fallback or "Home"


def _section_key(rel: str) -> str:
    rel = rel.split("?")[0]
    return rel.split("/", 1)[0] if "/" in rel else ""


def _is_optional(rel: str, title: str) -> bool:
    return bool(_OPTIONAL_PATH.search(rel.split("?")[0]) or _OPTIONAL_TITLE.match(title or ""))


def _toc_order(group: list[Document], index_doc: Document, links: list[str]) -> None:
    """Order a section as its index page lists it (its table of contents), in place.

    Breadth-first discovery put "6. Modules" before "1. Whetting Your Appetite" when another page
    linked it first; the index page's own link order is the order its authors meant. Pages it does
    not link keep their discovery order after the ones it does.
    """
    rank: dict[str, int] = {}
    for link in links:
        rank.setdefault(link.split("#", 1)[0], len(rank))
    group.sort(key=lambda d: (d is not index_doc, rank.get(d.url or "", len(rank))))


def _pretty(segment: str) -> str:
    text = unquote(segment).replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else ROOT_SECTION


# ---------------------------------------------------------------------------------------------
# the Bundle


def _convert_one(job: tuple[bytes, str, str, str | None]) -> tuple[Document | None, str, list | None]:
    """(Document or None, why skipped, the crawl facts its parse found or None): a pool job."""
    found: list = []
    doc, reason = to_document(*job, facts=found)
    return doc, reason, found[0] if found else None


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the parent, which keeps what it has (see crawl)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@functools.lru_cache(maxsize=1)
def _converter_fingerprint() -> str:
    """Changes whenever llmingest or any converter's code changes, so cached conversions never go stale."""
    from llmingest import __version__
    from llmingest import converters as conv_pkg

    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(conv_pkg.__file__).parent.glob("*.py")):
        if path.name.startswith(("html", "pdf", "__init__", "office", "_ooxml", "epub")):
            h.update(path.name.encode() + path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:24]


#: a converted page's first sentence, kept with it in the cache (the description of last resort)
_FIRST = "_first_sentence"


def _jsonable(value: object) -> object:
    """What ``json`` cannot write itself: a dataclass as its fields (as ``asdict`` did), else text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


class _DocCache:
    """Converted pages on disk, keyed by (page bytes, URL, media type, converter code).

    A re-run over an unchanged site (all 304s, or the same built folder in CI) then skips
    conversion, which is most of the work. Entries are JSON, written atomically; a bad entry is a miss.
    """

    def __init__(self, options: Options) -> None:
        from llmingest.fetch.crawl import _cache_dir

        self.dir = _cache_dir(options).parent / "pages" if options.cache else None
        self.hits = 0  # pages answered from here / converted: what tests and profiles read
        self.misses = 0

    def key(self, page: FetchedPage) -> str:
        """Of the body's SHA-256 (known without reading it for a 304 or an unchanged file)."""
        h = hashlib.sha256(_converter_fingerprint().encode())
        for part in (page.url, page.content_type, page.charset or ""):
            h.update(part.encode("utf-8", "replace") + b"\0")
        h.update(page.body_digest().encode("ascii"))
        return h.hexdigest()

    def get(self, page: FetchedPage) -> Document | None:
        if self.dir is None:
            return None
        k = self.key(page)
        try:
            data = json.loads((self.dir / k[:2] / f"{k}.json").read_text("utf-8"))
            first = data.pop(_FIRST, None)
            doc = Document(**data)
            if isinstance(first, str):
                doc.metadata[_FIRST] = first
        except (OSError, ValueError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return doc

    def put(self, page: FetchedPage, doc: Document | None) -> None:
        if self.dir is None or doc is None:
            return
        k = self.key(page)
        path = self.dir / k[:2] / f"{k}.json"
        # the fields as they are (json copies them): dataclasses.asdict deep-copied every page's
        # metadata, a third of this method on a cold run
        data = {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc)}
        if not doc.description and not page.description:  # what _name_page falls back to, made once
            data[_FIRST] = llmstxt.first_sentence(_body(doc).strip())
        try:
            text = json.dumps(data, default=_jsonable, ensure_ascii=False)
        except (TypeError, ValueError):
            return
        finally:
            if _FIRST in data:
                doc.metadata[_FIRST] = data[_FIRST]
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            try:
                tmp.write_text(text, "utf-8")
            except FileNotFoundError:  # the first entry of its folder
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(text, "utf-8")
            os.replace(tmp, path)  # atomic: a concurrent run never reads half an entry
        except OSError:
            tmp.unlink(missing_ok=True)


class _Converter:
    """Converts pages while the crawl is still fetching others (a process pool fed page by page).

    Conversion is CPU-bound Python, so big sites use all cores through processes; the first
    ``POOL_AFTER`` pages are held back so a small site never pays for starting a pool. Pages whose
    conversion is cached are not converted again. State (pool, futures) is real, hence a class.
    Results are read back in page order, so output never depends on scheduling.
    """

    POOL_AFTER = 16

    def __init__(self, options: Options) -> None:
        self.options = options
        self.workers = min(os.cpu_count() or 1, int(options.crawl.workers or 8))
        self.pool = None
        self.pending: list[FetchedPage] = []
        self.held = 0  # pages converted before the pool started (held back, or asked for their facts)
        self.futures: dict[str, object] = {}
        self.done: dict[str, tuple[Document | None, str, list | None]] = {}  # converted here, in this process
        self.cached: dict[str, Document] = {}
        self.cache = _DocCache(options)

    def __enter__(self) -> _Converter:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _job(page: FetchedPage) -> tuple[bytes, str, str, str | None]:
        return (page.body(), page.url, page.content_type, page.charset)

    def submit(self, page: FetchedPage) -> None:
        if page.url in self.futures or page.url in self.cached or page.url in self.done:
            return
        doc = self.cache.get(page)
        if doc is not None:
            self.cached[page.url] = doc
            page.content = b""  # converted already: a warm run holds no page bodies (50 MB for python3-doc)
            return
        if self.workers < 2:
            return
        if self.pool is None:
            self.pending.append(page)
            self.held += 1
            if self.held < self.POOL_AFTER:
                return
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork is fastest, but forking a process that runs other threads (a web server, the MCP
            # server) can copy a held lock into the child: then start workers from a clean forkserver
            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods and threading.active_count() == 1:
                method = "fork"
            else:
                method = "forkserver" if "forkserver" in methods else "spawn"
            ctx = multiprocessing.get_context(method)
            self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_ignore_sigint)
            held, self.pending = self.pending, []
            for p in held:
                self.futures[p.url] = self.pool.submit(_convert_one, self._job(p))
            return
        self.futures[page.url] = self.pool.submit(_convert_one, self._job(page))

    async def facts(self, page: FetchedPage) -> list | None:
        """The crawl's ``page_facts``: the page's links, title, site name and description from its
        conversion (the converter parses the page anyway; the crawl no longer parses it again).

        Awaits the pool's job; a page held back before the pool starts (or any page without a
        pool) is converted here and now. None for a page whose conversion is cached (not converted,
        so no parse: the crawl parses it) or failed in a way that left no facts."""
        import asyncio

        if page.url in self.cached:
            return None
        fut = self.futures.get(page.url)
        if page.url not in self.done and fut is not None:
            try:
                return (await asyncio.wrap_future(fut))[2]  # type: ignore[arg-type]
            except Exception:  # a worker died: results() converts it here; the crawl parses it
                return None
        return self._here(page)[2]

    def facts_now(self, page: FetchedPage) -> list | None:
        """:meth:`facts` for a folder build (no event loop): waits for the page's job."""
        if page.url in self.cached:
            return None
        fut = self.futures.get(page.url)
        if page.url not in self.done and fut is not None:
            try:
                return fut.result()[2]  # type: ignore[attr-defined]
            except Exception:
                return None
        return self._here(page)[2]

    def _here(self, page: FetchedPage) -> tuple[Document | None, str, list | None]:
        """The page converted in this process (held back before the pool, or no pool), once."""
        if page.url not in self.done:
            self.pending = [p for p in self.pending if p is not page]  # by identity: pages compare by value
            self.done[page.url] = _convert_one(self._job(page))
        return self.done[page.url]

    def results(self, pages: list[FetchedPage]) -> list[tuple[FetchedPage, Document | None, str]]:
        for page in pages:  # pages that were never streamed in (a folder, a test): cache, then pool
            self.submit(page)
        out: list[tuple[FetchedPage, Document | None, str]] = []
        with task(self.options, "converting pages", len(pages)) as bar:
            for page in pages:
                if page.url in self.cached:
                    out.append((page, self.cached[page.url], ""))
                    bar.advance()
                    continue
                job = self._job(page)
                fut = self.futures.get(page.url)
                try:
                    res = self.done.pop(page.url, None) or (
                        fut.result() if fut is not None else _convert_one(job))  # type: ignore[attr-defined]
                except Exception:  # a worker died (OOM, killed): convert here, where errors are values
                    res = _convert_one(job)
                self.cache.put(page, res[0])
                out.append((page, res[0], res[1]))
                bar.advance()
        return out


def _convert_pages(pages: list[FetchedPage], options: Options) -> list[tuple[FetchedPage, Document | None, str]]:
    with _Converter(options) as conv:
        return conv.results(pages)


class _Placed:
    """Mirror files and the folders they need, as placed so far (see :func:`_place`)."""

    def __init__(self) -> None:
        self.files: set[str] = {"llms.txt", "llms-full.txt", output.MANIFEST}
        self.dirs: set[str] = set()

    def clashes(self, rel: str) -> bool:
        parts = rel.split("/")
        ancestors = ["/".join(parts[:i]) for i in range(1, len(parts))]
        return rel in self.files or rel in self.dirs or any(a in self.files for a in ancestors)

    def add(self, rel: str) -> None:
        parts = rel.split("/")
        self.files.add(rel)
        self.dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))


def _place(mirror: str, url: str, placed: _Placed) -> str:
    """A mirror name that can be written next to the ones placed before it.

    Page names come from the site, so two pages may want one name as a file and as a folder
    (``/foo`` -> ``foo.md`` and ``/foo.md/x`` -> ``foo.md/x.md``), or a folder named ``llms.txt``.
    The first page keeps its name; a later one that clashes, or a name the output folder cannot
    hold, goes to ``_/<hash of its URL>.md``: deterministic, and the crawl goes on.
    """
    if output.valid_name(mirror) and not placed.clashes(mirror):
        placed.add(mirror)
        return mirror
    n = 0
    while True:
        alt = f"_/{hashlib.sha256(f'{url}#{n}'.encode('utf-8', 'replace')).hexdigest()[:16]}.md"
        if not placed.clashes(alt):
            placed.add(alt)
            return alt
        n += 1


class _Seen:
    """What earlier pages of a crawl claimed: a later page with the same canonical URL, the same
    content or the same mirror path is a duplicate, and no two mirror names may clash."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.canonical: dict[str, str] = {}
        self.hashes: dict[str, str] = {}
        self.mirrors: dict[str, str] = {}
        self.placed = _Placed()

    def duplicate(self, page: FetchedPage, doc: Document, body: str, rel: str) -> str | None:
        """Why ``page`` repeats one seen before; None when it is new (it is then recorded)."""
        canonical = doc.metadata.get("canonical")
        if canonical:
            canonical = normalize(urljoin(page.url, canonical))
            if in_scope(canonical, self.scope) and canonical != page.url and canonical in self.canonical:
                return f"duplicate of {self.canonical[canonical]} (same canonical URL)"
            self.canonical.setdefault(canonical, page.url)
        self.canonical.setdefault(page.url, page.url)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if body and digest in self.hashes:
            return f"duplicate of {self.hashes[digest]} (same content)"
        self.hashes.setdefault(digest, page.url)
        mirror = llmstxt.mirror_path(rel)
        if mirror in self.mirrors:
            return f"same .md mirror path ({mirror}) as {self.mirrors[mirror]}"
        self.mirrors[mirror] = page.url
        return None

    def place(self, rel: str, url: str) -> str:
        return _place(llmstxt.mirror_path(rel), url, self.placed)


def _not_a_page(page: FetchedPage, doc: Document | None, reason: str) -> Skipped | None:
    if doc is None:
        return Skipped(page.url, reason, len(page.content))
    if (doc.title or page.title or "").lstrip().startswith("<no title>"):
        # Sphinx titles a document without a heading "<no title>": an include fragment, not a page
        return Skipped(page.url, "an include fragment (Sphinx '<no title>' page), not a page")
    return None


def _name_page(doc: Document, page: FetchedPage, rel: str, site: str, body: str, mirror: str) -> None:
    """Give a kept page its title, URL, path, description and the facts sections are made of."""
    title = _page_title(doc.title or page.title, site, body, rel)
    doc.title = title
    doc.url = page.url
    doc.path = rel or "/"
    doc.kind = "page" if doc.kind not in ("pdf", "markdown") else doc.kind
    first = doc.metadata.pop(_FIRST, None)
    doc.description = doc.description or page.description or (
        first if isinstance(first, str) else llmstxt.first_sentence(body)) or None
    if doc.description and doc.description.casefold() == title.casefold():
        doc.description = None  # "- [Graphics and Charts](…): Graphics and Charts" says nothing
    doc.metadata.update({"mirror": mirror, "section_key": _section_key(rel), "depth": page.depth,
                         "optional": _is_optional(rel, title), "from_cache": page.from_cache})
    doc.metadata.pop("links", None)  # large, and the crawl already used them


def _kept_pages(result: CrawlResult, converted: list[tuple[FetchedPage, Document | None, str]],
                site: str) -> tuple[list[Document], list[Skipped]]:
    """The converted pages that are pages and not duplicates, named, in crawl order; and the rest."""
    skipped = list(result.skipped)
    docs: list[Document] = []
    seen = _Seen(result.scope)
    for page, doc, reason in converted:
        rel = relative(page.url, result.scope)
        left_out = _not_a_page(page, doc, reason)
        if left_out is not None:
            skipped.append(left_out)
            continue
        body = _body(doc).strip()
        why = seen.duplicate(page, doc, body, rel)
        if why is not None:
            skipped.append(Skipped(page.url, why))
            continue
        _name_page(doc, page, rel, site, body, seen.place(rel, page.url))
        docs.append(doc)
    return docs, skipped


def _index_pages(docs: list[Document]) -> dict[str, Document]:
    """Each section's index page (``guide/`` or ``guide/index.html``), by section key: it names
    the section and its table of contents orders it."""
    index: dict[str, Document] = {}
    for doc in docs:
        key = doc.metadata["section_key"]
        rest = doc.path[len(key):].lstrip("/") if key else None
        if key and rest in ("", "index.html", "index.htm", "index.md", "/") and key not in index:
            index[key] = doc
    return index


def _sections(docs: list[Document], links_of: dict[str, list[str]]) -> tuple[list[str], dict[str, list[Document]]]:
    """Sections by first path segment, in order of first appearance (Optional last), each named by
    its folder's index page and ordered by that page's table of contents."""
    index_docs = _index_pages(docs)
    order: list[str] = []
    groups: dict[str, list[Document]] = {}
    for doc in docs:
        key = doc.metadata["section_key"]
        if doc.metadata["optional"] or _is_optional(key + "/", ""):
            doc.metadata["optional"] = True
            name = OPTIONAL
        else:
            index_title = (index_docs[key].title or _pretty(key)) if key in index_docs else None
            name = index_title or _pretty(key) if key else ROOT_SECTION
        doc.metadata["section"] = name
        if name not in groups:
            groups[name] = []
            order.append(name)
        groups[name].append(doc)
    order = [n for n in order if n != OPTIONAL] + ([OPTIONAL] if OPTIONAL in groups else [])
    for name, group in groups.items():
        if name != OPTIONAL and (index_doc := index_docs.get(group[0].metadata["section_key"])):
            _toc_order(group, index_doc, links_of.get(index_doc.url) or [])
    return order, groups


def _summary(start: FetchedPage | None, documents: list[Document], site: str, host: str) -> tuple[str, str | None]:
    """The site's name and its one-line summary (the start page's description, else the first page's)."""
    summary = None
    if start is not None:
        start_doc = next((d for d in documents if d.url == start.url), None)
        summary = start.description or (start_doc.description if start_doc else None)
        if site == host and start_doc is not None and start_doc.title and start_doc.title != "Home":
            site = start_doc.title  # no <title> anywhere (Doxygen with a custom header): the home page's H1
    if not summary and documents:
        summary = documents[0].description
    return site, summary


def build_bundle(result: CrawlResult, options: Options, source: str,
                 converted: list[tuple[FetchedPage, Document | None, str]] | None = None) -> Bundle:
    """Converted, de-duplicated, titled and sectioned pages of a crawl, in output order."""
    host = urlsplit(result.scope).netloc
    start_url = normalize(result.start)
    start = next((p for p in result.pages if p.url == start_url or p.requested == start_url), None)
    site = _site_name(result.pages, start, host)
    docs, skipped = _kept_pages(result, converted if converted is not None else _convert_pages(result.pages, options),
                                site)
    order, groups = _sections(docs, {p.url: p.links for p in result.pages})
    documents = [d for name in order for d in groups[name]]
    bodies = [_body(d) for d in documents]  # counts from the content-hash cache: a warm run counts nothing
    for doc, n in zip(documents, count_cached(bodies, options.encoding, options.cache_dir, options.cache), strict=True):
        doc.tokens = n
    site, summary = _summary(start, documents, site, host)
    return Bundle(
        source=source,
        kind="site",
        documents=documents,
        skipped=sorted(skipped, key=lambda s: s.path),
        title=site,
        description=summary,
        encoding=options.encoding,
        metadata={
            "site_name": site,
            "summary": summary,
            "start_url": result.start,
            "scope": result.scope,
            "sections": [{"name": n, "urls": [d.url for d in groups[n]]} for n in order],
            "sitemap": result.sitemap,
            "llms_txt_published": result.published.get("llms.txt"),
            "llms_full_published": result.published.get("llms-full.txt"),
            "interrupted": result.interrupted,
            "pages": len(documents),
            "requests": result.requests,
            "not_modified": result.not_modified,
            "fresh": result.fresh,
        },
    )


def ingest_site(src: sources.Source, options: Options) -> Bundle:
    """Crawl a site (or read a built-HTML folder) into a Bundle of pages in output order."""
    if isinstance(src, sources.WebPage):
        with _Converter(options) as conv:
            result = crawl(src.url, options, on_page=conv.submit, page_facts=conv.facts)
            return build_bundle(result, options, src.display(), converted=conv.results(result.pages))
    if isinstance(src, sources.LocalDir):
        if not options.base_url:
            raise UsageError(f"{src.path} is a folder: say where it is served with --base-url",
                             hint="e.g. --base-url https://docs.example.com/ (links in llms.txt point there)")
        _check_base_url(options.base_url)
        with _Converter(options) as conv:
            result = crawl_folder(src.path, options.base_url, options, on_page=conv.submit, page_facts=conv.facts_now)
            return build_bundle(result, options, src.display(), converted=conv.results(result.pages))
    raise UsageError(f"{src.display()} is not a docs site",
                     hint="give the site's start URL (https://docs.example.com/) or a folder of built HTML with --base-url")


def _check_base_url(base_url: str) -> None:
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise UsageError(f"--base-url must be an absolute http(s) URL, not {base_url!r}")


# ---------------------------------------------------------------------------------------------
# outputs: the files are :mod:`llmingest.render.llmstxt`'s, the writing :mod:`llmingest.output`'s

_WRITE_HEADER = ("files written by `llmingest site` (sha256sum format); stale ones are removed on the next run,\n"
                 "and only while they still hold what was written")


def _not_theirs(out_dir: Path, files: dict) -> dict:
    """``files`` without a ``_headers`` the user already has: only one we wrote (listed in the
    manifest) is ever replaced."""
    if HEADERS_FILE in files and (Path(out_dir) / HEADERS_FILE).exists() and HEADERS_FILE not in output.read_manifest(out_dir):
        files = {k: v for k, v in files.items() if k != HEADERS_FILE}
    return files


@functools.lru_cache(maxsize=1)
def _render_fingerprint() -> str:
    """Changes whenever the code that makes the output files changes (so a memo never outlives it)."""
    from llmingest import __version__
    from llmingest import converters as conv_pkg
    from llmingest.render import llmstxt as render_llmstxt

    h = hashlib.sha256(__version__.encode())
    for path in (Path(__file__), Path(render_llmstxt.__file__), Path(output.__file__),
                 Path(conv_pkg.__file__).parent / "llmstxt.py", Path(conv_pkg.__file__).parent / "html.py"):
        try:
            h.update(path.name.encode() + path.read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


def _doc_key(doc: Document) -> str:
    """A key of everything a page's mirror is made from (its markdown, title, URL, metadata)."""
    meta = {k: v for k, v in doc.metadata.items() if k != "from_cache"}  # how it was fetched: not in the text
    head = json.dumps([doc.title, doc.url, doc.path, doc.description, doc.kind, meta], sort_keys=True, default=str)
    h = hashlib.sha1(head.encode("utf-8", "surrogatepass"), usedforsecurity=False)
    h.update(b"\0" + doc.content.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _file_keys(bundle: Bundle, files: dict, max_tokens: int | None) -> dict[str, str]:
    """name -> key of its inputs, for the files a warm rebuild should not make again: each mirror
    (and its twin) and an uncapped llms-full.txt (its key: every page's key, in order, and the
    header). Other files (llms.txt, a capped llms-full.txt) are small or made anyway."""
    code = _render_fingerprint()
    docs = bundle.documents
    by_doc = [_doc_key(d) for d in docs]
    keys: dict[str, str] = {}
    for doc, k in zip(docs, by_doc, strict=True):
        mirror = doc.metadata.get("mirror") or llmstxt.mirror_path(doc.path)
        if mirror in files:
            keys[mirror] = hashlib.sha1(f"{code}\0mirror\0{k}".encode(), usedforsecurity=False).hexdigest()
            twin = twin_of(doc.url or doc.path, mirror)
            if twin and files.get(twin) is files[mirror]:
                keys[twin] = keys[mirror]
    if max_tokens is None and callable(files.get("llms-full.txt")):
        head = json.dumps([code, bundle.metadata.get("site_name") or bundle.title, bundle.metadata.get("summary")
                           or bundle.description, by_doc], default=str)
        keys["llms-full.txt"] = hashlib.sha1(head.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return keys


def _memo_path(out_dir: Path) -> Path:
    from llmingest.tokens import default_cache_dir

    name = hashlib.sha256(str(Path(out_dir).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return default_cache_dir() / "site-out" / f"{name}.json"


def write_site(bundle: Bundle, out_dir: Path, base_url: str | None = None, *, max_tokens: int | None = None,
               twins: bool = False, cache: bool = True) -> list[Path]:
    """Write llms.txt, llms-full.txt and the .md mirrors under ``out_dir``; the paths, sorted.

    Files whose content is unchanged are not rewritten (their mtimes stay, so make-like tools and
    rsync see no change). The list of written files is kept in ``.llmingest-site.txt``, so the
    mirror of a page that left the site is deleted on the next run, and only such files ever are
    (see :mod:`llmingest.output`: listed, ours by name, unchanged since). A file that cannot be
    written does not stop the others; it is reported as a :class:`ConversionError` at the end.

    With ``cache``, a memo in the cache folder (never in ``out_dir``) remembers each mirror's and
    llms-full.txt's input key and stat, so a rebuild of an unchanged site makes, hashes and reads
    none of them again (:class:`llmingest.output.WriteMemo`).
    """
    out_dir = Path(out_dir)
    files = _not_theirs(out_dir, site_files(bundle, base_url, max_tokens, lazy=True, twins=twins))
    keys, memo = (_file_keys(bundle, files, max_tokens), _memo_path(out_dir)) if cache else ({}, None)
    written, failed = output.write_folder(out_dir, files, _WRITE_HEADER, keys=keys, memo=memo)
    if failed:
        raise ConversionError(f"could not write {len(failed)} file(s) in {out_dir}: {'; '.join(failed[:3])}"
                              + (" ..." if len(failed) > 3 else ""))
    return written


def diff_site(bundle: Bundle, out_dir: Path, base_url: str | None = None, *, max_tokens: int | None = None,
              max_lines: int = 400, twins: bool = False) -> tuple[list[str], str]:
    """``--check``: (stale, missing or left-over files, a unified diff of them capped at ``max_lines``)."""
    files = _not_theirs(Path(out_dir), render_site(bundle, base_url, max_tokens=max_tokens, twins=twins))
    return output.diff_folder(Path(out_dir), files, max_lines=max_lines)


def _xml_attr(value: str | None) -> str:
    return (value or "").replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


#: why a link of an llms.txt is not read; the same words whether or not the target exists
NOT_REMOTE = "not an http(s) link in a remote llms.txt"
OUTSIDE_FOLDER = "outside the llms.txt's folder (only files under it are read)"
NOT_A_LINK = "not an http(s) link or a file under the llms.txt's folder"


def resolve_link(link: str, location: str | None) -> tuple[str, Path | None, str]:
    """Where one llms.txt link points: (target shown to the user, local file or None, why skipped or "").

    The rule that keeps a document from reading the reader's disk:

    - an llms.txt fetched over http(s) (or with no known location) only ever leads to http(s)
      URLs; relative links resolve against its URL. ``file://``, bare paths and other schemes
      are skipped with :data:`NOT_REMOTE`, before anything looks at the disk, so the answer
      never says whether ``~/.ssh/id_rsa`` exists;
    - a local llms.txt may also link files under its own folder (relative links, or ``file://``
      URLs that land there); absolute paths and ``../`` that leave the folder (symlinks
      resolved) are skipped with :data:`OUTSIDE_FOLDER`.

    >>> resolve_link("file:///etc/passwd", "https://docs.example.com/llms.txt")[2]
    'not an http(s) link in a remote llms.txt'
    >>> resolve_link("guide/", "https://docs.example.com/llms.txt")[0]
    'https://docs.example.com/guide/'
    """
    link = link.strip()
    remote = location is None or location.lower().startswith(("http://", "https://"))
    try:
        target = urljoin(location, link) if remote and location else link
        scheme = urlsplit(target).scheme.lower()
    except ValueError:  # "http://[::1" and friends
        return link, None, NOT_REMOTE if remote else NOT_A_LINK
    if scheme in ("http", "https"):
        return target, None, ""
    if remote:
        return target, None, NOT_REMOTE
    if any(not c.isprintable() for c in link):
        return link, None, NOT_A_LINK
    folder = Path(location).parent.resolve()
    if scheme == "file":
        raw = unquote(urlsplit(link).path)
    elif not scheme:
        raw = unquote(link.split("#", 1)[0].split("?", 1)[0])
    else:
        return link, None, NOT_A_LINK
    if not raw or os.path.isabs(raw) and scheme != "file":
        return link, None, OUTSIDE_FOLDER
    path = (folder / raw).resolve()  # an absolute file:// path replaces the folder; then it must land inside
    if not path.is_relative_to(folder):
        return link, None, OUTSIDE_FOLDER
    return str(path), path, ""


def _fetch_doc(url: str, local: Path | None, options: Options) -> tuple[str | None, str]:
    """(markdown, "") for one linked page, or (None, reason). ``local`` is set only for a file
    :func:`resolve_link` allowed; everything else is fetched over http(s)."""
    from llmingest.fetch.http import fetch

    if local is None:
        if urlsplit(url).scheme not in ("http", "https"):
            return None, NOT_REMOTE  # never reached through expand(); kept so no caller can read the disk
        try:
            from llmingest.fetch.http import login_headers

            start = options.crawl.login_start  # --header/--cookie: that host only
            headers = login_headers(options, url, start) if start else {}
            if options.prefer_markdown:  # markdown first: a site that negotiates answers text/markdown
                from llmingest.fetch.http import ACCEPT_MARKDOWN

                headers["Accept"] = ACCEPT_MARKDOWN
            resp = fetch(url, options, check=False, headers=headers)
        except IngestError as exc:
            return None, exc.render()
        if not 200 <= resp.status < 300:
            return None, f"HTTP {resp.status}"
        data, ctype, charset, final = resp.content, resp.content_type, resp.charset, resp.url
    else:
        try:
            data = local.read_bytes()
        except OSError as exc:
            return None, f"unreadable: {exc.strerror or exc}"
        suffix = local.suffix.lower()
        fmt = converters.lookup(suffix) if suffix else None  # a linked .docx, .epub...
        ctype = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf"}.get(suffix) or (
            fmt.media_types[0] if fmt is not None and fmt.document and fmt.media_types else "text/markdown")
        charset, final = None, local.as_uri()
    if ctype in ("text/plain", "") and urlsplit(final).path.lower().endswith((".md", ".txt", ".markdown")):
        ctype = "text/markdown"
    doc, reason = to_document(data, final, ctype, charset)
    if doc is None:
        return None, reason
    return _body(doc).strip("\n"), ""


def expand(text: str, location: str | None, options: Options | None = None, *, max_tokens: int | None = None,
           optional: bool = True) -> tuple[str, list[Skipped]]:
    """An llms.txt and every page it links, as one context file (the ``llms_txt2ctx`` job).

    The shape follows the reference tool: ``<project title summary>`` with the info text, one
    ``<section>`` per H2 and one ``<doc>`` per link. Over ``max_tokens``, Optional pages go
    first, then pages from the end; what was cut is listed at the end. Relative links resolve
    against ``location`` (the llms.txt URL or file); which links may be read at all is
    :func:`resolve_link`'s rule (a remote llms.txt never reads the local disk).
    """
    opts = options or Options()
    parsed = llmstxt.parse(text)
    if not parsed["title"]:
        raise ConversionError("not an llms.txt: no '# Title' line", hint="run `llmingest llmstxt validate` on it")
    jobs: list[tuple[str, Entry, str]] = []
    refused: list[Skipped] = []
    locals_: dict[int, Path] = {}
    for name, entries in parsed["sections"].items():
        if name == OPTIONAL and not optional:
            continue
        for e in entries:
            target, local, why = resolve_link(e.url, location)
            if why:
                refused.append(Skipped(target, why))
                continue
            if local is not None:
                locals_[len(jobs)] = local
            jobs.append((name, e, target))
    with task(opts, "fetching linked pages", len(jobs)) as bar, ThreadPoolExecutor(max(1, opts.concurrency)) as pool:
        futures = [pool.submit(_fetch_doc, target, locals_.get(i), opts) for i, (_, _, target) in enumerate(jobs)]
        results = []
        for fut in futures:
            results.append(fut.result())
            bar.advance()
    skipped = refused + [Skipped(target, reason) for (_, _, target), (body, reason) in zip(jobs, results, strict=True) if body is None]
    items = [(name, e, target, body) for (name, e, target), (body, _) in zip(jobs, results, strict=True) if body is not None]

    def doc_xml(e: Entry, target: str, body: str) -> str:
        desc = f' desc="{_xml_attr(e.description)}"' if e.description else ""
        return f'<doc title="{_xml_attr(e.title)}" url="{_xml_attr(target)}"{desc}>\n{body}\n</doc>\n'

    head = f'<project title="{_xml_attr(parsed["title"])}" summary="{_xml_attr(parsed["summary"])}">\n'
    if parsed["info"]:
        head += parsed["info"].strip() + "\n"
    enc = opts.encoding
    kept = list(range(len(items)))
    cut: list[int] = []
    if max_tokens is not None:
        sizes = count_many([doc_xml(e, t, b) for _, e, t, b in items], enc)
        total = count(head, enc) + sum(sizes) + 20 * len({n for n, *_ in items})
        removal = [i for i in reversed(kept) if items[i][0] == OPTIONAL] + \
                  [i for i in reversed(kept) if items[i][0] != OPTIONAL]
        for i in removal:
            if total <= max_tokens:
                break
            kept.remove(i)
            cut.append(i)
            total -= sizes[i]
        for i in sorted(cut, key=lambda i: (items[i][0] == OPTIONAL, i)):  # refill the room a big cut left
            if total + sizes[i] <= max_tokens:
                total += sizes[i]
                cut.remove(i)
        kept = [i for i in range(len(items)) if i not in cut]
        for i in sorted(cut):
            skipped.append(Skipped(items[i][2], f"cut to fit {max_tokens:,} tokens ({sizes[i]:,} tokens)"))
    out = [head]
    current = None
    for i in kept:
        name, e, target, body = items[i]
        if name != current:
            if current is not None:
                out.append("</section>\n")
            out.append(f'<section name="{_xml_attr(name)}">\n')
            current = name
        out.append(doc_xml(e, target, body))
    if current is not None:
        out.append("</section>\n")
    out.append("</project>\n")
    return "".join(out), skipped
