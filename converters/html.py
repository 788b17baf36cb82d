"""HTML page -> Document with clean markdown of its main content (pure: no network, no disk).

The steps, each in its own module: decode the bytes (:mod:`.html_charset`), parse with lxml, drop
hidden elements (a prompt-injection vector), pick the main content and strip the chrome around and
inside it (:mod:`.html_select`), write markdown (:mod:`.html_markdown`). Metadata (title,
description, canonical URL, language, generator) comes from ``<head>``; every link is made absolute
against the page URL and ``<base href>``.

>>> doc = convert(b"<title>T</title><main><h1>Hi</h1><p>See <a href='x'>x</a></p></main>", "https://a.b/c/")
>>> doc.content
'# Hi\\n\\nSee [x](https://a.b/c/x)\\n'
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..errors import ConversionError
from ..model import Document
from .html_blocks import GENERIC_RULES, jsonld_product_text, learned_main, light_chrome, missing_text
from .html_charset import decode
from .html_depth import DEPTH_WARNING, flatten_deep, hit_depth_limit
from .html_hidden import strip_invisible, text_len
from .html_links import crawl_facts as _crawl_facts
from .html_markdown import Writer
from .html_meta import FIELDS, page_facts
from .html_pagetype import jsonld_facts
from .html_select import (
    KNOWN_GENERATORS,
    doxygen_title,
    drop_keeping_tail,
    matching_element,
    remove_chrome,
    remove_hidden,
    select_main,
    trafilatura_text,
    unstream_suspense,
)

__all__ = ["convert", "front_matter", "decode"]

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|—–·»]\s+|\s+-\s+")


# huge_tree: libxml2 otherwise silently drops everything nested deeper than 256 levels (2,048 with it:
# past that see html_depth)
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", huge_tree=True)


def _parse(text: str, warnings: list[str] | None = None):
    """lxml's plain etree HTML parser: no HtmlElement class lookup, which costs ~20% of a page.

    A page nested past libxml2's depth limit is flattened and parsed again (a note goes to
    ``warnings``): the parser would otherwise return the tree up to the deep part, without error.
    """
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise ConversionError("empty HTML document")
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), _PARSER)
        if hit_depth_limit(_PARSER.error_log):
            root = etree.fromstring(flatten_deep(text).encode("utf-8", "surrogatepass"), _PARSER)
            if warnings is not None:
                warnings.append(DEPTH_WARNING)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ConversionError(f"cannot parse HTML: {exc}") from None
    if root is None:
        raise ConversionError("cannot parse HTML: no document")
    return root


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _scan_head(root) -> tuple[dict, dict[str, str]]:
    """One pass over the head elements: the first <title>, canonical link and <base href>, and the
    first value of every meta name/property (lower-cased)."""
    meta: dict[str, str] = {}
    facts: dict = {"title": None, "canonical": None, "base": None}
    for el in root.iter("title", "meta", "link", "base"):
        tag = el.tag
        if tag == "title" and facts["title"] is None:
            facts["title"] = _text(el) or None
        elif tag == "meta":
            key = (el.get("name") or el.get("property") or "").strip().lower()
            value = " ".join((el.get("content") or "").split())
            if key and value and key not in meta:
                meta[key] = value
        elif tag == "link" and facts["canonical"] is None and "canonical" in (el.get("rel") or "").lower().split():
            facts["canonical"] = (el.get("href") or "").strip() or None
        elif tag == "base" and facts["base"] is None and (el.get("href") or "").strip():
            facts["base"] = el.get("href").strip()
    return facts, meta


def _page_title(root, facts: dict, meta: dict[str, str], page: dict) -> str | None:
    """<title>, og:title, twitter:title, JSON-LD headline, then the first <h1> (without its ¶ anchor)."""
    title = facts["title"] or meta.get("og:title") or meta.get("twitter:title") or page["title"]
    if not title:
        h1 = next(root.iter("h1"), None)
        title = _text(h1).rstrip("¶#").strip() if h1 is not None else None
    return title


def _page_description(meta: dict[str, str], page: dict, title: str | None) -> str | None:
    """The meta description (plain, og:, twitter:, then JSON-LD/Dublin Core), unless it only repeats the title."""
    description = (meta.get("description") or meta.get("og:description") or meta.get("twitter:description")
                   or page["description"])
    if description and title and description.casefold() == " ".join(title.split()).casefold():
        return None  # texinfo writes the <title> again as the description: it says nothing
    return description


def _head_facts(root, url: str | None) -> dict:
    """Title, description, canonical, base, generator: one pass over the few head elements.

    ``page`` holds the citation facts of :mod:`.html_meta` (author, dates, site name, image,
    tags...), read from meta tags and JSON-LD; ``lang`` is their language if ``<html lang>`` is absent.
    """
    facts, meta = _scan_head(root)
    base = urljoin(url, facts["base"]) if (facts["base"] and url) else (facts["base"] or url)
    page = page_facts(root, base)
    title = _page_title(root, facts, meta, page)
    description = _page_description(meta, page, title)
    return {
        "title": title or None,
        "description": description,
        "canonical": urljoin(base or "", facts["canonical"]) if facts["canonical"] else None,
        "base": base,
        "generator": meta.get("generator"),
        "lang": page["lang"],
        "page": {key: page[key] for key in FIELDS},
    }


_SMALL_PAGE = 2500  # characters of body text


def _small_page(root) -> bool:
    """A page with little text: hardly any chrome around it to tell apart, and the rule-based
    container (with the docs chrome rules) renders it exactly."""
    body = root.find(".//body")
    return len("".join((body if body is not None else root).itertext()).strip()) < _SMALL_PAGE


def _weak_docs_rule(container: str, elements: list, head: dict) -> bool:
    """A docs rule matched only by a common class name (``div.body``, ``div[role=main]``, itemprop
    articleBody, ``md-content``, ``contentContainer``): CMS pages, forums, shops and news sites use
    those too, so the learned scorer decides.
    Sphinx's own ``div.body[role=main]`` or a page that names its generator stays on the docs path."""
    if container not in ("sphinx", "readthedocs", "mkdocs", "javadoc"):
        return False
    if container == "javadoc":  # Javadoc 8 is a header and a contentContainer; a lone contentContainer is a shop's
        return len(elements) == 1
    generator = (head.get("generator") or "").lower()
    if any(name in generator for name in ("sphinx", "docutils", "mkdocs", "docusaurus")):
        return False
    el = elements[0]
    if container == "readthedocs":  # the Read the Docs theme: articleBody inside its rst-content column
        node = el.getparent()
        while node is not None:
            if "rst-content" in (node.get("class") or "").split():
                return False
            node = node.getparent()
        return True
    return not (el.get("role") == "main" and "body" in (el.get("class") or "").split())


