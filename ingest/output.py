"""Everything llmingest writes to disk goes through here: atomic writes, the stale-file manifest
of an output folder, and the ``--check`` diff of a set of files against what is on disk.

``llmingest repo -o``, ``site -o``, ``bundle -o/--llms-txt`` and both site plugins write a *set of
files*; they share three needs, kept in this one module so they are solved once:

**Atomic writes** (:func:`write_atomic`). A reader never sees a half-written file, a failure
leaves the previous file untouched, and the result has the permissions a plain ``open()`` would
give (not the 0600 that ``tempfile.mkstemp`` creates: a web server or CI artifact must read it).

**The stale-file manifest** (:func:`read_manifest`, :func:`write_manifest`, :func:`stale_files`,
:func:`remove_files`). ``llmingest site -o DIR`` and ``llmingest bundle --llms-txt DIR`` write
``llms.txt``, ``llms-full.txt`` and one ``.md`` mirror per page into a folder the user also owns
(``public/`` with their ``index.html``, ``CNAME``, ``assets/``). Page names come from a crawled
site, so a hostile one once smuggled ``x\\nindex.html`` into the list and the next run deleted the
user's files. Hence three rules:

1. a name is written to the manifest only if :func:`valid_name` holds (a relative path inside the
   folder, no control or line-break characters, no ``.``/``..``/empty segments, and a name this
   tool writes: ``llms.txt``, ``llms-full.txt`` or ``*.md``);
2. reading ignores every line that is not such a name (a hand-edited or planted manifest cannot
   widen what is deleted);
3. a listed file is deleted only when it still holds exactly what we wrote (its SHA-256 is in the
   manifest, ``sha256sum`` format); a file the user edited since is left alone. Lines of the older
   name-only format are honoured by name alone (rules 1 and 2 still apply).

**The --check diff** (:func:`unified_diff`, :func:`diff_folder`). CI runs ``--check`` to fail when
committed outputs are stale; the diff shown is capped so a large site cannot flood the log.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["write_atomic", "mode_for", "write_if_changed", "MANIFEST", "OWN_FILES", "Digest", "digest",
           "valid_name", "read_manifest", "manifest_text", "write_manifest", "stale_files", "remove_files",
           "write_folder", "diff_folder", "unified_diff", "check_files", "stale_parts",
           "remove_stale_parts"]


# ---------------------------------------------------------------------------------------------
# atomic writes


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


# ---------------------------------------------------------------------------------------------
# the stale-file manifest

MANIFEST = ".llmingest-site.txt"
#: the only names an llmingest output folder holds (besides the manifest itself)
OWN_FILES = ("llms.txt", "llms-full.txt", "_headers")  # _headers: site --md-twins with --base-url
MAX_NAME_BYTES = 1024  # whole relative path; mirror_path keeps names well under this
_SEGMENT_BYTES = 255
_LINE = re.compile(r"^(?P<sha>[0-9a-f]{64})  (?P<name>.+)$")


class Digest(str):
    """A SHA-256 already taken while the file was written (a streamed llms-full.txt is never held
    as one text): :func:`digest` returns it as is."""


def digest(text: str) -> str:
    """SHA-256 of the text as written (UTF-8)."""
    if isinstance(text, Digest):
        return str(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def valid_name(rel: str) -> bool:
    """True for a relative path this tool could have written into an output folder.

    >>> [valid_name(n) for n in ("llms.txt", "guide/install.md", "x\\nindex.html", "../a.md", "CNAME")]
    [True, True, False, False, False]
    """
    if not isinstance(rel, str) or not rel or len(rel.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return False
    if rel.startswith("/") or "\\" in rel or rel.splitlines() != [rel]:
        return False
    if any(not c.isprintable() and c != " " for c in rel):  # NUL, C0/C1 controls, U+2028/2029...
        return False
    parts = rel.split("/")
    if any(p in ("", ".", "..") or len(p.encode("utf-8", "surrogatepass")) > _SEGMENT_BYTES for p in parts):
        return False
    if rel == MANIFEST:
        return False
    return rel in OWN_FILES or (rel.endswith(".md") and len(parts[-1]) > 3)


def read_manifest(out_dir: Path) -> dict[str, str | None]:
    """Names listed in ``out_dir``'s manifest -> the SHA-256 recorded for them (None: old format).

    Lines that are not a :func:`valid_name` are ignored, whatever they say.
    """
    try:
        text = (Path(out_dir) / MANIFEST).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, str | None] = {}
    for line in text.split("\n"):  # only "\n" separates entries; any other break char invalidates a line
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        sha, name = (m.group("sha"), m.group("name")) if m else (None, line)
        if valid_name(name):
            out[name] = sha
    return out


def manifest_text(files: dict[str, str], header: str) -> str:
    """The manifest text for ``files`` (name -> text written), invalid names left out."""
    head = "".join(f"# {line}\n" for line in header.splitlines() if line.strip())
    return head + "".join(f"{digest(text)}  {rel}\n" for rel, text in sorted(files.items()) if valid_name(rel))


def write_manifest(out_dir: Path, files: dict[str, str], header: str) -> None:
    """Record ``files`` (name -> text written) as what this run wrote; unchanged manifests stay untouched."""
    text = manifest_text(files, header)
    path = Path(out_dir) / MANIFEST
    try:
        if path.read_text("utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)


def _inside(out_dir: Path, rel: str) -> Path | None:
    """``out_dir/rel`` when it is a regular file (not a symlink) whose folder is inside ``out_dir``."""
    root = Path(out_dir).resolve()
    path = root / rel
    try:
        if path.is_symlink() or not path.is_file() or not path.parent.resolve().is_relative_to(root):
            return None
    except (OSError, ValueError):
        return None
    return path


def stale_files(out_dir: Path, keep: set[str] | dict[str, str]) -> list[str]:
    """Listed names not in ``keep`` that may be deleted: still a file inside ``out_dir`` and, when
    the manifest recorded a hash, still holding exactly what we wrote. Sorted."""
    gone: list[str] = []
    for rel, sha in read_manifest(out_dir).items():
        if rel in keep:
            continue
        path = _inside(out_dir, rel)
        if path is None:
            continue
        if sha is not None:
            try:
                if hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                    continue  # edited (or replaced) since we wrote it: the user's now
            except OSError:
                continue
        gone.append(rel)
    return sorted(gone)


def remove_files(out_dir: Path, names: list[str]) -> list[Path]:
    """Delete ``names`` (from :func:`stale_files`) and the folders they leave empty; the paths deleted."""
    root = Path(out_dir).resolve()
    removed: list[Path] = []
    for rel in names:
        path = _inside(out_dir, rel) if valid_name(rel) else None
        if path is None:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
        parent = path.parent
        while parent != root and parent.is_relative_to(root) and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed


# ---------------------------------------------------------------------------------------------
# a set of files

def _pieces(text: str | Callable[[], str | Iterable[str]]) -> Iterable[str]:
    made = text() if callable(text) else text
    return (made,) if isinstance(made, str) else made


def write_if_changed(path: Path, text: str | Callable[[], str | Iterable[str]]) -> Digest:
    """Write ``text`` (or what the function makes, piece by piece) unless ``path`` holds it already
    (then its mtime stays, so make-like tools and rsync see no change); its SHA-256 for the manifest.

    Compared by size and hash, read in blocks: neither the old file nor the new text is ever held
    whole, so writing a 20 MB llms-full.txt costs a few MB of memory."""
    try:
        old_size = path.stat().st_size if path.is_file() else None
    except OSError:
        old_size = None
    if old_size is not None:
        new, size = hashlib.sha256(), 0
        for piece in _pieces(text):
            data = piece.encode("utf-8")
            new.update(data)
            size += len(data)
        if size == old_size:
            old = hashlib.sha256()
            try:
                with open(path, "rb") as fh:
                    while block := fh.read(1 << 20):
                        old.update(block)
                if old.digest() == new.digest():
                    return Digest(new.hexdigest())
            except OSError:
                pass
    sha = hashlib.sha256()

    def hashed() -> Iterable[str]:
        for piece in _pieces(text):
            sha.update(piece.encode("utf-8"))
            yield piece

    write_atomic(path, hashed())
    return Digest(sha.hexdigest())


class WriteMemo:
    """What the last run wrote into a folder: name -> [input key, SHA-256, size, mtime, inode, ctime].

    A warm rebuild over unchanged inputs would make every mirror's text again, hash it and read
    the old file back only to find it equal (37 MB for python3-doc). When the caller knows a key
    of everything that makes a file's text (``keys``), the same key and an untouched file (same
    size, mtime, inode and ctime as right after we wrote or checked it) prove the file holds that text:
    then nothing is made, hashed nor read. Kept outside the folder (a cache), so the folder's
    bytes never depend on it; a lost or corrupt memo only makes the next run slower. A class: a
    loaded map and where it goes.
    """

    def __init__(self, path: Path | None) -> None:
        import json

        self.path = path
        self._old: dict[str, list] = {}
        self._new: dict[str, list] = {}
        self.hits = 0
        if path is not None:
            try:
                loaded = json.loads(Path(path).read_text("utf-8"))
                self._old = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._old = {}

    @staticmethod
    def _sig(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]  # ctime: no tool can set it back

    def unchanged(self, rel: str, path: Path, key: str | None) -> Digest | None:
        """The file's SHA-256 when ``key`` is the one it was last written or checked with and the
        file is untouched since; None: make the text and compare (:func:`write_if_changed`)."""
        entry = self._old.get(rel)
        if key is None or not (isinstance(entry, list) and len(entry) == 6 and entry[0] == key):
            return None
        if entry[2:] != self._sig(path):
            return None
        self._new[rel] = entry
        self.hits += 1
        return Digest(entry[1])

    def record(self, rel: str, path: Path, key: str | None, sha: str) -> None:
        sig = self._sig(path) if key is not None else None
        if sig is not None:
            self._new[rel] = [key, sha, *sig]

    def save(self) -> None:
        import json

        if self.path is None or self._new == self._old:
            return
        try:
            write_atomic(Path(self.path), json.dumps(self._new, separators=(",", ":"), sort_keys=True))
        except OSError:
            pass


def write_folder(out_dir: Path, files: dict, header: str, *, keys: dict[str, str] | None = None,
                 memo: Path | None = None) -> tuple[list[Path], list[str]]:
    """Write ``files`` (relative name -> text or text maker) into ``out_dir`` as one managed set.

    Stale files of an earlier run go first (a page that was ``foo.md`` may now need ``foo.md/``
    as a folder), and only as far as :func:`stale_files` allows; unchanged files are not rewritten;
    a name that is not :func:`valid_name` or leaves the folder is never written nor listed; the
    manifest then records what this run wrote, under ``header``. A file that cannot be written
    does not stop the others. Returns (paths written, one line per failure).

    ``keys`` (name -> a key of everything its text is made from) and ``memo`` (a file outside the
    folder) let a re-run skip making, hashing and comparing the files whose key and stat are
    unchanged (see :class:`WriteMemo`).
    """
    out_dir = Path(out_dir)
    written: list[Path] = []
    done: dict[str, str] = {}
    failed: list[str] = []
    keys = keys or {}
    remembered = WriteMemo(memo if keys else None)
    remove_files(out_dir, stale_files(out_dir, files))
    root = out_dir.resolve()
    for rel, text in files.items():
        path = out_dir / rel
        if not valid_name(rel) or not path.resolve().is_relative_to(root):
            failed.append(f"{rel!r}: not a safe name inside the folder")  # never written, never listed
            continue
        key = keys.get(rel)
        try:
            known = remembered.unchanged(rel, path, key)
            done[rel] = known if known is not None else write_if_changed(path, text)
        except OSError as exc:  # a user's file where a folder must go, a full disk: say which, keep the rest
            failed.append(f"{rel}: {exc.strerror or exc}")
            continue
        if known is None:
            remembered.record(rel, path, key, done[rel])
        written.append(path)
    write_manifest(out_dir, done, header)
    remembered.save()
    return written, failed


# ---------------------------------------------------------------------------------------------
# --check


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def diff_folder(out_dir: Path, files: dict[str, str], *, max_lines: int = 400) -> tuple[list[str], str]:
    """``--check`` of a managed folder: (stale, missing or left-over names, one unified diff of
    them capped at ``max_lines``). Left-over: what :func:`stale_files` would delete, shown as
    ``name (page gone)``."""
    out_dir = Path(out_dir)
    changes: list[tuple[str, str | None, str | None]] = []
    for rel, text in files.items():
        old = _read_text(out_dir / rel)
        if old != text:
            changes.append((rel, old, text))
    for rel in stale_files(out_dir, files):
        old = _read_text(out_dir / rel)
        changes.append((rel, "" if old is None else old, None))
    stale: list[str] = []
    lines: list[str] = []
    for rel, old, new in sorted(changes, key=lambda c: c[0]):
        stale.append(rel if new is not None else f"{rel} (page gone)")
        if len(lines) < max_lines:
            lines += difflib.unified_diff((old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True),
                                          fromfile=f"a/{rel}" if old is not None else "/dev/null",
                                          tofile=f"b/{rel}" if new is not None else "/dev/null")
    diff = "".join(line if line.endswith("\n") else line + "\n" for line in lines[:max_lines])
    if len(lines) > max_lines:
        diff += f"... diff cut at {max_lines} lines\n"
    return stale, diff


def unified_diff(path: Path, new: str, *, max_lines: int = 200) -> str | None:
    """``--check`` of one output file: None when ``path`` holds ``new``, else a unified diff of the
    committed file against the generated text (a missing file counts as empty), capped."""
    old = path.read_text("utf-8") if path.is_file() else ""
    if old == new:
        return None
    lines = list(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                      fromfile=f"{path} (committed)", tofile=f"{path} (generated)", n=2))
    return "".join(lines[:max_lines]) + ("... (diff cut at 200 lines)\n" if len(lines) > max_lines else "")


def check_files(outputs: dict[Path, str], extras: list[Path], echo: Callable[[str], None]) -> list[str]:
    """``--check`` of loose output files: each left-over (``extras``) and each file whose text
    differs is reported through ``echo`` (with its diff); the stale paths, as strings."""
    stale = [str(p) for p in extras]
    for path in extras:
        echo(f"{path}: no longer generated (would be removed)")
    for path, text in sorted(outputs.items()):
        diff = unified_diff(path, text)
        if diff is not None:
            stale.append(str(path))
            echo(diff if diff else f"{path}: missing")
    return stale


# ---------------------------------------------------------------------------------------------
# numbered parts (--split-tokens)


def stale_parts(output: Path, written: set[Path]) -> list[Path]:
    """``out.N.md`` parts an earlier split left that this run did not write (a longer split, or
    one numbered with another padding width)."""
    import glob

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
