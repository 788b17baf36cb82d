"""The learned block scorer on shop, catalogue and forum pages (issue 13), and the parts of it that
make those work: the items of the page's largest repeated group are kept or dropped together, and
slides a carousel writes as ``<div>``s inside a ``<ul>`` reach the markdown.

Every page is real HTML built here in the shape such sites write it (a shop's header with its mega
menu, a footer holding a privacy-policy dialog, related-product rails, a forum's user panels and
signatures); nothing is read from outside the test.
"""

from __future__ import annotations

from llmingest.converters.html import convert
from lxml import etree

POLICY = "".join(
    f"<p class='MsoNormal'>{n}. We process personal data of visitors for the purposes listed in this section, "
    f"keep it only as long as needed, and share it with service providers bound by contract. Point {n}.</p>"
    for n in range(1, 15))

SHOP_HEADER = """<header class="site-header"><div class="announcement">Free shipping over $50 | 30-day returns</div>
<a class="logo" href="/">Northwind Outfitters</a><nav class="mega-menu"><ul>
<li><a href="/c/men">Men</a><ul><li><a href="/c/men/shoes">Shoes</a></li><li><a href="/c/men/jackets">Jackets</a></li></ul></li>
<li><a href="/c/women">Women</a><ul><li><a href="/c/women/shoes">Shoes</a></li><li><a href="/c/women/jackets">Jackets</a></li></ul></li>
<li><a href="/c/sale">Sale</a></li><li><a href="/stores">Find a store</a></li></ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"><button>Search</button></form></header>"""

SHOP_FOOTER = f"""<footer class="site-footer"><div class="footer-cols">
<ul><li><a href="/help">Help center</a></li><li><a href="/shipping">Shipping</a></li><li><a href="/returns">Returns</a></li></ul>
<ul><li><a href="/about">Our story</a></li><li><a href="/jobs">Jobs</a></li><li><a href="/press">Press</a></li></ul></div>
<div class="legal"><a href="#privacy">Privacy policy</a> <a href="#terms">Terms</a>
<div class="modal fixed inset-0" id="modal-privacy" role="dialog" aria-modal="true"><h2>Privacy policy</h2>{POLICY}</div></div>
<p>© 2026 Northwind Outfitters Inc.</p></footer>"""


def shop_page(body: str, head: str = "", title: str = "Northwind Outfitters") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body>{SHOP_HEADER}<main>{body}</main>"
            f"{SHOP_FOOTER}</body></html>")


def body_of(html: str):
    root = etree.fromstring(html.encode(), etree.HTMLParser())
    return root.find(".//body")


