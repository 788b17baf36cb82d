"""Pages built by the real generators (Sphinx, MkDocs Material) in a temp dir, then converted.

Both generators are in the ``test`` extra, so these run in CI; hand-written HTML elsewhere covers
the other generators' shapes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from llmingest import ingest

RST = textwrap.dedent("""\
    Widgets
    =======

    The widget module makes widgets.

    .. code-block:: python3

       def make(n):
           return [Widget() for _ in range(n)]

    .. note::

       Widgets are not thread-safe.

    .. py:function:: make(n: int) -> list

       Make *n* widgets.

       .. code-block:: console

          $ widget --count 3

    ===========  ======
    Name         Size
    ===========  ======
    small        1
    large | xl   10
    ===========  ======

    See :py:func:`make` and `the site <https://example.org/>`_.
    """)


@pytest.fixture(scope="module")
def sphinx_site(tmp_path_factory):
    pytest.importorskip("sphinx")
    src = tmp_path_factory.mktemp("sphinx-src")
    out = tmp_path_factory.mktemp("sphinx-out")
    (src / "conf.py").write_text("project = 'Widgets'\nhtml_theme = 'alabaster'\n")
    (src / "index.rst").write_text(RST)
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)], check=True,
                   capture_output=True, timeout=240)
    return out


def test_real_sphinx_page(sphinx_site):
    doc = ingest(str(sphinx_site / "index.html"), kind="page",
                 extra={"base_url": "https://widgets.example/en/latest/"}).documents[0]
    md = doc.content
    assert doc.title.startswith("Widgets")
    assert "# Widgets\n\nThe widget module makes widgets." in md
    assert "```python\ndef make(n):\n    return [Widget() for _ in range(n)]\n```" in md
    assert "> **Note:** Widgets are not thread-safe." in md
    assert "- **make(*n: int*) → list**\n\n  Make *n* widgets." in md  # the API entry, description under it
    assert "  ```console\n  $ widget --count 3\n  ```" in md  # a fence inside the API entry
    assert "| Name | Size |\n| --- | --- |\n| small | 1 |\n| large \\| xl | 10 |" in md
    assert "[`make()`](https://widgets.example/en/latest/index.html#make)" in md
    assert "[the site](https://example.org/)" in md
    for leaked in ("¶", "Navigation", "Quick search", "Powered by", "Page source", "Related Topics", "©"):
        assert leaked not in md, leaked


@pytest.fixture(scope="module")
def mkdocs_site(tmp_path_factory):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    root = tmp_path_factory.mktemp("mkdocs")
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Gadgets
        site_url: https://gadgets.example/
        repo_url: https://github.com/o/gadgets
        edit_uri: edit/main/docs/
        theme:
          name: material
        markdown_extensions:
          - admonition
          - pymdownx.details
          - pymdownx.superfences
          - pymdownx.highlight:
              pygments_lang_class: true   # Material's recommended setup: class="language-python highlight"
          - tables
        nav:
          - Home: index.md
          - Usage: usage.md
        """))
    (root / "docs" / "index.md").write_text("# Home\n\nWelcome to gadgets, the gadget library.\n")
    (root / "docs" / "usage.md").write_text(textwrap.dedent("""\
        # Usage

        Call the API:

        ```python
        import gadgets
        gadgets.run(  1 )
        ```

        !!! warning "Careful"
            Gadgets bite.

        | Option | Default |
        | ------ | ------- |
        | `fast` | `true`  |

        See [home](index.md).
        """))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"), "-d",
                    str(root / "site")], check=True, capture_output=True, timeout=240)
    return root / "site"


def test_real_mkdocs_material_page(mkdocs_site):
    doc = ingest(str(mkdocs_site / "usage" / "index.html"), kind="page",
                 extra={"base_url": "https://gadgets.example/usage/"}).documents[0]
    md = doc.content
    assert "# Usage\n\nCall the API:\n\n```python\nimport gadgets\ngadgets.run(  1 )\n```" in md
    assert "> **Careful:** Gadgets bite." in md
    assert "| Option | Default |\n| --- | --- |\n| `fast` | `true` |" in md
    assert "[home](https://gadgets.example/)" in md
    for leaked in ("Edit this page", "¶", "Skip to content", "Made with", "Table of contents", "Initializing search"):
        assert leaked not in md, leaked
