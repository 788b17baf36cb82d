"""Learned main-content selection: cut a page into text blocks, score each block, keep the content.

Why learned: hand rules written against the 91 documentation pages we could see scored 0.95 there and
0.79 on pages nobody had looked at (forums, shops, listings, news). Here every block (the text a
block-level element owns itself, not counting its block-level children) gets ~70 numeric features
(text length, link density, punctuation, its tag and its ancestors' tags and roles, depth and
position, the size and link density of its containers, how many siblings repeat its ancestors'
shape, whether the rule-based selector's container holds it) plus a score learned from the class and
id words of it and its ancestors (feature hashing). A small gradient-boosted tree set turns these
into the probability that the block is main content; the scores are smoothed over neighbouring
blocks, and the kept blocks are rendered
by the ordinary markdown writer (unkept subtrees are cut).

The weights (``html_weights.json``) are trained by ``benchmarks/train_html_scorer.py`` on the work
part of WCXB's development split (CC-BY-4.0, Murrough Foley); inference is numpy (a dependency of
bm25s) and the feature extraction is one pass over the tree in pure Python.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import operator
import os
import re
import zlib
from pathlib import Path

from .html_hidden import text_chars
from .html_pagetype import TYPE_NAMES, add_type_features
from .html_select import _is_chapter_toc, drop_keeping_tail, is_chrome

#: inline elements: their text belongs to the nearest block-level ancestor
INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "img", "kbd", "mark", "q",
    "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "del",
    "ins", "strike", "tt", "font", "big", "label", "acronym", "nobr", "picture", "source", "meter", "output",
}
#: blocks that own all the text under them (never split further)
ATOMIC = {"p", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "figcaption", "caption", "summary", "th", "td"}
_BLOCK_TAG_IDS = {t: i for i, t in enumerate((
    "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "span", "a", "dt", "dd",
    "section", "article", "blockquote", "figcaption", "header", "footer", "nav", "aside", "main", "ul", "form"))}
_ANCESTOR_FLAGS = ("nav", "header", "footer", "aside", "main", "article", "form", "table", "ul", "ol", "blockquote",
                   "section", "li", "dl", "h", "pre", "figure")
_ROLE_FLAGS = ("navigation", "banner", "contentinfo", "complementary", "main", "article", "menu", "dialog")
_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # between "postBody"'s t and B (a plain-string sub runs in C)
_WORD = re.compile(r"\w+")
_PUNCT = re.compile(r"[.,;:!?]")
_DIGIT = re.compile(r"\d")
_STOP = frozenset(
    "the a an and or of to in on for with is are was were be been it this that as at by from but not you your we "
    "our they their he she his her its have has had do does did can will would should could if then than so "
    "which who what when where how all any some more most other into about also there these those i my me "
    "der die das und ist nicht ein eine zu den mit von le la les et des est un une du en el los las que y es "
    "por para il di che non per".split())
N_HASH = 1 << 12
#: the shipped weights; LLMINGEST_HTML_WEIGHTS points the benchmark at a freshly trained file before it is copied here
WEIGHTS = Path(os.environ.get("LLMINGEST_HTML_WEIGHTS") or Path(__file__).with_name("html_weights.json"))


def _class_words(el) -> list[str]:
    """Lowercase words of an element's class and id ("postBody js-x" -> post, body, js, x)."""
    raw = " ".join(v for v in (el.get("class"), el.get("id")) if v)
    if not raw:
        return []
    return _class_words_of(raw)


@functools.lru_cache(maxsize=8192)
def _class_words_of(raw: str) -> list[str]:
    words: list[str] = []
    for tok in _SPLIT.split(_CAMEL.sub(" ", raw).lower()):
        if 2 <= len(tok) <= 20 and not tok.isdigit() and tok not in words:
            words.append(tok)
            if len(words) == 12:  # utility-class soups (Tailwind) say little past the first words
                break
    return words


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % N_HASH


class Block:
    """The text one block-level element owns (its inline descendants and children's tails)."""

    __slots__ = ("el", "parts", "link_chars", "links", "index", "depth", "features", "tokens", "text", "words")

    def __init__(self, el, index: int, depth: int) -> None:
        self.el = el
        self.parts: list[str] = []
        self.link_chars = 0
        self.links = 0
        self.index = index
        self.depth = depth
        self.text = ""
        self.words: list[str] | None = None  # ``_WORD`` matches of the text, set by features() for later readers


def _own_text(owner: Block, text: str, stripped: str, link: bool, order: list[Block]) -> None:
    """A piece of text (an element's own or a child's tail) joins its block; a block's first text
    fixes its place in ``order`` (``text`` is only a "placed" mark until the blocks are finished)."""
    owner.parts.append(text)
    if link:
        owner.link_chars += len(stripped)
    if not owner.text:
        owner.text = "x"
        order.append(owner)


