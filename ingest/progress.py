"""Progress on stderr for long work: Rich when stderr is a terminal, silent when piped.

Sources call :func:`task` and ``advance``; whether anything is drawn is decided here, once, so no
converter or walker knows about terminals.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from .options import Options


class _Task:
    def __init__(self, options: Options | None, description: str, total: int | None, bar=None, task_id=None):
        self._options = options
        self._description = description
        self.total = total
        self.done = 0
        self._bar = bar
        self._id = task_id

    def advance(self, n: int = 1, *, total: int | None = None, description: str | None = None) -> None:
        self.done += n
        if total is not None:
            self.total = total
        if description:
            self._description = description
        if self._bar is not None:
            self._bar.update(self._id, advance=n, total=self.total, description=self._description)
        if self._options is not None and self._options.on_progress is not None:
            self._options.on_progress(self._description, self.done, self.total)


def enabled(options: Options | None) -> bool:
    if options is None or not options.progress:
        return False
    if os.environ.get("LLMINGEST_NO_PROGRESS"):
        return False
    return sys.stderr.isatty()


@contextmanager
def task(options: Options | None, description: str, total: int | None = None) -> Iterator[_Task]:
    """A progress task; draws a Rich bar on stderr only when progress is on and stderr is a tty."""
    if not enabled(options):
        yield _Task(options, description, total)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        task_id = bar.add_task(description, total=total)
        yield _Task(options, description, total, bar, task_id)
