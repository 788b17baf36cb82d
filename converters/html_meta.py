"""Page facts a reader cites (author, dates, site name, language, image, tags) from an HTML tree.

Pure functions over an lxml tree: no network, no clock, no global state. Sources, in the order
that wins (trafilatura and htmldate users expect the same picks):

- JSON-LD (``<script type="application/ld+json">``, ``@graph`` arrays flattened, ``@id``
  references resolved): the page's main entity (an Article/Posting type, else a Product, else a
  WebPage type) gives author, ``datePublished``/``dateModified``, headline, description, image,
  keywords; its ``publisher`` (or the WebSite object) gives the site name.
- meta tags: OpenGraph (``og:*``, ``article:*``), Twitter cards, ``name=author``/``keywords``,
  Dublin Core (``DC.*``/``dcterms.*``), citation/parsely/sailthru variants.
- microdata (``itemprop=author/datePublished/dateModified``) and ``<time datetime>`` in the article.

Dates come out as ISO 8601: ``YYYY-MM-DD``, or the full timestamp when one was given
(``2024-03-05T10:20:00+01:00``). JSON-LD that does not parse is skipped; it never fails a page.

>>> from lxml import etree
>>> root = etree.fromstring(b'<html><head><meta name="author" content="By Ada Lovelace">'
...     b'<meta property="article:published_time" content="2024-03-05 10:20:00+0100"></head></html>',
...     etree.HTMLParser())
>>> facts = page_facts(root)
>>> facts["author"], facts["date"]
('Ada Lovelace', '2024-03-05T10:20:00+01:00')
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from email.utils import parsedate_tz
from typing import Any
from urllib.parse import urljoin

from lxml import etree

__all__ = ["FIELDS", "jsonld_objects", "jsonld_type", "main_entity", "normalize_date", "page_facts", "resolve"]

#: the keys :func:`page_facts` returns, in the order front matter prints them
FIELDS = ("author", "date", "modified", "sitename", "image", "tags", "categories", "pagetype")

_MAX_SCRIPT = 2_000_000  # characters of one JSON-LD block; bigger is not metadata
_MAX_TAGS = 30

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "techarticle", "scholarlyarticle", "report", "socialmediaposting",
    "liveblogposting", "discussionforumposting", "analysisnewsarticle", "opinionnewsarticle",
    "reportagenewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "medicalscholarlyarticle",
    "satiricalarticle", "advertisercontentarticle", "askpublicnewsarticle", "review", "howto", "recipe",
    "qapage", "question", "videoobject", "podcastepisode", "creativework",
})
PRODUCT_TYPES = frozenset({"product", "productgroup", "individualproduct", "productmodel", "softwareapplication",
                           "book", "course", "event"})
PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "faqpage", "collectionpage", "profilepage",
                        "contactpage", "searchresultspage", "medicalwebpage", "checkoutpage", "realestatelisting"})
_SITE_TYPES = frozenset({"website"})

# meta keys (name/property/itemprop/http-equiv, lowercased) per fact, best first
_META_AUTHOR = ("author", "article:author", "og:article:author", "dc.creator", "dc:creator", "dcterms.creator",
                "citation_author", "parsely-author", "sailthru.author", "byl", "dc.creator.aut", "authors")
_META_PUBLISHED = ("article:published_time", "og:published_time", "og:article:published_time",
                   "datepublished", "citation_publication_date", "citation_date", "citation_online_date",
                   "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created", "dc.date", "dc:date",
                   "dcterms.date", "date", "pubdate", "publishdate", "publish-date", "publish_date",
                   "parsely-pub-date", "sailthru.date", "article.published", "published_time", "release_date")
_META_MODIFIED = ("article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified",
                  "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "article.updated",
                  "modified_time", "revised")
_META_SITENAME = ("og:site_name", "application-name", "dc.publisher", "dcterms.publisher", "publisher")
_META_IMAGE = ("og:image", "og:image:secure_url", "og:image:url", "twitter:image", "twitter:image:src", "image",
               "thumbnail")
_META_TAGS = ("article:tag", "keywords", "news_keywords", "dc.subject", "dcterms.subject", "parsely-tags",
              "citation_keywords", "tags")
_META_SECTION = ("article:section", "parsely-section", "category")
_META_LANG = ("content-language", "language", "dc.language", "dcterms.language", "og:locale", "inlanguage")
_META_DESCRIPTION = ("dc.description", "dcterms.description", "dcterms.abstract")

# what CMSs put in the author field when nobody filled it in
_NOT_AUTHORS = frozenset({"admin", "administrator", "author", "unknown", "anonymous", "guest", "webmaster",
                          "root", "user", "null", "none", "undefined"})
_BY = re.compile(r"^\s*(?:(?:written|posted|words|story|text)\s+)?(?:by|von|par|por)\s*:?\s+", re.I)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_TAG_SPLIT = re.compile(r"\s*[,;]\s*")
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?(?=$|[^\d:])", re.I)
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})(?!\d)")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WORDY_MDY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)
_WORDY_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})\b", re.I)


# ---------------------------------------------------------------------------------------------
# JSON-LD


def _clean_jsonld(text: str) -> str:
    """What sites wrap around their JSON: HTML comments, CDATA markers, a trailing semicolon."""
    text = text.strip()
    text = re.sub(r"^(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>$", "", text).strip()
    text = re.sub(r"^<!--|-->$", "", text).strip()
    return text.rstrip(";").strip()


def _load(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    cleaned = _clean_jsonld(text)
    cleaned = re.sub(r",\s*([}\]])", r"\1", cleaned)  # trailing commas, the commonest hand-written slip
    try:
        return json.loads(cleaned, strict=False)
    except (ValueError, RecursionError):
        return None


def _flatten(value: Any, out: list[dict], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            _flatten(item, out, depth + 1)
    elif isinstance(value, dict):
        graph = value.get("@graph")
        if graph is not None:
            rest = {k: v for k, v in value.items() if k not in ("@graph", "@context")}
            if "@type" in rest:
                out.append(rest)
            _flatten(graph, out, depth + 1)
        else:
            out.append(value)


def jsonld_objects(root) -> list[dict]:
    """Every JSON-LD object on the page, in document order, ``@graph`` arrays and top-level lists flattened.

    Nested objects (an Article's ``author``, a Product's ``offers``) stay nested; resolve
    ``{"@id": ...}`` references with :func:`resolve`. Blocks that do not parse are skipped.

    >>> from lxml import etree
    >>> root = etree.fromstring(b'<html><script type="application/ld+json">{"@graph": [{"@type": "WebSite", '
    ...     b'"name": "S"}, {"@type": "Product", "name": "P"}]}</script>'
    ...     b'<script type="application/ld+json">{broken</script></html>', etree.HTMLParser())
    >>> [o["@type"] for o in jsonld_objects(root)]
    ['WebSite', 'Product']
    """
    out: list[dict] = []
    for el in root.iter("script"):
        kind = (el.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        text = el.text or ""
        if not text.strip() or len(text) > _MAX_SCRIPT:
            continue
        _flatten(_load(text), out)
    return out


def jsonld_type(obj: dict) -> list[str]:
    """The object's ``@type``s, lowercased, schema.org URL prefixes dropped (``NewsArticle`` -> ``newsarticle``)."""
    raw = obj.get("@type")
    types = raw if isinstance(raw, list) else [raw]
    return [t.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for t in types if isinstance(t, str) and t]


