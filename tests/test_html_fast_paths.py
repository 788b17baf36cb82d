"""The fast paths of the HTML converter find exactly what the slow, obvious code found.

Each speed-up replaced a plain formulation (an XPath, a case-insensitive regex, a per-row numpy sum)
with a faster one that must give the same answer; these tests hold both side by side on pages built
here, including the awkward cases (a second top-level ``<html>``, upper-case and non-ASCII CSS,
class names an XPath cannot quote, rows of every length).
"""

from __future__ import annotations

import re

import numpy as np
from llmingest.converters.html import convert
from llmingest.converters.html_blocks import _token_scores
from llmingest.converters.html_css import _SUSPECT, Sheet, _suspect
from llmingest.converters.html_hidden import _candidates, document_elements, page_styles
from llmingest.converters.html_markdown import _is_layout_list
from llmingest.converters.html_select import (
    _ANY_PHRASE,
    _HEADERTITLE,
    _PHRASE_START,
    CHROME_RULES,
    _hidden_candidates,
    is_chrome,
)
from lxml import etree

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", huge_tree=True)

_HIDDEN_XPATH = etree.XPath(
    "//*[@hidden or @aria-hidden or @style or @type or contains(@class, 'hid') or contains(@class, 'none')"
    " or contains(@class, 'sr-only') or contains(@class, 'invisible') or contains(@class, 'Hidden')"
    " or contains(@class, 'screen-reader') or contains(@class, 'boring')]"
)


def _parse(html: str):
    return etree.fromstring(html.encode("utf-8"), _PARSER)


def _xpath_candidates(root, sheet: Sheet) -> list:
    """The XPath formulation _candidates replaced (prefilter, then the exact check)."""
    declaring = "//*[@style or @bgcolor or self::font[@color] or self::body[@text]]"
    if not sheet:
        return root.xpath(declaring)
    by_class, by_id, by_tag = sheet.suspect_keys
    name = re.compile(r"[A-Za-z_][\w-]*$").match
    tags = [f"self::{t}" for t in by_tag if name(t)]
    names = [n for n in (*by_class, *by_id) if name(n)]
    if len(names) <= 150:
        extra = [f"contains(@class,'{n}')" for n in by_class if name(n)] + [f"@id='{n}'" for n in by_id if name(n)]
    else:
        extra = ["@class", "@id"]
    out = []
    for el in root.xpath(declaring[:-1] + "".join(f" or {c}" for c in extra + tags) + "]"):
        cls = el.get("class")
        if (el.get("style") is not None or el.get("bgcolor") is not None or el.tag in by_tag
                or (cls and not by_class.keys().isdisjoint(cls.split())) or el.get("id") in by_id
                or (el.tag == "font" and el.get("color")) or (el.tag == "body" and el.get("text"))):
            out.append(el)
    return out


PAGE = """<html><head><style>
.gone { display: NONE }  .Faint{color:#FEFEFE} #x1 {opacity:0} p.tiny {font-size:1px}
.2col { visibility:hidden } .caf\u00e9 { display:none } li { color: white }
</style></head><body text="#000">
<div class="wrap"><p class="tiny">a</p><p style="">b</p><span class="gone extra">c</span>
<div id="x1">d</div><font color="">e</font><font color="red">f</font><div class="2col">g</div>
<div class="caf\u00e9">h</div><ul><li>i</li><li class="Hidden-ish">j</li></ul>
<input type="hidden" value="k"><div aria-hidden="false">l</div><section hidden>m</section>
<div class="screen-reader-text">n</div><div class="HIDDEN">o</div><div class="">p</div></div>
</body></html>
<html><body><div style="display:none">second tree</div><span class="gone">q</span></body></html>"""


def test_candidates_match_the_xpaths_including_a_second_top_level_html():
    root = _parse(PAGE)
    assert len(list(root.itersiblings())) == 1  # the parser kept the second <html> beside the first
    sheet = page_styles(root)
    assert sheet  # the page's suspect rules were read
    assert _candidates(root, sheet) == _xpath_candidates(root, sheet)
    assert _hidden_candidates(root) == _HIDDEN_XPATH(root)
    assert [el.tag for el in document_elements(root)] == [el.tag for el in root.xpath("//*")]


