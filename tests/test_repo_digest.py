"""Repository digests against real git repositories made in temp dirs."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from llmingest import Options, ingest, render
from llmingest.cli import app, main
from llmingest.errors import SourceNotFound
from typer.testing import CliRunner

runner = CliRunner()


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env).stdout


def write(root: Path, rel: str, data: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "README.md", "# Proj\n\nA project.\n")
    write(root, "src/app.py", "def main():\n    return 1\n")
    write(root, "src/util/helpers.py", "X = 1\n")
    write(root, ".gitignore", "*.log\n!keep.log\nbuild/\n")
    write(root, "src/.gitignore", "generated_*.py\n!generated_keep.py\n")
    write(root, "src/generated_a.py", "A = 1\n")
    write(root, "src/generated_keep.py", "K = 1\n")
    write(root, "debug.log", "noise\n")
    write(root, "keep.log", "kept\n")
    write(root, "build/out.js", "x\n")
    write(root, "tests/test_app.py", "def test_x():\n    assert True\n")
    write(root, "docs/guide/intro.md", "# Intro\n")
    write(root, "docs/api.txt", "api\n")
    write(root, "package-lock.json", "{}\n")
    write(root, "logo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    write(root, "data.dat", bytes(range(256)) * 4)
    write(root, "latin1.txt", "caf\xe9 cr\xe8me br\xfbl\xe9e\n".encode("cp1252"))
    write(root, "utf16.txt", "hello from utf-16\n".encode("utf-16"))
    write(root, ".env", "API_KEY=abcd1234efgh5678\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    write(root, "untracked.py", "U = 1\n")  # untracked but not ignored: git would track it
    (root / ".git" / "info" / "exclude").write_text("secret_local.txt\n")
    write(root, "secret_local.txt", "excluded by info/exclude\n")
    return root


def ls_files(root: Path) -> set[str]:
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, check=True).stdout.decode()
    return {p for p in out.split("\0") if p}


def test_selection_equals_git_minus_default_ignores(repo: Path) -> None:
    bundle = ingest(str(repo), cache=False)
    paths = {d.path for d in bundle.documents} | {s.path for s in bundle.skipped}
    expected = ls_files(repo) - {"package-lock.json", "logo.png", ".env"}
    assert paths == expected
    assert "src/generated_a.py" not in paths and "src/generated_keep.py" in paths  # nested negation
    assert "keep.log" in paths and "debug.log" not in paths
    assert "secret_local.txt" not in paths  # .git/info/exclude
    assert "untracked.py" in paths


def test_binary_detection_both_ways(repo: Path) -> None:
    bundle = ingest(str(repo), cache=False)
    docs = {d.path: d for d in bundle.documents}
    assert "data.dat" in {s.path for s in bundle.skipped}
    assert docs["latin1.txt"].content == "café crème brûlée\n"
    assert docs["utf16.txt"].content == "hello from utf-16\n"
    text = render(bundle, "markdown")
    assert "\x00" not in text


def test_default_ignores_can_be_turned_off_and_hidden(repo: Path) -> None:
    bundle = ingest(str(repo), cache=False, default_ignores=False, hidden=True)
    paths = {d.path for d in bundle.documents}
    assert "package-lock.json" in paths and ".env" in paths
    env = next(d for d in bundle.documents if d.path == ".env")
    assert "abcd1234efgh5678" not in env.content and "[REDACTED:env-value]" in env.content
    assert any(r.path == ".env" and r.line == 1 for r in bundle.redactions)


def test_include_exclude_globs(repo: Path) -> None:
    bundle = ingest(str(repo), cache=False, include=["docs/**/*.md", "*.py"], exclude=["tests/"])
    assert {d.path for d in bundle.documents} == {"docs/guide/intro.md", "src/app.py", "src/util/helpers.py",
                                                  "src/generated_keep.py", "untracked.py"}


def test_llmingestignore(repo: Path) -> None:
    write(repo, ".llmingestignore", "docs/\n")
    write(repo, "src/util/.llmingestignore", "helpers.py\n")
    paths = {d.path for d in ingest(str(repo), cache=False).documents}
    assert not any(p.startswith("docs/") for p in paths)
    assert "src/util/helpers.py" not in paths and "src/app.py" in paths


def test_plain_folder_without_git_applies_gitignore(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, ".gitignore", "*.tmp\nout/\n")
    write(root, "a.py", "a = 1\n")
    write(root, "b.tmp", "x\n")
    write(root, "out/c.py", "c\n")
    write(root, "sub/.gitignore", "!keep.tmp\n")
    write(root, "sub/keep.tmp", "k\n")
    paths = {d.path for d in ingest(str(root), cache=False).documents}
    assert paths == {".gitignore", "a.py", "sub/.gitignore", "sub/keep.tmp"}


def test_symlinks_never_leave_the_tree(repo: Path, tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.txt", "TOP SECRET\n")
    os.symlink(outside, repo / "link_out.txt")
    os.symlink(repo / "README.md", repo / "link_in.md")
    bundle = ingest(str(repo), cache=False)
    skipped = {s.path: s.reason for s in bundle.skipped}
    assert "outside the tree" in skipped["link_out.txt"]
    assert "TOP SECRET" not in render(bundle)
    assert any(d.path == "link_in.md" and "# Proj" in d.content for d in bundle.documents)


def test_huge_file_skipped_without_reading(repo: Path) -> None:
    big = repo / "huge.txt"
    with open(big, "wb") as fh:  # sparse 2 GB file: never read
        fh.truncate(2 * 1024**3)
    bundle = ingest(str(repo), cache=False)
    reason = {s.path: s.reason for s in bundle.skipped}["huge.txt"]
    assert "larger than --max-file-size" in reason


def test_secrets_redacted_in_place(repo: Path) -> None:
    write(repo, "config.py", 'AWS = "AKIAIOSFODNN7EXAMPLE"\ntoken = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"\n'
          "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"
          "def real_code():\n    return 42\n")
    bundle = ingest(str(repo), cache=False)
    doc = next(d for d in bundle.documents if d.path == "config.py")
    assert "AKIAIOSFODNN7EXAMPLE" not in doc.content and "ghp_aBcD" not in doc.content
    assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" not in doc.content
    assert "def real_code():" in doc.content  # the file stays
    kinds = {(r.path, r.kind) for r in bundle.redactions}
    assert {("config.py", "aws-access-key-id"), ("config.py", "github-token"), ("config.py", "private-key")} <= kinds
    assert "Redacted secrets" in render(bundle)


def test_a_run_without_redaction_never_marks_a_file_clean_in_the_cache(repo: Path, tmp_path: Path) -> None:
    write(repo, "keys.py", 'AWS = "AKIAIOSFODNN7EXAMPLE"\n')
    cache_dir = tmp_path / "cache"
    plain = ingest(str(repo), Options(cache_dir=cache_dir), redact_secrets=False)
    assert "AKIAIOSFODNN7EXAMPLE" in next(d for d in plain.documents if d.path == "keys.py").content
    again = ingest(str(repo), Options(cache_dir=cache_dir))  # same cache: the file must still be scanned
    assert "AKIAIOSFODNN7EXAMPLE" not in next(d for d in again.documents if d.path == "keys.py").content
    assert any(r.path == "keys.py" for r in again.redactions)


def test_notebook_becomes_markdown_without_outputs(repo: Path) -> None:
    nb = {"cells": [{"cell_type": "markdown", "source": ["# Title\n", "Text"]},
                    {"cell_type": "code", "source": "print('hi')", "outputs": [{"text": "OUTPUT_NOISE"}]}],
          "metadata": {"kernelspec": {"language": "python"}}, "nbformat": 4}
    write(repo, "nb.ipynb", json.dumps(nb))
    doc = next(d for d in ingest(str(repo), cache=False).documents if d.path == "nb.ipynb")
    assert "# Title" in doc.content and "```python\nprint('hi')\n```" in doc.content
    assert "OUTPUT_NOISE" not in doc.content


def test_formats_markdown_xml_plain_json(repo: Path) -> None:
    write(repo, "tricky.md", "````\nnested ``` fence\n````\n")
    write(repo, "ctrl.txt", "form\x0cfeed & <tags>\n")
    bundle = ingest(str(repo), cache=False)
    md = render(bundle, "markdown")
    assert "`````markdown\n````\nnested" in md  # fence longer than any run inside
    assert "```python\ndef main():" in md
    root = ET.fromstring(render(bundle, "xml").encode())  # well-formed
    files = {f.get("path"): f.text for f in root.iter("file") if f.text}
    assert "form" in files["ctrl.txt"] and "& <tags>" in files["ctrl.txt"]
    plain = render(bundle, "plain")
    assert "Directory structure:" in plain and "FILE: src/app.py" in plain
    data = json.loads(render(bundle, "json"))
    assert data["total_tokens"] == bundle.total_tokens > 0
    assert {d["path"] for d in data["documents"]} == {d.path for d in bundle.documents}


def test_exact_token_counts_and_cache(repo: Path, tmp_path: Path) -> None:
    from llmingest.tokens import count

    cache_dir = tmp_path / "cache"
    first = ingest(str(repo), Options(cache_dir=cache_dir))
    app_doc = next(d for d in first.documents if d.path == "src/app.py")
    assert app_doc.tokens == count("def main():\n    return 1\n")
    assert (cache_dir / "tokens" / "o200k_base.scan.json").is_file()
    second = ingest(str(repo), Options(cache_dir=cache_dir))
    assert [d.tokens for d in second.documents] == [d.tokens for d in first.documents]
    cl = ingest(str(repo), cache=False, encoding="cl100k_base")
    assert cl.encoding == "cl100k_base"


def test_deterministic_output(repo: Path) -> None:
    a = render(ingest(str(repo), cache=False), "markdown")
    b = render(ingest(str(repo), cache=False), "markdown")
    assert a == b


def test_max_tokens_budget_priority(repo: Path) -> None:
    from llmingest.tokens import count

    for i in range(30):
        write(repo, f"src/mod{i:02d}.py", "\n".join(f"value_{j} = {j} * {i}" for j in range(120)) + "\n")
        write(repo, f"tests/test_mod{i:02d}.py", "\n".join(f"assert {j} == {j}" for j in range(120)) + "\n")
    bundle = ingest(str(repo), cache=False, max_tokens=8000)
    text = render(bundle, "markdown")
    assert count(text) <= 8000
    kept = {d.path for d in bundle.documents}
    assert "README.md" in kept and "docs/guide/intro.md" in kept
    left = {s.path for s in bundle.skipped if "8,000-token budget" in s.reason}
    assert any(p.startswith("tests/") for p in left)
    if any(p.startswith("tests/") for p in kept):  # tests come last: nothing of src/ may be left out
        assert not any(p.startswith("src/") for p in left)
    assert "token budget 8,000" in text and "--max-tokens" not in text  # the web and MCP have no flags


def test_large_file_truncated_with_marker(repo: Path) -> None:
    write(repo, "src/big.py", "\n".join(f"line_{i} = {i}" for i in range(5000)) + "\n")
    bundle = ingest(str(repo), cache=False, max_tokens=6000)
    big = next(d for d in bundle.documents if d.path == "src/big.py")
    assert big.truncated and "[truncated by llmingest:" in big.content


def test_git_log_and_diff(repo: Path) -> None:
    write(repo, "src/app.py", "def main():\n    return 2\n")
    bundle = ingest(str(repo), cache=False, git_log=5, diff=True)
    text = render(bundle)
    assert "Recent commits" in text and "init" in bundle.metadata["git_log"]
    assert "-    return 1" in bundle.metadata["diff"] and "+    return 2" in bundle.metadata["diff"]


def test_cli_repo_writes_file_and_split(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "digest.md"
    result = runner.invoke(app, ["repo", str(repo), "-o", str(out), "--top", "3", "--token-tree", "-q"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# proj") and "## Top 3 files by tokens" in text and "tokens)" in text
    for i in range(20):
        write(repo, f"src/m{i}.py", "\n".join(f"v{j} = {j}" for j in range(200)) + "\n")
    result = runner.invoke(app, ["repo", str(repo), "--split-tokens", "2000", "-o", str(tmp_path / "parts" / "d.md"), "-q"])
    assert result.exit_code == 0, result.output
    from llmingest.tokens import count

    parts = sorted((tmp_path / "parts").glob("d.*.md"))
    assert len(parts) > 2
    assert all(count(p.read_text()) <= 2000 for p in parts)
    joined = "".join(p.read_text() for p in parts)
    for i in range(20):
        assert f"src/m{i}.py" in joined


def test_cli_default_command_and_errors(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chdir(repo)
    with pytest.raises(SystemExit) as exc:
        main([".", "-q", "-o", str(tmp_path / "x.md")])
    assert exc.value.code == 0 and (tmp_path / "x.md").read_text().startswith("# proj")
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "missing-folder")])
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["repo", ".", "--format", "yaml"])
    assert exc.value.code == 2


def test_no_half_written_output_on_error(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.md"
    out.write_text("previous good digest\n")
    result = runner.invoke(app, ["repo", str(repo), "-i", "*.nothing", "-o", str(out)])
    assert result.exit_code == 3
    assert out.read_text() == "previous good digest\n"


def test_missing_path_is_typed_error(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFound):
        ingest(str(tmp_path / "nope"))


def test_subprocess_cli_help_has_example() -> None:
    out = subprocess.run(["llmingest", "repo", "--help"], capture_output=True, text=True, check=True).stdout
    assert "Examples" in out and "llmingest repo ." in out


@pytest.mark.parametrize(("text", "codec"), [
    ("Café — 5€\n", "cp1252"),
    ("Café naïve à résumé €5", "cp1252"),
    ("Привет мир, это тест кодировки", "cp1251"),
    ("Привет мир, это тест кодировки, длинный текст", "koi8-r"),
    ("Ελληνικά κείμενο δοκιμή", "cp1253"),
    ("日本語のテキストです。これはテストです。", "shift_jis"),
])
def test_legacy_encodings_decode_to_the_right_text(text: str, codec: str) -> None:
    from llmingest.textio import decode

    assert decode(text.encode(codec))[0] == text


def test_utf8_with_one_bad_byte_keeps_the_utf8(tmp_path: Path) -> None:
    from llmingest.textio import decode

    data = "grüße aus köln und überall\n".encode() + b"\xff" + b" ende\n"
    text, how = decode(data)
    assert "grüße aus köln" in text and "\ufffd" in text and how.startswith("utf-8")


def test_huge_binary_rejected_after_a_sample(repo: Path) -> None:
    big = repo / "blob.dat"
    with open(big, "wb") as fh:
        fh.write(b"\x00\x01\x02binary" * 10)
        fh.truncate(3 * 1024**3)  # 3 GB sparse; reading it whole would take minutes and gigabytes
    bundle = ingest(str(repo), cache=False, max_file_size=10 * 1024**3)
    assert {s.path: s.reason for s in bundle.skipped}["blob.dat"].startswith("binary")


@pytest.mark.parametrize("fmt", ["markdown", "xml", "json", "plain"])
def test_max_tokens_holds_in_every_format(repo: Path, tmp_path: Path, fmt: str) -> None:
    from llmingest.tokens import count

    for i in range(25):
        write(repo, f"src/mod{i:02d}.py", "\n".join(f"value_{j} = {j} * {i}" for j in range(80)) + "\n")
    out = tmp_path / f"d.{fmt}"
    result = runner.invoke(app, ["repo", str(repo), "--max-tokens", "5000", "-f", fmt, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert count(out.read_text()) <= 5000
    result = runner.invoke(app, ["repo", str(repo), "--max-tokens", "50", "-f", fmt, "-o", str(out), "-q"])
    assert result.exit_code == 7  # too small even for the summary: an error, not an oversized digest


def test_outputs_have_normal_permissions_and_clear_errors(repo: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "d.md"
        assert runner.invoke(app, ["repo", str(repo), "-o", str(out), "-q"]).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)
    result = runner.invoke(app, ["repo", str(repo), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder" in result.output
    assert runner.invoke(app, ["repo", str(repo), "--max-tokens", "-5"]).exit_code == 2


def test_split_removes_stale_parts(repo: Path, tmp_path: Path) -> None:
    for i in range(20):
        write(repo, f"src/m{i}.py", "\n".join(f"v{j} = {j}" for j in range(200)) + "\n")
    out = tmp_path / "parts" / "d.md"
    assert runner.invoke(app, ["repo", str(repo), "--split-tokens", "1500", "-o", str(out), "-q"]).exit_code == 0
    many = len(list(out.parent.glob("d.*.md")))
    assert runner.invoke(app, ["repo", str(repo), "--split-tokens", "30000", "-o", str(out), "-q"]).exit_code == 0
    assert many > 2 and len(list(out.parent.glob("d.*.md"))) == 1


def test_bare_repo_path_is_cloned_not_walked(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    paths = {d.path for d in ingest(str(bare), cache=False).documents}
    assert "README.md" in paths and "HEAD" not in paths and "config" not in paths


def test_plain_format_reports_what_was_cut_and_redacted(repo: Path) -> None:
    write(repo, "cfg.py", 'token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"\n')
    text = render(ingest(str(repo), cache=False, git_log=1), "plain")
    assert "Skipped:" in text and "Redacted secrets:" in text and "RECENT COMMITS" in text


def test_commit_messages_are_redacted(repo: Path) -> None:
    write(repo, "x.py", "x = 1\n")
    git(repo, "add", "x.py")
    git(repo, "commit", "-qm", "add key ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
    log = ingest(str(repo), cache=False, git_log=2).metadata["git_log"]
    assert "ghp_aBcD" not in log and "[REDACTED:github-token]" in log


def test_unknown_config_table_is_an_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "llmingest.toml").write_text('[repoo]\nformat = "xml"\n')
    monkeypatch.chdir(repo)
    with pytest.raises(SystemExit) as exc:
        main(["repo", ".", "-q"])
    assert exc.value.code == 2


def test_output_to_a_pipe_or_device_writes_into_it(tmp_path: Path) -> None:
    """`-o /dev/null` or a named pipe is written into, never renamed over (a rename would turn the
    system's null device into a regular file)."""
    import stat
    import threading

    from llmingest.output import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, ["hello ", "pipe\n"])
    reader.join(10)
    assert got == ["hello pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temp file left behind


def test_a_damaged_token_cache_is_recounted_not_trusted(repo: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = ingest(str(repo), Options(cache_dir=cache_dir))
    cache_file = next((cache_dir / "tokens").glob("*.json"))
    data = json.loads(cache_file.read_text())
    cache_file.write_text(json.dumps({k: ["x"] if k.startswith("file:") else v for k, v in data.items()}))
    again = ingest(str(repo), Options(cache_dir=cache_dir))
    assert [d.tokens for d in again.documents] == [d.tokens for d in first.documents]


def test_xml_text_drops_what_xml_cannot_carry_in_ascii_and_unicode_text_alike() -> None:
    """The fast paths (bytes.translate for ASCII, one regex otherwise) give what the plain
    definition gives: C0 controls but tab/newline/CR dropped, U+FFFE/U+FFFF dropped, a lone
    surrogate replaced, then &, <, > escaped."""
    from llmingest.render.digest import _xml_text

    def plain(text: str) -> str:
        text = "".join(c for c in text if not (ord(c) < 32 and c not in "\t\n\r") and c not in "\ufffe\uffff")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            text = text.encode("utf-8", "replace").decode("utf-8")
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    samples = ["plain ascii\n", "form\x0cfeed & <tags>\t\r\n", "\x00\x01\x1f", "naïve\x0c é <b>",
               "lone \ud800 surrogate\x07", "\ufffe\uffff kept? ü", "😀 & \udfff", ""]
    for text in samples:
        assert _xml_text(text) == plain(text), repr(text)
    ET.fromstring(f"<x>{_xml_text(''.join(samples))}</x>")  # well-formed
