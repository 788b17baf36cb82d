"""Exact token counts and secret findings for many texts, on two cores with one tokenizer.

Counting (bpe-openai) is about half of a cold digest's CPU and the secret scan a fifth; both hold
the GIL, so threads cannot run them side by side, processes can. A tokenizer costs ~70 MB per
process (o200k), and peak memory is a target too (a quarter of repomix's), so there is at most
ONE counting worker, and this process then builds no tokenizer at all: the worker counts while
this process reads, scans for secrets (at :meth:`ScanPool.submit`, in the caller's loop) and
renders. Measured on the CPython stdlib (37 MB): see benchmarks/README.md.

The worker is :mod:`llmingest.countworker` run as a script in an isolated interpreter (``python -I
-S``; no fork: safe next to threads, the same on every OS): it loads only bpe-openai's compiled
module, reads length-prefixed UTF-8 texts on stdin and answers their counts on stdout, in batches,
and hands back the pages of the tokenizer's tables once it is built (~50 MB resident instead of
~90). A cold digest waits for its last count, so it starts early: :func:`prestart` before the
walk, else at the first ``spawn_at`` characters. Texts are not copied to wait for it: the queue holds references to the
caller's strings (which it keeps anyway, to render them), a feeder thread encodes one at a time,
and :meth:`ScanPool.submit` waits while more than ``in_flight`` characters are unanswered, so the
memory spent on the worker is bounded by construction. An answered text is dropped from the pool
at once. A worker that dies (killed, out of memory) loses nothing: what it did not answer is
counted here. Small jobs (under ``spawn_at`` characters in all) start no process. State is real
(worker, queues, results), hence a class.
"""

from __future__ import annotations

import os
import queue
import struct
import subprocess
import sys
import threading
from collections import deque

SPAWN_AT = 1_000_000  # characters to count before a worker pays for itself (~30 ms to start)
IN_FLIGHT = 32_000_000  # unanswered characters at most; submit waits past it
_HEAD = struct.Struct("<I")  # text bytes
Result = tuple[int | None, list]  # (tokens, or None when not asked; secret hits as (start, end, kind))


_HERE = os.path.dirname(os.path.abspath(__file__))


def _command(encoding: str) -> list[str]:
    """The worker's command line: :mod:`llmingest.countworker` run as a script in an isolated
    interpreter (``-I -S``: no site, no package import, ~10 MB and ~0.1 s of start less), given
    the path of bpe-openai's compiled module. When that cannot be found (an unusual install), the
    package's own ``-m llmingest.scanpool``, run from the folder holding the package, so a
    "llmingest" folder in the user's working directory can never stand in for it."""
    from .tokens import bindings_path

    bindings, script = bindings_path(), os.path.join(_HERE, "countworker.py")
    if bindings is not None and os.path.exists(script):  # (an install of .pyc files alone has no script)
        return [sys.executable, "-I", "-S", script, bindings, encoding]
    return [sys.executable, "-m", "llmingest.scanpool", encoding]


