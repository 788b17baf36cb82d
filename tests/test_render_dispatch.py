"""``llmingest.render``: one function lays out every kind of Bundle in every format.

Real inputs: a git repo and a folder of markdown made in tmp dirs, a folder of built HTML read as
a site, the plugins' page Documents. Each layout is compared with what the kind's own renderer
(and the CLI) writes, so the dispatcher adds no second layout.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from llmingest import bundle, ingest, render
from llmingest.cli import app
from llmingest.render import FORMATS, fit
from llmingest.render import bundle as bundle_layout
from llmingest.render import digest as digest_layout
from llmingest.render.llmstxt import bundle_files, render_site
from llmingest.site_plugin.common import build_outputs, page_document, site_bundle
from llmingest.tokens import count
from typer.testing import CliRunner


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# Proj\n\nProj turns widgets into gadgets.\n")
    (root / "src" / "app.py").write_text("def main():\n    return 'gadget'\n" * 40)
    (root / "src" / "util.py").write_text("X = 1\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture()
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "design.md").write_text("# Design\n\nThe design is small.\n")
    return root


@pytest.fixture()
def built_site(tmp_path: Path) -> Path:
    root = tmp_path / "html"
    (root / "guide").mkdir(parents=True)
    page = "<html><head><title>{t} - Demo</title></head><body><main><h1>{t}</h1><p>{p}</p></main></body></html>"
    (root / "index.html").write_text(page.format(t="Demo", p="Demo docs. <a href='guide/'>Guide</a>"))
    (root / "guide" / "index.html").write_text(page.format(t="Guide", p="How to use the demo, step by step."))
    return root


def test_one_source_renders_as_a_digest_in_every_text_format(repo: Path) -> None:
    b = ingest(str(repo))
    for fmt in ("markdown", "xml", "plain", "json"):
        assert render(b, fmt) == digest_layout.render(b, fmt), fmt
    assert render(b, "markdown", top=1, token_tree=True) == digest_layout.render(b, "markdown", top=1, token_tree=True)
    assert "## Directory tree" in render(b) and "<digest " in render(b, "xml")


def test_many_sources_render_in_the_bundle_layout(repo: Path, notes: Path) -> None:
    """The README's example: ``render(bundle(...))`` is one section per source, not a repo digest."""
    b = bundle([str(repo), str(notes)], name="ctx")
    text = render(b, "markdown")
    assert text == bundle_layout.render_bundle(b, "markdown")
    assert "## Source: proj (repo)" in text and "## Source: notes (repo)" in text
    assert "## Directory tree" not in text  # the digest layout's heading
    for fmt in ("xml", "plain", "json"):
        assert render(b, fmt) == bundle_layout.render_bundle(b, fmt), fmt
    assert render(b, "xml").startswith('<?xml version="1.0" encoding="UTF-8"?>\n<bundle name="ctx"')


def test_llms_txt_of_a_bundle_is_what_bundle_llms_txt_writes(repo: Path, notes: Path, tmp_path: Path) -> None:
    b = bundle([str(repo), str(notes)], name="ctx")
    files = bundle_files(b, "https://ctx.example/")
    assert render(b, "llms.txt", base_url="https://ctx.example/") == files["llms.txt"]
    assert render(b, "llms-full.txt", base_url="https://ctx.example/") == files["llms-full.txt"]
    assert "## proj\n" in files["llms.txt"] and "](https://ctx.example/notes/design.md): The design is small." in files["llms.txt"]
    out = tmp_path / "llms"
    result = CliRunner().invoke(app, ["bundle", str(repo), str(notes), "--name", "ctx", "--llms-txt", str(out),
                                      "--base-url", "https://ctx.example/", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "llms.txt").read_text() == files["llms.txt"]


def test_llms_txt_of_one_source_is_a_bundle_of_one(repo: Path) -> None:
    text = render(ingest(str(repo)), "llms.txt")
    assert text.startswith("# proj\n\n> Context bundle of 1 source")
    assert "## proj\n\n- [README.md](proj/README.md): Proj turns widgets into gadgets.\n" in text
    assert "- [src/app.py](proj/src/app.py.md)\n" in text


def test_llms_txt_of_a_site_is_what_llmingest_site_writes(built_site: Path, tmp_path: Path) -> None:
    b = ingest(str(built_site), kind="site", base_url="https://demo.example/", cache=False)
    assert render(b, "llms.txt") == render_site(b)["llms.txt"]
    assert render(b, "llms-full.txt", max_tokens=10_000) == render_site(b, max_tokens=10_000)["llms-full.txt"]
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["site", str(built_site), "--base-url", "https://demo.example/", "-o", str(out),
                                      "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "llms.txt").read_text() == render(b, "llms.txt", base_url="https://demo.example/")


def test_llms_txt_of_a_plugin_site_is_what_the_plugin_writes() -> None:
    pages = [page_document("Home", "https://d/", "index.md", "# Widgets\n\nThe start.", key="index.md"),
             page_document("Install", "https://d/i/", "i/index.md", "# Install\n\nRun pip.", "Guide", key="i.md")]
    files = build_outputs("Demo", "A demo.", pages, "https://d/", details="Read the guide first.")
    b = site_bundle("Demo", "A demo.", pages, "https://d/", generator="mkdocs", details="Read the guide first.")
    assert render(b, "llms.txt") == files["llms.txt"]
    assert render(b, "llms-full.txt") == files["llms-full.txt"]
    assert "- [Install](https://d/i/index.md): Run pip." in files["llms.txt"]
    assert "\n\nRead the guide first.\n\n" in files["llms.txt"]


def test_unknown_format_is_a_usage_error(repo: Path) -> None:
    from llmingest.errors import UsageError

    with pytest.raises(UsageError) as err:
        render(ingest(str(repo)), "yaml")
    assert "llms.txt" in (err.value.hint or "") and set(FORMATS) >= {"markdown", "llms.txt", "llms-full.txt"}


def test_fit_is_the_budget_ingest_applies(repo: Path, notes: Path) -> None:
    """``max_tokens=`` and ``render.fit`` are one code path: the same kept files, the same note,
    and the rendered text within the budget, for a digest and for a bundle."""
    budget = 400
    fitted = ingest(str(repo), max_tokens=budget)
    by_hand = ingest(str(repo))
    fit(by_hand, budget, "markdown")
    assert [d.path for d in by_hand.documents] == [d.path for d in fitted.documents]
    assert by_hand.metadata["budget"] == fitted.metadata["budget"]
    assert count(render(by_hand), by_hand.encoding) <= budget
    many = bundle([str(repo), str(notes)], name="ctx")
    fit(many, 500, "xml")
    assert count(render(many, "xml"), many.encoding) <= 500
    assert "(priority: sources in order; within a source, README files first" in many.metadata["budget"]