def segment_blocks(body) -> list[Block]:
    """Blocks in document order with their text filled in (tails included), empty ones dropped.

    (Each element's tag, text and tail are read from lxml once: every read builds a new string.)"""
    order = []  # (block) in first-text order

    body_tag = body.tag
    if not isinstance(body_tag, str):
        return []
    stack = [(0, body, body_tag, None, 0, False, False)]
    while stack:
        item = stack.pop()
        if item[0] == 1:  # a tail to add to an owner
            _, text, stripped, owner, link = item
            _own_text(owner, text, stripped, link, order)
            continue
        _, el, tag, owner, depth, in_link, atomic = item
        if owner is None or (not atomic and tag not in INLINE):
            owner = Block(el, 0, depth)
            atomic = tag in ATOMIC
        if tag == "a":
            link = True
            owner.links += 1
        else:
            link = in_link
        text = el.text
        if text:
            stripped = text.strip()
            if stripped:
                _own_text(owner, text, stripped, link, order)
        for child in reversed(el):
            child_tag = child.tag
            if not isinstance(child_tag, str):
                continue
            tail = child.tail
            if tail:
                stripped = tail.strip()
                if stripped:
                    stack.append((1, tail, stripped, owner, in_link))
            stack.append((0, child, child_tag, owner, depth + 1, link, atomic))
    for i, b in enumerate(order):
        b.index = i
        b.text = " ".join(" ".join(b.parts).split())
    return [b for b in order if b.text]


def _jsonld_types(root) -> list[str]:
    types = []
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        for m in re.finditer(r'"@type"\s*:\s*"([A-Za-z]+)"', script.text[:20000]):
            types.append(m.group(1).lower())
    return sorted(set(types))[:20]


DENSE_NAMES: list[str] = []


def _dense_names() -> list[str]:
    names = ["log_chars", "log_words", "link_ratio", "log_links", "punct_ratio", "digit_ratio", "stop_ratio",
             "avg_word", "ends_sentence", "upper_start", "depth", "depth_ratio", "pos_ratio", "index_ratio",
             "in_main_sel", "main_sel_share", "in_chrome", "self_chrome",
             "p1_log_chars", "p1_link_ratio", "p1_share", "p2_log_chars", "p2_link_ratio", "p2_share",
             "p3_share", "p3_link_ratio", "repeat_log", "repeat_share", "itemprop_content", "itemprop_any",
             "page_log_chars", "page_link_ratio", "page_articles", "page_has_main", "page_blocks_log",
             "n_headings_before_ratio", "h1_before", "prev_link_ratio", "next_link_ratio", "prev_log_chars",
             "next_log_chars", "token_score", "in_sel_rule_known", "sel_rule_main", "sel_rule_article",
             "sel_rule_density", "sel_rule_body", "dist_best", "in_best", "jl_product", "jl_article",
             "jl_forum", "jl_types"]
    names += [f"tag_{t}" for t in _BLOCK_TAG_IDS] + [f"anc_{t}" for t in _ANCESTOR_FLAGS] + \
             [f"role_{r}" for r in _ROLE_FLAGS]
    return names


DENSE_NAMES = _dense_names() + TYPE_NAMES  # page-type columns: filled by html_pagetype.add_type_features
_IDX = {n: i for i, n in enumerate(DENSE_NAMES)}
_CONTENT_PROPS = {"articlebody", "text", "description", "reviewbody", "mainentityofpage", "articlesection"}


_CHROME_TAGS = {"nav", "footer", "aside", "header", "summary", "a"}
_FLAG_BITS = {t: 1 << i for i, t in enumerate(_ANCESTOR_FLAGS)}
_ROLE_BITS = {r: 1 << i for i, r in enumerate(_ROLE_FLAGS)}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_FORUM_TYPES = {"discussionforumposting", "qapage", "question", "answer", "comment", "socialmediaposting"}
_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "techarticle", "webpage"}


#: an element's own tag as an ancestor flag of its children (h1-h6 count as "h")
_OWN_FLAG = {**{h: 1 << _ANCESTOR_FLAGS.index("h") for h in ("h1", "h2", "h3", "h4", "h5", "h6")}, **_FLAG_BITS}
_TAG_COLUMN = {t: _IDX["tag_" + t] for t in _BLOCK_TAG_IDS}
_FLAG_COLUMNS = tuple((bit, _IDX["anc_" + f]) for f, bit in _FLAG_BITS.items())
_ROLE_COLUMNS = tuple((bit, _IDX["role_" + r]) for r, bit in _ROLE_BITS.items())
_RULE_COLUMN = {"main": "sel_rule_main", "role=main": "sel_rule_main", "article": "sel_rule_article",
                "articles": "sel_rule_article", "density": "sel_rule_density", "trafilatura": "sel_rule_density",
                "body": "sel_rule_body"}
_first_char = operator.itemgetter(0)