def _widen(pipe) -> None:
    """A 1 MiB pipe to the worker where Linux allows it (64 KiB by default): the feeder thread
    needs the GIL between texts, and while this process's scan holds it, the worker counts what
    the pipe already holds instead of waiting."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _spawn(encoding: str) -> subprocess.Popen:
    proc = subprocess.Popen(_command(encoding), cwd=_HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    _widen(proc.stdin)
    return proc


_SPARES: dict[str, subprocess.Popen] = {}  # workers started ahead (prestart), by encoding


def prestart(encoding: str = "o200k_base") -> subprocess.Popen | None:
    """Start the counting worker for ``encoding`` now, before there is anything to count.

    A cold digest waits for the worker's last count, and the worker can count only once its
    interpreter and tokenizer are up (~60 ms): started here, at the top of a run, they load while
    the caller locates and walks the tree, and the first :class:`ScanPool` that counts adopts it
    (sending at once, whatever its ``spawn_at``). Call it only when counting is likely (an empty
    token cache): a spare never adopted is ended by :func:`discard` (the caller's ``finally``), at
    the latest at exit, and ends by itself with this process. Returns the worker waiting for a
    pool (started now, or by an earlier call no pool has adopted yet; None: none is worth it here)."""
    from .tokens import ENCODINGS

    waiting = _SPARES.get(encoding)
    if waiting is not None and waiting.poll() is None:
        return waiting
    if encoding not in ENCODINGS or (os.cpu_count() or 1) < 2:
        return None
    try:
        proc = _SPARES[encoding] = _spawn(encoding)
    except OSError:
        return None
    global _EXIT_HOOK
    if not _EXIT_HOOK:
        import atexit

        atexit.register(end_spares)
        _EXIT_HOOK = True
    return proc


_EXIT_HOOK = False


def discard(proc: subprocess.Popen | None) -> None:
    """End ``proc``, a worker :func:`prestart` returned, unless a pool adopted it: a run that
    failed before counting (a walk that raised) or needed no count (everything cached) must not
    leave its worker waiting. Only that worker: another run's spare is left to its run."""
    if proc is None:
        return
    for encoding, spare in list(_SPARES.items()):
        if spare is proc and _SPARES.pop(encoding, None) is proc:
            _end(proc)


def end_spares() -> None:
    """End the workers :func:`prestart` started that no pool adopted (a warm run needed none)."""
    while _SPARES:
        _end(_SPARES.popitem()[1])


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        pipe.close()


def _find(path: str, text: str) -> list:
    from llmingest.transforms.secrets import find

    return find(path, text)


class _Worker:
    """One counting child process, a thread feeding it and a thread collecting its answers.

    ``pending`` maps a job to its text until the answer comes (for a redo if the child dies);
    ``on_answer`` is told how many characters were answered, so the pool can let a waiting
    ``submit`` go on."""

    def __init__(self, encoding: str, results: list, on_answer) -> None:
        spare = _SPARES.pop(encoding, None)
        self.proc = spare if spare is not None and spare.poll() is None else _spawn(encoding)
        self.pending: dict[int, str] = {}
        self._order: deque[int] = deque()
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._results = results
        self._on_answer = on_answer
        self._threads = [threading.Thread(target=self._feed, daemon=True),
                         threading.Thread(target=self._collect, daemon=True)]
        for thread in self._threads:
            thread.start()

    def send(self, index: int, text: str) -> None:
        self.pending[index] = text
        self._order.append(index)
        self._outbox.put(index)

    def close_input(self) -> None:
        self._closed = True  # nothing more is sent: the last answer ends the collector
        self._outbox.put(None)

    def _feed(self) -> None:
        pipe = self.proc.stdin
        try:
            while (index := self._outbox.get()) is not None:
                text = self.pending.get(index)
                if text is None:  # pragma: no cover - answered before sent cannot happen
                    continue
                raw = text.encode("utf-8", "surrogatepass")
                pipe.write(_HEAD.pack(len(raw)))
                pipe.write(raw)
                del raw
                if self._outbox.empty():  # nothing more to batch: the worker must see it now
                    pipe.flush()
        except (OSError, ValueError):
            pass  # the worker died: _collect sees it, the caller redoes what is missing
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def _collect(self) -> None:
        for line in self.proc.stdout:
            try:
                tokens = int(line)
                index = self._order.popleft()
            except (ValueError, IndexError):
                break
            self._results[index] = (tokens, self._results[index][1])
            self._on_answer(len(self.pending.pop(index, "")))
            if self._closed and not self._order:
                break  # all answered: the worker's exit is not waited for (close() reaps it)
        self._on_answer(None)  # the worker is gone: a waiting submit must not wait for it

    def finish(self) -> None:
        for thread in self._threads:
            thread.join()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class ScanPool:
    """Submit texts, then take every result in submission order.

    A text's secrets are found at once, in this process (the caller's loop interleaves this with
    reading); its tokens are counted by the worker once the texts to count pass ``spawn_at``
    characters, else here at :meth:`results`. ``workers``: 0 counts everything here; the default
    is one worker when the machine has a second core (never more: each costs a tokenizer).
    """

    def __init__(self, encoding: str, workers: int | None = None, spawn_at: int = SPAWN_AT,
                 in_flight: int = IN_FLIGHT) -> None:
        self.encoding = encoding
        self._allowed = (workers if workers is not None else (os.cpu_count() or 1) - 1) > 0
        self._spawn_at = spawn_at
        self._in_flight = max(1, in_flight)
        self._results: list[Result] = []
        self._queued: dict[int, str] = {}  # texts to count here (or to send when the worker starts)
        self._queued_chars = 0
        self._workers: list[_Worker] = []
        self._unanswered = 0  # characters sent to the worker and not answered yet
        self._answered = threading.Condition()

    def submit(self, path: str, text: str, scan: bool, tokens: bool = True) -> int:
        """Find ``text``'s secrets now when ``scan``; count its tokens (later) when ``tokens``."""
        index = len(self._results)
        self._results.append((None, _find(path, text) if scan else []))
        if not tokens or not text:
            if tokens:
                self._results[index] = (0, self._results[index][1])
            return index
        if self._workers:
            self._send(index, text)
            return index
        self._queued[index] = text
        self._queued_chars += len(text)
        if (self._queued_chars >= self._spawn_at or self.encoding in _SPARES) and self._allowed:
            self._start()
        return index

    def hits(self, index: int) -> list:
        """The secrets found in job ``index`` (known as soon as it is submitted)."""
        return self._results[index][1]

    def _start(self) -> None:
        from .tokens import ENCODINGS, tokenizer

        if self.encoding not in ENCODINGS:
            tokenizer(self.encoding)  # an unknown encoding fails here, as a UsageError, not in the worker
        try:
            self._workers = [_Worker(self.encoding, self._results, self._answer)]
        except OSError:
            self._workers = []  # no processes to be had: everything is counted here
            self._allowed = False
            return
        queued, self._queued, self._queued_chars = self._queued, {}, 0
        for index, text in queued.items():
            self._send(index, text)

    def _answer(self, chars: int | None) -> None:
        with self._answered:
            if chars is None:  # the worker ended: nothing sent to it will be answered
                self._unanswered = -(1 << 62)
            else:
                self._unanswered -= chars
            self._answered.notify_all()

    def _send(self, index: int, text: str) -> None:
        with self._answered:
            # bounded by construction: at most in_flight characters (or one larger text) wait
            while self._unanswered > 0 and self._unanswered + len(text) > self._in_flight:
                self._answered.wait()
            self._unanswered += len(text)
        self._workers[0].send(index, text)

    def results(self) -> list[Result]:
        """Every submitted text's ``(tokens, hits)``, in order; waits for the worker."""
        count = self._counter()
        for worker in self._workers:
            worker.close_input()
        for index, text in self._queued.items():  # small jobs: here (the worker, if any, runs meanwhile)
            self._results[index] = (count(text), self._results[index][1])
        self._queued, self._queued_chars = {}, 0
        for worker in self._workers:
            worker.finish()
            for index, text in sorted(worker.pending.items()):  # the worker died before answering
                self._results[index] = (count(text), self._results[index][1])
            worker.pending.clear()
        return self._results

    def _counter(self):
        """The counter, built only when a text is counted here: with a worker, or on a warm run
        that only re-scans the few files with secrets in them, this process builds no tokenizer."""
        from .tokens import counter

        built = []

        def count(text: str) -> int:
            if not built:
                built.append(counter(self.encoding))
            return built[0](text)

        return count

    def close(self) -> None:
        for worker in self._workers:
            worker.kill()
        self._workers = []

    def __enter__(self) -> ScanPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(encoding: str) -> None:
    """The worker where bpe-openai's compiled module has no path of its own (see :func:`_command`)."""
    from .countworker import serve
    from .tokens import counter

    serve(counter(encoding))
    os._exit(0)  # every answer is written (os.write): no teardown for the pool to wait on


if __name__ == "__main__":
    _serve(sys.argv[1])
