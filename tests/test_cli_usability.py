"""What a new user trips over at the command line (issue 15): mistyped commands, missing files,
server start-up errors, split parts that sort. The real CLI runs in a subprocess."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from conftest import git


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llmingest", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_mistyped_command_suggests_the_command(tmp_path):
    out = _cli("pgae", "x.html", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "error: unknown command 'pgae'; did you mean 'page'?"


def test_version_as_a_word_points_to_the_option(tmp_path):
    out = _cli("version", cwd=tmp_path)
    assert out.returncode == 2
    assert "did you mean '--version'?" in out.stderr


def test_an_existing_folder_named_like_a_command_typo_is_still_a_source(tmp_path):
    (tmp_path / "pgae").mkdir()
    (tmp_path / "pgae" / "a.txt").write_text("hello folder\n")
    out = _cli("pgae", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "hello folder" in out.stdout


def test_missing_html_or_pdf_does_not_suggest_git_urls(tmp_path):
    for name, command in (("nosuch.html", "page"), ("nosuch.pdf", "pdf")):
        out = _cli(command, name, cwd=tmp_path)
        assert out.returncode == 3
        assert f"no such file or directory: {name}" in out.stderr
        assert "git URL" not in out.stderr and "owner/repo" not in out.stderr


def test_serve_refuses_a_bad_port_in_one_line():
    out = _cli("serve", "--port", "99999")
    assert out.returncode == 2
    assert out.stderr.strip() == "error: --port 99999 is not a port number (0-65535)"
    assert "Traceback" not in out.stderr


def test_serve_and_mcp_say_the_port_is_taken_before_serving():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (("serve", "--port", port), ("mcp", "--http", "--port", port)):
            out = _cli(*args)
            assert out.returncode == 5, out.stderr
            assert "already in use" in out.stderr
            assert "serving on" not in out.stderr and "MCP on" not in out.stderr
            assert len(out.stderr.strip().splitlines()) == 1


def test_split_parts_sort_in_order_and_old_names_are_removed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    for i in range(40):
        words = " ".join(f"word{i}_{j}" for j in range(60))
        (repo / f"f{i:02d}.txt").write_text(words + "\n")
    git("init", "-q", cwd=repo)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "digest.1.md").write_text("from an earlier, unpadded split\n")
    result = _cli("repo", str(repo), "--split-tokens", "1000", "-o", str(out_dir / "digest.md"), "-q")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out_dir.iterdir())
    assert len(names) >= 10
    width = len(str(len(names)))
    assert names == [f"digest.{i:0{width}d}.md" for i in range(1, len(names) + 1)]
    text = "".join((out_dir / n).read_text() for n in names)  # name order is part order
    positions = [text.index(f"word{i}_0 ") for i in range(40)]
    assert positions == sorted(positions)


def test_a_digest_never_reads_its_own_previous_output(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.py").write_text("print('hello')\n" * 50)
    git("init", "-q", cwd=repo)
    sizes = []
    for _ in range(3):
        result = _cli("repo", ".", "-o", "digest.md", "-q", cwd=repo)
        assert result.returncode == 0, result.stderr
        sizes.append((repo / "digest.md").read_text())
    assert sizes[0] == sizes[1] == sizes[2]
    assert "digest.md" not in sizes[2]
    assert sizes[2].count("print('hello')") == 50
    # split parts are never read back either
    (repo / "digest.md").unlink()
    for _ in range(2):
        result = _cli("repo", ".", "--split-tokens", "2000", "-o", "out/d.md", "-q", cwd=repo)
        assert result.returncode == 0, result.stderr
    parts = "".join(p.read_text() for p in sorted((repo / "out").iterdir()))
    assert "d.1.md" not in parts and parts.count("print('hello')") == 50


def test_max_tokens_bounds_the_whole_written_file_with_top_and_token_tree(tmp_path):
    from llmingest.tokens import count

    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    for i in range(60):
        (repo / "pkg" / f"module_{i:02d}.py").write_text("\n".join(f"value_{j} = {j} * {i}" for j in range(80)) + "\n")
    git("init", "-q", cwd=repo)
    for args, budget in ((("--top", "50"), 6000), (("--token-tree",), 5000), (("--top", "20", "--token-tree"), 4000)):
        out = tmp_path / "d.md"
        result = _cli("repo", str(repo), *args, "--max-tokens", str(budget), "-o", str(out), "-q")
        assert result.returncode == 0, result.stderr
        text = out.read_text()
        assert count(text) <= budget, (args, count(text))
        assert "module_00.py" in text


def test_help_examples_are_whole_lines_at_80_columns():
    """--help wrapped examples mid-command ('... # fit a budget, show the' / 'biggest files'): every
    example line fits an 80-column terminal, its comment on the line above."""
    import os

    from llmingest.cli import COMMANDS

    for name in COMMANDS:
        out = subprocess.run([sys.executable, "-m", "llmingest", name, "--help"], capture_output=True, text=True,
                             env={**os.environ, "COLUMNS": "80", "TERM": "dumb"}, timeout=60).stdout
        lines = out.splitlines()
        examples = [i for i, line in enumerate(lines) if line.strip().startswith("llmingest ")]
        assert examples, name
        for i in examples:
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            assert nxt == "" or nxt.startswith(("#", "llmingest", "╭")), (name, lines[i], nxt)
            assert "  # " not in lines[i], (name, lines[i])
