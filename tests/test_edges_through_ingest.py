"""Every edge through ingest() (issue 16): the sources, transform, render views and fetch helpers the
CLI and MCP edges now call instead of fetching, walking or formatting by themselves.

Real parts only: a threaded HTTP server on 127.0.0.1, real folders, the real CLI via Typer's runner.
"""

from __future__ import annotations

import io
import json
import os
import sys
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import respond, serve_loopback
from llmingest.api import ingest
from llmingest.errors import UsageError
from llmingest.model import Bundle, Document, Skipped
from llmingest.options import CrawlOptions, Options, PageOptions

LLMS = b"# Gizmo\n\n> Gizmo's own index.\n\nInfo.\n\n## Docs\n\n- [Start](/start.md): start here\n\n" \
       b"## Optional\n\n- [More](/more.md)\n"


class Site(BaseHTTPRequestHandler):
    hits: list[tuple[str, str | None]] = []
    files = {"/g/llms.txt": LLMS, "/g/llms-full.txt": b"# Gizmo full\n\nall of it\n",
             "/start.md": b"# Start\n\nStart text.\n", "/more.md": b"# More\n\nMore text.\n"}

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits.append((self.path, self.headers.get("X-Session")))
        body = self.files.get(self.path.split("?")[0])
        if body is None:
            respond(self, 404)
        else:
            respond(self, 200, body, "text/markdown" if self.path.endswith(".md") else "text/plain; charset=utf-8")


@pytest.fixture()
def site():
    Site.hits = []
    base, stop = serve_loopback(Site)
    yield base
    stop()


def test_published_llms_txt_is_a_source_with_both_files_and_the_login_header_for_its_host(site):
    opts = Options(headers={"X-Session": "s1"}, cache=False)
    bundle = ingest(f"{site}/g/", opts, kind="llms.txt")
    assert bundle.kind == "site"
    assert [d.path for d in bundle.documents] == ["llms.txt", "llms-full.txt"]
    assert bundle.documents[0].content == LLMS.decode()
    assert bundle.documents[0].url == f"{site}/g/llms.txt"
    assert bundle.metadata["published"] == {"llms.txt": f"{site}/g/llms.txt", "llms-full.txt": f"{site}/g/llms-full.txt"}
    assert all(session == "s1" for _path, session in Site.hits)  # same host: the user's login goes along


def test_published_llms_txt_fetches_only_what_include_names(site):
    bundle = ingest(f"{site}/g/", Options(cache=False), kind="llms.txt", include=["llms.txt"])
    assert [d.path for d in bundle.documents] == ["llms.txt"]
    assert "llms-full.txt" in bundle.metadata["published"]  # found by the probe, not fetched
    fetched = [p for p, _ in Site.hits if p == "/g/llms-full.txt"]
    assert len(fetched) == 1  # the probe's request only


def test_a_site_that_publishes_nothing_gives_an_empty_bundle(site):
    bundle = ingest(f"{site}/nothing/", Options(cache=False), kind="llms.txt")
    assert bundle.documents == [] and bundle.metadata["published"] == {}


def test_expanded_llms_txt_is_a_source_and_optional_can_be_left_out(site, tmp_path):
    full = ingest(f"{site}/g/llms.txt", Options(cache=False), kind="llms-ctx")
    assert full.kind == "llms-ctx" and len(full.documents) == 1
    text = full.documents[0].content
    assert text.startswith('<project title="Gizmo"') and "Start text." in text and "More text." in text
    short = ingest(f"{site}/g/llms.txt", Options(cache=False, crawl=CrawlOptions(optional=False)), kind="llms-ctx")
    assert "Start text." in short.documents[0].content and "More text." not in short.documents[0].content
    (tmp_path / "llms.txt").write_bytes(b"# L\n\n> l\n\n## Docs\n\n- [A](a.md)\n- [Gone](gone.md)\n")
    (tmp_path / "a.md").write_text("# A\n\nLocal A.\n")
    local = ingest(str(tmp_path / "llms.txt"), kind="llms-ctx")
    assert "Local A." in local.documents[0].content
    assert [s.path for s in local.skipped] == [str(tmp_path / "gone.md")]
    assert local.skipped[0].reason.startswith("unreadable")


def test_stdin_is_a_page_source(monkeypatch):
    from llmingest.sources.parse import Stdin

    html = b"<html><head><title>Piped</title></head><body><main><h1>Piped</h1><p>From a pipe.</p></main></body></html>"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(html)))
    bundle = ingest(Stdin(), Options(page=PageOptions(front_matter=False)), kind="page")
    assert bundle.kind == "page" and bundle.source == "-"
    assert "From a pipe." in bundle.documents[0].content
    with pytest.raises(UsageError, match="stdin is read as an HTML page"):
        ingest(Stdin(), kind="repo")


def test_page_command_reads_stdin_through_ingest():
    from llmingest.cli import app
    from typer.testing import CliRunner

    html = "<html><body><main><h1>T</h1><p>Piped body text.</p></main></body></html>"
    result = CliRunner().invoke(app, ["page", "-", "--format", "json"], input=html)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "-" and "Piped body text." in data["documents"][0]["content"]
    assert list(data) == sorted(data)  # the page command's JSON keeps its sorted keys