@functools.lru_cache(maxsize=8192)
def _word_hashes(cls: str | None, ident: str | None, prefix: str) -> tuple[int, ...]:
    """Hashed words of an element's class and id (``a:`` as an ancestor's, ``s:`` as the block's own):
    the words of :func:`_class_words`, decided once per value."""
    raw = " ".join(v for v in (cls, ident) if v)
    if not raw:
        return ()
    if len(_WORD_HASHES) > 200_000:  # (a memo, bounded for a long-running server)
        _WORD_HASHES.clear()
    out = []
    for w in _class_words_of(raw):
        key = prefix + w
        h = _WORD_HASHES.get(key)
        if h is None:
            h = _WORD_HASHES[key] = _hash(key)
        out.append(h)
    return tuple(out)


_WORD_HASHES: dict[str, int] = {}


@functools.lru_cache(maxsize=1024)
def _tag_hash(tag: str) -> int:
    return _hash("t:" + tag)


def _bit_columns(bits: int, columns: tuple, memo: dict) -> tuple[int, ...]:
    """The one-hot columns of the bits set in ``bits`` (memoised in ``memo``, one per column set)."""
    cols = memo.get(bits)
    if cols is None:
        cols = memo[bits] = tuple(col for bit, col in columns if bits & bit)
    return cols


_FLAG_MEMO: dict[int, tuple[int, ...]] = {}
_ROLE_MEMO: dict[int, tuple[int, ...]] = {}


def _subtree_chars(body, blocks: list[Block]) -> tuple[dict, dict, dict]:
    """Characters and link characters of the blocks under each element that holds one, and its depth
    below ``body``: each block's ancestors are marked once, then summed deepest first."""
    chars: dict = {}
    links: dict = {}
    depth: dict = {}
    for b in blocks:
        chars[b.el] = len(b.text)
        links[b.el] = b.link_chars
        depth[b.el] = b.depth
    for b in blocks:
        node, d = b.el, b.depth
        while node is not body:
            node = node.getparent()
            if node is None:
                break
            d -= 1
            if node in depth:
                break
            depth[node] = d
            chars[node] = links[node] = 0
    for node in sorted(depth, key=depth.__getitem__, reverse=True):
        if node is body:
            continue
        parent = node.getparent()
        if parent is not None and parent in chars:
            chars[parent] += chars[node]
            links[parent] += links[node]
    return chars, links, depth


def _best_element(body, blocks: list[Block], chars: dict, links: dict, depth: dict, need: float):
    """The deepest element whose blocks hold at least ``need`` non-link characters, and its depth.

    Ties keep the order the elements were once visited in: blocks first (in block order), then the
    other elements from the last in document order to the first; none at all: ``body``.
    """
    best, best_depth = body, -1
    block_els = set()
    for b in blocks:
        el = b.el
        block_els.add(el)
        if chars[el] - links[el] >= need and depth[el] > best_depth:
            best, best_depth = el, depth[el]
    deeper: list = []  # non-block elements deeper than the best block
    for el, d in depth.items():
        if d >= best_depth and el not in block_els and chars[el] - links[el] >= need:
            if d > best_depth:
                deeper, best_depth = [el], d
            elif deeper:
                deeper.append(el)
    if len(deeper) > 1:
        order = {el: i for i, el in enumerate(body.iter())}
        return max(deeper, key=order.__getitem__), best_depth
    if deeper:
        return deeper[0], best_depth
    return best, depth.get(best, 0)


