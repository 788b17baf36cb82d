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
from llmingest.render.llmstxt import render_site
from llmingest.sources.parse import LocalDir, WebPage
from llmingest.sources.site import ingest_site


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
    assert parses == [] and len(cold.documents) == 7 and len(counted) == 1  # facts from the converter's parse
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
    from llmingest.sources import site as site_mod

    parses = _count_calls(monkeypatch, crawl_mod, "extract")
    converted = _count_calls(monkeypatch, site_mod, "to_document")
    again = ingest_site(WebPage(served), options)
    assert parses == [] and len(converted) == 1 and b"New body of page 2" in converted[0][0]  # its parse gave the links
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


# ---------------------------------------------------------------------------------------------
# a warm rebuild does no work for what did not change (real runs; calls spied, never faked)


def _old(path: Path, seconds_ago: float = 3600) -> None:
    """Give a file an mtime in the past, as a built site has (a file written this instant is
    'racy': its stat is not trusted until its clock tick is over)."""
    import os
    import time

    then = time.time() - seconds_ago
    os.utime(path, (then, then))


def _spy_work(monkeypatch, root: Path) -> dict[str, list]:
    """Count what a site build really does: page bodies read from ``root``, pages converted, links
    parsed, mirrors made. The functions run as usual; only their calls are recorded."""
    from llmingest.render import llmstxt as render_llmstxt
    from llmingest.sources import site as site_mod

    work: dict[str, list] = {"converted": _count_calls(monkeypatch, site_mod, "to_document"),
                             "parsed": _count_calls(monkeypatch, crawl_mod, "extract"),
                             "mirrors": _count_calls(monkeypatch, render_llmstxt, "_mirror_text"),
                             "read": []}
    real = Path.read_bytes

    def read_bytes(self):
        if self.is_relative_to(root):
            work["read"].append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return work


def _snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def _cold_build(tmp_path: Path, monkeypatch) -> tuple[Path, Options, Path]:
    """A site folder whose pages are old enough to be recorded by stat, built once into out/."""
    from llmingest.sources.site import write_site

    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    root = _site(tmp_path / "html")
    for page in root.iterdir():
        _old(page)
    options = Options(cache_dir=tmp_path / "cache", base_url="https://docs.example.com/")
    out = tmp_path / "out"
    write_site(ingest_site(LocalDir(root), options), out, options.base_url)
    return root, options, out


def test_a_warm_folder_rebuild_reads_converts_and_renders_nothing(tmp_path, monkeypatch):
    from llmingest.sources.site import write_site

    root, options, out = _cold_build(tmp_path, monkeypatch)
    cold = _snapshot(out)
    # the converter is made to fail from here on: a warm run that converted anything would show it
    from llmingest import converters

    def broken(*args, **kwargs):
        raise AssertionError("a page was converted again")

    monkeypatch.setattr(converters, "convert", broken)
    work = _spy_work(monkeypatch, root)
    bundle = ingest_site(LocalDir(root), options)
    write_site(bundle, out, options.base_url)
    assert work == {"converted": [], "parsed": [], "mirrors": [], "read": []}
    assert not bundle.skipped and len(bundle.documents) == 7
    assert _snapshot(out) == cold  # same bytes, and no file rewritten (mtimes kept)


def test_a_changed_page_in_a_folder_is_read_and_converted_again_and_only_it(tmp_path, monkeypatch):
    from llmingest.render.llmstxt import render_site as render
    from llmingest.sources.site import write_site

    root, options, out = _cold_build(tmp_path, monkeypatch)
    page = root / "p2.html"
    page.write_text(page.read_text("utf-8").replace("Body of page 2", "New body of page 2"), "utf-8")
    _old(page, 60)
    (out / "p4.md").write_text("edited by hand\n", "utf-8")  # an output file changed behind our back
    work = _spy_work(monkeypatch, root)
    bundle = ingest_site(LocalDir(root), options)
    write_site(bundle, out, options.base_url)
    assert work["read"] == ["p2.html"] and work["parsed"] == []  # only the changed file is read (its facts: its parse)
    assert len(work["converted"]) == 1 and b"New body of page 2" in work["converted"][0][0]
    # p2's mirror is made again; p4's too (its file no longer holds what was written); no other
    assert sorted({a[0].path for a in work["mirrors"]}) == ["p2.html", "p4.html"]  # (made, then written)
    assert "New body of page 2" in (out / "p2.md").read_text("utf-8")
    fresh = render(ingest_site(LocalDir(root), Options(cache=False, base_url=options.base_url)), options.base_url)
    for rel, text in fresh.items():
        assert (out / rel).read_text("utf-8") == text, rel


def test_a_warm_http_rebuild_reads_no_body_and_converts_nothing(served, tmp_path, monkeypatch):
    from llmingest import converters

    options = Options(cache_dir=tmp_path / "cache")
    cold = render_site(ingest_site(WebPage(served), options))
    monkeypatch.setattr(converters, "convert", lambda *a, **k: (_ for _ in ()).throw(AssertionError("converted")))
    bodies = _count_calls(monkeypatch, crawl_mod.HttpCache, "body")
    read = []
    real = Path.read_bytes

    def read_bytes(self):
        if self.suffix == ".body":
            read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    warm = ingest_site(WebPage(served), options)
    assert warm.metadata["not_modified"] >= 7 and bodies == [] and read == []
    assert render_site(warm) == cold
