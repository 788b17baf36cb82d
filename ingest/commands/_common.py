"""What every subcommand shares: writing output atomically and building Options from flags."""

from __future__ import annotations

import glob
import sys
from collections.abc import Iterable
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UsageError
from ..options import FORMATS, check_format  # noqa: F401 - in the core: the web service parses formats too


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


def stale_parts(output: Path, written: set[Path]) -> list[Path]:
    """``out.N.md`` parts an earlier split left that this run did not write (a longer split, or
    one numbered with another padding width)."""
    suffix = output.suffix or ".md"
    keep = {p.name for p in written}
    # the -o name is a name, not a pattern: "a?.md" must not match the user's "ab.12345.md"
    return sorted(p for p in output.parent.glob(f"{glob.escape(output.stem)}.*{glob.escape(suffix)}")
                  if p.name.startswith(output.stem + ".") and p.name[len(output.stem) + 1 : -len(suffix)].isdigit()
                  and p.name not in keep)


def remove_stale_parts(output: Path, written: set[Path]) -> list[Path]:
    """Delete the parts :func:`stale_parts` names."""
    removed = stale_parts(output, written)
    for path in removed:
        path.unlink()
    return removed


def progress_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()
