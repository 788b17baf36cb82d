"""Page facts (author, dates, site name, language, image, tags) from meta tags and JSON-LD.

Each page is written the way real sites write it (a WordPress/Yoast news article with an @graph,
a hand-made blog with only ``<meta name=author>`` and ``<time>``, a shop's Product JSON-LD, a page
whose JSON-LD is broken, a page with nothing), then read three ways: the pure converter, the
front matter, and ``llmingest page --format json`` through Typer's runner.
"""

from __future__ import annotations

import json

import pytest
from llmingest.cli import app
from llmingest.converters.html import convert, front_matter
from llmingest.converters.html_meta import FIELDS, jsonld_objects, normalize_date, page_facts
from lxml import etree
from typer.testing import CliRunner

NEWS = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Rivers rise after storm | The Daily Example</title>
<meta name="description" content="Flood warnings across the valley.">
<link rel="canonical" href="https://news.example/2024/03/rivers-rise">
<meta property="og:site_name" content="The Daily Example">
<meta property="og:type" content="article">
<meta property="og:image" content="/img/river.jpg">
<meta property="article:published_time" content="2024-03-04T23:00:00+00:00">
<meta property="article:tag" content="Weather">
<meta property="article:tag" content="Floods">
<meta property="article:section" content="UK News">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://news.example/#website", "name": "Daily Example Site"},
  {"@type": "Person", "@id": "https://news.example/#/schema/person/jr", "name": "Jane Reporter"},
  {"@type": ["NewsArticle"], "@id": "https://news.example/2024/03/rivers-rise#article",
   "headline": "Rivers rise after storm",
   "author": [{"@id": "https://news.example/#/schema/person/jr"}, {"@type": "Person", "name": "Tom O&#039;Neil"}],
   "datePublished": "2024-03-05T08:15:00+01:00", "dateModified": "2024-03-06 09:00:00Z",
   "publisher": {"@type": "Organization", "name": "Example Media Group"},
   "keywords": ["Weather", "Rain, and more rain"]}
]}
</script></head>
<body><header><nav><a href="/">Home</a></nav></header>
<article><h1>Rivers rise after storm</h1><p>Rivers across the valley rose overnight after the storm.</p>
<p>Residents were told to move their cars to higher ground.</p></article>
<footer>© The Daily Example</footer></body></html>"""

BLOG = """<!doctype html><html><head><title>Why I use tabs</title>
<meta name="author" content="By Sam Writer">
<meta http-equiv="content-language" content="fr_FR">
</head><body><main><article>
<h1>Why I use tabs</h1>
<p class="meta">Posted <time datetime="2023-11-02">2 November 2023</time></p>
<p>Tabs are one character. Spaces are many. Here is my long argument about indentation.</p>
</article></main>
<footer><time datetime="2024-01-01">site updated</time></footer></body></html>"""

PRODUCT = """<!doctype html><html lang="de"><head><title>Kettle 2000 – Shop</title>
<meta name="twitter:image" content="https://cdn.shop.example/k2000.png">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebSite", "name": "Shop Example"}</script>
<script type="application/ld+json">
{"@context": "https://schema.org/", "@type": "http://schema.org/Product", "name": "Kettle 2000",
 "description": "A 1.7 litre kettle that boils in 90 seconds.",
 "brand": {"@type": "Brand", "name": "Boilco"},
 "image": [{"@type": "ImageObject", "url": "https://cdn.shop.example/k2000-large.png"}],
 "offers": {"@type": "Offer", "price": "39.99", "priceCurrency": "EUR"},
 "additionalProperty": [{"@type": "PropertyValue", "name": "Capacity", "value": "1.7 l"}]}