def test_product_page_keeps_jsonld_description_spec_table_and_inactive_tabs():
    specs = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in (
        ("Weight", "1.2 kg per pair"), ("Upper", "Full-grain leather with a Gore-Tex lining"),
        ("Sole", "Vibram Megagrip rubber, 5 mm lugs"), ("Drop", "12 mm heel-to-toe"),
        ("Fit", "Regular, true to size"), ("Made in", "Portugal")))
    reviews = "".join(
        f"""<div class="review"><span class="stars">★★★★☆</span><span class="reviewer">Buyer {i}</span>
        <p>Review {i}: they took a week to break in, then carried me over two hundred kilometres of rocky trail
        without a single blister.</p></div>""" for i in range(1, 4))
    related = "".join(f"""<div class="product-card"><a href="/p/sock-{i}">Merino hiking sock {i}</a>
        <span class="price">$19.00</span><button>Add to cart</button></div>""" for i in range(1, 7))
    html = shop_page(f"""<nav class="breadcrumb"><a href="/c/men">Men</a> / <a href="/c/men/shoes">Shoes</a></nav>
    <div class="product-main"><div class="gallery"><img src="/img/ridge-1.jpg" alt="Ridgeline boot, side"></div>
    <div class="product-info"><h1 class="product-title">Ridgeline GTX mountain boot</h1>
    <div class="price-box"><span class="price">$249.00</span></div>
    <form class="add-to-cart"><select name="size"><option>42</option><option>43</option></select>
    <button type="submit">Add to cart</button></form>
    <ul class="nav nav-tabs" role="tablist">
      <li><a class="nav-link active" href="#tab-desc" role="tab" aria-controls="tab-desc">Description</a></li>
      <li><a class="nav-link" href="#tab-specs" role="tab" aria-controls="tab-specs">Specifications</a></li>
      <li><a class="nav-link" href="#tab-reviews" role="tab" aria-controls="tab-reviews">Reviews (3)</a></li></ul>
    <div class="tab-content">
      <div class="tab-pane fade show active" id="tab-desc" role="tabpanel"><p>A stiff, supportive boot for
      scrambles and long approaches: the leather upper is waxed by hand, the lining keeps water out for
      days, and the rubber rand protects the toes on scree.</p></div>
      <div class="tab-pane fade" id="tab-specs" role="tabpanel" style="display:none"><table class="specs">{specs}</table></div>
      <div class="tab-pane fade" id="tab-reviews" role="tabpanel" hidden>{reviews}</div></div></div></div>
    <section class="recommendations"><h2>You may also like</h2><div class="carousel">{related}</div></section>""",
        head="""<meta property="og:type" content="product"><script type="application/ld+json">{"@context":
        "https://schema.org", "@type": "Product", "name": "Ridgeline GTX", "sku": "RG-2049",
        "description": "Every pair is resoled free of charge by our workshop in Guimaraes during its first
        five years, so the boot you buy today is the one you still wear on the trail a decade from now.",
        "offers": {"@type": "Offer", "price": "249.00", "priceCurrency": "USD"}}</script>""")
    md = convert(html, "https://shop.example.com/products/ridgeline-gtx").content
    assert "waxed by hand" in md
    for value in ("1.2 kg per pair", "Vibram Megagrip rubber", "12 mm heel-to-toe", "Portugal"):
        assert value in md, value  # the spec table sits in an inactive tab
    assert "| Weight |" in md or "Weight" in md.split("1.2 kg")[0][-40:]
    assert "Review 2: they took a week" in md  # so do the reviews
    assert "resoled free of charge by our workshop" in md  # only in the JSON-LD
    assert "We process personal data" not in md and "Find a store" not in md


def test_collection_grid_keeps_every_card_and_leaves_the_policy_dialog_out():
    names = ["Alpine", "Boreal", "Cascade", "Dolomite", "Everest", "Fjord", "Glacier", "Highland", "Ice Field",
             "Juniper", "Karst", "Lakeside", "Moraine", "Nordic", "Outback", "Piedmont"]
    cards = "".join(
        f"""<li class="grid__item"><div class="card"><a class="card__link" href="/products/{n.lower()}">
        <img src="/img/{n.lower()}.jpg" alt=""><h3 class="card__title">{n} insulated jacket</h3></a>
        <div class="card__meta"><span class="card__color">{3 + i % 4} colours</span>
        <span class="price">${180 + 5 * i}.00</span></div><button class="quick-add">Quick add</button></div></li>"""
        for i, n in enumerate(names))
    html = shop_page(f"""<div class="collection-hero"><h1>Insulated jackets</h1>
    <p>Down and synthetic jackets for cold, dry days in the mountains and in town, each tested for a full
    winter by our staff before it reaches the shop.</p></div>
    <div class="facets"><span>Filter:</span><a href="?size=s">S</a><a href="?size=m">M</a><a href="?size=l">L</a>
    <span>Sort by:</span><a href="?sort=price">Price</a></div>
    <ul class="product-grid">{cards}</ul>
    <nav class="pagination"><a href="?page=2">2</a><a href="?page=3">3</a><a href="?page=2">Next</a></nav>""",
        title="Insulated jackets | Northwind Outfitters")
    md = convert(html, "https://shop.example.com/collections/insulated-jackets").content
    assert "tested for a full winter by our staff" in md
    for n in names:
        assert f"{n} insulated jacket" in md, n
    assert "We process personal data" not in md
    assert "Help center" not in md


