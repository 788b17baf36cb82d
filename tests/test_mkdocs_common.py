"""The plugins' shared text functions: link rewriting, MkDocs syntax, the copy button, outputs."""

from __future__ import annotations

import llms_txt
from llmingest.converters.llmstxt import validate
from llmingest.site_plugin.common import (
    assign_sections,
    build_outputs,
    ensure_title,
    inject_copy_button,
    normalize_base_url,
    normalize_markdown,
    page_document,
    relative_href,
    rewrite_links,
    strip_copy_button,
    write_outputs,
)


def upper(target: str) -> str | None:
    return None if target.startswith("http") else "ABS:" + target


def test_rewrite_links_covers_inline_reference_html_and_images():
    md = ("See [a](a.md) and ![i](img/x.png \"t\") and [k](<b c.md>) and [n](p(1).md).\n"
          "[ref]: ../r.md \"Title\"\n"
          '<a href="h.md">h</a> <img src="s.png">\n'
          "[ext](https://e.org/x) stays.")
    out = rewrite_links(md, upper)
    assert "[a](ABS:a.md)" in out
    assert '![i](ABS:img/x.png "t")' in out
    assert "[k](<ABS:b c.md>)" in out
    assert "[n](ABS:p(1).md)" in out
    assert '[ref]: ABS:../r.md "Title"' in out
    assert '<a href="ABS:h.md">' in out and '<img src="ABS:s.png">' in out
    assert "[ext](https://e.org/x)" in out


def test_rewrite_links_leaves_code_alone():
    md = "```md\n[a](a.md)\n```\n\n~~~~\n```\n[b](b.md)\n~~~~\n\nUse `[c](c.md)` or [d](d.md)."
    out = rewrite_links(md, upper)
    assert "[a](a.md)" in out and "[b](b.md)" in out and "`[c](c.md)`" in out
    assert "[d](ABS:d.md)" in out


def test_admonitions_nested_and_collapsible_become_blockquotes():
    md = ('!!! tip\n    Outer text.\n\n    ??? danger "Inner"\n        Inner text.\n\nAfter.\n'
          '???+ info ""\n    Open by default.\n')
    out = normalize_markdown(md)
    assert out.startswith("> **Tip:** Outer text.\n>\n> > **Danger: Inner**\n> >\n> > Inner text.\n")
    assert "\nAfter.\n" in out
    assert "> **Info:** Open by default." in out
    assert normalize_markdown("!!! note\n    - a list\n") == "> **Note:**\n>\n> - a list\n"


def test_tabs_and_heading_attributes():
    out = normalize_markdown('# Title { #t .c }\n\n=== "A"\n\n    one\n\n=== "B"\n    two\n\nend {: not a heading }')
    assert out.startswith("# Title\n")
    assert "**A**\n\none" in out and "**B**\n\ntwo" in out
    assert "end {: not a heading }" in out


def test_admonition_syntax_inside_a_fence_is_kept():
    md = "```\n!!! note\n    body\n```"
    assert normalize_markdown(md) == md


def test_trailing_blank_code_lines_from_snippets_are_dropped():
    assert normalize_markdown("```sh\nrun\n\n\n```\n") == "```sh\nrun\n```\n"
    assert normalize_markdown("```\n\n```") == "```\n```"  # still a (now empty) block


def test_ensure_title_and_base_url():
    assert ensure_title("Body.", "T") == "# T\n\nBody."
    assert ensure_title("\n# Own\n\nx", "T") == "# Own\n\nx"
    assert normalize_base_url("https://x.org/docs") == "https://x.org/docs/"
    assert normalize_base_url("  ") is None


def test_relative_href_from_pages_to_mirrors():
    assert relative_href("guide/install/", "guide/install/index.md") == "index.md"
    assert relative_href("", "index.md") == "index.md"
    assert relative_href("guide/install.html", "guide/install.md") == "install.md"
    assert relative_href("a/b/", "c/index.md") == "../../c/index.md"


def test_copy_button_goes_into_head_main_and_body_once():
    page = ('<html><head><title>x</title></head><body><div class="wy" role="main"><h1>x</h1></div>'
            "</body></html>")
    out = inject_copy_button(page, "x.md")
    head, body = out.split("</head>")
    assert '<link rel="alternate" type="text/markdown" href="x.md">' in head
    assert '<div class="wy" role="main"><button type="button" class="llmingest-copy' in body
    assert body.index("<script>") > body.index("<h1>")
    assert inject_copy_button(out, "x.md") == out
    assert 'href="a&quot;b.md"' in inject_copy_button(page, 'a"b.md')


def pages() -> list:
    return [
        page_document("Home", "https://d/", "index.md", "# Home\n\nThe start.", "Docs", key="index.md"),
        page_document("Install", "https://d/guide/install/", "guide/install/index.md", "# Install\n\nRun pip.", "Guide",
             description="How to install.", key="guide/install.md"),
        page_document("News", "https://d/news/", "news/index.md", "# News\n\nIt changed.", "Docs", key="news.md"),
    ]