def features(root, body, blocks: list[Block], selected: list, rule: str) -> tuple[list[list[float]], list[list[int]]]:
    """Dense features and hashed class/id token indices for every block (same order as ``blocks``)."""
    chars, links, depth = _subtree_chars(body, blocks)
    total = max(1, chars.get(body, 1))
    page_links = links.get(body, 0) / total
    n_articles = sum(1 for _ in body.iter("article"))
    has_main = 1.0 if next(body.iter("main"), None) is not None else 0.0
    page_types = _jsonld_types(root)
    sel_set = set(selected)
    sel_chars = sum(chars.get(s, 0) for s in selected)
    # the deepest element still holding half the page's non-link text
    best, best_level = _best_element(body, blocks, chars, links, depth, 0.5 * (total - links.get(body, 0)))
    # top-down context of every element that holds a block, as a tuple: (ancestors' tag flags, role bits,
    # in chrome, in the rule's selection, in the best element, itemprop seen, content itemprop seen, hashed
    # class words per level nearest first, (repeat count, share) per level nearest first, own is_chrome)
    ctx: dict = {}
    # (an element's repeat count among its siblings and its parent's share come with it on the stack)
    # (an element's tag and class come with it too: read from lxml once, when its parent counts them)
    stack = [(body, body.tag, body.get("class"), (0, 0, False, False, False, False, False, (), ()), 0, 0.0)]
    while stack:
        el, tag, cls, (flags, roles, chrome, sel, in_best, prop_any, prop_content, up_toks, up_rep), rep, share = \
            stack.pop()
        if el in sel_set:
            sel = True
        if el is best:
            in_best = True
        attrib = el.attrib
        own_toks: tuple = ()
        self_chrome = None  # (not asked when an ancestor is already chrome)
        ident = None
        if attrib:
            ident = attrib.get("id")
            role = attrib.get("role")
            if role:
                roles |= _ROLE_BITS.get(role.lower(), 0)
            prop = attrib.get("itemprop")
            itype = attrib.get("itemtype")
            own_toks = _word_hashes(cls, ident, "a:")
            if prop or itype:
                extra = []
                if prop:
                    prop_any = True
                    if prop.lower() in _CONTENT_PROPS:
                        prop_content = True
                    extra.append(_hash("ip:" + prop.lower()[:30]))
                if itype:
                    extra.append(_hash("it:" + itype.rsplit("/", 1)[-1].lower()[:30]))
                own_toks = (*extra, *own_toks)
            if not chrome:
                chrome = self_chrome = is_chrome(el)
        elif not chrome and tag in _CHROME_TAGS:
            chrome = self_chrome = is_chrome(el)
        toks = (own_toks, *up_toks[:5])
        rep_levels = ((rep, share if rep else 0.0), *up_rep[:5])
        ctx[el] = (flags, roles, chrome, sel, in_best, prop_any, prop_content, toks, rep_levels, self_chrome, tag, cls,
                   ident, bool(attrib))
        # children inherit this element's own tag as an ancestor flag
        inherited = (flags | _OWN_FLAG.get(tag, 0), roles, chrome, sel, in_best, prop_any, prop_content, toks,
                     rep_levels)
        # repeated siblings (posts, cards, rows): the children's signatures (_sig) counted in one pass
        counts: dict = {}
        kids = []
        for child in el:
            child_tag = child.tag
            if isinstance(child_tag, str):
                child_cls = child.get("class")
                key = (child_tag, child_cls.split(None, 1)[0] if child_cls and child_cls.strip() else "")
                counts[key] = counts.get(key, 0) + 1
                if child in chars:
                    kids.append((child, key, child_cls))
        if kids:
            share = chars[el] / total
            for child, key, child_cls in kids:
                k = counts[key]
                stack.append((child, key[0], child_cls, inherited, k, share) if k >= 3 else
                             (child, key[0], child_cls, inherited, 0, 0.0))
    dense_rows: list[list[float]] = []
    tok_rows: list[list[int]] = []
    n_blocks = max(1, len(blocks))
    max_depth = max((b.depth for b in blocks), default=1) or 1
    cum = 0
    headings_seen = 0
    h1_seen = 0.0
    page_toks = {_hash("jt:" + t) for t in page_types}
    types = set(page_types)
    # the columns every block of the page shares
    template = [0.0] * len(DENSE_NAMES)
    template[_IDX["main_sel_share"]] = sel_chars / total
    template[_IDX["page_log_chars"]] = math.log1p(total)
    template[_IDX["page_link_ratio"]] = page_links
    template[_IDX["page_articles"]] = math.log1p(n_articles)
    template[_IDX["page_has_main"]] = has_main
    template[_IDX["page_blocks_log"]] = math.log1p(n_blocks)
    template[_IDX["jl_product"]] = 1.0 if "product" in types else 0.0
    template[_IDX["jl_article"]] = 1.0 if types & _ARTICLE_TYPES else 0.0
    template[_IDX["jl_forum"]] = 1.0 if types & _FORUM_TYPES else 0.0
    template[_IDX["jl_types"]] = math.log1p(len(types))
    template[_IDX[_RULE_COLUMN.get(rule, "in_sel_rule_known")]] = 1.0
    i_in_sel, i_chrome, i_self = _IDX["in_main_sel"], _IDX["in_chrome"], _IDX["self_chrome"]
    i_rep_log, i_rep_share = _IDX["repeat_log"], _IDX["repeat_share"]
    i_prop_content, i_prop_any = _IDX["itemprop_content"], _IDX["itemprop_any"]
    i_headings, i_h1 = _IDX["n_headings_before_ratio"], _IDX["h1_before"]
    i_in_best, i_dist_best = _IDX["in_best"], _IDX["dist_best"]
    parent_cols = [(_IDX[k + "_log_chars"] if k != "p3" else None, _IDX[k + "_link_ratio"], _IDX[k + "_share"])
                   for k in ("p1", "p2", "p3")]
    log1p, stop_words = math.log1p, _STOP.__contains__
    by_parent: dict = {}  # parent -> (its ancestors' hashed words with the page's, its p1-p3 columns)
    for b in blocks:
        text = b.text
        n = len(text)
        words = b.words = _WORD.findall(text)
        nw = len(words)
        row = template.copy()
        row[0] = log1p(n)
        row[1] = log1p(nw)
        nw1 = nw or 1  # (= max(1, nw); n >= 1: blocks hold text)
        row[2] = min(1.0, b.link_chars / n)
        row[3] = log1p(b.links)
        row[4] = len(_PUNCT.findall(text)) / nw1
        row[5] = len(_DIGIT.findall(text)) / n
        row[6] = sum(map(stop_words, map(str.lower, words))) / nw1
        row[7] = sum(map(len, words)) / nw1
        row[8] = 1.0 if text[-1:] in ".!?:\u3002" else 0.0
        row[9] = sum(map(str.isupper, map(_first_char, words))) / nw1
        row[10] = b.depth
        row[11] = b.depth / max_depth
        row[12] = cum / total
        row[13] = b.index / n_blocks
        cum += n
        el = b.el
        (flags, roles, chrome, sel, in_best, prop_any, prop_content, up_toks, rep_levels, self_chrome, tag, cls, ident,
         has_attrib) = ctx[el]
        parent = el.getparent()
        up = by_parent.get(parent)
        if up is None:  # what a block takes from its parent and the parent's ancestors: the same for its siblings
            up_tok_set = set(page_toks)
            if len(up_toks) > 1:
                up_tok_set.update(up_toks[1])
                up_tok_set.update([(t + 1) % N_HASH for t in up_toks[1]])  # the parent's words, once more in their own slot
                for lt in up_toks[2:]:
                    up_tok_set.update(lt)
            cols = []
            node = parent
            for log_col, link_col, share_col in parent_cols:
                if node is None or node not in chars:
                    break
                cc = chars[node]
                if log_col is not None:
                    cols.append((log_col, log1p(cc)))
                cols.append((link_col, links[node] / max(1, cc)))
                cols.append((share_col, cc / total))
                if node is body:
                    break
                node = node.getparent()
            up = by_parent[parent] = (up_tok_set, cols)
        toks = up[0].copy()
        if has_attrib:
            toks.update(_word_hashes(cls, ident, "s:"))
        toks.add(_tag_hash(tag))
        for col, value in up[1]:
            row[col] = value
        if sel:
            row[i_in_sel] = 1.0
        if chrome:
            row[i_chrome] = 1.0
            if self_chrome is None and (has_attrib or tag in _CHROME_TAGS):
                self_chrome = is_chrome(el)
            if self_chrome:
                row[i_self] = 1.0
        rep, rep_share = max(rep_levels, default=(0, 0.0))
        row[i_rep_log] = log1p(rep)
        row[i_rep_share] = rep_share
        if prop_content:
            row[i_prop_content] = 1.0
        if prop_any:
            row[i_prop_any] = 1.0
        if tag in _HEADING_TAGS:
            headings_seen += 1
        if tag == "h1":
            h1_seen = 1.0
        row[i_headings] = headings_seen / n_blocks
        row[i_h1] = h1_seen
        if in_best:
            row[i_in_best] = 1.0
            row[i_dist_best] = min(20, depth[el] - best_level)
        else:
            row[i_dist_best] = -1.0
        col = _TAG_COLUMN.get(tag)
        if col is not None:
            row[col] = 1.0
        if flags:
            for col in _bit_columns(flags, _FLAG_COLUMNS, _FLAG_MEMO):
                row[col] = 1.0
        if roles:
            for col in _bit_columns(roles, _ROLE_COLUMNS, _ROLE_MEMO):
                row[col] = 1.0
        dense_rows.append(row)
        tok_rows.append(sorted(toks))
    # neighbours
    lr, lc = _IDX["link_ratio"], _IDX["log_chars"]
    i_prev_lr, i_prev_lc, i_next_lr, i_next_lc = (_IDX["prev_link_ratio"], _IDX["prev_log_chars"],
                                                  _IDX["next_link_ratio"], _IDX["next_log_chars"])
    for prev, row in zip(dense_rows, dense_rows[1:], strict=False):
        row[i_prev_lr] = prev[lr]
        row[i_prev_lc] = prev[lc]
        prev[i_next_lr] = row[lr]
        prev[i_next_lc] = row[lc]
    return dense_rows, tok_rows


