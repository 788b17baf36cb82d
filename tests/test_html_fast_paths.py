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
