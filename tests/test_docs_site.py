"""The project's own docs build, strictly, with the project's own MkDocs plugin, offline.

CI runs pytest, so this is what makes CI build ``docs/`` with ``mkdocs build --strict`` (a broken
link or anchor fails it) and hold the llms.txt it writes to ``llmingest llmstxt validate --strict``.
The build runs in a subprocess whose sockets refuse anything but loopback, so a theme or plugin
that fetches fonts or images at build time fails the test instead of quietly needing the internet.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: runs ``python -m mkdocs ...`` with every non-loopback name lookup and connect refused and reported
OFFLINE_MKDOCS = """
import ipaddress, runpy, socket, sys
def _local(host):
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False
def _refuse(what):
    sys.stderr.write(f"NETWORK ATTEMPT: {what!r}\\n")
    raise OSError("network access refused by tests/test_docs_site.py")
_getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect
def getaddrinfo(host, *args, **kwargs):
    return _getaddrinfo(host, *args, **kwargs) if _local(host) else _refuse(host)
def connect(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        _refuse(address)
    return _connect(self, address)
socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
sys.argv = ["mkdocs", *sys.argv[1:]]
runpy.run_module("mkdocs", run_name="__main__", alter_sys=True)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "NO_MKDOCS_2_WARNING": "1", "LLMINGEST_NO_PROGRESS": "1"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """docs/ built once into a temp dir (never into the repository's own site/)."""
    tmp = tmp_path_factory.mktemp("docs-site")
    out = tmp / "site"
    proc = subprocess.run(
        [sys.executable, "-c", OFFLINE_MKDOCS, "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT, env=_env(tmp), capture_output=True, text=True, timeout=240)
    assert "NETWORK ATTEMPT" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    return out


def _pages() -> list[str]:
    return sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def _mirror(page: str) -> str:
    """docs/commands/repo.md is served at commands/repo/, its mirror is commands/repo/index.md."""
    stem = page[:-len(".md")]
    return "index.md" if stem == "index" else (f"{stem[:-len('index')]}index.md" if stem.endswith("/index")
                                               else f"{stem}/index.md")


def test_build_writes_llms_txt_full_text_and_a_mirror_per_page(site: Path):
    llms = (site / "llms.txt").read_text()
    assert llms.startswith("# llmingest\n\n> ")
    full = (site / "llms-full.txt").read_text()
    for page in _pages():
        mirror = site / _mirror(page)
        assert mirror.is_file(), page
        assert mirror.read_text().startswith("# "), page
        assert f"]({_mirror(page)})" in llms, page  # every page of docs/ is listed
    assert full.count("\nSource: ") == len(_pages())
    # only the long benchmark tables are Optional: every other page is in the nav
    optional = llms.split("\n## Optional\n", 1)[1]
    assert re.findall(r"\]\(([^)]+)\)", optional) == ["benchmarks/index.md"]


def test_mirrors_are_markdown_with_snippets_expanded(site: Path):
    security = (site / "security" / "index.md").read_text()
    assert "## What server mode guarantees" in security  # SECURITY.md included by a snippet
    assert '--8<-- "SECURITY.md"' not in security + (site / "llms-full.txt").read_text()
    repo = (site / "commands" / "repo" / "index.md").read_text()
    assert "```bash\nllmingest repo .  " in repo
    assert "<div" not in repo and "<p>" not in repo
    arch = (site / "architecture" / "index.md").read_text()
    assert re.search(r"^\| `[\w/]*api\.py` \| core \|", arch, re.M)  # the module map is one table
    assert "edges depend on the core, never on each other" in arch


def test_llms_txt_passes_our_strict_validator(site: Path, tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "llmingest", "llmstxt", "validate", "--strict", str(site / "llms.txt")],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid llms.txt" in proc.stdout + proc.stderr


def test_html_loads_nothing_from_other_hosts(site: Path):
    """font: false in mkdocs.yml: no Google Fonts link, so the built site reads offline too."""
    for html in (site / "index.html", site / "commands" / "repo" / "index.html"):
        text = html.read_text()
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text
        assert not re.findall(r'<(?:link|script)[^>]+(?:href|src)="https?://', text), html


def test_readme_links_resolve_and_its_test_command_is_the_ci_one():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if not re.match(r"[a-z]+:", target):
            assert (ROOT / target).exists(), target
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'python3 -m pip install -q -e ".[test]" && python3 -m ruff check . && python3 -m pytest -q'
    assert command in ci and f"```bash\n{command}\n```" in readme
