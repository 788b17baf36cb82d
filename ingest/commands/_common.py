"""What every subcommand shares: checking the format and writing one output to a file or stdout.

Files are written by :mod:`llmingest.output` (atomic writes, numbered parts, --check diffs)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError
from ..output import remove_stale_parts, write_atomic  # noqa: F401  (repo.py takes it from here)


def write_output(chunks: str | Iterable[str], output: Path | None) -> None:
    """Write to ``output`` atomically (never a half-written file), or to stdout when None/'-'."""
    if isinstance(chunks, str):
        chunks = [chunks]
    if output is None or str(output) == "-":
        out = sys.stdout
        try:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
        except BrokenPipeError:  # `llmingest repo . | head`: the reader had enough, not an error
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    output = Path(output)
    if output.is_dir():
        raise UsageError(f"cannot write {output}: it is a folder", hint="give a file name, e.g. -o digest.md")
    try:
        write_atomic(output, chunks)
    except (PermissionError, FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def progress_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()