def _sig(el) -> tuple:
    cls = el.get("class")
    return (el.tag, cls.split(None, 1)[0] if cls and cls.strip() else "")


def _depth_cache(el) -> int:
    d = 0
    node = el
    while node is not None:
        d += 1
        node = node.getparent()
    return d


@functools.lru_cache(maxsize=1)
def load_model(path: str = str(WEIGHTS)) -> dict | None:
    """The trained weights (None when the file is missing: the rule-based selector then decides)."""
    try:
        model = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        import numpy as np  # (a dependency of bm25s; without it the rule-based selector decides)
    except ImportError:  # pragma: no cover
        return None

    trees = model["trees"]
    depth = max(t["depth"] for t in trees) if trees else 0
    n_nodes = max(len(t["feature"]) for t in trees) if trees else 1
    # pack the trees into arrays [tree, node] so all trees run at once, level by level
    def pack(key, fill, dtype):
        arr = np.full((len(trees), n_nodes), fill, dtype=dtype)
        for i, t in enumerate(trees):
            arr[i, : len(t[key])] = t[key]
        return arr

    model["_np"] = {
        "feature": pack("feature", 0, np.int32), "threshold": pack("threshold", 0.0, np.float64),
        "left": pack("left", 0, np.int32), "right": pack("right", 0, np.int32),
        "value": pack("value", 0.0, np.float64), "leaf": pack("leaf", 1, np.bool_), "depth": depth,
        "tok": np.asarray(model["token_weights"], dtype=np.float64),
    }
    # the same trees flattened for predict: node ids are offsets into one array of all trees' nodes and
    # a leaf points to itself, so a level of every tree is a few 1-D takes (no leaf test, no 2-D indexing)
    np_ = model["_np"]
    base = (np.arange(len(trees), dtype=np.intp) * n_nodes)[:, None]
    own = base + np.arange(n_nodes, dtype=np.intp)[None, :]
    np_["flat"] = {
        "feature": np_["feature"].astype(np.intp).ravel(), "threshold": np_["threshold"].ravel(),
        "left": np.where(np_["leaf"], own, base + np_["left"]).ravel(),
        "right": np.where(np_["leaf"], own, base + np_["right"]).ravel(),
        "value": np_["value"].ravel(), "roots": base.ravel(),
    }
    # both children of node k side by side, the one a block goes to when its value is <= the threshold
    # second: a level is then one take at 2k + (value <= threshold) instead of two takes and a where
    flat = np_["flat"]
    child = np.empty(2 * len(flat["left"]), dtype=np.intp)
    child[0::2] = flat["right"]
    child[1::2] = flat["left"]
    flat["child"] = child
    flat["roots2"] = flat["roots"] * 2
    flat["root_feature"] = flat["feature"].take(flat["roots"])
    flat["root_threshold"] = flat["threshold"].take(flat["roots"])
    return model


