"""search_repository, repository_outline and read_repository_file's line ranges through FastMCP's
in-memory client, on a git repository made in a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import call_tool, git, local_service
from llmingest.mcp_server.server import create_server

PY = '''"""Accounts."""
import hashlib


def hash_password(password: str) -> str:
    """Hash a password."""
    salt = "s"
    return hashlib.sha256((salt + password).encode()).hexdigest()


class UserAccount:
    """A user."""

    def getUserName(self) -> str:
        first = self.first
        return first + " " + self.last
'''
TS = '''export interface Order { id: number }
export function totalPrice(order: Order): number {
  const base = 10;
  return base * order.id;
}
'''


@pytest.fixture()
def repo(tmp_path) -> Path:
    root = tmp_path / "shop"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# Shop\n\nHow to set a password.\n")
    (root / "src" / "accounts.py").write_text(PY)
    (root / "src" / "orders.ts").write_text(TS)
    filler = "".join(f"line {i} nothing here\n" for i in range(200))
    (root / "notes.txt").write_text(filler + "password reset is manual\n")
    git("init", "-q", "-b", "main", str(root))
    git("add", ".", cwd=root)
    git("commit", "-qm", "init", cwd=root)
    return root


def server(tmp_path):
    return create_server(local_service(tmp_path))


def test_tools_are_listed(tmp_path):
    import asyncio

    from fastmcp import Client

    async def go():
        async with Client(server(tmp_path)) as c:
            return {t.name: t for t in await c.list_tools()}

    tools = asyncio.run(go())
    assert {"search_repository", "repository_outline", "read_repository_file"} <= set(tools)
    props = tools["search_repository"].input_schema["properties"]
    assert {"source", "query", "regex", "include", "context_lines", "max_results"} <= set(props)
    assert {"start_line", "end_line"} <= set(tools["read_repository_file"].input_schema["properties"])


def test_search_words_ranked_with_lines_and_context(tmp_path, repo):
    res = call_tool(server(tmp_path), "search_repository", {"source": str(repo), "query": "hash password"})
    data = res.structured_content
    assert data["results"], data
    top = data["results"][0]
    assert top["path"] == "src/accounts.py"
    lines = PY.split("\n")
    assert "password" in lines[top["line"] - 1].lower()
    assert top["start_line"] <= top["line"] <= top["end_line"]
    assert f"{top['line']}:" in top["context"]
    assert "src/accounts.py:" in res.content[0].text


def test_search_splits_identifiers(tmp_path, repo):
    data = call_tool(server(tmp_path), "search_repository",
                     {"source": str(repo), "query": "user name"}).structured_content
    assert data["results"][0]["path"] == "src/accounts.py"
    assert "getUserName" in PY.split("\n")[data["results"][0]["line"] - 1]


def test_search_regex_is_exact_and_in_path_order(tmp_path, repo):
    data = call_tool(server(tmp_path), "search_repository",
                     {"source": str(repo), "query": r"^(export )?(def|function) \w+", "regex": True,
                      "context_lines": 0}).structured_content
    found = [(r["path"], r["line"]) for r in data["results"]]
    assert found == [("src/accounts.py", 5), ("src/orders.ts", 2)]
    assert data["results"][0]["context"].endswith("def hash_password(password: str) -> str:")


def test_search_include_and_paging(tmp_path, repo):
    srv = server(tmp_path)
    args = {"source": str(repo), "query": r"line \d+", "regex": True, "include": ["*.txt"], "max_results": 50}
    first = call_tool(srv, "search_repository", args).structured_content
    assert len(first["results"]) == 50 and first["next_cursor"] == "50"
    assert {r["path"] for r in first["results"]} == {"notes.txt"}
    second = call_tool(srv, "search_repository", {**args, "cursor": first["next_cursor"]}).structured_content
    assert second["results"][0]["line"] == 51
    none = call_tool(srv, "search_repository", {"source": str(repo), "query": "password", "include": ["*.ts"]})
    assert none.structured_content["results"] == []


def test_bad_regex_is_one_line_error(tmp_path, repo):
    res = call_tool(server(tmp_path), "search_repository", {"source": str(repo), "query": "(", "regex": True},
                    raise_on_error=False)
    assert res.is_error and "bad regex" in res.content[0].text and "\n" not in res.content[0].text.strip()


def test_outline_of_file_and_folder(tmp_path, repo):
    srv = server(tmp_path)
    text = call_tool(srv, "repository_outline", {"source": str(repo), "path": "src/accounts.py"}).content[0].text
    assert "- function hash_password (lines 5-8)" in text
    assert "- class UserAccount (lines 11-16)" in text and "  - method getUserName (lines 14-16)" in text
    folder = call_tool(srv, "repository_outline", {"source": str(repo), "path": "src"}).content[0].text
    assert "`src/orders.ts`" in folder and "function totalPrice (lines 2-5)" in folder
    assert "interface Order (lines 1-1)" in folder
    missing = call_tool(srv, "repository_outline", {"source": str(repo), "path": "nope/"}, raise_on_error=False)
    assert missing.is_error and "no file" in missing.content[0].text


def test_read_line_range(tmp_path, repo):
    srv = server(tmp_path)
    res = call_tool(srv, "read_repository_file",
                    {"source": str(repo), "path": "src/accounts.py", "start_line": 5, "end_line": 8})
    assert res.content[0].text == "\n".join(PY.split("\n")[4:8]) + "\n"
    assert res.structured_content["source"].endswith("src/accounts.py#L5-L8")
    whole = call_tool(srv, "read_repository_file", {"source": str(repo), "path": "src/accounts.py"})
    assert whole.content[0].text == PY
    past = call_tool(srv, "read_repository_file", {"source": str(repo), "path": "src/accounts.py", "start_line": 500},
                     raise_on_error=False)
    assert past.is_error and "past the end" in past.content[0].text


def test_ingest_repository_compress(tmp_path, repo):
    srv = server(tmp_path)
    full = call_tool(srv, "ingest_repository", {"source": str(repo)}).content[0].text
    small = call_tool(srv, "ingest_repository", {"source": str(repo), "compress": True}).content[0].text
    assert 'salt = "s"' in full and 'salt = "s"' not in small
    assert "def hash_password(password: str) -> str:" in small and "lines omitted" in small
    assert "How to set a password." in small  # docs untouched
    assert "- Compressed:" in small


def test_local_repo_is_read_again_only_when_it_changed(tmp_path, repo):
    from llmingest.mcp_server import code_tools

    svc = local_service(tmp_path)
    srv = create_server(svc)
    ask = {"source": str(repo), "query": "refund policy"}
    assert call_tool(srv, "search_repository", ask).structured_content["results"] == []
    runs = svc.ingests
    assert call_tool(srv, "search_repository", ask).structured_content["results"] == []
    assert svc.ingests == runs  # unchanged work tree: no second digest
    (repo / "src" / "accounts.py").write_text(PY + "\n# refund policy lives here\n")  # tracked, modified
    hits = call_tool(srv, "search_repository", ask).structured_content["results"]
    assert hits and hits[0]["path"] == "src/accounts.py" and svc.ingests == runs + 1
    (repo / "refunds.md").write_text("Refund policy: thirty days.\n")  # untracked
    hits = call_tool(srv, "search_repository", ask).structured_content["results"]
    assert "refunds.md" in {h["path"] for h in hits}
    (repo / "src" / "accounts.py").write_text(PY + "\n# refund policy moved, it is long now\n")  # modified again
    text = call_tool(srv, "read_repository_file", {"source": str(repo), "path": "src/accounts.py"}).content[0].text
    assert "moved" in text
    hits = call_tool(srv, "search_repository", {**ask, "query": "moved"}).structured_content["results"]
    assert hits and hits[0]["path"] == "src/accounts.py"
    assert code_tools.local_fingerprint(str(tmp_path)) is None  # not a git work tree: no shortcut