def _index(objects: list[dict]) -> dict[str, dict]:
    index: dict[str, dict] = {}
    for obj in objects:
        ident = obj.get("@id")
        if isinstance(ident, str) and ident not in index and len(obj) > 1:
            index[ident] = obj
    return index


def resolve(value: Any, index: dict[str, dict]) -> Any:
    """A ``{"@id": ...}`` reference replaced by the object it names (as Yoast's @graph writes authors)."""
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
        return index.get(value["@id"], value)
    return value


def main_entity(objects: list[dict]) -> dict | None:
    """The object the page is about: the first article/posting, else product, else web page type."""
    for group in (ARTICLE_TYPES, PRODUCT_TYPES, PAGE_TYPES):
        for obj in objects:
            types = jsonld_type(obj)
            if any(t in group or (group is ARTICLE_TYPES and t.endswith(("article", "posting"))) for t in types):
                return obj
    return None


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A JSON-LD or attribute string made plain: entities decoded, tags and extra spaces gone."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = html.unescape(re.sub(r"<[^>]{0,200}>", " ", value))
    value = " ".join(value.split())
    return value or None


def _names(value: Any, index: dict[str, dict]) -> tuple[list[str], list[str]]:
    """Author names from a JSON-LD ``author``: (people or untyped, organisations)."""
    people: list[str] = []
    orgs: list[str] = []
    for item in _as_list(value)[:20]:
        item = resolve(item, index)
        if isinstance(item, str):
            people.append(item)
            continue
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if isinstance(name, dict):
            name = name.get("name")
        if isinstance(name, list):
            name = "; ".join(n for n in name if isinstance(n, str))
        if not isinstance(name, str) and isinstance(item.get("givenName"), str):
            name = " ".join(item[k] for k in ("givenName", "additionalName", "familyName")
                            if isinstance(item.get(k), str))
        if not isinstance(name, str):
            continue
        types = jsonld_type(item)
        (orgs if types and "person" not in types and any("organization" in t for t in types) else people).append(name)
    return people, orgs


