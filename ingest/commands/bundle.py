"""``llmingest bundle``: many sources, one context file or llms.txt set; ``--check`` for CI."""

from __future__ import annotations

import difflib
from pathlib import Path

import typer

from ..options import Options, OutputOptions, parse_host_map
from ._common import check_format, progress_wanted, remove_stale_parts, stale_parts, write_output

HELP = """Bundle a repo, docs sites, PDFs and pages into one context file or one llms.txt set.

Sources may carry a kind prefix (repo:, site:, page:, pdf:); an http(s) docs URL is crawled as a site. With no sources, the sources listed in llmingest.toml (or the tool.llmingest table of pyproject.toml) are used.

Examples:

  llmingest bundle . https://docs.example.com/ design.pdf -o context.md

  llmingest bundle . site:site/ --llms-txt out/ --base-url https://a.example/

  llmingest bundle . docs/ --openapi api.yaml --max-tokens 200000 -o ctx.md

  # CI: exit 1 with a diff when committed outputs are stale
  llmingest bundle --check
"""


def register(app: typer.Typer) -> None:
    app.command("bundle", help=HELP)(bundle_cmd)


def _diff(path: Path, new: str) -> str | None:
    old = path.read_text("utf-8") if path.is_file() else ""
    if old == new:
        return None
    lines = list(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                      fromfile=f"{path} (committed)", tofile=f"{path} (generated)", n=2))
    return "".join(lines[:200]) + ("... (diff cut at 200 lines)\n" if len(lines) > 200 else "")


def _llms_files(llms_dir: Path, outputs: dict[Path, str]) -> dict[str, str]:
    """This run's files inside the llms.txt folder, by name relative to it (the manifest's names)."""
    return {p.relative_to(llms_dir).as_posix(): text for p, text in outputs.items() if p.is_relative_to(llms_dir)}


def _managed_extras(llms_dir: Path | None, outputs: dict[Path, str]) -> list[Path]:
    """Files an earlier run wrote into the llms.txt folder (its manifest says so, and they are
    unchanged since) that this run no longer writes. The user's own files there are never listed."""
    if llms_dir is None:
        return []
    from .. import manifest

    return [llms_dir / rel for rel in manifest.stale(llms_dir, _llms_files(llms_dir, outputs))]


def _stale_parts(output: Path | None, outputs: dict[Path, str]) -> list[Path]:
    if output is None or not outputs:
        return []
    return stale_parts(output, set(outputs))


def _check(outputs: dict[Path, str], extras: list[Path] | None = None) -> None:
    from ..errors import StaleOutput

    stale = [str(p) for p in extras or []]
    for path in extras or []:
        typer.echo(f"{path}: no longer generated (would be removed)", err=True)
    for path, text in sorted(outputs.items()):
        diff = _diff(path, text)
        if diff is not None:
            stale.append(str(path))
            typer.echo(diff if diff else f"{path}: missing", err=True)
    if stale:
        raise StaleOutput(f"{len(stale)} output(s) are stale: {', '.join(stale[:5])}"
                          + (" ..." if len(stale) > 5 else ""), hint="run `llmingest bundle` and commit the result")
    typer.echo(f"up to date: {len(outputs)} output(s)", err=True)