def predict(model: dict, dense: list[list[float]], toks: list[list[int]]):
    """Probability that each block is main content."""
    import numpy as np

    m = model["_np"]
    X = np.asarray(dense, dtype=np.float64)
    if not len(X):
        return np.zeros(0)
    X[:, _IDX["token_score"]] = _token_scores(m["tok"], toks) + model["token_bias"]
    n, width = X.shape
    f = m["flat"]
    T = len(f["roots"])
    # every (block, tree) pair walks down its tree one level per step, all pairs at once
    feature, threshold, child = f["feature"], f["threshold"], f["child"]
    levels = m["depth"]
    if levels:  # the roots' level: every block meets the same T tests, one 2-D take of X answers them all
        node = child.take((f["roots2"] + (X[:, f["root_feature"]] <= f["root_threshold"])).ravel())
        levels -= 1
    else:
        node = np.broadcast_to(f["roots"], (n, T)).ravel()
    row = np.repeat(np.arange(n, dtype=np.intp) * width, T)
    x = X.ravel()
    for _ in range(levels):
        vals = x.take(row + feature.take(node))
        step = node * 2
        step += vals <= threshold.take(node)  # (a NaN goes right, as np.where(vals <= t, left, right) sent it)
        node = child.take(step)
    raw = f["value"].take(node).reshape(n, T).sum(axis=1) + model["baseline"]
    return 1.0 / (1.0 + np.exp(-raw))


def _token_scores(weights, toks: list[list[int]]):
    """Sum of each row's token weights, row by row as ``weights[row].sum()`` adds them (numpy's
    pairwise order depends on the length): the weights are gathered once, then rows of one length
    are summed together as one 2-D array."""
    import numpy as np

    lengths = np.fromiter(map(len, toks), dtype=np.intp, count=len(toks))
    flat = np.fromiter(itertools.chain.from_iterable(toks), dtype=np.intp, count=int(lengths.sum()))
    gathered = weights.take(flat)
    starts = np.zeros(len(toks), dtype=np.intp)
    np.cumsum(lengths[:-1], out=starts[1:])
    out = np.zeros(len(toks), dtype=np.float64)
    for length in np.unique(lengths).tolist():
        if length == 0:
            continue
        rows = np.flatnonzero(lengths == length)
        out[rows] = gathered[starts[rows, None] + np.arange(length)].sum(axis=1)
    return out


def labels(blocks: list[Block], truth: str) -> list[float]:
    """Share of each block's words that are main content: word trigrams found in the ground truth
    (one- and two-word blocks: the words found as a phrase). Used by the training script only."""
    gt = [w.lower() for w in _WORD.findall(truth or "")]
    joined = " " + " ".join(gt) + " "
    tri = {tuple(gt[i:i + 3]) for i in range(len(gt) - 2)}
    out = []
    for b in blocks:
        words = [w.lower() for w in _WORD.findall(b.text)]
        if len(words) >= 3:
            grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
            out.append(sum(g in tri for g in grams) / len(grams))
        elif words:
            out.append(1.0 if " " + " ".join(words) + " " in joined else 0.0)
        else:
            out.append(0.0)
    return out