def _image_url(value: Any, index: dict[str, dict]) -> str | None:
    for item in _as_list(value)[:5]:
        item = resolve(item, index)
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl")
            if isinstance(item, list):
                item = item[0] if item else None
        if isinstance(item, str) and item.strip():
            return item.strip()
    return None


# ---------------------------------------------------------------------------------------------
# dates


def _valid(year: int, month: int, day: int) -> bool:
    if not 1900 <= year <= 2100 or (year, month, day) == (1970, 1, 1):
        return False  # 1970-01-01 is a CMS's zero timestamp, not a publication date
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _tz(zone: str | None) -> str:
    if not zone:
        return ""
    zone = zone.upper()
    if zone in ("Z", "UTC", "GMT"):
        return "Z"
    sign, digits = zone[0], zone[1:].replace(":", "")
    return f"{sign}{digits[:2]}:{digits[2:4] or '00'}"


#: what a date reader returns when its form is not the text's (the next reader tries)
_NOT_THIS_FORM = object()


def _iso_date(text: str):
    """``YYYY-MM-DD`` with an optional time and zone; a bad clock keeps the date alone."""
    m = _ISO.match(text)
    if not m:
        return _NOT_THIS_FORM
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if not _valid(y, mo, d):
        return None
    date = f"{y:04d}-{mo:02d}-{d:02d}"
    if m[4] is None:
        return date
    hour, minute = int(m[4]), int(m[5])
    if hour > 23 or minute > 59 or (m[6] and int(m[6]) > 60):
        return date
    clock = f"{hour:02d}:{minute:02d}" + (f":{m[6]}" if m[6] else "") + (m[7] or "")
    return f"{date}T{clock}{_tz(m[8])}"


def _year_first_date(text: str):
    """``YYYY/MM/DD`` and ``YYYYMMDD``."""
    for pattern in (_YMD, _COMPACT):
        m = pattern.match(text)
        if m:
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
            return f"{y:04d}-{mo:02d}-{d:02d}" if _valid(y, mo, d) else None
    return _NOT_THIS_FORM


def _day_month_date(text: str):
    """``DD.MM.YYYY`` (dots: always day first), ``DD/MM/YYYY`` or ``MM/DD/YYYY`` when one part is over
    12; None when both orders are possible."""
    m = _DMY.match(text)
    if not m:
        return _NOT_THIS_FORM
    a, b, y = int(m[1]), int(m[3]), int(m[4])
    if m[2] == ".":  # 05.03.2024 is day.month.year wherever dots are used
        d, mo = a, b
    elif a > 12 >= b:
        d, mo = a, b
    elif b > 12 >= a:
        mo, d = a, b
    else:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}" if _valid(y, mo, d) else None


def _rfc2822_date(text: str):
    """``Tue, 05 Mar 2024 10:20:30 GMT`` with its zone as an offset."""
    parsed = parsedate_tz(text) if re.match(r"^[A-Za-z]{3},", text) else None
    if not (parsed and parsed[0] and _valid(parsed[0], parsed[1], parsed[2])):
        return _NOT_THIS_FORM
    y, mo, d, hh, mm, ss = parsed[:6]
    offset = parsed[9] or 0
    zone = "Z" if not offset else f"{'+' if offset > 0 else '-'}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}{zone}"


