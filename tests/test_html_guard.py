"""Never lose the page: the guard in ``converters.html`` against a content choice that is a sliver.

Each page below is one class of failure seen on real pages (not one page): a row of teaser
``<article>``s beside the story, a docs-generator class name (``div.body``) on a tiny notice box of a
forum page, a ``<main>`` whose posts sit in a box the chrome rules strip (``#comments``). Each is
built here as real HTML and converted by the real pipeline (trafilatura included); the assertions
check what a reader needs: the story or the posts are in the markdown. The last tests check the
other side: a short article among big link lists is a justified choice and stays as it is, and the
margin needed grows with the size of our choice.
"""

from __future__ import annotations

from llmingest.converters import html as html_mod
from llmingest.converters.html import convert
from lxml import etree

STORY = [
    "The river authority published its annual survey of the estuary on Monday, and the findings "
    "surprised even the scientists who have tracked the water quality there for two decades.",
    "Oxygen levels in the lower reaches rose for the third year running, which the survey credits to "
    "the new treatment works upstream and to the wetlands restored along the northern bank in 2019.",
    "Fish counts followed the same curve: the spring census found sea trout in pools where none had "
    "been recorded since the survey began, and eel numbers doubled against the previous decade.",
    "The authority warned that the gains remain fragile, since a single dry summer could undo them, "
    "and it asked the county council to fund two more monitoring stations before the next survey.",
    "Volunteers will be trained to sample the tributaries every month, and their readings will be "
    "published on the authority's open data portal alongside the professional measurements.",
]

POSTS = [
    ("riverfan", "I have been fishing this stretch since I was a boy and I can confirm the trout are back. "
                 "Last week I saw three in the pool below the old mill, which never happened before."),
    ("ecoli_watch", "Good news, but the survey only samples in spring. Summer is when the algae blooms hit, "
                    "so I would like to see the monthly volunteer readings before celebrating too much."),
    ("marsh_warden", "The wetland restoration took six years of arguing with landowners. Glad it shows in "
                     "the numbers now; the reed beds filter far more than anyone predicted at the time."),
    ("kayak_kim", "Paddled the lower reaches on Sunday and the water was clearer than I have ever seen it. "
                  "Could see the gravel bed two metres down near the footbridge, which felt unreal."),
    ("statsnerd", "Doubling of eel numbers against a decade ago sounds great but the baseline was very low. "
                  "Would be useful to have the raw counts published with confidence intervals as well."),
]


def _story_html() -> str:
    return "".join(f"<p>{p}</p>" for p in STORY)


def _words(markdown: str) -> set[str]:
    return set(markdown.lower().split())


def _has(markdown: str, sentence: str) -> bool:
    """Most words of ``sentence`` are in the markdown (formatting may split a few)."""
    words = [w.lower() for w in sentence.split()]
    got = _words(markdown)
    return sum(w in got for w in words) >= 0.9 * len(words)


def test_teaser_articles_beside_the_story_do_not_replace_it() -> None:
    """A row of sibling teaser ``<article>``s (related stories) is not the page: the story is."""
    teasers = "".join(
        f"<article class='teaser'><a href='/news/{i}'>Read more</a><p>Teaser {i}</p></article>"
        for i in range(3))
    page = f"""<!DOCTYPE html><html lang="en"><head><title>Estuary survey | River News</title></head><body>
    <header><a href="/">River News</a></header>
    <div class="wrap"><div class="story"><h1>Estuary survey finds cleaner water</h1>{_story_html()}</div>
    <div class="more-stories"><h2>More stories</h2>{teasers}</div></div>
    <footer><p>River News 2024</p></footer></body></html>"""
    doc = convert(page, "https://news.example.org/estuary")
    for sentence in STORY:
        assert _has(doc.content, sentence), sentence
    assert doc.metadata["container"] == "guard"


def _forum_page(notice_box: str, boards: int = 40) -> str:
    posts = "".join(
        f"<div class='post'><div class='author'>{user}</div><div class='msg'><p>{text}</p></div></div>"
        for user, text in POSTS)
    nav = "".join(f"<li><a href='/board/{i}'>Board number {i} for topics about rivers</a></li>" for i in range(boards))
    return f"""<!DOCTYPE html><html lang="en"><head><title>Trout are back | River Forum</title></head><body>
    <div class="top"><ul class="menu">{nav}</ul></div>
    <div class="layout"><h1>Trout are back in the lower reaches</h1>
    {notice_box}
    <div class="thread">{posts}</div></div>
    <div class="bottom"><ul class="links">{nav}</ul></div></body></html>"""