def prune(body, blocks: list[Block], keep: list[bool]):
    """Cut every subtree that holds blocks but no kept block; return the smallest element holding all
    kept blocks (None when nothing is kept). Elements without text (images, rules) stay."""
    has_block: set = set()
    has_kept: set = set()
    for b, k in zip(blocks, keep, strict=True):
        for marks, wanted in ((has_block, True), (has_kept, k)):
            node = b.el
            while wanted and node is not None and node not in marks:
                marks.add(node)
                if node is body:
                    break
                node = node.getparent()
    if body not in has_kept:
        return None
    doomed = []
    stack = [body]
    while stack:
        el = stack.pop()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child in has_kept:
                stack.append(child)
            elif child in has_block:
                doomed.append(child)
    for el in doomed:
        drop_keeping_tail(el)
    node = body
    while True:
        kids = [c for c in node if isinstance(c.tag, str) and c in has_kept]
        own = (node.text or "").strip() or any((c.tail or "").strip() for c in node if isinstance(c.tag, str))
        if len(kids) != 1 or own:
            return node
        node = kids[0]


def page_blocks(root, html_text: str | None = None, url: str | None = None, jsonld: dict | None = None):
    """Blocks of a page cleaned by ``remove_hidden`` and their features (``jsonld``: the page's
    :func:`.html_pagetype.jsonld_facts` taken before cleaning).

    Returns (body, blocks, dense rows, token rows, rule selector's elements, its rule name).
    """
    from .html_select import select_main

    body = root.find(".//body")
    body = body if body is not None else root
    selected, rule = select_main(root, html_text, fallback=False)
    blocks = segment_blocks(body)
    dense, toks = features(root, body, blocks, selected, rule)
    add_type_features(root, body, blocks, dense, url, _IDX, jsonld)
    return body, blocks, dense, toks, selected, rule


#: decision settings, chosen on the work part of the split (threshold 0.4/0.5/0.6 and gap 0/3 tried)
_GUARD_RATIO = 3.0  # the rule's container holds 3x what we keep ...
_GUARD_PROB = 0.35  # ... and the model gives its text at least this mean score: the larger candidate wins
_GAP = 3  # unkept runs of up to 3 blocks between kept ones are filled
_THRESHOLD = 0.5  # out-of-fold on the work part (html_cv.py, balance 0.5): 0.5 F1 0.857 leaked 5.7%, 0.6 0.848/5.1%
_SMOOTH = 0.25

#: rule names of select_main that come from a known documentation generator's container: exact, kept
GENERIC_RULES = {"main", "role=main", "article", "articles", "density", "trafilatura", "body"}


def smooth(probs, weight: float = 0.25):
    """Each block's score pulled towards its neighbours' (content comes in runs)."""
    import numpy as np

    if len(probs) < 3:
        return probs
    padded = np.concatenate(([probs[0]], probs, [probs[-1]]))
    return (1 - 2 * weight) * probs + weight * (padded[:-2] + padded[2:])


_CODEISH = {"pre", "td", "th", "dt", "dd", "li", "figcaption", "caption"}


def _fill_gaps(blocks: list[Block], keep: list[bool], dense: list[list[float]]) -> None:
    """Content comes in runs: a short run of unkept blocks between kept ones that is not mostly links
    is kept (a code sample, a table row, a label between paragraphs), and a code block or table cell
    right after kept text stays with it (in place)."""
    lr = _IDX["link_ratio"]
    n = len(blocks)
    last_kept = -1
    for i in range(n):
        if not keep[i]:
            continue
        gap = i - last_kept - 1
        if last_kept >= 0 and 0 < gap <= _GAP:
            run = range(last_kept + 1, i)
            chars = sum(len(blocks[j].text) for j in run)
            links = sum(dense[j][lr] * len(blocks[j].text) for j in run)
            if links <= 0.5 * max(1, chars):
                for j in run:
                    keep[j] = True
        last_kept = i
    for i in range(1, n):
        if not keep[i] and keep[i - 1] and blocks[i].el.tag in _CODEISH and dense[i][lr] < 0.5:
            keep[i] = True
    # an intro paragraph right before the first kept block, in the same box: prose (20+ words, few links)
    first = keep.index(True) if True in keep else -1
    for i in range(first - 1, max(-1, first - 3), -1):
        b = blocks[i]
        if keep[i] or dense[i][lr] >= 0.2 or dense[i][_IDX["log_words"]] < math.log1p(20):
            break
        box, other = b.el.getparent(), blocks[first].el.getparent()
        if box is None or (box is not other and box.getparent() is not other.getparent()):
            break
        keep[i] = True


