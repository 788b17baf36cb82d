"""Write files atomically, with the permissions a plain ``open()`` would give.

Every output of llmingest (digests, llms.txt, mirrors, parts) goes through here: a reader never
sees a half-written file, a failure leaves the previous file untouched, and the result is not the
0600 that ``tempfile.mkstemp`` creates (a web server or CI artifact must be able to read it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def mode_for(path: Path) -> int:
    """The existing file's mode, else what a plain open() would give under the current umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _special(path: Path) -> bool:
    """An existing path that is not a regular file or a folder: a device or a pipe. Renaming a
    temp file over ``-o /dev/null`` would replace the system's null device with a regular file."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_atomic(path: Path, chunks: str | Iterable[str]) -> None:
    """Write ``chunks`` to ``path`` via a temp file in the same folder and an atomic rename."""
    if isinstance(chunks, str):
        chunks = [chunks]
    if _special(path):  # /dev/null, /dev/stdout, a named pipe: write into it, never rename over it
        with open(path, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # a 1 MiB buffer: digests are tens of MB written in thousands of pieces
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.chmod(tmp, mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
