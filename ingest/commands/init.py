"""``llmingest init``: write a commented llmingest.toml from what this repository contains."""

from __future__ import annotations

from pathlib import Path

import typer

HELP = """Write a commented starter llmingest.toml for the current repository.

It looks for a docs folder, mkdocs.yml or a Sphinx conf.py, and an OpenAPI spec, and lists them as sources so `llmingest bundle` builds the project's context with no arguments.

Examples:

  # writes ./llmingest.toml
  llmingest init

  # overwrite an existing one
  llmingest init --force
"""

_SPEC_NAMES = ("openapi.yaml", "openapi.yml", "openapi.json", "swagger.yaml", "swagger.yml", "swagger.json")
_SKIP = {".git", "node_modules", ".venv", "venv", "build", "dist", "site", "_build", "__pycache__"}


def register(app: typer.Typer) -> None:
    app.command("init", help=HELP)(init)


def _find_specs(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if any(part in _SKIP for part in path.relative_to(root).parts):
            continue
        if path.is_file() and path.name.lower() in _SPEC_NAMES:
            found.append(path)
    return found[:3]


def starter_config(root: Path) -> str:
    """The text of a starter config for ``root``: every line explained, deterministic."""
    lines = ["# llmingest.toml: what `llmingest bundle` builds when run with no arguments.",
             "# Any command's options can be set in a table named after it ([repo], [site], [pdf], ...);",
             "# command-line flags always win over this file.", ""]
    docs_dir = next((d for d in ("docs", "doc", "documentation") if (root / d).is_dir()), None)
    mkdocs = (root / "mkdocs.yml").is_file() or (root / "mkdocs.yaml").is_file()
    sphinx_conf = next((p for p in (root / "docs" / "conf.py", root / "doc" / "conf.py", root / "docs" / "source" / "conf.py",
                                    root / "conf.py") if p.is_file()), None)
    specs = _find_specs(root)

    lines += ["[bundle]", 'output = "llms-context.md"      # the single context file', 'format = "markdown"             # markdown | xml | plain | json',
              "# llms_txt = \"llms/\"            # also write llms.txt, llms-full.txt and .md files here",
              "# max_tokens = 200000           # budget across sources: source order first, then each source's priority"]
    if specs:
        lines.append(f'openapi = "{specs[0].relative_to(root).as_posix()}"   # rewrite UI steps in the docs into curl actions')
    else:
        lines.append('# openapi = "openapi.yaml"      # rewrite UI steps in the docs into curl actions')
    lines.append("")
    own_docs = mkdocs or sphinx_conf is not None or docs_dir is not None
    exclude = '["tests/fixtures/"]' if not own_docs or not docs_dir else f'["tests/fixtures/", "{docs_dir}/"]'
    lines += ["[[sources]]", 'source = "."', 'name = "code"', "# the repository itself: README, docs, source, tests last",
              f"exclude = {exclude}" + ("   # the docs are their own source below" if own_docs and docs_dir else ""), ""]
    if mkdocs:
        lines += ["[[sources]]", "# MkDocs: the built site (run `mkdocs build` first); or point at docs/ for the raw markdown",
                  'source = "site:site"', 'name = "docs"', "# base_url = \"https://docs.example.com/\"", ""]
    elif sphinx_conf is not None:
        built = sphinx_conf.parent / "_build" / "html"
        lines += ["[[sources]]", "# Sphinx: the built HTML (run `sphinx-build -b html` first)",
                  f'source = "site:{built.relative_to(root).as_posix()}"', 'name = "docs"',
                  "# base_url = \"https://docs.example.com/\"", ""]
    elif docs_dir:
        lines += ["[[sources]]", "# the docs folder as markdown", f'source = "repo:{docs_dir}"', 'name = "docs"', ""]
    else:
        lines += ["# [[sources]]", '# source = "https://docs.example.com/"   # a docs site to crawl', ""]
    lines += ["# [[sources]]", '# source = "design.pdf"                   # PDFs become markdown', ""]
    return "\n".join(lines)


def init(
    path: Path = typer.Option(Path("llmingest.toml"), "-o", "--output", help="Where to write the config."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    from ..errors import UsageError
    from ._common import write_output

    if path.exists() and not force:
        raise UsageError(f"{path} already exists", hint="use --force to overwrite")
    write_output(starter_config(Path.cwd()), path)
    typer.echo(f"wrote {path}", err=True)
