"""``llmingest repo``: a repository (folder, git URL, forge URL) as one digest."""

from __future__ import annotations

from pathlib import Path

import typer

from ..options import Options, OutputOptions, check_format, parse_host_map, parse_size
from ._common import progress_wanted, remove_stale_parts, write_output

HELP = """Digest a repository: summary, directory tree and file contents, with exact token counts.

Examples:

  # this folder, markdown to stdout
  llmingest repo .

  # a GitHub repo
  llmingest repo octocat/Hello-World -o digest.md

  llmingest repo https://github.com/o/r/tree/main/docs -i '**/*.md' -f xml

  # fit a budget, show the biggest files
  llmingest repo . --max-tokens 100000 --top 20

  # numbered parts that each fit
  llmingest repo . --split-tokens 50000 -o out/digest.md

  # signatures and docstrings, bodies left out
  llmingest repo . --compress

  # classes, functions and their line ranges
  llmingest repo . --outline

  # what changed between two refs, with the new files
  llmingest repo . --diff-ref v1.0..main --with-context
"""


def register(app: typer.Typer) -> None:
    app.command("repo", help=HELP, no_args_is_help=True)(repo)


def repo(
    source: str = typer.Argument(..., help="Folder, git URL, owner/repo, or a GitHub/GitLab/Codeberg/Bitbucket/Gitea URL."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout (atomic)."),
    fmt: str = typer.Option("markdown", "-f", "--format", help="markdown | xml | plain | json"),
    include: list[str] = typer.Option([], "-i", "--include", help="Only files matching this glob (repeatable), e.g. 'docs/**/*.md'."),
    exclude: list[str] = typer.Option([], "-e", "--exclude", help="Leave out files matching this glob (repeatable)."),
    ref: str = typer.Option(None, "--ref", help="Branch, tag or commit to read."),
    token: str = typer.Option(None, "--token", help="Token for private repos (else GITHUB_TOKEN / GITLAB_TOKEN).", show_default=False),
    max_file_size: str = typer.Option("1MB", "--max-file-size", help="Skip files larger than this (e.g. 500k, 10MB)."),
    hidden: bool = typer.Option(False, "--hidden/--no-hidden", help="Include dotfiles and dot-folders."),
    default_ignores: bool = typer.Option(True, "--default-ignores/--no-default-ignores", help="Skip lockfiles, build output, vendored deps, binaries."),
    encoding: str = typer.Option("o200k_base", "--encoding", help="Tokenizer: o200k_base or cl100k_base."),
    max_tokens: int = typer.Option(None, "--max-tokens", min=1, help="Fit the digest into N tokens (README/docs first, tests last)."),
    split_tokens: int = typer.Option(None, "--split-tokens", min=1, help="Write numbered parts of at most N tokens each (needs -o)."),
    top: int = typer.Option(10, "--top", min=0, help="List the N largest files by tokens in the summary (0: none)."),
    token_tree: bool = typer.Option(False, "--token-tree/--no-token-tree", help="Show token counts in the directory tree."),
    git_log: int = typer.Option(0, "--git-log", min=0, help="Add the last N commits."),
    diff: bool = typer.Option(False, "--diff/--no-diff", help="Add uncommitted changes (git diff HEAD)."),
    redact: bool = typer.Option(True, "--redact/--no-redact", help="Redact secrets (keys, tokens, .env values) in place."),
    convert_pdfs: bool = typer.Option(False, "--convert-pdfs/--no-convert-pdfs", help="Convert PDFs in the repo to markdown."),
    host_map: list[str] = typer.Option([], "--host-map", help="Send a forge's clones to a mirror: github.com=http://127.0.0.1:9418/ (repeatable, or comma-separated)"),
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Use the clone and token caches."),
    compress: bool = typer.Option(False, "--compress/--no-compress", help="Source files as imports, signatures, docstrings and types; function bodies left out (tree-sitter)."),
    outline: bool = typer.Option(False, "--outline/--no-outline", help="Print the outline (classes, functions, line ranges) instead of the digest (markdown, or -f json)."),
    diff_ref: str = typer.Option(None, "--diff-ref", help="Only the files changed between two refs, e.g. v1.0..main, each as its diff."),
    with_context: bool = typer.Option(False, "--with-context/--no-with-context", help="With --diff-ref: the full new version of each changed file, the diff at the end."),
    sort_by_changes: bool = typer.Option(False, "--sort-by-changes/--no-sort-by-changes", help="Most often changed files first (also first in a --max-tokens tier)."),
    changes_window: int = typer.Option(100, "--changes-window", min=1, help="Commits --sort-by-changes counts."),
    submodules: bool = typer.Option(False, "--submodules/--no-submodules", help="Include checked-out submodules (cloned shallow for remote repos)."),
    quiet: bool = typer.Option(False, "-q", "--quiet/--no-quiet", help="No progress or messages on stderr."),
) -> None:
    from llmingest.render.digest import render_chunks, split_parts
    from llmingest.sources.parse import parse

    from ..api import ingest
    from ..errors import UsageError

    fmt = check_format(fmt)
    if split_tokens and output is None:
        raise UsageError("--split-tokens needs -o FILE", hint="parts are written as FILE.1.md, FILE.2.md, ...")
    parsed = parse(source, ref=ref)
    exclude = [*exclude, *_own_outputs(parsed, output, split_tokens)]
    opts = Options(
        include=list(include), exclude=list(exclude), ref=ref, token=token,
        max_file_size=parse_size(max_file_size), hidden=hidden, default_ignores=default_ignores,
        encoding=encoding, max_tokens=max_tokens, git_log=git_log, diff=diff,
        redact_secrets=redact, convert_pdfs=convert_pdfs, host_map=parse_host_map(host_map),
        cache=cache, progress=progress_wanted(quiet), output=OutputOptions(format=fmt, top=top, token_tree=token_tree),
        compress=compress and not outline, diff_ref=diff_ref, with_context=with_context,
        sort_by_changes=sort_by_changes, changes_window=changes_window, submodules=submodules,
    )
    if with_context and not diff_ref:
        raise UsageError("--with-context needs --diff-ref A..B")
    if outline:
        from llmingest.transforms.outline import outline_json, outline_markdown

        opts.max_tokens = None  # an outline lists every file; it is small already
        outlined = ingest(parsed, opts, kind="repo")
        write_output(outline_json(outlined) if fmt == "json" else outline_markdown(outlined), output)
        return
    bundle = ingest(parsed, opts, kind="repo")
    if split_tokens:
        written = set()
        for path, chunks in split_parts(bundle, fmt, split_tokens, output, top=top, token_tree=token_tree):
            write_output(chunks, path)
            written.add(path)
            if not quiet:
                typer.echo(f"wrote {path}", err=True)
        remove_stale_parts(output, written)
        return
    write_output(render_chunks(bundle, fmt, top=top, token_tree=token_tree), output)
    if output is not None and not quiet:
        typer.echo(f"wrote {output}: {len(bundle.documents)} files, {bundle.total_tokens:,} tokens", err=True)


def _own_outputs(parsed, output: Path | None, split: int | None) -> list[str]:
    """Excludes for this command's own output inside the folder it digests: a second run must not
    read the first run's digest (or its parts) back, or every run grows (repomix does the same)."""
    from llmingest.sources.bundle import own_output_excludes
    from llmingest.sources.parse import LocalDir

    if output is None or not isinstance(parsed, LocalDir):
        return []
    targets = [output]
    if split:
        targets.append(output.with_name(f"{output.stem}.*{output.suffix or '.md'}"))
    return own_output_excludes(parsed.path, targets)