def test_candidates_without_a_style_sheet_match_the_xpath():
    root = _parse("<html><body><p style='color:red'>a</p><font color=''>b</font><p>c</p></body></html>")
    sheet = page_styles(root)
    assert not sheet
    assert _candidates(root, sheet) == _xpath_candidates(root, sheet)


def test_many_suspect_class_names_take_the_wide_prefilter_the_same_way():
    rules = "".join(f".c{i}{{display:none}}" for i in range(200))
    body = "".join(f"<p class='c{i} other'>t{i}</p><p class='x{i}'>u</p><p id='c{i}'>v</p>" for i in range(0, 200, 7))
    root = _parse(f"<html><head><style>{rules}</style></head><body>{body}</body></html>")
    sheet = page_styles(root)
    assert _candidates(root, sheet) == _xpath_candidates(root, sheet)


def test_suspect_rule_bodies_match_the_case_insensitive_pattern():
    bodies = ["display:none", "DISPLAY: NONE", "Opacity:0", "opacity:0.5", "color:#FFF", "color:WhiteSmoke",
              "font-size:1PX", "font-size:12px", "height:0;overflow:hidden", "margin-left:-9999px",
              "transform:translateX(-10000px)", "clip:rect(0 0 0 0)", "color:#e\u0131", "di\u017fplay:none",
              "\u212a", "visibility:COLLAPSE", "width:1", "scale:0", "text-indent:-2em", "", "color:red"]
    for body in bodies:
        assert _suspect(body) == bool(_SUSPECT.search(body)), body


def test_token_scores_equal_per_row_sums_bit_for_bit():
    rng = np.random.default_rng(7)
    weights = rng.normal(size=4096)
    toks = [sorted(set(rng.integers(0, 4096, size=n).tolist())) for n in [0, 1, 2, 7, 8, 9, 15, 16, 17, 40, 130, 300] * 3]
    got = _token_scores(weights, toks)
    want = np.array([weights[t].sum() if t else 0.0 for t in toks])
    assert got.tobytes() == want.tobytes()


def test_page_wide_form_is_kept_and_tabs_are_labelled():
    """The cheaper helpers of remove_hidden keep their effect: a page-wide <form> is the page (its text
    read only once a wrapper is big), radio tabs are labelled (the row XPath runs when a <label>
    exists), a role=tabpanel panel gets its tab's name (panels found through role attributes)."""
    prose = "<p>" + "Words of the thread that make a real paragraph. " * 30 + "</p>"
    page = f"<html><body><form>{prose}{prose}{prose}<h2>Replies</h2></form><button>Log in</button></body></html>"
    assert "Words of the thread" in convert(page.encode(), "https://example.org/t").content
    tabs = ("<html><body><p>Install it.</p>"
            "<div><label>npm</label><input type=radio><label>pnpm</label><input type=radio></div>"
            "<div><div><pre>npm i x</pre></div><div><pre>pnpm add x</pre></div></div>"
            "<div role=tablist><button role=tab id=t1>Python</button></div>"
            "<div role=tabpanel aria-labelledby=t1><pre>print(1)</pre></div></body></html>")
    md = convert(tabs.encode(), "https://example.org/t", select=False).content
    assert "**npm**" in md and "**pnpm**" in md and "pnpm add x" in md
    assert "**Python**" in md and "print(1)" in md


