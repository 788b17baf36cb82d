"""``llmingest bundle``: many sources, one context file or llms.txt set; ``--check`` for CI."""

from __future__ import annotations

from pathlib import Path

import typer

from .. import output as output_mod
from ..options import Options, check_format, parse_host_map
from ._common import progress_wanted, write_output

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


_LLMS_HEADER = ("files written by `llmingest bundle --llms-txt` (sha256sum format); stale ones are removed on the next "
                "run,\nand only while they still hold what was written")


def _llms_files(llms_dir: Path, outputs: dict[Path, str]) -> dict[str, str]:
    """This run's files inside the llms.txt folder, by name relative to it (the manifest's names)."""
    return {p.relative_to(llms_dir).as_posix(): text for p, text in outputs.items() if p.is_relative_to(llms_dir)}


def _left_over(llms_dir: Path | None, output: Path | None, split: bool, outputs: dict[Path, str]) -> list[Path]:
    """Files an earlier run wrote that this run no longer writes: mirrors in the llms.txt folder
    (its manifest says so, and they are unchanged since; the user's own files there are never
    listed) and numbered parts of a longer split."""
    extras: list[Path] = []
    if llms_dir is not None:
        extras += [llms_dir / rel for rel in output_mod.stale_files(llms_dir, _llms_files(llms_dir, outputs))]
    if output is not None and split and outputs:
        extras += output_mod.stale_parts(output, set(outputs))
    return extras


def _check(outputs: dict[Path, str], extras: list[Path]) -> None:
    from ..errors import StaleOutput

    stale = output_mod.check_files(outputs, extras, lambda text: typer.echo(text, err=True))
    if stale:
        raise StaleOutput(f"{len(stale)} output(s) are stale: {', '.join(stale[:5])}"
                          + (" ..." if len(stale) > 5 else ""), hint="run `llmingest bundle` and commit the result")
    typer.echo(f"up to date: {len(outputs)} output(s)", err=True)


def _config_sources(ctx: typer.Context) -> list:
    """The ``[[sources]]`` of this run's llmingest.toml, their paths made relative to it."""
    from .. import config
    from ..errors import UsageError

    cfg_path = config.current(ctx).path  # ctx.obj of this run
    cfg = config.load(cfg_path) if cfg_path else {}
    sources = cfg.get("sources") or []
    if not sources:
        raise UsageError("no sources given and no [[sources]] in llmingest.toml",
                         hint="pass sources, or run `llmingest init` to write a config")
    # paths in the config are relative to the config file, not the cwd
    return [_rebase(s, cfg_path.parent) for s in sources]


def _render_outputs(result, fmt: str, output: Path | None, llms_txt: Path | None, split_tokens: int | None,
                    base_url: str | None, summary: str | None) -> dict[Path, str]:
    """Every file this run writes: the llms.txt set under ``llms_txt``, the context file (or its parts)."""
    from llmingest.render import render
    from llmingest.render.bundle import split_bundle
    from llmingest.render.digest import part_path
    from llmingest.render.llmstxt import bundle_files

    outputs: dict[Path, str] = {}
    if llms_txt is not None:
        for rel, text in bundle_files(result, base_url, summary).items():
            outputs[llms_txt / rel] = text
    if output is not None and split_tokens:
        parts = split_bundle(result, fmt, split_tokens)
        for i, text in enumerate(parts, 1):
            outputs[part_path(output, i, len(parts))] = text
    elif output is not None:
        outputs[output] = render(result, fmt)
    return outputs


def _write(outputs: dict[Path, str], llms_txt: Path | None, output: Path | None, split: bool) -> None:
    """Write the outputs; a document that left the bundle takes its .md with it, a shorter split
    its extra parts; nothing else goes."""
    for path, text in outputs.items():
        write_output(text, path)
    if llms_txt is not None:
        ours = _llms_files(llms_txt, outputs)
        output_mod.remove_files(llms_txt, output_mod.stale_files(llms_txt, ours))
        output_mod.write_manifest(llms_txt, ours, _LLMS_HEADER)
    if output is not None and split:
        output_mod.remove_stale_parts(output, set(outputs))


def _summary(result, outputs: dict[Path, str]) -> None:
    from llmingest.render.bundle import summary_lines

    for line in summary_lines(result):
        typer.echo(line, err=True)
    for s in result.metadata.get("sources", []):
        if s.get("status") == "failed":
            typer.echo(f"- source failed: {s.get('label')}: {s.get('error')}", err=True)
    if outputs:
        typer.echo(f"wrote {len(outputs)} file(s)", err=True)


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
    from llmingest.sources.bundle import bundle

    from ..errors import UsageError

    fmt = check_format(fmt)
    sources = list(sources) if sources else _config_sources(ctx)
    if split_tokens and output is None:
        raise UsageError("--split-tokens needs -o FILE")
    if check and output is None and llms_txt is None:
        raise UsageError("--check needs -o FILE or --llms-txt DIR to compare against")
    opts = Options(encoding=encoding, token=token, host_map=parse_host_map(host_map),
                   progress=progress_wanted(quiet), compress=compress)
    own_outputs = [p for p in (output, llms_txt) if p is not None]
    if output is not None and split_tokens:
        own_outputs += [output.with_name(f"{output.stem}.*{output.suffix or '.md'}")]
    result = bundle(sources, opts, openapi=openapi, base_url=base_url, strict=strict, name=name or Path.cwd().name,
                    outputs=own_outputs)
    if max_tokens:  # fitted by the renderer, as the format asked for lays the bundle out
        from llmingest.render import fit

        fit(result, max_tokens, fmt)
    outputs = _render_outputs(result, fmt, output, llms_txt, split_tokens, base_url, summary)
    if check:
        _check(outputs, _left_over(llms_txt, output, bool(split_tokens), outputs))
        return
    if not outputs:
        from llmingest.render import render_chunks

        write_output(render_chunks(result, fmt), None)
    _write(outputs, llms_txt, output, bool(split_tokens))
    if not quiet:
        _summary(result, outputs)


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
