"""Page-type evidence for the learned block scorer (converters/html_pagetype.py, issue 13).

The scorer decides per block; these columns tell it what kind of page the block is on (shop product,
category grid, forum thread, news article...), so each test builds a page the way such sites write
them and checks the evidence the model gets, then that a page of that class converts whole.
"""

from __future__ import annotations

from llmingest.converters.html import convert
from llmingest.converters.html_blocks import _IDX, DENSE_NAMES, drop_repeats, load_model, segment_blocks
from llmingest.converters.html_pagetype import TYPE_NAMES, add_type_features, jsonld_facts
from llmingest.converters.html_select import remove_hidden
from lxml import etree

LOREM = ("The committee met on Tuesday to review the proposal in detail, and after a long discussion "
         "about costs, schedules and the risks involved, it agreed to continue the work next spring. ")
HEADER = """<header class="site-header"><a href="/" class="logo">Acme</a><nav><ul><li><a href="/shop">Shop</a></li>
<li><a href="/forum">Forum</a></li><li><a href="/about">About us</a></li></ul></nav></header>"""
FOOTER = """<footer class="site-footer"><a href="/privacy">Privacy policy</a><a href="/terms">Terms of use</a>
<p>© 2026 Acme Corporation. All rights reserved.</p></footer>"""


def page(body: str, head: str = "", title: str = "Page") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{HEADER}{body}{FOOTER}</body></html>"


def columns(html: str, url: str) -> tuple[list, list[dict]]:
    """(blocks, per block {feature name: value} of the page-type columns), as the scorer sees them."""
    root = etree.fromstring(html.encode(), etree.HTMLParser())
    facts = jsonld_facts(root)
    remove_hidden(root)
    body = root.find(".//body")
    blocks = segment_blocks(body)
    dense = [[0.0] * len(DENSE_NAMES) for _ in blocks]
    add_type_features(root, body, blocks, dense, url, _IDX, facts)
    return blocks, [{n: row[_IDX[n]] for n in TYPE_NAMES + ["jl_product", "jl_forum"]} for row in dense]


PRODUCT_LD = """<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
"name": "Trail Runner 3", "offers": {"@type": "Offer", "price": "129.00"},
"description": "A light hiking boot with a waterproof membrane and a grippy sole that holds on wet rock."}</script>
<meta property="og:type" content="product">"""


def product_page() -> str:
    return page("""<div class="product"><h1>Trail Runner 3 hiking boot</h1><div class="price">$129.00</div>
    <span class="stock">In stock</span>
    <div class="tab-content"><div class="tab-pane" id="d"><p>A light hiking boot with a waterproof membrane and a
    grippy sole that holds on wet rock.</p></div>
    <div class="tab-pane" id="s" style="display:none"><table><tr><th>Weight</th><td>780 g per pair</td></tr>
    <tr><th>Upper</th><td>Suede leather and mesh</td></tr></table></div></div></div>""", head=PRODUCT_LD)


def test_jsonld_facts_reads_types_and_prose_before_the_scripts_go():
    root = etree.fromstring(product_page().encode(), etree.HTMLParser())
    facts = jsonld_facts(root)
    assert {"product", "offer"} <= facts["types"]
    assert facts["og"] == "product" and facts["title"] == "Page"
    assert facts["texts"] == ["A light hiking boot with a waterproof membrane and a grippy sole that holds on wet rock."]
    broken = etree.fromstring(b"<html><head><script type='application/ld+json'>{oops</script></head><body>x</body></html>",
                              etree.HTMLParser())
    assert jsonld_facts(broken) == {"types": set(), "texts": [], "og": "", "description": "", "title": ""}


def test_product_page_evidence():
    blocks, cols = columns(product_page(), "https://shop.example.com/products/trail-runner-3")
    first = cols[0]
    assert first["og_product"] == 1.0 and first["url_product"] == 1.0 and first["jl_product"] == 1.0
    assert first["page_prices_log"] > 0 and first["page_shop_verbs"] > 0
    by_text = {b.text: c for b, c in zip(blocks, cols, strict=True)}
    assert by_text["$129.00"]["block_price"] == 1.0
    desc = next(c for t, c in by_text.items() if t.startswith("A light hiking boot"))
    assert desc["jsonld_overlap"] == 1.0 and desc["in_tabpanel"] == 1.0
    assert by_text["780 g per pair"]["in_tabpanel"] == 1.0  # the inactive panel is still there


def grid_page(n: int = 12) -> str:
    cards = "".join(f"""<div class="product-card"><a href="/products/wallet-{i}"><img src="/i/{i}.jpg" alt="">
    <h3>Slim wallet model {i}</h3></a><span class="price">${30 + i}.00</span></div>""" for i in range(n))
    return page(f"""<main><h1>Wallets</h1><p>Every wallet we make, in one place.</p>
    <div class="grid">{cards}</div></main>""", head="""<script type="application/ld+json">
    {"@type": "CollectionPage", "name": "Wallets"}</script>""")


