"""The counting worker of :mod:`llmingest.scanpool`: texts in on stdin, token counts out on stdout.

It is started as a script, ``python -I -S countworker.py BINDINGS ENCODING``: no ``site``, no
llmingest import, only bpe-openai's compiled module loaded from its path. A cold digest waits for
this process to count its last text, and its start is on that path: ``-m llmingest.scanpool``
imported the package (~0.1 s of CPU, ~10 MB) before the first count. So this file imports nothing
but the standard modules Python has loaded at start anyway, and nothing from the package.

Protocol: each text is a 4-byte little-endian length and that many bytes of UTF-8 (lone
surrogates passed through); each answer is its token count as an ASCII line, in order. Answers
are written in batches, when the next text has not arrived yet (the pool waits for them only to
bound its in-flight bytes), so a stream of small files costs no write per file.
"""

from __future__ import annotations

import os
import sys

_HEAD = 4  # bytes of the length prefix (little-endian)
_READ = 1 << 20  # bytes asked of the pipe at once
_BATCH = 256  # answers held at most before they are written anyway
_LATER = 1 << 20  # bytes counted before the pages of the tables are handed back, if no pause came first


def _tokenizer(bindings: str, encoding: str):
    """``count`` of bpe-openai's tokenizer, loaded from the compiled module at ``bindings`` (the
    package's ``__init__`` costs ~0.4 s and is not needed)."""
    import importlib.machinery
    import importlib.util

    name = "bpe_openai._bindings"
    loader = importlib.machinery.ExtensionFileLoader(name, bindings)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module.tokenizer_for_encoding(encoding).count


def _release(path: str) -> None:
    """Hand back the resident pages of the compiled module's read-only data (Linux).

    bpe-openai embeds its token tables in the module (69 MiB, 31 MiB of it read while the
    tokenizer is built) and builds its own structures from them; afterwards they are not read
    again, yet stay resident and count in this process's RSS. ``MADV_DONTNEED`` on a clean
    (never written) file mapping drops them from this process only: the kernel keeps them as
    page cache and faults a page back in from there if it is ever read again, so nothing can
    break. Mappings with written pages (relocations) are left alone."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        path = os.path.realpath(path)  # as the kernel names the mapping (a venv's lib64 is a link)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        spans, ours = [], None
        with open("/proc/self/smaps") as fh:
            for line in fh:
                field, _, rest = line.partition(" ")
                if not field.endswith(":"):  # a mapping's first line: range perms offset dev inode path
                    parts = line.split(maxsplit=5)
                    ours = (parts[0], {}) if len(parts) == 6 and parts[1] == "r--p" and parts[5].strip() == path else None
                    if ours:
                        spans.append(ours)
                elif ours is not None:
                    ours[1][field[:-1]] = rest.split()[0]
        for span, info in spans:
            if info.get("Private_Dirty") == "0" and info.get("Anonymous") == "0":
                start, end = (int(x, 16) for x in span.split("-"))
                libc.madvise(start, end - start, 4)  # MADV_DONTNEED
    except (ImportError, OSError, AttributeError, ValueError):
        pass  # only memory: the worker counts the same without it


def serve(count, fd_in: int = 0, fd_out: int = 1, later=None) -> None:
    """Answer every text on ``fd_in`` with ``count(text)`` on ``fd_out`` until end of input.

    Lone surrogates (broken file names, JSON escapes) are counted as U+FFFD, as
    :func:`llmingest.tokens.counter` counts them, so a count never depends on the process.
    ``later`` runs once, off the path the pool waits on: when no input is there to count, or
    after the first ``_LATER`` bytes were counted, whichever comes first."""
    import select

    def waiting() -> bool:
        """True when no input is there yet (always on Windows, whose select takes no pipes)."""
        try:
            return not select.select([fd_in], [], [], 0)[0]
        except (OSError, ValueError):
            return True

    buf = bytearray()
    pos = 0
    answers: list[bytes] = []
    counted = 0

    def flush() -> None:
        data = b"".join(answers)
        answers.clear()
        while data:
            data = data[os.write(fd_out, data):]

    while True:
        if len(buf) - pos >= _HEAD:
            size = int.from_bytes(buf[pos:pos + _HEAD], "little")
            end = pos + _HEAD + size
            if len(buf) >= end:
                text = buf[pos + _HEAD:end].decode("utf-8", "surrogatepass")
                pos = end
                counted += size
                if later is not None and counted >= _LATER:
                    later, run = None, later
                    run()
                try:
                    n = count(text)
                except UnicodeEncodeError:
                    n = count(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
                del text
                answers.append(b"%d\n" % n)
                if len(answers) >= _BATCH:
                    flush()
                continue
            want = max(_READ, end - len(buf))
        else:
            want = _READ
        if pos:  # what was answered leaves the buffer (deleting a bytearray's head is cheap)
            del buf[:pos]
            pos = 0
        if (answers or later is not None) and waiting():
            flush()  # about to wait for input: the pool must see these answers now
            if later is not None:
                later, run = None, later
                run()
        chunk = os.read(fd_in, want)
        if not chunk:
            flush()
            return
        buf += chunk


if __name__ == "__main__":
    serve(_tokenizer(sys.argv[1], sys.argv[2]), later=lambda: _release(sys.argv[1]))
    os._exit(0)  # every answer is written (os.write): no interpreter teardown or tokenizer drop to wait on
