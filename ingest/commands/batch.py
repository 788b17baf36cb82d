"""``llmingest batch``: a manifest of many sources -> per-source outputs and one dataset of documents."""

from __future__ import annotations

from pathlib import Path

import typer

from ..options import Options, parse_host_map, parse_size

HELP = """Ingest many sources into one folder: each source's output and one dataset of documents.

MANIFEST is a text file (one source per line, kind prefixes as in bundle: repo:, site:, page:, pdf:), JSON Lines ({"source": ..., "kind": ..., "name": ..., options...}) or an llmingest.toml with \\[\\[sources]]. OUT gets <name>.md per source (the llms.txt set in <name>/ for a site), dataset.parquet (one row per document; --dataset-format jsonl for JSON Lines) and results.jsonl (ok / skipped / failed per source). A rerun skips the sources whose outputs are complete for the same source, options and commit or ETag. A failing source is recorded and the batch goes on (--strict: exit 1 at the end).

Examples:

  llmingest batch sources.txt -o out/ --workers 2

  llmingest batch sources.jsonl -o out/ --dataset-format jsonl

  # on Ray (pip install "llmingest\\[ray]"), OUT on storage all nodes see
  ray job submit -- llmingest batch m.txt -o s3://bucket/run1 --engine ray
"""


def register(app: typer.Typer) -> None:
    app.command("batch", help=HELP, no_args_is_help=True)(batch_cmd)


def batch_cmd(
    manifest: Path = typer.Argument(..., help="Manifest: .txt (one source per line), .jsonl, or llmingest.toml."),
    output: str = typer.Option(..., "-o", "--output", help="Output folder, or a pyarrow filesystem URI (s3://...)."),
    engine: str = typer.Option("local", "--engine", help="local (a pool of worker processes) or ray."),
    workers: int = typer.Option(None, "--workers", min=1, help="Sources in parallel (default: the CPU count)."),
    dataset_format: str = typer.Option("parquet", "--dataset-format", help="parquet or jsonl."),
    ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster to join (else RAY_ADDRESS, else a local Ray)."),
    strict: bool = typer.Option(False, "--strict/--no-strict", help="Exit 1 at the end when any source failed."),
    refresh: bool = typer.Option(False, "--refresh", help="Redo every source, even those whose outputs are complete."),
    retries: int = typer.Option(2, "--retries", min=0, help="Retries of a transient failure (network, 429/5xx, a dead worker)."),
    per_host: int = typer.Option(4, "--per-host", min=1, help="Requests in flight to one host across ALL workers."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds per network request."),
    max_file_size: str = typer.Option("1MB", "--max-file-size", help="Repos: skip files larger than this."),
    max_pages: int = typer.Option(None, "--max-pages", min=1, help="Sites: stop after N pages."),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer: o200k_base or cl100k_base."),
    token: str = typer.Option(None, "--token", help="Token for private repos (else GITHUB_TOKEN / GITLAB_TOKEN).", show_default=False),
    host_map: list[str] = typer.Option([], "--host-map", help="Forge mirrors: github.com=http://127.0.0.1:9418/ (repeatable)."),
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Use the clone, HTTP and token caches."),
    quiet: bool = typer.Option(False, "-q", "--quiet/--no-quiet", help="No progress or summary on stderr."),
) -> None:
    from ..batch import batch
    from ..errors import register_secret
    from ._common import progress_wanted

    register_secret(token)
    opts = Options(encoding=encoding, token=token, timeout=timeout, max_file_size=parse_size(max_file_size),
                   max_pages=max_pages, per_host=per_host, host_map=parse_host_map(host_map), cache=cache)
    report = batch(manifest, output, engine=engine.lower(), workers=workers, dataset_format=dataset_format.lower(),
                   strict=strict, refresh=refresh, retries=retries, ray_address=ray_address, options=opts,
                   progress=progress_wanted(quiet))
    if not quiet:
        ok, skipped, failed = report.count("ok"), report.count("skipped"), report.count("failed")
        typer.echo(f"{len(report.results)} sources: {ok} ok, {skipped} skipped (up to date), {failed} failed; "
                   f"{report.documents:,} documents, {report.tokens:,} tokens in {report.seconds:.1f} s", err=True)
        for r in report.failed[:20]:
            typer.echo(f"- failed: {r['name']}: {r.get('error')}", err=True)
        if failed > 20:
            typer.echo(f"- ... and {failed - 20} more (see results.jsonl)", err=True)
        typer.echo(f"wrote {report.out}/{report.dataset} and {report.out}/results.jsonl", err=True)