CHROME_PAGE = """<html><body><main>
<nav>n</nav><aside class="note">a note</aside><aside>side</aside><footer>f</footer>
<header><h1>Title</h1></header><header>site</header><div id="header">h</div><div id="Header"><h2>x</h2></div>
<div role="navigation">r</div><div role="Banner">b</div><h2 class="anchor toc">Heading</h2>
<div class="sidebar"><p class="sidebar-title">T</p><p>body</p></div><div class="sidebar-wrap">s</div>
<devsite-feedback>fb</devsite-feedback><my-widget>w</my-widget><div class="breadcrumbs">b</div>
<h2><a class="heading-anchor" href="#x">Heading text</a></h2><a class="headerlink" href="#y">¶</a>
<section id="cookies"><h2>Cookies</h2><p>content</p></section><div id="site-footer">f</div><div id="">e</div>
<p>Was this page helpful?</p><div>  Edit this page</div><span>&#8593; Back to top</span><p>Next: Intro, Up: Top</p>
<p>Also read: <a href="/x">X</a></p><div>This document is for an old version of Python.</div>
<p><a href="/n">Next</a></p><a href="/p">« Previous</a><a href="#z">#</a><a href="#z"><img src="i.png"></a>
<summary class="hideme">more</summary><li>item</li><span>plain</span><p>A long paragraph of prose.</p>
<em>You are reading the docs of an old version</em><small>© 2024 Someone</small><strong>\u017fkip to content</strong>
<div class="post" id="p1">one</div><div class="post" id="p2">two</div><div class="post">three</div>
</main></body></html>"""


def _chain(el) -> bool:
    """is_chrome as the plain loop over every rule it replaced (the fast path skips rules that cannot speak)."""
    for rule in CHROME_RULES:
        verdict = rule(el, el.tag, el.get("class"))
        if verdict is not None:
            return verdict
    return False


def test_is_chrome_asks_only_the_rules_that_can_speak_and_agrees_with_the_full_chain():
    root = _parse(CHROME_PAGE)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    verdicts = [is_chrome(el) for el in elements]
    assert verdicts == [_chain(el) for el in elements]
    assert verdicts == [is_chrome(el) for el in elements]  # the second ask (memoised rules) says the same
    assert 10 < sum(verdicts) < len(elements) - 10  # both kinds of verdict were exercised


def test_phrase_start_lets_through_every_text_a_chrome_phrase_matches():
    texts = ["".join(p.itertext()) for p in _parse(CHROME_PAGE).iter("p", "div", "span", "a", "em", "small", "strong")]
    texts += ["Was this article useful?", "Did you find this guide helpful", "Page last updated", "Last modified at",
              "  \n Improve this doc", "Give us feedback", "Rate this article", "Report a bug with this page",
              "Skip navigation", "Page tools", "On this page", "In this article", "Copyright (c) 2020",
              "Toggle the sidebar", "Close menu", "PrevIntro", "‹ Prev", "<Next", "⟵ previous", "UP: index",
              "Must read:", "Follow-up reading", "Read more:", "This is unreleased documentation for x",
              "This version is no longer maintained", "you are viewing an outdated version", "\u212aeep reading",
              "\u0130s this page helpful?", "d\u0131d this page help you", "^ Go to top", "⬆ back to top"]
    matched = [t for t in texts if _ANY_PHRASE.match(t)]
    assert len(matched) > 30
    assert all(_PHRASE_START.match(t) for t in matched)
    assert not _PHRASE_START.match("The quick brown fox") and not _PHRASE_START.match("Kubernetes pods")


def test_headertitle_xpath_and_layout_list_match_the_elementpath_searches():
    """doxygen_title's XPath finds what iterfind(".//div[@class='headertitle']") found; _is_layout_list's
    one descendant walk answers what four .//hN searches did."""
    root = _parse("<html><body><div class='headertitle'><div class='title'>A</div></div>"
                  "<div class='headertitle x'>no</div><div><div class='headertitle'>B</div></div>"
                  "<ul><li><div><h3>Section</h3></div><p>a</p></li><li><section><p>b</p></section></li></ul>"
                  "<ul><li><h2>one</h2></li><li><p>plain</p><span><h5>deep</h5></span></li></ul>"
                  "<ol><li><h4>x</h4></li></ol></body></html>")
    assert _HEADERTITLE(root) == list(root.iterfind(".//div[@class='headertitle']"))
    assert len(_HEADERTITLE(root)) == 2

    def elementpath(items) -> bool:
        return all(not (li.find(".//h1") is None and li.find(".//h2") is None and li.find(".//h3") is None
                        and li.find(".//h4") is None and li.find("section") is None) for li in items)

    lists = [[li for li in lst if li.tag == "li"] for lst in root.iter("ul", "ol")]
    assert [_is_layout_list(items) for items in lists] == [elementpath(items) for items in lists] == [True, False, True]
    md = convert(b"<html><body><div class='header'><div class='headertitle'><div class='title'>Widget API</div>"
                 b"</div></div><div class='contents'><p>Body text.</p></div></body></html>", "https://e.org/w.html").content
    assert md.startswith("# Widget API")