def _doc_path(url: str | None) -> str:
    if not url:
        return "page.html"
    path = urlsplit(url).path or "/"
    return path


def _select_content(root, text: str, head: dict, url: str | None, jsonld: dict | None) -> tuple[list, str]:
    """The content element(s) and the rule that found them: a known generator's container, else the
    learned block scorer, else (nothing kept) trafilatura's pick."""
    elements, container = select_main(root, text, fallback=False)
    if (container in GENERIC_RULES or _weak_docs_rule(container, elements, head)) \
            and not _small_page(root):
        # no known generator's container (or only a weak hint of one): the learned block scorer decides
        learned = learned_main(root, elements, container, url=url, jsonld=jsonld)
        if learned is not None:
            elements, container = [learned], "learned"
    if container == "body":
        elements, container = select_main(root, text)  # no model, nothing kept: trafilatura's pick
    return elements, container


_NAV_LINKS = 0.9  # share of a navigation landmark's text inside links: a menu or a book's table of contents
_NAV_REST = 500  # characters of content beside it: the navigation is not the page itself (an index page)


def _link_text_len(el) -> int:
    return sum(text_len(a) for a in el.iter("a"))


def _drop_navigation(container) -> None:
    """A ``<nav>`` (or ``role=navigation``) made of links only, kept by the learned scorer beside the
    content: a book's or a docs site's whole table of contents in its sidebar column. The model
    judges blocks, and each link of a long menu looks like a short item of a list; the landmark says
    what they are. Kept when it is the page (the rest holds under 500 characters)."""
    total = text_len(container)
    navs = [el for el in container.iter("nav", "div", "ul", "ol")
            if el.tag == "nav" or el.get("role") == "navigation"]
    for nav in navs:
        if nav.getparent() is None:
            continue
        n = text_len(nav)
        if n and _link_text_len(nav) >= _NAV_LINKS * n and total - n >= _NAV_REST:
            drop_keeping_tail(nav)
            total -= n


