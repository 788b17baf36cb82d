"""Which files a digest reads: exactly what git would track, minus sensible default ignores.

For a git work tree the candidates come from ``git ls-files --cached --others --exclude-standard``
itself, so nested .gitignore files, negations and ``.git/info/exclude`` are git's own semantics,
not an imitation. Outside git we walk the folder applying every .gitignore the same way. Then
``.llmingestignore``, default ignores, hidden files and ``--include``/``--exclude`` narrow it.
The result is sorted, so digests are deterministic.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pathspec
from llmingest.errors import BlockedAddress
from llmingest.model import Skipped
from llmingest.options import Options

#: folders that are never source: vendored dependencies, caches, build output
IGNORED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "bower_components", "jspm_packages", "vendor", "Pods",
    ".venv", "venv", "site-packages", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".gradle", ".idea", ".vscode", "dist", "build", "target", ".next", ".nuxt",
    ".svelte-kit", ".turbo", ".parcel-cache", ".cache", "_build", "coverage", "htmlcov", ".terraform",
    ".eggs",
})
#: lockfiles and OS junk: large, generated, useless to a reader
IGNORED_NAMES = frozenset({
    "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "npm-shrinkwrap.json", "bun.lockb", "poetry.lock",
    "Pipfile.lock", "pdm.lock", "uv.lock", "Cargo.lock", "Gemfile.lock", "composer.lock", "go.sum",
    "flake.lock", "mix.lock", "pubspec.lock", "Podfile.lock", "packages.lock.json", ".DS_Store", "Thumbs.db",
})
#: binary and media formats, judged by name so they are never even read
IGNORED_SUFFIXES = frozenset("""
.png .jpg .jpeg .gif .bmp .ico .icns .webp .tif .tiff .psd .xcf .svgz .heic .avif
.woff .woff2 .ttf .otf .eot
.zip .tar .gz .tgz .bz2 .xz .zst .7z .rar .jar .war .ear .whl .egg .deb .rpm .dmg .iso .apk
.exe .dll .so .dylib .o .obj .a .lib .class .pyc .pyo .pyd .wasm .bin .elf
.mp3 .mp4 .wav .ogg .flac .aac .m4a .avi .mov .webm .mkv .wmv
.pdf .docx .xlsx .pptx
.sqlite .sqlite3 .db .mdb
.mo .gmo
.npy .npz .pkl .pickle .parquet .feather .h5 .hdf5 .onnx .pt .pth .safetensors .ckpt .tflite .pb
""".split())
#: generated bundles, recognised by their double suffix
IGNORED_SUFFIX_PATTERNS = (".min.js", ".min.css", ".min.mjs", ".bundle.js", ".chunk.js", ".js.map", ".css.map", ".map")
#: dotfiles worth reading even when hidden files are off: CI and repo configuration
HIDDEN_ALLOWED = frozenset({".github", ".gitlab-ci.yml", ".gitignore", ".gitattributes", ".pre-commit-config.yaml",
                            ".editorconfig", ".dockerignore", ".env.example", ".gitlab", ".circleci"})

LLMINGESTIGNORE = ".llmingestignore"


class OutsideTree(BlockedAddress):
    """A path named inside a repository leads out of it (a symlink, or a folder link on the way).

    A repository is data from a stranger: ``ln -s /etc docs`` must not turn "digest docs/" into
    "digest the server's /etc". Refused (HTTP 403, exit code 8) rather than reported missing, and
    decided on the path alone, so the answer never says what exists outside the tree.
    """


@dataclass(frozen=True)
class Entry:
    """A file chosen for the digest: its repo-relative posix path and where to read it."""

    path: str
    abspath: str  # a str, not a Path: thousands of Path joins cost more than the stat calls
    size: int


def ignored_folder_reason(folder: str) -> str | None:
    """Why the default ignores drop everything under ``folder`` (vendored deps, build output...)."""
    for part in folder.split("/"):
        if part in IGNORED_DIRS or part.endswith(".egg-info"):
            return f"default ignore ({part}/)"
    return None


def ignored_name_reason(name: str, convert_pdfs: bool = False) -> str | None:
    """Why the default ignores drop a file called ``name`` (lockfiles, binaries, minified bundles)."""
    if name in IGNORED_NAMES:
        return "default ignore (lockfile)" if "lock" in name.lower() or name == "go.sum" else "default ignore"
    lower = name.lower()
    if lower.endswith(IGNORED_SUFFIX_PATTERNS):
        return "default ignore (minified or generated)"
    suffix = os.path.splitext(lower)[1]
    if suffix in IGNORED_SUFFIXES and not _converted(suffix, convert_pdfs):
        return f"default ignore (binary {suffix})"
    return None


def _converted(suffix: str, convert_pdfs: bool) -> bool:
    """A binary format the converters read in a repository is read, not ignored (PDFs when asked).
    Other document formats (.doc, .odt...) are read too, so the digest lists them as skipped."""
    from llmingest.converters import lookup

    fmt = lookup(suffix)
    return fmt is not None and fmt.in_trees and (fmt.name != "pdf" or convert_pdfs)


def confine(top: Path, rel: str | None) -> Path:
    """The real path of ``top/rel``; :class:`OutsideTree` when it is not inside ``top``.

    Every way a checkout is narrowed (a ``/tree/`` or ``/blob/`` URL, ``--ref`` of a local
    subfolder, a cached full checkout serving a subpath) goes through here, so a symlinked folder
    or file on the way is followed only as far as the checkout goes (typed local paths: see
    :func:`confine_local`). Resolution does not need the target to exist (nor does the
    verdict depend on it) and never raises on a symlink loop.
    """
    real_top = Path(os.path.realpath(top))
    if not rel:
        return real_top
    target = Path(os.path.realpath(f"{real_top}/{rel}"))
    if not target.is_relative_to(real_top):
        raise OutsideTree(f"refusing path {rel!r}: a symlink takes it outside the repository",
                          hint="name a folder or file that is inside the repository itself")
    return target


def _work_tree_of(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` (a real path) that holds a ``.git``, or None."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def confine_local(path: Path) -> Path:
    """The real path of a local path the user typed, refusing one that a symlink *inside a git
    work tree* leads out of that work tree (:class:`OutsideTree`).

    ``clone/docs -> /home/me/.ssh`` in a cloned repository is the same attack on a laptop as a
    symlinked subpath on a server. A symlink that is not part of a repository (``~/proj -> /data/proj``)
    is the user's own and is followed. Components are taken one at a time with the kernel's
    meaning of ``..`` (the parent of where a link led, not lexical), as ``open`` would.
    """
    path = Path(path) if Path(path).is_absolute() else Path.cwd() / path  # no lexical ".." folding
    parts = path.parts
    cur = Path(parts[0])
    for part in parts[1:]:
        if part in ("", "."):
            continue
        if part == "..":
            cur = cur.parent
            continue
        nxt = cur / part
        if os.path.islink(nxt):
            real = Path(os.path.realpath(nxt))
            tree = _work_tree_of(cur)
            if tree is not None and not real.is_relative_to(tree):
                raise OutsideTree(f"refusing {str(path)!r}: the symlink {part!r} in the repository at {tree} "
                                  "leads outside it", hint="name a folder or file that is inside the repository itself")
            cur = real
        else:
            cur = nxt
    return Path(os.path.realpath(cur))


def is_hidden(path: str) -> bool:
    return any(p.startswith(".") and p not in HIDDEN_ALLOWED for p in path.split("/"))


def walk_candidates(root: Path) -> list[str]:
    """Files under ``root`` minus what its .gitignore files exclude (git's semantics, no git)."""
    result: list[str] = []
    specs: dict[str, pathspec.GitIgnoreSpec] = {}

    def ignored(rel: str, is_dir: bool) -> bool:
        verdict = None
        probe = rel + "/" if is_dir else rel
        parts = rel.split("/")
        for depth in range(len(parts)):
            base = "/".join(parts[:depth])
            spec = specs.get(base)
            if spec is None:
                continue
            sub = probe[len(base) + 1:] if base else probe
            res = spec.check_file(sub)
            if res.include is not None:
                verdict = res.include
        return bool(verdict)

    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        gi = Path(dirpath) / ".gitignore"
        if gi.is_file():
            try:
                specs[rel_dir] = pathspec.GitIgnoreSpec.from_lines(gi.read_text("utf-8", "replace").splitlines())
            except Exception:  # a malformed .gitignore must not sink the walk
                pass
        keep = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if d == ".git" or ignored(rel, True):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                result.append(rel)  # reported later as a directory symlink, never followed
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in filenames:
            rel = f"{rel_dir}/{f}" if rel_dir else f
            if not ignored(rel, False):
                result.append(rel)
    return sorted(result)


def _nested_ignore_specs(root: Path, candidates: list[str]) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
    dirs = {""}
    for c in candidates:
        d = c.rpartition("/")[0]
        while d not in dirs:  # a folder's parents are in the set as soon as the folder is
            dirs.add(d)
            d = d.rpartition("/")[0]
    out = []
    base = str(root)
    for d in sorted(dirs):
        # an ignore file may itself be gitignored (a personal one), so look in every folder;
        # os.path on str: Django's 3,000 folders cost 25 ms this way, 120 ms with Path objects
        f = os.path.join(base, d, LLMINGESTIGNORE) if d else os.path.join(base, LLMINGESTIGNORE)
        if os.path.isfile(f):
            try:
                with open(f, encoding="utf-8", errors="replace") as fh:
                    out.append((d, pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())))
            except Exception:
                pass
    return out