def test_forum_thread_keeps_every_post_with_user_panels_around_them():
    posts = "".join(
        f"""<li class="postcontainer" id="post_{i}"><div class="posthead"><span class="date">Jan {i}, 2025, 10:{i:02d}</span>
        <a class="postcounter" href="#post_{i}">#{i}</a></div><div class="userinfo"><a class="username" href="/u/{i}">member{i}</a>
        <span class="usertitle">Senior Member</span><dl class="userstats"><dt>Join Date</dt><dd>Mar 2019</dd>
        <dt>Posts</dt><dd>{100 * i}</dd></dl></div><div class="postbody"><blockquote class="postcontent">
        Post {i} of the thread: I swapped the thermostat as suggested, bled the cooling system twice and the
        temperature gauge now sits in the middle even on long climbs.</blockquote>
        <div class="signature">-- 2009 Outback 2.5i, 212k miles</div></div>
        <div class="postfoot"><a href="/reply?p={i}">Reply</a> <a href="/quote?p={i}">Quote</a></div></li>"""
        for i in range(1, 13))
    html = f"""<html><head><title>Overheating on hills - Subie Forums</title></head><body>
    <div id="header"><a href="/">Subie Forums</a><ul class="navtabs"><li><a href="/forums">Forums</a></li>
    <li><a href="/whats-new">What's new</a></li><li><a href="/members">Members</a></li></ul></div>
    <div class="breadcrumb"><a href="/forums">Forums</a> › <a href="/forums/outback">Outback</a></div>
    <h1 class="threadtitle">Overheating on hills after the head gasket job</h1>
    <div class="pagenav">Page 1 of 1</div><ol id="posts" class="posts">{posts}</ol>
    <div class="similar"><h3>Similar threads</h3><ul><li><a href="/t/1">CVT whine at 40 mph</a></li>
    <li><a href="/t/2">Best winter tyres for an Outback</a></li><li><a href="/t/3">Roof rack noise</a></li></ul></div>
    <div id="footer"><a href="/contact">Contact us</a> <a href="/rules">Forum rules</a> <a href="/archive">Archive</a></div>
    </body></html>"""
    md = convert(html, "https://forums.example.org/threads/overheating-on-hills.4242/").content
    for i in range(1, 13):
        assert f"Post {i} of the thread:" in md, i
    assert "Overheating on hills after the head gasket job" in md
    assert "Best winter tyres" not in md and "Forum rules" not in md


def test_regression_slides_written_as_divs_inside_a_list_are_kept():
    # carousel libraries (Splide, Slick) put <div> slides straight into a <ul>: invalid, common, content
    slides = "".join(
        f"""<div class="splide__slide"><div class="compare__card"><p class="t4">{name}</p><p>{feel}</p>
        <p>Fabric Content</p><p>{fabric}</p></div></div>"""
        for name, feel, fabric in (("Luxe Sateen", "Smooth, soft, lustrous", "100% long-staple cotton"),
                                   ("Classic Percale", "Crisp, cool, matte", "270 thread count cotton"),
                                   ("Washed Linen", "Soft, airy, relaxed", "100% European flax")))
    html = f"""<html><body><main><h1>Percale sheet set</h1><p>Our best-selling sheets, woven in Portugal.</p>
    <h2>Meet our sheets</h2><div class="splide"><div class="splide__track"><ul class="splide__list">{slides}</ul>
    </div></div></main></body></html>"""
    md = convert(html, "https://shop.example.com/products/percale-sheet-set").content
    for text in ("Luxe Sateen", "Crisp, cool, matte", "100% European flax"):
        assert text in md, text
    assert md.count("Fabric Content") == 3
