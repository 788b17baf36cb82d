"""converters/llmstxt.py: what we write parses with the reference parser; validate finds what breaks it."""

from __future__ import annotations

import llms_txt  # the reference parser, in the [test] extra
import pytest
from llmingest.converters import llmstxt
from llmingest.converters.llmstxt import Entry, Section, first_sentence


def _sample() -> str:
    return llmstxt.build_llms_txt(
        "Demo [docs]",
        "A small demo\nsite for tests.",
        [
            Section("Optional", [Entry("Changelog", "https://d.test/changelog/", "What changed.")]),
            Section("Guide", [
                Entry("Install list[int]", "https://d.test/guide/install/", "How to\ninstall."),
                Entry("Use (it)", "https://d.test/guide/use (1).html", None),
            ]),
            Section("Empty", []),
        ],
    )


def test_build_shape_and_reference_parser_round_trip():
    text = _sample()
    assert text.splitlines()[0] == "# Demo [docs]"
    assert "> A small demo site for tests." in text
    # Optional last, empty section dropped
    assert [line for line in text.splitlines() if line.startswith("## ")] == ["## Guide", "## Optional"]
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Demo [docs]"
    assert ref.summary == "A small demo site for tests."
    assert list(ref.sections) == ["Guide", "Optional"]
    guide = ref.sections["Guide"]
    assert guide[0]["title"] == "Install list(int)"
    assert guide[0]["url"] == "https://d.test/guide/install/"
    assert guide[0]["desc"] == "How to install."
    assert guide[1]["url"] == "https://d.test/guide/use%20%281%29.html"
    assert guide[1]["desc"] is None
    ours = llmstxt.parse(text)
    assert ours["title"] == ref.title and ours["summary"] == ref.summary
    assert {k: [(e.title, e.url, e.description) for e in v] for k, v in ours["sections"].items()} == {
        k: [(d["title"], d["url"], d["desc"]) for d in v] for k, v in ref.sections.items()
    }
    assert llmstxt.validate(text) == []
    assert [p for p in llmstxt.check(text)] == []


def test_build_is_deterministic():
    assert _sample() == _sample()


def test_default_details_keep_summary_readable_by_reference_parser():
    text = llmstxt.build_llms_txt("T", "S.", [Section("A", [Entry("x", "https://x/")])])
    assert llms_txt.parse_llms_file(text).summary == "S."
    text = llmstxt.build_llms_txt("T", None, [])
    assert llms_txt.parse_llms_file(text).title == "T"


@pytest.mark.parametrize(
    "text, needle",
    [
        ("# T\n\n> S\n\nInfo.\n\n## Docs\n\nSome prose here.\n- [A](https://a/)\n", "prose under '## Docs'"),
        ("# T\n\n> S\n\nInfo.\n\n## Docs\n\n### Sub\n\n- [A](https://a/)\n", "H3 heading inside '## Docs'"),
        ("# T\n\n> line one\n> line two\n\nInfo.\n\n## Docs\n\n- [A](https://a/)\n", "spans 2 lines"),
        ("# T\n\n> S\n\nInfo.\n\n## Docs\n\n- [A [b]](https://a/)\n", "inside a link title"),
        ("Intro\n# T\n", "must start with an H1"),
        ("", "empty"),
        ("# T\n", "only a title"),
        ("# T\n\n> S\n\nI.\n\n## A\n\n- [x](https://x/)\n\n## A\n\n- [y](https://y/)\n", "appears twice"),
    ],
)
def test_validate_reports_what_breaks(text, needle):
    problems = llmstxt.validate(text)
    assert any(needle in p for p in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "# T\n\n> S\n\nInfo.\n\n## Docs\n\nSome prose here.\n- [A](https://a/)\n",
        "# T\n",
    ],
)
def test_what_validate_rejects_really_breaks_the_reference_parser(text):
    with pytest.raises((AttributeError, TypeError)):
        llms_txt.parse_llms_file(text)


def test_h3_is_misread_by_reference_parser_as_a_section():
    text = "# T\n\n> S\n\nInfo.\n\n## Docs\n\n### Sub\n\n- [A](https://a/)\n"
    assert list(llms_txt.parse_llms_file(text).sections) == ["Docs", "# Sub"]
    assert any("H3" in p for p in llmstxt.validate(text))


def test_multiline_blockquote_is_truncated_by_reference_parser_and_joined_by_ours():
    text = "# T\n\n> line one\n> line two\n\nInfo.\n\n## Docs\n\n- [A](https://a/)\n"
    assert llms_txt.parse_llms_file(text).summary == "line one"
    assert llmstxt.parse(text)["summary"] == "line one line two"


def test_parse_is_lenient():
    text = "# T\n\n> S\n\nInfo para.\n\n## Docs\n\nprose\n\n### Sub\n\n- [A](https://a/): d\n* [B](/b.md)\n"
    out = llmstxt.parse(text)
    assert out["info"] == "Info para."
    assert [(e.title, e.url, e.description) for e in out["sections"]["Docs"]] == [("A", "https://a/", "d"), ("B", "/b.md", None)]


