"""`llmingest repo` code options through the CLI on real temp git repositories: --compress,
--outline, --diff-ref/--with-context, --sort-by-changes, --submodules, and the compressed tier of
--max-tokens."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from llmingest.cli import app
from typer.testing import CliRunner

runner = CliRunner()


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env).stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def body(name: str, n: int = 6) -> str:
    lines = "".join(f"    v{i} = {i} * 2  # step {i} of the work\n" for i in range(n))
    return f'def {name}(x):\n    """{name} does a thing."""\n{lines}    return x\n\n\n'


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "README.md", "# Proj\n\nread me\n")
    write(root, "app/core.py", body("core"))
    write(root, "app/util.py", body("util"))
    write(root, "tests/test_core.py", body("test_core", 30))
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    git(root, "tag", "v1")
    return root


def run(*args: str) -> str:
    result = runner.invoke(app, ["repo", *args, "-q"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_compress_keeps_signatures_and_docs(tmp_path):
    root = repo(tmp_path)
    full, small = run(str(root)), run(str(root), "--compress")
    assert "v3 = 3 * 2" in full and "v3 = 3 * 2" not in small
    assert 'def core(x):\n    """core does a thing."""\n    ...  # 7 lines omitted' in small
    assert "read me" in small and "- Compressed: 3 source files compressed" in small
    data = json.loads(run(str(root), "--compress", "-f", "json"))
    docs = {d["path"]: d for d in data["documents"]}
    assert docs["app/core.py"]["metadata"]["compressed"]["bodies"] == 1
    assert docs["app/core.py"]["tokens"] < docs["app/core.py"]["metadata"]["compressed"]["tokens_before"]
    assert "compressed" not in docs["README.md"]["metadata"]


def test_outline_prints_symbols(tmp_path):
    root = repo(tmp_path)
    out = run(str(root), "--outline")
    assert "## `app/core.py`" in out and "- function core (lines 1-9): `def core(x)`" in out
    assert "Files outlined: 3 (1 other" in out
    data = json.loads(run(str(root), "--outline", "-f", "json"))
    core = next(f for f in data["files"] if f["path"] == "app/core.py")
    assert core["symbols"][0] == {"name": "core", "kind": "function", "start_line": 1, "end_line": 9,
                                  "signature": "def core(x)", "children": []}
    assert data["other_files"] == 1


def test_diff_ref_lists_changed_files_with_diff_and_context(tmp_path):
    root = repo(tmp_path)
    write(root, "app/core.py", body("core").replace("v2 = 2 * 2", "v2 = 2 * 3"))
    write(root, "app/new.py", "NEW = 1\n")
    (root / "app" / "util.py").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "two")
    out = run(str(root), "--diff-ref", "v1..main")
    assert "- Changes: v1..main: 3 file(s) changed (1 added, 1 deleted)" in out
    assert "-    v2 = 2 * 2" in out and "+    v2 = 2 * 3" in out
    assert "### `README.md`" not in out and "### `app/util.py`" in out  # deleted: its diff
    ctx = run(str(root), "--diff-ref", "v1..main", "--with-context")
    assert "### `app/core.py`" in ctx and "v5 = 5 * 2" in ctx  # the whole new file
    assert "## Changes v1..main" in ctx and "+NEW = 1" in ctx
    assert "`app/util.py`: deleted in main" in ctx
    none = run(str(root), "--diff-ref", "main..main")
    assert "0 file(s) changed" in none
    bad = runner.invoke(app, ["repo", str(root), "--diff-ref", "nope..main", "-q"])
    assert bad.exit_code != 0 and "no commit 'nope'" in bad.output


def test_sort_by_changes_puts_busy_files_first(tmp_path):
    root = repo(tmp_path)
    for i in range(3):
        write(root, "app/util.py", body("util") + f"X = {i}\n")
        git(root, "commit", "-qam", f"util {i}")
    out = run(str(root), "--sort-by-changes")
    order = [line[5:-1] for line in out.splitlines() if line.startswith("### `")]
    assert order[0] == "app/util.py" and order.index("app/core.py") > 0
    assert "- Order: most often changed in the last 100 commits first" in out
    window = run(str(root), "--sort-by-changes", "--changes-window", "1")
    assert [line for line in window.splitlines() if line.startswith("### `")][0] == "### `app/util.py`"


def test_submodules_listed_and_included(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    git(lib, "init", "-q", "-b", "main")
    write(lib, "lib.py", "def helper():\n    return 1\n")
    git(lib, "add", ".")
    git(lib, "commit", "-qm", "lib")
    root = repo(tmp_path)
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "vendorlib")
    git(root, "commit", "-qm", "sub")
    plain = run(str(root))
    assert "vendorlib (submodule, not included (use --submodules))" in plain
    assert "def helper" not in plain
    withsub = run(str(root), "--submodules")
    assert "### `vendorlib/lib.py`" in withsub and "def helper" in withsub
    assert "(submodule" not in withsub


def test_budget_compresses_low_priority_source_before_dropping(tmp_path):
    root = repo(tmp_path)
    from llmingest.tokens import count

    text = run(str(root), "-f", "json")
    full = json.loads(text)
    tests_tokens = next(d["tokens"] for d in full["documents"] if d["path"] == "tests/test_core.py")
    budget = count(text) - tests_tokens // 3  # everything fits only if the test file shrinks
    data = json.loads(run(str(root), "-f", "json", "--max-tokens", str(budget)))
    docs = {d["path"]: d for d in data["documents"]}
    assert set(docs) == {"README.md", "app/core.py", "app/util.py", "tests/test_core.py"}, data["skipped"]
    assert "compressed" in docs["tests/test_core.py"]["metadata"]  # lowest priority: compressed
    assert "compressed" not in docs["app/core.py"]["metadata"]  # higher priority: whole
    assert "1 compressed" in data["metadata"]["budget"]


@pytest.mark.parametrize("args", [["--with-context"], ["--diff-ref", "-x..y"]])
def test_usage_errors(tmp_path, args):
    root = repo(tmp_path)
    result = runner.invoke(app, ["repo", str(root), *args, "-q"])
    assert result.exit_code != 0


def test_bundle_compress(tmp_path):
    root = repo(tmp_path)
    docs = tmp_path / "notes.md"
    docs.write_text("# Notes\n\ndef not_code():\n    stays = 1\n    here = 2\n")
    result = runner.invoke(app, ["bundle", str(root), str(docs), "--compress", "-q"])
    assert result.exit_code == 0, result.output
    assert "v3 = 3 * 2" not in result.stdout and "def core(x):" in result.stdout
    assert "stays = 1" in result.stdout  # markdown is never compressed


def test_sort_by_changes_on_a_remote_clone_fetches_the_history(tmp_path, git_daemon):
    """A remote digest clones one commit; --sort-by-changes deepens the clone to the window."""
    url = f"{git_daemon['url']}o/r.git"
    result = runner.invoke(app, ["repo", url, "--sort-by-changes", "--changes-window", "5", "-f", "json", "-q",
                                 "--no-cache"])
    assert result.exit_code == 0, result.output
    paths = [d["path"] for d in json.loads(result.stdout)["documents"]]
    assert paths[0] == "README.md"  # touched by both commits on main; every other file by one
    assert paths[1:] == sorted(paths[1:])
