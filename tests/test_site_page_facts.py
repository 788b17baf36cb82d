"""A site crawl takes each page's links, title, site name and description from the HTML converter's
own parse (no second lxml parse per page), and they equal what the crawl's old parse found.

Real parts: the real converter on hand-written pages, a docs folder served by http.server on
127.0.0.1, the real crawl and site builder (process pool included); calls are spied, never faked.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import serve_folder
from llmingest import converters
from llmingest.converters.html_links import join
from llmingest.fetch import crawl as crawl_mod
from llmingest.options import CrawlOptions, Options
from llmingest.render.llmstxt import render_site
from llmingest.sources import site as site_mod
from llmingest.sources.parse import WebPage
from llmingest.sources.site import ingest_site


def old_extract(data: bytes, url: str, charset: str | None = None):
    """The crawl's facts parse as it was before the converter gave them (the reference)."""
    import lxml.html

    try:
        parser = lxml.html.HTMLParser(encoding=charset) if charset else None
        root = lxml.html.document_fromstring(data, parser=parser)
    except Exception:
        return [], None, None, None
    base = url
    for href in root.xpath("//base/@href")[:1]:
        base = urljoin(url, href.strip())
    links = []
    for href in dict.fromkeys(h.split("#", 1)[0].strip() for h in root.xpath("//a/@href")):
        if not href or href.startswith(("mailto:", "javascript:", "tel:", "data:")):
            continue
        try:
            links.append(urljoin(base, href))
        except ValueError:
            continue
    title = None
    for t in root.xpath("//title/text()")[:1]:
        title = re.sub(r"\s+", " ", t).strip() or None
    site_name = None
    for v in root.xpath("//meta[@property='og:site_name']/@content | //meta[@name='application-name']/@content")[:1]:
        site_name = v.strip() or None
    desc = None
    for v in root.xpath("//meta[@name='description']/@content | //meta[@property='og:description']/@content")[:1]:
        desc = re.sub(r"\s+", " ", v).strip() or None
    if desc and title and desc.casefold() == title.casefold():
        desc = None
    return links, title, site_name, desc