def _clean_content(elements: list, container: str) -> None:
    """Navigation, headers, footers and the like inside the content (--full keeps the body as it is:
    only hidden text goes, that is safety)."""
    if container == "learned":
        _drop_navigation(elements[0])
        light_chrome(elements[0])  # only small chrome: the model already judged the big boxes
    else:
        for el in elements:
            remove_chrome(el)


#: the guard (never lose the page): our content under this share of the page's visible text is
#: suspicious, and only then may trafilatura be asked (it costs about a page's conversion)
_GUARD_SHARE = 0.10
#: under this many words our choice is a sliver (a notice, a byline, a teaser row): trafilatura
#: finding 3x the text wins; a choice with a real body of text is justified unless it finds 12x
_SLIVER_WORDS = 40
_GUARD_GAIN = 3.0
_GUARD_GAIN_FULL = 12.0
_GUARD_MIN_WORDS = 50


def _words_in(elements: list) -> int:
    return sum(len(" ".join(el.itertext()).split()) for el in elements)


def _suspicious(elements: list, container: str, body_len: int, head: dict) -> bool:
    """Cheap test, on every page: is the chosen content a small share of the page's visible text?

    A documentation generator's own container (not a weak hint of one) is exact: a short Sphinx page
    beside a long table of contents is short. Trafilatura's own pick, and a page with no text, have
    no second opinion to ask."""
    if container == "trafilatura" or body_len <= 0:
        return False
    if container in KNOWN_GENERATORS and not _weak_docs_rule(container, elements, head):
        return False
    return sum(text_len(el) for el in elements) < _GUARD_SHARE * body_len


def _larger_candidate(text: str, elements: list, body_len: int) -> list | None:
    """Never lose the page: when trafilatura finds several times more text than our choice, its
    content (located in a fresh, hidden-text-free parse of the page, cleaned of small chrome) wins.

    The classes this catches: a docs-generator class name on a tiny box of a shop or forum page, a
    ``<main>`` whose posts the chrome rules strip, a row of teaser ``<article>``s beside the story,
    a scorer keeping a sliver of a long page. What justifies our choice is its size, whoever made
    it: a sliver (under 40 words) loses to 3x more text, a real body of text only to 12x (out of
    fold on the work part, the rule's or the model's name told nothing more). A page with too
    little text for that margin is not even sent to trafilatura.
    """
    ours = _words_in(elements)
    gain = _GUARD_GAIN if ours < _SLIVER_WORDS else _GUARD_GAIN_FULL
    if gain * sum(text_len(el) for el in elements) > body_len:
        return None  # trafilatura cannot find gain x our text on this page
    other = trafilatura_text(text)
    if not other:
        return None
    theirs = len(other.split())
    if theirs < _GUARD_MIN_WORDS or theirs < gain * max(1, ours):
        return None
    root = _parse(text)
    doxygen_title(root)
    unstream_suspense(root, text)
    remove_hidden(root)
    found = matching_element(root, other)
    if found is None:
        return None
    light_chrome(found)
    if _words_in([found]) <= ours:
        return None
    return [found]


def _with_product_text(content: str, product_text: list) -> str:
    """A product's description the page renders only from its JSON-LD (or hides in a tab) is content."""
    extra = missing_text(content, product_text)
    if extra:
        content = content.rstrip("\n") + "\n\n" + "\n\n".join(extra) + "\n"
    return content


