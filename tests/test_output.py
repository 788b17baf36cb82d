"""``llmingest.output``: atomic writes, the stale-file manifest of a managed folder, --check diffs.

Real files in tmp dirs; the CLI checks run ``llmingest bundle`` on a real temp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from llmingest import output
from llmingest.cli import app
from typer.testing import CliRunner

HEADER = "written by a test"


def test_write_atomic_replaces_whole_files_with_open_permissions(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.md"
    old = os.umask(0o022)
    try:
        output.write_atomic(target, ["# a\n", "b\n"])
    finally:
        os.umask(old)
    assert target.read_text() == "# a\nb\n" and target.stat().st_mode & 0o777 == 0o644

    def broken():
        yield "half"
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        output.write_atomic(target, broken())
    assert target.read_text() == "# a\nb\n"  # the old file, untouched
    assert [p.name for p in target.parent.iterdir()] == ["out.md"]  # no temp file left behind


def test_write_folder_keeps_unchanged_files_and_lists_only_valid_names(tmp_path: Path) -> None:
    out = tmp_path / "site"
    written, failed = output.write_folder(out, {"llms.txt": "# S\n", "guide/a.md": "A\n", "x\nindex.html": "no"}, HEADER)
    assert sorted(p.relative_to(out).as_posix() for p in written) == ["guide/a.md", "llms.txt"]
    assert failed == ["'x\\nindex.html': not a safe name inside the folder"]
    assert set(output.read_manifest(out)) == {"llms.txt", "guide/a.md"}
    assert (out / output.MANIFEST).read_text().startswith(f"# {HEADER}\n")
    os.utime(out / "llms.txt", ns=(1, 1))
    output.write_folder(out, {"llms.txt": "# S\n", "guide/a.md": "A\n"}, HEADER)
    assert (out / "llms.txt").stat().st_mtime_ns == 1  # same text: not rewritten


def test_stale_files_go_only_when_ours_and_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the user's page")
    output.write_folder(out, {"llms.txt": "# S\n", "old.md": "old\n", "edited.md": "mine\n", "gone/x.md": "x\n"}, HEADER)
    (out / "edited.md").write_text("the user edited this")
    assert output.stale_files(out, {"llms.txt": "# S\n"}) == ["gone/x.md", "old.md"]
    output.write_folder(out, {"llms.txt": "# S\n"}, HEADER)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        output.MANIFEST, "edited.md", "index.html", "llms.txt"]  # emptied folder gone, user's files kept
    assert set(output.read_manifest(out)) == {"llms.txt"}


def test_diff_folder_names_changed_missing_and_left_over_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    output.write_folder(out, {"llms.txt": "# S\n", "a.md": "A\n", "old.md": "old\n"}, HEADER)
    assert output.diff_folder(out, {"llms.txt": "# S\n", "a.md": "A\n", "old.md": "old\n"}) == ([], "")
    stale, diff = output.diff_folder(out, {"llms.txt": "# S2\n", "a.md": "A\n", "new.md": "N\n"})
    assert stale == ["llms.txt", "new.md", "old.md (page gone)"]
    assert "-# S\n+# S2\n" in diff and "--- /dev/null\n+++ b/new.md\n" in diff and "+++ /dev/null" in diff
    stale, diff = output.diff_folder(out, {f"p{i}.md": "x\n" * 50 for i in range(20)}, max_lines=30)
    assert diff.endswith("... diff cut at 30 lines\n") and diff.count("\n") == 31


def test_unified_diff_and_check_files(tmp_path: Path) -> None:
    same, changed, missing = tmp_path / "same.md", tmp_path / "changed.md", tmp_path / "missing.md"
    same.write_text("x\n")
    changed.write_text("old\n")
    assert output.unified_diff(same, "x\n") is None
    assert f"--- {changed} (committed)\n+++ {changed} (generated)\n" in output.unified_diff(changed, "new\n")
    said: list[str] = []
    stale = output.check_files({same: "x\n", changed: "new\n", missing: "m\n"}, [tmp_path / "extra.md"], said.append)
    assert stale == [str(tmp_path / "extra.md"), str(changed), str(missing)]
    assert said[0] == f"{tmp_path / 'extra.md'}: no longer generated (would be removed)" and len(said) == 3


def test_stale_parts_match_only_numbered_parts_of_this_name(tmp_path: Path) -> None:
    out = tmp_path / "ctx.md"
    for name in ("ctx.1.md", "ctx.2.md", "ctx.03.md", "ctx.notes.md", "ctxa.1.md"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in output.stale_parts(out, {tmp_path / "ctx.1.md"})] == ["ctx.03.md", "ctx.2.md"]
    output.remove_stale_parts(out, {tmp_path / "ctx.1.md"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ctx.1.md", "ctx.notes.md", "ctxa.1.md"]


def test_bundle_check_exit_codes(tmp_path: Path) -> None:
    """``bundle --check``: 0 when the committed files are what a run writes, else the StaleOutput
    exit code with a diff; a mirror left by an earlier run counts as stale."""
    from llmingest.errors import StaleOutput

    src = tmp_path / "notes"
    src.mkdir()
    (src / "a.md").write_text("# A\n\nFirst.\n")
    (src / "b.md").write_text("# B\n\nSecond.\n")
    out, ctx = tmp_path / "llms", tmp_path / "ctx.md"
    args = ["bundle", str(src), "--name", "n", "--llms-txt", str(out), "-o", str(ctx), "-q"]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, [*args, "--check"]).exit_code == 0
    (src / "a.md").write_text("# A\n\nChanged.\n")
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == StaleOutput.exit_code and "+Changed." in result.output
    assert runner.invoke(app, args).exit_code == 0
    (src / "b.md").unlink()
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == StaleOutput.exit_code
    assert "notes/b.md: no longer generated (would be removed)" in result.output
    assert runner.invoke(app, args).exit_code == 0
    assert not (out / "notes" / "b.md").exists() and (out / "notes" / "a.md").is_file()
