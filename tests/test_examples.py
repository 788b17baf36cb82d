"""Every example in examples/ that can run offline, run the way its README line says.

The MkDocs and Sphinx examples are built into temp dirs (never into the repo), the Python API
scripts run as subprocesses, and each MCP client config starts the real server it names and lists
its tools through FastMCP's client. The CI workflow is exercised in test_ci_step.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import llms_txt
import pytest
import yaml
from llmingest.converters.llmstxt import validate

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def console_scripts_on_path(monkeypatch):
    """The configs name the `llmingest` command: find the one installed next to this interpreter even
    when its bin folder is not on PATH (a venv that was never activated)."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def run(args: list[str], cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLMINGEST_NO_PROGRESS": "1", **kw.pop("env", {})}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=240, env=env, **kw)


def test_readme_has_one_line_per_example():
    readme = (EXAMPLES / "README.md").read_text()
    lines = [line for line in readme.splitlines() if line.startswith("- ")]
    for entry in sorted(p.name for p in EXAMPLES.iterdir() if p.name != "README.md"):
        assert any(f"({entry}/" in line for line in lines), entry
    for target in re.findall(r"\]\(([^)]+)\)", readme):
        assert (EXAMPLES / target).exists(), target


def test_python_api_digest(tmp_path: Path):
    proc = run([sys.executable, str(EXAMPLES / "python-api" / "digest_repo.py")])
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert re.fullmatch(r"\d+ files, [\d,]+ tokens", first)
    assert "python-api/digest_repo.py" in proc.stdout
    missing = run([sys.executable, str(EXAMPLES / "python-api" / "digest_repo.py"), str(tmp_path / "nope")])
    assert missing.returncode == 3
    assert missing.stderr.startswith("error: ") and "Traceback" not in missing.stderr


def test_python_api_html_to_markdown():
    proc = run([sys.executable, str(EXAMPLES / "python-api" / "html_to_markdown.py")])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "title: Configuration - Widgets" in out
    assert "# Configuration" in out
    assert "```toml\n[server]\nport = 8080\nworkers = 4\n```" in out
    assert "[Install](https://widgets.example.org/guide/install.html)" in out  # <base href> resolved
    assert "Never commit secrets" in out and "| port | 8080 | TCP port |" in out
    for chrome in ("Privacy", "Blog", "©"):
        assert chrome not in out


def test_mkdocs_site_builds_with_the_plugin(tmp_path: Path):
    project = tmp_path / "mkdocs-site"
    shutil.copytree(EXAMPLES / "mkdocs-site", project, ignore=shutil.ignore_patterns("site"))
    proc = run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project)
    assert proc.returncode == 0, proc.stderr
    site = project / "site"
    text = (site / "llms.txt").read_text()
    assert validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Widgets"
    assert list(ref.sections) == ["Docs", "Guide", "Reference", "Optional"]
    nav_pages = ["index.md", "guide/install/index.md", "guide/usage/index.md", "reference/cli/index.md",
                 "changelog/index.md"]
    assert sorted(link["url"] for links in ref.sections.values() for link in links) == sorted(
        f"https://widgets.example.org/{p}" for p in nav_pages)
    for mirror in nav_pages:
        assert (site / mirror).read_text().startswith("# ")
    assert "widgets serve --config widgets.toml --port 8080" in (site / "guide/usage/index.md").read_text()
    full = (site / "llms-full.txt").read_text()
    assert full.count("\nSource: https://widgets.example.org/") == len(nav_pages)
    assert 'class="llmingest-copy' in (site / "index.html").read_text()


