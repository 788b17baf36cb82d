"""`llmingest bundle`, `init` and the config file, over a real temp project.

The project has a git repo, a docs site served by a real HTTP server on 127.0.0.1, a PDF made with
PyMuPDF and a small OpenAPI spec; it is bundled through the CLI and through llmingest.toml.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import serve_folder
from llmingest import bundle
from llmingest.cli import app, main
from llmingest.tokens import count
from typer.testing import CliRunner

runner = CliRunner()

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Hooky API", "version": "1"},
    "servers": [{"url": "https://api.hooky.example/v1"}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/repos/{owner}/{repo}/hooks": {
            "post": {
                "operationId": "createWebhook", "summary": "Create a repository webhook", "tags": ["webhooks"],
                "parameters": [{"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "repo", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["url"],
                    "properties": {"url": {"type": "string", "description": "Payload URL"},
                                   "content_type": {"type": "string", "description": "Content type"}}}}}},
            },
            "get": {"operationId": "listWebhooks", "summary": "List repository webhooks", "tags": ["webhooks"],
                    "parameters": [{"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
                                   {"name": "repo", "in": "path", "required": True, "schema": {"type": "string"}}]},
        }
    },
}

STEPS = """# Webhooks

## Create a webhook

1. Go to **Settings > Webhooks** in your repository.
2. Click **Add webhook**.
3. In **Payload URL**, enter `https://ci.example.com/hooks`.
4. Click **Add webhook**.

## Change your avatar