def learned_main(root, selected: list, rule: str, threshold: float | None = None, weight: float | None = None,
                 url: str | None = None, jsonld: dict | None = None):
    """Cut the page down to the blocks the model keeps; the element holding them, or None (no model,
    nothing kept: the caller keeps the rule-based choice). ``url`` and ``jsonld`` (the page's
    :func:`.html_pagetype.jsonld_facts` before cleaning) feed the page-type features."""
    model = load_model()
    if model is None or model["dense_names"] != DENSE_NAMES:  # (weights from before a feature change: rules decide)
        return None
    threshold = _THRESHOLD if threshold is None else threshold
    weight = _SMOOTH if weight is None else weight
    body = root.find(".//body")
    body = body if body is not None else root
    blocks = segment_blocks(body)
    if not blocks:
        return None
    dense, toks = features(root, body, blocks, selected, rule)
    add_type_features(root, body, blocks, dense, url, _IDX, jsonld)
    probs = smooth(predict(model, dense, toks), weight)
    keep = [bool(p >= threshold) for p in probs]
    if not any(keep):
        return None
    if rule != "body":
        # never lose the page: when the rule-based container holds far more text than we keep and the
        # model does not clearly reject it, the larger candidate wins
        inside = _IDX["in_main_sel"]
        sel = [(len(b.text), p) for b, p, row in zip(blocks, probs, dense, strict=True) if row[inside]]
        sel_chars = sum(n for n, _ in sel)
        kept_chars = sum(len(b.text) for b, k in zip(blocks, keep, strict=True) if k)
        if sel and sel_chars > _GUARD_RATIO * kept_chars and \
                sum(n * p for n, p in sel) / max(1, sel_chars) >= _GUARD_PROB:
            return None
    _fill_gaps(blocks, keep, dense)
    # the page's first <h1> heads the content when kept text follows it (WCXB's truth leaves titles
    # out, readers want them)
    for i, b in enumerate(blocks):
        if b.el.tag == "h1":
            keep[i] = keep[i] or any(keep[i:])
            break
    drop_repeats(blocks, keep)
    return prune(body, blocks, keep)


_REPEAT_MIN = 60  # characters: shorter repeats are labels ("Add to cart", "Reply") that may recur for real
_VERBATIM = {"pre", "code", "td", "th", "li", "dt", "dd"}


def drop_repeats(blocks: list[Block], keep: list[bool]) -> None:
    """Unkeep a block of prose whose text repeats an earlier kept block word for word.

    Responsive themes write a product's description, a hero or a whole section twice (one copy for
    phones, one for desktops, the other hidden by a media query the page's CSS does not state
    inline), carousels clone their slides, and the model keeps both copies: the reader gets it twice.
    Code, table cells and list items are left alone (repeating there is meaningful)."""
    seen: set[str] = set()
    for i, b in enumerate(blocks):
        if not keep[i] or len(b.text) < _REPEAT_MIN or b.el.tag in _VERBATIM:
            continue
        key = b.text.casefold()
        if key in seen:
            keep[i] = False
        else:
            seen.add(key)


def light_chrome(container) -> None:
    """Drop the small chrome the rule set knows (permalinks, pagers, share bars, nav lists) inside the
    learned content, but never a wrapper holding a real share of it: themes name whole layouts
    "sidebar-layout" or "banner", and the model has already judged what they hold."""
    total = max(1, text_chars(container))
    doomed = []
    stack = [c for c in container if isinstance(c.tag, str)]
    while stack:
        el = stack.pop()
        if el.tag in ("pre", "code"):
            continue
        if is_chrome(el) and not _is_chapter_toc(el):
            n = text_chars(el)
            if (n < 0.15 * total or n < 200) and n < 1500:
                doomed.append(el)
                continue
        stack.extend(c for c in el if isinstance(c.tag, str))
    for el in doomed:
        drop_keeping_tail(el)


def jsonld_product_text(root) -> list[str]:
    """Descriptions of the Products a page declares in JSON-LD (before scripts are dropped): shops often
    render the description only from script, or in a panel the page hides until clicked."""
    out: list[str] = []
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        if "product" not in script.text.lower():
            continue
        try:
            data = json.loads(script.text, strict=False)  # (raw newlines inside strings are common)
        except ValueError:
            continue
        stack = [data]
        while stack and len(out) < 3:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                desc = item.get("description")
                if any(isinstance(k, str) and k.lower() == "product" for k in kinds) and isinstance(desc, str):
                    text = " ".join(re.sub(r"<[^>]+>", " ", desc).split())
                    if len(text) >= 80 and text not in out:
                        out.append(text)
                stack.extend(v for v in item.values() if isinstance(v, (list, dict)))
    return out


def missing_text(content: str, texts: list[str]) -> list[str]:
    """Those of ``texts`` whose words the markdown mostly lacks (word trigrams under half found)."""
    words = [w.lower() for w in _WORD.findall(content)]
    have = {tuple(words[i:i + 3]) for i in range(len(words) - 2)}
    out = []
    for text in texts:
        tw = [w.lower() for w in _WORD.findall(text)]
        grams = [tuple(tw[i:i + 3]) for i in range(len(tw) - 2)]
        if grams and sum(g in have for g in grams) < 0.5 * len(grams):
            out.append(text)
    return out