SPEC = {"openapi": "3.0.0", "info": {"title": "Trackly", "version": "1"}, "servers": [{"url": "https://api.trackly.test/v2"}],
        "paths": {"/projects": {"post": {"operationId": "createProject", "summary": "Create a project",
                  "requestBody": {"content": {"application/json": {"schema": {
                      "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
                  "responses": {"201": {"description": "ok"}}}}}}
STEPS = ("# Projects\n\n## Create a project\n\n1. Go to **Projects** in the sidebar.\n2. Click **New project**.\n"
         "3. Enter a **Name**, then click **Create project**.\n")


def test_docs_source_walks_through_fetch_walk_and_the_actions_transform_rewrites_the_bundle(tmp_path):
    from llmingest.sources.actions import load_index
    from llmingest.transforms.actions import curl_actions

    docs_dir = tmp_path / "docs"
    (docs_dir / "sub").mkdir(parents=True)
    (docs_dir / "a.md").write_text(STEPS)
    (docs_dir / "sub" / "b.html").write_text("<html><body><h1>B</h1><form action='/projects' method='post'>"
                                             "<input name='name'></form></body></html>")
    (docs_dir / ".hidden.md").write_text(STEPS)
    (docs_dir / "blob.md").write_bytes(b"\x00\x01binary")
    (docs_dir / "notes.rst").write_text("not a doc suffix")
    outside = tmp_path / "outside.md"
    outside.write_text(STEPS)
    os.symlink(outside, docs_dir / "link.md")
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))

    docs = ingest(str(docs_dir), Options(cache=False), kind="docs")
    assert docs.kind == "docs" and docs.metadata["folder"] is True
    assert [d.path for d in docs.documents] == ["a.md", "sub/b.html"]
    assert docs.documents[1].metadata["html"].startswith(b"<html>")

    index = load_index(str(tmp_path / "spec.json"), Options(cache=False))
    out, results = curl_actions(docs, index, base_url=None, count_tokens=True)
    assert out.kind == "actions" and [d.path for d in out.documents] == ["a.md", "sub/b.html"]
    assert "curl -X POST" in out.documents[0].content and out.documents[0].tokens > 0
    assert out.documents[0].metadata == {"matched": results[0].matched, "manual": results[0].manual}
    assert "## Forms on this page (as HTTP requests)" in out.documents[1].content


def test_walk_files_named_is_sorted_and_leaves_out_hidden_and_escaping_files(tmp_path):
    from llmingest.fetch.walk import files_named

    (tmp_path / "d" / ".git").mkdir(parents=True)
    (tmp_path / "d" / "b.md").write_text("b")
    (tmp_path / "d" / "A.HTML").write_text("a")
    (tmp_path / "d" / ".git" / "x.md").write_text("x")
    (tmp_path / "secret.md").write_text("s")
    os.symlink(tmp_path / "secret.md", tmp_path / "d" / "c.md")
    got = files_named(tmp_path / "d", lambda name: name.lower().endswith((".md", ".html")))
    assert [rel for rel, _ in got] == ["A.HTML", "b.md"]


def test_render_text_views():
    from llmingest.render.text import documents_text, page_text, pages_text, tree_text

    repo = Bundle(source="r", kind="repo", documents=[Document(path="src/m.py", content="x", tokens=3),
                                                      Document(path="README.md", content="y", tokens=2)],
                  skipped=[Skipped("z.bin", "binary"), Skipped("a.bin", "binary")], metadata={"name": "r"})
    tree = tree_text(repo)
    assert "m.py" in tree and tree.endswith("- z.bin: binary\n")
    assert tree.index("- a.bin") < tree.index("- z.bin")
    page = Document(path="p", content="---\ntitle: T\n---\n# T\n\nBody.\n", title="T", url="https://x.test/p")
    assert page_text(page) == "# T\n\nSource: https://x.test/p\n\nBody.\n"
    assert pages_text([page, page]) == page_text(page) + "\n" + page_text(page)
    one = Bundle(source="s", kind="actions", documents=[Document(path="a", content="A\n")])
    two = Bundle(source="s", kind="actions", documents=[Document(path="a", content="A\n"), Document(path="b", content="B")])
    assert documents_text(one) == "A\n"
    assert documents_text(two) == "# a\n\nA\n\n# b\n\nB\n"


def test_one_json_dump_sorted_for_page_and_pdf_bundles_in_field_order_for_render():
    from llmingest.render.digest import bundle_json, json_text, render

    bundle = Bundle(source="s", kind="pdf", documents=[Document(path="d", content="é")])
    assert bundle_json(bundle) == json.dumps(bundle.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert json_text({"b": 1, "a": "é"}) == '{\n  "b": 1,\n  "a": "é"\n}\n'
    rendered = json.loads(render(Bundle(source="s", kind="repo"), "json"))
    assert list(rendered)[:2] == ["source", "kind"]  # render keeps the Bundle's field order


def test_auth_headers_are_built_by_the_fetcher():
    from llmingest.fetch.http import auth_headers, basic_credentials, is_credential_header

    assert auth_headers(None) == {} and auth_headers("") == {}
    assert auth_headers("t0k") == {"Authorization": "Bearer t0k"}
    assert auth_headers("t0k", user="x-access-token") == {"Authorization": f"Basic {basic_credentials('x-access-token', 't0k')}"}
    assert basic_credentials("u", "p") == "dTpw"
    assert all(is_credential_header(name) for name in auth_headers("t"))  # dropped on a cross-origin redirect