def test_build_outputs_three_kinds_and_the_reference_parser(tmp_path):
    kept = assign_sections(pages(), None, ["news.md"])
    files = build_outputs("Demo", "A demo.", kept, "https://d/")
    assert set(files) == {"llms.txt", "llms-full.txt", "index.md", "guide/install/index.md", "news/index.md",
                          "index.html.md", "guide/install/index.html.md", "news/index.html.md"}  # + v2 twins
    assert validate(files["llms.txt"]) == []
    ref = llms_txt.parse_llms_file(files["llms.txt"])
    assert {k: [(x["title"], x["url"], x["desc"]) for x in v] for k, v in ref.sections.items()} == {
        "Docs": [("Home", "https://d/index.md", "The start.")],
        "Guide": [("Install", "https://d/guide/install/index.md", "How to install.")],
        "Optional": [("News", "https://d/news/index.md", "It changed.")],
    }
    assert files["llms-full.txt"].count("Source: https://d/") == 3
    written = write_outputs(tmp_path, files)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == sorted(files)
    assert (tmp_path / "guide/install/index.md").read_text() == "# Install\n\nRun pip.\n"


def test_sections_filter_list_and_globs():
    kept = assign_sections(pages(), ["Guide"], [])
    assert [p.title for p in kept] == ["Install"]
    kept = assign_sections(pages(), {"All": ["*.md", "guide/*"]}, ["news.md"])
    assert [(p.title, p.metadata["section"], p.metadata["optional"]) for p in kept] == [
        ("Home", "All", False), ("Install", "All", False), ("News", "All", True)]


def test_strip_copy_button_restores_the_page():
    page = '<html><head><title>x</title></head><body><main><p>x</p></main></body></html>'
    assert strip_copy_button(inject_copy_button(page, "a/b.md")) == page


def test_footnote_definitions_are_not_link_targets():
    md = "Text[^1] and [r].\n\n[^1]: A widget is a thing.\n[r]: r.md\n"
    out = rewrite_links(md, upper)
    assert "[^1]: A widget is a thing." in out
    assert "[r]: ABS:r.md" in out


def test_tabs_glued_together_stay_separate_blocks_and_quotes_end():
    md = ('!!! warning "Careful"\n    === "Linux"\n        ```sh\n        sudo x\n        ```\n'
          '    === "Windows"\n        Run as admin.\n!!! note\n    body\nAfter.')
    out = normalize_markdown(md)
    assert "> ```\n>\n> **Windows**\n>\n> Run as admin." in out
    assert out.endswith("> **Note:** body\n\nAfter.")  # not a lazy continuation of the quote


def test_inline_attribute_lists_on_links_and_images_are_dropped():
    md = ('Next: [T](a.md){ .md-button .md-button--primary } ![l](l.png){ width=100 } '
          '[a](b){: #id title="x y" } `[x](y){ .k }` plain {braces}')
    assert normalize_markdown(md) == "Next: [T](a.md) ![l](l.png) [a](b) `[x](y){ .k }` plain {braces}"


def test_llms_full_names_a_page_once_under_its_own_h1():
    nav_titled = [page_document("Home", "https://d/", "index.md", "# Widgets\n\nThe start.", key="index.md"),
                  page_document("Install", "https://d/i/", "i/index.md", "# Install\n\nRun pip.", key="i.md")]
    full = build_outputs("Demo", None, nav_titled, "https://d/")["llms-full.txt"]
    assert "# Widgets\n\nSource: https://d/\n\nThe start.\n" in full
    assert "# Home" not in full and full.count("# Install") == 1


def test_whitespace_only_lines_left_by_indented_snippets_are_emptied():
    md = '!!! example "From a file"\n    text\n    \n\n=== "Tab A"\n\n    body\n    \n'
    out = normalize_markdown(md)
    assert all(line == line.rstrip() for line in out.split("\n")), repr(out)
    assert normalize_markdown("```\na\n    \nb\n```") == "```\na\n    \nb\n```"  # code is left alone


def test_footnote_markers_stay_out_of_llms_txt_descriptions():
    page = page_document("Home", "https://d/", "index.md", "# Gizmo\n\nGizmo makes gadgets out of widgets[^1].\n\n"
                "[^1]: A widget is a thing.\n", key="index.md")
    text = build_outputs("Demo", None, [page], "https://d/")["llms.txt"]
    assert "- [Home](https://d/index.md): Gizmo makes gadgets out of widgets.\n" in text


def test_write_outputs_never_writes_outside_the_site_through_links_or_odd_names(tmp_path):
    """Folders are resolved once each; a linked folder or file leading out, an absolute name and
    a ``..`` name are all refused, exactly as when every path was resolved whole."""
    site, outside = tmp_path / "site", tmp_path / "outside"
    (site / "real").mkdir(parents=True)
    outside.mkdir()
    (site / "away").symlink_to(outside, target_is_directory=True)
    (outside / "victim.md").write_text("keep")
    (site / "real" / "trap.md").symlink_to(outside / "victim.md")
    (site / "inside").symlink_to(site / "real", target_is_directory=True)
    files = {"a.md": "A", "real/b.md": "B", "real/c.md": "C", "inside/d.md": "D", "away/x.md": "X",
             "real/trap.md": "T", str(outside / "abs.md"): "Y", "real/../../outside/up.md": "U"}
    written = write_outputs(site, files)
    assert sorted(p.relative_to(site.resolve()).as_posix() for p in written) == ["a.md", "real/b.md", "real/c.md",
                                                                                "real/d.md"]
    assert (site / "real" / "d.md").read_text() == "D" and (site / "real" / "c.md").read_text() == "C"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.md"] and (outside / "victim.md").read_text() == "keep"
