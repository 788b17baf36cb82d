"""`llmingest site <built-html-folder> --base-url`: the CI use, with --check both ways, and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import llms_txt
from llmingest.cli import app
from llmingest.converters import llmstxt
from test_site_crawl import DocsServer, page
from typer.testing import CliRunner


def built_site(root: Path) -> Path:
    """A small built site as Sphinx/MkDocs leave it: pages, folders with index.html, _static junk."""
    files = {
        "index.html": page("Welcome", "<h1>Welcome</h1><p>Folder Docs explain how the folder site is built and read.</p>"
                           "<a href='guide/'>Guide</a> <a href='guide/setup.html'>Setup</a> "
                           "<a href='reference/api.html'>API</a> <a href='genindex.html'>Index</a>",
                           head="<meta property='og:site_name' content='Folder Docs'>"),
        "guide/index.html": page("Guide", "<h1>Guide</h1><p>The guide walks through setup and daily use.</p>"
                                 "<a href='setup.html'>Setup</a>"),
        "guide/setup.html": page("Setup", "<h1>Setup</h1><p>Setup takes one command and a config file.</p>"
                                 "<pre><code class='language-toml'>[tool.demo]\nx = 1</code></pre>"),
        "reference/api.html": page("API", "<h1>API</h1><p>The API reference for every public name we ship.</p>"),
        "genindex.html": page("Index", "<h1>Index</h1><p>A B C</p>"),
        "_static/junk.html": page("Junk", "<p>theme asset, not a page</p>"),
        "404.html": page("404 - Not found", "<h1>404 - Not found</h1>"),
        "_static/style.css": b"body{}",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_folder_with_base_url_and_check_both_ways(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    site = built_site(tmp_path / "html")
    out = tmp_path / "html"  # outputs next to the HTML, as a CI step does
    runner = CliRunner()
    args = ["site", str(site), "--base-url", "https://docs.example.com/v1/", "-o", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    text = (out / "llms.txt").read_text()
    assert llmstxt.validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Folder Docs"
    urls = [e["url"] for entries in ref.sections.values() for e in entries]
    # links point at the .md mirrors where the site is served
    assert "https://docs.example.com/v1/guide/setup.md" in urls
    assert "https://docs.example.com/v1/guide/index.md" in urls
    assert "https://docs.example.com/v1/index.md" in urls
    assert not any("_static" in u or "404" in u for u in urls)
    assert [e["url"] for e in ref.sections["Optional"]] == ["https://docs.example.com/v1/genindex.md"]
    assert (out / "guide" / "setup.md").read_text().count("```toml") == 1
    assert "url: https://docs.example.com/v1/guide/setup.html" in (out / "guide" / "setup.md").read_text()

    # conversions were cached (by content and converter code): the --check run reuses them
    assert list((tmp_path / "cache" / "pages").rglob("*.json"))
    res = runner.invoke(app, [*args, "--check"])
    assert res.exit_code == 0, res.output
    assert "up to date" in res.stderr

    # the source changes but the outputs are not regenerated: --check fails with a diff
    (site / "guide" / "setup.html").write_bytes(page("Setup", "<h1>Setup</h1><p>Setup now takes two commands.</p>"))
    before = (out / "guide" / "setup.md").read_text()
    res = runner.invoke(app, [*args, "--check"])
    assert res.exit_code == 1
    assert "out of date" in res.stderr and "guide/setup.md" in res.stderr
    assert "+Setup now takes two commands." in res.stderr  # the unified diff
    assert (out / "guide" / "setup.md").read_text() == before  # --check writes nothing

    # the same through the real console script (exit codes as a CI step sees them)
    proc = subprocess.run([sys.executable, "-m", "llmingest.cli", *args, "--check"], capture_output=True, text=True,
                          env={**os.environ, "LLMINGEST_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 1 and "error:" in proc.stderr and "Traceback" not in proc.stderr


def test_folder_needs_base_url(tmp_path):
    site = built_site(tmp_path / "html")
    res = CliRunner().invoke(app, ["site", str(site), "-o", str(tmp_path / "o")])
    assert res.exit_code != 0
    proc = subprocess.run([sys.executable, "-m", "llmingest.cli", "site", str(site)], capture_output=True, text=True)
    assert proc.returncode == 2 and "--base-url" in proc.stderr


def test_output_without_o_is_llms_txt_on_stdout(tmp_path):
    site = built_site(tmp_path / "html")
    res = CliRunner().invoke(app, ["site", str(site), "--base-url", "https://d.example/", "-q", "--no-cache"])
    assert res.exit_code == 0
    assert res.stdout.startswith("# Folder Docs\n")


def test_ctrl_c_keeps_pages_and_resumes_from_cache(tmp_path):
    server = DocsServer()
    try:
        env = {**os.environ, "LLMINGEST_CACHE_DIR": str(tmp_path / "cache"), "LLMINGEST_NO_PROGRESS": "1"}
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "llmingest.cli", "site", server.base + "/ctrl/", "-o", str(out)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not server.counts.get("/ctrl/hang.html") or not server.requests_for("/ctrl/a.html"):
            assert time.monotonic() < deadline, "the crawl never reached the hanging page"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "interrupted" in err
        kept = (out / "llms.txt").read_text()
        assert "/ctrl/a.html" in kept and "hang.html" not in kept
        # the second run resumes: pages already fetched are revalidated (304), the rest fetched
        server.release.set()
        n_before = len(server.requests_for("/ctrl/a.html"))
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        again = server.requests_for("/ctrl/a.html")[n_before:]
        assert again and again[0][0].get("if-none-match") == '"/ctrl/a.html"' and again[0][1] == 304
        assert "hang.html" in (out / "llms.txt").read_text()
    finally:
        server.close()


def test_many_pages_use_the_process_pool_and_output_is_the_same(tmp_path):
    """Past 16 pages conversion runs in worker processes; the bytes must equal a one-process run."""
    from llmingest.options import Options
    from llmingest.render.llmstxt import render_site
    from llmingest.sources.parse import LocalDir
    from llmingest.sources.site import ingest_site

    root = tmp_path / "big"
    links = " ".join(f"<a href='sec{i % 3}/p{i}.html'>P{i}</a>" for i in range(24))
    (root).mkdir()
    (root / "index.html").write_bytes(page("Home", f"<h1>Home</h1><p>Many pages live on this test site.</p>{links}"))
    for i in range(24):
        path = root / f"sec{i % 3}" / f"p{i}.html"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(page(f"P{i}", f"<h1>Page {i}</h1><p>Body of page number {i} with its own words.</p>"
                              f"<pre><code class='language-python'>x = {i}</code></pre>"))
    pooled = render_site(ingest_site(LocalDir(root), Options(base_url="https://b.example/", cache=False)))
    single = render_site(ingest_site(LocalDir(root), Options(base_url="https://b.example/", cache=False,
                                                             extra={"workers": 1})))
    assert pooled == single
    assert len([k for k in pooled if k.endswith(".md")]) == 25
    assert pooled["llms.txt"].index("[Page 0]") < pooled["llms.txt"].index("[Page 3]")  # link order kept


def test_pool_from_a_threaded_process_uses_a_clean_start_method(tmp_path):
    """Inside a server (other threads running) workers start from a forkserver; same output."""
    import threading

    from llmingest.options import Options
    from llmingest.render.llmstxt import render_site
    from llmingest.sources.parse import LocalDir
    from llmingest.sources.site import ingest_site

    root = tmp_path / "big"
    root.mkdir()
    links = " ".join(f"<a href='p{i}.html'>P{i}</a>" for i in range(20))
    (root / "index.html").write_bytes(page("Home", f"<h1>Home</h1><p>A home page with twenty links.</p>{links}"))
    for i in range(20):
        (root / f"p{i}.html").write_bytes(page(f"P{i}", f"<h1>Page {i}</h1><p>Words of page {i}.</p>"))
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)
    busy.start()
    try:
        threaded = render_site(ingest_site(LocalDir(root), Options(base_url="https://b.example/", cache=False)))
    finally:
        stop.set()
    busy.join()
    single = render_site(ingest_site(LocalDir(root), Options(base_url="https://b.example/", cache=False,
                                                             extra={"workers": 1})))
    assert threaded == single and "[Page 19]" in threaded["llms.txt"]


def test_mirror_of_a_removed_page_is_flagged_then_deleted(tmp_path):
    site = built_site(tmp_path / "html")
    out = tmp_path / "out"
    (out / "notes.txt").parent.mkdir(parents=True)
    (out / "notes.txt").write_text("not ours")  # a file llmingest did not write is never touched
    runner = CliRunner()
    args = ["site", str(site), "--base-url", "https://d.example/", "-o", str(out), "--no-cache", "-q"]
    assert runner.invoke(app, args).exit_code == 0
    assert (out / "reference" / "api.md").is_file()
    (site / "reference" / "api.html").unlink()
    res = runner.invoke(app, [*args, "--check"])
    assert res.exit_code == 1
    assert "reference/api.md (page gone)" in res.stderr and "--- a/reference/api.md" in res.stderr
    assert runner.invoke(app, args).exit_code == 0
    assert not (out / "reference").exists()  # the mirror and its emptied folder are gone
    assert (out / "notes.txt").read_text() == "not ours"
    assert runner.invoke(app, [*args, "--check"]).exit_code == 0


def test_site_outputs_are_readable_by_others(tmp_path):
    """llms.txt and mirrors are published files: never the 0600 a temp file starts with."""
    import os

    from llmingest.output import write_atomic as _write_atomic

    old = os.umask(0o022)
    try:
        target = tmp_path / "out" / "llms.txt"
        _write_atomic(target, "# Site\n")
        assert target.stat().st_mode & 0o777 == 0o644 and target.read_text() == "# Site\n"
    finally:
        os.umask(old)


def _texinfo_page(node: str, body: str) -> bytes:
    """A page as texinfo's makeinfo --html writes it: '<Node> (<Manual>)' as title AND description."""
    title = f"{node} (Demo Manual)"
    return (f"<!DOCTYPE html><html><head><title>{title}</title><meta name='description' content='{title}'>"
            f"<meta name='generator' content='makeinfo'></head><body><div class='section-level-extent'>"
            f"<div class='nav-panel'><p>Next: <a href='x.html'>X</a>, Up: <a href='index.html'>Top</a></p></div>"
            f"<h3 class='section'>{node}</h3>{body}</div></body></html>").encode()