def test_tiny_docs_class_box_on_a_forum_page_does_not_hide_the_posts() -> None:
    """``div.body`` is Sphinx's content class, but forums and shops use it for small boxes too: a
    two-word notice in one must not stand for the page (on a long page the learned scorer decides)."""
    doc = convert(_forum_page("<div class='body'><p>Topic archived</p></div>"), "https://forum.example.org/t/1")
    for _user, text in POSTS:
        assert _has(doc.content, text), text


def test_tiny_main_role_box_on_a_short_page_does_not_hide_the_posts() -> None:
    """The same class on a short page, where no model runs and the rule's container is taken as
    it is: a ``div[role=main]`` holding only a notice loses to the thread trafilatura finds."""
    page = _forum_page("<div role='main'><p>Topic archived. Replies are closed.</p></div>", boards=3)
    doc = convert(page, "https://forum.example.org/t/1")
    for _user, text in POSTS:
        assert _has(doc.content, text), text
    assert doc.metadata["container"] == "guard"
    assert "Board number 1" not in doc.content


def test_short_article_among_big_link_lists_is_a_justified_choice(monkeypatch) -> None:
    """Our choice is a small share of the page (huge menus and footers), but trafilatura finds no
    more: the guard asks and keeps our content as it is."""
    nav = "".join(f"<li><a href='/section/{i}'>Section {i} of the site with a long name</a></li>" for i in range(120))
    page = f"""<!DOCTYPE html><html lang="en"><head><title>Notice | Council</title></head><body>
    <nav><ul>{nav}</ul></nav>
    <main><h1>Road closure on Mill Lane</h1><p>{STORY[3]}</p></main>
    <footer><ul>{nav}</ul></footer></body></html>"""
    doc = convert(page, "https://council.example.org/notice")
    assert doc.metadata["container"] != "guard"
    assert _has(doc.content, STORY[3])
    assert "Section 7 of the site" not in doc.content
    asked = []
    monkeypatch.setattr(html_mod, "_larger_candidate", lambda *a: asked.append(a) or None)
    assert convert(page, "https://council.example.org/notice").content == doc.content
    assert asked  # the choice was a small share of the page: the guard did ask


def _long_story(parts: int) -> str:
    """``parts`` rounds of the story's paragraphs, each sentence told apart (no repeats to collapse)."""
    return "".join(f"<p>{p[:-1]}, as noted in part {i}.</p>" for i in range(parts) for p in STORY)


def _tree(page: str):
    return etree.fromstring(page.encode(), etree.HTMLParser())


def _body_len(root) -> int:
    return len("".join(root.find(".//body").itertext()).strip())


def test_a_sliver_loses_to_three_times_more_text() -> None:
    """Our choice is a heading and a byline (a sliver): the story trafilatura finds wins."""
    page = f"""<!DOCTYPE html><html><head><title>Survey</title></head><body>
    <div class="story"><div class="head"><h1>Estuary survey</h1><p>By the river desk</p></div>{_story_html()}</div>
    </body></html>"""
    root = _tree(page)
    larger = html_mod._larger_candidate(page, root.xpath("//div[@class='head']"), _body_len(root))
    assert larger is not None
    text = " ".join(larger[0].itertext())
    assert all(_has(text, sentence) for sentence in STORY)


def test_a_real_body_of_text_is_justified_against_a_few_times_more() -> None:
    """Our choice holds two paragraphs (60 words): trafilatura finding the whole story, about four
    times that, does not overrule it; twelve times does."""
    page = f"<!DOCTYPE html><html><head><title>Survey</title></head><body><div class='story'>{_story_html()}</div></body></html>"
    root = _tree(page)
    two = root.xpath("//p")[:2]
    assert html_mod._larger_candidate(page, two, _body_len(root)) is None
    page = f"<!DOCTYPE html><html><head><title>Survey</title></head><body><div class='story'>{_long_story(8)}</div></body></html>"
    root = _tree(page)
    larger = html_mod._larger_candidate(page, root.xpath("//p")[:2], _body_len(root))
    assert larger is not None and len(" ".join(larger[0].itertext()).split()) > 1000