# --- the learned block scorer's feature code (html_blocks, html_pagetype) -------------------------

_SCORER_PAGE = """<html><head><title>Shop thread Σ title</title></head><body>
<div class="wrap" id="top"><nav class="menu"><a href="/">Home</a> | <a href="/b">Blog</a></nav>
<div role="tabpanel" class="panel"><div class="inner"><p>First panel text, with words and 12 digits.</p>
<!-- a comment --> tail after a comment <b>bold</b> tail of bold</div></div>
<div class="tab-pane active"><p>Second <a href="#x">link <i>inside</i> tail in link</a> after link</p></div>
<ul class="posts"><li class="post">Post one is here <span>by ann</span> and more words follow</li>
<li class="post"><div class="body">Post two <a href="/u">user</a> replied</div> tail of body</li>
<li class="post">Post three, $12.50 <em>in stock</em></li><li class="post"><p>ΣΊΣΥΦΟΣ καί İstanbul</p></li></ul>
<table><tr><td>cell <a href="/c">one</a></td><th>head</th></tr></table>
<pre>code  block
  kept</pre><h1>Title</h1>text directly in the wrapper<br/>after a break</div>
<footer>Footer words <a href="/f">link</a></footer></body></html>"""


def _reference_segment_blocks(body):
    """The plain segmentation segment_blocks replaced (every tag, text and tail read from lxml as needed)."""
    from llmingest.converters.html_blocks import ATOMIC, INLINE, Block

    order = []
    stack = [(0, body, None, 0, False, False)]
    while stack:
        item = stack.pop()
        if item[0] == 1:
            _, text, owner, link = item
            owner.parts.append(text)
            if link:
                owner.link_chars += len(text.strip())
            if not owner.text:
                owner.text = "x"
                order.append(owner)
            continue
        _, el, owner, depth, in_link, atomic = item
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if owner is None or (not atomic and tag not in INLINE):
            owner = Block(el, 0, depth)
            atomic = tag in ATOMIC
        link = in_link or tag == "a"
        if tag == "a":
            owner.links += 1
        if el.text and el.text.strip():
            owner.parts.append(el.text)
            if link:
                owner.link_chars += len(el.text.strip())
            if not owner.text:
                owner.text = "x"
                order.append(owner)
        for child in reversed(el):
            if not isinstance(child.tag, str):
                continue
            if child.tail and child.tail.strip():
                stack.append((1, child.tail, owner, in_link))
            stack.append((0, child, owner, depth + 1, link, atomic))
    for i, b in enumerate(order):
        b.index = i
        b.text = " ".join(" ".join(b.parts).split())
    return [b for b in order if b.text]


def _scorer_body():
    parser = etree.HTMLParser(encoding="utf-8")  # (comments kept: their tails are the awkward case)
    root = etree.fromstring(_SCORER_PAGE.encode("utf-8"), parser)
    return root, root.find(".//body")


def _block_facts(blocks):
    return [(b.el, b.text, b.link_chars, b.links, b.index, b.depth) for b in blocks]


def test_segment_blocks_matches_the_plain_walk_with_comments_links_and_tails():
    from llmingest.converters.html_blocks import segment_blocks

    root, body = _scorer_body()
    fast = segment_blocks(body)
    assert len(fast) >= 12
    assert _block_facts(fast) == _block_facts(_reference_segment_blocks(body))
    assert any("tail of bold" in b.text for b in fast)
    # (a comment's tail was never read, and still is not: the same blocks, not better ones)
    assert not any("tail after a comment" in b.text for b in fast)


