"""Every MCP tool through FastMCP's in-memory client, on real repositories (local and over git daemon)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import call_tool, git, make_remote_repo
from fastmcp import Client
from llmingest.fetch.cache import ResultCache
from llmingest.mcp_server.server import create_server
from llmingest.mcp_server.service import Service
from llmingest.options import Options

REPO_TOOLS = {"ingest_repository", "repository_tree", "read_repository_file"}
ALL_TOOLS = REPO_TOOLS | {"fetch_page", "convert_pdf", "docs_index", "read_docs", "search_docs", "curl_actions"}


call = call_tool


def list_tools(server):
    async def go():
        async with Client(server) as client:
            return await client.list_tools()

    return asyncio.run(go())


@pytest.fixture()
def local_repo(tmp_path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# Proj\n\nA demo project.\n")
    (root / "src" / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (root / ".github").mkdir()
    (root / ".github" / "ci.yml").write_text("on: push\n")
    body = "".join(f"def f{i}(x):\n    return x * {i}  # some words to make tokens\n\n" for i in range(400))
    (root / "src" / "big.py").write_text(body)
    git("init", "-q", "-b", "main", str(root))
    git("add", ".", cwd=root)
    git("commit", "-qm", "init", cwd=root)
    return root


def make_service(tmp_path, **options) -> Service:
    opts = Options(cache_dir=tmp_path / "cache", **options)
    return Service(options=opts, cache=ResultCache(tmp_path / "cache" / "results"))


def test_every_tool_is_listed_read_only_with_descriptions_and_schemas(tmp_path):
    tools = {t.name: t for t in list_tools(create_server(make_service(tmp_path)))}
    assert ALL_TOOLS <= set(tools)
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.description and len(tool.description) > 30
        assert tool.output_schema and tool.output_schema["type"] == "object"
    props = tools["ingest_repository"].input_schema["properties"]
    assert {"source", "include", "exclude", "max_tokens", "page_tokens", "cursor"} <= set(props)
    assert props["source"]["description"]
    assert set(tools["search_docs"].input_schema["properties"]) >= {"url", "query", "k"}
    assert "results" in tools["search_docs"].output_schema["properties"]


def test_ingest_repository_local_digest_and_filters(tmp_path, local_repo):
    server = create_server(make_service(tmp_path))
    res = call(server, "ingest_repository", {"source": str(local_repo), "include": ["src/calc.py", "README.md"]})
    text = res.content[0].text
    assert "def add(a, b):" in text and "A demo project." in text
    assert "big.py" not in text
    assert res.structured_content["next_cursor"] is None
    assert res.structured_content["tokens"] == res.structured_content["total_tokens"] > 0
    res = call(server, "ingest_repository", {"source": str(local_repo), "exclude": ["src/**"], "format": "xml"})
    assert "<" in res.content[0].text and "def add" not in res.content[0].text


def test_ingest_repository_pages_with_a_cursor_until_the_end(tmp_path, local_repo):
    server = create_server(make_service(tmp_path))
    full = call(server, "ingest_repository", {"source": str(local_repo), "page_tokens": 1_000_000})
    whole = full.content[0].text
    parts, cursor, calls = [], None, 0
    while True:
        args = {"source": str(local_repo), "page_tokens": 2000}
        if cursor:
            args["cursor"] = cursor
        res = call(server, "ingest_repository", args)
        meta = res.structured_content
        assert meta["tokens"] <= 2000
        calls += 1
        if meta["next_cursor"] is None:
            parts.append(res.content[0].text)
            break
        text = res.content[0].text
        assert f"{meta['tokens_left_out']:,} tokens left out" in text
        assert meta["next_cursor"] in text
        parts.append(text.split("\n[... ")[0])  # the page without its "tokens left out" trailer
        cursor = meta["next_cursor"]
    assert calls > 3
    assert full.structured_content["total_tokens"] == meta["total_tokens"]
    joined = "".join(parts)
    assert joined.replace("\n", "") == whole.replace("\n", "")


def test_tree_and_single_file_and_helpful_errors(tmp_path, local_repo):
    server = create_server(make_service(tmp_path))
    tree = call(server, "repository_tree", {"source": str(local_repo)}).content[0].text
    assert "calc.py" in tree and "src/" in tree and "tokens" in tree
    res = call(server, "read_repository_file", {"source": str(local_repo), "path": "./src/calc.py"})
    assert res.content[0].text == "def add(a, b):\n    return a + b\n"
    res = call(server, "read_repository_file", {"source": str(local_repo), "path": "calc.py"}, raise_on_error=False)
    assert res.is_error
    msg = res.content[0].text
    assert "no file 'calc.py'" in msg and "src/calc.py" in msg and "\n" not in msg.strip()
    for typo in ("src/calk.py", "calcc.py"):  # a typo away: the README promises a did-you-mean
        res = call(server, "read_repository_file", {"source": str(local_repo), "path": typo}, raise_on_error=False)
        assert res.is_error and "did you mean src/calc.py?" in res.content[0].text
    res = call(server, "ingest_repository", {"source": str(tmp_path / "nope")}, raise_on_error=False)
    assert res.is_error and "Traceback" not in res.content[0].text
    res = call(server, "ingest_repository", {"source": str(local_repo), "cursor": "12.deadbeef00"},
               raise_on_error=False)
    assert res.is_error and "older version" in res.content[0].text


def test_remote_repo_via_host_map_is_cached(tmp_path, git_daemon):
    svc = make_service(tmp_path, host_map={"github.com": git_daemon["url"]})
    server = create_server(svc)
    before = git_daemon["requests"]()
    res = call(server, "ingest_repository", {"source": "https://github.com/o/r/tree/feature/x/docs"})
    text = res.content[0].text
    assert "# Feature" in text and "print('app')" not in text
    after_first = git_daemon["requests"]()
    assert after_first > before
    # the same source again, and the tree and a file of it: all served from the result cache
    call(server, "ingest_repository", {"source": "https://github.com/o/r/tree/feature/x/docs"})
    assert git_daemon["requests"]() == after_first
    assert svc.ingests == 1
    # a new process (new Service) on the same cache directory: still no fetch
    svc2 = make_service(tmp_path, host_map={"github.com": git_daemon["url"]})
    call(create_server(svc2), "ingest_repository", {"source": "https://github.com/o/r/tree/feature/x/docs"})
    assert git_daemon["requests"]() == after_first and svc2.ingests == 0
    res = call(server, "read_repository_file", {"source": "o/r", "path": "src/app.py"})
    assert res.content[0].text == "print('app')\n"


def test_error_hints_name_tool_arguments_not_cli_flags(tmp_path, git_daemon):
    server = create_server(make_service(tmp_path, host_map={"github.com": git_daemon["url"]}))
    res = call(server, "repository_tree", {"source": "o/missing"}, raise_on_error=False)
    text = res.content[0].text
    assert res.is_error and "--token" not in text and "GITHUB_TOKEN" in text and "Authorization" in text
    res = call(server, "ingest_repository", {"source": "o/r", "include": ["*.rs"]}, raise_on_error=False)
    assert res.is_error and "--" not in res.content[0].text and "include/exclude" in res.content[0].text


def test_bad_arguments_are_one_line_tool_errors(tmp_path, local_repo):
    # pydantic's report was four lines with a docs URL; an agent gets one line naming the argument
    server = create_server(make_service(tmp_path))
    res = call(server, "ingest_repository", {"source": str(local_repo), "page_tokens": 5}, raise_on_error=False)
    assert res.is_error and res.content[0].text == "bad arguments: page_tokens: Input should be greater than or equal to 200"
    res = call(server, "search_docs", {"url": "https://docs.example.com/"}, raise_on_error=False)
    assert res.is_error and res.content[0].text == "bad arguments: query: Missing required argument"
    ok = call(server, "repository_tree", {"source": str(local_repo)})  # good calls pass through untouched
    assert not ok.is_error and "calc.py" in ok.content[0].text


def test_server_mode_refuses_local_paths_and_private_addresses(tmp_path, local_repo):
    server = create_server(make_service(tmp_path, allow_private=False))
    res = call(server, "ingest_repository", {"source": str(local_repo)}, raise_on_error=False)
    assert res.is_error and "refusing local path" in res.content[0].text
    res = call(server, "fetch_page", {"url": "http://127.0.0.1:9/"}, raise_on_error=False)
    assert res.is_error and "non-public address" in res.content[0].text
    res = call(server, "convert_pdf", {"source": "http://169.254.169.254/latest/file.pdf"}, raise_on_error=False)
    assert res.is_error and "169.254.169.254" in res.content[0].text
    res = call(server, "ingest_repository", {"source": f"file://{local_repo}"}, raise_on_error=False)
    assert res.is_error and "refusing" in res.content[0].text


def test_remote_repo_fresh_bare_repo_changes_are_seen_after_cache_off(tmp_path, git_daemon):
    make_remote_repo(git_daemon["base"], "o/fresh")
    svc = Service(options=Options(cache_dir=tmp_path / "c", host_map={"github.com": git_daemon["url"]}, cache=False),
                  cache=ResultCache(tmp_path / "c" / "results", enabled=False))
    server = create_server(svc)
    call(server, "repository_tree", {"source": "o/fresh"})
    call(server, "repository_tree", {"source": "o/fresh"})
    assert svc.ingests == 2  # --no-cache really fetches each time


def test_local_edits_are_seen_at_once(tmp_path, local_repo):
    """An agent edits a file and reads it again: a local folder is never served from a cache."""
    server = create_server(make_service(tmp_path))
    args = {"source": str(local_repo), "path": "src/calc.py"}
    assert "a + b" in call(server, "read_repository_file", args).content[0].text
    (local_repo / "src" / "calc.py").write_text("def add(a, b):\n    return b + a\n")  # same size and tokens
    assert "b + a" in call(server, "read_repository_file", args).content[0].text
    digest = call(server, "ingest_repository", {"source": str(local_repo), "include": ["src/calc.py"]})
    assert "b + a" in digest.content[0].text


def test_max_tokens_fits_the_digest_readme_first_and_page_tokens_pages_it(tmp_path):
    """max_tokens means what the CLI's --max-tokens means (a fitted digest, README first), not a
    page size: an agent asking for 3,000 tokens gets the README, not .gitignore and the LICENSE."""
    repo = tmp_path / "proj"
    (repo / "src").mkdir(parents=True)
    (repo / "README.md").write_text("# Proj\n\nThe readme explains everything.\n")
    (repo / ".gitignore").write_text("\n".join(f"ignored{i}/" for i in range(400)) + "\n")
    (repo / "LICENSE").write_text("Permission is hereby granted " * 400 + "\n")
    (repo / "src" / "app.py").write_text("def main():\n    return 1\n")
    git("init", "-q", cwd=repo)
    server = create_server(make_service(tmp_path))
    res = call(server, "ingest_repository", {"source": str(repo), "max_tokens": 3000})
    text = res.content[0].text
    assert text.index("The readme explains everything.") < len(text)
    assert res.structured_content["total_tokens"] <= 3000
    assert "Permission is hereby granted " * 400 not in text
    paged = call(server, "ingest_repository", {"source": str(repo), "page_tokens": 300})
    assert paged.structured_content["tokens"] <= 300 and paged.structured_content["next_cursor"]