def test_guard_asks_only_when_the_choice_is_a_small_share() -> None:
    page = f"<html><body><div><p class='byline'>By the river desk</p>{_story_html()}</div></body></html>"
    root = etree.fromstring(page.encode(), etree.HTMLParser())
    div = root.find(".//div")
    body_len = len("".join(root.find(".//body").itertext()).strip())
    assert not html_mod._suspicious([div], "main", body_len, {})
    assert not html_mod._suspicious([div.findall("p")[1]], "main", body_len, {})  # a fifth of the page
    assert html_mod._suspicious([div.find("p")], "main", body_len, {})  # the byline alone
    assert not html_mod._suspicious([div.find("p")], "trafilatura", body_len, {})  # already trafilatura's pick


def _book_page(chapters: int, prose: str) -> str:
    """A bookdown/GitBook-shaped page: the whole book's table of contents in a ``<nav>`` of the
    sidebar column, the chapter beside it."""
    toc = "".join(
        f"<li class='chapter'><a href='{i}-chapter.html'><b>{i}</b> Chapter on estuary topic {i}</a>"
        f"<ul><li><a href='{i}.1-part.html'><b>{i}.1</b> First part of chapter {i}</a></li>"
        f"<li><a href='{i}.2-part.html'><b>{i}.2</b> Second part of chapter {i}</a></li></ul></li>"
        for i in range(chapters))
    return f"""<!DOCTYPE html><html lang="en"><head><title>Survey methods | The Estuary Book</title></head><body>
    <div class="book with-summary"><div class="book-summary"><nav role="navigation"><ul class="summary">{toc}</ul></nav></div>
    <div class="book-body"><div class="body-inner"><div class="page-wrapper"><div class="page-inner">
    <section class="normal"><h2>Survey methods</h2>{prose}</section></div></div></div></div></div></body></html>"""


def test_book_table_of_contents_in_a_nav_is_not_content() -> None:
    """A navigation landmark made only of links beside the chapter is the book's menu, however
    long (the learned scorer judges its links one by one, as short list items)."""
    doc = convert(_book_page(30, _long_story(2)), "https://book.example.org/survey-methods.html")
    assert _has(doc.content, STORY[0].split(",")[0])
    assert "Second part of chapter 12" not in doc.content
    root = _tree(_book_page(30, _long_story(2)))
    container = root.find(".//div[@class='book with-summary']")
    html_mod._drop_navigation(container)
    assert container.find(".//nav") is None and "part 1" in " ".join(container.itertext())


def test_navigation_that_is_the_page_stays() -> None:
    """An index page: the list of links is all there is (under 500 characters beside it)."""
    root = _tree(_book_page(30, "<p>Pick a chapter.</p>"))
    container = root.find(".//div[@class='book with-summary']")
    html_mod._drop_navigation(container)
    assert container.find(".//nav") is not None


def test_a_generators_own_container_is_exact_however_short() -> None:
    """A short Sphinx page beside a long table of contents: ``div.body[role=main]`` is Sphinx's own
    container, so the page is short, not lost (the same box without the role is only a hint)."""
    toc = "".join(f"<li class='toctree-l1'><a href='p{i}.html'>Page {i} of the manual</a></li>" for i in range(80))
    page = ("<!DOCTYPE html><html><head><title>Install</title></head><body><div class='document'>"
            "<div class='body' role='main'><h1>Install</h1><p>Run pip install demo, then <a href='usage.html'>use it</a>.</p></div></div>"
            f"<div class='sphinxsidebar' role='navigation'><ul>{toc}</ul></div></body></html>")
    doc = convert(page, "https://docs.example.org/install.html")
    assert doc.metadata["container"] == "sphinx"
    assert "Page 3 of the manual" not in doc.content
    root = _tree(page)
    box = root.find(".//div[@role='main']")
    assert not html_mod._suspicious([box], "sphinx", _body_len(root), {})
    del box.attrib["role"]
    assert html_mod._suspicious([box], "sphinx", _body_len(root), {})
