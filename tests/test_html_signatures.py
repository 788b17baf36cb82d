"""API signatures in definition lists (Sphinx ``dt.sig``) keep every character: ``*``, ``**``, ``/``."""

from __future__ import annotations

from llmingest.converters.html import convert

SPHINX = """<html><body><div role="main" class="body">
<dl class="py function"><dt class="sig sig-object py" id="max">
<span class="sig-name descname"><span class="pre">max</span></span><span class="sig-paren">(</span><em class="sig-param"><span class="n"><span class="pre">iterable</span></span></em>, <em class="sig-param"><span class="o"><span class="pre">*</span></span></em>, <em class="sig-param"><span class="n"><span class="pre">key</span></span><span class="o"><span class="pre">=</span></span><span class="default_value"><span class="pre">None</span></span></em><span class="sig-paren">)</span><a class="reference internal" href="_modules/builtins.html#max"><span class="viewcode-link"><span class="pre">[source]</span></span></a><a class="headerlink" href="#max">¶</a></dt>
<dd><p>Return the largest item.</p></dd></dl>
<dl class="py function"><dt class="sig sig-object py" id="f"><span class="sig-name descname"><span class="pre">f</span></span><span class="sig-paren">(</span><em class="sig-param"><span class="o"><span class="pre">*</span></span><span class="n"><span class="pre">args</span></span></em>, <em class="sig-param"><span class="o"><span class="pre">**</span></span><span class="n"><span class="pre">kw</span></span></em>, <em class="sig-param"><span class="o"><span class="pre">/</span></span></em><span class="sig-paren">)</span></dt><dd><p>F.</p></dd></dl>
<dl><dt><em>*</em> marks required fields</dt><dd><p>Plain term.</p></dd></dl>
</div></body></html>"""


def test_keyword_only_star_and_var_args_survive():
    md = convert(SPHINX.encode(), "https://docs.python.org/3/library/functions.html").content
    assert "- **max(*iterable*, \\*, *key=None*)**" in md
    assert "- **f(*\\*args*, *\\*\\*kw*, /)**" in md
    assert ", ," not in md and "[source]" not in md and "¶" not in md


def test_a_plain_term_with_an_escaped_star_keeps_it():
    md = convert(SPHINX.encode(), "https://example.org/").content
    assert "\\*" in md.split("Plain term.")[0].rsplit("- ", 1)[1]