def test_sphinx_project_builds_with_the_extension(tmp_path: Path):
    out = tmp_path / "html"
    proc = run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(EXAMPLES / "sphinx-project" / "docs"),
                str(out), "-d", str(tmp_path / "doctrees")])
    assert proc.returncode == 0, proc.stderr
    text = (out / "llms.txt").read_text()
    assert validate(text) == []
    ref = llms_txt.parse_llms_file(text)
    assert ref.title == "Widgets"
    assert ref.summary == "Widgets turns configuration files into running widget servers."
    assert list(ref.sections) == ["User guide", "API reference", "Optional"]
    docs = ["index", "guide/install", "guide/configure", "api/client", "changelog"]
    assert sorted(link["url"] for links in ref.sections.values() for link in links) == sorted(
        f"https://widgets.example.org/{d}.md" for d in docs)
    install = (out / "guide" / "install.md").read_text()
    assert "```bash\npip install widgets\n```" in install
    assert "> **Note:**" in install
    assert "(https://widgets.example.org/api/client.html)" in install
    assert not (EXAMPLES / "sphinx-project" / "docs" / "_build").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _tools(config: dict) -> list[str]:
    from fastmcp import Client

    async with Client(config, timeout=60) as client:
        return sorted(t.name for t in await client.list_tools())


def _server_entries() -> list[tuple[str, str, dict]]:
    entries = []
    for path in sorted((EXAMPLES / "mcp-clients").iterdir()):
        if path.suffix == ".json":
            servers = json.loads(path.read_text())["mcpServers"]
        elif path.suffix == ".toml":
            servers = tomllib.loads(path.read_text())["mcp_servers"]
        else:
            continue
        entries += [(path.name, name, entry) for name, entry in servers.items()]
    return entries


def test_mcp_client_configs_cover_every_client():
    names = {p.name for p in (EXAMPLES / "mcp-clients").iterdir()}
    assert {"claude-code.mcp.json", "cursor.mcp.json", "codex.config.toml", "generic.json"} <= names
    for _file, _name, entry in _server_entries():
        assert entry.get("command") == "llmingest" and entry.get("args") == ["mcp"] or entry.get("url")


@pytest.mark.parametrize("config_file", ["claude-code.mcp.json", "cursor.mcp.json", "codex.config.toml",
                                         "generic.json"])
def test_mcp_client_config_starts_the_server(config_file: str):
    for file, name, entry in _server_entries():
        if file != config_file:
            continue
        proc = None
        if "url" in entry:  # the HTTP entry: start the server it expects, on a free port
            port = _free_port()
            proc = subprocess.Popen([shutil.which("llmingest") or "llmingest", "mcp", "--http", "--port", str(port)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            entry = {**entry, "url": entry["url"].replace(":8000/", f":{port}/")}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
        try:
            tools = asyncio.run(_tools({"mcpServers": {name: entry}}))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
        assert {"ingest_repository", "fetch_page", "docs_index"} <= set(tools), (file, name, tools)


def test_ci_workflow_uses_the_action_with_its_inputs():
    workflow = yaml.safe_load((EXAMPLES / "ci-workflow" / "llms-txt.yml").read_text())
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs = action["inputs"]
    required = {k for k, v in inputs.items() if v.get("required")}
    uses = [s for job in workflow["jobs"].values() for s in job["steps"] if "llmingest" in s.get("uses", "")]
    assert len(uses) == 2
    for step in uses:
        assert set(step["with"]) <= set(inputs)
        assert required <= set(step["with"])
    assert any(step["with"].get("check") == "true" for step in uses)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    config = yaml.safe_load((EXAMPLES / "ci-workflow" / "pre-commit-config.yaml").read_text())
    hook_ids = {h["id"] for h in hooks}
    assert {h["id"] for repo in config["repos"] for h in repo["hooks"]} <= hook_ids


def test_tests_never_write_the_users_cache():
    """The suite's caches live in a temp dir (conftest sets XDG_CACHE_HOME), never ~/.cache."""
    from llmingest.tokens import default_cache_dir

    home_cache = Path.home() / ".cache"
    assert not str(default_cache_dir()).startswith(str(home_cache))
    assert default_cache_dir().parent == Path(os.environ["XDG_CACHE_HOME"])