def convert(data: bytes | str, url: str | None = None, *, charset: str | None = None, links: bool = True,
            images: bool = True, select: bool = True, crawl_facts: bool = False) -> Document:
    """HTML -> Document(kind="page") whose ``content`` is the markdown body (no front matter).

    ``url`` is where the page lives (links are resolved against it and ``<base href>``); without
    it relative links stay relative. ``charset`` is the HTTP header's charset, if any.
    ``select=False`` converts the whole ``<body>`` (no content selection, like markitdown).
    ``metadata`` holds ``canonical``, ``lang``, ``generator``, ``links`` (absolute, in order of
    appearance in the main content), ``container`` (which rule picked the content).
    ``crawl_facts=True`` adds ``crawl_facts``: what a site crawl needs (every link of the page,
    title, site name, description; :func:`.html_links.crawl_facts`), read off this parse.
    """
    text = decode(data, charset)
    warnings: list[str] = []
    root = _parse(text, warnings)
    facts = {"crawl_facts": _crawl_facts(root, url or "")} if crawl_facts else {}  # before anything is removed
    doxygen_title(root)
    head = _head_facts(root, url)
    base = head["base"]
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")

    unstream_suspense(root, text)
    product_text = jsonld_product_text(root) if select else []  # (scripts go with the hidden text)
    jsonld = jsonld_facts(root) if select else None
    remove_hidden(root)
    body = root.find(".//body")
    body = body if body is not None else root
    if select:
        body_len = text_len(body)  # the page's visible text, before selection cuts the tree
        elements, container = _select_content(root, text, head, url, jsonld)
        _clean_content(elements, container)
        if _suspicious(elements, container, body_len, head):
            larger = _larger_candidate(text, elements, body_len)
            if larger is not None:
                elements, container = larger, "guard"
    else:
        elements, container = [body], "body"
    writer = Writer(base, links=links, images=images)
    content = writer.convert(elements)
    if product_text and container not in KNOWN_GENERATORS:
        content = _with_product_text(content, product_text)
    content = strip_invisible(content)  # tag characters, bidi overrides: unseen, untrusted
    return Document(
        path=_doc_path(url),
        url=url,
        title=strip_invisible(head["title"]) if head["title"] else None,
        description=strip_invisible(head["description"]) if head["description"] else None,
        kind="page",
        content=content,
        size=len(data.encode("utf-8") if isinstance(data, str) else data),
        metadata={
            "canonical": head["canonical"],
            "lang": lang or head["lang"],
            "links": writer.links,
            "generator": head["generator"],
            "container": container,
            **head["page"],
            **({"warnings": warnings} if warnings else {}),
            **facts,
        },
    )


def _yaml_value(value: str) -> str:
    """A YAML scalar: plain when safe, else a JSON string (JSON strings are valid YAML)."""
    value = " ".join(value.split())
    plain = (value and not re.match(r"^[-?:,\[\]{}#&*!|>'\"%@`]", value) and ": " not in value
             and " #" not in value and not value.endswith(":")
             and value.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "~"))
    if plain:
        return value
    return json.dumps(value, ensure_ascii=False)


#: front matter keys after title/url/canonical/description, in print order (from ``doc.metadata``)
_FRONT_MATTER_META = ("author", "date", "modified", "sitename", "lang", "image", "tags", "categories")


def _yaml_list(values: list) -> str:
    """A YAML flow list; items with flow characters (``, [ ] { }``) quoted as JSON strings."""
    items = []
    for value in values:
        value = " ".join(str(value).split())
        plain = _yaml_value(value)
        items.append(json.dumps(value, ensure_ascii=False) if re.search(r"[,\[\]{}]", plain) else plain)
    return "[" + ", ".join(items) + "]"


def front_matter(doc: Document) -> str:
    """YAML front matter: title, url, canonical (when it differs), description, then the page facts.

    Only keys the page states are printed, always in the same order, so two runs on one page
    give the same bytes: title, url, canonical, description, author, date, modified, sitename,
    lang, image, tags, categories.
    """
    meta = doc.metadata or {}
    canonical = meta.get("canonical")
    if canonical and doc.url and canonical.split("#")[0] == doc.url.split("#")[0]:
        canonical = None
    pairs: list[tuple[str, object]] = [("title", doc.title), ("url", doc.url), ("canonical", canonical),
                                       ("description", doc.description)]
    pairs += [(key, meta.get(key)) for key in _FRONT_MATTER_META]
    lines = ["---"]
    for key, value in pairs:
        if isinstance(value, list):
            if value:
                lines.append(f"{key}: {_yaml_list(value)}")
        elif isinstance(value, str) and value.strip():
            lines.append(f"{key}: {_yaml_value(value)}")
    warnings = doc.metadata.get("warnings") or []
    if warnings:
        lines.append("warnings:")
        lines += [f"  - {_yaml_value(w)}" for w in warnings]
    if len(lines) == 1:
        return ""
    lines.append("---")
    return "\n".join(lines) + "\n\n"