def bundle_cmd(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(None, help="Sources (path, git URL, docs URL, built site folder, PDF...)."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the context file here (else stdout)."),
    fmt: str = typer.Option("markdown", "-f", "--format", help="markdown | xml | plain | json"),
    llms_txt: Path = typer.Option(None, "--llms-txt", help="Write llms.txt, llms-full.txt and per-document .md files to DIR."),
    openapi: str = typer.Option(None, "--openapi", help="OpenAPI/Swagger spec: rewrite UI steps into curl actions."),
    base_url: str = typer.Option(None, "--base-url", help="Where a built site folder / the llms.txt set is served."),
    max_tokens: int = typer.Option(None, "--max-tokens", min=1, help="Fit the bundle into N tokens (source order, then per-source priority)."),
    split_tokens: int = typer.Option(None, "--split-tokens", min=1, help="Write numbered parts of at most N tokens (needs -o)."),
    name: str = typer.Option(None, "--name", help="Bundle title (default: the current folder's name)."),
    summary: str = typer.Option(None, "--summary", help="One-line summary for llms.txt."),
    check: bool = typer.Option(False, "--check/--no-check", help="Do not write: exit 1 with a diff when outputs are stale."),
    strict: bool = typer.Option(False, "--strict/--no-strict", help="Fail when any source fails (default: report and go on)."),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer: o200k_base or cl100k_base."),
    token: str = typer.Option(None, "--token", help="Token for private repos.", show_default=False),
    host_map: list[str] = typer.Option([], "--host-map", help="Forge mirrors: github.com=http://127.0.0.1:9418/ (repeatable, or comma-separated)"),
    compress: bool = typer.Option(False, "--compress/--no-compress", help="Repository sources' code as signatures and docstrings, bodies left out."),
    quiet: bool = typer.Option(False, "-q", "--quiet/--no-quiet", help="No progress or summary on stderr."),
) -> None:
    from llmingest.render.bundle import llms_txt_files, render_chunks, split_bundle
    from llmingest.render.digest import part_path
    from llmingest.sources.bundle import bundle

    from .. import config
    from ..errors import UsageError

    fmt = check_format(fmt)
    cfg_path = config.current(ctx).path  # ctx.obj of this run
    if not sources:
        cfg = config.load(cfg_path) if cfg_path else {}
        sources = cfg.get("sources") or []
        if not sources:
            raise UsageError("no sources given and no [[sources]] in llmingest.toml",
                             hint="pass sources, or run `llmingest init` to write a config")
        # paths in the config are relative to the config file, not the cwd
        base = cfg_path.parent
        sources = [_rebase(s, base) for s in sources]
    if split_tokens and output is None:
        raise UsageError("--split-tokens needs -o FILE")
    if check and output is None and llms_txt is None:
        raise UsageError("--check needs -o FILE or --llms-txt DIR to compare against")
    opts = Options(encoding=encoding, max_tokens=max_tokens, token=token, host_map=parse_host_map(host_map),
                   progress=progress_wanted(quiet), output=OutputOptions(format=fmt), compress=compress)
    title = name or Path.cwd().name
    own_outputs = [p for p in (output, llms_txt) if p is not None]
    if output is not None and split_tokens:
        own_outputs += [output.with_name(f"{output.stem}.*{output.suffix or '.md'}")]
    result = bundle(list(sources), opts, openapi=openapi, base_url=base_url, strict=strict, name=title,
                    outputs=own_outputs)

    outputs: dict[Path, str] = {}
    if llms_txt is not None:
        for rel, text in llms_txt_files(result, base_url, summary).items():
            outputs[llms_txt / rel] = text
    if output is not None:
        if split_tokens:
            parts = split_bundle(result, fmt, split_tokens)
            for i, text in enumerate(parts, 1):
                outputs[part_path(output, i, len(parts))] = text
        else:
            outputs[output] = "".join(render_chunks(result, fmt))
    if check:
        _check(outputs, _managed_extras(llms_txt, outputs) + _stale_parts(output, outputs if split_tokens else {}))
        return
    if not outputs:
        write_output(render_chunks(result, fmt), None)
    for path, text in outputs.items():
        write_output(text, path)
    if llms_txt is not None:  # a document that left the bundle takes its .md with it; nothing else goes
        from .. import manifest

        ours = _llms_files(llms_txt, outputs)
        manifest.remove(llms_txt, manifest.stale(llms_txt, ours))
        manifest.write(llms_txt, ours, "files written by `llmingest bundle --llms-txt` (sha256sum format); stale "
                                       "ones are removed on the next run,\nand only while they still hold what was written")
    if output is not None and split_tokens:
        remove_stale_parts(output, set(outputs))
    if not quiet:
        from llmingest.render.bundle import summary_lines

        for line in summary_lines(result):
            typer.echo(line, err=True)
        for s in result.metadata.get("sources", []):
            if s.get("status") == "failed":
                typer.echo(f"- source failed: {s.get('label')}: {s.get('error')}", err=True)
        if outputs:
            typer.echo(f"wrote {len(outputs)} file(s)", err=True)


def _rebase(entry, base: Path):
    """Make a config source's relative path relative to the config file's folder."""
    text = entry["source"] if isinstance(entry, dict) else entry
    prefix = ""
    if isinstance(text, str) and ":" in text and text.split(":", 1)[0] in ("repo", "site", "page", "pdf") \
            and not text.split(":", 1)[1].startswith("//"):
        prefix, text = text.split(":", 1)[0] + ":", text.split(":", 1)[1]
    if isinstance(text, str) and "://" not in text and not text.startswith("git@") and (base / text).exists():
        text = str((base / text).resolve())
    new = prefix + text
    if isinstance(entry, dict):
        return {**entry, "source": new}
    return new