1. Click your profile picture.
2. Click **Upload a photo** and choose a file.
"""


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@e.invalid", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@e.invalid"}
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, env=env)


def make_pdf(path: Path) -> None:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Design Notes", fontsize=20)
    page.insert_text((72, 110), "The cache is keyed by repository URL and commit.", fontsize=11)
    doc.set_metadata({"title": "Design Notes"})
    doc.save(path)


@pytest.fixture()
def docs_server(tmp_path: Path):
    site = tmp_path / "served"
    (site / "guide").mkdir(parents=True)
    page = ("<html><head><title>{t}</title></head><body><nav>NAVIGATION CHROME</nav><main><h1>{t}</h1>"
            "<p>{body}</p></main><footer>FOOTER CHROME</footer></body></html>")
    (site / "index.html").write_text(page.format(t="Home", body='Welcome. See <a href="guide/install.html">install</a>.'))
    (site / "guide" / "install.html").write_text(page.format(t="Install", body="Run pip install hooky."))
    base, stop = serve_folder(site)
    yield base + "/"
    stop()


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "hooky"
    (root / "src").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "README.md").write_text("# Hooky\n\nWebhooks made simple.\n")
    (root / "src" / "hooky.py").write_text("def send(url):\n    return url\n")
    (root / "docs" / "webhooks.md").write_text(STEPS)
    (root / "openapi.json").write_text(json.dumps(SPEC))
    make_pdf(root / "design.pdf")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def test_bundle_api_mixes_sources(project: Path, docs_server: str) -> None:
    result = bundle([str(project), docs_server, str(project / "design.pdf")], allow_private=True)
    kinds = [s["kind"] for s in result.metadata["sources"]]
    assert kinds == ["repo", "site", "pdf"]
    labels = {d.metadata["source_label"] for d in result.documents}
    assert len(labels) == 3
    text = "".join(d.content for d in result.documents)
    assert "Run pip install hooky." in text and "NAVIGATION CHROME" not in text
    assert "keyed by repository URL" in text


def test_bundle_cli_openapi_budget_and_failing_source(project: Path, docs_server: str, tmp_path: Path) -> None:
    out = tmp_path / "context.md"
    missing = str(tmp_path / "no-such-folder")
    result = runner.invoke(app, ["bundle", str(project), missing, "--openapi", str(project / "openapi.json"),
                                 "-o", str(out), "--name", "hooky"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "curl" in text and "https://api.hooky.example/v1/repos/" in text
    assert "https://ci.example.com/hooks" in text
    assert "source failed" in text or "failed:" in text
    assert "Click-to-curl" in text and "stay manual" in text
    # --strict turns the failing source into a failure of the whole bundle
    result = runner.invoke(app, ["bundle", str(project), missing, "--strict", "-o", str(tmp_path / "s.md")])
    assert result.exit_code == 3
    # a budget across sources: the first source's README comes first, the total fits
    result = runner.invoke(app, ["bundle", str(project), str(project / "design.pdf"), "--max-tokens", "600",
                                 "-o", str(tmp_path / "small.md")])
    assert result.exit_code == 0, result.output
    small = (tmp_path / "small.md").read_text()
    assert count(small) <= 600 and "# Hooky" in small and "Budget:" in small


def test_bundle_split_tokens(project: Path, tmp_path: Path) -> None:
    for i in range(12):
        (project / "src" / f"m{i}.py").write_text("\n".join(f"value_{j} = {j}" for j in range(150)) + "\n")
    out = tmp_path / "parts" / "ctx.md"
    result = runner.invoke(app, ["bundle", str(project), "--split-tokens", "1500", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    parts = sorted(out.parent.glob("ctx.*.md"))
    assert len(parts) >= 3 and all(count(p.read_text()) <= 1500 for p in parts)
    joined = "".join(p.read_text() for p in parts)
    assert all(f"src/m{i}.py" in joined for i in range(12))


def test_config_file_bundle_and_check_both_ways(project: Path, docs_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "llmingest.toml").write_text(f'''
[bundle]
llms_txt = "llms"
output = "context.md"
openapi = "openapi.json"

[[sources]]
source = "."
name = "code"
exclude = ["*.pdf", "openapi.json"]

[[sources]]
source = "site:{docs_server}"
name = "docs-site"

[[sources]]
source = "design.pdf"
''')
    monkeypatch.chdir(project)
    for args in (["bundle", "-q"], ["bundle", "--check"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 0
    llms = (project / "llms" / "llms.txt").read_text()
    assert "## code" in llms and "## docs-site" in llms and "## design.pdf" in llms
    from llms_txt import parse_llms_file

    parsed = parse_llms_file(llms)
    assert set(parsed.sections) >= {"code", "docs-site", "design.pdf"}
    assert (project / "llms" / "llms-full.txt").read_text().count("Run pip install hooky.") == 1
    assert (project / "context.md").is_file()
    # the committed outputs go stale when a source changes
    (project / "README.md").write_text("# Hooky\n\nWebhooks made simpler.\n")
    with pytest.raises(SystemExit) as exc:
        main(["bundle", "--check"])
    assert exc.value.code == 1
    # a CLI flag beats the config file
    with pytest.raises(SystemExit) as exc:
        main(["bundle", "-q", "--format", "json", "-o", "context.json"])
    assert exc.value.code == 0
    assert json.loads((project / "context.json").read_text())["kind"] == "bundle"


def test_pyproject_tool_table_and_repo_defaults(project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "hooky"\n\n[tool.llmingest.repo]\nformat = "xml"\ninclude = ["src/**"]\n')
    monkeypatch.chdir(project)
    out = tmp_path / "d.xml"
    with pytest.raises(SystemExit) as exc:
        main(["repo", ".", "-q", "-o", str(out)])
    assert exc.value.code == 0
    text = out.read_text()
    assert text.startswith("<?xml") and "src/hooky.py" in text and "README.md" not in text
    (project / "pyproject.toml").write_text('[tool.llmingest.repo]\nformatt = "xml"\n')
    with pytest.raises(SystemExit) as exc:
        main(["repo", ".", "-q", "-o", str(out)])
    assert exc.value.code == 2


def test_init_writes_a_config_bundle_can_use(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exc:
        main(["init"])
    assert exc.value.code == 0
    text = (project / "llmingest.toml").read_text()
    assert 'openapi = "openapi.json"' in text and 'source = "repo:docs"' in text
    with pytest.raises(SystemExit) as exc:
        main(["init"])
    assert exc.value.code == 2  # no silent overwrite
    with pytest.raises(SystemExit) as exc:
        main(["bundle", "-q"])
    assert exc.value.code == 0
    assert "curl" in (project / "llms-context.md").read_text()


def test_nested_sources_once_and_orphans_removed(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "llms"
    result = runner.invoke(app, ["bundle", str(project), str(project / "docs"), "--llms-txt", str(out), "-q"])
    assert result.exit_code == 0, result.output
    full = (out / "llms-full.txt").read_text()
    assert full.count("## Create a webhook") == 1  # docs/ is its own source, not also inside "."
    own = out / "notes.md"  # the user's file in the same folder: never ours to delete
    own.write_text("# mine\n")
    (project / "docs" / "old-page.md").write_text("# Old page\n\nGone soon.\n")
    assert runner.invoke(app, ["bundle", str(project), str(project / "docs"), "--llms-txt", str(out), "-q"]).exit_code == 0
    orphans = [p for p in out.rglob("old-page.md")]
    assert orphans
    (project / "docs" / "old-page.md").unlink()
    result = runner.invoke(app, ["bundle", str(project), str(project / "docs"), "--llms-txt", str(out), "--check"])
    assert result.exit_code == 1 and "no longer generated" in result.output
    assert runner.invoke(app, ["bundle", str(project), str(project / "docs"), "--llms-txt", str(out), "-q"]).exit_code == 0
    assert not any(p.exists() for p in orphans)
    assert own.read_text() == "# mine\n"


@pytest.mark.parametrize("fmt", ["markdown", "xml", "json"])
def test_bundle_budget_in_every_format_keeps_first_source_docs(project: Path, tmp_path: Path, fmt: str) -> None:
    for i in range(30):
        (project / "src" / f"big{i}.py").write_text("\n".join(f"v{j} = {j}" for j in range(100)) + "\n")
    out = tmp_path / f"b.{fmt}"
    result = runner.invoke(app, ["bundle", str(project / "docs"), str(project), "--max-tokens", "3000", "-f", fmt,
                                 "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert count(text) <= 3000 and "Create a webhook" in text


def test_config_typos_outside_tables_are_errors_and_host_map_repeats(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    for text in ('encodng = "cl100k_base"\n', '[[sources]]\nsource = "."\nnmae = "x"\n'):
        (project / "llmingest.toml").write_text(text)
        with pytest.raises(SystemExit) as exc:
            main(["bundle", "-q", "-o", "x.md"])
        assert exc.value.code == 2
    (project / "llmingest.toml").unlink()
    from llmingest.options import parse_host_map

    assert parse_host_map(["github.com=git://127.0.0.1:1/", "gitlab.com=git://127.0.0.1:2/,codeberg.org=x"]) == {
        "github.com": "git://127.0.0.1:1/", "gitlab.com": "git://127.0.0.1:2/", "codeberg.org": "x"}


def test_embedded_pages_and_pdfs_keep_the_outer_heading_structure(project: Path, docs_server: str) -> None:
    """A converted PDF or page sits under its ### heading: its own H1 and front matter must not
    become headings of the bundle or the repo digest (issue 15 item 6)."""
    import re

    from llmingest import ingest
    from llmingest.render.bundle import render_bundle
    from llmingest.render.digest import render

    outer = render_bundle(bundle([str(project / "design.pdf"), docs_server], allow_private=True), "markdown")
    digest = render(ingest(str(project), convert_pdfs=True, cache=False), "markdown")
    for text in (outer, digest):
        prose = re.sub(r"^(`{3,})[^\n]*\n.*?^\1\s*$", "", text, flags=re.M | re.S)  # outside code fences
        assert not re.search(r"^# ", prose.split("\n", 1)[1], re.M), "only the digest's own title is an H1"
        assert not re.search(r"^-{3,}\s*$", prose, re.M), "front matter is no setext underline"
        assert "Design Notes" in text and "The cache is keyed by repository URL and commit." in text
    assert "#### Design Notes" in outer and "```yaml\ntitle: \"Design Notes\"" in digest
    assert re.search(r"^#### Design Notes$", digest, re.M)


def test_bundle_llms_txt_does_not_repeat_the_base_urls_path(tmp_path: Path) -> None:
    """With --base-url https://docs.python.org/3/ a local built site's pages live under /3/ already;
    their mirrors must not repeat it (was .../3/smallsite/3/tutorial/index.md; issue 15 item 7)."""
    site = tmp_path / "smallsite"
    (site / "tutorial").mkdir(parents=True)
    page = "<html><head><title>{t}</title></head><body><main><h1>{t}</h1><p>{t} text goes here.</p>{a}</main></body></html>"
    (site / "index.html").write_text(page.format(t="Home", a='<a href="tutorial/index.html">Tutorial</a>'))
    (site / "tutorial" / "index.html").write_text(page.format(t="Tutorial", a=""))
    out = tmp_path / "out"
    result = runner.invoke(app, ["bundle", f"site:{site}", "--llms-txt", str(out), "--base-url",
                                 "https://docs.python.org/3/", "-q"])
    assert result.exit_code == 0, result.output
    llms = (out / "llms.txt").read_text()
    assert "(https://docs.python.org/3/smallsite/tutorial/index.md)" in llms
    assert "/3/smallsite/3/" not in llms
    assert (out / "smallsite" / "tutorial" / "index.md").is_file()
