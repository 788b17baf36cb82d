"""The stale-file manifest of an output folder: which files llmingest wrote there, so the next run
can delete the ones it no longer writes, and never anything else.

``llmingest site -o DIR`` and ``llmingest bundle --llms-txt DIR`` write ``llms.txt``,
``llms-full.txt`` and one ``.md`` mirror per page into a folder the user also owns (``public/``
with their ``index.html``, ``CNAME``, ``assets/``). Page names come from a crawled site, so a
hostile one once smuggled ``x\\nindex.html`` into the list and the next run deleted the user's
files. Hence three rules, all kept in this one module:

1. a name is written to the manifest only if :func:`valid_name` holds (a relative path inside the
   folder, no control or line-break characters, no ``.``/``..``/empty segments, and a name this
   tool writes: ``llms.txt``, ``llms-full.txt`` or ``*.md``);
2. reading ignores every line that is not such a name (a hand-edited or planted manifest cannot
   widen what is deleted);
3. a listed file is deleted only when it still holds exactly what we wrote (its SHA-256 is in the
   manifest, ``sha256sum`` format); a file the user edited since is left alone. Lines of the older
   name-only format are honoured by name alone (rules 1 and 2 still apply).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .atomic import write_atomic

__all__ = ["MANIFEST", "valid_name", "read", "write", "stale", "remove", "digest"]

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


def read(out_dir: Path) -> dict[str, str | None]:
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


def render(files: dict[str, str], header: str) -> str:
    """The manifest text for ``files`` (name -> text written), invalid names left out."""
    head = "".join(f"# {line}\n" for line in header.splitlines() if line.strip())
    return head + "".join(f"{digest(text)}  {rel}\n" for rel, text in sorted(files.items()) if valid_name(rel))


def write(out_dir: Path, files: dict[str, str], header: str) -> None:
    """Record ``files`` (name -> text written) as what this run wrote; unchanged manifests stay untouched."""
    text = render(files, header)
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


def stale(out_dir: Path, keep: set[str] | dict[str, str]) -> list[str]:
    """Listed names not in ``keep`` that may be deleted: still a file inside ``out_dir`` and, when
    the manifest recorded a hash, still holding exactly what we wrote. Sorted."""
    gone: list[str] = []
    for rel, sha in read(out_dir).items():
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


def remove(out_dir: Path, names: list[str]) -> list[Path]:
    """Delete ``names`` (from :func:`stale`) and the folders they leave empty; the paths deleted."""
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
