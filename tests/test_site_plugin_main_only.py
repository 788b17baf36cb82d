"""site_plugin.common.main_only: the Sphinx extension converts only the role="main" part of a
built page; the markdown must be exactly what converting the whole page gives."""

from __future__ import annotations

from llmingest.converters.html import convert
from llmingest.site_plugin.common import main_only

NAV = "".join(f"<li class='toctree-l1'><a href='p{i}.html'>Page {i}</a></li>" for i in range(80))
PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Install — Demo 1.0</title>"
    "<meta name='description' content='How to install.'></head>"
    "<body class='x'><div class='document'><div class='documentwrapper'><div class='bodywrapper'>"
    "<div class=\"body\" role=\"main\"><section id='install'><h1>Install<a class='headerlink' href='#install'>¶</a></h1>"
    "<div class='admonition note'><p class='admonition-title'>Note</p><p>Use a venv.</p></div>"
    "<div class='highlight-python notranslate'><div class='highlight'><pre><span></span>pip install demo\n</pre></div></div>"
    "<p>Then <a href='usage.html'>use it</a>.</p></section></div></div></div>"
    f"<div class='sphinxsidebar' role='navigation'><ul>{NAV}</ul></div></div>"
    "<div class='footer'>&copy; Demo.</div></body></html>"
)


def test_the_cut_keeps_the_head_and_the_whole_main_element():
    cut = main_only(PAGE)
    assert cut.startswith(PAGE[: PAGE.index("<body")]) and cut.endswith("</body></html>")
    assert "Then <a href='usage.html'>use it</a>" in cut and "pip install demo" in cut
    assert "toctree-l1" not in cut and "footer" not in cut  # the nested divs were balanced


def test_the_markdown_is_the_same_as_from_the_whole_page():
    whole, cut = convert(PAGE, "https://d.example/install.html"), convert(main_only(PAGE), "https://d.example/install.html")
    assert cut.content == whole.content and cut.title == whole.title
    assert "pip install demo" in cut.content


def test_a_page_without_the_marker_or_with_an_unbalanced_one_is_left_whole():
    plain = "<html><head></head><body><main><p>x</p></main></body></html>"
    assert main_only(plain) == plain
    broken = "<html><head></head><body><div role=\"main\"><div><p>x</p></div></body></html>"
    assert main_only(broken) == broken