HEAD = "<!doctype html><html><head><meta charset='utf-8'>"
PAGES = {
    "nav and content": HEAD + "<title>  Guide \n — Demo </title><meta property='og:site_name' content=' Demo '>"
    "<meta name='description' content='All   about\nit.'></head><body><nav><a href='../index.html'>up</a>"
    "<a href='a.html#x'>a</a><a href='a.html'>again</a><a href='mailto:x@y'>m</a><a href='javascript:;'>j</a>"
    "<a href='tel:1'>t</a><a href='data:,x'>d</a><a href='#top'>top</a><a href=''>empty</a></nav><main><h1>Guide</h1>"
    "<p><a href='//cdn.test/x'>cdn</a> <a href='//'>slashes</a> <a href='?q=1'>q</a> <a href=';p'>p</a>"
    "<a href='sub/./b/../c.html'>c</a> <a href='HTTPS://Other.test/Y'>o</a> <a href='http:rel.html'>r</a>"
    "<a href=' spaced.html '>s</a> <a href='ü.html'>u</a> <a href='http://[::1'>bad</a></p></main></body></html>",
    "base href": HEAD + "<title>B</title><base href='/docs/v2/'><meta name='application-name' content='App'>"
    "</head><body><a href='x.html'>x</a><a href='../y.html'>y</a><a href='/z'>z</a></body></html>",
    "title repeated as description": HEAD + "<title>Same</title><meta name='description' content='same'>"
    "</head><body><main><p>Text <a href='n.html'>n</a></p></main></body></html>",
    "og description, no title": HEAD + "<meta property='og:description' content='Only og.'></head><body>"
    "<main><h1>H</h1><p>x</p></main></body></html>",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_links_from_the_converter_equal_the_old_links(name):
    data = PAGES[name].encode("utf-8")
    for url in ("https://d.test/guide/page.html", "https://d.test/guide/", "https://d.test/a?b=1"):
        doc = converters.convert(data, "html", url=url, crawl_facts=True).document
        assert tuple(doc.metadata["crawl_facts"]) == tuple(old_extract(data, url)), (name, url)
        assert tuple(crawl_mod.extract(data, url)) == tuple(old_extract(data, url))  # the crawl's own parse too
    plain = converters.convert(data, "html", url="https://d.test/g.html").document
    assert "crawl_facts" not in plain.metadata  # only asked for by the crawl


def test_join_equals_urljoin_and_caches_only_what_the_folder_decides():
    bases = ["http://h/a/b.html", "http://h/a/", "http://h", "http://h/a/b?q=1", "http://h/a/b;p", "http://h/a/..",
             "https://h:8080/x/y/z.html", "http://h/a//b"]
    hrefs = ["c.html", "./c", "../c", "../../../c", ".", "..", "/abs", "//other/x", "//", "///x", "c?x", "c;p",
             "c/../d", "%20c", "a:b", "http:c", "HTTP://X/y", "?q", ";p", "./", "~u", "...", "a/./b/../c", "x:"]
    for base in bases:
        folder = urljoin(base, ".")
        for href in hrefs:
            assert join(base, folder, href) == urljoin(base, href), (base, href)
            assert join(base, None, href) == urljoin(base, href)


def _site(root: Path, pages: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    nav = "".join(f"<li><a href='p{i}.html'>Page {i}</a></li>" for i in range(pages))
    (root / "index.html").write_text(
        HEAD + "<title>Home — Demo</title><meta name='description' content='A demo site.'></head><body><main>"
        f"<h1>Home</h1><p>Start here.</p><ul>{nav}</ul></main></body></html>", "utf-8")
    for i in range(pages):
        nxt = f"<a href='deep/d{i}.html'>deeper</a>" if i % 3 == 0 else ""
        (root / f"p{i}.html").write_text(
            HEAD + f"<title>Page {i} — Demo</title></head><body><nav><a href='index.html'>home</a></nav><main>"
            f"<h1>Page {i}</h1><p>Body {i}: {'words ' * (i + 3)}{nxt}</p></main></body></html>", "utf-8")
    (root / "deep").mkdir(exist_ok=True)
    for i in range(0, pages, 3):
        (root / "deep" / f"d{i}.html").write_text(
            HEAD + f"<title>Deep {i} — Demo</title></head><body><main><h1>Deep {i}</h1><p>Down here "
            f"<a href='../p{(i + 1) % pages}.html'>back</a>.</p></main></body></html>", "utf-8")
    return root


def _spy(monkeypatch, module, name: str) -> list:
    calls: list = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.parametrize("pages,workers", [(5, None), (24, None), (24, 1)])
def test_a_cold_crawl_parses_no_page_twice_and_finds_the_same_site(tmp_path, monkeypatch, pages, workers):
    """Small (converted here), large (the process pool) and one-worker sites: no crawl-side parse,
    and the pages, their links and the outputs equal a crawl that parses every page itself."""
    base, stop = serve_folder(_site(tmp_path / "html", pages))
    try:
        url = base + "/"
        parses = _spy(monkeypatch, crawl_mod, "extract")
        crawl = CrawlOptions(workers=workers)
        captured: list = []
        real_crawl = site_mod.crawl

        def keep(*args, **kwargs):
            captured.append(result := real_crawl(*args, **kwargs))
            return result

        monkeypatch.setattr(site_mod, "crawl", keep)
        new = ingest_site(WebPage(url), Options(cache=False, crawl=crawl))
        assert parses == []  # every page's facts came from its conversion
        monkeypatch.setattr(site_mod._Converter, "facts", None)  # no hook: the crawl parses each page
        monkeypatch.setattr(site_mod, "crawl", lambda *a, page_facts=None, **k: keep(*a, **k))
        old = ingest_site(WebPage(url), Options(cache=False, crawl=crawl))
        assert len(parses) == len(old.documents) + 1  # index.html and / are one page twice (same content)
        got, want = captured
        assert [(p.url, p.links, p.title, p.site_name, p.description, p.depth) for p in got.pages] == \
               [(p.url, p.links, p.title, p.site_name, p.description, p.depth) for p in want.pages]
        assert render_site(new) == render_site(old)
        assert len(new.documents) == pages + 1 + len(range(0, pages, 3))
    finally:
        stop()


def test_a_javascript_shell_is_skipped_but_its_links_are_still_followed(tmp_path, monkeypatch):
    root = _site(tmp_path / "html", 3)
    (root / "index.html").write_text(
        HEAD + "<title>App</title><script src='app.js'></script></head><body><div id='root'></div>"
        "<a href='p0.html'></a><a href='p1.html'></a><a href='p2.html'></a></body></html>", "utf-8")
    base, stop = serve_folder(root)
    try:
        parses = _spy(monkeypatch, crawl_mod, "extract")
        bundle = ingest_site(WebPage(base + "/"), Options(cache=False))
        urls = {d.url.rsplit("/", 1)[-1] for d in bundle.documents}
        assert {"p0.html", "p1.html", "p2.html"} <= urls and parses == []
        assert any("JavaScript app" in s.reason for s in bundle.skipped)
    finally:
        stop()


@pytest.mark.parametrize("pages", [5, 24])
def test_a_cold_folder_build_parses_no_page_twice_and_orders_it_the_same(tmp_path, monkeypatch, pages):
    from llmingest.sources.parse import LocalDir

    root = _site(tmp_path / "html", pages)
    options = Options(cache=False, base_url="https://docs.example.com/")
    parses = _spy(monkeypatch, crawl_mod, "extract")
    new = ingest_site(LocalDir(root), options)
    assert parses == []  # the facts came with each page's conversion
    monkeypatch.setattr(site_mod._Converter, "facts_now", lambda self, page: None)  # the crawl parses each page
    old = ingest_site(LocalDir(root), options)
    assert len(parses) == len(old.documents) == pages + 1 + len(range(0, pages, 3))
    assert render_site(new, options.base_url) == render_site(old, options.base_url)
    assert [d.url for d in new.documents] == [d.url for d in old.documents]
    capped = ingest_site(LocalDir(root), options.merged(max_pages=3))  # --max-pages: order first, then convert
    assert len(capped.documents) == 3