def test_warnings_are_not_errors():
    text = "# T\n\n> S\n\n## Docs\n\n- [A](https://a/)\n"
    assert llmstxt.validate(text) == []
    assert any("no paragraph after the summary" in p.message for p in llmstxt.check(text))


@pytest.mark.parametrize(
    "url_path, expected",
    [
        ("/", "index.md"),
        ("", "index.md"),
        ("/guide/install/", "guide/install/index.md"),
        ("/guide/install/index.html", "guide/install/index.md"),
        ("/guide/install.html", "guide/install.md"),
        ("/guide/install", "guide/install.md"),
        ("/a/../../etc/passwd", "a/etc/passwd.md"),
        ("https://h.test/x/y.htm?q=1#f", "x/y.md"),
        ("/docs/README.md", "docs/README.md"),
        ("/caf%C3%A9.html", "café.md"),
    ],
)
def test_mirror_path(url_path, expected):
    assert llmstxt.mirror_path(url_path) == expected


def test_build_llms_full_keeps_one_title_and_the_url():
    text = llmstxt.build_llms_full("Site", "Sum.", [
        ("Intro", "https://d/intro/", "# Intro\n\nHello.\n"),
        ("API", "https://d/api/", "Body without a heading."),
    ])
    assert text.count("# Intro") == 1
    assert "Source: https://d/intro/" in text and "Source: https://d/api/" in text
    assert text.index("Hello.") < text.index("# API") < text.index("Body without a heading.")
    assert text.startswith("# Site\n\n> Sum.\n")


@pytest.mark.parametrize(
    "md, expected",
    [
        ("# Title\n\nThis is the first sentence of this page. And second.", "This is the first sentence of this page."),
        ("# Welcome\n\nWelcome! This is the official documentation. More here.",
         "Welcome! This is the official documentation."),
        ("```py\ncode()\n```\n\nSee [the guide](https://x/) for `pip`.", "See the guide for pip."),
        ("- item\n- item\n\n| a | b |\n|---|---|\n\nReal text e.g. here", "Real text e.g. here"),
        ("# Only a heading\n", ""),
        ("> **Note**\n> careful\n\nVersion 3.1 adds many things to the module. More.", "Version 3.1 adds many things to the module."),
        # an image button is not the page's first sentence (reportlab: '![Login / Register](...)')
        ("[![Login / Register](https://x/b.gif)](https://x/login/)\n\nThe basics of the canvas.", "The basics of the canvas."),
        ("Click ![icon](https://x/i.png) the icon to start the tool.", "Click the icon to start the tool."),
        ("Represents a JSON value. [More...](https://x/v.html#details)", "Represents a JSON value."),
        # dunder names keep their underscores (python3-doc's json page said "Lib/json/init.py")
        ("Read [Lib/json/__init__.py](https://x/j.py) for the source of it.", "Read Lib/json/__init__.py for the source of it."),
        # a field line or a version note is not what the page is about (python3-doc: 202 pages read
        # "Source code: Lib/x.py", 31 "New in version ...", What's New pages their author's name)
        ("# json\n\n**Source code:** [Lib/json/__init__.py](https://x/j.py)\n\n---\n\nJSON is a lightweight data "
         "interchange format.", "JSON is a lightweight data interchange format."),
        ("# What's New\n\nAuthor: A. M. Kuchling\n\nThis article explains the new features in Python 3.11.",
         "This article explains the new features in Python 3.11."),
        ("# zoneinfo\n\n*New in version 3.9.*\n\nThe module provides a concrete time zone implementation.",
         "The module provides a concrete time zone implementation."),
        ("Note: a sentence with enough words in it is still prose for a description.",
         "Note: a sentence with enough words in it is still prose for a description."),
        ("This is __strong__ text in a sentence.", "This is strong text in a sentence."),
    ],
)
def test_first_sentence(md, expected):
    assert llmstxt.first_sentence(md) == expected


def test_first_sentence_limit():
    out = llmstxt.first_sentence("word " * 100, limit=40)
    assert len(out) <= 40 and out.endswith("…")


def test_description_skips_a_list_items_continuation_lines():
    # found by building our own docs: an option list's wrapped line became the page's description
    md = ("# Site\n\n- `--sitemap`: read the sitemap\n  /sitemap.xml; then crawl what it lists\n"
          "1. first\nlazy continuation of the first\n\n"
          "The site command builds an llms.txt from a crawl of the whole site.")
    assert first_sentence(md) == "The site command builds an llms.txt from a crawl of the whole site."


def test_description_keeps_code_spans_literal_and_abbreviations_inside_the_sentence():
    md = "Links such as `<a href>` stay absolute, incl. Relative ones. Then the next sentence follows."
    assert first_sentence(md) == "Links such as <a href> stay absolute, incl. Relative ones."
    assert first_sentence("You can add new modules to Python if you program in C. Such modules do more.") == (
        "You can add new modules to Python if you program in C.")
