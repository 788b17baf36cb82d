"""Where a batch writes: a local folder, or any pyarrow filesystem URI (``s3://``, ``gs://``, ``file://``).

Workers of a Ray cluster do not share the driver's disk, so every output of ``llmingest batch``
(rendered sources, per-source state, the dataset) goes through one small interface with two
implementations. Both write atomically: a temp name in the same folder, then a rename (on object
stores an upload only appears once complete, which is the same guarantee).
"""

from __future__ import annotations

import os
import posixpath
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from llmingest.errors import UsageError
from llmingest.output import write_atomic


class Store:
    """Relative names (``a/b.md``) under one root; text is UTF-8, names use ``/``."""

    root: str

    def read_bytes(self, rel: str) -> bytes | None:
        raise NotImplementedError

    def write_text(self, rel: str, text: str) -> None:
        raise NotImplementedError

    def delete(self, rel: str) -> None:
        raise NotImplementedError

    @contextmanager
    def open_atomic(self, rel: str) -> Iterator[IO[bytes]]:
        """A binary stream that becomes ``rel`` only when the block ends without an error."""
        raise NotImplementedError
        yield  # pragma: no cover

    def read_text(self, rel: str) -> str | None:
        data = self.read_bytes(rel)
        return None if data is None else data.decode("utf-8")

    def local_path(self) -> Path | None:
        """The folder on this machine, when there is one."""
        return None


class LocalStore(Store):
    """A folder on this machine (or a shared mount all workers see)."""

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root).expanduser().absolute()
        self.root = str(self.path)

    def local_path(self) -> Path:
        return self.path

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            return (self.path / rel).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def write_text(self, rel: str, text: str) -> None:
        path = self.path / rel
        try:
            if path.read_text("utf-8") == text:
                return  # unchanged: keep the mtime (make, rsync and CI caches see no change)
        except (OSError, UnicodeDecodeError):
            pass
        write_atomic(path, text)

    def delete(self, rel: str) -> None:
        path = self.path / rel
        try:
            path.unlink()
        except FileNotFoundError:
            return
        parent = path.parent
        while parent != self.path and parent.is_relative_to(self.path):
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent

    @contextmanager
    def open_atomic(self, rel: str) -> Iterator[IO[bytes]]:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as fh:
                yield fh
            os.chmod(tmp, 0o644 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ArrowStore(Store):
    """Any filesystem pyarrow knows by URI (S3, GCS, HDFS, ``file://``): shared storage for a cluster."""

    def __init__(self, uri: str) -> None:
        try:
            from pyarrow import fs
        except ImportError:
            raise UsageError(f"writing to {uri} needs pyarrow", hint='pip install "llmingest[ray]"') from None
        try:
            self.fs, base = fs.FileSystem.from_uri(uri)
        except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for unknown schemes
            raise UsageError(f"cannot open {uri}: {exc}") from None
        self.base = base.rstrip("/")
        self.root = uri
        self.fs.create_dir(self.base, recursive=True)

    def _full(self, rel: str) -> str:
        return posixpath.join(self.base, rel)

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            with self.fs.open_input_stream(self._full(rel)) as fh:
                return fh.read()
        except (FileNotFoundError, OSError):
            return None

    def write_text(self, rel: str, text: str) -> None:
        data = text.encode("utf-8")
        if self.read_bytes(rel) == data:
            return
        with self.open_atomic(rel) as fh:
            fh.write(data)

    def delete(self, rel: str) -> None:
        try:
            self.fs.delete_file(self._full(rel))
        except (FileNotFoundError, OSError):
            pass

    @contextmanager
    def open_atomic(self, rel: str) -> Iterator[Any]:
        full = self._full(rel)
        self.fs.create_dir(posixpath.dirname(full), recursive=True)
        tmp = posixpath.join(posixpath.dirname(full), f".{posixpath.basename(full)}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with self.fs.open_output_stream(tmp) as fh:
                yield fh
            self.fs.move(tmp, full)
        except BaseException:
            try:
                self.fs.delete_file(tmp)
            except Exception:
                pass
            raise


def open_store(out: str | Path) -> Store:
    """A :class:`LocalStore` for a path, an :class:`ArrowStore` for a ``scheme://`` URI."""
    text = str(out)
    if "://" in text:
        return ArrowStore(text)
    return LocalStore(text)