def test_card_grid_is_the_largest_repeated_group():
    blocks, cols = columns(grid_page(), "https://shop.example.com/collections/wallets")
    first = cols[0]
    assert first["url_collection"] == 1.0 and first["jt_collection"] == 1.0
    assert first["group_items_with_price"] == 1.0 and first["group_rep_log"] > 2.5
    cards = [c for b, c in zip(blocks, cols, strict=True) if b.text.startswith("Slim wallet model")]
    assert len(cards) == 12 and all(c["in_group"] == 1.0 for c in cards)
    menu = [c for b, c in zip(blocks, cols, strict=True) if b.text in ("Shop", "Forum")]
    assert menu and all(c["in_group"] == 0.0 for c in menu)  # the three-item menu holds less text


def test_layout_columns_are_not_a_repeated_group():
    """Three same-classed layout columns, one holding most of the page, are a layout, not cards."""
    html = page(f"""<div class="col"><p>{LOREM * 6}</p></div><div class="col"><p>Short note.</p></div>
    <div class="col"><p>Another short note.</p></div>""")
    blocks, cols = columns(html, "https://a.example/")
    assert all(c["in_group"] == 0.0 for b, c in zip(blocks, cols, strict=True) if "note" in b.text or "committee" in b.text)


def test_forum_thread_evidence_and_url_words():
    posts = "".join(f"""<div class="post"><div class="author"><a href="/u/{i}">user{i}</a> <time>2025-03-0{i}</time>
    </div><p>Post {i}: {LOREM}</p><a href="#">Reply</a></div>""" for i in range(1, 7))
    html = page(f"<h1>Pump trouble</h1><div class='thread'>{posts}</div>",
                head="""<script type="application/ld+json">{"@type": "DiscussionForumPosting", "headline": "Pump",
                "text": "Post 1: The committee met on Tuesday to review the proposal in detail"}</script>""")
    blocks, cols = columns(html, "https://forum.example.org/threads/pump-trouble.42/")
    first = cols[0]
    assert first["url_forum"] == 1.0 and first["jt_qa"] == 1.0 and first["jl_forum"] == 1.0
    assert first["page_times_log"] > 1.5 and first["page_forum_words_log"] > 1.5
    post1 = next(c for b, c in zip(blocks, cols, strict=True) if b.text.startswith("Post 1:"))
    assert post1["in_group"] == 1.0 and post1["jsonld_overlap"] > 0.3


def test_url_words_name_the_page_class():
    html = page(f"<article><h1>Title</h1><p>{LOREM}</p></article>")
    cases = {
        "https://news.example.com/2024/05/river-floods": "url_article",
        "https://docs.example.com/docs/install": "url_docs",
        "https://firm.example.com/services/audits": "url_service",
    }
    for url, name in cases.items():
        _, cols = columns(html, url)
        assert cols[0][name] == 1.0, url
    _, cols = columns(html, "https://firm.example.com/")
    assert cols[0]["url_root"] == 1.0 and cols[0]["url_depth"] == 0.0


def test_shipped_weights_know_the_page_type_columns():
    model = load_model()
    assert model is not None and model["dense_names"] == DENSE_NAMES
    assert set(TYPE_NAMES) <= set(model["dense_names"])


def test_category_grid_keeps_every_card():
    md = convert(grid_page(), "https://shop.example.com/collections/wallets").content
    for i in range(12):
        assert f"Slim wallet model {i}" in md
    assert "All rights reserved" not in md


def test_product_page_keeps_its_description_and_specs():
    md = convert(product_page(), "https://shop.example.com/products/trail-runner-3").content
    assert "waterproof membrane" in md and "780 g per pair" in md
    assert "Privacy policy" not in md


def test_regression_responsive_copies_come_out_once():
    """Failure class 'chrome kept' (duplicates): responsive themes write the description twice, one
    copy per screen size, and only the stylesheet (not inline) hides one; the reader gets it once."""
    desc = ("Our cast iron skillet is seasoned with natural vegetable oil, ready to use from the first day, "
            "and it holds heat evenly for searing, baking and frying.")
    care = "".join(f"<p>Care step {i}: {LOREM}</p>" for i in range(14))  # a page long enough for the model
    html = page(f"""<div class="product"><h1>Cast iron skillet</h1><div class="price">$39.00</div>
    <div class="description mobile-only"><p>{desc}</p></div><div class="care">{care}</div>
    <div class="gallery"><img src="/a.jpg" alt=""></div>
    <div class="description desktop-only"><p>{desc}</p></div></div>""")
    md = convert(html, "https://shop.example.com/products/skillet").content
    assert md.count("seasoned with natural vegetable oil") == 1
    assert "Care step 13:" in md


def test_drop_repeats_leaves_code_cells_and_short_labels():
    line = "same line of code that repeats on purpose, twice in this sample block of text"
    root = etree.fromstring(f"<div><p>{line}</p><p>{line}</p><pre>{line}</pre><pre>{line}</pre>"
                            "<p>Reply</p><p>Reply</p></div>", etree.HTMLParser())
    blocks = segment_blocks(root.find(".//body"))
    keep = [True] * len(blocks)
    drop_repeats(blocks, keep)
    assert [(b.el.tag, k) for b, k in zip(blocks, keep, strict=True)] == [
        ("p", True), ("p", False), ("pre", True), ("pre", True), ("p", True), ("p", True)]
