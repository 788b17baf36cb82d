"""Symlinks never read the machine's files (issue 12, findings #1 and #13), replayed on every edge.

One malicious repository, served as a real bare repo over ``file://`` through ``host_map`` (as a
``https://github.com/o/evil`` URL would be cloned) and used as a local work tree too, carries
every link an attacker would commit: a folder linked to "/etc" (here a folder outside the
checkout full of secrets), the same by a relative ``../../..`` climb, ``up -> ..`` (the caches),
a file linked out, and links out inside an otherwise harmless folder. Each edge (CLI, the URL-swap
web service, the MCP tools) must refuse the narrowed source or skip the link, and never print a
secret. A link to a FIFO (and a FIFO itself) is skipped with a reason instead of hanging the digest.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from pathlib import Path

import pytest
from conftest import asgi_get, call_tool, git, local_service, web_service
from llmingest import ingest
from llmingest.api import render  # not llmingest.render: importing that submodule shadows llmingest.render()
from llmingest.cli import app
from llmingest.errors import BlockedAddress
from llmingest.fetch.walk import OutsideTree, confine, confine_local
from llmingest.mcp_server.server import create_server
from llmingest.mcp_server.web import create_app
from llmingest.options import Options
from typer.testing import CliRunner

SECRET = "TOP-SECRET-d41d8cd9"  # in every file outside the checkout; must never reach any output
runner = CliRunner()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """``outside/`` (stands for /etc), the work tree ``work/o/evil`` and its bare clone ``o/evil.git``.

    main: README.md, docs/a.md, docs/ok.md -> ../README.md, docs/leak.md -> outside/passwd,
          etcdir -> outside (absolute), reldir -> ../../../..<outside> (relative climb), up -> ..,
          secret.txt -> outside/passwd, readme-link.md -> README.md
    flip: docs itself is a link to outside (for --ref reads of a local repository)
    """
    base = tmp_path_factory.mktemp("secwalk")
    outside = base / "outside"
    for name in ("passwd", "hosts", "ssl/cert.pem"):
        _write(outside / name, f"{SECRET} {name}\n")
    work = base / "work" / "o" / "evil"
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", str(work))
    _write(work / "README.md", "# Evil\n\nharmless readme\n")
    _write(work / "docs" / "a.md", "# A\n\ndocs page\n")
    os.symlink("../README.md", work / "docs" / "ok.md")
    os.symlink(outside / "passwd", work / "docs" / "leak.md")
    os.symlink(outside, work / "etcdir")
    os.symlink("../" * 40 + str(outside).lstrip("/"), work / "reldir")
    os.symlink("..", work / "up")
    os.symlink(outside / "passwd", work / "secret.txt")
    os.symlink("README.md", work / "readme-link.md")
    git("add", "-A", cwd=work)
    git("commit", "-qm", "links", cwd=work)
    git("checkout", "-q", "-b", "flip", cwd=work)
    git("rm", "-rq", "docs", cwd=work)
    os.symlink(outside, work / "docs")
    git("add", "-A", cwd=work)
    git("commit", "-qm", "docs is a link now", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    bare = base / "o" / "evil.git"
    git("clone", "-q", "--bare", str(work), str(bare))
    git("config", "uploadpack.allowFilter", "true", cwd=bare)
    return {"base": base, "outside": outside, "work": work, "host_map": {"github.com": f"file://{base}"}}


def _opts(tmp_path: Path, world: dict, **kw) -> Options:
    return Options(cache_dir=tmp_path / "cache", host_map=world["host_map"], **kw)


def _no_secret(text: str) -> None:
    assert SECRET not in text
    assert "cert.pem" not in text and "hosts" not in text


GH = "https://github.com/o/evil"
#: the subpath is the link itself: always refused (403, exit code 8)
LINKS = [f"{GH}/tree/main/etcdir", f"{GH}/tree/main/reldir", f"{GH}/tree/main/up", f"{GH}/tree/main/secret.txt",
         f"{GH}/blob/main/secret.txt", f"{GH}/tree/main/docs/leak.md"]
#: the subpath goes through a linked folder: git has no such path (404) or, served from a cached
#: checkout, the path is refused (403); never read, and the verdict never depends on the target
BEYOND = [f"{GH}/tree/main/etcdir/ssl", f"{GH}/blob/main/etcdir/passwd", f"{GH}/blob/main/reldir/passwd",
          f"{GH}/blob/main/up/work/o/evil/README.md"]
ATTACKS = LINKS + BEYOND


# ---- the one place: walk.confine / walk.confine_local ---------------------------------------------


def test_confine_refuses_every_way_out_and_keeps_links_inside(world):
    work = world["work"]
    for rel in ("etcdir", "etcdir/passwd", "reldir/ssl", "up", "up/o", "secret.txt", "docs/leak.md",
                "etcdir/does-not-exist"):  # the verdict never depends on what exists outside
        with pytest.raises(OutsideTree) as err:
            confine(work, rel)
        assert err.value.http_status == 403 and isinstance(err.value, BlockedAddress)
        assert str(world["outside"]) not in str(err.value)
    assert confine(work, "docs/ok.md") == (work / "README.md").resolve()
    assert confine(work, "readme-link.md") == (work / "README.md").resolve()
    assert confine(work, "docs") == (work / "docs").resolve()


def test_confine_local_refuses_links_out_of_a_work_tree_but_not_the_users_own(world, tmp_path):
    work = world["work"]
    for rel in ("etcdir", "etcdir/passwd", "reldir", "up", "up/evil/README.md", "secret.txt"):
        with pytest.raises(OutsideTree):
            confine_local(work / rel)
    assert confine_local(work / "docs" / ".." / "README.md") == (work / "README.md").resolve()
    # a link the user made outside any repository (~/proj -> /data/proj) is theirs to follow
    os.symlink(work, tmp_path / "proj")
    assert confine_local(tmp_path / "proj" / "docs") == (work / "docs").resolve()


# ---- CLI ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    """The CLI's clone and token caches live in this test's tmp dir, never in ~/.cache."""
    monkeypatch.setenv("LLMINGEST_CACHE_DIR", str(tmp_path / "cli-cache"))


@pytest.mark.parametrize("url", ATTACKS)
def test_cli_forge_url_through_a_link_is_refused(url, world):
    hm = world["host_map"]["github.com"]
    res = runner.invoke(app, ["repo", url, "--host-map", f"github.com={hm}", "-q", "-i", "passwd", "-i", "hosts"],
                        catch_exceptions=False)
    _no_secret(res.output)
    if url in LINKS:
        assert res.exit_code == 8 and "refusing path" in res.output, res.output
    else:
        assert (res.exit_code, "not found") == (3, "not found" if "not found" in res.output else ""), res.output


def test_cli_local_folder_subpath_and_file_through_a_link_are_refused(world):
    work = world["work"]
    for rel in ("etcdir", "reldir", "up", "etcdir/passwd", "secret.txt", "up/evil"):
        res = runner.invoke(app, ["repo", str(work / rel), "-q", "--no-cache"], catch_exceptions=False)
        _no_secret(res.output)
        assert res.exit_code == 8 and "refusing" in res.output, res.output


def test_cli_whole_repo_and_include_skip_links_out_with_reasons(world):
    res = runner.invoke(app, ["repo", str(world["work"]), "-q", "--no-cache"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    _no_secret(res.output)
    assert "harmless readme" in res.output and "docs page" in res.output
    res = runner.invoke(app, ["repo", str(world["work"]), "-q", "--no-cache", "-f", "json",
                              "-i", "etcdir/*", "-i", "reldir/**", "-i", "up/**", "-i", "passwd", "-i", "secret.txt"],
                        catch_exceptions=False)
    _no_secret(res.output)
    assert '"secret.txt"' in res.output and "symlink points outside the tree" in res.output


def test_cli_ref_of_a_local_repository_where_the_subfolder_became_a_link(world):
    work = world["work"]
    ok = runner.invoke(app, ["repo", str(work / "docs"), "--ref", "main", "-q"], catch_exceptions=False)
    assert ok.exit_code == 0 and "docs page" in ok.output, ok.output
    _no_secret(ok.output)
    res = runner.invoke(app, ["repo", str(work / "docs"), "--ref", "flip", "-q"], catch_exceptions=False)
    _no_secret(res.output)
    assert res.exit_code == 8 and "refusing path 'docs'" in res.output, res.output


# ---- the Python API (what every edge calls) --------------------------------------------------------


def test_api_remote_tree_blob_and_whole_repo(world, tmp_path):
    opts = _opts(tmp_path, world)
    # LINKS first: each leaves a sparse checkout of its link in the cache, which then serves the
    # BEYOND paths under it; those must be refused from disk too (a fresh clone says "not found")
    for url in ATTACKS:
        with pytest.raises(OutsideTree):
            ingest(url, opts, include=["passwd", "hosts"])
    bundle = ingest(GH, opts)
    text = render(bundle, "markdown")
    _no_secret(text)
    skipped = {s.path: s.reason for s in bundle.skipped}
    assert skipped["secret.txt"] == skipped["docs/leak.md"] == "symlink points outside the tree"
    assert skipped["etcdir"] == skipped["reldir"] == "symlink points outside the tree"
    assert skipped["up"] == "symlink points outside the tree"  # the clone's parent: the cache
    docs = {d.path: d.content for d in bundle.documents}
    assert "harmless readme" in docs["readme-link.md"] and "harmless readme" in docs["docs/ok.md"]
    # after a full checkout is cached, a blob through a link must still be refused (not read from disk)
    with pytest.raises(OutsideTree):
        ingest(f"{GH}/blob/main/etcdir/passwd", opts)
    # a blob URL to a link that stays inside is read, under the link's own path
    one = ingest(f"{GH}/blob/main/readme-link.md", opts)
    assert [d.path for d in one.documents] == ["readme-link.md"] and "harmless readme" in one.documents[0].content


def test_api_subtree_skips_a_link_out_of_it(world, tmp_path):
    bundle = ingest(f"{GH}/tree/main/docs", _opts(tmp_path, world))
    _no_secret(render(bundle, "json"))
    assert [d.path for d in bundle.documents] == ["docs/a.md"]
    assert {s.path for s in bundle.skipped} == {"docs/leak.md", "docs/ok.md"}


# ---- web (URL swap, server mode) -------------------------------------------------------------------


def test_web_swap_tree_and_blob_through_links_are_refused(world, tmp_path):
    web = create_app(web_service(tmp_path, world["host_map"]), mount_mcp=False)
    for url in ATTACKS:
        path = url.removeprefix("https://github.com")
        for query in ("", "?include=passwd,hosts", "?format=json"):
            resp = asgi_get(web, path + query)
            _no_secret(resp.text)
            assert resp.status_code in ((403,) if url in LINKS else (403, 404)), (path, resp.status_code, resp.text)
            assert resp.text.startswith(("error: refusing path", "error: path"))
    resp = asgi_get(web, "/o/evil")
    assert resp.status_code == 200 and "harmless readme" in resp.text
    _no_secret(resp.text)
    resp = asgi_get(web, "/o/evil/tree/main/docs?format=json")
    assert resp.status_code == 200 and "symlink points outside the tree" in resp.text
    _no_secret(resp.text)


# ---- MCP (FastMCP in-memory client) ----------------------------------------------------------------


def test_mcp_remote_tools_refuse_linked_subpaths_and_files(world, tmp_path):
    server = create_server(web_service(tmp_path, world["host_map"]))
    for url in ATTACKS:
        for tool, args in (("ingest_repository", {"include": ["passwd", "hosts"]}), ("repository_tree", {}),
                           ("read_repository_file", {"path": "etcdir/passwd"})):
            res = call_tool(server, tool, {"source": url, **args}, raise_on_error=False)
            text = res.content[0].text
            _no_secret(text)
            assert res.is_error and ("refusing path" in text or url in BEYOND), (tool, url, text)
    for path in ("secret.txt", "etcdir/passwd", "docs/leak.md", "up/work/o/evil/README.md"):
        res = call_tool(server, "read_repository_file", {"source": GH, "path": path}, raise_on_error=False)
        _no_secret(res.content[0].text)
        assert res.is_error
    res = call_tool(server, "read_repository_file", {"source": GH, "path": "secret.txt"}, raise_on_error=False)
    assert "symlink points outside the tree" in res.content[0].text
    tree = call_tool(server, "repository_tree", {"source": GH}).content[0].text
    _no_secret(tree)
    assert "secret.txt: symlink points outside the tree" in tree


def test_mcp_local_tools_refuse_paths_through_links(world, tmp_path):
    work = world["work"]
    _write(world["outside"] / "page.html", f"<html><body><p>{SECRET}</p></body></html>")
    with _untracked_link(work / "page.html", world["outside"] / "page.html"):
        _mcp_local_tools_refuse(work, tmp_path)


@contextlib.contextmanager
def _untracked_link(link: Path, target: Path):
    """A link in the shared work tree for one test only (untracked: git still counts it as inside)."""
    os.symlink(target, link)
    try:
        yield link
    finally:
        link.unlink()


def _mcp_local_tools_refuse(work: Path, tmp_path: Path) -> None:
    server = create_server(local_service(tmp_path))
    for rel in ("etcdir", "reldir", "up", "secret.txt"):
        for tool, args in (("ingest_repository", {"include": ["passwd"]}), ("repository_tree", {}),
                           ("read_repository_file", {"path": "passwd"})):
            res = call_tool(server, tool, {"source": str(work / rel), **args}, raise_on_error=False)
            _no_secret(res.content[0].text)
            assert res.is_error and "refusing" in res.content[0].text, (tool, rel, res.content[0].text)
    for tool, args in (("fetch_page", {"url": str(work / "page.html")}),
                       ("convert_pdf", {"source": str(work / "secret.txt")})):
        res = call_tool(server, tool, args, raise_on_error=False)
        _no_secret(res.content[0].text)
        assert res.is_error and "refusing" in res.content[0].text, (tool, res.content[0].text)
    res = call_tool(server, "read_repository_file", {"source": str(work), "path": "etcdir/passwd"},
                    raise_on_error=False)
    assert res.is_error
    _no_secret(res.content[0].text)


# ---- #13: FIFOs, sockets and links to them are skipped, never opened -------------------------------


@pytest.mark.timeout(120)
def test_a_link_to_a_fifo_and_a_fifo_are_skipped_not_opened(tmp_path):
    repo = tmp_path / "fifo"
    repo.mkdir()
    git("init", "-q", "-b", "main", str(repo))
    _write(repo / "README.md", "# Fifo\n")
    os.mkfifo(repo / ".p")
    os.symlink(".p", repo / "data.txt")
    git("add", "README.md", "data.txt", cwd=repo)
    git("commit", "-qm", "fifo", cwd=repo)
    os.mkfifo(repo / "pipe.txt")
    res = runner.invoke(app, ["repo", str(repo), "-q", "--no-cache", "--hidden", "-f", "json"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "symlink to a FIFO" in res.output and '"data.txt"' in res.output
    assert "# Fifo" in res.output
    plain = tmp_path / "plain"  # no git: the walk lists the FIFO itself
    plain.mkdir()
    _write(plain / "a.txt", "a\n")
    os.mkfifo(plain / "b.txt")
    os.symlink("b.txt", plain / "c.txt")
    sock = socket.socket(socket.AF_UNIX)
    try:
        with contextlib.chdir(plain):  # a relative name: AF_UNIX paths are limited to ~100 bytes
            sock.bind("d.txt")
        os.symlink("d.txt", plain / "e.txt")
        bundle = ingest(str(plain), cache=False)
    finally:
        sock.close()
    skipped = {s.path: s.reason for s in bundle.skipped}
    assert skipped["b.txt"].startswith("not a regular file (FIFO")
    assert skipped["c.txt"].startswith("symlink to a FIFO")
    assert skipped["d.txt"].startswith("not a regular file (socket")
    assert skipped["e.txt"].startswith("symlink to a socket")
    assert [d.path for d in bundle.documents] == ["a.txt"]
    # the link named as the source itself: refused or skipped, never opened
    res = runner.invoke(app, ["repo", str(repo / "data.txt"), "-q", "--no-cache"], catch_exceptions=False)
    assert res.exit_code != 0 and "# Fifo" not in res.output


@pytest.mark.timeout(120)
def test_reading_never_blocks_on_a_file_swapped_for_a_fifo(tmp_path):
    from llmingest.fetch.walk import Entry
    from llmingest.sources.repo import _read

    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    doc, skip, raw = _read(Entry("swapped.txt", str(fifo), 10), Options())
    assert doc is None and raw == b"" and skip.reason == "not a regular file (not read)"
    _write(tmp_path / "real.txt", "real\n")
    os.symlink(tmp_path / "real.txt", tmp_path / "link.txt")
    doc, skip, _ = _read(Entry("link.txt", str(tmp_path / "link.txt"), 5), Options())
    assert doc is None and "cannot read" in skip.reason  # the walk hands over the target, never a link


# ---- a built site folder (`llmingest site <folder>`) reads the same way -----------------------------


@pytest.mark.timeout(120)
def test_built_site_folder_skips_links_out_and_fifos(world, tmp_path):
    from llmingest.fetch.crawl import crawl_folder

    site = tmp_path / "html"
    _write(site / "index.html", "<html><head><title>Home</title></head><body><h1>Home</h1>"
                                "<a href='in.html'>in</a> <a href='leak.html'>leak</a></body></html>")
    _write(world["outside"] / "leak.html", f"<html><body><p>{SECRET}</p></body></html>")
    os.symlink(world["outside"] / "leak.html", site / "leak.html")
    os.symlink("index.html", site / "in.html")
    os.mkfifo(site / "pipe.html")
    result = crawl_folder(site, "https://docs.example.com/")
    skipped = {s.path: s.reason for s in result.skipped}
    assert skipped == {"leak.html": "symlink points outside the tree",
                       "pipe.html": "not a regular file (FIFO, not read)"}
    assert sorted(p.url for p in result.pages) == ["https://docs.example.com/in.html", "https://docs.example.com/index.html"]
    assert all(SECRET.encode() not in p.content for p in result.pages)
    res = runner.invoke(app, ["site", str(site), "--base-url", "https://docs.example.com/", "-q"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    _no_secret(res.output)
    assert "Home" in res.output


def test_curl_actions_local_paths_and_folders_never_follow_links_out(world, tmp_path):
    work = world["work"]
    folder = tmp_path / "clone"
    shutil.copytree(work, folder, symlinks=True)  # a copy: the shared work tree stays as it is
    folder = folder / "howto"
    _write(folder / "a.md", "# Webhooks\n\nGo to Settings and click Create webhook.\n")
    os.symlink(world["outside"] / "passwd", folder / "leak.md")
    work = folder.parent
    server = create_server(local_service(tmp_path))
    res = call_tool(server, "curl_actions", {"source": str(folder)})
    assert not res.is_error, res.content[0].text
    _no_secret(res.content[0].text)
    assert "Webhooks" in res.content[0].text
    for args in ({"source": str(work / "secret.txt")}, {"source": str(work / "etcdir")},
                 {"source": str(folder), "openapi": str(work / "secret.txt")}):
        res = call_tool(server, "curl_actions", args, raise_on_error=False)
        _no_secret(res.content[0].text)
        assert res.is_error and "refusing" in res.content[0].text, (args, res.content[0].text)
