"""What every subcommand shares: writing output atomically and building Options from flags."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

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
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.replace(tmp, output)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def progress_wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()
