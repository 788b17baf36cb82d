"""`llmingest llmstxt validate|expand` on files and on URLs served from 127.0.0.1."""

from __future__ import annotations

import pytest
from llmingest.cli import app
from llmingest.tokens import count
from test_site_crawl import DocsServer
from typer.testing import CliRunner

GOOD = "# Demo\n\n> A demo.\n\nInfo.\n\n## Docs\n\n- [Install](https://d.example/install.html): How to install.\n"
BAD = "# Demo\n\n> line one\n> line two\n\n## Docs\n\nSome prose.\n\n### Deeper\n\n- [A [x]](https://a/)\n"


@pytest.fixture
def server():
    s = DocsServer()
    yield s
    s.close()


def test_validate_good_and_bad_files(tmp_path):
    runner = CliRunner()
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    res = runner.invoke(app, ["llmstxt", "validate", str(good)])
    assert res.exit_code == 0, res.output
    assert "valid llms.txt (1 sections, 1 links)" in res.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text(BAD)
    res = runner.invoke(app, ["llmstxt", "validate", str(bad)])
    assert res.exit_code == 1
    out = res.stdout
    assert f"{bad}:3: error: the summary blockquote spans 2 lines" in out
    assert f"{bad}:8: error: prose under '## Docs'" in out
    assert f"{bad}:10: error: H3 heading inside '## Docs'" in out
    assert f"{bad}:12: error: a ']' or '[' inside a link title" in out


def test_validate_strict_and_missing_file(tmp_path):
    runner = CliRunner()
    warn_only = tmp_path / "w.txt"
    warn_only.write_text("# Demo\n\n> S\n\n## Docs\n\n- [A](https://a/)\n")
    assert runner.invoke(app, ["llmstxt", "validate", str(warn_only)]).exit_code == 0
    res = runner.invoke(app, ["llmstxt", "validate", str(warn_only), "--strict"])
    assert res.exit_code == 1 and "warning: no paragraph after the summary" in res.stdout
    res = runner.invoke(app, ["llmstxt", "validate", str(tmp_path / "nope.txt")])
    assert res.exit_code != 0


def test_validate_url(server):
    res = CliRunner().invoke(app, ["llmstxt", "validate", server.base + "/pub/llms.txt"])
    assert res.exit_code == 0, res.output


def _llms(server) -> str:
    b = server.base
    server.routes["/docs/notes.md"] = (200, {"Content-Type": "text/markdown"}, b"# Notes\n\nPlain *markdown* kept as is.\n")
    return (f"# Demo\n\n> Demo docs.\n\nRead these.\n\n## Docs\n\n"
            f"- [Install]({b}/docs/guide/install.html): How to install\n"
            f"- [Notes](/docs/notes.md)\n"
            f"- [Gone]({b}/docs/missing.html)\n\n"
            f"## Optional\n\n- [Changelog]({b}/docs/changelog.html)\n")


def test_expand_file_fetches_and_converts(server, tmp_path):
    server.routes["/docs/llms.txt"] = (200, {"Content-Type": "text/plain"}, _llms(server).encode())
    runner = CliRunner()
    out = tmp_path / "ctx.xml"
    res = runner.invoke(app, ["llmstxt", "expand", server.base + "/docs/llms.txt", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert text.startswith('<project title="Demo" summary="Demo docs.">\nRead these.\n')
    assert f'<doc title="Install" url="{server.base}/docs/guide/install.html" desc="How to install">' in text
    assert "pip install demo" in text and "```bash" in text  # HTML converted to markdown
    assert "Plain *markdown* kept as is." in text  # relative .md link resolved against the llms.txt URL
    assert '<section name="Optional">' in text and "Version 1.0 was released" in text
    assert "missing.html" in res.stderr and "404" in res.stderr
    assert "<nav" not in text and "Copyright Demo" not in text


def test_expand_budget_drops_optional_first(server, tmp_path):
    llms = tmp_path / "llms.txt"
    llms.write_text(_llms(server).replace("(/docs/notes.md)", f"({server.base}/docs/notes.md)"))
    runner = CliRunner()
    full = runner.invoke(app, ["llmstxt", "expand", str(llms)])
    assert full.exit_code == 0
    budget = count(full.stdout) - 5
    res = runner.invoke(app, ["llmstxt", "expand", str(llms), "--max-tokens", str(budget)])
    assert res.exit_code == 0
    assert count(res.stdout) <= budget
    assert "Version 1.0 was released" not in res.stdout and "pip install demo" in res.stdout
    assert "changelog.html: cut to fit" in res.stderr
    res = runner.invoke(app, ["llmstxt", "expand", str(llms), "--no-optional"])
    assert '<section name="Optional">' not in res.stdout


def test_expand_round_trip_with_site_output(server, tmp_path, monkeypatch):
    """What `site` writes, `expand` reads back: every page of the llms.txt is in the context."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["site", server.base + "/docs/", "-o", str(out), "-i", "guide/*", "-q"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["llmstxt", "validate", str(out / "llms.txt")]).exit_code == 0
    res = runner.invoke(app, ["llmstxt", "expand", str(out / "llms.txt")])
    assert res.exit_code == 0
    assert res.stdout.count("<doc ") == 3  # home, install, usage


def test_expand_budget_refills_after_a_big_cut(tmp_path):
    """Cutting from the end stopped at a big page and left the budget half empty: the small page
    after it still fits and is put back; only the big one is cut."""
    (tmp_path / "a.md").write_text("Alpha page says hello.\n")
    (tmp_path / "big.md").write_text("Big page. " + "word " * 3000 + "\n")
    (tmp_path / "c.md").write_text("Gamma page says goodbye.\n")
    llms = tmp_path / "llms.txt"
    llms.write_text("# Demo\n\n> Demo docs.\n\nRead these.\n\n## Docs\n\n- [A](a.md)\n- [Big](big.md)\n- [C](c.md)\n")
    runner = CliRunner()
    res = runner.invoke(app, ["llmstxt", "expand", str(llms), "--max-tokens", "400"])
    assert res.exit_code == 0, res.output
    assert count(res.stdout) <= 400
    assert "Alpha page says hello." in res.stdout and "Gamma page says goodbye." in res.stdout
    assert "Big page." not in res.stdout
    assert "big.md: cut to fit" in res.stderr and "c.md: cut" not in res.stderr
