"""``llmingest actions``: "click here" documentation rewritten into curl calls an agent can run."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..options import Options, check_format
from ._common import progress_wanted, write_output

HELP = """Find the steps a doc writes for a person clicking through a web UI ("go to Settings >
Webhooks, click Add webhook, paste the URL") and add, beside them, the equivalent API call from
the product's OpenAPI spec: a runnable curl with the full URL, auth header, path placeholders and
body. Tasks without a confident match stay manual ("no API equivalent found"): a wrong curl is
worse than none. Without --openapi, links in click-steps become curl -LO and HTML forms become
curl -X POST.

Examples:

  llmingest actions docs/webhooks.md --openapi api.github.com.json

  llmingest actions https://example.org/guide.html --openapi api.yaml -f json

  llmingest actions docs/ --openapi https://example.org/api.json -o out.md

  # curls against a local server
  llmingest actions setup.md --openapi api.yaml --base-url http://localhost/

  # the 5 likeliest calls under each task, to pick from
  llmingest actions setup.md --openapi api.yaml --candidates 5

  # more calls, less sure (the default is calibrated; the curve: docs/benchmarks.md#click-to-curl)
  llmingest actions setup.md --openapi api.yaml --threshold 0.8

  # agent-readiness of a docs set
  llmingest actions --report docs/ --openapi spec.json

  llmingest actions --report https://example.org/ --openapi spec.json -f json
"""


def register(app: typer.Typer) -> None:
    app.command("actions", help=HELP, no_args_is_help=True)(actions)


def actions(
    source: str = typer.Argument(None, help="A markdown or HTML file, a folder of docs, or an http(s) URL."),
    openapi: str = typer.Option(None, "--openapi", help="OpenAPI 3.x or Swagger 2.0 spec (JSON or YAML): path or URL."),
    base_url: str = typer.Option(None, "--base-url", help="Use this API base URL instead of the spec's servers."),
    fmt: str = typer.Option(None, "-f", "--format", help="markdown | json (with --report: text | json)."),
    threshold: float = typer.Option(None, "--threshold", help="Confidence (0..1) below which a task stays manual (default: the calibrated one shipped with the model; lower trades precision for recall: docs/benchmarks.md#click-to-curl)."),
    candidates: int = typer.Option(0, "--candidates", help="Show the K likeliest API operations under each task (method, path, probability, why).", metavar="K"),
    report: str = typer.Option(None, "--report", help="Agent-readiness report for this folder or URL (crawled as a docs site) instead of a rewrite."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout (atomic)."),
    token: str = typer.Option(None, "--token", help="Bearer token for docs or specs behind auth (never printed).", show_default=False),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds per request."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Re-index the spec instead of using the cached index."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No messages on stderr."),
) -> None:
    from llmingest.sources.actions import actions_for, readiness_report, render_report

    from ..errors import UsageError, register_secret

    register_secret(token)
    opts = Options(token=token, timeout=timeout, cache=not no_cache, progress=progress_wanted(quiet))
    if source is None and report is None:
        raise UsageError("give a document, folder or URL", hint="e.g. llmingest actions docs/ --openapi spec.json")
    if report is not None:
        target = report
        fmt = check_format(fmt or "text", ("plain", "json"))
        data = readiness_report(target, openapi, opts, threshold=threshold, base_url=base_url)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else render_report(data)
        write_output(text, output)
        return
    fmt = check_format(fmt or "markdown", ("markdown", "json"))
    result = actions_for(source, openapi, opts, base_url=base_url, threshold=threshold, candidates=candidates)
    results = result if isinstance(result, list) else [result]
    if fmt == "json":
        if isinstance(result, list):
            payload = {"source": source, "spec": results[0].spec if results else None,
                       "matched": sum(r.matched for r in results), "manual": sum(r.manual for r in results),
                       "documents": [r.to_dict() for r in results]}
            text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        else:
            text = result.to_json()
    elif isinstance(result, list):
        parts = [f"<!-- llmingest actions: {r.source} -->\n{r.markdown.rstrip()}\n" for r in results]
        text = "\n".join(parts)
    else:
        text = result.markdown
    write_output(text, output)
    if not quiet:
        matched = sum(r.matched for r in results)
        manual = sum(r.manual for r in results)
        msg = f"{matched} task(s) with an API call, {manual} manual"
        if output is not None:
            msg = f"wrote {output}: " + msg
        typer.echo(msg, err=True)
