"""The Sphinx extension on a real project: `sphinx-build -b html` (and dirhtml) in a temp dir."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import llms_txt
import pytest
from conftest import chromium, serve_folder
from llmingest.converters.llmstxt import parse, validate
from test_mkdocs_plugin import SPEC  # the same small OpenAPI spec drives both plugins' click-to-curl

CHROME = ("<div", "<nav", "<script", "<button", "¶", "Quick search", "Powered by", "Sphinx", "Navigation",
          "Copy page as Markdown", "Show Source", "Related Topics")

SOURCES = {
    "conf.py": """\
        project = "Gizmo"
        extensions = ["llmingest.site_plugin.sphinx"]
        html_baseurl = "https://gizmo.example.org/docs/"
        llmingest_optional = ["changelog"]
        llmingest_exclude = ["drafts/*"]
        llmingest_copy_button = True
        {extra}
        """,
    "index.rst": """\
        Gizmo
        =====

        Gizmo makes useful gadgets out of ordinary widgets. Start at :doc:`guide/start` or the :ref:`options <opts>`.

        .. toctree::
           :caption: Guide

           guide/start
           guide/options

        .. toctree::
           :caption: Reference

           ref/api

        .. toctree::
           :hidden:

           changelog
           drafts/wip
        """,
    "guide/start.rst": """\
        :description: Install Gizmo and run it the first time.

        Getting started
        ===============

        .. code-block:: python

           import gizmo
           gizmo.run(port=8080)

        .. code-block:: console

           $ gizmo --version

        .. note::

           Gizmo needs a **running** widget server.

        .. warning:: Do not run Gizmo as root.

        See :py:func:`gizmo.run` and :doc:`options`.

        .. toctree::

           start-advanced
        """,
    "guide/start-advanced.rst": """\
        Advanced start
        ==============

        Nested under getting started; it belongs to the Guide section.

        .. seealso:: :ref:`opts`
        """,
    "guide/options.rst": """\
        Options
        =======

        .. _opts:

        All options
        -----------

        ==========  ========  ===================
        Option      Default   Meaning
        ==========  ========  ===================
        ``port``    8080      Where Gizmo listens
        ``debug``   false     Verbose logging
        ==========  ========  ===================
        """,
    "ref/api.rst": """\
        API
        ===

        The Python API of Gizmo. See :doc:`../guide/start` first.

        .. py:function:: gizmo.run(port: int = 8080) -> None

           Run the gizmo server on *port*.
        """,
    "changelog.rst": "Changelog\n=========\n\nVersion 1.0 shipped the first gadget.\n",
    "drafts/wip.rst": "Work in progress\n================\n\nThis draft must never be published.\n",
    "orphan-page.rst": ":orphan:\n\nOrphan\n======\n\nReached by no toctree at all.\n",
    "extra.rst": ":llmingest: optional\n\nExtras\n======\n\nOptional by its own metadata field.\n",
}

PUBLISHED = {  # docname -> (title, section)
    "index": ("Gizmo", "Guide"),
    "guide/start": ("Getting started", "Guide"),
    "guide/start-advanced": ("Advanced start", "Guide"),
    "guide/options": ("Options", "Guide"),
    "ref/api": ("API", "Reference"),
    "changelog": ("Changelog", "Optional"),
    "extra": ("Extras", "Optional"),
    "orphan-page": ("Orphan", "Optional"),
}


def make_project(root: Path, extra: str = "") -> Path:
    src = root / "src"
    for rel, text in SOURCES.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(text)
        path.write_text(text.replace("{extra}", extra) if rel == "conf.py" else text)
    return src


def build(src: Path, builder: str = "html") -> Path:
    out = src.parent / builder
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", builder, str(src), str(out)],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(make_project(tmp_path_factory.mktemp("sphinx")))


def test_llms_txt_follows_toctree_captions_and_lists_every_page_once(site: Path):
    text = (site / "llms.txt").read_text()
    assert validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Gizmo"
    assert ref.summary == "Gizmo makes useful gadgets out of ordinary widgets."  # the root page's first sentence
    assert list(ref.sections) == ["Guide", "Reference", "Optional"]
    got = {link["title"]: (section, link["url"]) for section, links in ref.sections.items() for link in links}
    assert got == {title: (section, f"https://gizmo.example.org/docs/{doc}.md")
                   for doc, (title, section) in PUBLISHED.items()}
    urls = [link["url"] for links in ref.sections.values() for link in links]
    assert len(urls) == len(set(urls)) == len(PUBLISHED)
    assert [link["title"] for link in ref.sections["Guide"]] == ["Gizmo", "Getting started", "Advanced start", "Options"]
    assert ref.sections["Guide"][1]["desc"] == "Install Gizmo and run it the first time."  # :description: field


def test_mirrors_exist_for_every_page_and_hold_no_chrome(site: Path):
    for doc, (title, _section) in PUBLISHED.items():
        text = (site / f"{doc}.md").read_text()
        assert text.startswith(f"# {title}\n"), doc
        for bad in CHROME:
            assert bad not in text, (doc, bad)
    assert not (site / "drafts" / "wip.md").exists()
    assert "never be published" not in (site / "llms-full.txt").read_text()


def test_code_fenced_with_language_admonitions_and_absolute_cross_references(site: Path):
    start = (site / "guide" / "start.md").read_text()
    assert "```python\nimport gizmo\ngizmo.run(port=8080)\n```" in start
    assert "```console\n$ gizmo --version\n```" in start
    assert "> **Note:**" in start and "running" in start
    assert "> **Warning:**" in start and "Do not run Gizmo as root." in start
    assert "(https://gizmo.example.org/docs/ref/api.html#gizmo.run)" in start
    assert "(https://gizmo.example.org/docs/guide/options.html)" in start
    home = (site / "index.md").read_text()
    assert "(https://gizmo.example.org/docs/guide/options.html#opts)" in home
    options = (site / "guide" / "options.md").read_text()
    assert "| Option | Default | Meaning |" in options and "| `port` | 8080 | Where Gizmo listens |" in options


def test_llms_full_holds_every_page_in_reading_order(site: Path):
    full = (site / "llms-full.txt").read_text()
    positions = []
    for doc in PUBLISHED:
        marker = f"Source: https://gizmo.example.org/docs/{doc}.html\n"
        assert full.count(marker) == 1, marker
        positions.append(full.index(marker))
    assert positions == sorted(positions)
    assert "Version 1.0 shipped the first gadget." in full


def test_copy_button_in_html_not_in_mirrors_and_stable_on_rebuild(site: Path):
    html = (site / "guide" / "start.html").read_text()
    assert '<link rel="alternate" type="text/markdown" href="start.md">' in html.split("</head>")[0]
    assert html.count('<button type="button" class="llmingest-copy') == 1
    before = {p: (site / p).read_bytes() for p in ["llms.txt", "llms-full.txt", "guide/start.md", "guide/start.html"]}
    (site.parent / "src" / "guide" / "start.rst").touch()  # incremental rebuild re-reads one page
    build(site.parent / "src")
    for rel, data in before.items():
        assert (site / rel).read_bytes() == data, rel


def test_dirhtml_sections_filter_and_no_full_text(tmp_path: Path):
    src = make_project(tmp_path, extra='llmingest_sections = ["Reference"]\nllmingest_full_text = False')
    out = build(src, "dirhtml")
    assert not (out / "llms-full.txt").exists()
    sections = parse((out / "llms.txt").read_text())["sections"]
    assert {k: [(e.title, e.url) for e in v] for k, v in sections.items()} == {
        "Reference": [("API", "https://gizmo.example.org/docs/ref/api/index.md")],
        "Optional": [("Changelog", "https://gizmo.example.org/docs/changelog/index.md"),
                     ("Extras", "https://gizmo.example.org/docs/extra/index.md")],
    }
    assert (out / "ref" / "api" / "index.md").read_text().startswith("# API\n")
    assert "(https://gizmo.example.org/docs/guide/start/)" in (out / "ref" / "api" / "index.md").read_text()
    assert not (out / "guide" / "start" / "index.md").exists()  # filtered out: no mirror either


def test_other_builders_are_left_alone(tmp_path: Path):
    out = build(make_project(tmp_path), "text")
    assert (out / "index.txt").exists()
    assert not (out / "llms.txt").exists()




def test_openapi_option_adds_curl_actions(tmp_path: Path):
    src = make_project(tmp_path, extra='llmingest_openapi = "openapi.yaml"')
    (src / "openapi.yaml").write_text(SPEC)
    (src / "webhooks.rst").write_text(textwrap.dedent("""\
        :orphan:

        Webhooks
        ========

        Create a webhook
        ----------------

        1. Open your project and go to **Settings** > **Webhooks**.
        2. Click **Add webhook**.
        3. In **Payload URL**, enter ``https://example.com/hook``.
        4. Click **Create webhook**.
        """))
    out = build(src)
    mirror = (out / "webhooks.md").read_text()
    assert 'curl -X POST "https://api.widgets.example.org/projects/$PROJECT/webhooks"' in mirror
    assert '"url": "https://example.com/hook"' in mirror


def test_missing_openapi_spec_fails_the_build_clearly(tmp_path: Path):
    src = make_project(tmp_path, extra='llmingest_openapi = "nope.yaml"')
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode != 0
    assert "cannot read the OpenAPI spec" in proc.stderr


def test_bad_sections_option_fails_before_the_build(tmp_path: Path):
    src = make_project(tmp_path, extra='llmingest_sections = {"Guide": "guide/*"}')
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode != 0
    assert "llmingest_sections as a mapping needs a list of docname globs" in proc.stderr
    assert not (tmp_path / "out" / "index.html").exists()  # refused at config time, nothing built


def test_details_paragraph_and_relative_links_without_a_base_url(tmp_path: Path):
    src = make_project(tmp_path, extra='llmingest_details = "Agents: read the Guide first."')
    conf = src / "conf.py"
    conf.write_text(conf.read_text().replace('html_baseurl = "https://gizmo.example.org/docs/"', ""))
    # -W: a project that built before adding the extension must still build (an info line, no warning)
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-D", "suppress_warnings=toc.not_included",
                           "-b", "html", str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "no llmingest_base_url or html_baseurl" in proc.stdout
    out = tmp_path / "out"
    text = (out / "llms.txt").read_text()
    assert validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.info == "Agents: read the Guide first."
    assert ref.sections["Guide"][1]["url"] == "guide/start.md"  # relative to llms.txt, which sits at the root
    start = (out / "guide" / "start.md").read_text()
    assert "(options.html)" in start  # relative to the mirror, which sits next to the page


def test_autodoc_api_page_keeps_signatures_fields_and_cross_references(tmp_path: Path):
    """A module documented by autodoc (a tiny one written here): the mirror reads like an API page."""
    (tmp_path / "pkg" / "tinymod").mkdir(parents=True)
    (tmp_path / "pkg" / "tinymod" / "__init__.py").write_text(textwrap.dedent('''\
        """Tiny module for greeting people loudly."""


        class Greeter:
            """Says hello. Louder with :func:`shout`."""

            def greet(self, name: str) -> str:
                """Return the greeting for ``name``."""
                return f"hello {name}"


        def shout(text: str, times: int = 1) -> str:
            """Upper-case ``text``.

            :param text: what to shout
            :returns: the loud text

            .. note:: Never whisper.

            .. code-block:: python

               shout("hi")
            """
            return text.upper() * times
        '''))
    src = tmp_path / "docs"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(tmp_path / "pkg")!r})
        project = "Tiny"
        extensions = ["sphinx.ext.autodoc", "llmingest.site_plugin.sphinx"]
        html_baseurl = "https://tiny.example.org/"
        """))
    (src / "index.rst").write_text("Tiny\n====\n\nUse :class:`tinymod.Greeter`.\n\n"
                                   ".. toctree::\n   :caption: API\n\n   api\n")
    (src / "api.rst").write_text("API\n===\n\n.. automodule:: tinymod\n   :members:\n")
    out = build(src)
    api = (out / "api.md").read_text()
    assert api.startswith("# API\n\nTiny module for greeting people loudly.")
    assert "Greeter" in api and "greet(" in api and "shout(" in api and "→ str" in api
    assert "[`shout()`](https://tiny.example.org/api.html#tinymod.shout)" in api
    assert "> **Note:** Never whisper." in api and '```python\n  shout("hi")\n  ```' in api
    assert "what to shout" in api and "the loud text" in api
    assert not [c for c in CHROME if c in api]
    index = (out / "index.md").read_text()
    assert "(https://tiny.example.org/api.html#tinymod.Greeter)" in index
    ref = llms_txt.parse_llms_file((out / "llms.txt").read_text())
    assert [(x["title"], x["url"]) for x in ref.sections["API"]] == [
        ("Tiny", "https://tiny.example.org/index.md"), ("API", "https://tiny.example.org/api.md")]