def _wordy_date(text: str):
    """English month names: ``March 5, 2024``, ``5 Mar 2024``."""
    m = _WORDY_MDY.search(text)
    if m:
        mo, d, y = _MONTHS[m[1].lower()], int(m[2]), int(m[3])
    else:
        m = _WORDY_DMY.search(text)
        if not m:
            return None
        d, mo, y = int(m[1]), _MONTHS[m[2].lower()], int(m[3])
    return f"{y:04d}-{mo:02d}-{d:02d}" if _valid(y, mo, d) else None


#: the forms :func:`normalize_date` reads, tried in this order; the first whose form fits decides
_DATE_READERS = (_iso_date, _year_first_date, _day_month_date, _rfc2822_date, _wordy_date)


def normalize_date(value: Any) -> str | None:
    """A date string as ISO 8601: ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM[:SS[.f]][Z|±HH:MM]`` when a time was given.

    Reads ISO dates (space or ``T``), ``YYYY/MM/DD``, ``YYYYMMDD``, ``DD.MM.YYYY``, English month
    names (``March 5, 2024``, ``5 Mar 2024``) and RFC 2822 (``Tue, 05 Mar 2024 10:20:30 GMT``).
    Ambiguous or impossible dates give None rather than a guess.

    >>> normalize_date("2024-03-05T10:20:30.5+0100"), normalize_date("March 5th, 2024")
    ('2024-03-05T10:20:30.5+01:00', '2024-03-05')
    >>> normalize_date("05/03/2024") is None   # day/month or month/day: not guessed
    True
    """
    if isinstance(value, list):  # JSON-LD allows a list where one value is meant
        value = value[0] if value else None
    text = _text(value)
    if not text or len(text) > 200:
        return None
    for read in _DATE_READERS:
        date = read(text)
        if date is not _NOT_THIS_FORM:
            return date
    return None


# ---------------------------------------------------------------------------------------------
# meta tags, microdata, <time>


