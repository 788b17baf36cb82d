"""The layers in docs/architecture.md, checked on the source: edges depend on the core, never on
each other; converters stay pure; importing llmingest changes nothing in the caller's process.

Imports are read with ``ast`` (every import statement, also those inside functions), so a lazy
import cannot hide an edge.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: repository folder -> the import name it installs as (pyproject's package-dir)
PACKAGES = {"ingest": "llmingest", "converters": "llmingest.converters", "mcp_server": "llmingest.mcp_server",
            "site_plugin": "llmingest.site_plugin"}


def _module_name(path: Path) -> str:
    folder = path.relative_to(ROOT).parts
    parts = [PACKAGES[folder[0]], *folder[1:-1]]
    if path.stem != "__init__":
        parts.append(path.stem)
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, as absolute names (``from ..errors import x`` -> ``llmingest.errors``,
    ``from llmingest import fetch`` -> ``llmingest`` and ``llmingest.fetch``)."""
    name = _module_name(path)
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def _files(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"no Python files under {folder}/"
    return files


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in _files(folder):
        for module in sorted(imports_of(path)):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(ROOT)} imports {module}")
    return out


def test_the_import_reader_resolves_relative_and_lazy_imports(tmp_path):
    web = imports_of(ROOT / "mcp_server" / "web.py")
    assert "llmingest.errors" in web and "llmingest.mcp_server.service" in web  # ``..errors``, ``.service``
    assert "llmingest.fetch.http" in web  # ``from llmingest.fetch import http``


def test_server_and_plugins_never_import_the_cli():
    forbidden = ("llmingest.commands", "llmingest.cli")
    assert _offenders("mcp_server", forbidden) == []
    assert _offenders("site_plugin", forbidden) == []


def test_converters_import_no_source_fetcher_renderer_or_edge():
    forbidden = ("llmingest.sources", "llmingest.fetch", "llmingest.render", "llmingest.transforms",
                 "llmingest.batch", "llmingest.api", "llmingest.commands", "llmingest.cli",
                 "llmingest.mcp_server", "llmingest.site_plugin")
    assert _offenders("converters", forbidden) == []


def test_the_core_imports_no_edge():
    forbidden = ("llmingest.commands", "llmingest.cli", "llmingest.mcp_server", "llmingest.site_plugin")
    core = [p for p in _files("ingest") if p.relative_to(ROOT).parts[1] not in ("commands", "cli.py", "__main__.py")]
    bad = [f"{p.relative_to(ROOT)} imports {m}" for p in core for m in sorted(imports_of(p))
           if any(m == f or m.startswith(f + ".") for f in forbidden)]
    assert bad == []


def test_importing_llmingest_leaves_the_environment_alone(tmp_path):
    """``os.environ`` used to gain GIT_TERMINAL_PROMPT=0 when the repo source was imported."""
    code = ("import os, json; before = dict(os.environ)\n"
            "import llmingest, llmingest.sources.repo, llmingest.sources.repo_git, llmingest.fetch.git_remote\n"
            "import llmingest.cli, llmingest.mcp_server.server, llmingest.mcp_server.web\n"
            "print(json.dumps(sorted(set(os.environ.items()) ^ set(before.items()))))\n")
    env = {k: v for k, v in os.environ.items() if k != "GIT_TERMINAL_PROMPT"}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_local_git_children_still_never_prompt(monkeypatch):
    from llmingest.fetch.walk import local_git_env

    monkeypatch.delenv("GIT_TERMINAL_PROMPT", raising=False)
    assert local_git_env()["GIT_TERMINAL_PROMPT"] == "0"
    assert local_git_env(GIT_OPTIONAL_LOCKS="0")["GIT_OPTIONAL_LOCKS"] == "0"
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "1")  # the user's own choice still wins
    assert local_git_env()["GIT_TERMINAL_PROMPT"] == "1"