def test_texinfo_site_names_titles_descriptions_and_optional(tmp_path, monkeypatch):
    """Texinfo: the manual name comes from the '(Manual)' title suffix, entries drop it, a description
    that only repeats the title is replaced by the first sentence, 'Search paths' is a page (not a
    search page) and a numbered '2. NEWS' chapter is a changelog (Optional)."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "html"
    root.mkdir()
    links = "".join(f"<li><a href='{n}.html'>{n}</a></li>"
                    for n in ("Arrays", "Search-paths", "News", "Index", "Graphics"))
    files = {
        "index.html": _texinfo_page("Top", f"<p>This manual documents Demo, version 1.0.</p><ul>{links}</ul>"),
        "Arrays.html": _texinfo_page("Arrays", "<p>Arrays hold values of one type in order.</p>"),
        "Search-paths.html": _texinfo_page("Search paths", "<p>Demo looks for modules in these folders.</p>"),
        "News.html": _texinfo_page("2. NEWS", "<p>Version 1.0 added arrays.</p>"),
        "Index.html": _texinfo_page("Index", "<p>Arrays, Search paths.</p>"),
        "Graphics.html": _texinfo_page("Graphics", "<p>Graphics</p><pre>draw(unitcircle);</pre>"),
    }
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["site", str(root), "--base-url", "https://demo.example/manual/", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = (out / "llms.txt").read_text()
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Demo Manual"
    entries = {e["title"]: e for entries in ref.sections.values() for e in entries}
    assert set(entries) >= {"Arrays", "Search paths", "2. NEWS", "Index"}, entries.keys()
    assert entries["Arrays"]["desc"] == "Arrays hold values of one type in order."
    assert "(Demo Manual)" not in text.split("\n", 1)[1]
    optional = {e["title"] for e in ref.sections["Optional"]}
    assert optional == {"2. NEWS", "Index"}
    assert "Search paths" in {e["title"] for e in ref.sections["Docs"]}
    assert entries["Graphics"]["desc"] is None  # a description that only repeats the title is left out


def test_a_section_follows_its_index_pages_table_of_contents(tmp_path, monkeypatch):
    """The home page links chapter 6 first (breadth-first discovery met it early): the section
    still reads 1, 2, ..., 6 as its index page lists them, in llms.txt and llms-full.txt."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "html"
    chapters = [f"ch{i}.html" for i in range(1, 7)]
    files = {"index.html": page("Home", "<h1>Home</h1><p>Start with modules or the tutorial.</p>"
                                "<a href='tutorial/ch6.html'>Modules</a> <a href='tutorial/'>Tutorial</a>"),
             "tutorial/index.html": page("Tutorial", "<h1>Tutorial</h1><p>The chapters in order.</p>" +
                                         "".join(f"<a href='{c}'>{c}</a> " for c in chapters))}
    for i, c in enumerate(chapters, 1):
        files[f"tutorial/{c}"] = page(f"{i}. Chapter", f"<h1>{i}. Chapter</h1><p>Chapter {i} text.</p>")
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["site", str(root), "--base-url", "https://d.example/", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ref = llms_txt.parse_llms_file((out / "llms.txt").read_text())
    assert [e["title"] for e in ref.sections["Tutorial"]] == ["Tutorial"] + [f"{i}. Chapter" for i in range(1, 7)]
    full = (out / "llms-full.txt").read_text()
    assert full.index("Chapter 1 text.") < full.index("Chapter 2 text.") < full.index("Chapter 6 text.")


def test_max_tokens_refills_after_a_big_cut(tmp_path, monkeypatch):
    """llms-full.txt --max-tokens: a big page near the end is cut, the small pages after it still fit."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "html"
    root.mkdir()
    files = {"index.html": page("Home", "<h1>Home</h1><p>Home page text.</p><a href='a.html'>A</a> "
                                "<a href='big.html'>Big</a> <a href='c.html'>C</a>"),
             "a.html": page("A", "<h1>A</h1><p>Alpha page says hello.</p>"),
             "big.html": page("Big", "<h1>Big</h1><p>Big page. " + "word " * 3000 + "</p>"),
             "c.html": page("C", "<h1>C</h1><p>Gamma page says goodbye.</p>")}
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["site", str(root), "--base-url", "https://d.example/", "-o", str(out),
                                   "--max-tokens", "600"])
    assert res.exit_code == 0, res.output
    full = (out / "llms-full.txt").read_text()
    from llmingest.tokens import count

    assert count(full) <= 600
    body, cut = full.split("## Cut to fit 600 tokens", 1)
    assert "Alpha page says hello." in body and "Gamma page says goodbye." in body
    assert "Big page." not in body and "[Big](https://d.example/big.html)" in cut and "[C]" not in cut


def test_site_without_any_title_is_named_by_its_home_page_heading(tmp_path, monkeypatch):
    """Doxygen with a custom header writes no <title> at all: the site is named by the home page's
    heading, not by the host name."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "html"
    root.mkdir()
    (root / "index.html").write_text("<html><body><div class='contents'><h1>Proj Documentation</h1><p>Proj reads "
                                     "and writes JSON documents.</p><a href='a.html'>A</a></div></body></html>")
    (root / "a.html").write_text("<html><body><div class='contents'><h1>A Class Reference</h1><p>The A class "
                                 "holds a value.</p></div></body></html>")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["site", str(root), "--base-url", "https://d.example/", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ref = llms_txt.parse_llms_file((out / "llms.txt").read_text())
    assert ref.title == "Proj Documentation"
    assert [e["title"] for e in ref.sections["Docs"]] == ["Proj Documentation", "A Class Reference"]
