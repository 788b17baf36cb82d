"""Typed option groups and limits (issue 16): what replaced ``Options.extra``, and the two bugs it hid.

``serve --max-page-size`` used to set a key the crawler never read, and ``--max-files`` a key read by
nothing on some paths; now both are typed fields every path reads, set on every request's Options.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import call_tool
from llmingest import ingest
from llmingest.errors import LimitExceeded
from llmingest.fetch.http import DEFAULT_MAX_BYTES, page_cap
from llmingest.options import CrawlOptions, Options, OutputOptions, PageOptions, PdfOptions


def test_the_old_extra_keys_land_in_their_typed_fields():
    opts = Options(extra={"format": "xml", "top": 3, "token_tree": True, "front_matter": False, "charset": "latin-1",
                          "page_markers": True, "images_ref": "img", "backoff": 0.1, "retries": 0, "workers": 1,
                          "login_start": "https://a.example/", "max_page_bytes": 7_000, "max_files": 9,
                          "nobody_reads_this": 1})
    assert opts.output == OutputOptions(format="xml", top=3, token_tree=True)
    assert opts.page == PageOptions(front_matter=False, charset="latin-1")
    assert opts.pdf == PdfOptions(page_markers=True, images_ref="img")
    assert opts.crawl == CrawlOptions(backoff=0.1, retries=0, workers=1, login_start="https://a.example/")
    assert (opts.max_page_size, opts.max_files) == (7_000, 9)
    assert opts.extra == {"nobody_reads_this": 1}  # unknown keys stay, read by nothing, as before
    # the CLI's name and the server's name were both honoured; the smaller cap wins
    assert Options(extra={"max_page_size": 5_000, "max_page_bytes": 8_000}).max_page_size == 5_000


def test_merged_keeps_groups_and_absorbs_new_extra_keys():
    base = Options(page=PageOptions(links=False), max_page_size=1_000)
    again = base.merged(max_tokens=50, extra={"images": False})
    assert again.page == PageOptions(links=False, images=False) and again.max_page_size == 1_000
    assert base.page == PageOptions(links=False)  # groups are frozen: a copy never changes the original


def test_a_group_given_as_a_table_becomes_its_dataclass():
    from llmingest.errors import UsageError

    assert Options(pdf={"page_markers": True}).pdf == PdfOptions(page_markers=True)  # [[sources]] pdf = {...}
    with pytest.raises(UsageError, match="unknown pdf option"):
        Options(pdf={"page_marker": True})


def test_page_cap_is_the_typed_limit_only_when_lower():
    assert page_cap(None, DEFAULT_MAX_BYTES) == DEFAULT_MAX_BYTES
    assert page_cap(Options(max_page_size=10), 100) == 10
    assert page_cap(Options(max_page_size=1_000), 100) == 100


def _folder(root: Path, n: int) -> Path:
    root.mkdir()
    for i in range(n):
        (root / f"f{i}.py").write_text(f"x = {i}\n")
    return root


def test_max_files_refuses_a_larger_digest_before_reading(tmp_path):
    src = _folder(tmp_path / "proj", 3)
    with pytest.raises(LimitExceeded, match="3 files, over this server's limit of 2"):
        ingest(str(src), Options(max_files=2, cache_dir=tmp_path / "c"))
    assert len(ingest(str(src), Options(max_files=3, cache_dir=tmp_path / "c")).documents) == 3


def test_mcp_max_files_bounds_a_local_digest_through_the_real_server(tmp_path):
    """``llmingest mcp --max-files`` (stdio, local folders allowed) bounds ingest_repository."""
    from llmingest.mcp_server.server import create_server
    from llmingest.mcp_server.service import build_service

    src = _folder(tmp_path / "proj", 3)
    svc = build_service(server_mode=False, cache_dir=tmp_path / "c", max_files=2)
    res = call_tool(create_server(svc), "ingest_repository", {"source": str(src)}, raise_on_error=False)
    assert res.is_error and "over this server's limit of 2" in res.content[0].text
    assert svc.options_for().max_files == 2 and svc.options_for().max_page_size == svc.limits.max_page_bytes
    assert svc.options_for(max_files=10**6, max_page_size=10**12).max_files == 2  # a request cannot raise them
    assert svc.options_for(max_page_size=100).max_page_size == 100  # nor is a lower one raised
    svc.limits.max_files = 0  # 0 switches the limit off
    ok = call_tool(create_server(svc), "ingest_repository", {"source": str(src)})
    assert "f2.py" in ok.content[0].text


def test_a_runs_config_file_reaches_its_commands_through_the_context_not_a_global(tmp_path, monkeypatch):
    """The config path travels as click's ``ctx.obj``; a later run in the same process (here Typer's
    runner, without ``main``) never reads the [[sources]] of the config an earlier run found."""
    from llmingest.cli import app, main
    from typer.testing import CliRunner

    first = tmp_path / "first"
    first.mkdir()
    (first / "README.md").write_text("# First\n\nThe first project.\n")
    (first / "llmingest.toml").write_text('[[sources]]\nsource = "."\nname = "first"\n')
    monkeypatch.chdir(first)
    with pytest.raises(SystemExit) as exc:
        main(["bundle", "-q", "-o", "out.md"])
    assert exc.value.code == 0 and "The first project." in (first / "out.md").read_text()
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    res = CliRunner().invoke(app, ["bundle", "-q", "-o", "out.md"])
    assert res.exit_code == 2 and not (other / "out.md").exists()
    assert "no sources given" in res.output
