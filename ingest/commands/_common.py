"""What every subcommand shares: writing output atomically and building Options from flags."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UsageError

FORMATS = ("markdown", "xml", "plain", "json")


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    fmt = fmt.lower()
    aliases = {"md": "markdown", "txt": "plain", "text": "plain"}
    fmt = aliases.get(fmt, fmt)
    if fmt not in allowed:
        raise UsageError(f"unknown format {fmt!r}", hint=f"choose one of {', '.join(allowed)}")
    return fmt


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


def remove_stale_parts(output: Path, keep: int) -> list[Path]:
    """Delete ``out.N.md`` parts beyond ``keep`` left by an earlier, longer split."""
    suffix = output.suffix or ".md"
    removed = []
    for path in output.parent.glob(f"{output.stem}.*{suffix}"):
        middle = path.name[len(output.stem) + 1 : -len(suffix)]
        if middle.isdigit() and int(middle) > keep:
            path.unlink()
            removed.append(path)
    return removed


def progress_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()
