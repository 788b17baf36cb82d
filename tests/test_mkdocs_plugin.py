"""The MkDocs plugin on a real site: `mkdocs build` with mkdocs-material in a temp dir.

Each test reads what the build wrote (llms.txt through the reference `llms-txt` parser,
llms-full.txt, the .md mirrors, the HTML pages) exactly as a user's CI would publish it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import llms_txt
import pytest
import yaml
from llmingest.converters.llmstxt import parse, validate

CHROME = ("<nav", "<div", "<header", "<footer", "md-header", "md-sidebar", "Skip to content", "<script",
          "<button", "¶", "Copy page as Markdown", "Made with")

PAGES = {
    "index.md": """\
        # Welcome

        Demo is a tool that turns widgets into gadgets. Read [the install guide](guide/install.md#pip)
        and look at ![the logo](img/logo.png).

        !!! note "Heads up"
            Admonition body with a [link to usage](guide/usage.md).

            ```python
            print("inside the note")
            ```
        """,
    "guide/install.md": """\
        ---
        description: How to install Demo on every platform.
        ---
        # Install { #install-page }

        ## pip

        ```bash
        pip install demo  # [not a link](nowhere.md)
        ```

        === "Linux"

            Use `apt install demo`.

        === "macOS"

            Use `brew install demo`.
        """,
    "guide/usage.md": """\
        Run the tool with a config file.

        --8<-- "example.txt"

        Back to [home](../index.md), see the [API](../reference/api.md) and [top](#usage).

        [changelog]: ../changelog.md
        """,
    "reference/api.md": """\
        # API

        The `demo.run()` function runs everything.

        ??? warning "Deprecated"
            `demo.old()` goes away in 2.0.
        """,
    "changelog.md": "# Changelog\n\n## 1.0\n\nFirst release of Demo.\n",
    "drafts/secret.md": "# Draft\n\nThis page must never be published.\n",
    "orphan.md": "# Orphan\n\nA page outside the nav.\n",
    "meta-optional.md": "---\nllmingest: optional\n---\n# Extras\n\nOptional by front matter.\n",
}

NAV = [
    {"Home": "index.md"},
    {"Guide": ["guide/install.md", {"Usage": "guide/usage.md"}]},
    {"Reference": ["reference/api.md"]},
    {"Changelog": "changelog.md"},
    {"Extras": "meta-optional.md"},
    {"Draft": "drafts/secret.md"},
]


def make_site(root: Path, plugin: dict | None = None, **config) -> Path:
    """Write a mkdocs-material project under ``root``; return the mkdocs.yml path."""
    docs = root / "docs"
    for rel, text in PAGES.items():
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (docs / "img").mkdir(exist_ok=True)
    (docs / "img" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "snippets").mkdir(exist_ok=True)
    (root / "snippets" / "example.txt").write_text("demo --config demo.toml  # SNIPPET-EXPANDED\n")
    cfg = {
        "site_name": "Demo Docs",
        "site_description": "Demo turns widgets into gadgets.",
        "site_url": "https://example.org/demo/",
        "theme": {"name": "material", "features": ["navigation.instant"]},
        "markdown_extensions": [
            "admonition", "pymdownx.details", "pymdownx.superfences", "attr_list",
            {"pymdownx.tabbed": {"alternate_style": True}},
            {"pymdownx.snippets": {"base_path": [str(root / "snippets")]}},
        ],
        "nav": NAV,
        "plugins": ["search", {"llmingest": plugin if plugin is not None else {
            "optional": ["changelog.md"], "exclude": ["drafts/*"], "copy_button": True}}],
    }
    cfg.update(config)
    cfg = {k: v for k, v in cfg.items() if v is not None}
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def build(config: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config)],
                          cwd=config.parent,
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    return config.parent / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(make_site(tmp_path_factory.mktemp("mkdocs")))


PUBLISHED = {  # src -> (title, mirror path, section)
    "index.md": ("Home", "index.md", "Docs"),
    "guide/install.md": ("Install", "guide/install/index.md", "Guide"),
    "guide/usage.md": ("Usage", "guide/usage/index.md", "Guide"),
    "reference/api.md": ("API", "reference/api/index.md", "Reference"),
    "changelog.md": ("Changelog", "changelog/index.md", "Optional"),
    "meta-optional.md": ("Extras", "meta-optional/index.md", "Optional"),
    "orphan.md": ("Orphan", "orphan/index.md", "Optional"),
}


def test_llms_txt_parses_with_reference_parser_and_lists_every_page_once(site: Path):
    text = (site / "llms.txt").read_text()
    assert validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Demo Docs"
    assert ref.summary == "Demo turns widgets into gadgets."
    assert list(ref.sections) == ["Docs", "Guide", "Reference", "Optional"]
    urls = [link["url"] for links in ref.sections.values() for link in links]
    assert sorted(urls) == sorted(f"https://example.org/demo/{m}" for _, m, _ in PUBLISHED.values())
    assert len(urls) == len(set(urls))
    by_section = {name: [link["title"] for link in links] for name, links in ref.sections.items()}
    assert by_section["Guide"] == ["Install", "Usage"]  # nav order
    assert by_section["Optional"] == ["Changelog", "Extras", "Orphan"]
    descs = {link["title"]: link["desc"] for links in ref.sections.values() for link in links}
    assert descs["Install"] == "How to install Demo on every platform."  # page meta wins
    assert descs["Home"] == "Demo is a tool that turns widgets into gadgets."  # else the first sentence


def test_mirror_for_every_page_without_html_chrome(site: Path):
    for _src, (_title, mirror, _section) in PUBLISHED.items():
        text = (site / mirror).read_text()
        assert text.startswith("# "), mirror
        for bad in CHROME:
            assert bad not in text, (mirror, bad)
    assert not (site / "drafts" / "secret" / "index.md").exists()
    assert "never be published" not in (site / "llms-full.txt").read_text()


def test_mirror_expands_snippets_and_makes_links_absolute(site: Path):
    usage = (site / "guide/usage/index.md").read_text()
    assert usage.startswith("# Usage\n")  # title from the nav, the page has no H1
    assert "demo --config demo.toml  # SNIPPET-EXPANDED" in usage
    assert "--8<--" not in usage
    assert "[home](https://example.org/demo/)" in usage
    assert "[API](https://example.org/demo/reference/api/)" in usage
    assert "[top](https://example.org/demo/guide/usage/#usage)" in usage
    assert "[changelog]: https://example.org/demo/changelog/" in usage
    home = (site / "index.md").read_text()
    assert "(https://example.org/demo/guide/install/#pip)" in home
    assert "![the logo](https://example.org/demo/img/logo.png)" in home
    install = (site / "guide/install/index.md").read_text()
    assert "# [not a link](nowhere.md)" in install  # code is never rewritten
    assert "{ #install-page }" not in install


def test_mirror_turns_mkdocs_syntax_into_plain_markdown(site: Path):
    home = (site / "index.md").read_text()
    assert "!!!" not in home
    assert "> **Note: Heads up**" in home
    assert "> Admonition body with a [link to usage](https://example.org/demo/guide/usage/)." in home
    assert '> ```python\n> print("inside the note")\n> ```' in home
    api = (site / "reference/api/index.md").read_text()
    assert "> **Warning: Deprecated**" in api and "???" not in api
    install = (site / "guide/install/index.md").read_text()
    assert "**Linux**\n\nUse `apt install demo`." in install
    assert '===' not in install


def test_llms_full_holds_every_page_in_nav_order(site: Path):
    full = (site / "llms-full.txt").read_text()
    assert full.startswith("# Demo Docs\n\n> Demo turns widgets into gadgets.\n")
    positions = []
    for src in ["index.md", "guide/install.md", "guide/usage.md", "reference/api.md", "changelog.md",
                "meta-optional.md", "orphan.md"]:
        url = "https://example.org/demo/" + ("" if src == "index.md" else src[:-3] + "/")
        marker = f"Source: {url}\n"
        assert full.count(marker) == 1, marker
        positions.append(full.index(marker))
    assert positions == sorted(positions)
    assert "SNIPPET-EXPANDED" in full and "First release of Demo." in full


def test_copy_button_and_alternate_link_in_material_pages(site: Path):
    html = (site / "guide" / "install" / "index.html").read_text()
    assert re.search(r'<link rel="alternate" type="text/markdown" href="index.md">', html)
    head, body = html.split("</head>", 1)
    assert 'rel="alternate"' in head
    assert re.search(r'<article class="md-content__inner[^"]*"><button type="button" class="llmingest-copy', body)
    assert "navigator.clipboard.writeText" in body
    assert html.count('class="llmingest-copy') == 1
    home = (site / "index.html").read_text()
    assert 'data-md="index.md"' in home
    draft = (site / "drafts" / "secret" / "index.html").read_text()
    assert "llmingest-copy" not in draft  # excluded pages get no mirror, so no button


def test_build_is_deterministic(site: Path, tmp_path: Path):
    again = build(make_site(tmp_path))
    for rel in ["llms.txt", "llms-full.txt", "guide/usage/index.md", "index.md"]:
        first = (site / rel).read_text().replace(str(site.parent), "ROOT")
        assert first == (again / rel).read_text().replace(str(tmp_path), "ROOT"), rel


def test_sections_filter_full_text_off_and_flat_urls(tmp_path: Path):
    site = build(make_site(tmp_path, plugin={"sections": ["Reference", "Guide"], "full_text": False,
                                             "base_url": "https://docs.example.com/v2",
                                             "details": "Agents: start with the Guide."},
                           use_directory_urls=False))
    assert not (site / "llms-full.txt").exists()
    ref = llms_txt.parse_llms_file((site / "llms.txt").read_text())
    assert list(ref.sections) == ["Reference", "Guide", "Optional"]
    assert ref.info == "Agents: start with the Guide."
    assert [link["title"] for link in ref.sections["Optional"]] == ["Extras"]  # optional by front matter
    assert [link["url"] for link in ref.sections["Guide"]] == [
        "https://docs.example.com/v2/guide/install.md", "https://docs.example.com/v2/guide/usage.md"]
    usage = (site / "guide" / "usage.md").read_text()
    assert "[home](https://docs.example.com/v2/index.html)" in usage
    assert "SNIPPET-EXPANDED" in usage
    page = (site / "guide" / "install.html").read_text()
    assert "llmingest-copy" not in page  # copy_button is off, but the markdown hint is always there
    assert '<link rel="alternate" type="text/markdown" href="install.md"' in page
    assert (site / "guide" / "install.html.md").read_text() == (site / "guide" / "install.md").read_text()


def test_sections_as_globs_regroup_pages(tmp_path: Path):
    site = build(make_site(tmp_path, plugin={"sections": {"Start": ["index.md", "guide/*"], "API": ["reference/*"]}}))
    sections = parse((site / "llms.txt").read_text())["sections"]
    assert {name: [e.title for e in entries] for name, entries in sections.items()} == {
        "Start": ["Home", "Install", "Usage"], "API": ["API"], "Optional": ["Extras"]}


def test_without_site_url_links_are_relative_and_build_says_so(tmp_path: Path):
    config = make_site(tmp_path, plugin={}, site_url=None)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    # --strict: a site that built before adding the plugin must still build (an info line, no warning)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "no site_url or base_url" in proc.stderr
    text = (tmp_path / "site" / "llms.txt").read_text()
    assert "- [Install](guide/install/index.md): How to install Demo on every platform." in text
    assert "[home](/)" in (tmp_path / "site" / "guide" / "usage" / "index.md").read_text()
    assert validate(text) == []


def test_bad_sections_option_is_a_clear_build_error(tmp_path: Path):
    config = make_site(tmp_path, plugin={"sections": {"Guide": "guide/*"}})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode != 0
    assert "needs a list of globs per section" in proc.stderr
    assert "Traceback" not in proc.stderr


SPEC = """\
openapi: 3.0.0
info: {title: Widgets API, version: "1.0"}
servers: [{url: "https://api.widgets.example.org"}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /projects/{project}/webhooks:
    post:
      operationId: createWebhook
      summary: Create a webhook
      parameters: [{name: project, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [url]
              properties:
                url: {type: string, description: Payload URL}
  /projects:
    get: {operationId: listProjects, summary: List projects}
"""

STEPS = """\
# Webhooks

## Create a webhook

1. Open your project and go to **Settings** > **Webhooks**.
2. Click **Add webhook**.
3. In **Payload URL**, enter `https://example.com/hook`.
4. Click **Create webhook**.
"""


def test_openapi_option_adds_curl_actions_to_mirrors(tmp_path: Path):
    config = make_site(tmp_path, plugin={"openapi": "openapi.yaml"})
    (tmp_path / "openapi.yaml").write_text(SPEC)
    (tmp_path / "docs" / "webhooks.md").write_text(STEPS)
    site = build(config)
    mirror = (site / "webhooks" / "index.md").read_text()
    assert 'curl -X POST "https://api.widgets.example.org/projects/$PROJECT/webhooks"' in mirror
    assert '"url": "https://example.com/hook"' in mirror
    assert "Click **Add webhook**." in mirror  # the original steps are kept
    assert "curl -X POST" in (site / "llms-full.txt").read_text()
    assert "curl" not in (site / "guide" / "usage" / "index.md").read_text()  # no steps, no action


def test_missing_openapi_spec_is_a_clear_build_error(tmp_path: Path):
    config = make_site(tmp_path, plugin={"openapi": "nope.yaml"})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode != 0
    assert "cannot read the OpenAPI spec" in proc.stderr and "nope.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_default_mkdocs_theme_gets_the_button_too(tmp_path: Path):
    site = build(make_site(tmp_path, plugin={"copy_button": True}, theme={"name": "mkdocs"}))
    html = (site / "guide" / "install" / "index.html").read_text()
    assert re.search(r'role="main"><button type="button" class="llmingest-copy', html)
    assert '<link rel="alternate" type="text/markdown" href="index.md">' in html
    assert (site / "guide" / "install" / "index.md").read_text().startswith("# Install\n")


def test_dirty_build_still_lists_every_page(tmp_path: Path):
    """`mkdocs build --dirty` (and `serve --dirty`) re-render only edited pages; llms.txt keeps them all."""
    config = make_site(tmp_path)
    site = build(config)
    names = ["llms.txt", "llms-full.txt", "index.md", "guide/usage/index.md", "changelog/index.md"]
    before = {rel: (site / rel).read_text() for rel in names}
    edited = tmp_path / "docs" / "changelog.md"
    future = edited.stat().st_mtime + 60
    os.utime(edited, (future, future))  # newer than its built page: the only page a dirty build renders
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty", "-f", str(config)], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "and 7 page mirror(s)" in proc.stderr
    for rel, text in before.items():
        assert (site / rel).read_text() == text, rel


def test_without_site_description_llms_txt_still_has_its_summary(tmp_path: Path):
    """A fresh `mkdocs new` project sets no site_description: the llms.txt still gets the required
    `> summary` line (the home page's first sentence) and passes `llmstxt validate --strict`."""
    from llmingest.converters.llmstxt import check

    out = build(make_site(tmp_path, site_description=None))
    text = (out / "llms.txt").read_text()
    summary = next(line for line in text.splitlines() if line.startswith("> "))
    assert len(summary) > 10
    assert not validate(text) and not check(text)
