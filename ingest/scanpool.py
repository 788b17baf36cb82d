"""Exact token counts and secret findings for many texts, on every core.

Both jobs hold the GIL (bpe-openai's counter and the secret regexes), so threads cannot run them
side by side; worker processes can. A worker is a plain ``python -m llmingest.scanpool ENCODING``
child (no fork: safe next to threads, the same on every OS) that reads length-prefixed texts on
stdin and answers one JSON line per text on stdout. Texts are shared out by size, so the workers
finish together.

Workers cost memory: each holds its own tokenizer (~70 MB for o200k), and peak memory is a
target too (a quarter of repomix's). Texts therefore wait in a queue and are done in this process
unless the queue grows past ``SPAWN_AT`` characters, where the workers' memory is small next to
the texts held anyway: measured on the CPython stdlib (37 MB), two workers took the digest from
2.0 to 1.7 s but its peak from 146 to 322 MiB. A worker that dies (killed, out of memory) loses
nothing: what it did not answer is done here. State is real (workers, queues, results), hence a
class.
"""

from __future__ import annotations

import json
import os
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from typing import Any

SPAWN_AT = 256_000_000  # characters of text; see the module docstring
_HEAD = struct.Struct("<IIB")  # path bytes, text bytes, flags (bit 0: find secrets, bit 1: count tokens)
Result = tuple[int | None, list]  # (tokens, or None when not asked; secret hits as (start, end, kind))


def _scan(count, path: str, text: str, scan: bool, tokens: bool = True) -> Result:
    hits: list = []
    if scan:
        from .secrets import find

        hits = find(path, text)
    return (count(text) if tokens else None), hits


class _Worker:
    """One child process, a thread feeding it and a thread collecting its answers."""

    def __init__(self, encoding: str, results: list) -> None:
        # run from the folder holding our package, so a "llmingest" folder in the user's working
        # directory can never stand in for it (``-m`` looks in the working directory first)
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.proc = subprocess.Popen([sys.executable, "-m", "llmingest.scanpool", encoding], cwd=here,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.assigned = 0  # characters sent, to share the work out evenly
        self._order: deque[int] = deque()
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._results = results
        self._threads = [threading.Thread(target=self._feed, daemon=True),
                         threading.Thread(target=self._collect, daemon=True)]
        for thread in self._threads:
            thread.start()

    def send(self, index: int, path: str, text: str, scan: bool, tokens: bool) -> None:
        self.assigned += len(text)
        self._order.append(index)
        self._outbox.put((path, text, scan | tokens << 1))

    def close_input(self) -> None:
        self._outbox.put(None)

    def _feed(self) -> None:
        pipe = self.proc.stdin
        try:
            while (job := self._outbox.get()) is not None:
                path, text, flags = job
                raw_path = path.encode("utf-8", "surrogatepass")
                raw = text.encode("utf-8", "surrogatepass")
                pipe.write(_HEAD.pack(len(raw_path), len(raw), flags))
                pipe.write(raw_path)
                pipe.write(raw)
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
                tokens, hits = json.loads(line)
                self._results[self._order.popleft()] = (tokens, [tuple(h) for h in hits])
            except (ValueError, IndexError):
                break

    def finish(self) -> None:
        for thread in self._threads:
            thread.join()
        self.proc.wait()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class ScanPool:
    """Submit texts, then take every result in submission order.

    ``workers``: how many processes to start for a large job (default: the cores, at most 4);
    fewer than two means everything is done in this process, since one worker would only add
    its start-up and its memory.
    """

    def __init__(self, encoding: str, workers: int | None = None, spawn_at: int = SPAWN_AT) -> None:
        self.encoding = encoding
        self._max = workers if workers is not None else min(4, os.cpu_count() or 1)
        self._spawn_at = spawn_at
        self._jobs: list[tuple[str, str, bool, bool]] = []
        self._results: list[Any] = []
        self._queued: list[int] = []
        self._queued_chars = 0
        self._workers: list[_Worker] = []

    def submit(self, path: str, text: str, scan: bool, tokens: bool = True) -> int:
        """Queue one text: find its secrets when ``scan``, count its tokens when ``tokens``."""
        index = len(self._jobs)
        self._jobs.append((path, text, scan, tokens))
        self._results.append(None)
        if self._workers:
            self._send(index)
            return index
        self._queued.append(index)
        self._queued_chars += len(text)
        if self._queued_chars >= self._spawn_at and self._max > 1:
            self._start()
        return index

    def _start(self) -> None:
        from .tokens import tokenizer

        tokenizer(self.encoding)  # an unknown encoding fails here, once, not in every worker
        try:
            self._workers = [_Worker(self.encoding, self._results) for _ in range(self._max)]
        except OSError:
            self._workers = []  # no processes to be had: everything is done in this one
            return
        for index in self._queued:
            self._send(index)
        self._queued = []

    def _send(self, index: int) -> None:
        min(self._workers, key=lambda w: w.assigned).send(index, *self._jobs[index])

    def results(self) -> list[Result]:
        """Every submitted text's ``(tokens, hits)``, in order; waits for the workers."""
        count = self._counter()
        for index in self._queued:  # small jobs: here, while the workers (if any) run
            self._results[index] = _scan(count, *self._jobs[index])
        self._queued = []
        for worker in self._workers:
            worker.close_input()
        for worker in self._workers:
            worker.finish()
        for index, result in enumerate(self._results):
            if result is None:  # a worker died before answering: do it here
                self._results[index] = _scan(count, *self._jobs[index])
        return self._results

    def _counter(self):
        """The counter, built only when a job here needs it: a warm run that only re-scans the
        few files with secrets in them never builds a tokenizer."""
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
    """The worker: length-prefixed texts in on stdin, one ``[tokens, hits]`` JSON line out each."""
    from .tokens import counter

    count = counter(encoding)
    read, write = sys.stdin.buffer.read, sys.stdout.buffer.write
    while True:
        head = read(_HEAD.size)
        if len(head) < _HEAD.size:
            return
        path_len, text_len, flags = _HEAD.unpack(head)
        path = read(path_len).decode("utf-8", "surrogatepass")
        text = read(text_len).decode("utf-8", "surrogatepass")
        tokens, hits = _scan(count, path, text, bool(flags & 1), bool(flags & 2))
        write(json.dumps([tokens, hits]).encode() + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve(sys.argv[1])