def test_copy_button_copies_the_mirror_in_a_real_browser(tmp_path: Path):
    """Headless Debian chromium on the built Sphinx site served from 127.0.0.1 (as for MkDocs)."""
    from test_mkdocs_copy_button import _copy_and_read

    out = build(make_project(tmp_path))
    base, stop = serve_folder(out)
    try:
        with chromium() as browser:
            context = browser.new_context()
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
            page = context.new_page()
            page.goto(base + "/guide/start.html")
            assert page.locator("button.llmingest-copy").is_visible()
            assert _copy_and_read(page) == (out / "guide" / "start.md").read_text()
    finally:
        stop()


def test_the_markdown_hint_is_written_by_sphinx_itself_and_no_page_is_rewritten(tmp_path: Path, monkeypatch):
    """Without the copy button, each published page carries one alternate link to its mirror from
    Sphinx's own write (html-page-context), so build-finished rewrites no HTML page; an excluded
    page and Sphinx's generated pages (search, genindex) get none; a rebuild changes nothing."""
    import pathlib

    from sphinx.cmd.build import build_main

    src = make_project(tmp_path, extra="llmingest_copy_button = False")
    out = tmp_path / "html"
    rewritten: list[str] = []
    real_write = pathlib.Path.write_text

    def write_text(self, data, *args, **kwargs):  # Sphinx writes its pages so too: only ours are counted
        if self.suffix == ".html" and sys._getframe(1).f_globals["__name__"].startswith("llmingest."):
            rewritten.append(self.name)
        return real_write(self, data, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    assert build_main(["-q", "-b", "html", str(src), str(out)]) == 0
    assert rewritten == []
    link = '<link rel="alternate" type="text/markdown" href="{}" data-llmingest="">'
    for page, mirror in (("index.html", "index.md"), ("guide/start.html", "start.md"), ("ref/api.html", "api.md")):
        head = (out / page).read_text().split("</head>")[0]
        assert head.count('type="text/markdown"') == 1 and link.format(mirror) in head, page
        assert (out / page).with_suffix(".md").exists()
    for page in ("drafts/wip.html", "search.html", "genindex.html"):
        assert 'type="text/markdown"' not in (out / page).read_text(), page
    assert "llmingest-copy" not in (out / "guide" / "start.html").read_text()
    before = {p: (out / p).read_bytes() for p in ["llms.txt", "llms-full.txt", "guide/start.md", "guide/start.html"]}
    (src / "guide" / "start.rst").touch()
    assert build_main(["-q", "-b", "html", str(src), str(out)]) == 0
    for rel, data in before.items():
        assert (out / rel).read_bytes() == data, rel
