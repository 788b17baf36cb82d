"""`llmingest docs` and the MCP library tools against a fake PyPI + npm index on 127.0.0.1.

The index points at a docs site served here in two versions (2.0.0 publishes llms.txt, 1.0.0 only
HTML) and at a git repository (on a local git daemon) whose tags hold the older versions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import call_tool, git, respond, serve_loopback
from llmingest.errors import SourceNotFound, UsageError
from llmingest.sources.libdocs import (
    LibrarySpec,
    Registry,
    match_version,
    parse_spec,
    registry_from_npm,
    registry_from_pypi,
    repo_url,
    resolve,
)

PAGE = "<!doctype html><html><head><title>{title}</title></head><body><main>{body}</main></body></html>"


def _site(root: Path) -> None:
    v2 = root / "en" / "2.0.0"
    v2.mkdir(parents=True)
    (v2 / "index.html").write_text(PAGE.format(title="Demo 2.0.0", body="<h1>Demo 2.0.0 documentation</h1>"
                                               "<p>Welcome to Demo 2.0.0.</p><a href='retries.html'>Retries</a>"))
    (v2 / "llms.txt").write_text("# Demo\n\n> Demo 2.0.0 documentation\n\n## Docs\n\n"
                                 "- [Retries](retries.md): how retries work\n- [Install](install.md): installing\n")
    (v2 / "retries.md").write_text("# Retries\n\nIn 2.0.0 a session retries with `max_retries=5` and a backoff "
                                   "factor.\n\n## Timeouts\n\nTimeouts are given per request in seconds.\n")
    (v2 / "install.md").write_text("# Install\n\nRun pip install demo.\n")
    v1 = root / "en" / "1.0.0"
    v1.mkdir(parents=True)
    (v1 / "index.html").write_text(PAGE.format(title="Demo 1.0.0", body="<h1>Demo 1.0.0 documentation</h1>"
                                               "<p>This is version 1.0.0.</p><a href='guide.html'>Guide</a>"))
    (v1 / "guide.html").write_text(PAGE.format(title="Guide", body="<h1>Guide</h1><h2>Retries</h2><p>In 1.0.0 a "
                                               "session retries when given the retry_count argument.</p>"
                                               "<h2>Logging</h2><p>Logging goes to stderr.</p>"))
    v07 = root / "en" / "0.7.0"  # one page far over a small --max-page-size (issue 16 regression)
    v07.mkdir(parents=True)
    (v07 / "index.html").write_text(PAGE.format(title="Demo 0.7.0", body="<h1>Demo 0.7.0 documentation</h1>"
                                                "<p>Old docs.</p><a href='big.html'>Big</a>"))
    (v07 / "big.html").write_text(PAGE.format(title="Big", body="<h1>Big</h1><h2>Retries</h2><p>In 0.7.0 "
                                              "retries use the bigpage_marker argument.</p>"
                                              + "<p>filler text for size.</p>" * 8_000))
    stable = root / "en" / "stable"
    stable.mkdir(parents=True)
    (stable / "index.html").write_text((v2 / "index.html").read_text())


def _repo(base: Path) -> Path:
    work = base / ".work" / "demo"
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("# Demo\n\nDemo 0.9.0: retries come from the retry_count argument.\n")
    (work / "docs").mkdir()
    (work / "docs" / "usage.md").write_text("# Usage\n\nCall demo.get(url) to fetch.\n")
    (work / "demo.py").write_text("def get(url):\n    return url\n")
    git("add", ".", cwd=work)
    git("commit", "-qm", "0.9.0", cwd=work)
    git("tag", "v0.9.0", cwd=work)
    (work / "README.md").write_text("# Demo\n\nDemo main branch.\n")
    git("commit", "-qam", "later", cwd=work)
    git("tag", "v1.0.0", cwd=work)
    bare = base / "o" / "demo.git"
    git("clone", "-q", "--bare", str(work), str(bare))
    return bare


@pytest.fixture(scope="module")
def index(tmp_path_factory, git_daemon):
    """(base URL, request log): a fake PyPI JSON API + npm registry + the docs site, one server."""
    site = tmp_path_factory.mktemp("site")
    _site(site)
    _repo(git_daemon["base"])
    repo = f"{git_daemon['url']}o/demo.git"
    requests: list[str] = []
    state: dict = {}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            requests.append(self.path)
            base = state["base"]
            meta = None
            if self.path == "/pypi/demo/json":
                meta = {"info": {"name": "demo", "version": "2.0.0", "home_page": None,
                                 "project_urls": {"Documentation": f"{base}/en/stable/", "Source": repo,
                                                  "Changelog": f"{base}/en/stable/changes.html"}},
                        "releases": {"0.5.0": [], "0.7.0": [], "0.9.0": [], "1.0.0": [], "2.0.0": []}}
            elif self.path == "/demo-js":
                manifest = {"homepage": f"{base}/en/stable/", "repository": {"type": "git", "url": repo}}
                meta = {"name": "demo-js", "dist-tags": {"latest": "2.0.0"},
                        "versions": {v: {"name": "demo-js", "version": v, **manifest} for v in ("1.0.0", "2.0.0")}}
            elif self.path.startswith("/pypi/") or self.path.count("/") == 1 and "." not in self.path:
                self.send_error(404)
                return
            if meta is not None:
                respond(self, 200, json.dumps(meta).encode(), "application/json")
                return
            super().do_GET()

    base, stop = serve_loopback(Handler)
    state["base"] = base
    yield {"url": base, "requests": requests, "repo": repo}
    stop()


def _cli(*args: str, env: dict | None = None, cache: Path | None = None) -> subprocess.CompletedProcess:
    import os

    full = {**os.environ, **(env or {})}
    if cache is not None:
        full["XDG_CACHE_HOME"] = str(cache)
    return subprocess.run([sys.executable, "-m", "llmingest", *args], capture_output=True, text=True, env=full,
                          timeout=120)


# ---- resolution (pure) ---------------------------------------------------------------------------------


def test_parse_spec_forms() -> None:
    assert parse_spec("requests==2.31.0") == LibrarySpec("requests", "2.31.0", None)
    assert parse_spec("npm:react@18") == LibrarySpec("react", "18", "npm")
    assert parse_spec("@angular/core@17.1.0") == LibrarySpec("@angular/core", "17.1.0", "npm")
    assert parse_spec("pallets/flask") == LibrarySpec("pallets/flask", None, "github")
    assert parse_spec("requests@latest") == LibrarySpec("requests", None, None)
    with pytest.raises(UsageError):
        parse_spec("not a name")
    with pytest.raises(UsageError):
        parse_spec("x", ecosystem="cargo")


def test_match_version_exact_prefix_and_error_names_versions() -> None:
    reg = Registry("pypi", "x", ["1.0", "1.2.0", "1.2.3", "1.3.0rc1", "2.0.0"], "2.0.0")
    assert match_version(reg, None) == "2.0.0"
    assert match_version(reg, "1.2") == "1.2.3"
    assert match_version(reg, "v2.0.0") == "2.0.0"
    assert match_version(reg, "1.0.0") == "1.0"  # PEP 440: 1.0 == 1.0.0
    with pytest.raises(SourceNotFound) as err:
        match_version(reg, "3.1")
    assert "no version 3.1" in str(err.value) and "1.2.3" in err.value.hint and "2.0.0" in err.value.hint


def test_resolve_pypi_rtd_and_npm_monorepo() -> None:
    reg = registry_from_pypi({"info": {"name": "requests", "version": "2.32.3", "project_urls": {
        "Documentation": "https://requests.readthedocs.io", "Source": "https://github.com/psf/requests"}},
        "releases": {"2.31.0": [], "2.32.3": []}})
    res = resolve(reg, "2.31.0")
    assert (res.version, res.docs_url, res.repository) == ("2.31.0", "https://requests.readthedocs.io/",
                                                           "https://github.com/psf/requests")
    assert res.versioned_docs[0] == "https://requests.readthedocs.io/en/2.31.0/"
    assert "v2.31.0" in res.tags
    npm = registry_from_npm({"name": "vite", "dist-tags": {"latest": "5.1.0"}, "versions": {"5.1.0": {
        "homepage": "https://vite.dev", "repository": {"type": "git", "url": "git+https://github.com/vitejs/vite.git",
                                                       "directory": "packages/vite"}}}})
    res = resolve(npm)
    assert (res.docs_url, res.repository, res.directory) == ("https://vite.dev/", "https://github.com/vitejs/vite",
                                                             "packages/vite")
    assert "vite@5.1.0" in res.tags


def test_repo_url_shapes() -> None:
    assert repo_url("github:a/b") == ("https://github.com/a/b", None)
    assert repo_url("a/b") == ("https://github.com/a/b", None)
    assert repo_url("git@github.com:a/b.git") == ("https://github.com/a/b", None)
    assert repo_url("https://github.com/sponsors/x") == (None, None)
    assert repo_url("https://example.org/") == (None, None)


# ---- the command against the fake index -----------------------------------------------------------------


def test_version_with_llms_txt_is_served_from_it(index, tmp_path) -> None:
    out = _cli("docs", "demo==2.0.0", "retries backoff", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "version: 2.0.0" in out.stdout and "served_from: llms.txt" in out.stdout
    assert f"location: {index['url']}/en/2.0.0/llms.txt" in out.stdout
    assert "max_retries=5" in out.stdout and "retry_count" not in out.stdout


def test_no_topic_prints_the_versions_llms_txt(index, tmp_path) -> None:
    out = _cli("docs", "demo", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "version: 2.0.0" in out.stdout and "requested: latest" in out.stdout
    assert f"- [Retries]({index['url']}/en/2.0.0/retries.md): how retries work" in out.stdout  # absolute


def test_version_without_llms_txt_is_crawled(index, tmp_path) -> None:
    out = _cli("docs", "demo==1.0.0", "retries", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "version: 1.0.0" in out.stdout and "served_from: site" in out.stdout
    assert "retry_count" in out.stdout and "max_retries" not in out.stdout


def test_version_without_site_comes_from_the_tag(index, tmp_path) -> None:
    out = _cli("docs", "demo==0.9", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "version: 0.9.0" in out.stdout and "requested: 0.9" in out.stdout
    assert "served_from: repository" in out.stdout and "@v0.9.0" in out.stdout
    assert "README.md" in out.stdout and "docs/usage.md" in out.stdout
    topic = _cli("docs", "demo==0.9.0", "retries", "--index-url", index["url"], cache=tmp_path)
    assert "retry_count" in topic.stdout and "main branch" not in topic.stdout


def test_unmatched_version_is_an_error_never_latest(index, tmp_path) -> None:
    out = _cli("docs", "demo==7.1", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 3
    assert "no version 7.1" in out.stderr and "0.9.0, 1.0.0, 2.0.0" in out.stderr and not out.stdout
    # listed by the index, but no docs site and no tag: an error naming the tags, not the latest docs
    out = _cli("docs", "demo==0.5.0", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 3, out.stdout
    assert "no docs for demo 0.5.0" in out.stderr and "v0.9.0" in out.stderr and not out.stdout


def test_npm_through_the_environment_variable(index, tmp_path) -> None:
    env = {"LLMINGEST_NPM_URL": index["url"], "LLMINGEST_PYPI_URL": index["url"]}
    out = _cli("docs", "npm:demo-js@1", "retries", "-f", "json", env=env, cache=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["resolution"]["ecosystem"] == "npm" and data["resolution"]["version"] == "1.0.0"
    assert data["served_from"] == "site" and "retry_count" in data["text"]


def test_unknown_package_names_the_index(index, tmp_path) -> None:
    out = _cli("docs", "nosuchpkg", "--index-url", index["url"], cache=tmp_path)
    assert out.returncode == 3 and "no package named 'nosuchpkg'" in out.stderr


def test_pinned_version_is_cached_without_asking_the_index(index, tmp_path) -> None:
    from llmingest.fetch.cache import ResultCache
    from llmingest.sources.libdocs_content import library_docs

    cache = ResultCache(tmp_path / "r")
    first = library_docs("demo==2.0.0", index=index["url"], cache=cache)
    before = len(index["requests"])
    again = library_docs("demo==2.0.0", index=index["url"], cache=cache)
    assert len(index["requests"]) == before  # nothing fetched: not the index, not the site
    assert again.metadata == first.metadata and again.metadata["resolution"]["version"] == "2.0.0"
    crawled = library_docs("demo==1.0.0", index=index["url"], cache=cache)
    before = len(index["requests"])
    topical = library_docs("demo==1.0.0", index=index["url"], cache=cache, topic=True)
    assert topical.metadata["served_from"] == "site" and topical.documents == crawled.documents
    assert [p for p in index["requests"][before:] if p.startswith("/en/")] == []  # the crawl is reused


# ---- MCP ---------------------------------------------------------------------------------------------------


def test_mcp_resolve_and_library_docs(index, tmp_path, monkeypatch) -> None:
    from conftest import local_service
    from llmingest.mcp_server.server import create_server

    monkeypatch.setenv("LLMINGEST_PYPI_URL", index["url"])
    server = create_server(local_service(tmp_path))
    res = call_tool(server, "resolve_library", {"name": "demo"})
    data = res.structured_content
    assert data["version"] == "2.0.0" and data["docs_url"] == f"{index['url']}/en/stable/"
    assert data["repository"] == index["repo"] and data["versions_found"][-1] == "2.0.0"
    docs = call_tool(server, "library_docs", {"name": "demo", "version": "1.0.0", "topic": "retries",
                                              "max_tokens": 2000})
    text = docs.content[0].text
    assert "version: 1.0.0" in text and "retry_count" in text
    bad = call_tool(server, "library_docs", {"name": "demo", "version": "9"}, raise_on_error=False)
    assert bad.is_error and "no version 9" in bad.content[0].text


def test_github_owner_repo_versions_are_its_tags(index, git_daemon, tmp_path) -> None:
    out = _cli("docs", "o/demo@0.9.0", "retries", "--host-map", f"github.com={git_daemon['url']}", cache=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "ecosystem: github" in out.stdout and "version: 0.9.0" in out.stdout
    assert "served_from: repository" in out.stdout and "retry_count" in out.stdout
    latest = _cli("docs", "o/demo", "--host-map", f"github.com={git_daemon['url']}", "-f", "json", cache=tmp_path)
    data = json.loads(latest.stdout)
    assert data["resolution"]["version"] == "1.0.0" and data["location"].endswith("@v1.0.0")
    missing = _cli("docs", "o/demo@0.4", "--host-map", f"github.com={git_daemon['url']}", cache=tmp_path)
    assert missing.returncode == 3 and "0.9.0, 1.0.0" in missing.stderr


def test_server_mode_trusts_the_operators_index_not_the_urls_it_names(index, tmp_path, monkeypatch) -> None:
    from conftest import web_service
    from llmingest.mcp_server.server import create_server

    monkeypatch.setenv("LLMINGEST_PYPI_URL", index["url"])  # the operator's private mirror
    server = create_server(web_service(tmp_path))
    res = call_tool(server, "resolve_library", {"name": "demo"})
    assert res.structured_content["version"] == "2.0.0"
    # the docs site and the repository it names are on loopback: refused, never fetched
    before = [p for p in index["requests"] if p.startswith("/en/")]
    bad = call_tool(server, "library_docs", {"name": "demo", "version": "1.0.0"}, raise_on_error=False)
    assert bad.is_error and "refusing" in bad.content[0].text
    assert [p for p in index["requests"] if p.startswith("/en/")] == before


def test_a_changelog_link_names_no_package_folder() -> None:
    reg = registry_from_pypi({"info": {"name": "black", "version": "24.1.0", "project_urls": {
        "Changelog": "https://github.com/psf/black/blob/main/CHANGES.md", "Repository": "https://github.com/psf/black"}},
        "releases": {"24.1.0": []}})
    res = resolve(reg)
    assert (res.repository, res.directory) == ("https://github.com/psf/black", None)
    assert repo_url("https://github.com/o/r/blob/main/CHANGES.md") == ("https://github.com/o/r", None)


def test_mcp_library_docs_crawl_honours_the_servers_max_page_size(index, tmp_path, monkeypatch) -> None:
    """`serve --max-page-size` bounds the crawls library_docs makes (it set a key the crawler never read)."""
    from llmingest.mcp_server.server import create_server
    from llmingest.mcp_server.service import build_service

    monkeypatch.setenv("LLMINGEST_PYPI_URL", index["url"])
    args = {"name": "demo", "version": "0.7.0", "topic": "retries", "max_tokens": 2000}
    roomy = build_service(server_mode=False, cache_dir=tmp_path / "roomy")
    assert "bigpage_marker" in call_tool(create_server(roomy), "library_docs", args).content[0].text
    tight = build_service(server_mode=False, cache_dir=tmp_path / "tight", max_page_size="50k")
    text = call_tool(create_server(tight), "library_docs", args).content[0].text
    assert "version: 0.7.0" in text and "bigpage_marker" not in text  # the 200 KB page was not read