def _reference_block_context(b, body, in_item):
    node, group_item, tab = b.el, None, 0.0
    while node is not None:
        if group_item is None and node in in_item:
            group_item = node
        if not tab and ((node.get("role") or "").lower() == "tabpanel" or "tab-pane" in (node.get("class") or "")):
            tab = 1.0
        if node is body:
            break
        node = node.getparent()
    return group_item, tab


def test_block_context_shared_memo_answers_as_each_blocks_own_walk():
    from llmingest.converters.html_blocks import segment_blocks
    from llmingest.converters.html_pagetype import _block_context

    root, body = _scorer_body()
    blocks = segment_blocks(body)
    # group items at two levels (an item inside an item: the nearest must win) and none at all
    lis = body.findall(".//li")
    for in_item in ({li: k for k, li in enumerate(lis)}, {lis[1]: 0, lis[1][0]: 1}, {}):
        memo: dict = {}
        got = [_block_context(b, body, in_item, memo) for b in blocks]
        want = [_reference_block_context(b, body, in_item) for b in blocks]
        assert got == want
        assert any(tab for _, tab in got) and any(not tab for _, tab in got)


def test_type_features_are_the_same_with_words_from_features_or_found_again():
    from llmingest.converters.html_blocks import _IDX, DENSE_NAMES, features, segment_blocks
    from llmingest.converters.html_pagetype import add_type_features, jsonld_facts

    root, body = _scorer_body()
    facts = jsonld_facts(root)
    facts["description"] = "post one is here by ann and more words follow"  # overlaps a block's trigrams
    facts["texts"] = ["post two user replied tail of body and more"]
    blocks = segment_blocks(body)
    dense, _ = features(root, body, blocks, [], "body")
    assert all(b.words is not None for b in blocks)
    items = add_type_features(root, body, blocks, dense, "https://x.test/forum/t/1", _IDX, facts)
    again = segment_blocks(body)  # fresh blocks: words not set, html_pagetype finds them itself
    assert all(b.words is None for b in again)
    plain = [[0.0] * len(DENSE_NAMES) for _ in again]
    items2 = add_type_features(root, body, again, plain, "https://x.test/forum/t/1", _IDX, facts)
    cols = [_IDX[n] for n in ("in_group", "group_item_share", "block_price", "in_tabpanel", "jsonld_overlap",
                              "desc_overlap", "title_overlap", "page_long_blocks_log")]
    assert [[r[c] for c in cols] for r in dense] == [[r[c] for c in cols] for r in plain]
    assert items == items2
    assert max(r[_IDX["desc_overlap"]] for r in dense) > 0 and max(r[_IDX["jsonld_overlap"]] for r in dense) > 0


def test_predict_interleaved_children_walk_equals_the_where_walk_bit_for_bit():
    from llmingest.converters.html_blocks import _IDX, DENSE_NAMES, _token_scores, load_model, predict

    model = load_model()
    assert model is not None
    rng = np.random.default_rng(7)
    n = 53
    X = rng.normal(0, 3, size=(n, len(DENSE_NAMES)))
    X[rng.random(X.shape) < 0.4] = 0.0
    X[3, :] = np.nan  # a NaN goes right in both walks
    dense = X.tolist()
    toks = [sorted(set(rng.integers(0, 4096, size=int(rng.integers(0, 9))).tolist())) for _ in range(n)]
    # the walk predict replaced: two takes and a where per level
    m = model["_np"]
    f = m["flat"]
    Xr = np.asarray(dense, dtype=np.float64)
    Xr[:, _IDX["token_score"]] = _token_scores(m["tok"], toks) + model["token_bias"]
    T = len(f["roots"])
    node = np.broadcast_to(f["roots"], (n, T)).ravel()
    row = np.repeat(np.arange(n, dtype=np.intp) * Xr.shape[1], T)
    x = Xr.ravel()
    for _ in range(m["depth"]):
        vals = x.take(row + f["feature"].take(node))
        node = np.where(vals <= f["threshold"].take(node), f["left"].take(node), f["right"].take(node))
    raw = f["value"].take(node).reshape(n, T).sum(axis=1) + model["baseline"]
    want = 1.0 / (1.0 + np.exp(-raw))
    got = predict(model, dense, toks)
    assert got.tobytes() == want.tobytes()
