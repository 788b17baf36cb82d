"""What kind of page this is, as numbers the block scorer can use (page type and card features).

Why: the same block means different things on different pages. A run of linked cards is chrome
around an article but the content of a shop's category page; a 40-word paragraph with a price beside
it is a product's description; a dozen short blocks each under a username and a date are a forum
thread's posts. rs-trafilatura gets its lead on WCXB from classifying the page first and then
running one extraction profile per type; here the type evidence is handed to the learned scorer as
features instead, so the profiles are learned (one tree set, split on these columns) rather than
written by hand:

* page signals (the same for every block of a page): ``og:type``, JSON-LD ``@type`` families, URL
  path words (``/product/``, ``/collections/``, ``/forum/``, a dated ``/2024/05/`` path...), how many
  prices and shop verbs the page shows, how many ``<time>`` elements, the shape of its largest group
  of repeated siblings (posts, cards, rows);
* block signals: does the block sit in that largest repeated group, does it hold a price, does it
  sit in a tab panel, how much of its wording the page's own JSON-LD or meta description repeats
  (shops and forums state their description and posts there too).

Pure functions over an lxml tree (after ``remove_hidden``); the JSON-LD text is collected before
scripts are dropped (:func:`jsonld_facts`).
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlsplit

PAGE_NAMES = [
    "og_article", "og_product", "og_website", "og_other",
    "jt_collection", "jt_qa", "jt_service", "jt_event", "jt_recipe", "jt_howto", "jt_breadcrumb",
    "url_product", "url_collection", "url_forum", "url_article", "url_docs", "url_service", "url_depth",
    "url_query", "url_root",
    "page_prices_log", "page_shop_verbs", "page_times_log", "page_forum_words_log",
    "group_rep_log", "group_share", "group_link_ratio", "group_items_with_price",
    "page_long_blocks_log", "page_long_share", "page_h2_log", "page_jsonld_text_log",
]
BLOCK_NAMES = ["in_group", "group_item_share", "block_price", "in_tabpanel", "jsonld_overlap", "desc_overlap",
               "title_overlap"]
TYPE_NAMES = PAGE_NAMES + BLOCK_NAMES

_WORD = re.compile(r"\w+")
_PRICE = re.compile(r"(?:[$€£¥₹]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|EUR|USD|GBP|kr|zł|Kč)\b)")
_SHOP = re.compile(r"\b(add to (?:cart|bag|basket)|buy now|in stock|out of stock|checkout|wishlist|sku)\b", re.I)
_FORUM = re.compile(r"\b(reply|replies|quote|posted|joined|posts:|members?|thread|upvote|answered|asked)\b", re.I)
_URL_WORDS = {
    "url_product": re.compile(r"/(products?|p|dp|item|items|shop/p|sku)/|\.html?$|/buy/"),
    "url_collection": re.compile(r"/(collections?|category|categories|c|catalog|shop|store|tags?|search|brands?|"
                                 r"products/?$|list|lists|browse|deals|sale)(/|$|\?)"),
    "url_forum": re.compile(r"/(forums?|threads?|t|topics?|questions?|discussions?|community|board|boards|"
                            r"showthread|viewtopic|comments|r)(/|\.|$|\?)"),
    "url_article": re.compile(r"/(blog|news|articles?|posts?|stories|story|\d{4}/\d{1,2})(/|$)"),
    "url_docs": re.compile(r"/(docs?|documentation|reference|api|manual|guide|guides|learn|tutorials?|wiki)(/|$)"),
    "url_service": re.compile(r"/(services?|solutions?|pricing|about|contact|features?|plans?|company|"
                              r"careers|industries|platform)(/|$)"),
}
_JT = {
    "jt_collection": {"itemlist", "collectionpage", "offercatalog", "searchresultspage", "productcollection",
                      "productgroup"},
    "jt_qa": {"qapage", "question", "answer", "discussionforumposting", "comment", "socialmediaposting"},
    "jt_service": {"service", "localbusiness", "professionalservice", "organization", "corporation", "aboutpage",
                   "contactpage", "offer", "softwareapplication"},
    "jt_event": {"event", "musicevent", "sportsevent"},
    "jt_recipe": {"recipe"},
    "jt_howto": {"howto", "faqpage"},
    "jt_breadcrumb": {"breadcrumblist"},
}
_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "techarticle", "webpage"}
_TEXT_KEYS = ("description", "articlebody", "text", "reviewbody", "abstract")


def jsonld_facts(root, limit: int = 40) -> dict:
    """What the page says about itself where ``remove_hidden`` will not leave it (scripts, meta and
    title go with the hidden text): its JSON-LD ``@type``s (lowercase) and prose (descriptions,
    article bodies, posts' text; at most ``limit`` strings of 40+ characters), ``og:type``, meta
    description and ``<title>``. Read before cleaning."""
    out: list[str] = []
    types: set[str] = set()
    og, desc, title = _head_signals(root)
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        types.update(t.lower() for t in re.findall(r'"@type"\s*:\s*"([A-Za-z]+)"', script.text[:20000]))
        try:
            data = json.loads(script.text, strict=False)  # (raw newlines inside strings are common)
        except ValueError:
            continue
        _collect_texts(data, out, limit)
    return {"types": types, "texts": out, "og": og, "description": desc, "title": title}


def _head_signals(root) -> tuple[str, str, str]:
    """The first ``og:type`` (lowercase), meta description and ``<title>`` text."""
    og = desc = title = ""
    for el in root.iter("meta", "title"):
        if el.tag == "title":
            title = title or " ".join("".join(el.itertext()).split())
            continue
        key = (el.get("property") or el.get("name") or "").lower()
        if key == "og:type" and not og:
            og = (el.get("content") or "").strip().lower()
        elif key in ("description", "og:description") and not desc:
            desc = el.get("content") or ""
    return og, desc, title


def _collect_texts(data, out: list[str], limit: int) -> None:
    """Prose strings (40+ chars, under a text key, tags removed) of a JSON-LD value, depth first in
    document order, appended to ``out`` until it holds ``limit``."""
    stack = [data]
    while stack and len(out) < limit:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, (list, dict)):
                    stack.append(value)
                elif isinstance(value, str) and key.lower() in _TEXT_KEYS and len(value) >= 40:
                    out.append(" ".join(re.sub(r"<[^>]+>", " ", value).split()))


def _block_words(b) -> list[str]:
    """A block's ``\\w+`` matches: those :func:`.html_blocks.features` kept on it, else found here."""
    words = getattr(b, "words", None)
    return words if words is not None else _WORD.findall(b.text)


def _grams(text: str) -> set:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def _overlap(words: list[str], grams: set) -> float:
    if not grams or len(words) < 3:
        return 0.0
    g = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    return sum(x in grams for x in g) / len(g)


def _sig(el) -> tuple:
    cls = el.get("class")
    return (el.tag, cls.split(None, 1)[0] if cls and cls.strip() else "")


def _largest_group(body, chars: dict):
    """The parent whose same-shaped children (3+, none holding half of them) hold the most text:
    (items, their chars). Posts of a thread, cards of a grid, rows of a list."""
    best: tuple = ((), 0)
    for parent, n in chars.items():
        if n <= best[1] or len(parent) < 3:
            continue
        groups: dict = {}
        for child in parent:
            if isinstance(child.tag, str) and chars.get(child):
                groups.setdefault(_sig(child), []).append(child)
        for items in groups.values():
            if len(items) >= 3:
                total = sum(chars[c] for c in items)
                if total > best[1] and max(chars[c] for c in items) <= 0.5 * total:  # (not a layout's columns)
                    best = (items, total)
    return best


def _signal_features(page: dict, jsonld: dict, url: str | None) -> None:
    """Page columns from the og:type, the JSON-LD types and the URL's path words, depth and query."""
    og = jsonld.get("og", "")
    if og:
        slot = "og_article" if "article" in og else "og_product" if "product" in og else \
            "og_website" if og == "website" else "og_other"
        page[slot] = 1.0
    types = jsonld.get("types", set())
    for name, family in _JT.items():
        if types & family:
            page[name] = 1.0
    path = urlsplit(url or "").path.lower()
    for name, pattern in _URL_WORDS.items():
        if pattern.search(path):
            page[name] = 1.0
    segments = [s for s in path.split("/") if s]
    page["url_depth"] = float(min(8, len(segments)))
    page["url_query"] = 1.0 if urlsplit(url or "").query else 0.0
    page["url_root"] = 1.0 if not segments else 0.0


def _subtree_chars(blocks, body) -> dict:
    """Text characters of blocks under each element holding one, up to ``body``."""
    chars: dict = {}
    for b in blocks:
        node = b.el
        n = len(b.text)
        while node is not None:
            chars[node] = chars.get(node, 0) + n
            if node is body:
                break
            node = node.getparent()
    return chars


def _group_features(page: dict, body, blocks, prices: list[bool], chars: dict, total: int) -> dict:
    """Page columns of the largest group of repeated items (a listing's cards); returns the items,
    each mapped to its position, so blocks can say whether they sit in one."""
    items, group_chars = _largest_group(body, chars)
    in_item: dict = {}
    if not items:
        return in_item
    page["group_rep_log"] = math.log1p(len(items))
    page["group_share"] = group_chars / total
    link_chars = 0
    for k, item in enumerate(items):
        in_item[item] = k
    item_price: dict = {}
    for b, has_price in zip(blocks, prices, strict=True):
        node = b.el
        while node is not None and node not in in_item:
            if node is body:
                node = None
                break
            node = node.getparent()
        if node is not None:
            link_chars += b.link_chars
            item_price[node] = item_price.get(node, False) or has_price
    with_price = sum(item_price.values())
    page["group_link_ratio"] = link_chars / max(1, group_chars)
    page["group_items_with_price"] = with_price / len(items)
    return in_item


def _text_features(page: dict, body, blocks, texts: list[str], prices: list[bool], total: int,
                   jsonld: dict, block_words: list[list[str]] | None = None) -> None:
    """Page columns counted over the blocks' text: prices, shop and forum words, long blocks."""
    page["page_prices_log"] = math.log1p(sum(prices))
    page["page_shop_verbs"] = math.log1p(sum(1 for t in texts if len(t) < 80 and _SHOP.search(t)))
    page["page_times_log"] = math.log1p(sum(1 for _ in body.iter("time")))
    page["page_forum_words_log"] = math.log1p(sum(1 for t in texts if len(t) < 60 and _FORUM.search(t)))
    if block_words is None:
        block_words = [_WORD.findall(t) for t in texts]
    long_chars = [len(t) for t, words in zip(texts, block_words, strict=True) if len(words) >= 40]
    page["page_long_blocks_log"] = math.log1p(len(long_chars))
    page["page_long_share"] = sum(long_chars) / total
    page["page_h2_log"] = math.log1p(sum(1 for b in blocks if b.el.tag == "h2"))
    page["page_jsonld_text_log"] = math.log1p(sum(len(t) for t in jsonld.get("texts", [])))


def _block_context(b, body, in_item: dict, memo: dict | None = None):
    """The group item holding block ``b`` (or None) and 1.0 when it sits in a tab panel.

    ``memo`` (one per page) keeps each visited element's answer: a block's walk up stops at the
    first ancestor already answered (siblings share their parent's walk)."""
    if memo is None:
        memo = {}
    node = b.el
    path = []
    found = None
    while node is not None:
        hit = memo.get(node)
        if hit is not None:
            found = hit
            break
        path.append(node)
        if node is body:
            break
        node = node.getparent()
    group_item, tab = found if found is not None else (None, 0.0)
    # answers from the top down: the nearest group item wins, a tab panel anywhere above counts
    for node in reversed(path):
        if node in in_item:
            group_item = node
        if not tab and ((node.get("role") or "").lower() == "tabpanel"
                        or "tab-pane" in (node.get("class") or "")):
            tab = 1.0
        memo[node] = (group_item, tab)
    return memo[b.el] if path else found


def _reference_words(jsonld: dict) -> tuple[set, set, set]:
    """What a block's words are compared with: the JSON-LD texts' and the description's grams, and
    the title's words."""
    jl_grams: set = set()
    for t in jsonld.get("texts", []):
        jl_grams |= _grams(t)
    desc_grams = _grams(jsonld.get("description", ""))
    title_words = {w.lower() for w in _WORD.findall(jsonld.get("title", ""))}
    return jl_grams, desc_grams, title_words


def _jsonld_columns(types: set) -> tuple[float, float, float, float]:
    """The ``jl_product``, ``jl_article``, ``jl_forum`` and ``jl_types`` values of every row."""
    return (1.0 if "product" in types else 0.0, 1.0 if types & _ARTICLE_TYPES else 0.0,
            1.0 if types & _JT["jt_qa"] else 0.0, math.log1p(len(types)))


def _reference_overlaps(words: list[str], jl_grams: set, desc_grams: set, title_words: set) -> tuple:
    """A block's overlap with the page's JSON-LD text and meta description (shares of its word
    trigrams, made once for both, as :func:`_overlap` counts them) and with its title (share of words)."""
    jl = desc = 0.0
    if len(words) >= 3 and (jl_grams or desc_grams):
        grams = list(zip(words, words[1:], words[2:], strict=False))
        jl = sum(map(jl_grams.__contains__, grams)) / len(grams) if jl_grams else 0.0
        desc = sum(map(desc_grams.__contains__, grams)) / len(grams) if desc_grams else 0.0
    title = (sum(map(title_words.__contains__, words)) / len(words)) if words and title_words else 0.0
    return jl, desc, title


def add_type_features(root, body, blocks, dense: list[list[float]], url: str | None, idx: dict,
                      jsonld: dict | None = None) -> None:
    """Fill the :data:`TYPE_NAMES` columns of ``dense`` (one row per block, in place), and the
    ``jl_*`` columns of :func:`.html_blocks.features` from ``jsonld`` (:func:`jsonld_facts` of the page
    before cleaning: by the time blocks are cut the scripts are gone)."""
    if not blocks:
        return
    page = dict.fromkeys(PAGE_NAMES, 0.0)
    jsonld = jsonld or {}
    _signal_features(page, jsonld, url)
    chars = _subtree_chars(blocks, body)
    total = max(1, chars.get(body, 1))
    texts = [b.text for b in blocks]
    # each block's words: those features() found (the same pattern), else found here once
    block_words = [_block_words(b) for b in blocks]
    prices = [bool(_PRICE.search(t)) for t in texts]
    _text_features(page, body, blocks, texts, prices, total, jsonld, block_words)
    in_item = _group_features(page, body, blocks, prices, chars, total)
    jl_grams, desc_grams, title_words = _reference_words(jsonld)
    page_row = [page[n] for n in PAGE_NAMES]
    jl = _jsonld_columns(jsonld.get("types", set()))
    jl_cols = [idx[n] for n in ("jl_product", "jl_article", "jl_forum", "jl_types")]
    first = idx[TYPE_NAMES[0]]
    memo: dict = {}
    i_group, i_share, i_price, i_tab, i_jl, i_desc, i_title = (idx[n] for n in BLOCK_NAMES)
    n_page = len(PAGE_NAMES)
    for b, row, has_price, found in zip(blocks, dense, prices, block_words, strict=True):
        row[first:first + n_page] = page_row
        for col, value in zip(jl_cols, jl, strict=True):
            row[col] = value
        group_item, tab = _block_context(b, body, in_item, memo)
        row[i_group] = 1.0 if group_item is not None else 0.0
        row[i_share] = chars.get(group_item, 0) / total if group_item is not None else 0.0
        row[i_price] = 1.0 if has_price else 0.0
        row[i_tab] = tab
        row[i_jl], row[i_desc], row[i_title] = _reference_overlaps(list(map(str.lower, found)), jl_grams,
                                                                   desc_grams, title_words)
