"""The caches that make a warm `site` run cheap: a page that answers 304 is not parsed again, its
token count comes from the content-hash cache, and the warm outputs equal the cold ones byte for byte.

Real parts: a built site folder served by http.server on 127.0.0.1 (Last-Modified, 304s).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import serve_folder
from llmingest import tokens
from llmingest.fetch import crawl as crawl_mod
from llmingest.options import Options
from llmingest.sources.parse import LocalDir, WebPage
from llmingest.sources.site import ingest_site, render_site


def _site(root: Path, pages: int = 6) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    nav = "".join(f"<li><a href='p{i}.html#top'>Page {i}</a></li>" for i in range(pages))
    (root / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Home — Demo</title>"
        "<meta name='description' content='A demo site.'></head><body><main><h1>Home</h1>"
        f"<p>Start here.</p><ul>{nav}</ul></main></body></html>", "utf-8")
    for i in range(pages):
        (root / f"p{i}.html").write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>Page {i} — Demo</title></head><body><main>"
            f"<h1>Page {i}</h1><p>Body of page {i}: ünïcödé and some words {'lorem ipsum ' * (i + 3)}.</p>"
            f"<p><a href='p{(i + 1) % pages}.html'>next</a></p></main></body></html>", "utf-8")
    return root


@pytest.fixture
def served(tmp_path):
    base, stop = serve_folder(_site(tmp_path / "html"))
    yield base + "/"
    stop()


def _count_calls(monkeypatch, module, name: str) -> list:
    calls: list = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args[:1])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_a_warm_site_run_parses_nothing_counts_nothing_and_writes_the_same_bytes(served, tmp_path, monkeypatch):
    options = Options(cache_dir=tmp_path / "cache")
    parses = _count_calls(monkeypatch, crawl_mod, "extract")
    counted = _count_calls(monkeypatch, tokens, "count_many")
    cold = ingest_site(WebPage(served), options)
    assert len(parses) == len(cold.documents) == 7 and len(counted) == 1
    parses.clear()
    counted.clear()
    tokens.tokenizer.cache_clear()
    warm = ingest_site(WebPage(served), options)
    assert warm.metadata["not_modified"] >= 7  # every page answered 304
    assert parses == []  # links, title and description came from the facts cache
    assert counted == [([],)] or all(not a[0] for a in counted)  # nothing left to count
    assert tokens.tokenizer.cache_info().currsize == 0  # no tokenizer built at all
    assert render_site(warm) == render_site(cold)
    assert [d.tokens for d in warm.documents] == [d.tokens for d in cold.documents]
    uncached = ingest_site(WebPage(served), Options(cache=False))
    assert render_site(uncached) == render_site(cold)


def test_a_changed_page_is_parsed_again_and_only_it(served, tmp_path, monkeypatch):
    options = Options(cache_dir=tmp_path / "cache")
    ingest_site(WebPage(served), options)
    page = tmp_path / "html" / "p2.html"
    page.write_text(page.read_text("utf-8").replace("Body of page 2", "New body of page 2 <a href='p5.html'>x</a>"),
                    "utf-8")
    import os
    import time

    later = time.time() + 5
    os.utime(page, (later, later))  # Last-Modified moves on
    parses = _count_calls(monkeypatch, crawl_mod, "extract")
    again = ingest_site(WebPage(served), options)
    assert [a[0] for a in parses] and len(parses) == 1
    doc = next(d for d in again.documents if d.url.endswith("/p2.html"))
    assert "New body of page 2" in doc.content
    assert render_site(again) == render_site(ingest_site(WebPage(served), Options(cache=False)))


def test_a_folder_build_uses_the_facts_cache_too(tmp_path, monkeypatch):
    root = _site(tmp_path / "html")
    options = Options(cache_dir=tmp_path / "cache", base_url="https://docs.example.com/")
    cold = render_site(ingest_site(LocalDir(root), options))
    parses = _count_calls(monkeypatch, crawl_mod, "extract")
    warm = render_site(ingest_site(LocalDir(root), options))
    assert parses == [] and warm == cold


def test_count_cached_hits_the_shared_content_hash_cache(tmp_path, monkeypatch):
    texts = ["alpha beta", "gamma 😀", "alpha beta"]
    first = tokens.count_cached(texts, cache_dir=tmp_path)
    assert first == [tokens.count(t) for t in texts]
    counted = _count_calls(monkeypatch, tokens, "count_many")
    assert tokens.count_cached(texts + ["new text"], cache_dir=tmp_path) == first + [tokens.count("new text")]
    assert counted and counted[-1][0] == ["new text"]  # only the miss was counted
    # the same file repositories use, and an entry never claims a text is free of secrets
    cache = tokens.TokenCache("o200k_base", tmp_path, name="o200k_base.scan")
    assert cache.get(cache.key(b"alpha beta")) == [tokens.count("alpha beta"), False]


def test_page_to_stdout_builds_no_tokenizer_and_a_shown_count_is_exact(tmp_path):
    from llmingest.cli import app
    from typer.testing import CliRunner

    html = _site(tmp_path / "html") / "p1.html"
    runner = CliRunner()
    tokens.tokenizer.cache_clear()
    shown = runner.invoke(app, ["page", str(html)])
    assert shown.exit_code == 0 and "# Page 1" in shown.stdout
    assert tokens.tokenizer.cache_info().currsize == 0  # no count printed, no tokenizer
    out = tmp_path / "p1.md"
    written = runner.invoke(app, ["page", str(html), "-o", str(out)])
    assert written.exit_code == 0
    assert out.read_text("utf-8") == shown.stdout  # the same markdown either way
    assert tokens.tokenizer.cache_info().currsize == 1  # the count it prints is a real one


def test_write_site_streams_llms_full_and_keeps_unchanged_files(served, tmp_path, monkeypatch):
    """llms-full.txt is written piece by piece (the whole text is never built: building it is made
    to fail here), equals render_site's text byte for byte, and a rewrite of the same site leaves
    every file's mtime alone."""
    import os

    from llmingest.converters import llmstxt
    from llmingest.sources import site as site_mod

    bundle = ingest_site(WebPage(served), Options(cache_dir=tmp_path / "cache"))
    expected = render_site(bundle)

    def whole(*args, **kwargs):
        raise AssertionError("llms-full.txt built whole")

    monkeypatch.setattr(llmstxt, "build_llms_full", whole)
    out = tmp_path / "out"
    site_mod.write_site(bundle, out)
    for rel, text in expected.items():
        assert (out / rel).read_bytes() == text.encode("utf-8"), rel
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    for p in stamps:
        os.utime(p, ns=(1, 1))
    site_mod.write_site(bundle, out)
    assert all(p.stat().st_mtime_ns == 1 for p in stamps)  # nothing rewritten
    assert "".join(llmstxt.iter_llms_full("T", "S.", [("A", "u", "# A\n\nx")])) == (
        "# T\n\n> S.\n\n# A\n\nSource: u\n\nx\n")