def _meta_tags(root) -> dict[str, list[str]]:
    """Every ``<meta>`` by lowercased name/property/itemprop/http-equiv, values in document order."""
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        value = _text(el.get("content"))
        if not value:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (el.get(attr) or "").strip().lower()
            for k in key.split():  # RDFa allows several properties in one attribute
                meta.setdefault(k, []).append(value)
    return meta


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _first_date(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            date = normalize_date(value)
            if date:
                return date
    return None


def _in(el, tags: tuple[str, ...]) -> bool:
    return any(isinstance(a.tag, str) and a.tag in tags for a in el.iterancestors())


_ITEMPROP = etree.XPath("descendant-or-self::*/@itemprop/..")  # = descendant-or-self::*[@itemprop], reading itemprop attributes only (faster)


class _Microdata:
    """Microdata elements by ``itemprop``, outside comments (whose authors are not the page's).

    Walks the tree once, and only when a fact was not found in JSON-LD or meta tags.
    """

    def __init__(self, root) -> None:
        self.root = root
        self._by_prop: dict[str, list] | None = None

    def __call__(self, prop: str) -> list:
        if self._by_prop is None:
            self._by_prop = {}
            for el in _ITEMPROP(self.root):
                scope = next((a for a in el.iterancestors() if a.get("itemscope") is not None), None)
                if scope is not None and "comment" in (scope.get("itemtype") or "").lower():
                    continue
                for name in (el.get("itemprop") or "").split():
                    self._by_prop.setdefault(name, []).append(el)
        return self._by_prop.get(prop, [])


def _itemprop_value(el) -> str | None:
    for attr in ("content", "datetime"):
        if el.get(attr):
            return _text(el.get(attr))
    named = next((c for c in el.iter() if c is not el and "name" in (c.get("itemprop") or "").split()), None)
    return _text("".join((named if named is not None else el).itertext()))


_UPDATED = re.compile(r"updat|modif|revis|edited|comment", re.I)
_PUBLISHED = re.compile(r"publish|posted|entry-date|byline", re.I)


def _time_marks(el) -> str:
    parent = el.getparent()
    return " ".join(filter(None, (el.get("class"), el.get("itemprop"),
                                  parent.get("class") if parent is not None else None)))


def _time_rank(el) -> int | None:
    """How surely a ``<time>`` dates the page: 0 marked published, 1 in the article, 2 in main; None: not."""
    marks = _time_marks(el)
    if _UPDATED.search(marks) or _in(el, ("blockquote", "aside", "nav")):
        return None  # "Last updated" (Docusaurus puts it in the article's footer), comments, quotes
    if el.get("pubdate") is not None or _PUBLISHED.search(marks):
        return 0
    if _in(el, ("footer",)):
        return None
    if _in(el, ("article",)):
        return 1
    return 2 if _in(el, ("main",)) else None


def _time_date(root) -> str | None:
    """A ``<time datetime>`` that dates the article: marked published first, then in the article, then main.

    A page with one ``<time>`` outside header and footer is dated by it too (hand-made blogs).
    """
    times = [el for el in root.iter("time") if el.get("datetime")]
    ranked = sorted(((rank, i, el) for i, el in enumerate(times) if (rank := _time_rank(el)) is not None),
                    key=lambda t: t[:2])
    ordered = [el for _, _, el in ranked]
    if (not ordered and len(times) == 1 and not _UPDATED.search(_time_marks(times[0]))
            and not _in(times[0], ("footer", "aside", "nav", "header", "blockquote"))):
        ordered = times
    for el in ordered:
        date = normalize_date(el.get("datetime"))
        if date:
            return date
    return None


# ---------------------------------------------------------------------------------------------
# the facts


def _clean_author(name: str) -> str | None:
    name = _text(name)
    if not name or re.match(r"^(https?:|www\.)", name, re.I) or "@" in name.strip("@") and " " not in name:
        return None  # a profile URL or an e-mail address, not a name
    name = _BY.sub("", name).strip(" ,;|-")
    if not name or len(name) > 100 or not re.search(r"\w", name) or name.casefold() in _NOT_AUTHORS:
        return None
    return name


def _join_authors(names: list[str], split: bool = True) -> str | None:
    """Authors as trafilatura writes them: ``A; B`` (split on ; | and "and", duplicates dropped)."""
    seen: dict[str, str] = {}
    for raw in names:
        raw = _text(raw) or ""  # entities first: "O&#039;Neil" holds a ";" that is not a separator
        for part in re.split(r"\s*[;|]\s*|\s+(?:and|&)\s+", raw) if split else [raw]:
            name = _clean_author(part)
            if name and name.casefold() not in seen:
                seen[name.casefold()] = name
    return "; ".join(seen.values()) or None


def _tags(values: list[Any], one_each: tuple[str, ...] = ()) -> list[str]:
    """Tags in order, duplicates dropped. A string is a comma list (``keywords``); a JSON-LD list's
    items and the values in ``one_each`` (``article:tag``) are one tag each, commas and all."""
    seen: dict[str, str] = {}
    for value in values:
        for item in _as_list(value):
            text = _text(item)
            if not text:
                continue
            whole = isinstance(value, list) or text in one_each
            for tag in [text] if whole else _TAG_SPLIT.split(text):
                tag = tag.strip().strip("#").strip()
                if tag and len(tag) <= 60 and tag.casefold() not in seen:
                    seen[tag.casefold()] = tag
    return list(seen.values())[:_MAX_TAGS]


def _lang(value: str | None) -> str | None:
    value = (value or "").strip().split(",")[0].strip()
    return value.replace("_", "-") if value and _LANG.match(value) else None


@dataclass
class _Sources:
    """Where a page's facts are read from, each parsed once: the tree, its JSON-LD objects (and
    their ``@id`` index), the main entity, the meta tags and the (lazy) microdata."""

    root: Any
    objects: list[dict]
    index: dict
    entity: dict
    meta: dict
    microdata: _Microdata


def _author(src: _Sources) -> str | None:
    """JSON-LD people, meta tags, microdata, JSON-LD organisations, then rel=author."""
    entity, meta = src.entity, src.meta
    people, orgs = _names(entity.get("author") or entity.get("creator"), src.index) if entity else ([], [])
    author = _join_authors(people)
    if not author:
        author = _join_authors([v for key in _META_AUTHOR for v in meta.get(key, ())][:10])
    if not author:
        els = src.microdata("author")
        author = _join_authors([v for v in map(_itemprop_value, els[:5]) if v])
    if not author:
        author = _join_authors(orgs, split=False)
    if not author:
        link = next((a for a in src.root.iter("a") if "author" in (a.get("rel") or "").lower().split()), None)
        author = _join_authors([_text("".join(link.itertext())) or ""]) if link is not None else None
    return author


def _published(src: _Sources) -> str | None:
    """JSON-LD, meta, microdata, then <time> (htmldate's order)."""
    entity = src.entity
    date = normalize_date(entity.get("datePublished")) or normalize_date(entity.get("dateCreated"))
    if not date:
        date = next((d for o in src.objects if (d := normalize_date(o.get("datePublished")))), None)
    date = date or _first_date(src.meta, _META_PUBLISHED)
    if not date:
        date = next((d for el in src.microdata("datePublished") if (d := normalize_date(_itemprop_value(el)))),
                    None)
    return date or _time_date(src.root)


def _modified(src: _Sources) -> str | None:
    """JSON-LD, meta, then microdata."""
    modified = normalize_date(src.entity.get("dateModified")) or _first_date(src.meta, _META_MODIFIED)
    if not modified:
        modified = next((d for el in src.microdata("dateModified") if (d := normalize_date(_itemprop_value(el)))),
                        None)
    return modified


def _sitename(src: _Sources) -> str | None:
    """og:site_name, JSON-LD publisher / WebSite, then application-name, Dublin Core."""
    entity = src.entity
    sitename = src.meta.get("og:site_name", [None])[0]
    if not sitename:
        publisher = resolve(entity.get("publisher"), src.index) if entity else None
        sitename = _text(publisher.get("name")) if isinstance(publisher, dict) else _text(publisher)
    if not sitename:
        site = next((o for o in src.objects if _SITE_TYPES & set(jsonld_type(o))), None)
        sitename = _text(site.get("name")) if site else None
    return sitename or _first(src.meta, _META_SITENAME[1:])


def _image(src: _Sources, base: str | None) -> str | None:
    """og:image and kin, else the entity's image; absolute against ``base``; no data: or javascript:."""
    entity = src.entity
    image = _first(src.meta, _META_IMAGE) or (_image_url(entity.get("image"), src.index) if entity else None)
    if image and not image.startswith(("data:", "javascript:")):
        return urljoin(base, image) if base else image
    return None


def _pagetype(src: _Sources) -> str | None:
    """og:type, else the entity's first JSON-LD type; lower case."""
    entity = src.entity
    entity_type = jsonld_type(entity)[0] if entity and jsonld_type(entity) else None
    pagetype = _text(src.meta.get("og:type", [None])[0]) or entity_type
    return pagetype.lower() if pagetype else None


def page_facts(root, base: str | None = None, *, objects: list[dict] | None = None) -> dict[str, Any]:
    """Author, published/modified dates, site name, image, tags, categories, page type; plus fallbacks.

    Every key of :data:`FIELDS` is present (None, or [] for tags/categories, when the page does not
    say). Extra keys the caller may use as fallbacks for what it reads itself: ``title``
    (JSON-LD headline), ``description`` (Dublin Core, JSON-LD), ``lang`` (meta, og:locale,
    JSON-LD ``inLanguage``). ``image`` is made absolute against ``base``.
    """
    objects = jsonld_objects(root) if objects is None else objects
    src = _Sources(root, objects, _index(objects), main_entity(objects) or {}, _meta_tags(root), _Microdata(root))
    entity, meta = src.entity, src.meta
    author = _author(src)
    date = _published(src)
    modified = _modified(src)
    sitename = _sitename(src)
    image = _image(src, base)
    tags = _tags([v for key in _META_TAGS for v in meta.get(key, ())] + ([entity.get("keywords")] if entity else []),
                 one_each=tuple(meta.get("article:tag", ())))
    categories = _tags([v for key in _META_SECTION for v in meta.get(key, ())]
                       + ([entity.get("articleSection")] if entity else []))
    pagetype = _pagetype(src)
    description = _first(meta, _META_DESCRIPTION) or (_text(entity.get("description")) if entity else None)
    title = _text(entity.get("headline")) or _text(entity.get("name")) if entity else None
    lang = _lang(_first(meta, _META_LANG)) or _lang(_text(entity.get("inLanguage")) if entity else None)
    return {
        "author": author, "date": date, "modified": modified, "sitename": sitename, "image": image,
        "tags": tags, "categories": categories, "pagetype": pagetype,
        "title": title, "description": description, "lang": lang,
    }