</script></head>
<body><main><h1>Kettle 2000</h1><p>Our fastest kettle yet, with a stainless steel body.</p></main></body></html>"""

BROKEN = """<!doctype html><html lang="en"><head><title>Release notes</title>
<meta name="author" content="Docs Team">
<script type="application/ld+json">{"@type": "Article", "author": {"name": "Nobody" </script>
<script type="application/ld+json"><!--
{"@type": "BlogPosting", "datePublished": "2022-07-09", "author": "Kim Lee",}
--></script>
<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[</script>
<script type="application/ld+json"></script>
</head><body><main><h1>Release notes</h1><p>Version 2 fixes the parser and adds a cache.</p></main></body></html>"""

NOTHING = "<html><body><p>Just a paragraph of text with nothing about it.</p></body></html>"


def _root(page: str):
    return etree.fromstring(page.encode(), etree.HTMLParser(encoding="utf-8"))


def test_news_article_json_ld_graph_wins_over_meta():
    doc = convert(NEWS.encode(), "https://news.example/2024/03/rivers-rise?utm=x")
    md = doc.metadata
    # @id reference resolved; HTML entity in a JSON-LD string decoded; order of the array kept
    assert md["author"] == "Jane Reporter; Tom O'Neil"
    assert md["date"] == "2024-03-05T08:15:00+01:00"  # JSON-LD datePublished before article:published_time
    assert md["modified"] == "2024-03-06T09:00:00Z"
    assert md["sitename"] == "The Daily Example"  # og:site_name first, as trafilatura
    assert md["lang"] == "en-GB"
    assert md["image"] == "https://news.example/img/river.jpg"  # made absolute
    # article:tag and JSON-LD list items are one tag each (commas kept); duplicates dropped
    assert md["tags"] == ["Weather", "Floods", "Rain, and more rain"]
    assert md["categories"] == ["UK News"]
    assert md["pagetype"] == "article"
    assert md["canonical"] == "https://news.example/2024/03/rivers-rise"
    assert doc.title == "Rivers rise after storm | The Daily Example"
    assert doc.description == "Flood warnings across the valley."
    assert "Rivers across the valley rose overnight" in doc.content


def test_news_front_matter_order_and_escaping():
    doc = convert(NEWS.encode(), "https://news.example/2024/03/rivers-rise?utm=x")
    assert front_matter(doc) == (
        "---\n"
        "title: Rivers rise after storm | The Daily Example\n"
        "url: https://news.example/2024/03/rivers-rise?utm=x\n"
        "canonical: https://news.example/2024/03/rivers-rise\n"
        "description: Flood warnings across the valley.\n"
        "author: Jane Reporter; Tom O'Neil\n"
        "date: 2024-03-05T08:15:00+01:00\n"
        "modified: 2024-03-06T09:00:00Z\n"
        "sitename: The Daily Example\n"
        "lang: en-GB\n"
        "image: https://news.example/img/river.jpg\n"
        'tags: [Weather, Floods, "Rain, and more rain"]\n'
        "categories: [UK News]\n"
        "---\n\n")
    # the same bytes every time
    assert front_matter(convert(NEWS.encode(), "https://news.example/2024/03/rivers-rise?utm=x")) == front_matter(doc)


def test_blog_with_meta_author_and_time():
    doc = convert(BLOG.encode(), "https://sam.example/tabs/")
    md = doc.metadata
    assert md["author"] == "Sam Writer"  # "By " dropped
    assert md["date"] == "2023-11-02"  # the <time> in the article, not the one in the footer
    assert md["modified"] is None and md["sitename"] is None and md["image"] is None
    assert md["tags"] == [] and md["categories"] == []
    assert md["lang"] == "fr-FR"  # from http-equiv content-language, since <html> has no lang
    fm = front_matter(doc)
    assert fm == ("---\ntitle: Why I use tabs\nurl: https://sam.example/tabs/\nauthor: Sam Writer\n"
                  "date: 2023-11-02\nlang: fr-FR\n---\n\n")


def test_product_json_ld():
    doc = convert(PRODUCT.encode(), "https://shop.example/p/k2000")
    md = doc.metadata
    assert md["author"] is None and md["date"] is None
    assert md["sitename"] == "Shop Example"  # the WebSite object
    assert md["pagetype"] == "product"  # from the JSON-LD type (schema.org URL form)
    assert md["image"] == "https://cdn.shop.example/k2000.png"  # twitter:image before JSON-LD image
    assert md["lang"] == "de"
    # no meta description: the Product's JSON-LD description stands in
    assert doc.description == "A 1.7 litre kettle that boils in 90 seconds."
    objects = jsonld_objects(_root(PRODUCT))
    product = next(o for o in objects if o["@type"].endswith("Product"))
    assert product["offers"]["price"] == "39.99"
    assert product["additionalProperty"][0] == {"@type": "PropertyValue", "name": "Capacity", "value": "1.7 l"}
    assert [o["name"] for o in objects] == ["Shop Example", "Kettle 2000"]


def test_broken_json_ld_never_breaks_the_page():
    doc = convert(BROKEN.encode(), "https://docs.example/notes.html")
    md = doc.metadata
    # the unterminated block and the 50-deep array are skipped; the commented one with a trailing
    # comma is repaired and read, so its author wins over <meta name=author>
    assert md["author"] == "Kim Lee"
    assert md["date"] == "2022-07-09"
    assert doc.title == "Release notes"
    assert "Version 2 fixes the parser" in doc.content
    assert [o["@type"] for o in jsonld_objects(_root(BROKEN))] == ["BlogPosting"]


def test_page_with_nothing():
    doc = convert(NOTHING.encode(), None)
    for key in FIELDS:
        assert doc.metadata[key] in (None, []), key
    assert doc.metadata["lang"] is None
    assert front_matter(doc) == ""


def test_yaml_list_items_with_flow_characters_are_quoted():
    page = ('<html><head><title>T</title><meta name="keywords" content="c++, {braces}, [x]:y, null">'
            "</head><body><p>x</p></body></html>")
    fm = front_matter(convert(page.encode(), None))
    assert 'tags: [c++, "{braces}", "[x]:y", "null"]' in fm


@pytest.mark.parametrize(("raw", "want"), [
    ("2024-03-05", "2024-03-05"),
    ("2024-3-5", "2024-03-05"),
    ("2024-03-05T10:20", "2024-03-05T10:20"),
    ("2024-03-05T10:20:30.123Z", "2024-03-05T10:20:30.123Z"),
    ("2024-03-05 10:20:30 +0530", "2024-03-05T10:20:30+05:30"),
    ("2024-03-05T10:20:30-08", "2024-03-05T10:20:30-08:00"),
    ("2024/03/05", "2024-03-05"),
    ("20240305", "2024-03-05"),
    ("05.03.2024", "2024-03-05"),
    ("13/03/2024", "2024-03-13"),
    ("03/13/2024", "2024-03-13"),
    ("March 5, 2024", "2024-03-05"),
    ("Published: Tuesday, Sept. 3rd 2024", "2024-09-03"),
    ("5 Mar 2024", "2024-03-05"),
    ("Tue, 05 Mar 2024 10:20:30 GMT", "2024-03-05T10:20:30Z"),
    ("Tue, 05 Mar 2024 10:20:30 +0100", "2024-03-05T10:20:30+01:00"),
    ("05/03/2024", None),  # day-month or month-day: not guessed
    ("2024-02-30", None),
    ("1970-01-01T00:00:00Z", None),
    ("yesterday", None),
    ("", None),
    (None, None),
    (20240305, "2024-03-05"),
    (["2024-03-05", "2024-03-06"], "2024-03-05"),
])
def test_normalize_date(raw, want):
    assert normalize_date(raw) == want


def test_date_order_meta_then_itemprop_then_time():
    meta = ('<html><head><meta name="dc.date" content="2021-01-02"></head><body><article>'
            '<span itemprop="datePublished" content="2020-05-06"></span><time datetime="2019-01-01">x</time>'
            "</article></body></html>")
    assert page_facts(_root(meta))["date"] == "2021-01-02"
    itemprop = meta.replace('<meta name="dc.date" content="2021-01-02">', "")
    assert page_facts(_root(itemprop))["date"] == "2020-05-06"
    time = itemprop.replace('<span itemprop="datePublished" content="2020-05-06"></span>', "")
    assert page_facts(_root(time))["date"] == "2019-01-01"


def test_microdata_author_skips_comment_authors_and_yoast_org_author():
    page = ('<html><body><article itemscope itemtype="https://schema.org/BlogPosting">'
            '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Ann Body</span></span>'
            '<div itemprop="comment" itemscope itemtype="https://schema.org/Comment">'
            '<span itemprop="author">Troll</span></div></article></body></html>')
    assert page_facts(_root(page))["author"] == "Ann Body"
    org = ('<html><head><script type="application/ld+json">{"@type": "Article", "author": '
           '{"@type": "Organization", "name": "Johnson & Johnson"}}</script></head></html>')
    assert page_facts(_root(org))["author"] == "Johnson & Johnson"  # an organisation is not split on "&"


@pytest.mark.parametrize(("name", "page", "want"), [
    ("news", NEWS, {"author": "Jane Reporter; Tom O'Neil", "date": "2024-03-05T08:15:00+01:00",
                    "modified": "2024-03-06T09:00:00Z", "sitename": "The Daily Example", "lang": "en-GB"}),
    ("blog", BLOG, {"author": "Sam Writer", "date": "2023-11-02", "modified": None, "lang": "fr-FR"}),
    ("product", PRODUCT, {"author": None, "sitename": "Shop Example", "pagetype": "product"}),
    ("broken", BROKEN, {"author": "Kim Lee", "date": "2022-07-09"}),
    ("nothing", NOTHING, {"author": None, "date": None, "sitename": None, "tags": []}),
])
def test_page_format_json_through_the_cli(tmp_path, name, page, want):
    path = tmp_path / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    res = CliRunner().invoke(app, ["page", str(path), "--format", "json", "--base-url", "https://site.example/a/"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    doc = data["documents"][0]
    for key, value in want.items():
        assert doc["metadata"][key] == value, key
    for key in FIELDS:
        assert key in doc["metadata"]
    if want.get("author"):
        assert f"author: {want['author']}\n" in doc["content"]  # the same facts in the front matter
    else:
        assert "author:" not in doc["content"]
    res2 = CliRunner().invoke(app, ["page", str(path), "--format", "json", "--base-url", "https://site.example/a/"])
    assert res2.stdout == res.stdout  # deterministic


def test_markdown_output_through_the_cli_carries_the_facts(tmp_path):
    path = tmp_path / "news.html"
    path.write_text(NEWS, encoding="utf-8")
    res = CliRunner().invoke(app, ["page", str(path)])
    assert res.exit_code == 0, res.output
    head = res.stdout.split("\n---\n", 1)[0]
    assert "author: Jane Reporter; Tom O'Neil" in head and "date: 2024-03-05T08:15:00+01:00" in head
    assert "canonical: https://news.example/2024/03/rivers-rise" in head
    assert "url:" not in head  # a local file without --base-url has no URL
    res = CliRunner().invoke(app, ["page", str(path), "--no-front-matter"])
    assert res.stdout.startswith("# Rivers rise after storm\n")


def test_mcp_fetch_page_returns_the_facts_in_its_front_matter(tmp_path):
    from conftest import call_tool, local_service, serve_folder
    from llmingest.mcp_server.server import create_server

    site = tmp_path / "site"
    site.mkdir()
    (site / "rivers.html").write_text(NEWS, encoding="utf-8")
    base, stop = serve_folder(site)
    try:
        res = call_tool(create_server(local_service(tmp_path)), "fetch_page", {"url": f"{base}/rivers.html"})
    finally:
        stop()
    text = res.content[0].text
    head = text.split("\n---\n", 1)[0]
    assert head.startswith("---\ntitle: Rivers rise after storm | The Daily Example\n")
    assert "author: Jane Reporter; Tom O'Neil\ndate: 2024-03-05T08:15:00+01:00\n" in head
    assert "sitename: The Daily Example\nlang: en-GB\n" in head
    assert "Rivers across the valley rose overnight" in text


def test_last_updated_time_and_placeholder_authors_are_not_the_page_facts():
    # Docusaurus writes "Last updated on <time itemprop=dateModified>" inside the article's footer
    docusaurus = ('<html><head><meta name="author" content="admin"></head><body><article><h1>Intro</h1><p>Text.</p>'
                  '<footer class="theme-doc-footer"><span class="theme-last-updated">Last updated on '
                  '<time datetime="2024-05-06T07:08:09.000Z" itemprop="dateModified">May 6, 2024</time></span>'
                  "</footer></article></body></html>")
    facts = page_facts(_root(docusaurus))
    assert facts["date"] is None and facts["modified"] == "2024-05-06T07:08:09.000Z"
    assert facts["author"] is None  # "admin" is what WordPress leaves, not a name
    # a "posted" time wins over an earlier one in the article body
    blog = ('<html><body><article><p>Since <time datetime="2001-02-03">2001</time> I have...</p>'
            '<p class="byline">Posted <time class="entry-date" datetime="2020-06-07">June 7</time></p>'
            "</article></body></html>")
    assert page_facts(_root(blog))["date"] == "2020-06-07"