def local_git_env(**extra: str) -> dict[str, str]:
    """The environment for a git child on the user's own disk: theirs, except that git never prompts.

    Set per child, not in ``os.environ`` at import: importing llmingest must not change the
    environment of the program that imported it (a ``GIT_TERMINAL_PROMPT`` the user set still wins).
    """
    return {**os.environ, "GIT_TERMINAL_PROMPT": os.environ.get("GIT_TERMINAL_PROMPT", "0"), **extra}


def git_candidates(root: Path) -> list[str] | None:
    """``git ls-files --cached --others --exclude-standard`` relative to ``root`` (deduplicated,
    sorted), or None when ``root`` is not in a git work tree (or git is missing):
    one git call answers both questions."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            capture_output=True, timeout=300, env=local_git_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return sorted({n for n in out.stdout.decode("utf-8", "surrogateescape").split("\0") if n})


def select(root: Path, options: Options, *, within: Path | None = None) -> tuple[list[Entry], list[Skipped], bool]:
    """Choose the files of ``root``; return (entries, skipped, is_git).

    ``within`` is the checkout ``root`` was narrowed from: a ``root`` that resolves outside it
    (a symlinked subpath) raises :class:`OutsideTree` before anything is listed.
    """
    if within is not None:
        root = confine(within, os.path.relpath(root, within))
    root = root.resolve()
    candidates = git_candidates(root)
    is_git = candidates is not None
    if candidates is None:
        candidates = walk_candidates(root)
    llm_specs = _nested_ignore_specs(root, candidates)
    include = pathspec.GitIgnoreSpec.from_lines(options.include) if options.include else None
    exclude = pathspec.GitIgnoreSpec.from_lines(options.exclude) if options.exclude else None

    entries: list[Entry] = []
    skipped: list[Skipped] = []
    dropped_dirs: dict[str, bool] = {}  # folder -> hidden or default-ignored (thousands of files share few folders)
    for rel in candidates:
        folder, _, name = rel.rpartition("/")
        if name == LLMINGESTIGNORE:
            continue
        if llm_specs and _llm_ignored(rel, llm_specs):
            continue
        if include is not None and not include.match_file(rel):
            continue
        if exclude is not None and exclude.match_file(rel):
            continue
        if folder:
            dropped = dropped_dirs.get(folder)
            if dropped is None:
                dropped = dropped_dirs[folder] = bool(
                    (not options.hidden and is_hidden(folder))
                    or (options.default_ignores and ignored_folder_reason(folder)))
            if dropped:
                continue
        if not options.hidden and name.startswith(".") and name not in HIDDEN_ALLOWED:
            continue
        if options.default_ignores and ignored_name_reason(name, options.convert_pdfs):
            continue
        entry, skip = _check(root, rel, options)
        if entry:
            entries.append(entry)
        elif skip:
            skipped.append(skip)
    return entries, skipped, is_git


def _llm_ignored(rel: str, specs: list[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
    verdict = None
    for base, spec in specs:
        if base and not rel.startswith(base + "/"):
            continue
        res = spec.check_file(rel[len(base) + 1:] if base else rel)
        if res.include is not None:
            verdict = res.include
    return bool(verdict)


def _check(root: Path, rel: str, options: Options, within: Path | None = None) -> tuple[Entry | None, Skipped | None]:
    """Stat one candidate: symlinks stay inside the tree (``within``, else ``root``), only regular
    files are read (a FIFO, socket or device would block or never end), sizes within the limit."""
    abspath = f"{root}/{rel}"  # rel is a posix path; "/" joins work on every OS, at a third of os.path.join's cost
    try:
        st = os.lstat(abspath)
    except OSError:
        return None, Skipped(rel, "listed by git but missing from the work tree")
    # one lstat answers link/dir/regular (three more stat calls per file were 40% of selecting)
    if stat.S_ISLNK(st.st_mode):
        reason, abspath, st = _follow(abspath, within if within is not None else root)
        if reason:
            return None, Skipped(rel, reason)
    elif stat.S_ISDIR(st.st_mode):
        return None, Skipped(rel, "submodule or nested repository (not followed)")
    elif not stat.S_ISREG(st.st_mode):
        return None, Skipped(rel, f"not a regular file ({_kind(st.st_mode)}, not read)")
    if st.st_size > options.max_file_size:
        return None, Skipped(rel, f"larger than --max-file-size ({st.st_size:,} > {options.max_file_size:,} bytes)",
                             st.st_size)
    return Entry(rel, abspath, st.st_size), None


def _follow(link: str, boundary: Path) -> tuple[str | None, str, os.stat_result | None]:
    """(why not, target, its stat) for a symlink: the target must exist, stay inside ``boundary``
    and be a regular file. The target is returned so the reader opens it, never the link."""
    try:
        target = Path(link).resolve(strict=True)
    except (OSError, RuntimeError):
        return "broken symlink", link, None
    if not target.is_relative_to(boundary.resolve()):
        return "symlink points outside the tree", link, None
    try:
        st = os.stat(target)
    except OSError:
        return "broken symlink", link, None
    if stat.S_ISDIR(st.st_mode):
        return "symlink to a directory (not followed)", link, None
    if not stat.S_ISREG(st.st_mode):
        return f"symlink to a {_kind(st.st_mode)} (not a regular file, not read)", link, None
    return None, str(target), st


def unreadable_reason(root: Path, path: Path) -> str | None:
    """Why ``path`` (a file found under ``root``) must not be read, or None: a link out of
    ``root`` or to a non-file, or a FIFO/socket/device, which would block or never end."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if stat.S_ISLNK(st.st_mode):
        return _follow(str(path), root)[0]
    if not stat.S_ISREG(st.st_mode):
        return f"not a regular file ({_kind(st.st_mode)}, not read)"
    return None


def _kind(mode: int) -> str:
    """What a non-regular file is, in words for a Skipped reason."""
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"
